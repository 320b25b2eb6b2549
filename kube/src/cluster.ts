import { readAppObjects } from './app-objects.js';
import { deleteApp, ensureApp, readImage, setImage } from './apps.js';
import { followBuild, startBuild } from './build.js';
import { deleteBuild } from './build-delete.js';
import { ClusterContext } from './context.js';
import { watchManaged } from './managed-watch.js';
import { deleteNamespace, ensureNamespace } from './namespaces.js';
import { ping } from './ping.js';
import { followPodLogs } from './pod-logs.js';
import { readHealth } from './read-health.js';
import { readRunningDigest } from './running-digest.js';
import { setReplicas } from './replicas.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { followRollout } from './rollout.js';
import { listAppEvents, listAppPods } from './runtime.js';
import { deleteEnvSecret, deleteNotificationSecret, deleteWebhookToken, listEnvSecrets, readEnvSecret, writeEnvSecret, readNotificationSecret, readSecretValue, readWebhookToken, writeNotificationSecret, writeWebhookToken } from './secrets.js';
import { loadKubeConfig, type ClusterTarget } from './target.js';
import type { Cluster } from './types.js';

export interface ConnectOptions {
  /** Transient failures (network, 429, 5xx): total attempts and the first backoff delay. */
  retry?: RetryOptions;
}

/**
 * A Cluster on a target. Nothing is contacted until the first call; a kubeconfig that cannot be
 * loaded throws ClusterError CLUSTER_UNREACHABLE here.
 */
export function connectCluster(target: ClusterTarget, options: ConnectOptions = {}): Cluster {
  const retry = options.retry ?? DEFAULT_RETRY;
  const ctx = new ClusterContext(loadKubeConfig(target), {
    attempts: Math.max(1, Math.floor(retry.attempts)),
    baseDelayMs: Math.max(0, retry.baseDelayMs),
  });
  return {
    ensureNamespace: (name, labels) => ensureNamespace(ctx, name, labels),
    ensureApp: (app) => ensureApp(ctx, app),
    deleteApp: (namespace, name) => deleteApp(ctx, namespace, name),
    setImage: (namespace, name, image, annotations) => setImage(ctx, namespace, name, image, annotations),
    readImage: (namespace, name) => readImage(ctx, namespace, name),
    followRollout: (namespace, name, opts) => followRollout(ctx, namespace, name, opts),
    startBuild: (spec) => startBuild(ctx, spec),
    followBuild: (namespace, jobName, opts) => followBuild(ctx, namespace, jobName, opts),
    readWebhookToken: (namespace, app) => readWebhookToken(ctx, namespace, app),
    writeWebhookToken: (namespace, app, token) => writeWebhookToken(ctx, namespace, app, token),
    deleteWebhookToken: (namespace, app) => deleteWebhookToken(ctx, namespace, app),
    readSecretValue: (namespace, name, key) => readSecretValue(ctx, namespace, name, key),
    readNotificationSecret: (namespace, channelId) => readNotificationSecret(ctx, namespace, channelId),
    writeNotificationSecret: (namespace, channelId, app, secret) => writeNotificationSecret(ctx, namespace, channelId, app, secret),
    deleteNotificationSecret: (namespace, channelId) => deleteNotificationSecret(ctx, namespace, channelId),
    readHealth: (namespace, name) => readHealth(ctx, namespace, name),
    readRunningDigest: (namespace, name) => readRunningDigest(ctx, namespace, name),
    readAppObjects: (namespace, name) => readAppObjects(ctx, namespace, name),
    watchManaged: (options) => watchManaged(ctx, options),
    deleteBuild: (namespace, jobName) => deleteBuild(ctx, namespace, jobName),
    writeEnvSecret: (namespace, app, name, values) => writeEnvSecret(ctx, namespace, app, name, values),
    readEnvSecret: (namespace, name) => readEnvSecret(ctx, namespace, name),
    listEnvSecrets: (namespace, app) => listEnvSecrets(ctx, namespace, app),
    deleteEnvSecret: (namespace, name) => deleteEnvSecret(ctx, namespace, name),
    deleteNamespace: (name) => deleteNamespace(ctx, name),
    setReplicas: (namespace, name, replicas) => setReplicas(ctx, namespace, name, replicas),
    listAppPods: (namespace, name) => listAppPods(ctx, namespace, name),
    listAppEvents: (namespace, name, limit) => listAppEvents(ctx, namespace, name, limit),
    followPodLogs: (namespace, name, options) => followPodLogs(ctx, namespace, name, options),
    ping: () => ping(ctx),
    close: () => ctx.close(),
  };
}
