import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ClusterContext } from './context.js';
import { ClusterError, notManagedError } from './errors.js';
import { isManagedByKipper } from './labels.js';

/**
 * Scales the app's Deployment with a merge patch of spec.replicas (no resourceVersion, so no
 * conflict with the controller's status writes). Refuses a Deployment Kipper did not create.
 */
export async function setReplicas(ctx: ClusterContext, namespace: string, name: string, replicas: number): Promise<void> {
  const id = `${namespace}/${name}`;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new ClusterError('CLUSTER_INVALID', `replicas of Deployment ${id} must be a whole number >= 0, got ${replicas}`);
  }
  const current = await ctx.call(`read Deployment ${id}`, () => ctx.apps.readNamespacedDeployment({ name, namespace }));
  if (!isManagedByKipper(current)) throw notManagedError('Deployment', namespace, name);
  await ctx.call(`scale Deployment ${id}`, () =>
    ctx.apps.patchNamespacedDeployment(
      { name, namespace, body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}
