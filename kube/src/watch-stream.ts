import type { ClusterContext } from './context.js';

/** How long the server keeps one watch request open before the caller watches again. */
export const WATCH_TIMEOUT_SECONDS = 300;

/** 'expired': the resourceVersion is too old (410); list again and watch from the new one. */
export type WatchEnd = 'ended' | 'expired';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** An error thrown by the caller's onObject: not a cluster failure, so it is not retried. */
export class CallbackError extends Error {
  constructor(readonly original: unknown) {
    super('a watch callback failed');
  }
}

export interface WatchOnceOptions<T> {
  /** Collection path, e.g. /api/v1/namespaces/NS/pods. */
  path: string;
  labelSelector: string;
  resourceVersion: string | undefined;
  /** Aborting rejects with the signal's reason. */
  signal: AbortSignal;
  onObject: (type: WatchEventType, object: T) => void;
  onVersion: (rv: string) => void;
}

/** One watch request from `resourceVersion`; resolves when the server ends it, rejects on failure. */
export function watchOnce<T extends { metadata?: { resourceVersion?: string } }>(ctx: ClusterContext, opts: WatchOnceOptions<T>): Promise<WatchEnd> {
  const { signal } = opts;
  return new Promise<WatchEnd>((resolve, reject) => {
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      fn();
    };
    const onAbort = () => finish(() => reject(signal.reason as Error));
    signal.addEventListener('abort', onAbort, { once: true });

    const onEvent = (type: string, object: unknown) => {
      if (settled) return;
      const raw = (object ?? {}) as T & { code?: number; message?: string };
      if (type === 'ERROR') {
        if (raw.code === 410) return finish(() => resolve('expired'));
        const error = Object.assign(new Error(raw.message ?? 'watch error'), { statusCode: raw.code ?? 500 });
        return finish(() => reject(error));
      }
      const rv = raw.metadata?.resourceVersion;
      if (rv) opts.onVersion(rv);
      if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
      try {
        opts.onObject(type, raw);
      } catch (err) {
        finish(() => reject(new CallbackError(err)));
      }
    };
    const onDone = (err: unknown) => finish(() => (err ? reject(err as Error) : resolve('ended')));

    ctx.watch
      .watch(
        opts.path,
        { labelSelector: opts.labelSelector, resourceVersion: opts.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
        onEvent,
        onDone,
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
        },
        (err: unknown) => finish(() => reject(err as Error)),
      );
  });
}
