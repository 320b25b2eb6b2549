import { describe, expect, it } from 'vitest';
import type { AppHealth } from '../src/index.js';
import { eventually, unique, useSimulatorCluster, workload } from './helpers.js';

const CRASH_AFTER_MS = 400;
const SLOW_READY_MS = 500;
const testbed = useSimulatorCluster({ crashAfterMs: CRASH_AFTER_MS, slowReadyMs: SLOW_READY_MS });

async function newApp(prefix: string, overrides: Parameters<typeof workload>[2] = {}) {
  const ns = unique(prefix);
  await testbed.cluster.ensureNamespace(ns);
  await testbed.cluster.ensureApp(workload(ns, 'api', overrides));
  return ns;
}

/** Waits until readHealth gives the status, and returns that health. */
const healthBecomes = (ns: string, status: AppHealth['status'], timeoutMs = 5000) =>
  eventually(async () => {
    const health = await testbed.cluster.readHealth(ns, 'api');
    return health.status === status ? health : undefined;
  }, timeoutMs);

describe('app health on the simulator', () => {
  it('is Healthy after a good rollout, Suspended at 0 replicas, Missing once deleted', async () => {
    const ns = await newApp('healthy');
    expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
    expect(await testbed.cluster.readHealth(ns, 'api')).toEqual({ status: 'Healthy', reason: null, message: '2/2 replicas available' });

    await testbed.cluster.setReplicas(ns, 'api', 0);
    expect(await testbed.cluster.readHealth(ns, 'api')).toEqual({
      status: 'Suspended',
      reason: null,
      message: 'deployment "api" is scaled to 0 replicas',
    });

    await testbed.cluster.deleteApp(ns, 'api');
    expect(await testbed.cluster.readHealth(ns, 'api')).toEqual({ status: 'Missing', reason: null, message: 'deployment "api" not found' });
  });

  it('is Degraded with ImagePullBackOff for an image that cannot be pulled (sim-fail)', async () => {
    const ns = await newApp('pull', { image: 'registry.example.com/api:sim-fail', replicas: 1 });
    const health = await healthBecomes(ns, 'Degraded');
    expect(health).toEqual({
      status: 'Degraded',
      reason: 'ImagePullBackOff',
      message: '1/1 pod cannot pull image "registry.example.com/api:sim-fail" (ImagePullBackOff)',
    });
  });

  it('turns Degraded with CrashLoopBackOff crashAfterMs after a sim-crash rollout completed', async () => {
    const ns = await newApp('crash');
    expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:sim-crash');
    expect(await testbed.cluster.followRollout(ns, 'api', { minGeneration: generation, timeoutMs: 10_000 })).toEqual({ ok: true });
    const completed = Date.now();

    const health = await healthBecomes(ns, 'Degraded');
    expect(Date.now() - completed).toBeGreaterThanOrEqual(CRASH_AFTER_MS / 2);
    expect(health.reason).toBe('CrashLoopBackOff');
    expect(health.message).toMatch(/^[12]\/2 pods crash-looping \(CrashLoopBackOff, \d+ restarts?\)$/);
    // Both pods crash; the count of restarts keeps rising.
    const later = await eventually(async () => {
      const h = await testbed.cluster.readHealth(ns, 'api');
      const restarts = Number(/(\d+) restarts?/.exec(h.message ?? '')?.[1] ?? 0);
      return h.message?.startsWith('2/2') && restarts >= 4 ? h : undefined;
    });
    expect(later.status).toBe('Degraded');
  });

  it('is Progressing during a slow rollout (sim-slow), Healthy once it is done', async () => {
    const ns = await newApp('slow', { replicas: 2 });
    expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
    const { generation } = await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:sim-slow');
    const during = await healthBecomes(ns, 'Progressing');
    expect(during.reason).toBeNull();
    expect(during.message).toMatch(/^Waiting for deployment "api" rollout to finish/);
    expect(await testbed.cluster.followRollout(ns, 'api', { minGeneration: generation, timeoutMs: 20_000 })).toEqual({ ok: true });
    expect(await testbed.cluster.readHealth(ns, 'api')).toMatchObject({ status: 'Healthy' });
  });
});
