import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { App, DeployPolicy, loadConfig, Revision, RevisionStatus, type Logger } from '@kipper/core';
import { createKipper, type Kipper } from '@kipper/api';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { startWorkers, type WorkerGroup } from '../support/worker.js';

/**
 * Two api processes and two workers against one PostgreSQL, one Redis and one cluster behave
 * as one Kipper: one webhook limit per app, live events across processes, one sweeper leader,
 * and rolling restarts that lose no accepted deploy. (The second api runs in this process,
 * as the first does; the workers are the production build, `node worker/dist/main.js`.)
 */

const BURST = 5;
const PER_SECOND = 2;

let k: RunningKipper;
let b: { kipper: Kipper; url: string; logs: string[] };
let workers: WorkerGroup;
const tokens: Record<string, string> = {};

async function startSecondApi(): Promise<{ kipper: Kipper; url: string; logs: string[] }> {
  const logs: string[] = [];
  const log: Logger = { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
  const kipper = createKipper(loadConfig(k.env), { log, consoleDir: null });
  const { url } = await kipper.start();
  return { kipper, url, logs };
}

beforeAll(async () => {
  k = await startKipper({ env: { KIPPER_WEBHOOK_RATE_BURST: String(BURST), KIPPER_WEBHOOK_RATE_PER_SECOND: String(PER_SECOND) } });
  b = await startSecondApi();
  workers = await startWorkers(k, 2);
  const services = k.kipper.services;
  await services.projects.create({ name: 'duo', environments: ['test'] }, 'admin');
  for (const name of ['limited', 'live', 'steady']) {
    const { app } = await services.apps.deploy({ project: 'duo', environment: 'test', name, port: 8080, image: `registry.example.com/${name}:v0` }, 'admin');
    if (name === 'steady') await services.dataSource.getRepository(App).update(app.id, { deployPolicy: DeployPolicy.EVERY });
    tokens[name] = (await services.webhooks.enable(app, 'admin')).token;
  }
}, 120_000);

afterAll(async () => {
  await workers?.stop();
  await b?.kipper.stop();
  await k?.stop();
});

async function deliver(base: string, app: string, tag: string): Promise<{ status: number; revision?: number }> {
  try {
    const res = await fetch(`${base}/api/v1/webhook/duo-test/${app}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': tokens[app]! },
      body: JSON.stringify({ image: `registry.example.com/${app}:${tag}` }),
    });
    const body = (await res.json()) as { revision?: { number?: number } };
    return { status: res.status, revision: body.revision?.number };
  } catch {
    return { status: 0 }; // the api was restarting: no answer, nothing promised
  }
}

async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, describe: () => Promise<string> | string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting:\n${await describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function revisionsOf(name: string): Promise<Revision[]> {
  const ds = k.kipper.services.dataSource;
  const app = await ds.getRepository(App).findOneByOrFail({ namespace: 'duo-test', name });
  return ds.getRepository(Revision).find({ where: { appId: app.id }, order: { number: 'ASC' } });
}

describe('two apis and two workers', () => {
  it('share one webhook limit per app: deliveries spread over both apis meet one bucket, not two', async () => {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 4 * BURST }, (_, i) => deliver(i % 2 === 0 ? k.url : b.url, 'limited', `r${i}`)));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const accepted = answers.filter((a) => a.status === 202).length;
    const limited = answers.filter((a) => a.status === 429).length;
    expect(accepted + limited).toBe(answers.length);
    // One bucket: the burst plus what refilled meanwhile. Two buckets would have let 2 × BURST through at least.
    expect(accepted).toBeGreaterThanOrEqual(BURST);
    expect(accepted).toBeLessThanOrEqual(BURST + Math.ceil(elapsedSeconds * PER_SECOND));
    expect(accepted).toBeLessThan(2 * BURST);
  });

  it('a subscription on api A sees a deploy accepted by api B and rolled out by a worker', async () => {
    const events: { type: string; revision: { number: number } | null }[] = [];
    const client = createClient({ url: k.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${k.adminToken}` }, retryAttempts: 0 });
    const redis = new Redis(k.redisUrl);
    try {
      const stop = client.subscribe<{ appEvents: { type: string; revision: { number: number } | null } }>(
        { query: 'subscription { appEvents(app: { namespace: "duo-test", name: "live" }) { type revision { number } } }' },
        { next: (value) => void (value.data && events.push(value.data.appEvents)), error: () => undefined, complete: () => undefined },
      );
      const app = await k.kipper.services.dataSource.getRepository(App).findOneByOrFail({ namespace: 'duo-test', name: 'live' });
      const channel = k.kipper.services.pubsub.channel(`app:${app.id}`);
      await waitFor(async () => Number(((await redis.pubsub('NUMSUB', channel)) as [string, number])[1]) > 0, 10_000);

      const answer = await deliver(b.url, 'live', 'v1');
      expect(answer.status).toBe(202);
      await waitFor(async () => events.some((e) => e.type === 'LIVE' && e.revision?.number === answer.revision), 30_000, () => `${JSON.stringify(events)}\n${workers.output()}`);
      expect(events.filter((e) => e.revision?.number === answer.revision).map((e) => e.type)).toEqual(expect.arrayContaining(['QUEUED', 'ROLLING_OUT', 'LIVE']));
      stop();
    } finally {
      await client.dispose();
      redis.disconnect();
    }
  });

  it('has one sweeper leader (it also schedules the git checks) among the workers', () => {
    const leaders = workers.handles.filter((h) => h.output().includes('sweeper: this process is the leader'));
    expect(leaders).toHaveLength(1);
  });

  it('rolling restarts of api A and worker 1 while deliveries continue: every 202 becomes a live revision', async () => {
    const accepted: number[] = [];
    let sending = true;
    let n = 0;
    let apiA: { url: string } = { url: k.url };
    // One delivery every 600 ms (under the 2/s limit), to whichever api is up, alternating.
    const sender = (async () => {
      while (sending) {
        n++;
        const base = n % 2 === 0 ? b.url : apiA.url;
        const answer = await deliver(base, 'steady', `s${n}`);
        if (answer.status === 202 && answer.revision !== undefined) accepted.push(answer.revision);
        else if (answer.status !== 0 && answer.status !== 429) throw new Error(`unexpected answer ${answer.status}`);
        await new Promise((r) => setTimeout(r, 600));
      }
    })();

    await new Promise((r) => setTimeout(r, 2_000));
    // Api A goes away (its port closes) and comes back as a new process would, on a new port.
    await k.kipper.stop();
    apiA = { url: 'http://127.0.0.1:1' };
    await new Promise((r) => setTimeout(r, 1_000));
    const restarted = await (async () => {
      const logs: string[] = [];
      const kipper = createKipper(loadConfig(k.env), { log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) }, consoleDir: null });
      const { url } = await kipper.start();
      return { kipper, url };
    })();
    apiA = { url: restarted.url };
    await new Promise((r) => setTimeout(r, 2_000));
    // Worker 1 stops gracefully (its running work goes back to the queue) and starts again.
    await workers.handles[0]!.restart();
    await new Promise((r) => setTimeout(r, 2_000));
    sending = false;
    await sender;

    try {
      expect(accepted.length).toBeGreaterThanOrEqual(8);
      const ds = restarted.kipper.services.dataSource;
      const app = await ds.getRepository(App).findOneByOrFail({ namespace: 'duo-test', name: 'steady' });
      await waitFor(
        async () => {
          const rows = await ds.getRepository(Revision).find({ where: { appId: app.id } });
          const status = new Map(rows.map((r) => [r.number, r.status]));
          return accepted.every((number) => status.get(number) === RevisionStatus.LIVE);
        },
        90_000,
        async () => `accepted ${accepted.join(',')}\n${(await revisionsOf('steady')).map((r) => `#${r.number} ${r.status} ${r.failureReason ?? ''}`).join('\n')}\n${workers.output()}`,
      );
    } finally {
      await restarted.kipper.stop();
    }
  });
});
