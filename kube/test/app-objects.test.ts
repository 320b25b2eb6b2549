import { beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { isNotManaged } from '../src/index.js';
import { eventually, unique, useSimulatorCluster, workload } from './helpers.js';

const testbed = useSimulatorCluster();
// Plain clients, to make foreign objects and look at what the module did.
let apps: AppsV1Api;
let batch: BatchV1Api;
let core: CoreV1Api;

beforeAll(() => {
  const kc = testbed.kubeConfig();
  apps = kc.makeApiClient(AppsV1Api);
  batch = kc.makeApiClient(BatchV1Api);
  core = kc.makeApiClient(CoreV1Api);
});

const build = (namespace: string, buildNumber: number) => ({
  namespace,
  app: 'web',
  buildNumber,
  builderImage: 'gcr.io/kaniko-project/executor:latest',
  gitUrl: 'https://git.example.com/acme/web.git',
  gitBranch: 'main',
  commit: 'a'.repeat(40),
  dockerfilePath: 'Dockerfile',
  destination: 'registry.kipper.local/shop/web:aaaaaaa',
});

describe('readAppObjects', () => {
  it('reports the Deployment, Service and Ingress as they are, null when missing', async () => {
    const ns = unique('objects');
    await testbed.cluster.ensureNamespace(ns);
    expect(await testbed.cluster.readAppObjects(ns, 'api')).toEqual({ deployment: null, service: null, ingress: null });

    await testbed.cluster.ensureApp(workload(ns, 'api', { host: 'api.example.com', replicas: 3 }));
    await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v2', { 'kipper.dev/revision': '4' });
    expect(await testbed.cluster.readAppObjects(ns, 'api')).toEqual({
      deployment: { image: 'registry.example.com/api:v2', replicas: 3, managed: true, annotations: { 'kipper.dev/revision': '4' } },
      service: { managed: true },
      ingress: { managed: true, host: 'api.example.com' },
    });

    // Someone else's Service of the name: there, but not Kipper's.
    await testbed.cluster.deleteApp(ns, 'api');
    await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'api' }, spec: { ports: [{ port: 80 }] } } });
    expect(await testbed.cluster.readAppObjects(ns, 'api')).toEqual({ deployment: null, service: { managed: false }, ingress: null });
  });
});

describe('setReplicas', () => {
  it('scales a managed Deployment and refuses a foreign one', async () => {
    const ns = unique('scale');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 1 }));
    await testbed.cluster.setReplicas(ns, 'api', 3);
    expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
    expect((await apps.readNamespacedDeployment({ name: 'api', namespace: ns })).status?.readyReplicas).toBe(3);

    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'theirs', labels: { app: 'theirs' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'theirs' } },
          template: { metadata: { labels: { app: 'theirs' } }, spec: { containers: [{ name: 'main', image: 'their/image:1' }] } },
        },
      },
    });
    const refused = await testbed.cluster.setReplicas(ns, 'theirs', 5).catch((err: unknown) => err);
    expect(isNotManaged(refused)).toBe(true);
    expect((await apps.readNamespacedDeployment({ name: 'theirs', namespace: ns })).spec?.replicas).toBe(1);
    await expect(testbed.cluster.setReplicas(ns, 'api', -1)).rejects.toMatchObject({ code: 'CLUSTER_INVALID' });
    await expect(testbed.cluster.setReplicas(ns, 'nope', 1)).rejects.toMatchObject({ code: 'CLUSTER_NOT_FOUND' });
  });
});

describe('deleteBuild', () => {
  it('deletes a build Job and its pod; a missing Job is fine; a foreign one stays', async () => {
    const ns = unique('delbuild');
    await testbed.cluster.ensureNamespace(ns);
    const { jobName } = await testbed.cluster.startBuild(build(ns, 1));
    await eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${jobName}` });
      return pods.items.length === 1 ? true : undefined;
    });
    await testbed.cluster.deleteBuild(ns, jobName);
    await expect(batch.readNamespacedJob({ name: jobName, namespace: ns })).rejects.toMatchObject({ code: 404 });
    expect((await core.listNamespacedPod({ namespace: ns, labelSelector: `job-name=${jobName}` })).items).toEqual([]);
    await testbed.cluster.deleteBuild(ns, jobName);

    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: 'web-build-2' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'b', image: 'busybox:1' }] } } },
      },
    });
    await testbed.cluster.deleteBuild(ns, 'web-build-2');
    expect((await batch.readNamespacedJob({ name: 'web-build-2', namespace: ns })).metadata?.name).toBe('web-build-2');
  });
});
