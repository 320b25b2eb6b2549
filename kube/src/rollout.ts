import type { V1Deployment } from '@kubernetes/client-node';
import { ClusterError } from './errors.js';
import type { ClusterContext } from './context.js';
import { ProgressReporter } from './progress-reporter.js';
import { rolloutStatus, type DeploymentLike } from './rollout-status.js';
import type { FollowRolloutOptions, RolloutOutcome } from './types.js';
import { watchObject, type RawObject } from './watch.js';

/**
 * Waits for a Deployment rollout to finish, deciding on every version of the object exactly as
 * `kubectl rollout status` does. Progress (counted on the new ReplicaSet) is reported whenever the
 * numbers change, the last report before the outcome.
 */
export async function followRollout(
  ctx: ClusterContext,
  namespace: string,
  name: string,
  opts: FollowRolloutOptions,
): Promise<RolloutOutcome> {
  ctx.assertOpen();
  const timeout = new AbortController();
  const timer =
    opts.timeoutMs !== undefined ? setTimeout(() => timeout.abort(new Error('timeout')), opts.timeoutMs) : undefined;
  const signal = AbortSignal.any([ctx.closeSignal, timeout.signal, ...(opts.signal ? [opts.signal] : [])]);
  const progress = opts.onProgress
    ? new ProgressReporter(ctx, namespace, name, opts.minGeneration ?? 0, opts.onProgress)
    : undefined;
  let seen = false;
  let lastMessage = 'Waiting for deployment spec update to be observed...';
  const decide = (object: RawObject): RolloutOutcome | undefined => {
    const deployment = object as DeploymentLike;
    progress?.observe(deployment);
    const status = rolloutStatus(deployment, opts.minGeneration);
    lastMessage = status.message;
    if (status.state === 'done') return { ok: true };
    if (status.state === 'failed') return { ok: false, reason: status.reason, message: status.message };
    return undefined;
  };
  try {
    const result = await watchObject(ctx, {
      path: `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`,
      name,
      kind: 'Deployment',
      signal,
      decide,
      read: async () => {
        const found = await ctx.callOrNull(`read Deployment ${namespace}/${name}`, () =>
          ctx.apps.readNamespacedDeployment({ name, namespace }),
        );
        if (!found && !seen) {
          throw new ClusterError('CLUSTER_NOT_FOUND', `deployment "${name}" not found in namespace ${namespace}`, 404);
        }
        seen = true;
        return found && toRaw(found);
      },
    });
    if (result === 'deleted') {
      return { ok: false, reason: 'Deleted', message: `deployment "${name}" was deleted during the rollout` };
    }
    await progress?.settle();
    return result;
  } catch (err) {
    if (timeout.signal.aborted && !opts.signal?.aborted && !ctx.closeSignal.aborted) {
      return {
        ok: false,
        reason: 'Timeout',
        message: `timed out after ${opts.timeoutMs} ms waiting for deployment "${name}": ${lastMessage}`,
      };
    }
    if (ctx.closeSignal.aborted) throw ctx.closeSignal.reason as ClusterError;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Client objects carry Date fields; the decision only reads plain fields, so a shallow view is enough. */
function toRaw(deployment: V1Deployment): RawObject {
  return deployment as unknown as RawObject;
}
