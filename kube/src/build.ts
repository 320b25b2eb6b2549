import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { ClusterError, notManagedError } from './errors.js';
import type { ClusterContext } from './context.js';
import { APP_LABEL, BUILD_JOB_LABEL, COMPONENT_LABEL, isManagedByKipper, MANAGED_BY, MANAGED_BY_LABEL } from './labels.js';
import { LineSplitter } from './lines.js';
import { sleep } from './retry.js';
import type { BuildJobSpec, BuildOutcome, FollowBuildOptions } from './types.js';
import { watchObject, type RawObject } from './watch.js';

export const buildJobName = (app: string, buildNumber: number) => `${app}-build-${buildNumber}`;
const BUILD_CONTAINER = 'build';
/** A build that has not finished after an hour is failed by the Job controller (DeadlineExceeded). */
const BUILD_DEADLINE_SECONDS = 3600;
const POLL_MS = 250;

/** kaniko's git context: git://HOST/PATH#refs/heads/BRANCH#COMMIT (or #COMMIT without a branch). */
export function gitContext(gitUrl: string, branch: string, commit: string): string {
  const bare = gitUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const ref = branch ? `#refs/heads/${branch}` : '';
  return `git://${bare}${ref}#${commit}`;
}

export function buildJobManifest(spec: BuildJobSpec): V1Job {
  const name = buildJobName(spec.app, spec.buildNumber);
  // Not app.kubernetes.io/name: build pods must not match the app's Service selector.
  const labels = {
    [APP_LABEL]: spec.app,
    [COMPONENT_LABEL]: 'build',
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [BUILD_JOB_LABEL]: name,
    'kipper.dev/build-number': String(spec.buildNumber),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: spec.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: BUILD_DEADLINE_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: BUILD_CONTAINER,
              image: spec.builderImage,
              args: [
                `--context=${gitContext(spec.gitUrl, spec.gitBranch, spec.commit)}`,
                `--dockerfile=${spec.dockerfilePath}`,
                `--destination=${spec.destination}`,
              ],
              env: [{ name: 'GIT_COMMIT', value: spec.commit }],
            },
          ],
        },
      },
    },
  };
}

/**
 * Creates the build Job; one that exists already (a restarted worker) is returned as is, unless
 * Kipper did not create it (ClusterError CLUSTER_CONFLICT).
 */
export async function startBuild(ctx: ClusterContext, spec: BuildJobSpec): Promise<{ jobName: string }> {
  const jobName = buildJobName(spec.app, spec.buildNumber);
  try {
    await ctx.call(`create Job ${spec.namespace}/${jobName}`, () =>
      ctx.batch.createNamespacedJob({ namespace: spec.namespace, body: buildJobManifest(spec) }),
    );
  } catch (err) {
    if (!(err instanceof ClusterError && err.reason === 'AlreadyExists')) throw err;
    const existing = await ctx.callOrNull(`read Job ${spec.namespace}/${jobName}`, () =>
      ctx.batch.readNamespacedJob({ name: jobName, namespace: spec.namespace }),
    );
    if (existing && !isManagedByKipper(existing)) throw notManagedError('Job', spec.namespace, jobName);
  }
  return { jobName };
}

/** Complete → ok, Failed → its reason and message; undefined while the Job runs. */
export function jobOutcome(job: Pick<V1Job, 'status'> | RawObject): BuildOutcome | undefined {
  const conditions = ((job as V1Job).status?.conditions ?? []).filter((c) => c.status === 'True');
  if (conditions.some((c) => c.type === 'Complete')) return { ok: true };
  const failed = conditions.find((c) => c.type === 'Failed');
  if (failed) return { ok: false, reason: failed.reason ?? 'Failed', message: failed.message ?? 'build job failed' };
  return undefined;
}

const isTerminated = (pod: V1Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** The Job's newest pod, once it has left Pending; null when the Job ends without one. */
async function waitForPod(ctx: ClusterContext, namespace: string, jobName: string, signal: AbortSignal) {
  for (;;) {
    signal.throwIfAborted();
    const pods = await ctx.call(`list pods of Job ${namespace}/${jobName}`, () =>
      ctx.core.listNamespacedPod({ namespace, labelSelector: `${BUILD_JOB_LABEL}=${jobName}` }),
    );
    const newest = pods.items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .sort((a, b) => (a.metadata?.creationTimestamp?.getTime() ?? 0) - (b.metadata?.creationTimestamp?.getTime() ?? 0))
      .at(-1);
    if (newest && newest.status?.phase && newest.status.phase !== 'Pending') return newest;
    const job = await ctx.call(`read Job ${namespace}/${jobName}`, () =>
      ctx.batch.readNamespacedJob({ name: jobName, namespace }),
    );
    if (jobOutcome(job)) return null;
    await sleep(POLL_MS, signal);
  }
}

/** One follow=true log stream; every line of the container log goes to `onLine` (from the first). */
async function streamOnce(
  ctx: ClusterContext,
  namespace: string,
  pod: string,
  container: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  signal.throwIfAborted();
  const splitter = new LineSplitter(onLine);
  let stop = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    splitter.on('finish', resolve);
    splitter.on('error', reject);
    stop = () => reject(signal.reason as Error);
  });
  ended.catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const controller = await ctx.call(`follow log of pod ${namespace}/${pod}`, () =>
      ctx.log.log(namespace, pod, container, splitter, { follow: true }),
    );
    const abortStream = () => controller.abort();
    signal.addEventListener('abort', abortStream, { once: true });
    if (signal.aborted) controller.abort();
    try {
      await ended;
    } finally {
      signal.removeEventListener('abort', abortStream);
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/**
 * Streams the pod's log until the container ends. A stream that ends while the pod still runs is
 * re-opened; lines already seen are not delivered twice.
 */
async function streamLogs(
  ctx: ClusterContext,
  namespace: string,
  jobName: string,
  pod: V1Pod,
  deliver: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const podName = pod.metadata!.name!;
  const container = pod.spec?.containers[0]?.name ?? BUILD_CONTAINER;
  let seen = 0;
  for (;;) {
    let index = 0;
    try {
      await streamOnce(ctx, namespace, podName, container, (line) => {
        if (++index > seen) {
          seen = index;
          deliver(line);
        }
      }, signal);
    } catch (err) {
      signal.throwIfAborted();
      // 400: container not started yet (real API servers); 404: pod gone. Anything else is real.
      if (!(err instanceof ClusterError) || (err.status !== 400 && err.status !== 404)) throw err;
      if (err.status === 404) return;
    }
    const current = await ctx.callOrNull(`read pod ${namespace}/${podName}`, () =>
      ctx.core.readNamespacedPod({ name: podName, namespace }),
    );
    if (!current || isTerminated(current)) return;
    const job = await ctx.callOrNull(`read Job ${namespace}/${jobName}`, () =>
      ctx.batch.readNamespacedJob({ name: jobName, namespace }),
    );
    if (!job || jobOutcome(job)) return;
    await sleep(POLL_MS * 2, signal);
  }
}

/** Follows a build Job: its pod's log line by line, then the Job's Complete/Failed condition. */
export async function followBuild(
  ctx: ClusterContext,
  namespace: string,
  jobName: string,
  opts: FollowBuildOptions,
): Promise<BuildOutcome> {
  ctx.assertOpen();
  const signal = opts.signal ? AbortSignal.any([ctx.closeSignal, opts.signal]) : ctx.closeSignal;
  const skip = opts.skipLines ?? 0;
  let delivered = 0;
  const deliver = (line: string) => {
    if (++delivered > skip) opts.onLog?.(line);
  };
  try {
    await ctx.call(`read Job ${namespace}/${jobName}`, () => ctx.batch.readNamespacedJob({ name: jobName, namespace }));
    const pod = await waitForPod(ctx, namespace, jobName, signal);
    if (pod) await streamLogs(ctx, namespace, jobName, pod, deliver, signal);
    const outcome = await watchObject(ctx, {
      path: `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
      name: jobName,
      kind: 'Job',
      signal,
      decide: jobOutcome,
      read: async () => {
        const job = await ctx.callOrNull(`read Job ${namespace}/${jobName}`, () =>
          ctx.batch.readNamespacedJob({ name: jobName, namespace }),
        );
        return job as RawObject | null;
      },
    });
    if (outcome === 'deleted') return { ok: false, reason: 'Deleted', message: `build job "${jobName}" was deleted` };
    return outcome;
  } catch (err) {
    if (ctx.closeSignal.aborted) throw ctx.closeSignal.reason as ClusterError;
    throw err;
  }
}
