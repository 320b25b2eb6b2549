import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, hashToken } from '@kipper/core';
import { createKipper } from '../src/server/kipper.js';
import { dropDatabase, randomSuffix, startKipper, testDatabaseUrl, TEST_REDIS_URL, type RunningKipper } from '../../test/support/kipper.js';
import { startSimulator } from '@kipper/kube-sim';
import { ok } from './helpers.js';

let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper();
});
afterAll(async () => {
  await k?.stop();
});

async function post(token: string | null) {
  const res = await fetch(k.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== null ? { authorization: token } : {}) },
    body: JSON.stringify({ query: '{ projects { name } }' }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
}

describe('GraphQL over HTTP', () => {
  it('refuses a request without a token', async () => {
    const { status, body } = await post(null);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.errors?.[0]?.message).toMatch(/Authorization: Bearer/);
    expect(body.data).toBeUndefined();
  });

  it('refuses a wrong token, and one that is not a bearer token', async () => {
    for (const header of [`Bearer ${randomBytes(32).toString('hex')}`, `Bearer ${k.adminToken.slice(0, -1)}${k.adminToken.endsWith('0') ? '1' : '0'}`, k.adminToken, `Basic ${k.adminToken}`]) {
      const { status, body } = await post(header);
      expect(status, header.slice(0, 10)).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('accepts the admin token', async () => {
    const { status, body } = await post(`Bearer ${k.adminToken}`);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { projects: [] } });
  });

  it('answers a malformed query with VALIDATION_FAILED and an unknown field likewise', async () => {
    const bad = await k.graphql('{ projects { name ');
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const unknown = await k.graphql('{ projects { nope } }');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const badVariable = await k.graphql('query($n: String!) { project(name: $n) { id } }', { n: 42 });
    expect(badVariable.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
  });
});

describe('GraphQL over WebSocket', () => {
  function connect(authorization: string | undefined) {
    return new Promise<{ closed?: number; ok?: boolean }>((resolve) => {
      const client = createClient({
        url: k.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        connectionParams: authorization === undefined ? {} : { authorization },
        on: {
          connected: () => {
            resolve({ ok: true });
            void client.dispose();
          },
          closed: (event) => resolve({ closed: (event as { code: number }).code }),
        },
        onNonLazyError: () => undefined,
      });
    });
  }

  it('closes with 4403 without a token or with a wrong one', async () => {
    expect(await connect(undefined)).toEqual({ closed: 4403 });
    expect(await connect(`Bearer ${randomBytes(32).toString('hex')}`)).toEqual({ closed: 4403 });
  });

  it('accepts the admin token in connectionParams.authorization', async () => {
    expect(await connect(`Bearer ${k.adminToken}`)).toEqual({ ok: true });
  });
});

describe('admin token bootstrap', () => {
  it('creates a token on the first start without KIPPER_ADMIN_TOKEN, prints it once and stores only its hash', async () => {
    const name = `kipper_test_${randomSuffix()}`;
    const sim = await startSimulator({ port: 0 });
    const env = {
      KIPPER_PORT: '0',
      KIPPER_DATABASE_URL: testDatabaseUrl(name),
      KIPPER_REDIS_URL: TEST_REDIS_URL,
      KIPPER_QUEUE_PREFIX: `kipper-test-${randomSuffix()}`,
      KIPPER_KUBE_SERVER: sim.url,
    };
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    try {
      const first = createKipper(loadConfig(env), { log, consoleDir: null });
      const { url } = await first.start();
      const printed = lines.filter((l) => l.includes('Admin API token'));
      expect(printed).toHaveLength(1);
      const token = /^Admin API token \(shown once\): (kip_[A-Za-z0-9_-]{43})$/.exec(printed[0]!)?.[1];
      expect(token).toBeDefined();
      expect(lines).toContain(`  kip login --server ${url} --token ${token}`);

      const rows = (await first.services.dataSource.query('SELECT t.name, t.token_hash, u.name AS owner, u.instance_admin FROM api_token t JOIN kipper_user u ON u.id = t.user_id')) as unknown[];
      // A personal token of the bootstrap person `admin`, an instance admin.
      expect(rows).toEqual([{ name: 'admin', token_hash: hashToken(token!), owner: 'admin', instance_admin: true }]);
      const dump = JSON.stringify(await first.services.dataSource.query('SELECT * FROM api_token'));
      expect(dump).not.toContain(token);

      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ projects { name } }' }),
      });
      expect(await res.json()).toEqual({ data: { projects: [] } });
      await first.stop();

      // A second start on the same database prints nothing and keeps the one token.
      lines.length = 0;
      const second = createKipper(loadConfig(env), { log, consoleDir: null });
      await second.start();
      expect(lines.filter((l) => l.includes(token!) || l.includes('Admin API token'))).toEqual([]);
      expect(ok({ data: await second.services.dataSource.query('SELECT count(*)::int AS n FROM api_token') })).toEqual([{ n: 1 }]);
      await second.stop();
    } finally {
      await sim.close();
      await dropDatabase(name);
    }
  });

  it('creates no token when KIPPER_ADMIN_TOKEN is set, and never logs that one', async () => {
    expect(await k.kipper.services.dataSource.query('SELECT count(*)::int AS n FROM api_token')).toEqual([{ n: 0 }]);
    expect(k.logs.join('\n')).not.toContain(k.adminToken);
  });
});
