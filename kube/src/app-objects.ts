import type { ClusterContext } from './context.js';
import { containerOf } from './apps.js';
import { isManagedByKipper } from './labels.js';
import type { AppObjects } from './types.js';

/** The app's Deployment, Service and Ingress as they are now, reduced to what drift detection compares. */
export async function readAppObjects(ctx: ClusterContext, namespace: string, name: string): Promise<AppObjects> {
  const [deployment, service, ingress] = await Promise.all([
    ctx.callOrNull(`read Deployment ${namespace}/${name}`, () => ctx.apps.readNamespacedDeployment({ name, namespace })),
    ctx.callOrNull(`read Service ${namespace}/${name}`, () => ctx.core.readNamespacedService({ name, namespace })),
    ctx.callOrNull(`read Ingress ${namespace}/${name}`, () => ctx.networking.readNamespacedIngress({ name, namespace })),
  ]);
  return {
    deployment: deployment && {
      image: containerOf(deployment, name)?.image ?? null,
      // The API server defaults an absent spec.replicas to 1.
      replicas: deployment.spec?.replicas ?? 1,
      managed: isManagedByKipper(deployment),
      annotations: { ...deployment.spec?.template.metadata?.annotations },
    },
    service: service && { managed: isManagedByKipper(service) },
    ingress: ingress && {
      managed: isManagedByKipper(ingress),
      host: ingress.spec?.rules?.find((rule) => rule.host)?.host ?? null,
    },
  };
}
