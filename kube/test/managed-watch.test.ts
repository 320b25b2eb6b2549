import { beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { startSimulator } from '@kipper/kube-sim';
import { connectCluster, type ManagedChange } from '../src/index.js';
import { eventually, unique, useSimulatorCluster, workload } from './helpers.js';

const testbed = useSimulatorCluster();
let apps: AppsV1Api;

beforeAll(() => {
  apps = testbed.kubeConfig().makeApiClient(AppsV1Api);
});

const summary = (c: ManagedChange) => `${c.type} ${c.kind} ${c.app}`;

/** Waits until a change matching `wanted` (namespace, kind, type, app) has been seen. */
const seen = (changes: ManagedChange[], wanted: Partial<ManagedChange>) =>
  eventually(() => changes.find((c) => Object.entries(wanted).every(([k, v]) => c[k as keyof ManagedChange] === v)));

describe('watchManaged', () => {
  it('reports changes of managed objects in all namespaces, not of others', async () => {
    const ns = unique('watched');
    await testbed.cluster.ensureNamespace(ns);
    const changes: ManagedChange[] = [];
    const controller = new AbortController();
    const watching = testbed.cluster.watchManaged({
      signal: controller.signal,
      onChange: (c) => {
        if (c.namespace === ns) changes.push(c);
      },
    });

    // Not Kipper's: never reported.
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'theirs', labels: { 'app.kubernetes.io/name': 'theirs' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { 'app.kubernetes.io/name': 'theirs' } },
          template: { metadata: { labels: { 'app.kubernetes.io/name': 'theirs' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
        },
      },
    });
    // The watches may still be connecting: keep creating the app until its Deployment shows up.
    await eventually(async () => {
      await testbed.cluster.ensureApp(workload(ns, 'api', { host: 'api.example.com', replicas: 1 }));
      return changes.find((c) => c.kind === 'Deployment');
    });
    await seen(changes, { kind: 'Service', app: 'api' });
    await seen(changes, { kind: 'Ingress', app: 'api' });
    await seen(changes, { kind: 'Pod', type: 'ADDED', app: 'api' });
    await seen(changes, { kind: 'ReplicaSet', app: 'api' });

    // kubectl set image: a patch of the container image.
    const before = changes.length;
    await apps.patchNamespacedDeployment({
      name: 'api',
      namespace: ns,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.example.com/api:v2' }],
    });
    await eventually(() => changes.slice(before).find((c) => summary(c) === 'MODIFIED Deployment api'));

    // kubectl delete deployment: a delete with propagationPolicy Background.
    await apps.deleteNamespacedDeployment({ name: 'api', namespace: ns, propagationPolicy: 'Background' });
    await seen(changes, { kind: 'Deployment', type: 'DELETED', app: 'api' });
    await seen(changes, { kind: 'ReplicaSet', type: 'DELETED', app: 'api' });
    await seen(changes, { kind: 'Pod', type: 'DELETED', app: 'api' });

    expect(changes.filter((c) => c.app !== 'api')).toEqual([]);
    controller.abort();
    await expect(watching).resolves.toBeUndefined();
  });

  // Down for a while, the watches meet refused connections; back at once, a re-watch from a
  // resourceVersion the new server never had (504 Too large resource version). Both start over.
  it.each([
    ['after a while', 300],
    ['at once', 0],
  ])('reconnects after the cluster restarted (%s) and asks for one resync', async (_when, downMs) => {
    let sim = await startSimulator({ rolloutStepMs: 20 });
    const { port } = sim;
    const cluster = connectCluster({ kind: 'server', server: sim.url }, { retry: { attempts: 2, baseDelayMs: 20 } });
    const changes: string[] = [];
    let resyncs = 0;
    const controller = new AbortController();
    const watching = cluster.watchManaged({
      signal: controller.signal,
      onChange: (c) => changes.push(`${c.namespace} ${summary(c)}`),
      onResync: () => resyncs++,
    });
    try {
      await cluster.ensureNamespace('before');
      await eventually(async () => {
        await cluster.ensureApp(workload('before', 'api', { replicas: 1 }));
        return changes.find((c) => c.startsWith('before ') && c.includes('Deployment'));
      });
      expect(resyncs).toBe(0);

      await sim.close();
      await new Promise((r) => setTimeout(r, downMs));
      sim = await startSimulator({ port, rolloutStepMs: 20 });
      await eventually(() => (resyncs > 0 ? resyncs : undefined), 10_000);
      expect(resyncs).toBe(1);

      // The new server's objects are reported: the watches follow it, not the old resourceVersions.
      await cluster.ensureNamespace('after');
      await cluster.ensureApp(workload('after', 'api', { replicas: 1 }));
      await eventually(() => changes.find((c) => c === 'after ADDED Deployment api'));
      expect(resyncs).toBe(1);
    } finally {
      controller.abort();
      await watching;
      cluster.close();
      await sim.close();
    }
  });

  it('rejects with the error of an onChange that throws', async () => {
    const ns = unique('throws');
    await testbed.cluster.ensureNamespace(ns);
    const watching = testbed.cluster.watchManaged({
      signal: new AbortController().signal,
      onChange: (c) => {
        if (c.namespace === ns) throw new Error('handler bug');
      },
    });
    let settled = false;
    void watching.catch(() => (settled = true));
    // Changes until the watches (maybe still connecting) report one.
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 1 }));
    for (let i = 0; !settled && i < 100; i++) {
      await testbed.cluster.setReplicas(ns, 'api', (i % 2) + 1);
      await new Promise((r) => setTimeout(r, 20));
    }
    await expect(watching).rejects.toThrow('handler bug');
  });

  it('rejects with CLUSTER_UNREACHABLE when the Cluster is closed', async () => {
    const cluster = connectCluster({ kind: 'server', server: testbed.sim.url });
    const watching = cluster.watchManaged({ signal: new AbortController().signal, onChange: () => {} });
    setTimeout(() => cluster.close(), 50);
    await expect(watching).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
  });
});
