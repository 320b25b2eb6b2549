import { isObserved, newReplicaSetOf, ownedReplicaSets, type ReplicaSetLike } from './replica-sets.js';
import type { DeploymentLike } from './rollout-status.js';
import type { RolloutProgress } from './types.js';

/**
 * Progress from the Deployment alone, for when its new ReplicaSet is not known (not created or
 * not observed yet): `updated` counts only once the controller has seen the current spec, and the
 * ready/available pods beyond the old ones are taken to be new ones (old pods are normally serving).
 */
export function rolloutProgress(deployment: DeploymentLike, minGeneration = 0): RolloutProgress {
  const status = deployment.status ?? {};
  const updated = isObserved(deployment, minGeneration) ? (status.updatedReplicas ?? 0) : 0;
  const old = Math.max(0, (status.replicas ?? 0) - updated);
  const ofUpdated = (count: number | undefined) => Math.min(updated, Math.max(0, (count ?? 0) - old));
  return {
    updated,
    ready: ofUpdated(status.readyReplicas),
    available: ofUpdated(status.availableReplicas),
    desired: deployment.spec?.replicas ?? 1,
    old,
  };
}

/**
 * Progress counted on the ReplicaSets: the new one's pods (updated, ready, available) apart from
 * the older ones' (old). Falls back to the Deployment's counts while the new one is not known.
 */
export function rolloutProgressOf(
  deployment: DeploymentLike,
  replicaSets: readonly ReplicaSetLike[],
  minGeneration = 0,
): RolloutProgress {
  const newRs = isObserved(deployment, minGeneration) ? newReplicaSetOf(deployment, replicaSets) : undefined;
  if (!newRs) return rolloutProgress(deployment, minGeneration);
  const old = ownedReplicaSets(deployment, replicaSets)
    .filter((rs) => rs !== newRs)
    .reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
  return {
    updated: newRs.status?.replicas ?? 0,
    ready: newRs.status?.readyReplicas ?? 0,
    available: newRs.status?.availableReplicas ?? 0,
    desired: deployment.spec?.replicas ?? 1,
    old,
  };
}
