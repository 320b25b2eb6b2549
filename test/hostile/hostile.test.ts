import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, TEST_REDIS_URL, type RunningKipper } from '../support/kipper.js';
import { hostileCases, type Answer, type HostileCase, type Target } from './cases.js';
import { fingerprint, type Fingerprint } from './state.js';

/**
 * An outside review's requests and hundreds more: every malformed, forged or oversized request
 * over REST, GraphQL HTTP and graphql-ws gets the status and stable error code a user expects,
 * a JSON error without internals, and changes nothing in PostgreSQL, Redis or the cluster.
 */

const cases = hostileCases();
let k: RunningKipper;
let redis: Redis;
let target: Target;

async function ok<T>(response: Promise<{ data?: T | null; errors?: unknown[] }>): Promise<T> {
  const { data, errors } = await response;
  expect(errors).toBeUndefined();
  return data!;
}

beforeAll(async () => {
  // A high per-app limit: the suite sends many authenticated refusals to one app on purpose.
  k = await startKipper({ env: { KIPPER_WEBHOOK_RATE_BURST: '100000' } });
  redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  await ok(k.graphql('mutation { createProject(input: { name: "p", environments: ["test", "prod"] }) { id } }'));
  for (const [name, environment] of [['web', 'test'], ['other', 'test'], ['twice', 'test'], ['twice', 'prod']]) {
    await ok(k.graphql(`mutation { deployApp(input: { project: "p", environment: "${environment}", name: "${name}", port: 8080, image: "registry.example.com/${name}:v1" }) { id } }`));
  }
  const token = async (name: string) =>
    (await ok(k.graphql<{ enableWebhook: { token: string } }>(`mutation { enableWebhook(app: { namespace: "p-test", name: "${name}" }) { token } }`))).enableWebhook.token;
  target = { url: k.url, wsUrl: k.wsUrl, adminToken: k.adminToken, webhookToken: await token('web'), otherToken: await token('other') };
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await k?.stop();
});

function errorCode(test: HostileCase, answer: Answer): string | undefined {
  if (test.shape === 'rest') return (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code;
  const body = JSON.parse(answer.text) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code;
}

describe('hostile requests', () => {
  it('are at least 200 distinct ones', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, test) => {
    const before: Fingerprint = await fingerprint(k, redis);
    const answer = await test.send(target);
    expect(test.status, `status ${answer.status}: ${answer.text.slice(0, 300)}`).toContain(answer.status);
    expect(answer.text).not.toMatch(/\n\s+at |node_modules|\/work\/|<html|<pre|Cannot convert|TypeError/i);
    expect(answer.text).not.toContain(target.webhookToken);
    expect(answer.text).not.toContain(target.adminToken);
    if (test.codes.length > 0) {
      expect(answer.contentType).toMatch(/json|graphql/);
      expect(test.codes).toContain(errorCode(test, answer));
    }
    expect(await fingerprint(k, redis)).toEqual(before);
  });
});
