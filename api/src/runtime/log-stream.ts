import type { PodLogLine } from '@kipper/core';

/** Lines held for a client that reads slower than pods write; the oldest go first beyond it. */
export const BUFFERED_LINES_MAX = 5000;

/**
 * The lines of a log follow as the async iterator a subscription returns. `start` runs the follow
 * with a signal; the client leaving (return()) aborts it at once, even while next() waits, so the
 * cluster's log streams close with the subscription. A follow that ends (no follow, pods gone)
 * completes the subscription once the buffered lines are sent; so does one that fails midway
 * (the cluster went away): the client sees the end of the log and may subscribe again.
 */
export function logStream(start: (signal: AbortSignal, onLine: (line: PodLogLine) => void) => Promise<void>): AsyncIterableIterator<PodLogLine> {
  const controller = new AbortController();
  const buffer: PodLogLine[] = [];
  let finished = false;
  let waiting: ((result: IteratorResult<PodLogLine>) => void) | undefined;

  const wake = () => {
    if (!waiting) return;
    const resolve = waiting;
    if (buffer.length > 0) {
      waiting = undefined;
      resolve({ done: false, value: buffer.shift()! });
    } else if (finished) {
      waiting = undefined;
      resolve({ done: true, value: undefined });
    }
  };
  const finish = () => {
    finished = true;
    controller.abort();
    wake();
  };

  start(controller.signal, (line) => {
    if (finished) return;
    buffer.push(line);
    if (buffer.length > BUFFERED_LINES_MAX) buffer.splice(0, buffer.length - BUFFERED_LINES_MAX);
    wake();
  }).then(finish, finish);

  return {
    next() {
      if (buffer.length > 0) return Promise.resolve({ done: false, value: buffer.shift()! });
      if (finished) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      buffer.length = 0;
      finish();
      return Promise.resolve({ done: true, value: undefined });
    },
    throw(err: unknown) {
      buffer.length = 0;
      finish();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
