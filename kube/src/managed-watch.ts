import type { ClusterContext } from './context.js';
import { APP_LABEL, isManagedByKipper, MANAGED_BY, MANAGED_BY_LABEL, NAME_LABEL } from './labels.js';
import { backoffDelay, sleep } from './retry.js';
import type { ManagedChange, WatchManagedOptions } from './types.js';
import { CallbackError, watchOnce } from './watch-stream.js';

interface WatchedKind {
  kind: ManagedChange['kind'];
  /** Cluster-wide collection path. */
  path: string;
  /** A list whose only use is its resourceVersion, where the watch starts. */
  list: (ctx: ClusterContext, labelSelector: string) => Promise<{ metadata?: { resourceVersion?: string } }>;
}

// limit=1: the list's resourceVersion is all we need; the items are not read.
const KINDS: readonly WatchedKind[] = [
  {
    kind: 'Deployment',
    path: '/apis/apps/v1/deployments',
    list: (ctx, labelSelector) => ctx.apps.listDeploymentForAllNamespaces({ labelSelector, limit: 1 }),
  },
  {
    kind: 'ReplicaSet',
    path: '/apis/apps/v1/replicasets',
    list: (ctx, labelSelector) => ctx.apps.listReplicaSetForAllNamespaces({ labelSelector, limit: 1 }),
  },
  { kind: 'Pod', path: '/api/v1/pods', list: (ctx, labelSelector) => ctx.core.listPodForAllNamespaces({ labelSelector, limit: 1 }) },
  {
    kind: 'Service',
    path: '/api/v1/services',
    list: (ctx, labelSelector) => ctx.core.listServiceForAllNamespaces({ labelSelector, limit: 1 }),
  },
  {
    kind: 'Ingress',
    path: '/apis/networking.k8s.io/v1/ingresses',
    list: (ctx, labelSelector) => ctx.networking.listIngressForAllNamespaces({ labelSelector, limit: 1 }),
  },
];

const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
/** A watch that stayed open this long was a working connection: the backoff starts over. */
const HEALTHY_WATCH_MS = 1000;

interface WatchedObject {
  metadata?: { namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
}

/**
 * Calls onResync once every watch is established again after any of them had to start over (the
 * cluster was unreachable, even at the start, a watch failed, or its resourceVersion expired): a
 * full read made then misses nothing, since every later change arrives as an event.
 */
class ResyncTracker {
  private readonly down = new Set<string>();
  private disrupted = false;

  constructor(
    kinds: readonly WatchedKind[],
    private readonly onResync: (() => void) | undefined,
  ) {
    for (const k of kinds) this.down.add(k.kind);
  }

  lost(kind: string) {
    this.down.add(kind);
    this.disrupted = true;
  }

  established(kind: string) {
    this.down.delete(kind);
    if (this.down.size > 0 || !this.disrupted) return;
    this.disrupted = false;
    try {
      this.onResync?.();
    } catch (err) {
      throw new CallbackError(err);
    }
  }
}

/**
 * Keeps one kind watched until `signal` aborts: list (for a resourceVersion), then watch from it,
 * re-watching from the last version seen when the server ends a watch. A failure (the cluster
 * unreachable, an error answer) or 410 Expired starts over from the list, after a backoff for
 * failures; the tracker hears of each start-over and each re-establishment.
 */
async function followKind(
  ctx: ClusterContext,
  kind: WatchedKind,
  options: WatchManagedOptions,
  signal: AbortSignal,
  tracker: ResyncTracker,
): Promise<void> {
  let resourceVersion: string | undefined;
  let failures = 0;
  const emit = (type: ManagedChange['type'], object: WatchedObject) => {
    const labels = object.metadata?.labels ?? {};
    const app = labels[APP_LABEL] ?? labels[NAME_LABEL];
    const namespace = object.metadata?.namespace;
    if (!app || !namespace || !isManagedByKipper(object)) return;
    options.onChange({ kind: kind.kind, namespace, app, type });
  };
  for (;;) {
    signal.throwIfAborted();
    const started = Date.now();
    try {
      if (resourceVersion === undefined) {
        const list = await ctx.call(`list ${kind.kind}s managed by Kipper`, () => kind.list(ctx, MANAGED_SELECTOR));
        resourceVersion = list.metadata?.resourceVersion ?? '';
        tracker.established(kind.kind);
      }
      const end = await watchOnce<WatchedObject>(ctx, { path: kind.path, labelSelector: MANAGED_SELECTOR, resourceVersion, signal, onObject: emit, onVersion: (rv) => (resourceVersion = rv) });
      failures = 0;
      if (end === 'expired') {
        resourceVersion = undefined;
        tracker.lost(kind.kind);
      } else if (Date.now() - started < HEALTHY_WATCH_MS) {
        // A server that closes watches at once must not make us spin.
        await sleep(ctx.retry.baseDelayMs, signal);
      }
    } catch (err) {
      if (err instanceof CallbackError) throw err.original;
      signal.throwIfAborted();
      // Events may have been missed while failing (a restarted server may even have forgotten the
      // resourceVersion): start over from a list, and tell the caller once all watches are back.
      tracker.lost(kind.kind);
      resourceVersion = undefined;
      if (Date.now() - started >= HEALTHY_WATCH_MS) failures = 0;
      await sleep(backoffDelay(ctx.retry, failures++), signal);
    }
  }
}

/**
 * Watches every object Kipper manages, cluster-wide: Deployments, ReplicaSets, Pods, Services and
 * Ingresses labelled `app.kubernetes.io/managed-by=kipper`, each change reported with the app it
 * belongs to (`kipper.dev/app`, else `app.kubernetes.io/name`). Never gives up on the cluster:
 * failures back off and reconnect, and onResync says when a full read is due. Resolves when
 * `signal` aborts; rejects when the Cluster is closed or onChange / onResync throws.
 */
export async function watchManaged(ctx: ClusterContext, options: WatchManagedOptions): Promise<void> {
  ctx.assertOpen();
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.closeSignal, options.signal, stop.signal]);
  const tracker = new ResyncTracker(KINDS, options.onResync);
  const loops = KINDS.map((kind) =>
    followKind(ctx, kind, options, signal, tracker).catch((err: unknown) => {
      // One loop failing for good (onChange threw) ends the others too.
      if (!options.signal.aborted && !ctx.closeSignal.aborted) stop.abort(err);
      throw err;
    }),
  );
  const results = await Promise.allSettled(loops);
  if (ctx.closeSignal.aborted) throw ctx.closeSignal.reason as Error;
  if (stop.signal.aborted) throw stop.signal.reason as Error;
  if (options.signal.aborted) return;
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  throw failed?.reason ?? new Error('watchManaged ended');
}
