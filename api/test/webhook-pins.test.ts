import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, githubSignature, RevisionTrigger, WebhookDelivery } from '@kipper/core';
import { connectCluster, type Cluster } from '@kipper/kube';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, markLive, ok } from './helpers.js';

/**
 * The webhook while its app is pinned (deliveries are held, nothing deploys) and while its
 * Secret is gone from the cluster (GitHub signatures cannot be checked; tokens still work).
 */
let k: RunningKipper;
let cluster: Cluster;
let app: App;
let token = '';
let otherToken = '';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function post(name: string, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  const res = await fetch(`${k.url}/api/v1/webhook/pins-test/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const githubPush = (secret: string, raw: Buffer, delivery: string) => ({
  'X-GitHub-Event': 'push',
  'X-GitHub-Delivery': delivery,
  'X-Hub-Signature-256': githubSignature(secret, raw),
});

async function deliveries(appId: string): Promise<WebhookDelivery[]> {
  return k.kipper.services.dataSource.getRepository(WebhookDelivery).find({ where: { appId }, order: { receivedAt: 'DESC' } });
}

async function fresh(): Promise<App> {
  return k.kipper.services.dataSource.getRepository(App).findOneByOrFail({ id: app.id });
}

beforeAll(async () => {
  k = await startKipper();
  cluster = connectCluster({ kind: 'server', server: k.sim.url });
  const services = k.kipper.services;
  await services.projects.create({ name: 'pins', environments: ['test'] }, 'admin');
  app = (await services.apps.deploy({ project: 'pins', environment: 'test', name: 'api', port: 8080, image: 'registry.example.com/api:v1' }, 'alice')).app;
  await markLive(k, app.id, 1);
  await services.revisions.deployImage(await fresh(), { image: 'registry.example.com/api:v2', trigger: RevisionTrigger.MANUAL, triggeredBy: 'alice' });
  await markLive(k, app.id, 2);
  token = (await services.webhooks.enable(app, 'alice')).token;
  const other = (await services.apps.deploy({ project: 'pins', environment: 'test', name: 'other', port: 8080, image: 'registry.example.com/other:v1' }, 'alice')).app;
  otherToken = (await services.webhooks.enable(other, 'alice')).token;
}, 120_000);

afterAll(async () => {
  cluster?.close();
  await k?.stop();
});

describe('a delivery while the app is pinned', () => {
  it('is answered 202 with the revision held and why, recorded as held, and nothing is queued', async () => {
    await k.kipper.services.revisions.rollback(await fresh(), { actor: 'alice' });
    await markLive(k, app.id, 3);
    const answer = await post('api', { 'X-Kipper-Token': token, 'Idempotency-Key': 'ci-run-1' }, JSON.stringify({ image: 'registry.example.com/api:v3', commit: 'abc123f' }));
    expect(answer.status).toBe(202);
    const message = answer.body.message as string;
    expect(message).toMatch(/^Revision #4 is held: api is pinned to revision #3 \(rolled back by alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\. Run kip app unpin api to deploy it\.$/);
    expect(answer.body).toEqual({
      revision: { number: 4, status: 'held', image: 'registry.example.com/api:v3', commit: 'abc123f' },
      app: 'pins-test/api',
      statusUrl: `${k.url}/api/v1/webhook/pins-test/api/revisions/4`,
      message,
    });
    const [delivery] = await deliveries(app.id);
    expect(delivery).toMatchObject({ outcome: 'held', statusCode: 202, message, deliveryKey: 'ci-run-1' });
    const revision = await k.kipper.services.revisions.byNumber(app.id, 4);
    expect(await k.kipper.services.queue.queue.getJob(`deploy-${revision!.id}`)).toBeUndefined();

    // A repeat of the same CI run gets the same answer, and creates nothing.
    expect(await post('api', { 'X-Kipper-Token': token, 'Idempotency-Key': 'ci-run-1' }, JSON.stringify({ image: 'registry.example.com/api:v3', commit: 'abc123f' }))).toEqual(answer);
    expect(await k.kipper.services.revisions.byNumber(app.id, 5)).toBeNull();
  });

  it('the status URL shows the held revision with the same message', async () => {
    const res = await fetch(`${k.url}/api/v1/webhook/pins-test/api/revisions/4`, { headers: { 'X-Kipper-Token': token } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ number: 4, status: 'held', current: false, message: expect.stringMatching(/^Revision #4 is held: api is pinned to revision #3 /) });
    const live = (await (await fetch(`${k.url}/api/v1/webhook/pins-test/api/revisions/3`, { headers: { 'X-Kipper-Token': token } })).json()) as Record<string, unknown>;
    expect(live).toMatchObject({ number: 3, status: 'live', current: true, message: null });
  });

  it('kip app deliveries (GraphQL) lists it as held with the message', async () => {
    const data = ok(await k.graphql<{ app: { deliveries: { outcome: string; statusCode: number; message: string; revision: { number: number; status: string; heldReason: string } }[] } }>(
      `{ app(ref: { namespace: "pins-test", name: "api" }) { deliveries(first: 1) { outcome statusCode message revision { number status heldReason } } } }`,
    ));
    const [d] = data.app.deliveries;
    expect(d).toMatchObject({ outcome: 'HELD', statusCode: 202, revision: { number: 4, status: 'HELD' } });
    expect(d!.revision.heldReason).toBe(d!.message);
  });
});

describe('a GitHub delivery while the webhook Secret is missing', () => {
  const raw = Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) }));

  it('is refused with WEBHOOK_SECRET_MISSING and what to run, and recorded so the owner sees why', async () => {
    await cluster.deleteWebhookToken('pins-test', 'api');
    await k.kipper.services.conditions.recordWebhookSecret(await fresh(), false);
    const answer = await post('api', githubPush(token, raw, 'gh-1'), raw);
    expect(answer).toEqual({
      status: 401,
      body: { error: { code: 'WEBHOOK_SECRET_MISSING', message: 'webhook Secret missing: run kip app webhook enable api to issue a new token' } },
    });
    const [delivery] = await deliveries(app.id);
    expect(delivery).toMatchObject({
      source: 'github',
      event: 'push',
      statusCode: 401,
      outcome: 'refused',
      message: 'webhook Secret missing: run kip app webhook enable api to issue a new token',
      deliveryKey: null,
      revisionId: null,
    });
  });

  it('X-Kipper-Token and X-Gitlab-Token keep working from the stored hash', async () => {
    const byKipper = await post('api', { 'X-Kipper-Token': token }, JSON.stringify({ image: 'registry.example.com/api:v4' }));
    expect(byKipper.status).toBe(202);
    const byGitlab = await post('api', { 'X-Gitlab-Token': token }, JSON.stringify({ image: 'registry.example.com/api:v5' }));
    expect(byGitlab.status).toBe(202);
  });

  it('an app whose Secret is present answers a wrong signature with the unified 401, like an unknown app, and records nothing', async () => {
    const before = (await deliveries(app.id)).length;
    const wrong = await post('other', githubPush('f'.repeat(64), raw, 'gh-2'), raw);
    const unknown = await post('ghost', githubPush(otherToken, raw, 'gh-3'), raw);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect((wrong.body.error as { code: string }).code).toBe('UNAUTHENTICATED');
    expect((await deliveries(app.id)).length).toBe(before);
  });

  it('webhook status does not fail: the flag and the message are there; webhookSecret says what to run', async () => {
    const data = ok(
      await k.graphql<{ app: { webhookSecretMissing: string; webhook: { enabled: boolean; secretMissingSince: string } } }>(
        `{ app(ref: { namespace: "pins-test", name: "api" }) { webhookSecretMissing webhook { enabled secretMissingSince } } }`,
      ),
    );
    expect(data.app.webhook.enabled).toBe(true);
    expect(data.app.webhook.secretMissingSince).toEqual(expect.any(String));
    expect(data.app.webhookSecretMissing).toBe('webhook Secret missing: run kip app webhook enable api to issue a new token');
    const secret = await k.graphql(`{ webhookSecret(app: { namespace: "pins-test", name: "api" }) { token } }`);
    expect(codeOf(secret)).toBe('WEBHOOK_SECRET_MISSING');
    expect(secret.errors![0]!.message).toBe('webhook Secret missing: run kip app webhook enable api to issue a new token');
  });

  it('a new token clears the flag, and GitHub signatures work again', async () => {
    const { token: renewed } = await k.kipper.services.webhooks.enable(await fresh(), 'alice');
    expect((await k.kipper.services.webhooks.status(app)).secretMissingSince).toBeNull();
    const ping = await post('api', { 'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': githubSignature(renewed, Buffer.from('{}')) }, '{}');
    expect(ping).toEqual({ status: 200, body: { ok: true, event: 'ping' } });
  });
});
