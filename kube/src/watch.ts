import { ClusterError, isTransient, statusOf, toClusterError } from './errors.js';
import type { ClusterContext } from './context.js';
import { backoffDelay, sleep } from './retry.js';
import { WATCH_TIMEOUT_SECONDS } from './watch-stream.js';

/** A Kubernetes object as it arrives on a watch: raw JSON. */
export interface RawObject {
  metadata?: { name?: string; resourceVersion?: string; generation?: number };
  [key: string]: unknown;
}

export interface WatchObjectOptions<T> {
  /** Collection path, e.g. /apis/apps/v1/namespaces/NS/deployments. */
  path: string;
  name: string;
  kind: string;
  /** Reads the object (initially and after 410 Expired); null when it does not exist. */
  read: () => Promise<RawObject | null>;
  /** Called with every version of the object; a defined result ends the watch. */
  decide: (object: RawObject) => T | undefined;
  signal: AbortSignal;
}

type WatchEnd<T> = { kind: 'result'; value: T } | { kind: 'ended' } | { kind: 'expired' } | { kind: 'deleted' };

/**
 * Follows one object: reads it, then watches it (fieldSelector metadata.name) from the read's
 * resourceVersion until `decide` gives a result. A watch that ends is re-established from the last
 * resourceVersion seen; 410 Expired means re-read and re-watch; transient failures back off.
 * Resolves with the result, or 'deleted' when the object goes away; rejects when `signal` aborts.
 */
export async function watchObject<T>(ctx: ClusterContext, opts: WatchObjectOptions<T>): Promise<T | 'deleted'> {
  const { signal } = opts;
  let resourceVersion: string | undefined;
  const refresh = async (): Promise<T | 'deleted' | undefined> => {
    const object = await opts.read();
    if (!object) return 'deleted';
    resourceVersion = object.metadata?.resourceVersion;
    return opts.decide(object);
  };
  let first = await refresh();
  if (first !== undefined) return first;
  let failures = 0;
  for (;;) {
    signal.throwIfAborted();
    const started = Date.now();
    let end: WatchEnd<T>;
    try {
      end = await watchOnce<T>(ctx, opts, resourceVersion, (rv) => (resourceVersion = rv));
    } catch (err) {
      signal.throwIfAborted();
      if (statusOf(err) === 410) {
        end = { kind: 'expired' };
      } else if (isTransient(err) && ++failures < ctx.retry.attempts) {
        await sleep(backoffDelay(ctx.retry, failures - 1), signal);
        continue;
      } else {
        throw toClusterError(err, `watch ${opts.kind} ${opts.name}`);
      }
    }
    switch (end.kind) {
      case 'result':
        return end.value;
      case 'deleted':
        return 'deleted';
      case 'expired':
        failures = 0;
        first = await refresh();
        if (first !== undefined) return first;
        break;
      case 'ended':
        failures = 0;
        // A server that closes watches at once must not make us spin.
        if (Date.now() - started < 1000) await sleep(ctx.retry.baseDelayMs, signal);
        break;
    }
  }
}

function watchOnce<T>(
  ctx: ClusterContext,
  opts: WatchObjectOptions<T>,
  resourceVersion: string | undefined,
  onVersion: (rv: string) => void,
): Promise<WatchEnd<T>> {
  return new Promise<WatchEnd<T>>((resolve, reject) => {
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal.removeEventListener('abort', onAbort);
      controller?.abort();
      fn();
    };
    const onAbort = () => finish(() => reject(opts.signal.reason as Error));
    opts.signal.addEventListener('abort', onAbort, { once: true });

    const onEvent = (type: string, object: unknown) => {
      if (settled) return;
      const raw = (object ?? {}) as RawObject & { code?: number; reason?: string; message?: string };
      if (type === 'ERROR') {
        if (raw.code === 410) return finish(() => resolve({ kind: 'expired' }));
        const error = Object.assign(new Error(raw.message ?? 'watch error'), { statusCode: raw.code ?? 500 });
        return finish(() => reject(error));
      }
      const rv = raw.metadata?.resourceVersion;
      if (rv) onVersion(rv);
      if (type === 'BOOKMARK' || raw.metadata?.name !== opts.name) return;
      if (type === 'DELETED') return finish(() => resolve({ kind: 'deleted' }));
      let value: T | undefined;
      try {
        value = opts.decide(raw);
      } catch (err) {
        return finish(() => reject(err as Error));
      }
      if (value !== undefined) finish(() => resolve({ kind: 'result', value: value as T }));
    };
    const onDone = (err: unknown) => {
      if (err) finish(() => reject(err as Error));
      else finish(() => resolve({ kind: 'ended' }));
    };

    ctx.watch
      .watch(
        opts.path,
        {
          fieldSelector: `metadata.name=${opts.name}`,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: WATCH_TIMEOUT_SECONDS,
        },
        onEvent,
        onDone,
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        (err: unknown) => finish(() => reject(err instanceof ClusterError ? err : (err as Error))),
      );
  });
}
