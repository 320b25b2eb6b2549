export { connectCluster, type ConnectOptions } from './cluster.js';
export { ClusterError, isNotManaged, NOT_MANAGED_REASON, TRANSIENT_NETWORK_CODES, type ClusterErrorCode } from './errors.js';
export type { RetryOptions } from './retry.js';
export { rolloutStatus, PROGRESS_DEADLINE_EXCEEDED, type RolloutStatus, type DeploymentLike } from './rollout-status.js';
export { rolloutProgress, rolloutProgressOf } from './rollout-progress.js';
export { healthOf, missingHealth } from './health.js';
export {
  newReplicaSetOf,
  REVISION_ANNOTATION,
  type ContainerStatusLike,
  type PodLike,
  type ReplicaSetLike,
} from './replica-sets.js';
export { resolveClusterTarget, describeClusterChoice, type ClusterTarget, type ClusterChoice } from './target.js';
export { buildJobName, gitContext } from './build.js';
export { POD_NOT_FOUND_REASON, splitTimestamp } from './pod-logs.js';
export { appPodOf, clusterEventOf } from './runtime.js';
export { webhookSecretName, notificationSecretName, type NotificationSecret } from './secrets.js';
export type {
  AppHealth,
  AppObjects,
  AppPod,
  ClusterEvent,
  FollowPodLogsOptions,
  PodLogLine,
  AppWorkload,
  BuildJobSpec,
  BuildOutcome,
  Cluster,
  FollowBuildOptions,
  FollowRolloutOptions,
  HealthStatus,
  ManagedChange,
  RolloutOutcome,
  RolloutProgress,
  WatchManagedOptions,
  WorkloadEnvVar,
} from './types.js';
