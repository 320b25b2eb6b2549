import { beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, BatchV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { ClusterError } from '../src/index.js';
import { unique, useSimulatorCluster, workload } from './helpers.js';

/** Kipper changes and deletes only objects labelled app.kubernetes.io/managed-by=kipper. */
const testbed = useSimulatorCluster();
let apps: AppsV1Api;
let core: CoreV1Api;
let networking: NetworkingV1Api;
let batch: BatchV1Api;

beforeAll(() => {
  const kc = testbed.kubeConfig();
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  networking = kc.makeApiClient(NetworkingV1Api);
  batch = kc.makeApiClient(BatchV1Api);
});

const foreignLabels = { app: 'theirs', 'app.kubernetes.io/managed-by': 'helm' };

async function foreignDeployment(namespace: string, name: string) {
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name, labels: foreignLabels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'theirs' } },
        template: { metadata: { labels: { app: 'theirs' } }, spec: { containers: [{ name: 'main', image: 'their/image:1' }] } },
      },
    },
  });
}
async function foreignService(namespace: string, name: string) {
  await core.createNamespacedService({
    namespace,
    body: { metadata: { name, labels: foreignLabels }, spec: { selector: { app: 'theirs' }, ports: [{ port: 81, targetPort: 9000 }] } },
  });
}
async function foreignIngress(namespace: string, name: string) {
  await networking.createNamespacedIngress({
    namespace,
    body: {
      metadata: { name, labels: foreignLabels },
      spec: { rules: [{ host: 'theirs.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'x', port: { number: 81 } } } }] } }] },
    },
  });
}
async function foreignSecret(namespace: string, name: string) {
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name, labels: foreignLabels }, type: 'Opaque', data: { token: Buffer.from('theirs').toString('base64') } },
  });
}

async function refusal(p: Promise<unknown>): Promise<ClusterError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClusterError);
  return err as ClusterError;
}

describe('objects Kipper did not create', () => {
  it('ensureApp refuses to replace a foreign Deployment, with CLUSTER_CONFLICT and a clear message', async () => {
    const ns = unique('own');
    await testbed.cluster.ensureNamespace(ns);
    await foreignDeployment(ns, 'api');
    const err = await refusal(testbed.cluster.ensureApp(workload(ns, 'api')));
    expect(err.code).toBe('CLUSTER_CONFLICT');
    expect(err.message).toBe(`Deployment ${ns}/api exists and is not managed by Kipper; delete or rename it`);
    const d = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe('their/image:1');
    expect(d.metadata?.labels).toEqual(foreignLabels);
    // Nothing else was created for it, and setImage refuses too.
    await expect(core.readNamespacedService({ name: 'api', namespace: ns })).rejects.toMatchObject({ code: 404 });
    expect((await refusal(testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v2'))).code).toBe('CLUSTER_CONFLICT');
    expect((await apps.readNamespacedDeployment({ name: 'api', namespace: ns })).spec?.template.spec?.containers[0]?.image).toBe('their/image:1');
  });

  it('ensureApp refuses a foreign Service and a foreign Ingress', async () => {
    const ns = unique('own');
    await testbed.cluster.ensureNamespace(ns);
    await foreignService(ns, 'svc');
    const err = await refusal(testbed.cluster.ensureApp(workload(ns, 'svc')));
    expect(err).toMatchObject({ code: 'CLUSTER_CONFLICT', message: `Service ${ns}/svc exists and is not managed by Kipper; delete or rename it` });
    expect((await core.readNamespacedService({ name: 'svc', namespace: ns })).spec?.ports?.[0]?.port).toBe(81);

    await foreignIngress(ns, 'web');
    const err2 = await refusal(testbed.cluster.ensureApp(workload(ns, 'web', { host: 'web.example.com' })));
    expect(err2).toMatchObject({ code: 'CLUSTER_CONFLICT', message: `Ingress ${ns}/web exists and is not managed by Kipper; delete or rename it` });
    expect((await networking.readNamespacedIngress({ name: 'web', namespace: ns })).spec?.rules?.[0]?.host).toBe('theirs.example.com');
    // Without a host, ensureApp leaves a foreign Ingress of the name where it is.
    await testbed.cluster.ensureApp(workload(ns, 'web', { host: null }));
    expect((await networking.readNamespacedIngress({ name: 'web', namespace: ns })).spec?.rules?.[0]?.host).toBe('theirs.example.com');
  });

  it('writeWebhookToken refuses to replace a foreign Secret; deleteWebhookToken leaves it', async () => {
    const ns = unique('own');
    await testbed.cluster.ensureNamespace(ns);
    await foreignSecret(ns, 'api-webhook');
    const err = await refusal(testbed.cluster.writeWebhookToken(ns, 'api', 'z'.repeat(64)));
    expect(err).toMatchObject({ code: 'CLUSTER_CONFLICT', message: `Secret ${ns}/api-webhook exists and is not managed by Kipper; delete or rename it` });
    await testbed.cluster.deleteWebhookToken(ns, 'api');
    const secret = await core.readNamespacedSecret({ name: 'api-webhook', namespace: ns });
    expect(Buffer.from(secret.data!.token!, 'base64').toString()).toBe('theirs');
  });

  it('deleteApp deletes only the objects Kipper made', async () => {
    const ns = unique('own');
    await testbed.cluster.ensureNamespace(ns);
    await foreignDeployment(ns, 'api');
    await foreignService(ns, 'api');
    await foreignIngress(ns, 'api');
    await foreignSecret(ns, 'api-webhook');
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: 'api-build-1', labels: { 'kipper.dev/app': 'api', 'app.kubernetes.io/component': 'build' } },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'b', image: 'busybox:1' }] } } },
      },
    });
    await testbed.cluster.deleteApp(ns, 'api');
    await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    await core.readNamespacedService({ name: 'api', namespace: ns });
    await networking.readNamespacedIngress({ name: 'api', namespace: ns });
    await core.readNamespacedSecret({ name: 'api-webhook', namespace: ns });
    await batch.readNamespacedJob({ name: 'api-build-1', namespace: ns });
    // A foreign Job of the build's name is not re-attached to either.
    const err = await refusal(
      testbed.cluster.startBuild({
        namespace: ns,
        app: 'api',
        buildNumber: 1,
        builderImage: 'kaniko:1',
        gitUrl: 'https://example.com/x.git',
        gitBranch: 'main',
        commit: 'a'.repeat(40),
        dockerfilePath: 'Dockerfile',
        destination: 'registry.example.com/x:1',
      }),
    );
    expect(err).toMatchObject({ code: 'CLUSTER_CONFLICT', message: `Job ${ns}/api-build-1 exists and is not managed by Kipper; delete or rename it` });

    // Kipper's own objects beside them still go.
    await testbed.cluster.ensureApp(workload(ns, 'mine', { host: 'mine.example.com' }));
    await testbed.cluster.writeWebhookToken(ns, 'mine', 'm'.repeat(64));
    await testbed.cluster.deleteApp(ns, 'mine');
    await expect(apps.readNamespacedDeployment({ name: 'mine', namespace: ns })).rejects.toMatchObject({ code: 404 });
    await expect(core.readNamespacedService({ name: 'mine', namespace: ns })).rejects.toMatchObject({ code: 404 });
    await expect(networking.readNamespacedIngress({ name: 'mine', namespace: ns })).rejects.toMatchObject({ code: 404 });
    await expect(core.readNamespacedSecret({ name: 'mine-webhook', namespace: ns })).rejects.toMatchObject({ code: 404 });
  });

  it('ensureNamespace adopts an existing namespace: adds Kipper labels, keeps the others', async () => {
    const ns = unique('adopt');
    await core.createNamespace({ body: { metadata: { name: ns, labels: { team: 'payments' } } } });
    await testbed.cluster.ensureNamespace(ns, { 'kipper.dev/project': 'shop' });
    const labels = (await core.readNamespace({ name: ns })).metadata?.labels;
    expect(labels).toMatchObject({ team: 'payments', 'kipper.dev/project': 'shop', 'app.kubernetes.io/managed-by': 'kipper' });
  });
});
