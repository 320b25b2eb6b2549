import type { Gauge } from 'prom-client';

/**
 * `source` counted in `open` until it ends: done, failed, or returned (a client's `complete`
 * or its socket closing: graphql-ws calls `return()`). A plain iterator object rather than an
 * `async function*`, whose `return()` would wait for a pending `next()`, that is, for the next
 * event, before the count (and the upstream subscription) could end.
 */
export function countedWhileOpen<T>(source: AsyncIterable<T>, open: Gauge): AsyncGenerator<T, void, void> {
  const inner = source[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    open.dec();
  };
  open.inc();
  const counted: AsyncGenerator<T, void, void> = {
    async next() {
      try {
        const result = await inner.next();
        if (result.done) end();
        return result as IteratorResult<T, void>;
      } catch (err) {
        end();
        throw err;
      }
    },
    async return() {
      end();
      await inner.return?.();
      return { done: true, value: undefined };
    },
    async throw(err: unknown) {
      end();
      if (inner.throw) return (await inner.throw(err)) as IteratorResult<T, void>;
      throw err;
    },
    [Symbol.asyncIterator]() {
      return counted;
    },
  } as AsyncGenerator<T, void, void>;
  return counted;
}
