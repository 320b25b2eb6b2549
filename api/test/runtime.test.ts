import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, createProject, deployApp, ok } from './helpers.js';
import { createPerson, graphqlAs, signIn, tokenOf } from './people.helpers.js';

let k: RunningKipper;
const web = { namespace: 'shop-test', name: 'web' };
const IMAGE = 'ghcr.io/org/web:1.2';

beforeAll(async () => {
  k = await startKipper({ simulator: { appLogIntervalMs: 100 } });
  await createProject(k, 'shop');
  await deployApp(k, { project: 'shop', environment: 'test', name: 'web', image: IMAGE, replicas: 2 });
  await createPerson(k, 'vic', { project: 'shop', role: 'VIEWER' });
  await createPerson(k, 'dana', { project: 'shop', role: 'DEPLOYER' });
});
afterAll(() => k?.stop());

interface Pod {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  startedAt: string | null;
  image: string | null;
  node: string | null;
}

const PODS = 'query($app: AppRef!) { app(ref: $app) { pods { name phase ready restarts reason startedAt image node } } }';

async function runningPods(): Promise<Pod[]> {
  for (let i = 0; i < 100; i++) {
    const pods = ok(await k.graphql<{ app: { pods: Pod[] } }>(PODS, { app: web })).app.pods;
    if (pods.length === 2 && pods.every((p) => p.ready)) return pods;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the pods did not become ready');
}

function wsClient(token: string): Client {
  return createClient({ url: k.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
}

interface Line {
  pod: string;
  line: string;
  at: string | null;
}

/** Subscribes to podLogs; collects lines and the end (complete or error). */
function follow(client: Client, variables: Record<string, unknown>) {
  const lines: Line[] = [];
  let ended: unknown;
  const dispose = client.subscribe<{ podLogs: Line }>(
    { query: 'subscription($app: AppRef!, $pod: String, $follow: Boolean, $tail: Int) { podLogs(app: $app, pod: $pod, follow: $follow, tail: $tail) { pod line at } }', variables },
    {
      next: (value) => {
        if (value.data) lines.push(value.data.podLogs);
        else ended = value.errors;
      },
      error: (error) => (ended = error),
      complete: () => (ended ??= 'complete'),
    },
  );
  const until = async (check: () => boolean, what: string, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen in time (lines: ${JSON.stringify(lines.slice(-5))}, end: ${JSON.stringify(ended)})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { lines, dispose, until, ended: () => ended };
}

describe('what runs of an app', () => {
  it('App.pods: name, phase, readiness, restarts, start, image and node of each pod', async () => {
    const pods = await runningPods();
    for (const pod of pods) {
      expect(pod).toMatchObject({ phase: 'Running', ready: true, restarts: 0, image: IMAGE, node: 'sim-node' });
      expect(pod.name).toMatch(/^web-/);
      expect(Date.parse(pod.startedAt!)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('App.events: the pods\' and the Deployment\'s events, newest first, `first` of them', async () => {
    await runningPods();
    const query = 'query($app: AppRef!, $first: Int) { app(ref: $app) { events(first: $first) { type reason message kind name count lastSeen } } }';
    const events = ok(await k.graphql<{ app: { events: { reason: string; kind: string; lastSeen: string }[] } }>(query, { app: web, first: 50 })).app.events;
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Pulled', 'Started', 'SuccessfulCreate', 'ScalingReplicaSet']));
    const times = events.map((e) => Date.parse(e.lastSeen));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(ok(await k.graphql<{ app: { events: unknown[] } }>(query, { app: web, first: 3 })).app.events).toHaveLength(3);
    expect(codeOf(await k.graphql(query, { app: web, first: 1000 }))).toBe('VALIDATION_FAILED');
  });

  it('lets a viewer read pods and events but not logs (they can hold secrets)', async () => {
    const viewer = await signIn(k, 'vic');
    const { body } = await graphqlAs<{ app: { pods: Pod[] } }>(k, viewer, PODS, { app: web });
    expect(ok(body).app.pods.length).toBeGreaterThan(0);
    const token = await tokenOf(k, viewer, { name: 'vic-logs' });
    const client = wsClient(token);
    try {
      const logs = follow(client, { app: web });
      await logs.until(() => logs.ended() !== undefined, 'the refusal');
      expect(JSON.stringify(logs.ended())).toContain('FORBIDDEN');
      expect(logs.lines).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});

describe('subscription podLogs', () => {
  it('sends the last lines of every pod, then followed ones, and closes the cluster streams when the client leaves', async () => {
    const pods = await runningPods();
    const deployer = await signIn(k, 'dana');
    const client = wsClient(await tokenOf(k, deployer, { name: 'dana-logs' }));
    try {
      const before = k.sim.openLogStreams();
      const logs = follow(client, { app: web, tail: 1000 });
      await logs.until(() => pods.every((p) => logs.lines.some((l) => l.pod === p.name && l.line === `Starting ${IMAGE} on port 8080`)), 'the start lines');
      const seen = logs.lines.length;
      await logs.until(() => logs.lines.length > seen + 1, 'a followed line');
      const followed = logs.lines.at(-1)!;
      expect(followed.line).toMatch(/\(request \d+\)$/);
      expect(Date.now() - Date.parse(followed.at!)).toBeLessThan(5000);
      expect(k.sim.openLogStreams()).toBe(before + 2);
      logs.dispose();
      await logs.until(() => k.sim.openLogStreams() === before, 'the cluster log streams to close');
    } finally {
      await client.dispose();
    }
  });

  it('reads one pod\'s last lines and ends without follow', async () => {
    const [pod] = await runningPods();
    const client = wsClient(k.adminToken);
    try {
      const logs = follow(client, { app: web, pod: pod!.name, follow: false, tail: 2 });
      await logs.until(() => logs.ended() === 'complete', 'the end');
      expect(logs.lines).toHaveLength(2);
      expect(logs.lines.every((l) => l.pod === pod!.name)).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('answers POD_NOT_FOUND for a pod that is not the app\'s, and VALIDATION_FAILED for a bad tail', async () => {
    const client = wsClient(k.adminToken);
    try {
      const missing = follow(client, { app: web, pod: 'web-nothere-abcde' });
      await missing.until(() => missing.ended() !== undefined, 'the refusal');
      expect(JSON.stringify(missing.ended())).toContain('POD_NOT_FOUND');
      const bad = follow(client, { app: web, tail: -1 });
      await bad.until(() => bad.ended() !== undefined, 'the refusal');
      expect(JSON.stringify(bad.ended())).toContain('VALIDATION_FAILED');
    } finally {
      await client.dispose();
    }
  });
});
