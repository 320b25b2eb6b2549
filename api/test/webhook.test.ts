import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, AuditEntry, WebhookDelivery, Revision, Webhook, githubSignature, hashToken, WebhookService, type WebhookTokenStore, type KipperServices } from '@kipper/core';
import { createWebhookRouter } from '../src/webhooks/webhook.routes.js';
import { connectCluster, type Cluster } from '@kipper/kube';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';

const run = promisify(execFile);
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

/** The shared test Kipper (real PostgreSQL, Redis, simulator), its services, and a client of its cluster. */
let kipper: RunningKipper;
let k: { url: string; services: KipperServices; cluster: Cluster; logs: string[] };
const apps: Record<string, App> = {};
const tokens: Record<string, string> = {};

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(app: string, headers: Record<string, string>, body: string | Buffer, namespace = 'shop-test'): Promise<Answer> {
  const res = await fetch(`${k.url}/api/v1/webhook/${namespace}/${app}`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const json = (token: string, extra: Record<string, string> = {}) => ({ 'Content-Type': 'application/json', 'X-Kipper-Token': token, ...extra });

async function counts(): Promise<{ revisions: number; deliveries: number }> {
  const [row] = (await k.services.dataSource.query(
    'SELECT (SELECT count(*) FROM revision)::int AS revisions, (SELECT count(*) FROM webhook_delivery)::int AS deliveries',
  )) as { revisions: number; deliveries: number }[];
  return row!;
}

/** Runs `send` and checks that it wrote neither a revision nor a delivery. */
async function refused(send: () => Promise<Answer>, status: number, code: string): Promise<Answer> {
  const before = await counts();
  const answer = await send();
  expect({ status: answer.status, code: (answer.body.error as { code?: string } | undefined)?.code }).toEqual({ status, code });
  expect(typeof (answer.body.error as { message?: unknown }).message).toBe('string');
  expect(await counts()).toEqual(before);
  return answer;
}

async function deployApp(name: string, source: { image: string } | { gitUrl: string; gitBranch: string }): Promise<App> {
  const { app } = await k.services.apps.deploy({ project: 'shop', environment: 'test', name, port: 8080, ...source }, 'admin');
  apps[name] = app;
  return app;
}

async function enable(name: string): Promise<string> {
  const view = await k.services.webhooks.enable(apps[name]!, 'admin');
  tokens[name] = view.token;
  return view.token;
}

beforeAll(async () => {
  // As behind an ingress on this machine: X-Forwarded-For names each client.
  kipper = await startKipper({ env: { KIPPER_TRUST_PROXY: 'loopback' } });
  k = { url: kipper.url, services: kipper.kipper.services, cluster: connectCluster({ kind: 'server', server: kipper.sim.url }), logs: kipper.logs };
  await k.services.projects.create({ name: 'shop', environments: ['test'] }, 'admin');
  for (const name of ['api', 'web', 'quiet', 'flood', 'calm', 'shape', 'rotate', 'drain', 'spare']) await deployApp(name, { image: `registry.example.com/${name}:v1` });
  await deployApp('builder', { gitUrl: 'https://github.com/octo-org/shop-api.git', gitBranch: 'main' });
  await deployApp('lab', { gitUrl: 'https://gitlab.example.com/shop/shop-api.git', gitBranch: 'main' });
  for (const name of ['api', 'web', 'flood', 'calm', 'shape', 'rotate', 'drain', 'builder', 'lab']) await enable(name);
}, 120_000);

afterAll(async () => {
  k?.cluster.close();
  await kipper?.stop();
});

describe('the seed\'s CI snippet', () => {
  it('deploys and answers the revision, committed and queued, with a status URL CI can poll', async () => {
    const view = await k.services.webhooks.secret(apps.api!);
    expect(view?.token).toBe(tokens.api);
    expect(view?.url).toBe(`${k.url}/api/v1/webhook/shop-test/api`);
    const before = await counts();
    // The GitLab CI job exactly as `kip app webhook enable` prints it, run by a shell with curl.
    const script = view!.snippets.gitlabCi.split('\n').filter((line) => line.startsWith('      ')).join('\n');
    const { stdout } = await run('sh', ['-c', script], {
      env: { PATH: process.env.PATH, KIPPER_WEBHOOK_TOKEN: tokens.api, CI_REGISTRY_IMAGE: 'registry.example.com/shop/api', CI_COMMIT_SHORT_SHA: 'abc123f' },
    });
    const answer = JSON.parse(stdout) as { revision: { number: number; status: string; image: string; commit: string }; app: string; statusUrl: string };
    expect(answer).toEqual({
      revision: { number: expect.any(Number), status: 'queued', image: 'registry.example.com/shop/api:abc123f', commit: 'abc123f' },
      app: 'shop-test/api',
      statusUrl: `${k.url}/api/v1/webhook/shop-test/api/revisions/${answer.revision.number}`,
    });
    expect(await counts()).toEqual({ revisions: before.revisions + 1, deliveries: before.deliveries + 1 });

    const revision = await k.services.dataSource.getRepository(Revision).findOneByOrFail({ appId: apps.api!.id, number: answer.revision.number });
    expect(revision).toMatchObject({ trigger: 'webhook', triggeredBy: 'webhook:kipper', image: 'registry.example.com/shop/api:abc123f' });
    expect(await k.services.queue.queue.getJob(`deploy-${revision.id}`)).toBeTruthy();

    const poll = await fetch(answer.statusUrl, { headers: { 'X-Kipper-Token': tokens.api! } });
    expect(poll.status).toBe(200);
    expect(await poll.json()).toMatchObject({ number: answer.revision.number, status: 'queued', image: 'registry.example.com/shop/api:abc123f', commit: 'abc123f', trigger: 'webhook', failureReason: null, finishedAt: null, current: false });
    expect((await fetch(answer.statusUrl, { headers: { 'X-Kipper-Token': tokens.web! } })).status).toBe(401);
    expect((await fetch(answer.statusUrl)).status).toBe(401);
  });

  it('also deploys from the GitHub Actions step\'s request shape, and accepts a body without commit', async () => {
    const a = await post('web', json(tokens.web!), JSON.stringify({ image: 'ghcr.io/octo-org/web:0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', commit: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c' }));
    expect(a.status).toBe(202);
    const b = await post('web', json(tokens.web!), JSON.stringify({ image: 'registry.example.com/web:v2' }));
    expect(b.status).toBe(202);
    expect((b.body.revision as { commit: unknown }).commit).toBeNull();
  });
});

describe('refusals change nothing', () => {
  const body = JSON.stringify({ image: 'registry.example.com/shape:v2', commit: 'abc123f' });

  it('415 for a body that is not JSON', async () => {
    await refused(() => post('shape', { 'X-Kipper-Token': tokens.shape!, 'Content-Type': 'text/plain' }, body), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await refused(() => post('shape', { 'X-Kipper-Token': tokens.shape!, 'Content-Type': 'application/x-www-form-urlencoded' }, body), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((form.body.error as { message: string }).message).toContain('Content-Type: application/json');
  });

  it('413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({ image: 'registry.example.com/shape:v2', padding: 'x'.repeat(1024 * 1024) });
    await refused(() => post('shape', json(tokens.shape!), big), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('401, the same answer, for an unknown app, a disabled webhook, a missing or wrong token and another app\'s token', async () => {
    const answers = [
      await refused(() => post('nope', json(tokens.shape!), body), 401, 'UNAUTHENTICATED'),
      await refused(() => post('shape', json(tokens.shape!), body, 'nowhere-test'), 401, 'UNAUTHENTICATED'),
      await refused(() => post('quiet', json(tokens.shape!), body), 401, 'UNAUTHENTICATED'),
      await refused(() => post('shape', { 'Content-Type': 'application/json' }, body), 401, 'UNAUTHENTICATED'),
      await refused(() => post('shape', json('0'.repeat(64)), body), 401, 'UNAUTHENTICATED'),
      await refused(() => post('shape', json(tokens.shape!.slice(0, 63)), body), 401, 'UNAUTHENTICATED'),
      await refused(() => post('shape', json(tokens.api!), body), 401, 'UNAUTHENTICATED'),
      await refused(() => post('shape', { 'Content-Type': 'application/json', 'X-Gitlab-Token': tokens.web! }, body), 401, 'UNAUTHENTICATED'),
      await refused(() => post('Bad_Name', json(tokens.shape!), body), 401, 'UNAUTHENTICATED'),
    ];
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
  });

  it('400 for malformed JSON', async () => {
    await refused(() => post('shape', json(tokens.shape!), '{"image": "registry.example.com/shape:v2",'), 400, 'MALFORMED_JSON');
    await refused(() => post('shape', json(tokens.shape!), ''), 400, 'MALFORMED_JSON');
  });

  it('422 for a missing or invalid image or commit', async () => {
    await refused(() => post('shape', json(tokens.shape!), JSON.stringify({ commit: 'abc123f' })), 422, 'INVALID_IMAGE');
    await refused(() => post('shape', json(tokens.shape!), JSON.stringify({ image: 'Registry.Example.com/API:latest!' })), 422, 'INVALID_IMAGE');
    await refused(() => post('shape', json(tokens.shape!), JSON.stringify({ image: 'registry.example.com/shape' })), 422, 'INVALID_IMAGE');
    await refused(() => post('shape', json(tokens.shape!), JSON.stringify({ image: 'registry.example.com/shape:v2', commit: 'x'.repeat(65) })), 422, 'VALIDATION_FAILED');
    await refused(() => post('shape', json(tokens.shape!), '[]'), 422, 'VALIDATION_FAILED');
  });

  it('409 for an image sent to a git app, saying what to do instead', async () => {
    const answer = await refused(() => post('builder', json(tokens.builder!), body), 409, 'WRONG_APP_SOURCE');
    expect((answer.body.error as { message: string }).message).toBe('this app builds from git; send {"commit": ...} or deploy it as an image app');
  });
});

describe('token lifecycle', () => {
  it('regenerating invalidates the old token at once; the Secret holds the new one, the database only its hash', async () => {
    const first = tokens.rotate!;
    const before = await k.services.webhooks.status(apps.rotate!);
    expect(before).toMatchObject({ enabled: true, rotatedAt: null });
    expect((await post('rotate', json(first), JSON.stringify({ image: 'registry.example.com/rotate:v2' }))).status).toBe(202);

    const second = await enable('rotate');
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);
    await refused(() => post('rotate', json(first), JSON.stringify({ image: 'registry.example.com/rotate:v3' })), 401, 'UNAUTHENTICATED');
    expect((await post('rotate', json(second), JSON.stringify({ image: 'registry.example.com/rotate:v3' }))).status).toBe(202);

    expect(await k.cluster.readWebhookToken('shop-test', 'rotate')).toBe(second);
    const row = await k.services.dataSource.getRepository(Webhook).findOneByOrFail({ appId: apps.rotate!.id });
    expect(row.tokenHash).toBe(hashToken(second));
    expect(row.rotatedAt).toBeInstanceOf(Date);
    expect(row.createdAt.getTime()).toBe(before.createdAt!.getTime());
    const audit = await k.services.dataSource.getRepository(AuditEntry).find({ where: { target: 'shop-test/rotate' }, order: { at: 'ASC' } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['webhook.enable', 'webhook.regenerate']));
  });

  it('disabling removes the Secret and every token stops working; enabling again issues a new one', async () => {
    const old = tokens.rotate!;
    const status = await k.services.webhooks.disable(apps.rotate!, 'admin');
    expect(status).toMatchObject({ enabled: false, createdAt: null, rotatedAt: null });
    expect(await k.cluster.readWebhookToken('shop-test', 'rotate')).toBeNull();
    expect(await k.services.webhooks.secret(apps.rotate!)).toBeNull();
    await refused(() => post('rotate', json(old), JSON.stringify({ image: 'registry.example.com/rotate:v4' })), 401, 'UNAUTHENTICATED');
    const again = await enable('rotate');
    expect((await post('rotate', json(again), JSON.stringify({ image: 'registry.example.com/rotate:v4' }))).status).toBe(202);
  });
});

describe('GitHub and GitLab deliveries', () => {
  const githubHeaders = (event: string, token: string, raw: Buffer, delivery: string) => ({
    'Content-Type': 'application/json',
    'User-Agent': 'GitHub-Hookshot/044aadd',
    'X-GitHub-Event': event,
    'X-GitHub-Delivery': delivery,
    'X-GitHub-Hook-ID': '109948940',
    'X-Hub-Signature-256': githubSignature(token, raw),
  });

  it('a real push payload signed with the app\'s token rebuilds the git app at the pushed commit', async () => {
    const raw = fixture('github-push.json');
    const before = await counts();
    const answer = await post('builder', githubHeaders('push', tokens.builder!, raw, '72d3162e-cc78-11e3-81ab-4c9367dc0958'), raw);
    expect(answer.status).toBe(202);
    expect(answer.body.revision).toMatchObject({ status: 'queued', commit: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', image: null });
    expect(await counts()).toEqual({ revisions: before.revisions + 1, deliveries: before.deliveries + 1 });
    const delivery = await k.services.deliveries.findByKey(apps.builder!.id, '72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(delivery).toMatchObject({ source: 'github', event: 'push', statusCode: 202, outcome: 'accepted' });
  });

  it('a push payload with one byte changed after signing is refused', async () => {
    const raw = fixture('github-push.json');
    const headers = githubHeaders('push', tokens.builder!, raw, 'tampered-1');
    const tampered = Buffer.from(raw);
    tampered[tampered.indexOf('0d1a26e6')] = '1'.charCodeAt(0);
    await refused(() => post('builder', headers, tampered), 401, 'UNAUTHENTICATED');
    // Signed with another app's token: refused too.
    await refused(() => post('builder', githubHeaders('push', tokens.api!, raw, 'cross-1'), raw), 401, 'UNAUTHENTICATED');
  });

  it('a repeated delivery answers the first response and creates one revision', async () => {
    const raw = Buffer.from(fixture('github-push.json').toString('utf8').replaceAll('0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
    const headers = githubHeaders('push', tokens.builder!, raw, 'repeat-1');
    const before = await counts();
    const first = await post('builder', headers, raw);
    const second = await post('builder', headers, raw);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await counts()).toEqual({ revisions: before.revisions + 1, deliveries: before.deliveries + 1 });
  });

  it('concurrent identical deliveries create one revision and all answer the winner\'s response', async () => {
    const before = await counts();
    const body = JSON.stringify({ image: 'registry.example.com/calm:race', commit: 'race1' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => post('calm', json(tokens.calm!, { 'Idempotency-Key': 'race-key-1' }), body)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(202));
    for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    expect(await counts()).toEqual({ revisions: before.revisions + 1, deliveries: before.deliveries + 1 });
    // The same key on another app is another delivery.
    expect((await post('web', json(tokens.web!, { 'Idempotency-Key': 'race-key-1' }), JSON.stringify({ image: 'registry.example.com/web:race' }))).status).toBe(202);
  });

  it('a refused delivery does not use up its key', async () => {
    const bad = await post('calm', json(tokens.calm!, { 'Idempotency-Key': 'fix-and-retry' }), JSON.stringify({ image: 'nope nope' }));
    expect(bad.status).toBe(422);
    const good = await post('calm', json(tokens.calm!, { 'Idempotency-Key': 'fix-and-retry' }), JSON.stringify({ image: 'registry.example.com/calm:fixed' }));
    expect(good.status).toBe(202);
  });

  it('a ping answers 200', async () => {
    const raw = fixture('github-ping.json');
    const answer = await post('builder', githubHeaders('ping', tokens.builder!, raw, 'ping-1'), raw);
    expect(answer).toMatchObject({ status: 200, body: { ok: true, event: 'ping' } });
  });

  it('pushes to other branches, tags, other events and pushes to image apps are acknowledged and change nothing', async () => {
    const push = JSON.parse(fixture('github-push.json').toString('utf8')) as Record<string, unknown>;
    const cases: [string, string, Buffer][] = [
      ['builder', 'push', Buffer.from(JSON.stringify({ ...push, ref: 'refs/heads/feature/coupons' }))],
      ['builder', 'push', Buffer.from(JSON.stringify({ ...push, ref: 'refs/tags/v1.2.0' }))],
      ['builder', 'push', Buffer.from(JSON.stringify({ ...push, deleted: true, after: '0'.repeat(40) }))],
      ['builder', 'issues', Buffer.from(JSON.stringify({ action: 'opened' }))],
      ['api', 'push', fixture('github-push.json')],
    ];
    for (const [app, event, raw] of cases) {
      const before = await counts();
      const answer = await post(app, githubHeaders(event, tokens[app]!, raw, `ignored-${app}-${before.deliveries}`), raw);
      expect(answer.status).toBe(200);
      expect(typeof answer.body.ignored).toBe('string');
      expect(await counts()).toEqual({ revisions: before.revisions, deliveries: before.deliveries + 1 });
    }
    const recent = await k.services.deliveries.recent(apps.builder!.id, 50);
    expect(recent.find((d) => d.message?.includes('feature/coupons'))).toMatchObject({ outcome: 'ignored', statusCode: 200, revisionId: null });
  });

  it('a GitHub delivery in form encoding is accepted (the signature covers the form bytes)', async () => {
    const raw = Buffer.from(`payload=${encodeURIComponent(fixture('github-ping.json').toString('utf8'))}`);
    const headers = { ...githubHeaders('ping', tokens.builder!, raw, 'ping-form-1'), 'Content-Type': 'application/x-www-form-urlencoded' };
    expect(await post('builder', headers, raw)).toMatchObject({ status: 200, body: { ok: true, event: 'ping' } });
  });

  it('a GitLab Push Hook with X-Gitlab-Token rebuilds at checkout_sha; a repeat by X-Gitlab-Event-UUID creates nothing', async () => {
    const raw = fixture('gitlab-push.json');
    const headers = { 'Content-Type': 'application/json', 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': tokens.lab!, 'X-Gitlab-Event-UUID': '13792a34-cac6-4fda-95a8-c58e00a3954e' };
    const before = await counts();
    const first = await post('lab', headers, raw);
    expect(first.status).toBe(202);
    expect(first.body.revision).toMatchObject({ commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' });
    const again = await post('lab', headers, raw);
    expect(again.body).toEqual(first.body);
    expect(await counts()).toEqual({ revisions: before.revisions + 1, deliveries: before.deliveries + 1 });
    await refused(() => post('lab', { ...headers, 'X-Gitlab-Token': tokens.builder!, 'X-Gitlab-Event-UUID': 'other' }, raw), 401, 'UNAUTHENTICATED');
  });

  it('{"commit"} from CI rebuilds a git app', async () => {
    const answer = await post('lab', json(tokens.lab!), JSON.stringify({ commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' }));
    expect(answer.status).toBe(202);
    const revision = await k.services.dataSource.getRepository(Revision).findOneByOrFail({ appId: apps.lab!.id, number: (answer.body.revision as { number: number }).number });
    expect(revision).toMatchObject({ trigger: 'webhook', triggeredBy: 'webhook:kipper', commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' });
  });
});

describe('rate limit', () => {
  it('a flood to one app gets 429 with Retry-After and writes nothing; other apps are unaffected', async () => {
    const before = await counts();
    const answers = await Promise.all(Array.from({ length: 40 }, () => post('flood', json(tokens.flood!), '{not json')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(20);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await counts()).toEqual(before);
    expect((await post('calm', json(tokens.calm!), JSON.stringify({ image: 'registry.example.com/calm:after-flood' }))).status).toBe(202);
  });

  it('an address that keeps presenting wrong tokens gets 429, without blocking the app for others', async () => {
    const attacker = { 'X-Forwarded-For': '203.0.113.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await post('web', json('f'.repeat(64), attacker), '{}')).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toContain(429);
    const limited = await post('web', json('f'.repeat(64), attacker), '{}');
    expect(limited.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await post('web', json(tokens.web!, { 'X-Forwarded-For': '198.51.100.2' }), JSON.stringify({ image: 'registry.example.com/web:v9' }))).status).toBe(202);
  });

  it('wrong tokens beyond every failure limit from one address (an ingress) never refuse a valid token from that address', async () => {
    const ingress = { 'X-Forwarded-For': '203.0.113.50' };
    const statuses: number[] = [];
    // Past the per-URL (10) and the per-address (60) failure budgets, on this app and on others.
    for (let i = 0; i < 70; i++) statuses.push((await post(`guess-${i}`, json('e'.repeat(64), ingress), '{}')).status);
    for (let i = 0; i < 15; i++) statuses.push((await post('web', json('e'.repeat(64), ingress), '{}')).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect((await post('web', json(tokens.web!, ingress), JSON.stringify({ image: 'registry.example.com/web:v10' }))).status).toBe(202);
    expect((await post('api', json(tokens.api!, ingress), JSON.stringify({ image: 'registry.example.com/api:v10' }))).status).toBe(202);
  });

  it('wrong tokens do not spend the app\'s own budget', async () => {
    const before = await counts();
    const wrong = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post('drain', json('d'.repeat(64), { 'X-Forwarded-For': `198.18.0.${i + 1}` }), '{not json')),
    );
    expect(wrong.map((a) => a.status)).toEqual(Array(40).fill(401));
    // The whole burst (20) is still there for the app's own CI.
    const valid = await Promise.all(Array.from({ length: 20 }, () => post('drain', json(tokens.drain!), '{not json')));
    expect(valid.map((a) => a.status)).toEqual(Array(20).fill(400));
    expect(await counts()).toEqual(before);
  });
});

describe('failures', () => {
  it('a cluster that cannot read the Secret for a GitHub signature: the same 401 as an unknown app, logged, without the cluster\'s address', async () => {
    const failures = [
      Object.assign(new Error('connect ECONNREFUSED 10.96.0.1:443'), { name: 'ClusterError', code: 'CLUSTER_UNREACHABLE' }),
      Object.assign(new Error('secrets "builder-webhook" is forbidden: User "system:serviceaccount:kipper:api" cannot get resource "secrets" at https://10.96.0.1:443'), { name: 'ClusterError', code: 'CLUSTER_FORBIDDEN' }),
    ];
    let next = 0;
    const broken: WebhookTokenStore = {
      readWebhookToken: async () => {
        throw failures[next++ % failures.length];
      },
      writeWebhookToken: async () => undefined,
      deleteWebhookToken: async () => undefined,
    };
    const logs: string[] = [];
    const webhooks = new WebhookService({ dataSource: k.services.dataSource, cluster: broken, config: k.services.config, audit: k.services.audit });
    const web = express();
    web.use('/api/v1/webhook', createWebhookRouter({ revisions: k.services.revisions, webhooks, deliveries: k.services.deliveries }, { log: (m) => logs.push(m) }));
    const server = createServer(web);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/webhook/shop-test`;
      const raw = fixture('github-push.json');
      const signed = (app: string) =>
        fetch(`${base}/${app}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': `broken-${app}`, 'X-Hub-Signature-256': githubSignature(tokens.builder!, raw) },
          body: raw,
        }).then(async (res) => ({ status: res.status, text: await res.text() }));
      const before = await counts();
      const unreachable = await signed('builder');
      const forbidden = await signed('builder');
      const unknown = await signed('nope');
      expect(unreachable.status).toBe(401);
      expect(unreachable).toEqual(unknown);
      expect(forbidden).toEqual(unknown);
      expect(unreachable.text).not.toMatch(/10\.96|ECONNREFUSED|forbidden/);
      expect(logs.join('\n')).toContain('ECONNREFUSED 10.96.0.1:443');
      expect(logs.join('\n')).toContain('is forbidden');
      expect(await counts()).toEqual(before);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('enable: when the database step fails the Secret keeps the old token, and the old token keeps working', async () => {
    const failingAudit = {
      record: async () => {
        throw new Error('audit insert failed');
      },
    };
    const webhooks = new WebhookService({ dataSource: k.services.dataSource, cluster: k.cluster, config: k.services.config, audit: failingAudit });
    const old = tokens.shape!;
    await expect(webhooks.enable(apps.shape!, 'admin')).rejects.toThrow('audit insert failed');
    expect(await k.cluster.readWebhookToken('shop-test', 'shape')).toBe(old);
    expect((await k.services.dataSource.getRepository(Webhook).findOneByOrFail({ appId: apps.shape!.id })).tokenHash).toBe(hashToken(old));
    expect((await post('shape', json(old), JSON.stringify({ image: 'registry.example.com/shape:after-failed-enable' }))).status).toBe(202);
    expect((await k.services.webhooks.secret(apps.shape!))?.token).toBe(old);

    // Never enabled: the Secret written for the failed attempt is removed again.
    await expect(webhooks.enable(apps.spare!, 'admin')).rejects.toThrow('audit insert failed');
    expect(await k.cluster.readWebhookToken('shop-test', 'spare')).toBeNull();
    expect(await k.services.webhooks.status(apps.spare!)).toMatchObject({ enabled: false });

    // The lock was released: enabling works again (from another service, i.e. another connection).
    const next = await enable('shape');
    expect(next).not.toBe(old);
    expect(await k.cluster.readWebhookToken('shop-test', 'shape')).toBe(next);
  });
});

describe('secrecy', () => {
  it('no token is stored in deliveries or the audit log, nor logged', async () => {
    const deliveries = JSON.stringify(await k.services.dataSource.getRepository(WebhookDelivery).find());
    const audit = JSON.stringify(await k.services.dataSource.getRepository(AuditEntry).find());
    const logs = k.logs.join('\n');
    for (const token of Object.values(tokens)) {
      expect(deliveries).not.toContain(token);
      expect(audit).not.toContain(token);
      expect(logs).not.toContain(token);
    }
  });
});
