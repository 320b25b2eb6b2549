import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@kipper/kube-sim';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ClusterError, connectCluster, type Cluster } from '../src/index.js';
import { unique } from './helpers.js';

let sim: Awaited<ReturnType<typeof startSimulator>>;
let cluster: Cluster;
let core: CoreV1Api;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rolloutStepMs: 20 });
  cluster = connectCluster({ kind: 'server', server: sim.url }, { retry: { attempts: 3, baseDelayMs: 20 } });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 's', server: sim.url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 's', user: 'u' }],
    currentContext: 'c',
  });
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  cluster?.close();
  await sim?.close();
});

describe('webhook token Secret', () => {
  it('round-trips: write, read, overwrite, delete, read null', async () => {
    const ns = unique('hook');
    await cluster.ensureNamespace(ns);
    expect(await cluster.readWebhookToken(ns, 'api')).toBeNull();
    const first = 'a'.repeat(64);
    const second = 'b1'.repeat(32);
    await cluster.writeWebhookToken(ns, 'api', first);
    expect(await cluster.readWebhookToken(ns, 'api')).toBe(first);

    const secret = await core.readNamespacedSecret({ name: 'api-webhook', namespace: ns });
    expect(secret.type).toBe('Opaque');
    expect(secret.data?.token).toBe(Buffer.from(first).toString('base64'));
    expect(secret.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('kipper');

    await cluster.writeWebhookToken(ns, 'api', second);
    expect(await cluster.readWebhookToken(ns, 'api')).toBe(second);
    await cluster.deleteWebhookToken(ns, 'api');
    expect(await cluster.readWebhookToken(ns, 'api')).toBeNull();
    await cluster.deleteWebhookToken(ns, 'api'); // missing is fine
  });

  it('concurrent writes both land (the last one wins) without errors', async () => {
    const ns = unique('hookrace');
    await cluster.ensureNamespace(ns);
    const tokens = ['1', '2', '3', '4'].map((c) => c.repeat(64));
    await Promise.all(tokens.map((t) => cluster.writeWebhookToken(ns, 'api', t)));
    expect(tokens).toContain(await cluster.readWebhookToken(ns, 'api'));
  });

  it('keeps the token out of error messages', async () => {
    const token = 'c'.repeat(64);
    // The namespace does not exist: the API server refuses the create.
    const err = await cluster.writeWebhookToken(unique('missing-ns'), 'api', token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).code).toBe('CLUSTER_NOT_FOUND');
    expect(String((err as Error).message)).not.toContain(token);
    expect(String((err as Error).message)).not.toContain(Buffer.from(token).toString('base64'));
  });
});
