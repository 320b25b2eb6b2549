import type { ClusterContext } from './context.js';
import { healthOf, missingHealth } from './health.js';
import { labelSelector, selectorOf } from './labels.js';
import type { AppHealth } from './types.js';

/** Reads the app's Deployment, then its ReplicaSets and pods (by the app's selector) and judges them. */
export async function readHealth(ctx: ClusterContext, namespace: string, name: string): Promise<AppHealth> {
  const deployment = await ctx.callOrNull(`read Deployment ${namespace}/${name}`, () =>
    ctx.apps.readNamespacedDeployment({ name, namespace }),
  );
  if (!deployment) return missingHealth(name);
  const selector = labelSelector(selectorOf(name));
  const [replicaSets, pods] = await Promise.all([
    ctx.call(`list ReplicaSets of ${namespace}/${name}`, () =>
      ctx.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector }),
    ),
    ctx.call(`list pods of ${namespace}/${name}`, () => ctx.core.listNamespacedPod({ namespace, labelSelector: selector })),
  ]);
  return healthOf(deployment, replicaSets.items, pods.items);
}
