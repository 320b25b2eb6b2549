import { beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { ClusterError } from '../src/index.js';
import { unique, useSimulatorCluster } from './helpers.js';

const testbed = useSimulatorCluster();
let core: CoreV1Api;

beforeAll(() => {
  core = testbed.kubeConfig().makeApiClient(CoreV1Api);
});

describe('webhook token Secret', () => {
  it('round-trips: write, read, overwrite, delete, read null', async () => {
    const ns = unique('hook');
    await testbed.cluster.ensureNamespace(ns);
    expect(await testbed.cluster.readWebhookToken(ns, 'api')).toBeNull();
    const first = 'a'.repeat(64);
    const second = 'b1'.repeat(32);
    await testbed.cluster.writeWebhookToken(ns, 'api', first);
    expect(await testbed.cluster.readWebhookToken(ns, 'api')).toBe(first);

    const secret = await core.readNamespacedSecret({ name: 'api-webhook', namespace: ns });
    expect(secret.type).toBe('Opaque');
    expect(secret.data?.token).toBe(Buffer.from(first).toString('base64'));
    expect(secret.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('kipper');

    await testbed.cluster.writeWebhookToken(ns, 'api', second);
    expect(await testbed.cluster.readWebhookToken(ns, 'api')).toBe(second);
    await testbed.cluster.deleteWebhookToken(ns, 'api');
    expect(await testbed.cluster.readWebhookToken(ns, 'api')).toBeNull();
    await testbed.cluster.deleteWebhookToken(ns, 'api'); // missing is fine
  });

  it('concurrent writes both land (the last one wins) without errors', async () => {
    const ns = unique('hookrace');
    await testbed.cluster.ensureNamespace(ns);
    const tokens = ['1', '2', '3', '4'].map((c) => c.repeat(64));
    await Promise.all(tokens.map((t) => testbed.cluster.writeWebhookToken(ns, 'api', t)));
    expect(tokens).toContain(await testbed.cluster.readWebhookToken(ns, 'api'));
  });

  it('keeps the token out of error messages', async () => {
    const token = 'c'.repeat(64);
    // The namespace does not exist: the API server refuses the create.
    const err = await testbed.cluster.writeWebhookToken(unique('missing-ns'), 'api', token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).code).toBe('CLUSTER_NOT_FOUND');
    expect(String((err as Error).message)).not.toContain(token);
    expect(String((err as Error).message)).not.toContain(Buffer.from(token).toString('base64'));
  });
});

describe('readSecretValue (tokens for GitHub and GitLab in Secrets of the user)', () => {
  it('reads one key decoded and trimmed; null for a missing Secret or key', async () => {
    const ns = unique('feedback');
    await testbed.cluster.ensureNamespace(ns);
    expect(await testbed.cluster.readSecretValue(ns, 'github-token', 'token')).toBeNull();
    await core.createNamespacedSecret({
      namespace: ns,
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'github-token' }, data: { token: Buffer.from('ghp_example\n').toString('base64'), other: Buffer.from('x').toString('base64') } },
    });
    expect(await testbed.cluster.readSecretValue(ns, 'github-token', 'token')).toBe('ghp_example');
    expect(await testbed.cluster.readSecretValue(ns, 'github-token', 'other')).toBe('x');
    expect(await testbed.cluster.readSecretValue(ns, 'github-token', 'missing')).toBeNull();
  });
});

describe('notification channel Secret', () => {
  const id = '2f1c4a7e-0000-4000-8000-000000000001';

  it('round-trips URL and signing secret; a Slack channel has no signing secret; delete is idempotent', async () => {
    const ns = unique('notify');
    await testbed.cluster.ensureNamespace(ns);
    expect(await testbed.cluster.readNotificationSecret(ns, id)).toBeNull();
    await testbed.cluster.writeNotificationSecret(ns, id, null, { url: 'https://hooks.example.com/a?b=c', signingSecret: 's'.repeat(64) });
    expect(await testbed.cluster.readNotificationSecret(ns, id)).toEqual({ url: 'https://hooks.example.com/a?b=c', signingSecret: 's'.repeat(64) });
    const secret = await core.readNamespacedSecret({ name: `kipper-notification-${id}`, namespace: ns });
    expect(secret.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'kipper', 'app.kubernetes.io/component': 'notification' });
    expect(secret.metadata?.labels?.['kipper.dev/app']).toBeUndefined();

    await testbed.cluster.writeNotificationSecret(ns, id, null, { url: 'https://hooks.slack.com/services/T/B/x', signingSecret: null });
    expect(await testbed.cluster.readNotificationSecret(ns, id)).toEqual({ url: 'https://hooks.slack.com/services/T/B/x', signingSecret: null });
    await testbed.cluster.deleteNotificationSecret(ns, id);
    expect(await testbed.cluster.readNotificationSecret(ns, id)).toBeNull();
    await testbed.cluster.deleteNotificationSecret(ns, id);
  });

  it('goes with its app: deleteApp removes the Secrets of the app\'s channels, not the project\'s', async () => {
    const ns = unique('notifyapp');
    await testbed.cluster.ensureNamespace(ns);
    const appChannel = '2f1c4a7e-0000-4000-8000-000000000002';
    const projectChannel = '2f1c4a7e-0000-4000-8000-000000000003';
    await testbed.cluster.writeNotificationSecret(ns, appChannel, 'api', { url: 'https://a.example.com/', signingSecret: 'k' });
    await testbed.cluster.writeNotificationSecret(ns, projectChannel, null, { url: 'https://b.example.com/', signingSecret: 'k' });
    await testbed.cluster.deleteApp(ns, 'api');
    expect(await testbed.cluster.readNotificationSecret(ns, appChannel)).toBeNull();
    expect(await testbed.cluster.readNotificationSecret(ns, projectChannel)).not.toBeNull();
  });

  it('keeps URL and signing secret out of error messages', async () => {
    const signingSecret = 'd'.repeat(64);
    const url = 'https://hooks.slack.com/services/T000/B000/verysecretpath';
    const err = await testbed.cluster.writeNotificationSecret(unique('missing-ns'), id, null, { url, signingSecret }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect(String((err as Error).message)).not.toContain(signingSecret);
    expect(String((err as Error).message)).not.toContain('verysecretpath');
  });
});

describe('env Secrets and namespaces', () => {
  it('writes an immutable env Secret once, lists and deletes those of one app, and never touches others', async () => {
    const ns = unique('env');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.writeEnvSecret(ns, 'api', 'api-env-0123456789', { API_TOKEN: 't0k3n' });
    // Same name, same content: a second write leaves it as it is.
    await testbed.cluster.writeEnvSecret(ns, 'api', 'api-env-0123456789', { API_TOKEN: 't0k3n' });
    await testbed.cluster.writeEnvSecret(ns, 'web', 'web-env-abcdefabcd', { X_KEY: 'x' });
    const secret = await core.readNamespacedSecret({ name: 'api-env-0123456789', namespace: ns });
    expect(secret.immutable).toBe(true);
    expect(secret.metadata?.labels).toMatchObject({ 'kipper.dev/app': 'api', 'app.kubernetes.io/component': 'env', 'app.kubernetes.io/managed-by': 'kipper' });
    expect(await testbed.cluster.readEnvSecret(ns, 'api-env-0123456789')).toEqual({ API_TOKEN: 't0k3n' });
    expect(await testbed.cluster.listEnvSecrets(ns, 'api')).toEqual(['api-env-0123456789']);

    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'api-env-foreign' }, stringData: { A: 'b' } } });
    await expect(testbed.cluster.writeEnvSecret(ns, 'api', 'api-env-foreign', { A: 'b' })).rejects.toBeInstanceOf(ClusterError);
    expect(await testbed.cluster.readEnvSecret(ns, 'api-env-foreign')).toBeNull();

    await testbed.cluster.deleteApp(ns, 'api');
    expect(await testbed.cluster.listEnvSecrets(ns, 'api')).toEqual([]);
    expect(await testbed.cluster.listEnvSecrets(ns, 'web')).toEqual(['web-env-abcdefabcd']);
    expect((await core.readNamespacedSecret({ name: 'api-env-foreign', namespace: ns })).metadata?.name).toBe('api-env-foreign');
  });

  it('deletes a namespace Kipper manages, and leaves one it does not alone', async () => {
    const mine = unique('gone');
    await testbed.cluster.ensureNamespace(mine);
    const theirs = unique('theirs');
    await core.createNamespace({ body: { metadata: { name: theirs } } });
    await testbed.cluster.deleteNamespace(mine);
    await testbed.cluster.deleteNamespace(theirs);
    await testbed.cluster.deleteNamespace(unique('never')); // missing is fine
    await expect(core.readNamespace({ name: mine })).rejects.toThrow();
    expect((await core.readNamespace({ name: theirs })).metadata?.name).toBe(theirs);
  });
});
