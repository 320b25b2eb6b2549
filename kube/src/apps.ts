import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { deleteBuildJob } from './build-delete.js';
import { deleteOptions } from './preconditions.js';
import { ClusterError, ignoreNotFound, notManagedError } from './errors.js';
import { retryOnConflict } from './retry.js';
import type { ClusterContext } from './context.js';
import { APP_LABEL, COMPONENT_LABEL, isManagedByKipper, MANAGED_BY, MANAGED_BY_LABEL } from './labels.js';
import type { AppWorkload } from './types.js';
import { deploymentManifest, ingressManifest, serviceManifest, updateDeployment } from './workload.js';
import { deleteAppEnvSecrets, deleteAppNotificationSecrets, deleteWebhookToken } from './secrets.js';

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
  if (!isManagedByKipper(existing)) throw notManagedError('Deployment', namespace, name);
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
  if (!isManagedByKipper(existing)) throw notManagedError('Service', namespace, name);
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
    // Only Kipper's own Ingress goes; someone else's of that name is left alone.
    if (isManagedByKipper(existing)) await deleteIngress(ctx, namespace, name, existing?.metadata?.uid);
    return;
  }
  const withHost = { ...app, host };
  if (!existing) {
    await ctx.call(`create Ingress ${namespace}/${name}`, () =>
      ctx.networking.createNamespacedIngress({ namespace, body: ingressManifest(withHost) }),
    );
    return;
  }
  if (!isManagedByKipper(existing)) throw notManagedError('Ingress', namespace, name);
  await ctx.call(`update Ingress ${namespace}/${name}`, () =>
    ctx.networking.replaceNamespacedIngress({ name, namespace, body: ingressManifest(withHost, existing) }),
  );
}

/**
 * Creates or updates the app's Deployment, Service and Ingress. An object of the same name that
 * Kipper did not create (no `app.kubernetes.io/managed-by=kipper`) is never replaced: ClusterError
 * CLUSTER_CONFLICT (reason NotManagedByKipper).
 */
export async function ensureApp(ctx: ClusterContext, app: AppWorkload): Promise<void> {
  await retryOnConflict(() => ensureDeployment(ctx, app));
  await retryOnConflict(() => ensureService(ctx, app));
  await retryOnConflict(() => ensureIngress(ctx, app));
}

async function deleteIngress(ctx: ClusterContext, namespace: string, name: string, uid: string | undefined): Promise<void> {
  await ignoreNotFound(
    ctx.call(`delete Ingress ${namespace}/${name}`, () =>
      ctx.networking.deleteNamespacedIngress({ name, namespace, body: deleteOptions(uid) }),
    ),
  );
}

/**
 * Removes everything Kipper created for an app: only objects labelled
 * `app.kubernetes.io/managed-by=kipper` are deleted, others of the same name are left alone;
 * objects already gone are fine.
 */
export async function deleteApp(ctx: ClusterContext, namespace: string, name: string): Promise<void> {
  const propagationPolicy = 'Background';
  const deployment = await ctx.callOrNull(`read Deployment ${namespace}/${name}`, () =>
    ctx.apps.readNamespacedDeployment({ name, namespace }),
  );
  if (isManagedByKipper(deployment)) {
    await ignoreNotFound(
      ctx.call(`delete Deployment ${namespace}/${name}`, () =>
        ctx.apps.deleteNamespacedDeployment({
          name,
          namespace,
          propagationPolicy,
          body: { propagationPolicy, ...deleteOptions(deployment?.metadata?.uid) },
        }),
      ),
    );
  }
  const service = await ctx.callOrNull(`read Service ${namespace}/${name}`, () =>
    ctx.core.readNamespacedService({ name, namespace }),
  );
  if (isManagedByKipper(service)) {
    await ignoreNotFound(
      ctx.call(`delete Service ${namespace}/${name}`, () =>
        ctx.core.deleteNamespacedService({ name, namespace, body: deleteOptions(service?.metadata?.uid) }),
      ),
    );
  }
  const ingress = await ctx.callOrNull(`read Ingress ${namespace}/${name}`, () =>
    ctx.networking.readNamespacedIngress({ name, namespace }),
  );
  if (isManagedByKipper(ingress)) await deleteIngress(ctx, namespace, name, ingress?.metadata?.uid);
  await deleteWebhookToken(ctx, namespace, name);
  await deleteAppNotificationSecrets(ctx, namespace, name);
  await deleteAppEnvSecrets(ctx, namespace, name);
  const jobs = await ctx.callOrNull(`list build Jobs of ${namespace}/${name}`, () =>
    ctx.batch.listNamespacedJob({
      namespace,
      labelSelector: `${APP_LABEL}=${name},${COMPONENT_LABEL}=build,${MANAGED_BY_LABEL}=${MANAGED_BY}`,
    }),
  );
  for (const job of jobs?.items ?? []) await deleteBuildJob(ctx, namespace, job);
}

/** The app's container: the one named after the app, else the first. */
export function containerOf(deployment: V1Deployment, name: string) {
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
  if (!isManagedByKipper(current)) throw notManagedError('Deployment', namespace, name);
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
