import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { ClusterContext } from './context.js';
import { labelSelector, selectorOf } from './labels.js';
import type { AppPod, ClusterEvent } from './types.js';

/** What `kubectl get pods` shows of one pod, read from its status as the kubelet reported it. */
export function appPodOf(pod: V1Pod): AppPod {
  const main = pod.spec?.containers[0]?.name;
  const statuses = pod.status?.containerStatuses ?? [];
  const status = statuses.find((s) => s.name === main) ?? statuses[0];
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const reason = status?.state?.waiting?.reason ?? status?.state?.terminated?.reason ?? null;
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    reason,
    startedAt: pod.status?.startTime ?? null,
    createdAt: pod.metadata?.creationTimestamp ?? null,
    image: status?.image ?? pod.spec?.containers[0]?.image ?? null,
    node: pod.spec?.nodeName ?? null,
  };
}

/** The app's pods (selector `app.kubernetes.io/name=APP`, so never its build pods), oldest first. */
export async function listAppPods(ctx: ClusterContext, namespace: string, app: string): Promise<AppPod[]> {
  const pods = await ctx.call(`list pods of ${namespace}/${app}`, () =>
    ctx.core.listNamespacedPod({ namespace, labelSelector: labelSelector(selectorOf(app)) }),
  );
  return pods.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map(appPodOf)
    .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0) || a.name.localeCompare(b.name));
}

const lastSeenOf = (e: CoreV1Event): Date | null => e.lastTimestamp ?? (e.eventTime ? new Date(e.eventTime as unknown as string) : null) ?? e.metadata?.creationTimestamp ?? null;

export function clusterEventOf(e: CoreV1Event): ClusterEvent {
  return {
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    message: e.message ?? '',
    kind: e.involvedObject.kind ?? '',
    name: e.involvedObject.name ?? '',
    count: e.count ?? 1,
    firstSeen: e.firstTimestamp ?? lastSeenOf(e),
    lastSeen: lastSeenOf(e),
  };
}

/**
 * Events about the app's Deployment, its ReplicaSets and their pods (also pods already gone: their
 * names start with a ReplicaSet's), newest first, at most `limit`. One list of the namespace's
 * events and one of the app's ReplicaSets: a namespace holds one environment's apps.
 */
export async function listAppEvents(ctx: ClusterContext, namespace: string, app: string, limit: number): Promise<ClusterEvent[]> {
  const [events, replicaSets] = await Promise.all([
    ctx.call(`list events of ${namespace}`, () => ctx.core.listNamespacedEvent({ namespace })),
    ctx.call(`list ReplicaSets of ${namespace}/${app}`, () =>
      ctx.apps.listNamespacedReplicaSet({ namespace, labelSelector: labelSelector(selectorOf(app)) }),
    ),
  ]);
  const sets = replicaSets.items.map((rs) => rs.metadata?.name ?? '').filter(Boolean);
  const about = (e: CoreV1Event) => {
    const { kind, name = '' } = e.involvedObject;
    if (kind === 'Deployment') return name === app;
    if (kind === 'ReplicaSet') return sets.includes(name);
    if (kind === 'Pod') return sets.some((rs) => name.startsWith(`${rs}-`));
    return false;
  };
  const order = (e: CoreV1Event) => lastSeenOf(e)?.getTime() ?? 0;
  const version = (e: CoreV1Event) => Number(e.metadata?.resourceVersion ?? 0) || 0;
  return events.items
    .filter(about)
    .sort((a, b) => order(b) - order(a) || version(b) - version(a))
    .slice(0, Math.max(0, limit))
    .map(clusterEventOf);
}
