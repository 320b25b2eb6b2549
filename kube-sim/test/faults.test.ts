import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { deployment, startTestSimulator, waitFor } from './helpers.js';

const CRASH_AFTER_MS = 300;
const SLOW_READY_MS = 400;

let sim: Simulator;
let apps: AppsV1Api;
let core: CoreV1Api;

beforeAll(async () => {
  ({ sim } = await startTestSimulator({ crashAfterMs: CRASH_AFTER_MS, slowReadyMs: SLOW_READY_MS }));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: sim.url, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'nobody' }],
    currentContext: 'sim',
  });
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(() => sim.close());

const namespace = 'default';
const create = (name: string, image: string, extra: Record<string, unknown> = {}) =>
  apps.createNamespacedDeployment({ namespace, body: deployment(name, image, extra) as V1Deployment });
const read = (name: string) => apps.readNamespacedDeployment({ name, namespace });
const podsOf = async (name: string) => (await core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items;
const condition = (d: V1Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);
const isComplete = (d: V1Deployment) =>
  d.status?.observedGeneration === d.metadata?.generation &&
  d.status?.updatedReplicas === d.spec?.replicas &&
  d.status?.availableReplicas === d.spec?.replicas &&
  condition(d, 'Progressing')?.reason === 'NewReplicaSetAvailable';
const container = (pod: V1Pod) => pod.status?.containerStatuses?.[0];

describe('documented pod failures', () => {
  it('sim-fail: containers wait in ImagePullBackOff and are never ready', async () => {
    await create('pull', 'registry.example.com/api:sim-fail', { replicas: 1 });
    const [pod] = await waitFor(async () => {
      const pods = await podsOf('pull');
      return pods.length === 1 && pods;
    });
    expect(pod!.status?.phase).toBe('Pending');
    expect(container(pod!)).toMatchObject({
      ready: false,
      restartCount: 0,
      state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/api:sim-fail"' } },
    });
  });

  it('sim-crash: the rollout completes, then the pods crash-loop and the deployment loses its ready replicas', async () => {
    await create('crash', 'registry.example.com/api:sim-crash', { replicas: 2 });
    const complete = await waitFor(async () => {
      const d = await read('crash');
      return isComplete(d) && d;
    }, 5000, 'the rollout to complete');
    expect(complete.status?.readyReplicas).toBe(2);

    const crashed = await waitFor(async () => {
      const pods = await podsOf('crash');
      return pods.length === 2 && pods.every((p) => container(p)?.state?.waiting?.reason === 'CrashLoopBackOff') && pods;
    }, 5000, 'CrashLoopBackOff');
    for (const pod of crashed) {
      expect(container(pod)).toMatchObject({ ready: false, lastState: { terminated: { reason: 'Error', exitCode: 1 } } });
      expect(container(pod)?.restartCount).toBeGreaterThanOrEqual(1);
      expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    }

    const d = await waitFor(async () => {
      const d = await read('crash');
      return d.status?.readyReplicas === undefined && d;
    }, 5000, 'readyReplicas to drop');
    expect(d.status?.availableReplicas).toBeUndefined();
    expect(d.status?.unavailableReplicas).toBe(2);
    expect(condition(d, 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    // A finished rollout stays finished, as on a real cluster: the failure shows in availability.
    expect(condition(d, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const [rs] = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=crash' })).items;
    expect(rs?.status?.replicas).toBe(2);
    expect(rs?.status?.readyReplicas).toBeUndefined();

    // Restarts keep coming, one every crashAfterMs.
    const before = container(crashed[0]!)!.restartCount;
    await waitFor(async () => {
      const pod = (await podsOf('crash')).find((p) => p.metadata?.name === crashed[0]!.metadata?.name);
      return (container(pod!)?.restartCount ?? 0) >= before + 2;
    }, 5000, 'the restart count to rise');
  });

  it('sim-oom: the crash-looping container was OOMKilled', async () => {
    await create('oom', 'registry.example.com/api:sim-oom', { replicas: 1 });
    const [pod] = await waitFor(async () => {
      const pods = await podsOf('oom');
      return pods.length === 1 && container(pods[0]!)?.state?.waiting?.reason === 'CrashLoopBackOff' && pods;
    }, 5000, 'CrashLoopBackOff');
    expect(container(pod!)?.lastState?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
  });

  it('sim-slow: each new pod takes slowReadyMs to become ready, so a rollout takes that long per pod', async () => {
    await create('slow', 'registry.example.com/api:1', { replicas: 2 });
    await waitFor(async () => isComplete(await read('slow')), 5000, 'the first rollout');

    const started = Date.now();
    await apps.patchNamespacedDeployment({
      name: 'slow',
      namespace,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.example.com/api:sim-slow' }],
    });
    const starting = await waitFor(async () => {
      const pods = (await podsOf('slow')).filter((p) => p.spec?.containers[0]?.image?.includes('sim-slow'));
      return pods.length === 1 && pods[0];
    }, 5000, 'the first new pod');
    expect(container(starting)?.ready).toBe(false);
    expect(['ContainerCreating', undefined]).toContain(container(starting)?.state?.waiting?.reason);
    // The old pods keep serving while the new one is not ready.
    const midway = await read('slow');
    expect(midway.status?.updatedReplicas).toBe(1);
    expect(midway.status?.availableReplicas).toBe(2);

    await waitFor(async () => isComplete(await read('slow')), 10_000, 'the slow rollout');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2 * SLOW_READY_MS);
    expect(elapsed).toBeLessThan(2 * SLOW_READY_MS + 3000);
  });

  it('deleting a deployment stops the timers of its pods', async () => {
    await create('doomed', 'registry.example.com/api:sim-crash', { replicas: 1 });
    await waitFor(async () => isComplete(await read('doomed')), 5000, 'the rollout');
    await apps.deleteNamespacedDeployment({ name: 'doomed', namespace });
    await new Promise((r) => setTimeout(r, CRASH_AFTER_MS * 2));
    expect(await podsOf('doomed')).toEqual([]);
  });
});
