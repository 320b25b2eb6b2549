import { describe, expect, it } from 'vitest';
import { ClusterError, type PodLogLine } from '../src/index.js';
import { eventually, unique, useSimulatorCluster, workload } from './helpers.js';

const testbed = useSimulatorCluster({ appLogIntervalMs: 50, crashAfterMs: 200 });

async function rolledOut(prefix: string, overrides: Parameters<typeof workload>[2] = {}) {
  const ns = unique(prefix);
  await testbed.cluster.ensureNamespace(ns);
  await testbed.cluster.ensureApp(workload(ns, 'api', overrides));
  expect(await testbed.cluster.followRollout(ns, 'api', { timeoutMs: 10_000 })).toEqual({ ok: true });
  return ns;
}

/** Collects lines until `enough` says so, then aborts the follow and waits for it to end. */
async function collect(ns: string, options: { pod?: string; follow: boolean; tail?: number }, enough: (lines: PodLogLine[]) => boolean) {
  const lines: PodLogLine[] = [];
  const controller = new AbortController();
  const done = testbed.cluster.followPodLogs(ns, 'api', {
    ...options,
    signal: controller.signal,
    onLine: (line) => {
      lines.push(line);
      if (enough(lines)) controller.abort();
    },
  });
  const timer = setTimeout(() => controller.abort(), 5000);
  await done;
  clearTimeout(timer);
  return lines;
}

describe('what runs: pods, events, logs', () => {
  it('lists the app pods with phase, readiness, restarts, image and node', async () => {
    const ns = await rolledOut('pods');
    const pods = await testbed.cluster.listAppPods(ns, 'api');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod).toMatchObject({ phase: 'Running', ready: true, restarts: 0, reason: null, image: 'registry.example.com/api:v1', node: 'sim-node' });
      expect(pod.name).toMatch(/^api-[a-z0-9]+-[a-z0-9]{5}$/);
      expect(pod.startedAt).toBeInstanceOf(Date);
    }
  });

  it('counts restarts and the waiting reason of a crashing pod', async () => {
    const ns = await rolledOut('crash', { image: 'registry.example.com/api:sim-crash', replicas: 1 });
    const pod = await eventually(async () => (await testbed.cluster.listAppPods(ns, 'api')).find((p) => p.restarts >= 1));
    expect(pod).toMatchObject({ ready: false, reason: 'CrashLoopBackOff' });
  });

  it('lists the events of the Deployment, its ReplicaSet and pods, newest first, limited', async () => {
    const ns = await rolledOut('events', { replicas: 1 });
    const [pod] = await testbed.cluster.listAppPods(ns, 'api');
    const events = await eventually(async () => {
      const found = await testbed.cluster.listAppEvents(ns, 'api', 50);
      return found.some((e) => e.reason === 'Started') ? found : undefined;
    });
    const kinds = new Set(events.map((e) => e.kind));
    expect(kinds).toEqual(new Set(['Deployment', 'ReplicaSet', 'Pod']));
    expect(events.find((e) => e.reason === 'Started')).toMatchObject({ type: 'Normal', kind: 'Pod', name: pod!.name, message: 'Started container api', count: 1 });
    const times = events.map((e) => e.lastSeen!.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(await testbed.cluster.listAppEvents(ns, 'api', 2)).toHaveLength(2);
    expect(await testbed.cluster.listAppEvents(ns, 'other', 50)).toEqual([]);
  });

  it('reads the last lines of one pod, with their time, and ends without follow', async () => {
    const ns = await rolledOut('tail', { replicas: 1 });
    const [pod] = await testbed.cluster.listAppPods(ns, 'api');
    await eventually(async () => ((await collect(ns, { pod: pod!.name, follow: false }, () => false)).length >= 4 ? true : undefined));
    const lines = await collect(ns, { pod: pod!.name, follow: false, tail: 2 }, () => false);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ pod: pod!.name });
    expect(lines[0]!.line).toMatch(/\(request \d+\)$/);
    expect(lines[0]!.at).toBeInstanceOf(Date);
  });

  it('follows every pod of the app, the start line first, and closes its streams when aborted', async () => {
    const ns = await rolledOut('follow');
    const before = testbed.sim.openLogStreams();
    const lines = await collect(ns, { follow: true }, (seen) => new Set(seen.filter((l) => l.line.includes('(request')).map((l) => l.pod)).size === 2);
    const pods = new Set(lines.map((l) => l.pod));
    expect(pods.size).toBe(2);
    for (const pod of pods) expect(lines.find((l) => l.pod === pod)!.line).toBe('Starting registry.example.com/api:v1 on port 8080');
    await eventually(() => (testbed.sim.openLogStreams() === before ? true : undefined));
  });

  it('takes on the pods of a rollout while following', async () => {
    const ns = await rolledOut('rollout', { replicas: 1 });
    const lines: PodLogLine[] = [];
    const controller = new AbortController();
    const done = testbed.cluster.followPodLogs(ns, 'api', { follow: true, tail: 0, signal: controller.signal, onLine: (l) => lines.push(l) });
    await new Promise((r) => setTimeout(r, 100));
    await testbed.cluster.setImage(ns, 'api', 'registry.example.com/api:v2');
    await eventually(() => (lines.some((l) => l.line === 'Starting registry.example.com/api:v2 on port 8080') ? true : undefined));
    controller.abort();
    await done;
  });

  it('refuses a pod that is not one of the app', async () => {
    const ns = await rolledOut('nopod', { replicas: 1 });
    const error = await testbed.cluster
      .followPodLogs(ns, 'api', { pod: 'api-nothere', follow: false, signal: new AbortController().signal, onLine: () => undefined })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ClusterError);
    expect(error).toMatchObject({ code: 'CLUSTER_NOT_FOUND', reason: 'PodNotFound' });
  });
});
