import type { V1Job } from '@kubernetes/client-node';
import type { ClusterContext } from './context.js';
import { ignoreNotFound } from './errors.js';
import { isManagedByKipper } from './labels.js';
import { deleteOptions } from './preconditions.js';

/** Jobs orphan their pods by default; Background deletes them too (after the Job). */
const propagationPolicy = 'Background';

/** Deletes a Job read a moment ago, with its pods, if Kipper made it; one gone already is fine. */
export async function deleteBuildJob(ctx: ClusterContext, namespace: string, job: V1Job): Promise<void> {
  const name = job.metadata?.name;
  if (!name || !isManagedByKipper(job)) return;
  await ignoreNotFound(
    ctx.call(`delete Job ${namespace}/${name}`, () =>
      ctx.batch.deleteNamespacedJob({
        name,
        namespace,
        propagationPolicy,
        body: { propagationPolicy, ...deleteOptions(job.metadata?.uid) },
      }),
    ),
  );
}

/**
 * Deletes a build Job and its pods. A missing Job is fine; one that Kipper did not create
 * (no `app.kubernetes.io/managed-by=kipper`) is not a build of Kipper's and is left alone.
 */
export async function deleteBuild(ctx: ClusterContext, namespace: string, jobName: string): Promise<void> {
  const job = await ctx.callOrNull(`read Job ${namespace}/${jobName}`, () =>
    ctx.batch.readNamespacedJob({ name: jobName, namespace }),
  );
  if (job) await deleteBuildJob(ctx, namespace, job);
}
