import { beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { connectCluster, type RolloutProgress } from '../src/index.js';
import { unique, useSimulatorCluster, workload } from './helpers.js';

const testbed = useSimulatorCluster();
// Plain clients, used only to look at what the module created (assertions), never to drive the sim.
let apps: AppsV1Api;
let core: CoreV1Api;
let networking: NetworkingV1Api;

beforeAll(() => {
  const kc = testbed.kubeConfig();
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  networking = kc.makeApiClient(NetworkingV1Api);
});

describe('apps on the simulator', () => {
  it('creates namespace, Deployment, Service and Ingress with the agreed shape', async () => {
    const ns = unique('shop');
    await testbed.cluster.ensureNamespace(ns, { 'kipper.dev/project': 'shop' });
    await testbed.cluster.ensureNamespace(ns, { 'kipper.dev/project': 'shop' }); // idempotent
    await testbed.cluster.ensureApp(workload(ns, 'api', { host: 'api.example.com', progressDeadlineSeconds: 120 }));

    const namespace = await core.readNamespace({ name: ns });
    expect(namespace.metadata?.labels?.['kipper.dev/project']).toBe('shop');
    const d = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    expect(d.spec?.progressDeadlineSeconds).toBe(120);
    expect(d.metadata?.labels).toMatchObject({ 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/managed-by': 'kipper' });
    expect(d.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['api']);
    expect(d.spec?.template.spec?.containers[0]?.env).toEqual([{ name: 'GREETING', value: 'hello' }]);
    const svc = await core.readNamespacedService({ name: 'api', namespace: ns });
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 8080 });
    const ing = await networking.readNamespacedIngress({ name: 'api', namespace: ns });
    expect(ing.spec?.rules?.[0]?.host).toBe('api.example.com');
    expect(ing.spec?.rules?.[0]?.http?.paths[0]?.backend.service).toMatchObject({ name: 'api', port: { number: 80 } });

    // Removing the host removes the Ingress; deleteApp removes the rest and tolerates repeats.
    await testbed.cluster.ensureApp(workload(ns, 'api', { host: null }));
    await expect(networking.readNamespacedIngress({ name: 'api', namespace: ns })).rejects.toMatchObject({ code: 404 });
    await testbed.cluster.writeWebhookToken(ns, 'api', 'x'.repeat(64));
    await testbed.cluster.deleteApp(ns, 'api');
    await testbed.cluster.deleteApp(ns, 'api');
    expect(await testbed.cluster.readImage(ns, 'api')).toBeNull();
    expect(await testbed.cluster.readWebhookToken(ns, 'api')).toBeNull();
    await expect(core.readNamespacedService({ name: 'api', namespace: ns })).rejects.toMatchObject({ code: 404 });
  });

  it('rolls out a new image, reporting progress, and readImage sees it', async () => {
    const ns = unique('roll');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 3 }));
    const first = await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 });
    expect(first).toEqual({ ok: true });

    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v2', { 'kipper.dev/revision': '2' });
    expect(generation).toBeGreaterThanOrEqual(2);
    const progress: RolloutProgress[] = [];
    const outcome = await testbed.cluster.followRollout(ns, 'api', {
      minGeneration: generation,
      timeoutMs: 10_000,
      onProgress: (p) => progress.push(p),
    });
    expect(outcome).toEqual({ ok: true });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ updated: 3, ready: 3, available: 3, desired: 3, old: 0 });
    expect(progress.every((p) => p.desired === 3)).toBe(true);
    expect(await testbed.cluster.readImage(ns, 'api')).toBe('registry.example.com/api:v2');
    const d = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    expect(d.spec?.template.metadata?.annotations?.['kipper.dev/revision']).toBe('2');
    expect(d.spec?.template.spec?.containers).toHaveLength(1);

    // A later ensureApp (configuration change) keeps the rolled-out image and the annotation.
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 2 }));
    expect(await testbed.cluster.readImage(ns, 'api')).toBe('registry.example.com/api:v2');
    const after = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    expect(after.spec?.replicas).toBe(2);
    expect(after.spec?.template.metadata?.annotations?.['kipper.dev/revision']).toBe('2');
  });

  it('fails a rollout whose image never becomes ready with ProgressDeadlineExceeded', async () => {
    const ns = unique('fail');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { progressDeadlineSeconds: 1, replicas: 1 }));
    expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:sim-fail');
    const started = Date.now();
    const outcome = await testbed.cluster.followRollout(ns, 'api', { minGeneration: generation, timeoutMs: 15_000 });
    expect(outcome).toEqual({
      ok: false,
      reason: 'ProgressDeadlineExceeded',
      message: 'deployment "api" exceeded its progress deadline',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('gives Timeout when the rollout does not finish in timeoutMs', async () => {
    const ns = unique('slow');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { image: 'registry.example.com/api:sim-fail', replicas: 1 }));
    const outcome = await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: false, reason: 'Timeout' });
  });

  it('lands concurrent updates: stale writes are retried on a fresh read', async () => {
    const ns = unique('race');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api'));
    const envs = Array.from({ length: 6 }, (_, i) => [{ name: 'N', value: String(i) }]);
    // Six configuration changes and an image change at once: several replaces see a stale resourceVersion.
    const results = await Promise.allSettled([
      ...envs.map((env, i) => testbed.cluster.ensureApp(workload(ns, 'api', { env, replicas: i + 1 }))),
      testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v9'),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const d = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe('registry.example.com/api:v9');
    const value = d.spec?.template.spec?.containers[0]?.env?.[0]?.value;
    expect(String((d.spec?.replicas ?? 0) - 1)).toBe(value); // one ensureApp won entirely, none half-applied
    // Concurrent first-time creates race on AlreadyExists and both succeed too.
    const results2 = await Promise.allSettled([testbed.cluster.ensureApp(workload(ns, 'web')), testbed.cluster.ensureApp(workload(ns, 'web'))]);
    expect(results2.filter((r) => r.status === 'rejected')).toEqual([]);
  });

  it('follows a rollout started after the changes happened (resumes from the read resourceVersion)', async () => {
    const ns = unique('late');
    await testbed.cluster.ensureNamespace(ns);
    await testbed.cluster.ensureApp(workload(ns, 'api', { replicas: 2 }));
    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v3');
    await new Promise((r) => setTimeout(r, 30)); // some status changes happen before we follow
    const outcome = await testbed.cluster.followRollout(ns, 'api', { minGeneration: generation, timeoutMs: 10_000 });
    expect(outcome).toEqual({ ok: true });
    // Following a finished rollout answers at once.
    expect(await testbed.cluster.followRollout(ns, 'api', { minGeneration: generation, timeoutMs: 1000 })).toEqual({ ok: true });
    // A minGeneration the controller has not reached yet waits (then times out): generation matters.
    expect(await testbed.cluster.followRollout(ns, 'api', { minGeneration: generation + 5, timeoutMs: 200 })).toMatchObject({
      ok: false,
      reason: 'Timeout',
    });
  });

  it('rejects when aborted and when the cluster is closed; missing Deployment is CLUSTER_NOT_FOUND', async () => {
    const ns = unique('abort');
    await testbed.cluster.ensureNamespace(ns);
    await expect(testbed.cluster.followRollout(ns, 'nope', {})).rejects.toMatchObject({ code: 'CLUSTER_NOT_FOUND' });
    await testbed.cluster.ensureApp(workload(ns, 'api', { image: 'registry.example.com/api:sim-fail', replicas: 1 }));
    const controller = new AbortController();
    const pending = testbed.cluster.followRollout(ns, 'api', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(pending).rejects.toThrow('stop');

    const other = connectCluster({ kind: 'server', server: testbed.sim.url });
    const open = other.followRollout(ns, 'api', {});
    setTimeout(() => other.close(), 50);
    await expect(open).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    await expect(other.readImage(ns, 'api')).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
  });
});
