import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyNotificationSignature, type NotificationPayload } from '@kipper/core';
import { runCli, type Io } from '@kipper/cli';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { waitFor } from './harness.js';

/**
 * Notifications through the real path: the api records revision events, the worker process fans
 * them out on the reports queue and POSTs them to receivers on 127.0.0.1 (allowed here with
 * KIPPER_NOTIFY_ALLOW_PRIVATE). Receivers that fail, refuse connections or never answer are
 * retried and recorded, and the deploys beside them are not slowed down.
 */

interface Received {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('worker: notifications to webhooks and Slack', () => {
  let kipper: RunningKipper;
  let receiver: Server;
  let base = '';
  let closedPort = 0;
  let flakyUp = false;
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const channels: Record<string, { id: string; secret: string | null }> = {};
  let baselineMs = 0;

  const gql = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => kipper.data<T>(query, variables);
  const at = (path: string) => received.filter((r) => r.path === path);
  const payloads = (path: string) => at(path).map((r) => ({ ...r, payload: JSON.parse(r.body) as NotificationPayload }));

  interface Attempt {
    deliveryId: string;
    event: string;
    attempt: number;
    outcome: string;
    statusCode: number | null;
    error: string | null;
    latencyMs: number;
    responseExcerpt: string | null;
    revision: { number: number } | null;
  }
  const attempts = async (name: string): Promise<Attempt[]> =>
    (
      await gql<{ notificationDeliveries: Attempt[] }>(
        `query($id: ID!) { notificationDeliveries(channel: $id, first: 100) { deliveryId event attempt outcome statusCode error latencyMs responseExcerpt revision { number } } }`,
        { id: channels[name]!.id },
      )
    ).notificationDeliveries.reverse();

  async function deployAndTime(project: string, name: string, image: string): Promise<number> {
    const started = Date.now();
    const { deployApp } = await gql<{ deployApp: { id: string } }>(
      `mutation($input: DeployAppInput!) { deployApp(input: $input) { id } }`,
      { input: { project, name, image, port: 8080, replicas: 2 } },
    );
    await liveRevision(deployApp.id, 1);
    return Date.now() - started;
  }

  async function liveRevision(appId: string, number: number): Promise<void> {
    await waitFor(
      async () => {
        const rows = (await kipper.kipper.services.dataSource.query(`SELECT status FROM revision WHERE app_id = $1 AND number = $2`, [appId, number])) as { status: string }[];
        return rows[0]?.status === 'live';
      },
      { timeoutMs: 20_000, intervalMs: 25, describe: () => kipper.workers!.output() },
    );
  }

  async function addChannel(name: string, input: Record<string, unknown>): Promise<void> {
    const { createNotificationChannel } = await gql<{ createNotificationChannel: { channel: { id: string }; signingSecret: string | null } }>(
      `mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { channel { id } signingSecret } }`,
      { input: { project: 'notify', ...input } },
    );
    channels[name] = { id: createNotificationChannel.channel.id, secret: createNotificationChannel.signingSecret };
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, at: Date.now(), headers: req.headers, body });
        if (path === '/hang') {
          hanging.push(res);
          return;
        }
        if (path === '/flaky' && !flakyUp) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver down');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    closedPort = (closed.address() as AddressInfo).port;
    closed.close();

    kipper = await startKipper({ worker: true, rolloutStepMs: 100, env: { KIPPER_NOTIFY_ALLOW_PRIVATE: 'true' }, simulator: { crashAfterMs: 2_000 } });
    await gql(`mutation { createProject(input: { name: "quiet", environments: ["test"] }) { name } }`);
    await gql(`mutation { createProject(input: { name: "notify", environments: ["test", "prod"] }) { name } }`);
  });

  afterAll(async () => {
    for (const res of hanging) res.destroy();
    receiver?.closeAllConnections();
    receiver?.close();
    await kipper?.stop();
  });

  it('baseline: a deploy in a project without channels', async () => {
    baselineMs = await deployAndTime('quiet', 'calm', 'registry.example.com/calm:v1');
    expect(baselineMs).toBeLessThan(15_000);
  });

  it('a deploy sends revision.queued then revision.live, signed, while receivers that fail, refuse or hang slow it down not at all', async () => {
    await addChannel('ok', { url: `${base}/ok` });
    await addChannel('slack', { url: `${base}/slack`, kind: 'SLACK' });
    await addChannel('flaky', { url: `${base}/flaky`, events: ['REVISION_LIVE'] });
    await addChannel('closed', { url: `http://127.0.0.1:${closedPort}/hook`, events: ['REVISION_LIVE'] });
    await addChannel('hang', { url: `${base}/hang`, events: ['REVISION_QUEUED'] });

    const deployMs = await deployAndTime('notify', 'api', 'registry.example.com/api:v1');
    // The hanging receiver holds its first attempt for 5 s; the deploy does not wait for it.
    expect(deployMs).toBeLessThan(Math.max(baselineMs * 2, baselineMs + 2_000));
    expect(deployMs).toBeLessThan(5_000);

    const live = await waitFor(async () => payloads('/ok').find((r) => r.payload.type === 'revision.live' && r.payload.app === 'api'), { timeoutMs: 15_000 });
    const queued = payloads('/ok').find((r) => r.payload.type === 'revision.queued' && r.payload.app === 'api')!;
    expect(queued).toBeDefined();
    expect(Date.parse(queued.payload.at)).toBeLessThan(Date.parse(live.payload.at));
    for (const request of [queued, live]) {
      expect(verifyNotificationSignature(channels.ok!.secret!, request.body, request.headers['x-kipper-signature-256'] as string)).toBe(true);
      expect(verifyNotificationSignature('0'.repeat(64), request.body, request.headers['x-kipper-signature-256'] as string)).toBe(false);
      expect(request.headers['x-kipper-event']).toBe(request.payload.type);
      expect(request.headers['x-kipper-delivery']).toBe(request.payload.id);
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(live.payload).toEqual({
      id: expect.any(String),
      type: 'revision.live',
      at: expect.any(String),
      project: 'notify',
      environment: 'test',
      namespace: 'notify-test',
      app: 'api',
      revision: { number: 1, status: 'live', image: 'registry.example.com/api:v1', commit: null, trigger: 'manual', triggeredBy: 'admin', failureReason: null },
      message: 'registry.example.com/api:v1 is live',
      url: `${kipper.url}/#/apps/notify-test/api/deploys`,
    });
    // Nothing for the project without channels.
    expect(payloads('/ok').some((r) => r.payload.app === 'calm')).toBe(false);
  });

  it('a Slack-compatible receiver gets one readable line', async () => {
    const slack = await waitFor(async () => at('/slack').find((r) => (JSON.parse(r.body) as { text: string }).text.includes('is live')), { timeoutMs: 15_000 });
    expect(JSON.parse(slack.body)).toEqual({
      text: `:white_check_mark: *api* revision #1 is live in *test* (registry.example.com/api:v1, by admin) <${kipper.url}/#/apps/notify-test/api/deploys|open>`,
    });
    expect(slack.headers['x-kipper-signature-256']).toBeUndefined();
  });

  it('a receiver answering 500 is retried with exponential back-off, every attempt recorded, until it answers 200', async () => {
    await waitFor(async () => at('/flaky').length >= 3, { timeoutMs: 20_000 });
    const [first, second, third] = at('/flaky');
    const gap1 = second!.at - first!.at;
    const gap2 = third!.at - second!.at;
    expect(gap1).toBeGreaterThanOrEqual(700);
    expect(gap2).toBeGreaterThan(gap1 * 1.4);
    // One notification: the same delivery id on every attempt.
    expect(new Set(at('/flaky').map((r) => r.headers['x-kipper-delivery'])).size).toBe(1);

    const failing = await waitFor(async () => {
      const list = await attempts('flaky');
      return list.length >= 3 ? list : undefined;
    });
    expect(failing.slice(0, 3).map((a) => [a.attempt, a.outcome, a.statusCode, a.responseExcerpt, a.event, a.revision?.number])).toEqual([
      [1, 'RETRYING', 500, 'receiver down', 'REVISION_LIVE', 1],
      [2, 'RETRYING', 500, 'receiver down', 'REVISION_LIVE', 1],
      [3, 'RETRYING', 500, 'receiver down', 'REVISION_LIVE', 1],
    ]);
    for (const a of failing) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    expect(new Set(failing.map((a) => a.deliveryId)).size).toBe(1);

    flakyUp = true;
    const delivered = await waitFor(async () => (await attempts('flaky')).find((a) => a.outcome === 'DELIVERED'), { timeoutMs: 30_000 });
    expect(delivered).toMatchObject({ statusCode: 200, responseExcerpt: 'ok', deliveryId: failing[0]!.deliveryId });
    expect(delivered.attempt).toBeGreaterThanOrEqual(4);
  });

  it('a receiver that is not listening: connection refused, retried and recorded', async () => {
    const list = await waitFor(async () => {
      const all = await attempts('closed');
      return all.length >= 2 ? all : undefined;
    }, { timeoutMs: 20_000 });
    expect(list.slice(0, 2).map((a) => [a.attempt, a.outcome, a.statusCode, a.error])).toEqual([
      [1, 'RETRYING', null, 'connection refused (nothing listening)'],
      [2, 'RETRYING', null, 'connection refused (nothing listening)'],
    ]);
  });

  it('a receiver that never answers is given up on after 5 s, recorded', async () => {
    const timedOut = await waitFor(async () => (await attempts('hang'))[0], { timeoutMs: 20_000 });
    expect(timedOut).toMatchObject({ attempt: 1, outcome: 'RETRYING', statusCode: null, error: 'no answer within 5000 ms', event: 'REVISION_QUEUED' });
    expect(timedOut.latencyMs).toBeGreaterThanOrEqual(5_000);
    expect(timedOut.latencyMs).toBeLessThan(7_000);
  });

  it('kip notifications deliveries lists the attempts', async () => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => (out += s), isTTY: false },
      stderr: { write: (s: string) => (err += s), isTTY: false },
      stdin: process.stdin,
      env: { KIPPER_SERVER: kipper.url, KIPPER_TOKEN: kipper.adminToken, XDG_CONFIG_HOME: '/nonexistent/kip-test' },
      now: () => new Date(),
    } as unknown as Io;
    const code = await runCli(['notifications', 'deliveries', channels.flaky!.id, '-o', 'json'], io);
    expect(err).toBe('');
    expect(code).toBe(0);
    const { deliveries } = JSON.parse(out) as { deliveries: { attempt: number; outcome: string; statusCode: number; event: string; revision: number }[] };
    expect(deliveries.at(-1)).toMatchObject({ attempt: 1, outcome: 'retrying', statusCode: 500, event: 'revision.live', revision: 1 });
    expect(deliveries[0]).toMatchObject({ outcome: 'delivered', statusCode: 200 });
  });

  it('a rollback that goes live is revision.rolled_back (not revision.live)', async () => {
    const ref = { project: 'notify', environment: 'test', name: 'api' };
    const { updateImage } = await gql<{ updateImage: { number: number } }>(`mutation($app: AppRef!) { updateImage(app: $app, image: "registry.example.com/api:v2") { number } }`, { app: ref });
    await waitFor(async () => payloads('/ok').find((r) => r.payload.type === 'revision.live' && r.payload.revision.number === updateImage.number), { timeoutMs: 15_000 });
    const { rollbackApp } = await gql<{ rollbackApp: { number: number } }>(`mutation($app: AppRef!) { rollbackApp(app: $app) { number } }`, { app: ref });
    const rolledBack = await waitFor(async () => payloads('/ok').find((r) => r.payload.type === 'revision.rolled_back'), { timeoutMs: 15_000 });
    expect(rolledBack.payload.revision).toMatchObject({ number: rollbackApp.number, status: 'live', image: 'registry.example.com/api:v1', trigger: 'rollback' });
    expect(payloads('/ok').some((r) => r.payload.type === 'revision.live' && r.payload.revision.number === rollbackApp.number)).toBe(false);
  });

  it('an app that crash-loops after going live is app.degraded', async () => {
    await deployAndTime('notify', 'crashy', 'registry.example.com/crashy:sim-crash');
    const degraded = await waitFor(async () => payloads('/ok').find((r) => r.payload.type === 'app.degraded' && r.payload.app === 'crashy'), { timeoutMs: 20_000 });
    expect(degraded.payload.message).toMatch(/^Degraded: CrashLoopBackOff/);
    expect(degraded.payload.revision.number).toBe(1);
    const slack = await waitFor(async () => at('/slack').find((r) => (JSON.parse(r.body) as { text: string }).text.startsWith(':warning: *crashy* is degraded')), { timeoutMs: 10_000 });
    expect(slack).toBeDefined();
  });

  it('the signing secrets are nowhere in PostgreSQL', async () => {
    const ds = kipper.kipper.services.dataSource;
    const tables = (await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)) as { tablename: string }[];
    for (const needle of [channels.ok!.secret!, channels.flaky!.secret!]) {
      for (const { tablename } of tables) {
        const [row] = (await ds.query(`SELECT count(*)::int AS n FROM "${tablename}" t WHERE t::text LIKE '%' || $1 || '%'`, [needle])) as { n: number }[];
        expect(row!.n, `${tablename} holds ${needle.slice(0, 12)}…`).toBe(0);
      }
    }
  });
});
