import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@kipper/kube-sim';
import { ConfigError, loadConfig } from '@kipper/core';
import { CONSOLE_SECURITY_HEADERS } from '../src/server/console.js';
import { createKipper } from '../src/server/kipper.js';
import { dropDatabase, randomSuffix, startKipper, testDatabaseUrl, TEST_REDIS_URL, type RunningKipper } from '../../test/support/kipper.js';
import { createProject, deployApp, ok } from './helpers.js';

let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper();
});
afterAll(async () => {
  await k?.stop();
});

describe('the HTTP server', () => {
  it('answers /healthz', async () => {
    const res = await fetch(`${k.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the webhook shim on the same port: the seed\'s curl deploys and is in the history', async () => {
    await createProject(k, 'yourr-name');
    await deployApp(k, { project: 'yourr-name', environment: 'test', name: 'api', image: 'registry.example.com/api:ghi789b' });
    const secret = ok(
      await k.graphql<{ enableWebhook: { url: string; token: string; snippets: { gitlabCi: string }; webhook: { enabled: boolean } } }>(
        'mutation { enableWebhook(app: { project: "yourr-name", environment: "test", name: "api" }) { url token snippets { gitlabCi } webhook { enabled } } }',
      ),
    ).enableWebhook;
    expect(secret.url).toBe(`${k.url}/api/v1/webhook/yourr-name-test/api`);
    expect(secret.token).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.webhook.enabled).toBe(true);

    const res = await fetch(secret.url, {
      method: 'POST',
      headers: { 'X-Kipper-Token': secret.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: 'registry.example.com/api:abc123f', commit: 'abc123f' }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ revision: { number: 2 } });
    const history = ok(
      await k.graphql<{ app: { revisions: { nodes: { number: number; trigger: string; commit: string | null }[] }; webhook: { enabled: boolean } } }>(
        '{ app(ref: { namespace: "yourr-name-test", name: "api" }) { webhook { enabled } revisions { nodes { number trigger commit } } } }',
      ),
    ).app;
    expect(history.revisions.nodes.map((r) => [r.number, r.trigger, r.commit])).toEqual([
      [2, 'WEBHOOK', 'abc123f'],
      [1, 'MANUAL', null],
    ]);

    // The token is shown again by webhookSecret, and a wrong one is refused with a JSON error.
    const again = ok(await k.graphql<{ webhookSecret: { token: string } }>('{ webhookSecret(app: { name: "api" }) { token } }')).webhookSecret;
    expect(again.token).toBe(secret.token);
    const refused = await fetch(secret.url, { method: 'POST', headers: { 'X-Kipper-Token': 'f'.repeat(64), 'Content-Type': 'application/json' }, body: '{"image":"a:b"}' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect(k.logs.join('\n')).not.toContain(secret.token);
  });

  it('answers / without a built console', async () => {
    const res = await fetch(`${k.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/GraphQL at \/graphql/);
  });

  it('ignores X-Forwarded-For by default: a client naming a new address on every try still meets the failure limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push(await wrongToken(k.url, `192.0.2.${i + 1}`));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
  });
});

/** A webhook with a wrong token from `forwardedFor` (as an ingress would say): the status. */
async function wrongToken(url: string, forwardedFor: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/webhook/nowhere-test/api`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Kipper-Token': 'f'.repeat(64), 'X-Forwarded-For': forwardedFor },
    body: '{}',
  });
  await res.arrayBuffer();
  return res.status;
}

describe('KIPPER_TRUST_PROXY', () => {
  const base = { KIPPER_ADMIN_TOKEN: 'x'.repeat(32) };
  const trust = (value?: string) => loadConfig({ ...base, ...(value === undefined ? {} : { KIPPER_TRUST_PROXY: value }) }).trustProxy;

  it('trusts no proxy by default and accepts what express\'s trust proxy accepts', () => {
    expect(trust()).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 192.168.1.7,fd00::/8, loopback, uniquelocal, 10.1.0.0/255.255.0.0')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      'loopback',
      'uniquelocal',
      '10.1.0.0/255.255.0.0',
    ]);
  });

  it('refuses anything else with one clear line', () => {
    for (const wrong of ['yes', '10.0.0.0/33', 'fd00::/129', 'ingress.local', '10.0.0.1,', '-1', '10.0.0.0/8/8']) {
      expect(() => trust(wrong), wrong).toThrow(ConfigError);
    }
    expect(() => trust('ingress.local')).toThrow('KIPPER_TRUST_PROXY must be false, true, a hop count, or a comma-separated list of addresses, CIDRs, loopback, linklocal or uniquelocal; "ingress.local" is none of them');
  });
});

describe('the console', () => {
  it('serves console/dist with index.html for client-side routes and security headers, and leaves /graphql alone; KIPPER_TRUST_PROXY=false ignores X-Forwarded-For', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kipper-console-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Kipper console</title>');
    await writeFile(join(dir, 'app.js'), 'console.log("hi")');
    const name = `kipper_test_${randomSuffix()}`;
    const sim = await startSimulator({ port: 0 });
    const kipper = createKipper(
      loadConfig({
        KIPPER_PORT: '0',
        KIPPER_DATABASE_URL: testDatabaseUrl(name),
        KIPPER_REDIS_URL: TEST_REDIS_URL,
        KIPPER_QUEUE_PREFIX: `kipper-test-${randomSuffix()}`,
        KIPPER_ADMIN_TOKEN: 'x'.repeat(32),
        KIPPER_KUBE_SERVER: sim.url,
        KIPPER_TRUST_PROXY: 'false',
      }),
      { consoleDir: dir, log: { info: () => undefined, warn: () => undefined, error: () => undefined } },
    );
    try {
      const { url } = await kipper.start();
      expect(await (await fetch(`${url}/`)).text()).toContain('Kipper console');
      expect(await (await fetch(`${url}/projects/shop/apps/api`)).text()).toContain('Kipper console');
      expect(await (await fetch(`${url}/app.js`)).text()).toContain('hi');
      for (const path of ['/', '/projects/shop/apps/api', '/app.js', '/missing.png']) {
        const res = await fetch(`${url}${path}`);
        await res.arrayBuffer();
        expect(Object.fromEntries(Object.keys(CONSOLE_SECURITY_HEADERS).map((h) => [h, res.headers.get(h)])), path).toEqual(CONSOLE_SECURITY_HEADERS);
      }
      expect(CONSOLE_SECURITY_HEADERS['Content-Security-Policy']).toBe(
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
      );
      // Every request is from 127.0.0.1 whatever it forwards: one failure budget (10 per URL).
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await wrongToken(url, `192.0.2.${i + 1}`));
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual([429, 429]);
      const graphql = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ projects { id } }"}' });
      expect(graphql.status).toBe(401);
    } finally {
      await kipper.stop();
      await sim.close();
      await dropDatabase(name);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
