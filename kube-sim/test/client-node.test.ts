import {
  ApiException,
  AppsV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { deployment, startTestSimulator, waitFor, type Json } from './helpers.js';

let sim: Simulator;
let kc: KubeConfig;
let apps: AppsV1Api;

beforeAll(async () => {
  ({ sim } = await startTestSimulator({ watchHistorySize: 50 }));
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: sim.url, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'nobody' }],
    currentContext: 'sim',
  });
  apps = kc.makeApiClient(AppsV1Api);
});
afterAll(() => sim.close());

describe('@kubernetes/client-node against the simulator', () => {
  it('creates, reads and patches a deployment (JSON patch by default, strategic merge via header)', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('cn', 'nginx:1.25') as V1Deployment });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.generation).toBe(1);

    const read = await apps.readNamespacedDeployment({ name: 'cn', namespace: 'default' });
    expect(read.spec?.template.spec?.containers[0]?.image).toBe('nginx:1.25');

    // Without options client-node picks application/json-patch+json for patch bodies.
    const jsonPatched = await apps.patchNamespacedDeployment({
      name: 'cn',
      namespace: 'default',
      body: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
    });
    expect(jsonPatched.spec?.replicas).toBe(2);

    const smp = await apps.patchNamespacedDeployment(
      { name: 'cn', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.template.spec?.containers[0]).toMatchObject({ name: 'app', image: 'nginx:1.26', ports: [{ containerPort: 8080 }] });
    expect(smp.metadata?.generation).toBe(3);

    const merged = await apps.patchNamespacedDeployment(
      { name: 'cn', namespace: 'default', body: { metadata: { labels: { patched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toMatchObject({ app: 'cn', patched: 'yes' });

    const done = await waitFor(async () => {
      const d = await apps.readNamespacedDeploymentStatus({ name: 'cn', namespace: 'default' });
      return d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedReplicas === 2 && d.status.availableReplicas === 2 && d;
    }, 5000, 'rollout');
    expect(done.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('surfaces API errors as ApiException with the Status body', async () => {
    const err = await apps.readNamespacedDeployment({ name: 'missing', namespace: 'default' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(404);
    expect(JSON.parse((err as ApiException<string>).body)).toMatchObject({ reason: 'NotFound' });
  });

  it('watches deployments from a resourceVersion', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: 'default' });
    const rv = list.metadata?.resourceVersion;
    const events: string[] = [];
    const watch = new Watch(kc);
    let finish!: () => void;
    const seen = new Promise<void>((resolve) => (finish = resolve));
    const controller = await watch.watch(
      '/apis/apps/v1/namespaces/default/deployments',
      { resourceVersion: rv, fieldSelector: 'metadata.name=watched' },
      (type: string, object: Json) => {
        events.push(`${type} ${object.metadata.name}`);
        if (type === 'DELETED') finish();
      },
      () => undefined,
    );
    await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('watched', 'nginx:1', { paused: true }) as V1Deployment });
    await apps.deleteNamespacedDeployment({ name: 'watched', namespace: 'default' });
    await seen;
    controller.abort();
    expect(events[0]).toBe('ADDED watched');
    expect(events[events.length - 1]).toBe('DELETED watched');
  });

  it('delivers 410 Expired to the Watch callback for a compacted resourceVersion', async () => {
    // More writes than the 50 events of history this simulator keeps.
    for (let i = 0; i < 60; i++) {
      await apps.patchNamespacedDeployment(
        { name: 'cn', namespace: 'default', body: { metadata: { annotations: { i: String(i) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
    const watch = new Watch(kc);
    let controller: AbortController | undefined;
    const received = await new Promise<{ type: string; object: Json }>((resolve, reject) => {
      watch
        .watch('/apis/apps/v1/deployments', { resourceVersion: '1' }, (type: string, object: Json) => resolve({ type, object }), (err: unknown) => {
          if (err) reject(err as Error);
        })
        .then((c) => (controller = c), reject);
    });
    controller?.abort();
    expect(received.type).toBe('ERROR');
    expect(received.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });
});
