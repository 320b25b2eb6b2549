import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { AppEventsSubscription, type DeployEvent } from '@kipper/client';
import { Redis } from 'ioredis';
import { App, DeployEventType, Revision, topics } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { createProject, deployApp, markLive, updateImage } from './helpers.js';

/**
 * Many subscribers of one app: each receives every event with its revision as it is at that
 * event, and the api reads the database once per event, not once per subscriber.
 */

const QUERY = print(AppEventsSubscription); // what the console and `kip --wait` send
const APP = { namespace: 'fan-test', name: 'web' };

let k: RunningKipper;
const clients: Client[] = [];
beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'fan');
}, 120_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await k?.stop();
});

/** One subscriber on its own WebSocket; `events` fills as they arrive. */
function subscriber() {
  const events: DeployEvent[] = [];
  const errors: unknown[] = [];
  const client = createClient({ url: k.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${k.adminToken}` }, retryAttempts: 0 });
  clients.push(client);
  client.subscribe<{ appEvents: DeployEvent }>({ query: QUERY, variables: { app: APP } }, {
    next: (value) => {
      if (value.errors) errors.push(...value.errors);
      if (value.data) events.push(value.data.appEvents);
    },
    error: (err) => errors.push(err),
    complete: () => undefined,
  });
  return { events, errors };
}

type Subscriber = ReturnType<typeof subscriber>;

/** Publishes a PROGRESS event of revision 1 until every subscriber has one (they are listening). */
async function listening(subscribers: Subscriber[], appId: string): Promise<void> {
  const ds = k.kipper.services.dataSource;
  const app = await ds.getRepository(App).findOneByOrFail({ id: appId });
  const revision = await ds.getRepository(Revision).findOneByOrFail({ appId, number: 1 });
  const heard = (s: Subscriber) => s.events.some((e) => e.type === 'PROGRESS');
  for (let i = 0; i < 100 && !subscribers.every(heard); i++) {
    await k.kipper.services.events.revisionChanged(revision, app, DeployEventType.PROGRESS);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(subscribers.every(heard)).toBe(true);
  await new Promise((r) => setTimeout(r, 200)); // the last ones are delivered
}

/** Waits until every subscriber has received an event of revision `number` and `type`. */
async function allReceive(subscribers: Subscriber[], number: number, type: string): Promise<DeployEvent[]> {
  const find = (s: Subscriber) => s.events.find((e) => e.revision.number === number && e.type === type);
  for (let i = 0; i < 400 && !subscribers.every(find); i++) await new Promise((r) => setTimeout(r, 25));
  expect(subscribers.flatMap((s) => s.errors)).toEqual([]);
  const received = subscribers.map(find);
  expect(received.filter((e) => e === undefined)).toHaveLength(0);
  return received as DeployEvent[];
}

/** SQL statements the api runs from `work` until every subscriber has the QUEUED event of `number`. */
async function statementsFor(subscribers: Subscriber[], number: number, work: () => Promise<unknown>): Promise<{ statements: number; events: DeployEvent[] }> {
  const spy = vi.spyOn(PostgresQueryRunner.prototype, 'query');
  try {
    await work();
    const events = await allReceive(subscribers, number, 'QUEUED');
    return { statements: spy.mock.calls.length, events };
  } finally {
    spy.mockRestore();
  }
}

describe('live events fan out', () => {
  it('50 subscribers of one app each get every event with its revision as it is then, for the statements of one', async () => {
    const app = await deployApp(k, { project: 'fan', environment: 'test', name: 'web', image: 'registry.example.com/web:v1' });
    await markLive(k, app.id, 1);

    // One subscriber, then 49 more, each on its own connection.
    const first = [subscriber()];
    await listening(first, app.id);
    const one = await statementsFor(first, 2, () => updateImage(k, APP, 'registry.example.com/web:v2'));
    const all = [...first, ...Array.from({ length: 49 }, subscriber)];
    await listening(all, app.id);
    const fifty = await statementsFor(all, 3, () => updateImage(k, APP, 'registry.example.com/web:v3'));

    for (const event of fifty.events) {
      expect(event).toMatchObject({ type: 'QUEUED', namespace: 'fan-test', app: 'web', revision: { number: 3, status: 'QUEUED', image: 'registry.example.com/web:v3', current: false, trigger: 'MANUAL' } });
    }
    // The api's statements for the mutation and its event do not grow with the subscribers.
    expect(fifty.statements).toBe(one.statements);

    // The next event of the same revision is read afresh: it is now live and current.
    await markLive(k, app.id, 3);
    const ds = k.kipper.services.dataSource;
    const revision = await ds.getRepository(Revision).findOneByOrFail({ appId: app.id, number: 3 });
    await k.kipper.services.events.revisionChanged(revision, await ds.getRepository(App).findOneByOrFail({ id: app.id }), DeployEventType.LIVE);
    for (const event of await allReceive(all, 3, 'LIVE')) {
      expect(event.revision).toMatchObject({ number: 3, status: 'LIVE', current: true });
    }

    // When they all leave, the api stops listening at once (no event needed to notice).
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    const redis = new Redis(k.redisUrl);
    try {
      const channel = k.kipper.services.pubsub.channel(topics.app(app.id));
      const listeners = async () => Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
      for (let i = 0; i < 100 && (await listeners()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await listeners()).toBe(0);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
