import type { NotificationSecret } from './secrets.js';

/** A variable of the app's container: a plain value, or a key of a Secret (secret values never sit in the pod template). */
export type WorkloadEnvVar = { name: string; value: string } | { name: string; secretName: string; secretKey: string };

/** The desired shape of an app in the cluster: a Deployment + Service (+ Ingress when `host`). */
export interface AppWorkload {
  namespace: string;
  name: string;
  image: string;
  port: number;
  replicas: number;
  env: WorkloadEnvVar[];
  host?: string | null;
  progressDeadlineSeconds: number;
  labels?: Record<string, string>;
}

/** Where a rollout stands, counted on the new ReplicaSet (the one of the current pod template). */
export interface RolloutProgress {
  /** Pods of the new ReplicaSet. */
  updated: number;
  /** Ready among the updated. */
  ready: number;
  /** Available among the updated. */
  available: number;
  /** spec.replicas. */
  desired: number;
  /** Pods of older ReplicaSets still running (serving until the rollout removes them). */
  old: number;
}

export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Suspended';

export interface AppHealth {
  status: HealthStatus;
  /** Degraded: 'CrashLoopBackOff' | 'ImagePullBackOff' | 'ErrImagePull' | 'OOMKilled' | 'ProgressDeadlineExceeded' | other kubelet/controller reason; null otherwise */
  reason: string | null;
  /** One line for people, e.g. '2/3 pods crash-looping (CrashLoopBackOff, 7 restarts)' or 'deployment "api" not found'. */
  message: string | null;
}

/** The observed state of an app's managed objects, for drift detection. */
export interface AppObjects {
  deployment: {
    image: string | null;
    replicas: number;
    managed: boolean;
    /** Pod template annotations. */
    annotations: Record<string, string>;
  } | null;
  service: { managed: boolean } | null;
  ingress: { managed: boolean; host: string | null } | null;
}

export interface ManagedChange {
  kind: 'Deployment' | 'Service' | 'Ingress' | 'Pod' | 'ReplicaSet';
  namespace: string;
  app: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
}

export interface WatchManagedOptions {
  signal: AbortSignal;
  onChange: (change: ManagedChange) => void;
  /** called after a (re)connect of the watches, i.e. after the cluster was unreachable or a watch had to be restarted from scratch (410): callers resync everything */
  onResync?: () => void;
}

export type RolloutOutcome = { ok: true } | { ok: false; reason: string; message: string };

export interface FollowRolloutOptions {
  /** Wait until the controller has observed at least this generation (from setImage). */
  minGeneration?: number;
  onProgress?: (p: RolloutProgress) => void;
  signal?: AbortSignal;
  /** Gives `{ ok: false, reason: 'Timeout' }` when the rollout has not finished by then. */
  timeoutMs?: number;
}

export interface BuildJobSpec {
  namespace: string;
  app: string;
  buildNumber: number;
  builderImage: string;
  gitUrl: string;
  gitBranch: string;
  commit: string;
  dockerfilePath: string;
  destination: string;
}

export type BuildOutcome = { ok: true } | { ok: false; reason: string; message: string };

export interface FollowBuildOptions {
  onLog?: (line: string) => void;
  signal?: AbortSignal;
  /** Lines already delivered to a previous follower (a restarted worker re-attaching): skipped. */
  skipLines?: number;
}

/** One pod of an app, as `kubectl get pods` shows it. */
export interface AppPod {
  name: string;
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  ready: boolean;
  /** Restarts of all its containers. */
  restarts: number;
  /** Why its container is not running: CrashLoopBackOff, ImagePullBackOff, ContainerCreating, …; null when running. */
  reason: string | null;
  startedAt: Date | null;
  createdAt: Date | null;
  image: string | null;
  node: string | null;
}

/** A core/v1 Event about one of an app's objects. */
export interface ClusterEvent {
  /** Normal or Warning. */
  type: string;
  reason: string;
  message: string;
  /** The object it is about: Deployment, ReplicaSet or Pod, and its name. */
  kind: string;
  name: string;
  /** How many times it happened (the correlator folds repeats into one event). */
  count: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
}

/** One line of an app pod's log; `at` is the kubelet's timestamp of it. */
export interface PodLogLine {
  pod: string;
  line: string;
  at: Date | null;
}

export interface FollowPodLogsOptions {
  /** One pod of the app (ClusterError CLUSTER_NOT_FOUND, reason PodNotFound, when it is not one); default every pod. */
  pod?: string;
  /** Keep streaming (and take on pods that start later) until `signal` aborts; otherwise end after the lines there are. */
  follow: boolean;
  /** Lines from the end of each pod's log to start with; default all. */
  tail?: number;
  signal: AbortSignal;
  onLine: (line: PodLogLine) => void;
}

export interface Cluster {
  ensureNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  ensureApp(app: AppWorkload): Promise<void>;
  /** Deletes the Deployment, Service, Ingress, webhook Secret, env Secrets, notification Secrets of the app's channels and build Jobs Kipper made. */
  deleteApp(namespace: string, name: string): Promise<void>;
  setImage(
    namespace: string,
    name: string,
    image: string,
    annotations?: Record<string, string>,
  ): Promise<{ generation: number }>;
  readImage(namespace: string, name: string): Promise<string | null>;
  followRollout(namespace: string, name: string, opts: FollowRolloutOptions): Promise<RolloutOutcome>;
  startBuild(spec: BuildJobSpec): Promise<{ jobName: string }>;
  followBuild(namespace: string, jobName: string, opts: FollowBuildOptions): Promise<BuildOutcome>;
  readWebhookToken(namespace: string, app: string): Promise<string | null>;
  writeWebhookToken(namespace: string, app: string, token: string): Promise<void>;
  deleteWebhookToken(namespace: string, app: string): Promise<void>;
  /** One key of a Secret (a GitHub or GitLab token), decoded and trimmed; null when the Secret or the key is missing. */
  readSecretValue(namespace: string, name: string, key: string): Promise<string | null>;
  /** Secret `kipper-notification-{channelId}`: the channel's URL and signing secret; null when it does not exist. */
  readNotificationSecret(namespace: string, channelId: string): Promise<NotificationSecret | null>;
  /** Creates or replaces it; `app` (a channel of one app) labels it so that deleteApp removes it too. */
  writeNotificationSecret(namespace: string, channelId: string, app: string | null, secret: NotificationSecret): Promise<void>;
  /** A missing one is fine; one Kipper did not create is left alone. */
  deleteNotificationSecret(namespace: string, channelId: string): Promise<void>;
  /** Health of the app from its Deployment, ReplicaSets and pods (the Argo CD model). Missing when there is no Deployment; Suspended when spec.replicas is 0; Degraded with the reason when pods crash-loop / cannot pull / OOM / progress deadline exceeded; Progressing while a rollout is under way (updated < desired, or new pods not yet ready) and not degraded; else Healthy. Decide Degraded when a pod of the CURRENT ReplicaSet is in CrashLoopBackOff/ImagePullBackOff/ErrImagePull, or its last termination was OOMKilled and it is not ready, or Progressing condition reason ProgressDeadlineExceeded. */
  readHealth(namespace: string, name: string): Promise<AppHealth>;
  /** `sha256:…` the app's current ready pods run (their containerStatuses[].imageID); null when none reports one. */
  readRunningDigest(namespace: string, name: string): Promise<string | null>;
  /** Deployment/Service/Ingress as they are now (null = missing). */
  readAppObjects(namespace: string, name: string): Promise<AppObjects>;
  /** Cluster-wide watches (all namespaces) of Deployments, ReplicaSets, Pods, Services and Ingresses labelled app.kubernetes.io/managed-by=kipper; `app` from the object's app label (kube/src/labels.ts APP_LABEL). Reconnects with backoff (reuse kube/src/retry.ts helpers), restarts on 410 Expired and calls onResync after any restart from scratch/reconnect. Resolves when signal aborts. */
  watchManaged(options: WatchManagedOptions): Promise<void>;
  /** Deletes a build Job (and its pods: propagationPolicy Background) if it exists and is managed by Kipper; missing is fine. */
  deleteBuild(namespace: string, jobName: string): Promise<void>;
  /**
   * Creates Secret `name` (immutable, labelled with the app and component `env`) holding `values`,
   * unless it exists: its name is derived from its content, so an existing one already holds them.
   */
  writeEnvSecret(namespace: string, app: string, name: string, values: Record<string, string>): Promise<void>;
  /** The values of an app's env Secret, or null when it does not exist (or Kipper did not make it). */
  readEnvSecret(namespace: string, name: string): Promise<Record<string, string> | null>;
  /** Names of the env Secrets Kipper made for the app. */
  listEnvSecrets(namespace: string, app: string): Promise<string[]>;
  /** A missing one is fine; one Kipper did not create is left alone. */
  deleteEnvSecret(namespace: string, name: string): Promise<void>;
  /** Deletes a namespace Kipper manages (and so everything in it); a missing one is fine, one without Kipper's label is left alone. */
  deleteNamespace(name: string): Promise<void>;
  /** Scales the managed Deployment to `replicas` (patch spec.replicas; refuses objects not managed by Kipper like setImage does). */
  setReplicas(namespace: string, name: string, replicas: number): Promise<void>;
  /** The app's pods (not its build pods), oldest first. */
  listAppPods(namespace: string, name: string): Promise<AppPod[]>;
  /** Events about the app's Deployment, ReplicaSets and pods, newest first, at most `limit`. */
  listAppEvents(namespace: string, name: string, limit: number): Promise<ClusterEvent[]>;
  /**
   * Log lines of one pod of the app or of all of them (through client-node's Log: follow, tailLines,
   * timestamps). Resolves when `signal` aborts, or without `follow` once every stream has ended;
   * every stream it opened is closed by then.
   */
  followPodLogs(namespace: string, name: string, options: FollowPodLogsOptions): Promise<void>;
  /** Whether the API server answers (`GET /version`, no retries): readiness probes. */
  ping(): Promise<void>;
  close(): void;
}
