import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, loadConfig, runInRequestScope } from '@kipper/core';
import { startSimulator } from '@kipper/kube-sim';
import { createKipper } from '../src/server/kipper.js';
import { dropDatabase, randomSuffix, startKipper, TEST_REDIS_URL, testDatabaseUrl, type RunningKipper } from '../../test/support/kipper.js';

/** One sample's value from a Prometheus text scrape (undefined when absent). */
export function sample(scrape: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of scrape.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

let k: RunningKipper;
const scrape = async () => {
  const res = await fetch(`${k.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};

beforeAll(async () => {
  k = await startKipper();
});
afterAll(async () => {
  await k?.stop();
});

describe('health', () => {
  it('/healthz says the process is alive; /readyz that PostgreSQL, Redis and the cluster answer', async () => {
    const health = await fetch(`${k.url}/healthz`);
    expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await fetch(`${k.url}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok', cluster: 'ok' } } });
  });

  it('/readyz answers 503 naming the cluster when it is gone, while /healthz stays 200; /metrics wants the metrics token when one is set', async () => {
    const name = `kipper_test_${randomSuffix()}`;
    const sim = await startSimulator({ port: 0 });
    const metricsToken = 'm'.repeat(40);
    const kipper = createKipper(
      loadConfig({
        KIPPER_PORT: '0',
        KIPPER_DATABASE_URL: testDatabaseUrl(name),
        KIPPER_REDIS_URL: TEST_REDIS_URL,
        KIPPER_QUEUE_PREFIX: `kipper-test-${randomSuffix()}`,
        KIPPER_ADMIN_TOKEN: 'x'.repeat(32),
        KIPPER_KUBE_SERVER: sim.url,
        KIPPER_METRICS_TOKEN: metricsToken,
      }),
      { consoleDir: null, log: { info: () => undefined, warn: () => undefined, error: () => undefined } },
    );
    try {
      const { url } = await kipper.start();
      await sim.close();
      const ready = await fetch(`${url}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, string>; error: { message: string } };
      expect(ready.status).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(body.checks.postgres).toBe('ok');
      expect(body.checks.redis).toBe('ok');
      expect(body.checks.cluster).toMatch(/^unreachable: /);
      expect(body.error.message).toBe('not reachable: cluster');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      // Even from this machine: with a token set, only the token opens /metrics.
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${'n'.repeat(40)}` } })).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken.slice(0, 10)}` } })).status).toBe(401);
      const open = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(open.status).toBe(200);
      expect(await open.text()).toContain('# TYPE kipper_webhook_deliveries_total counter');
    } finally {
      await kipper.stop();
      await sim.close().catch(() => undefined);
      await dropDatabase(name);
    }
  });
});

describe('metrics', () => {
  it('counts webhook deliveries by source and outcome, their latency, and the revisions they record', async () => {
    const { app } = await k.kipper.services.apps.deploy({ project: await project('hooks'), environment: 'test', name: 'api', port: 8080, image: 'registry.example.com/api:v1' }, 'admin');
    const { token } = await k.kipper.services.webhooks.enable(app, 'admin');
    const before = await scrape();
    const post = (headers: Record<string, string>, body: string) => fetch(`${k.url}/api/v1/webhook/hooks-test/api`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post({ 'x-kipper-token': token }, '{"image":"registry.example.com/api:v2"}')).status).toBe(202);
    expect((await post({ 'x-kipper-token': 'f'.repeat(64) }, '{"image":"registry.example.com/api:v3"}')).status).toBe(401);
    expect((await post({ 'x-kipper-token': token, 'x-github-event': 'ping', 'x-github-delivery': randomSuffix() }, '{"zen":"hi"}')).status).toBe(200);
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('kipper_webhook_deliveries_total', { source: 'kipper', outcome: 'accepted' })).toBe(1);
    expect(delta('kipper_webhook_deliveries_total', { source: 'kipper', outcome: 'unauthenticated' })).toBe(1);
    expect(delta('kipper_webhook_deliveries_total', { source: 'github', outcome: 'ping' })).toBe(1);
    expect(delta('kipper_webhook_duration_seconds_count', { source: 'kipper' })).toBe(2);
    // The first deploy (by the service) and the webhook's: two revisions recorded as queued.
    expect(sample(after, 'kipper_revision_transitions_total', { from: 'new', to: 'queued' })).toBeGreaterThanOrEqual(2);
    expect(after).toMatch(/^process_cpu_seconds_total\{component="api"\} /m);
  });

  it('counts GraphQL operations by type and outcome, and the subscriptions open', async () => {
    const before = await scrape();
    await k.graphql('{ projects { name } }');
    await k.graphql('{ nope }');
    const after = await scrape();
    const delta = (labels: Record<string, string>) => (sample(after, 'kipper_graphql_operations_total', labels) ?? 0) - (sample(before, 'kipper_graphql_operations_total', labels) ?? 0);
    expect(delta({ type: 'query', outcome: 'ok' })).toBe(1);
    expect(delta({ type: 'unknown', outcome: 'error' })).toBe(1);

    await project('subs');
    const client = createClient({ url: k.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${k.adminToken}` }, retryAttempts: 0, lazy: false });
    const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const stop = client.subscribe({ query: 'subscription { projectEvents(project: "subs") { type } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await subscribed;
    await until(async () => sample(await scrape(), 'kipper_subscriptions_open') === 1);
    stop();
    await until(async () => sample(await scrape(), 'kipper_subscriptions_open') === 0);
    // A socket that goes away ends its subscriptions too.
    const again = client.subscribe({ query: 'subscription { projectEvents(project: "subs") { type } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await until(async () => sample(await scrape(), 'kipper_subscriptions_open') === 1);
    await client.dispose();
    again();
    await until(async () => sample(await scrape(), 'kipper_subscriptions_open') === 0);
  });

  it('answers /metrics to callers on this machine only when no token is set', async () => {
    // The check reads the socket's address: X-Forwarded-For cannot make a remote caller local, nor this one remote.
    const res = await fetch(`${k.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});

describe('logs', () => {
  it('writes JSON lines with level, time, component and the request id of the request that caused them', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const log = createLogger({ component: 'api', format: 'json', destination: sink });
    const name = `kipper_test_${randomSuffix()}`;
    const kipper = createKipper(
      loadConfig({ KIPPER_PORT: '0', KIPPER_DATABASE_URL: testDatabaseUrl(name), KIPPER_REDIS_URL: TEST_REDIS_URL, KIPPER_QUEUE_PREFIX: `kipper-test-${randomSuffix()}`, KIPPER_ADMIN_TOKEN: 'x'.repeat(32), KIPPER_KUBE_SERVER: k.sim.url }),
      { consoleDir: null, log },
    );
    try {
      const { url } = await kipper.start();
      // A GraphQL error that is Kipper's fault is logged; the request id the caller sent is the one on the line.
      const res = await fetch(`${url}/api/v1/webhook/shop-test/api`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-42' }, body: '{}' });
      expect(res.headers.get('x-request-id')).toBe('trace-me-42');
      await res.arrayBuffer();
      log.info('outside any request', { app: 'shop-test/api', revision: 3 });
      runInRequestScope({ requestId: 'trace-me-42', sourceAddress: '127.0.0.1' }, () => log.warn('inside one', new Error('boom'), { project: 'shop' }));
      log.error('with a credential by mistake', undefined, { authorization: 'Bearer abc', token: 'def' });
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const [outside, inside, mistaken] = records.slice(-3);
      expect(outside).toMatchObject({ level: 'info', component: 'api', msg: 'outside any request', app: 'shop-test/api', revision: 3 });
      expect(typeof outside!.time).toBe('string');
      expect(new Date(outside!.time as string).toISOString()).toBe(outside!.time);
      expect(outside!.requestId).toBeUndefined();
      expect(inside).toMatchObject({ level: 'warn', component: 'api', requestId: 'trace-me-42', project: 'shop', msg: 'inside one' });
      expect(inside!.error).toMatch(/^Error: boom/);
      expect(mistaken).toMatchObject({ authorization: '[redacted]', token: '[redacted]' });
    } finally {
      await kipper.stop();
      await dropDatabase(name);
    }
  });
});

async function project(name: string): Promise<string> {
  await k.kipper.services.projects.create({ name, environments: ['test'] }, 'admin');
  return name;
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
