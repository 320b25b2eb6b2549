import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { ClusterError } from './errors.js';
import { retryOnConflict } from './retry.js';
import type { ClusterContext } from './context.js';
import { APP_LABEL, COMPONENT_LABEL } from './labels.js';
import type { AppWorkload } from './types.js';
import { deploymentManifest, ingressManifest, serviceManifest, updateDeployment } from './workload.js';
import { deleteWebhookToken } from './secrets.js';

async function ensureDeployment(ctx: ClusterContext, app: AppWorkload): Promise<void> {
  const { namespace, name } = app;
  const existing = await ctx.callOrNull(`read Deployment ${namespace}/${name}`, () =>
    ctx.apps.readNamespacedDeployment({ name, namespace }),
  );
  if (!existing) {
    await ctx.call(`create Deployment ${namespace}/${name}`, () =>
      ctx.apps.createNamespacedDeployment({ namespace, body: deploymentManifest(app) }),
    );
    return;
  }
  await ctx.call(`update Deployment ${namespace}/${name}`, () =>
    ctx.apps.replaceNamespacedDeployment({ name, namespace, body: updateDeployment(existing, app) }),
  );
}

async function ensureService(ctx: ClusterContext, app: AppWorkload): Promise<void> {
  const { namespace, name } = app;
  const existing = await ctx.callOrNull(`read Service ${namespace}/${name}`, () =>
    ctx.core.readNamespacedService({ name, namespace }),
  );
  if (!existing) {
    await ctx.call(`create Service ${namespace}/${name}`, () =>
      ctx.core.createNamespacedService({ namespace, body: serviceManifest(app) }),
    );
    return;
  }
  await ctx.call(`update Service ${namespace}/${name}`, () =>
    ctx.core.replaceNamespacedService({ name, namespace, body: serviceManifest(app, existing) }),
  );
}

async function ensureIngress(ctx: ClusterContext, app: AppWorkload): Promise<void> {
  const { namespace, name } = app;
  const existing = await ctx.callOrNull(`read Ingress ${namespace}/${name}`, () =>
    ctx.networking.readNamespacedIngress({ name, namespace }),
  );
  const host = app.host?.trim();
  if (!host) {
    if (existing) await deleteIngress(ctx, namespace, name);
    return;
  }
  const withHost = { ...app, host };
  if (!existing) {
    await ctx.call(`create Ingress ${namespace}/${name}`, () =>
      ctx.networking.createNamespacedIngress({ namespace, body: ingressManifest(withHost) }),
    );
    return;
  }
  await ctx.call(`update Ingress ${namespace}/${name}`, () =>
    ctx.networking.replaceNamespacedIngress({ name, namespace, body: ingressManifest(withHost, existing) }),
  );
}

export async function ensureApp(ctx: ClusterContext, app: AppWorkload): Promise<void> {
  await retryOnConflict(() => ensureDeployment(ctx, app));
  await retryOnConflict(() => ensureService(ctx, app));
  await retryOnConflict(() => ensureIngress(ctx, app));
}

const ignoreMissing = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ClusterError && err.code === 'CLUSTER_NOT_FOUND')) throw err;
  }
};

async function deleteIngress(ctx: ClusterContext, namespace: string, name: string): Promise<void> {
  await ignoreMissing(
    ctx.call(`delete Ingress ${namespace}/${name}`, () => ctx.networking.deleteNamespacedIngress({ name, namespace })),
  );
}

/** Removes everything Kipper created for an app; objects already gone are fine. */
export async function deleteApp(ctx: ClusterContext, namespace: string, name: string): Promise<void> {
  const propagationPolicy = 'Background';
  await ignoreMissing(
    ctx.call(`delete Deployment ${namespace}/${name}`, () =>
      ctx.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy }),
    ),
  );
  await ignoreMissing(
    ctx.call(`delete Service ${namespace}/${name}`, () => ctx.core.deleteNamespacedService({ name, namespace })),
  );
  await deleteIngress(ctx, namespace, name);
  await deleteWebhookToken(ctx, namespace, name);
  const jobs = await ctx.callOrNull(`list build Jobs of ${namespace}/${name}`, () =>
    ctx.batch.listNamespacedJob({ namespace, labelSelector: `${APP_LABEL}=${name},${COMPONENT_LABEL}=build` }),
  );
  for (const job of jobs?.items ?? []) {
    const jobName = job.metadata?.name;
    if (!jobName) continue;
    // Jobs orphan their pods by default; Background deletes them too.
    await ignoreMissing(
      ctx.call(`delete Job ${namespace}/${jobName}`, () =>
        ctx.batch.deleteNamespacedJob({ name: jobName, namespace, propagationPolicy }),
      ),
    );
  }
}

function containerOf(deployment: V1Deployment, name: string) {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  return containers.find((c) => c.name === name) ?? containers[0];
}

export async function readImage(ctx: ClusterContext, namespace: string, name: string): Promise<string | null> {
  const deployment = await ctx.callOrNull(`read Deployment ${namespace}/${name}`, () =>
    ctx.apps.readNamespacedDeployment({ name, namespace }),
  );
  return (deployment && containerOf(deployment, name)?.image) ?? null;
}

/**
 * Points the app's container at a new image (and sets pod-template annotations) with a strategic
 * merge patch, which needs no resourceVersion and so cannot conflict. Returns the new generation.
 */
export async function setImage(
  ctx: ClusterContext,
  namespace: string,
  name: string,
  image: string,
  annotations: Record<string, string> = {},
): Promise<{ generation: number }> {
  const id = `${namespace}/${name}`;
  const current = await ctx.call(`read Deployment ${id}`, () => ctx.apps.readNamespacedDeployment({ name, namespace }));
  const container = containerOf(current, name);
  if (!container) throw new ClusterError('CLUSTER_INVALID', `deployment "${id}" has no container`);
  const patch = {
    spec: {
      template: {
        ...(Object.keys(annotations).length > 0 ? { metadata: { annotations } } : {}),
        spec: { containers: [{ name: container.name, image }] },
      },
    },
  };
  const updated = await ctx.call(`set image of Deployment ${id}`, () =>
    ctx.apps.patchNamespacedDeployment(
      { name, namespace, body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    ),
  );
  return { generation: updated.metadata?.generation ?? 0 };
}
