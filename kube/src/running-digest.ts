import type { ClusterContext } from './context.js';
import { labelSelector, selectorOf } from './labels.js';
import { newReplicaSetOf, podsOf, type PodLike } from './replica-sets.js';

const DIGEST = /@(sha256:[0-9a-f]{64})$/;

/**
 * The image digest the app's current pods run: `containerStatuses[].imageID` of the ready pods
 * of the Deployment's current ReplicaSet, as the kubelet reported it after the pull
 * (`repository@sha256:…`; container runtimes may prefix `docker-pullable://`). Null when no
 * ready pod reports one (no pods, or a runtime that reports none); the most common digest
 * when pods disagree (a tag re-pushed while the rollout pulled it).
 */
export async function readRunningDigest(ctx: ClusterContext, namespace: string, name: string): Promise<string | null> {
  const deployment = await ctx.callOrNull(`read Deployment ${namespace}/${name}`, () => ctx.apps.readNamespacedDeployment({ name, namespace }));
  if (!deployment) return null;
  const selector = labelSelector(selectorOf(name));
  const [replicaSets, pods] = await Promise.all([
    ctx.call(`list ReplicaSets of ${namespace}/${name}`, () => ctx.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector })),
    ctx.call(`list pods of ${namespace}/${name}`, () => ctx.core.listNamespacedPod({ namespace, labelSelector: selector })),
  ]);
  const current = newReplicaSetOf(deployment, replicaSets.items);
  return current ? digestOfPods(podsOf(current, pods.items)) : null;
}

interface PodWithImageIds extends PodLike {
  status?: PodLike['status'] & { containerStatuses?: { imageID?: string; ready?: boolean }[] };
}

/** The digest most ready pods report for their first container; null when none does. */
export function digestOfPods(pods: readonly PodWithImageIds[]): string | null {
  const counts = new Map<string, number>();
  for (const pod of pods) {
    const status = pod.status?.containerStatuses?.[0];
    const digest = status?.ready ? DIGEST.exec(status.imageID ?? '')?.[1] : undefined;
    if (digest) counts.set(digest, (counts.get(digest) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [digest, count] of counts) if (best === null || count > counts.get(best)!) best = digest;
  return best;
}
