import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, githubSignature, loadConfig } from '@kipper/core';
import { createKipper, type Kipper } from '@kipper/api';
import { startSimulator } from '@kipper/kube-sim';
import { clearRedisPrefix, dropDatabase, randomSuffix, TEST_REDIS_URL, testDatabaseUrl } from '../support/kipper.js';
import { startWorkers, type WorkerGroup } from '../support/worker.js';

/**
 * No token, password, cookie or Authorization header in any log line: a representative flow
 * (a first start that creates the admin token, GraphQL with bearer tokens right and wrong,
 * webhooks with tokens, signatures and GitLab tokens right and wrong, a refused WebSocket, a
 * rollout by a worker) with the api's JSON log and the worker's output captured, then scanned
 * for every secret used.
 */

const name = `kipper_test_${randomSuffix()}`;
const prefix = `kipper-test-${randomSuffix()}`;
const apiLines: string[] = [];
const announced: string[] = [];
const metricsToken = randomBytes(24).toString('hex');
let sim: Awaited<ReturnType<typeof startSimulator>>;
let kipper: Kipper;
let url: string;
let workers: WorkerGroup | undefined;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, rolloutStepMs: 20 });
  const env = {
    KIPPER_PORT: '0',
    KIPPER_DATABASE_URL: testDatabaseUrl(name),
    KIPPER_REDIS_URL: TEST_REDIS_URL,
    KIPPER_QUEUE_PREFIX: prefix,
    KIPPER_KUBE_SERVER: sim.url,
    KIPPER_METRICS_TOKEN: metricsToken,
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      apiLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  kipper = createKipper(loadConfig(env), { consoleDir: null, log: createLogger({ component: 'api', format: 'json', level: 'debug', destination: sink }), announceToken: (lines) => announced.push(...lines) });
  ({ url } = await kipper.start());
  workers = await startWorkers({ databaseUrl: env.KIPPER_DATABASE_URL, queuePrefix: prefix, sim, env: { ...env, KIPPER_PUBLIC_URL: url } }, 1);
}, 120_000);

afterAll(async () => {
  await workers?.stop();
  await kipper?.stop();
  await sim?.close();
  await dropDatabase(name);
  await clearRedisPrefix(TEST_REDIS_URL, prefix);
});

describe('logs', () => {
  it('never hold a secret used in a representative flow', async () => {
    // The first start's admin token went to the person starting Kipper, not to the log.
    const adminToken = /^Admin API token \(shown once\): (kip_[A-Za-z0-9_-]+)$/.exec(announced[0] ?? '')?.[1];
    expect(adminToken).toBeDefined();
    const graphql = async (query: string, token: string) => {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, cookie: `kipper_session=${token}` }, body: JSON.stringify({ query }) });
      return (await res.json()) as { data?: Record<string, { token?: string }>; errors?: unknown[] };
    };
    const wrongBearer = randomBytes(32).toString('hex');
    expect((await graphql('{ projects { name } }', wrongBearer)).errors).toBeDefined();
    expect((await graphql('mutation { createProject(input: { name: "vault", environments: ["test"] }) { id } }', adminToken!)).errors).toBeUndefined();
    await kipper.services.apps.deploy({ project: 'vault', environment: 'test', name: 'api', port: 8080, image: 'registry.example.com/api:v1' }, 'admin');
    const webhookToken = (await graphql('mutation { enableWebhook(app: { namespace: "vault-test", name: "api" }) { token } }', adminToken!)).data!.enableWebhook!.token!;
    expect(webhookToken).toMatch(/^[0-9a-f]{64}$/);

    // A person with a password signs in (and once with a wrong one); the session's cookie and CSRF token are secrets too.
    const password = `pw-${randomBytes(12).toString('hex')}`;
    expect((await graphql(`mutation { createUser(input: { name: "nell", password: "${password}" }) { name } }`, adminToken!)).errors).toBeUndefined();
    const signIn = (pw: string) => fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nell', password: pw }) });
    expect((await signIn(`${password}-wrong`)).status).toBe(401);
    const session = await signIn(password);
    expect(session.status).toBe(200);
    const sessionCookie = /kipper_session=([^;]+)/.exec(session.headers.get('set-cookie') ?? '')?.[1];
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    expect(sessionCookie).toBeDefined();
    const me = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `kipper_session=${sessionCookie}`, 'x-kipper-csrf': csrfToken }, body: '{"query":"{ me { actor } }"}' });
    expect(await me.json()).toEqual({ data: { me: { actor: 'nell' } } });

    const hook = (headers: Record<string, string>, body: string) =>
      fetch(`${url}/api/v1/webhook/vault-test/api`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const wrongToken = randomBytes(32).toString('hex');
    const body = '{"image":"registry.example.com/api:v2"}';
    expect((await hook({ 'x-kipper-token': webhookToken }, body)).status).toBe(202);
    expect((await hook({ 'x-kipper-token': wrongToken }, body)).status).toBe(401);
    expect((await hook({ 'x-gitlab-token': wrongToken, 'x-gitlab-event': 'Push Hook' }, '{}')).status).toBe(401);
    const forged = githubSignature(wrongToken, Buffer.from(body));
    expect((await hook({ 'x-hub-signature-256': forged, 'x-github-event': 'push', 'x-github-delivery': randomSuffix() }, body)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/webhook/vault-test/api/revisions/2`, { headers: { 'x-kipper-token': webhookToken } })).status).toBe(200);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).status).toBe(200);

    // A WebSocket with a wrong token is refused (4403).
    const refused = await new Promise<unknown>((resolve) => {
      const client = createClient({ url: url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${wrongToken}` }, retryAttempts: 0, lazy: false, onNonLazyError: resolve });
      client.on('closed', (event) => {
        resolve(event);
        void client.dispose();
      });
    });
    expect((refused as { code?: number }).code).toBe(4403);

    // The worker rolls the webhook's revision out (and logs about it).
    const deadline = Date.now() + 30_000;
    while (!workers!.output().includes('revision #2 is live')) {
      if (Date.now() > deadline) throw new Error(workers!.output());
      await new Promise((r) => setTimeout(r, 100));
    }

    const logs = `${apiLines.join('\n')}\n${workers!.output()}`;
    expect(apiLines.length + workers!.output().split('\n').length).toBeGreaterThan(5);
    for (const [what, secret] of Object.entries({ adminToken: adminToken!, password, sessionCookie: sessionCookie!, csrfToken, webhookToken, wrongBearer, wrongToken, metricsToken, signature: forged.slice('sha256='.length) })) {
      expect(logs.includes(secret), `${what} is in the logs`).toBe(false);
    }
    expect(logs).not.toMatch(/authorization|cookie|Bearer [0-9a-f]/i);
    // Every api line is one JSON record.
    for (const line of apiLines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });
});
