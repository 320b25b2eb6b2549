import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Results already computed for one published event, by operation (see `operationKey`). The
 * Redis event target parses each message once and hands the same payload object to every
 * subscriber of its channel, so the entry lives as long as some subscriber still holds it.
 */
const perEvent = new WeakMap<object, Map<string, Result>>();

/**
 * What makes two subscriptions receive the same result for one event: the same operation, the
 * same variables, the same caller (no field of an event depends on anything else today; the
 * caller is part of the key so that a field that did would not leak between callers).
 */
function operationKey(args: ExecutionArgs): string {
  const actor = (args.contextValue as { actor?: unknown } | undefined)?.actor ?? null;
  const text = args.document.loc?.source.body ?? print(args.document);
  return JSON.stringify([actor, args.operationName ?? null, args.variableValues ?? null, text]);
}

function resultFor(payload: unknown, key: string, args: ExecutionArgs): Result {
  const run = (): Result => execute({ ...args, rootValue: payload });
  if (typeof payload !== 'object' || payload === null) return run();
  let results = perEvent.get(payload);
  if (!results) {
    results = new Map();
    perEvent.set(payload, results);
  }
  let result = results.get(key);
  if (!result) {
    result = run();
    results.set(key, result);
  }
  return result;
}

/**
 * graphql-js `subscribe` for graphql-ws, except that an event is executed once per distinct
 * operation, not once per subscriber: with 1,000 consoles watching one app, each event costs one
 * execution (one read of the revision and its app) and the same result is sent to all of them.
 */
export async function subscribeSharingEvents(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const events = source[Symbol.asyncIterator]();
  const key = operationKey(args);
  const close = async (): Promise<void> => {
    await events.return?.();
  };
  const mapped: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      const event = await events.next();
      if (event.done) return { done: true, value: undefined };
      try {
        return { done: false, value: await resultFor(event.value, key, args) };
      } catch (err) {
        await close();
        throw err;
      }
    },
    // Unsubscribing ends the source at once, even while it waits for its next event.
    async return() {
      await close();
      return { done: true, value: undefined };
    },
    async throw(err: unknown) {
      if (events.throw) await events.throw(err);
      else await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}
