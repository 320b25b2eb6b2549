/** The fields of a Deployment that the rollout and health decisions read (raw JSON or client objects). */
export interface DeploymentLike {
  metadata?: { name?: string; uid?: string; generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number; paused?: boolean; template?: unknown };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export type RolloutStatus =
  | { state: 'waiting'; message: string }
  | { state: 'done'; message: string }
  | { state: 'failed'; reason: string; message: string };

/** The reason the deployment controller gives when progressDeadlineSeconds passes without progress. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

/**
 * Decides like kubectl's DeploymentStatusViewer (`kubectl rollout status`):
 * until the controller has observed the latest generation (and `minGeneration`) we wait; then a
 * Progressing condition with reason ProgressDeadlineExceeded fails the rollout; fewer updated
 * replicas than desired, old replicas pending termination, or updated replicas not yet available
 * mean waiting; otherwise the rollout is done.
 */
export function rolloutStatus(deployment: DeploymentLike, minGeneration = 0): RolloutStatus {
  const name = deployment.metadata?.name ?? '';
  const generation = Math.max(deployment.metadata?.generation ?? 0, minGeneration);
  const status = deployment.status ?? {};
  if (generation > (status.observedGeneration ?? 0)) {
    return { state: 'waiting', message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    return {
      state: 'failed',
      reason: PROGRESS_DEADLINE_EXCEEDED,
      message: `deployment "${name}" exceeded its progress deadline`,
    };
  }
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const desired = deployment.spec?.replicas;
  if (desired !== undefined && updated < desired) {
    return {
      state: 'waiting',
      message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    };
  }
  if (replicas > updated) {
    return {
      state: 'waiting',
      message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return {
      state: 'waiting',
      message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { state: 'done', message: `deployment "${name}" successfully rolled out` };
}
