import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HealthStatus, topics } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { createProject, deployApp, ok, updateImage } from './helpers.js';

let k: RunningKipper;
let client: Client;
let redis: Redis;
beforeAll(async () => {
  k = await startKipper();
  client = createClient({ url: k.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${k.adminToken}` }, retryAttempts: 0 });
  redis = new Redis(k.redisUrl);
  await createProject(k, 'live');
});
afterAll(async () => {
  await client?.dispose();
  redis?.disconnect();
  await k?.stop();
});

interface Event {
  type: string;
  namespace: string;
  app: string;
  message: string | null;
  at: string;
  revision: { number: number; status: string; trigger: string; image: string };
}

type Result = { data?: Record<string, Event> | null; errors?: { message: string; extensions?: { code?: string } }[] };

/** Subscribes and collects results; `ready` resolves once the api listens on the Redis channel. */
function subscribe(query: string, variables: Record<string, unknown>) {
  const results: Result[] = [];
  let wake: () => void = () => undefined;
  let done = false;
  const dispose = client.subscribe<Record<string, Event>>(
    { query, variables },
    {
      next: (value) => {
        results.push(value as Result);
        wake();
      },
      error: (error) => {
        results.push({ errors: Array.isArray(error) ? (error as Result['errors']) : [{ message: String(error) }] });
        done = true;
        wake();
      },
      complete: () => {
        done = true;
        wake();
      },
    },
  );
  return {
    dispose,
    async next(timeoutMs = 5_000): Promise<Result> {
      const deadline = Date.now() + timeoutMs;
      while (results.length === 0) {
        if (done) throw new Error('subscription ended');
        if (Date.now() > deadline) throw new Error('no event in time');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return results.shift()!;
    },
    async ended(): Promise<boolean> {
      for (let i = 0; i < 100 && !done; i++) await new Promise((r) => setTimeout(r, 20));
      return done;
    },
  };
}

async function waitForSubscriber(topic: string): Promise<void> {
  const channel = k.kipper.services.pubsub.channel(topic);
  for (let i = 0; i < 200; i++) {
    const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
    if (Number(n) > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nobody subscribed to ${channel}`);
}

const EVENT = 'type namespace app message at revision { number status trigger image }';

describe('subscriptions', () => {
  it('appEvents receives QUEUED for a new revision, with the revision read from the database', async () => {
    const app = await deployApp(k, { project: 'live', environment: 'test', name: 'api', image: 'registry.example.com/api:v1' });
    const sub = subscribe(`subscription($app: AppRef!) { appEvents(app: $app) { ${EVENT} } }`, { app: { namespace: 'live-test', name: 'api' } });
    await waitForSubscriber(topics.app(app.id));
    await updateImage(k, { namespace: 'live-test', name: 'api' }, 'registry.example.com/api:v2');
    const result = await sub.next();
    expect(result.errors).toBeUndefined();
    expect(result.data!.appEvents).toMatchObject({
      type: 'QUEUED',
      namespace: 'live-test',
      app: 'api',
      revision: { number: 2, status: 'QUEUED', trigger: 'MANUAL', image: 'registry.example.com/api:v2' },
    });
    expect(new Date(result.data!.appEvents!.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    sub.dispose();
  });

  it('projectEvents receives the events of every app of the project, and not of other prefixes', async () => {
    const project = await k.kipper.services.projects.getOrFail('live');
    const sub = subscribe(`subscription { projectEvents(project: "live") { ${EVENT} } }`, {});
    await waitForSubscriber(topics.project(project.id));
    // The same topic under another queue prefix (another Kipper on this Redis) is not seen.
    await redis.publish(`other-prefix:${topics.project(project.id)}`, JSON.stringify({ type: 'live' }));
    await deployApp(k, { project: 'live', environment: 'acc', name: 'worker', image: 'registry.example.com/worker:v1' });
    const result = await sub.next();
    expect(result.data!.projectEvents).toMatchObject({ type: 'QUEUED', namespace: 'live-acc', app: 'worker', revision: { number: 1 } });
    sub.dispose();
  });

  it('a HEALTH event carries the app\'s new health', async () => {
    const app = await deployApp(k, { project: 'live', environment: 'test', name: 'health', image: 'registry.example.com/health:v1' });
    const sub = subscribe(`subscription($app: AppRef!) { appEvents(app: $app) { type message health { status reason message since } revision { number } } }`, {
      app: { namespace: 'live-test', name: 'health' },
    });
    await waitForSubscriber(topics.app(app.id));
    await k.kipper.services.conditions.recordHealth(app.id, { status: HealthStatus.DEGRADED, reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping' });
    const result = await sub.next();
    expect(result.errors).toBeUndefined();
    const event = result.data!.appEvents as unknown as { type: string; message: string; health: { status: string; reason: string; message: string; since: string } };
    expect(event).toMatchObject({
      type: 'HEALTH',
      message: 'Degraded: CrashLoopBackOff (2/3 pods crash-looping)',
      health: { status: 'DEGRADED', reason: 'CrashLoopBackOff', message: '2/3 pods crash-looping' },
    });
    expect(new Date(event.health.since).getTime()).toBeGreaterThan(Date.now() - 60_000);
    sub.dispose();
  });

  it('ends at once with APP_NOT_FOUND for an unknown app', async () => {
    const sub = subscribe(`subscription { appEvents(app: { name: "ghost" }) { type } }`, {});
    const result = await sub.next();
    expect(result.errors?.[0]?.extensions?.code).toBe('APP_NOT_FOUND');
    expect(await sub.ended()).toBe(true);
  });
});

describe('with a worker', () => {
  it('a subscriber sees a revision go from QUEUED to LIVE, and it becomes current', async () => {
    const full = await startKipper({ worker: true });
    const wsClient = createClient({ url: full.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${full.adminToken}` }, retryAttempts: 0 });
    try {
      await createProject(full, 'e2e');
      const app = await deployApp(full, { project: 'e2e', name: 'api', image: 'registry.example.com/api:v1' });
      const seen: string[] = [];
      const live = new Promise<void>((resolve, reject) => {
        wsClient.subscribe<{ appEvents: { type: string; revision: { number: number } } }>(
          { query: 'subscription { appEvents(app: { namespace: "e2e-test", name: "api" }) { type revision { number } } }' },
          {
            next: (value) => {
              const event = value.data?.appEvents;
              if (event?.revision.number === 2) seen.push(event.type);
              if (event?.type === 'LIVE' && event.revision.number === 2) resolve();
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      const probe = new Redis(full.redisUrl);
      try {
        const channel = full.kipper.services.pubsub.channel(topics.app(app.id));
        for (let i = 0; i < 200 && Number(((await probe.pubsub('NUMSUB', channel)) as [string, number])[1]) === 0; i++) await new Promise((r) => setTimeout(r, 25));
      } finally {
        probe.disconnect();
      }
      await updateImage(full, { namespace: 'e2e-test', name: 'api' }, 'registry.example.com/api:v2');
      await live;
      expect(seen[0]).toBe('QUEUED');
      expect(seen).toContain('LIVE');
      const current = ok(await full.graphql<{ app: { currentRevision: { number: number; status: string } } }>('{ app(ref: { name: "api" }) { currentRevision { number status } } }'));
      expect(current.app.currentRevision).toEqual({ number: 2, status: 'LIVE' });
    } finally {
      await wsClient.dispose();
      await full.stop();
    }
  });
});
