import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a transport knows about the request being served, for everything below it that records
 * or logs: the request id (returned as X-Request-Id, written on log lines) and the caller's
 * address (kept on audit entries). Code outside a request (the worker's own decisions) has none.
 */
export interface RequestScope {
  requestId: string;
  sourceAddress: string | null;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id when it is safe to echo and log, else undefined (a new one is made). */
export function acceptableRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : undefined;
}
