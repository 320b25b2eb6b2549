import { AppsV1Api, CoreV1Api, KubeConfig, Log, type CoreV1Event, type V1Deployment } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { deployment, startTestSimulator, waitFor } from './helpers.js';

const LOG_INTERVAL_MS = 50;
const CRASH_AFTER_MS = 150;

let sim: Simulator;
let apps: AppsV1Api;
let core: CoreV1Api;
let log: Log;

beforeAll(async () => {
  ({ sim } = await startTestSimulator({ appLogIntervalMs: LOG_INTERVAL_MS, crashAfterMs: CRASH_AFTER_MS }));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: sim.url, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'nobody' }],
    currentContext: 'sim',
  });
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  log = new Log(kc);
});
afterAll(() => sim.close());

const namespace = 'default';
const create = (name: string, image: string) =>
  apps.createNamespacedDeployment({ namespace, body: deployment(name, image, { replicas: 1 }) as V1Deployment });
const onePod = (name: string) =>
  waitFor(async () => (await core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items[0]);
const podEvents = async (pod: string): Promise<CoreV1Event[]> =>
  (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${pod}` })).items;
const reasons = (events: CoreV1Event[]) => events.map((e) => e.reason);

describe('app pod logs', () => {
  it('start with a line naming the image and port, then a line every interval', async () => {
    await create('web', 'ghcr.io/org/web:1.2');
    const pod = (await onePod('web')).metadata!.name!;
    const text = await waitFor(async () => {
      const body = await core.readNamespacedPodLog({ name: pod, namespace });
      return body.split('\n').length > 3 && body;
    });
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('Starting ghcr.io/org/web:1.2 on port 8080');
    expect(lines[1]).toMatch(/^GET \/ 200 \d+ms \(request 1\)$/);
  });

  it('honours tailLines and timestamps=true', async () => {
    await create('tail', 'ghcr.io/org/tail:1');
    const pod = (await onePod('tail')).metadata!.name!;
    await waitFor(async () => (await core.readNamespacedPodLog({ name: pod, namespace })).split('\n').length > 4);
    const last = await core.readNamespacedPodLog({ name: pod, namespace, tailLines: 2, timestamps: true });
    const lines = last.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z GET|POST /);
  });

  it('follows new lines and counts the open stream until the reader leaves', async () => {
    await create('follow', 'ghcr.io/org/follow:1');
    const pod = (await onePod('follow')).metadata!.name!;
    await waitFor(async () => (await core.readNamespacedPodLog({ name: pod, namespace })).length > 0);
    const before = sim.openLogStreams();
    let received = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        received += chunk.toString();
        done();
      },
    });
    const controller = await log.log(namespace, pod, 'app', sink, { follow: true, tailLines: 0 });
    await waitFor(async () => received.includes('(request'), 2000, 'a followed line');
    expect(sim.openLogStreams()).toBe(before + 1);
    controller.abort();
    await waitFor(async () => sim.openLogStreams() === before, 2000, 'the stream to close');
  });

  it('refuses the log of a container that never started, as the kubelet does', async () => {
    await create('nopull', 'ghcr.io/org/nopull:sim-fail');
    const pod = (await onePod('nopull')).metadata!.name!;
    const res = await fetch(`${sim.url}/api/v1/namespaces/${namespace}/pods/${pod}/log`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      `container "app" in pod "${pod}" is waiting to start: trying and failing to pull image`,
    );
  });
});

describe('pod events', () => {
  it('tell a started pod: Scheduled, Pulling, Pulled, Created, Started', async () => {
    await create('events', 'ghcr.io/org/events:1');
    const pod = (await onePod('events')).metadata!.name!;
    const events = await waitFor(async () => {
      const found = await podEvents(pod);
      return found.length >= 5 && found;
    });
    expect(reasons(events)).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
    expect(events[4]).toMatchObject({
      type: 'Normal',
      message: 'Started container app',
      count: 1,
      involvedObject: { kind: 'Pod', name: pod, fieldPath: 'spec.containers{app}' },
      source: { component: 'kubelet' },
    });
    const rs = await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.kind=ReplicaSet' });
    expect(rs.items.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created pod: ${pod}`)).toBe(true);
  });

  it('tell an image that cannot be pulled with Failed and BackOff warnings', async () => {
    await create('badimage', 'ghcr.io/org/bad:sim-fail');
    const pod = (await onePod('badimage')).metadata!.name!;
    const events = await waitFor(async () => {
      const found = await podEvents(pod);
      return found.some((e) => e.reason === 'BackOff') && found;
    });
    expect(events.filter((e) => e.type === 'Warning').map((e) => e.message)).toContain('Error: ImagePullBackOff');
    expect(events.find((e) => e.reason === 'BackOff')!.message).toBe('Back-off pulling image "ghcr.io/org/bad:sim-fail"');
  });

  it('count the restarts of a crashing container on one BackOff event', async () => {
    await create('crash', 'ghcr.io/org/crash:sim-crash');
    const pod = (await onePod('crash')).metadata!.name!;
    const backOff = await waitFor(async () => (await podEvents(pod)).find((e) => e.reason === 'BackOff' && (e.count ?? 0) >= 2), 5000);
    expect(backOff.type).toBe('Warning');
    expect(backOff.message).toMatch(/^Back-off restarting failed container app in pod crash-/);
  });

  it('are watchable with a field selector', async () => {
    const seen: string[] = [];
    const res = await fetch(`${sim.url}/api/v1/namespaces/${namespace}/events?watch=true&fieldSelector=involvedObject.kind%3DPod`);
    const reader = res.body!.getReader();
    await create('watched', 'ghcr.io/org/watched:1');
    const decoder = new TextDecoder();
    let buffer = '';
    while (!seen.some((m) => m.startsWith('Started container'))) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (const line of buffer.split('\n').slice(0, -1)) seen.push((JSON.parse(line) as { object: { message: string } }).object.message);
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    }
    await reader.cancel();
    expect(seen).toContain('Started container app');
  });
});

describe('after a restart from a state file', () => {
  it('app pods go on writing request lines and their events are not told again', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kube-sim-runtime-'));
    try {
      const statePath = join(dir, 'cluster.json');
      const first = await startTestSimulator({ statePath, appLogIntervalMs: LOG_INTERVAL_MS });
      await first.api.post('/apis/apps/v1/namespaces/default/deployments', deployment('kept', 'ghcr.io/org/kept:1', { replicas: 1 }));
      const pod = await waitFor(async () => (await first.api.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dkept')).body.items[0]?.metadata.name as string | undefined);
      const started = (path: string, api: typeof first.api) =>
        waitFor(async () => (await api.get(path)).body.items.filter((e: { reason: string }) => e.reason === 'Started').length === 1, 5000, 'Started');
      const events = `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${pod}`;
      await started(events, first.api);
      await first.sim.close();

      const second = await startTestSimulator({ statePath, appLogIntervalMs: LOG_INTERVAL_MS });
      try {
        const log = await waitFor(async () => {
          const res = await fetch(`${second.sim.url}/api/v1/namespaces/default/pods/${pod}/log`);
          const text = await res.text();
          return text.includes('(request 2)') && text;
        });
        expect(log).not.toContain('Starting');
        const again = (await second.api.get(events)).body.items as { reason: string; count: number }[];
        expect(again.find((e) => e.reason === 'Started')!.count).toBe(1);
      } finally {
        await second.sim.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
