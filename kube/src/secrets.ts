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
  const name = webhookSecretName(app);
  const secrets = [token];
  const body = (resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      labels: { [APP_LABEL]: app, [COMPONENT_LABEL]: 'webhook', [MANAGED_BY_LABEL]: MANAGED_BY },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { [TOKEN_KEY]: Buffer.from(token, 'utf8').toString('base64') },
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

/** Deletes Kipper's webhook Secret; a missing one is fine, one Kipper did not create is left alone. */
export async function deleteWebhookToken(ctx: ClusterContext, namespace: string, app: string): Promise<void> {
  const name = webhookSecretName(app);
  const existing = await ctx.callOrNull(`read Secret ${namespace}/${name}`, () =>
    ctx.core.readNamespacedSecret({ name, namespace }),
  );
  if (!existing || !isManagedByKipper(existing)) return;
  const uid = existing.metadata?.uid;
  await ctx.callOrNull(`delete Secret ${namespace}/${name}`, () =>
    ctx.core.deleteNamespacedSecret({ name, namespace, ...(uid ? { body: { preconditions: { uid } } } : {}) }),
  );
}
