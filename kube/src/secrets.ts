import type { V1Secret } from '@kubernetes/client-node';
import { ClusterError, notManagedError } from './errors.js';
import type { ClusterContext } from './context.js';
import { APP_LABEL, COMPONENT_LABEL, isManagedByKipper, MANAGED_BY, MANAGED_BY_LABEL } from './labels.js';
import { retryOnConflict } from './retry.js';

export const webhookSecretName = (app: string) => `${app}-webhook`;
const TOKEN_KEY = 'token';

export async function readWebhookToken(ctx: ClusterContext, namespace: string, app: string): Promise<string | null> {
  const name = webhookSecretName(app);
  const secret = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () =>
    ctx.core.readNamespacedSecret({ name, namespace }),
  );
  const encoded = secret?.data?.[TOKEN_KEY];
  return encoded === undefined ? null : Buffer.from(encoded, 'base64').toString('utf8');
}

/**
 * One key of a Secret the user created (a token for GitHub or GitLab), decoded as UTF-8 and
 * trimmed of surrounding whitespace (`echo token | kubectl create secret …` adds a newline);
 * null when the Secret or the key is missing. The value is never part of a message or log.
 */
export async function readSecretValue(ctx: ClusterContext, namespace: string, name: string, key: string): Promise<string | null> {
  const secret = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () => ctx.core.readNamespacedSecret({ name, namespace }));
  const encoded = secret?.data?.[key];
  if (encoded !== undefined) return Buffer.from(encoded, 'base64').toString('utf8').trim();
  // An API server turns stringData into data on write; a Secret read back with stringData only is taken as it is.
  const plain = secret?.stringData?.[key];
  return plain === undefined ? null : plain.trim();
}

/**
 * Creates or replaces Secret `{app}-webhook` (type Opaque, key `token`). A Secret of that name
 * that Kipper did not create is never replaced: ClusterError CLUSTER_CONFLICT.
 */
export async function writeWebhookToken(ctx: ClusterContext, namespace: string, app: string, token: string): Promise<void> {
  await writeManagedSecret(ctx, namespace, webhookSecretName(app), { [APP_LABEL]: app, [COMPONENT_LABEL]: 'webhook' }, { [TOKEN_KEY]: token });
}

/**
 * Creates or replaces a Kipper Secret (type Opaque) holding `values`. A Secret of that name that
 * Kipper did not create is never replaced: ClusterError CLUSTER_CONFLICT. The values are scrubbed
 * from error messages.
 */
async function writeManagedSecret(ctx: ClusterContext, namespace: string, name: string, labels: Record<string, string>, values: Record<string, string>): Promise<void> {
  const secrets = Object.values(values);
  const body = (resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
  });
  await retryOnConflict(async () => {
    const existing = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () =>
      ctx.core.readNamespacedSecret({ name, namespace }),
    );
    if (!existing) {
      await ctx.call(`create Secret ${namespace}/${name}`, () => ctx.core.createNamespacedSecret({ namespace, body: body() }), secrets);
      return;
    }
    if (!isManagedByKipper(existing)) throw notManagedError('Secret', namespace, name);
    if (existing.type && existing.type !== 'Opaque') {
      throw new ClusterError('CLUSTER_CONFLICT', `Secret ${namespace}/${name} exists with type ${existing.type}`, 409);
    }
    await ctx.call(
      `replace Secret ${namespace}/${name}`,
      () => ctx.core.replaceNamespacedSecret({ name, namespace, body: body(existing.metadata?.resourceVersion) }),
      secrets,
    );
  });
}

/** The values of a Secret (decoded), or null when it does not exist. */
async function readSecretValues(ctx: ClusterContext, namespace: string, name: string): Promise<Record<string, string> | null> {
  const secret = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () => ctx.core.readNamespacedSecret({ name, namespace }));
  if (!secret) return null;
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/** Deletes a Kipper Secret; a missing one is fine, one Kipper did not create is left alone. */
async function deleteManagedSecret(ctx: ClusterContext, namespace: string, name: string): Promise<void> {
  const existing = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () =>
    ctx.core.readNamespacedSecret({ name, namespace }),
  );
  if (!existing || !isManagedByKipper(existing)) return;
  const uid = existing.metadata?.uid;
  await ctx.callOrNull(`delete Secret ${namespace}/${name}`, () =>
    ctx.core.deleteNamespacedSecret({ name, namespace, ...(uid ? { body: { preconditions: { uid } } } : {}) }),
  );
}

/** Deletes Kipper's webhook Secret; a missing one is fine, one Kipper did not create is left alone. */
export async function deleteWebhookToken(ctx: ClusterContext, namespace: string, app: string): Promise<void> {
  await deleteManagedSecret(ctx, namespace, webhookSecretName(app));
}

/** Secret `kipper-notification-{channel id}`: a notification channel's URL and signing secret. */
export const notificationSecretName = (channelId: string) => `kipper-notification-${channelId}`;
const URL_KEY = 'url';
const NOTIFICATION_COMPONENT = 'notification';
const SIGNING_SECRET_KEY = 'signing-secret';

/** What a notification channel keeps out of the database: where it sends, and (webhook channels) the key it signs with. */
export interface NotificationSecret {
  url: string;
  signingSecret: string | null;
}

export async function readNotificationSecret(ctx: ClusterContext, namespace: string, channelId: string): Promise<NotificationSecret | null> {
  const values = await readSecretValues(ctx, namespace, notificationSecretName(channelId));
  const url = values?.[URL_KEY];
  if (!values || url === undefined) return null;
  return { url, signingSecret: values[SIGNING_SECRET_KEY] ?? null };
}

/**
 * Creates or replaces the channel's Secret. `app` (a channel of one app) labels it with the app,
 * so that deleting the app deletes it too.
 */
export async function writeNotificationSecret(ctx: ClusterContext, namespace: string, channelId: string, app: string | null, secret: NotificationSecret): Promise<void> {
  const labels: Record<string, string> = { [COMPONENT_LABEL]: NOTIFICATION_COMPONENT, ...(app ? { [APP_LABEL]: app } : {}) };
  const values: Record<string, string> = { [URL_KEY]: secret.url, ...(secret.signingSecret !== null ? { [SIGNING_SECRET_KEY]: secret.signingSecret } : {}) };
  await writeManagedSecret(ctx, namespace, notificationSecretName(channelId), labels, values);
}

export async function deleteNotificationSecret(ctx: ClusterContext, namespace: string, channelId: string): Promise<void> {
  await deleteManagedSecret(ctx, namespace, notificationSecretName(channelId));
}

/** Deletes the notification Secrets of one app's channels (the app is being deleted). */
export async function deleteAppNotificationSecrets(ctx: ClusterContext, namespace: string, app: string): Promise<void> {
  const list = await ctx.callOrNull(`list notification Secrets of ${namespace}/${app}`, () =>
    ctx.core.listNamespacedSecret({ namespace, labelSelector: `${APP_LABEL}=${app},${COMPONENT_LABEL}=${NOTIFICATION_COMPONENT},${MANAGED_BY_LABEL}=${MANAGED_BY}` }),
  );
  for (const secret of list?.items ?? []) {
    const name = secret.metadata?.name;
    if (name) await deleteManagedSecret(ctx, namespace, name);
  }
}

const ENV_COMPONENT = 'env';

/**
 * An app's secret env values in Secret `name` (`{app}-env-{hash of the values}`), created once
 * and immutable, the way kustomize's secretGenerator does it: a pod template names the Secret of
 * its values, so a rollback to an older revision finds its own values again. One that exists is
 * left as it is (same name, same content).
 */
export async function writeEnvSecret(ctx: ClusterContext, namespace: string, app: string, name: string, values: Record<string, string>): Promise<void> {
  const existing = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () => ctx.core.readNamespacedSecret({ name, namespace }));
  if (existing) {
    if (!isManagedByKipper(existing)) throw notManagedError('Secret', namespace, name);
    return;
  }
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    immutable: true,
    metadata: { name, namespace, labels: { [APP_LABEL]: app, [COMPONENT_LABEL]: ENV_COMPONENT, [MANAGED_BY_LABEL]: MANAGED_BY } },
    data: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
  };
  try {
    await ctx.call(`create Secret ${namespace}/${name}`, () => ctx.core.createNamespacedSecret({ namespace, body }), Object.values(values));
  } catch (err) {
    // Two writers of the same content at once: the other one made it.
    if (err instanceof ClusterError && err.reason === 'AlreadyExists') return;
    throw err;
  }
}

export async function readEnvSecret(ctx: ClusterContext, namespace: string, name: string): Promise<Record<string, string> | null> {
  const secret = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () => ctx.core.readNamespacedSecret({ name, namespace }));
  if (!secret || !isManagedByKipper(secret)) return null;
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

export async function listEnvSecrets(ctx: ClusterContext, namespace: string, app: string): Promise<string[]> {
  const list = await ctx.callOrNull(`list env Secrets of ${namespace}/${app}`, () =>
    ctx.core.listNamespacedSecret({ namespace, labelSelector: `${APP_LABEL}=${app},${COMPONENT_LABEL}=${ENV_COMPONENT},${MANAGED_BY_LABEL}=${MANAGED_BY}` }),
  );
  return (list?.items ?? []).map((s) => s.metadata?.name).filter((n): n is string => typeof n === 'string');
}

export async function deleteEnvSecret(ctx: ClusterContext, namespace: string, name: string): Promise<void> {
  await deleteManagedSecret(ctx, namespace, name);
}

/** Deletes every env Secret of the app (the app is being deleted). */
export async function deleteAppEnvSecrets(ctx: ClusterContext, namespace: string, app: string): Promise<void> {
  for (const name of await listEnvSecrets(ctx, namespace, app)) await deleteManagedSecret(ctx, namespace, name);
}
