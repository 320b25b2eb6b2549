import { ClusterError, isAlreadyExists, isConflict, isTransient } from './errors.js';

export interface RetryOptions {
  /** Total attempts, the first one included. */
  attempts: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 200 };
const MAX_DELAY_MS = 10_000;

/** Exponential backoff with jitter: base·2^n, scaled by a random factor in [0.5, 1). */
export function backoffDelay(retry: RetryOptions, attempt: number): number {
  const exp = Math.min(MAX_DELAY_MS, retry.baseDelayMs * 2 ** attempt);
  return Math.round(exp * (0.5 + Math.random() / 2));
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn`, retrying transient failures (network, 429, 5xx); other errors are thrown at once. */
export async function withRetry<T>(fn: () => Promise<T>, retry: RetryOptions, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt + 1 >= retry.attempts || !isTransient(err) || signal?.aborted) throw err;
      await sleep(backoffDelay(retry, attempt), signal);
    }
  }
}

/** How often a read-modify-write is retried when someone else wrote in between (409 Conflict). */
const CONFLICT_ATTEMPTS = 8;

/**
 * Create-or-update with optimistic concurrency: `attempt` reads and writes once; a 409 Conflict
 * (stale resourceVersion) or AlreadyExists (lost a create race) runs it again on a fresh read.
 */
export async function retryOnConflict(attempt: () => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const raced = err instanceof ClusterError && (isConflict(err) || isAlreadyExists(err));
      if (!raced || i >= CONFLICT_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, Math.round(Math.random() * 20 * i)));
    }
  }
}
