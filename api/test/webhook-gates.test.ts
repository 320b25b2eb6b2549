import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, WebhookDelivery } from '@kipper/core';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { markLive } from './helpers.js';

/** The webhook into a frozen environment (refused, 423, in the delivery log) and one that requires approvals (held for approvers). */
let k: RunningKipper;
let app: App;
let token = '';

async function post(headers: Record<string, string>, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${k.url}/api/v1/webhook/gates-prod/api`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Kipper-Token': token, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function newestDelivery(): Promise<WebhookDelivery> {
  return k.kipper.services.dataSource.getRepository(WebhookDelivery).findOneOrFail({ where: { appId: app.id }, order: { receivedAt: 'DESC' } });
}

async function configure(settings: Record<string, unknown>): Promise<void> {
  const services = k.kipper.services;
  const project = (await services.projects.get('gates'))!;
  await services.approvals.configureEnvironment(project, await services.projects.environment('gates', 'prod'), settings, 'admin');
}

beforeAll(async () => {
  k = await startKipper();
  const services = k.kipper.services;
  await services.projects.create({ name: 'gates', environments: ['prod'] }, 'admin');
  app = (await services.apps.deploy({ project: 'gates', environment: 'prod', name: 'api', port: 8080, image: 'registry.example.com/api:v1' }, 'alice')).app;
  await markLive(k, app.id, 1);
  token = (await services.webhooks.enable(app, 'alice')).token;
}, 120_000);

afterAll(async () => {
  await k?.stop();
});

describe('webhook deliveries into a gated environment', () => {
  it('a frozen environment refuses with 423 and the reason, recorded in the delivery log; a retry after unfreezing deploys', async () => {
    await configure({ freeze: 'black friday' });
    const refused = await post({ 'Idempotency-Key': 'ci-1' }, { image: 'registry.example.com/api:v2' });
    expect(refused.status).toBe(423);
    expect(refused.body).toMatchObject({ error: { code: 'ENVIRONMENT_FROZEN', message: expect.stringMatching(/^Environment prod is frozen by admin since .*: black friday\./) } });
    expect(await newestDelivery()).toMatchObject({ outcome: 'refused', statusCode: 423, message: expect.stringContaining('black friday'), revisionId: null });
    expect(await k.kipper.services.revisions.byNumber(app.id, 2)).toBeNull();

    await configure({ unfreeze: true });
    const accepted = await post({ 'Idempotency-Key': 'ci-1' }, { image: 'registry.example.com/api:v2' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ revision: { number: 2, status: 'queued' } });
  });

  it('an environment that requires approvals holds the delivery for approvers, and says so', async () => {
    await configure({ approvals: 1 });
    const held = await post({}, { image: 'registry.example.com/api:v3' });
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ revision: { number: 3, status: 'awaiting_approval' }, message: expect.stringMatching(/^Revision #3 awaits approval/) });
    expect(await newestDelivery()).toMatchObject({ outcome: 'held', message: expect.stringMatching(/awaits approval/) });
  });
});
