import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { count, createProject, deployApp, markLive, ok } from './helpers.js';

/** A delivery of the image an app already runs deploys nothing: a replayed signed push costs nothing. */

let k: RunningKipper;
let token: string;
let appId: string;
beforeAll(async () => {
  k = await startKipper();
  await createProject(k, 'same', ['test']);
  appId = (await deployApp(k, { project: 'same', environment: 'test', name: 'web', image: 'registry.example.com/web:v1' })).id;
  await markLive(k, appId, 1);
  token = ok(await k.graphql<{ enableWebhook: { token: string } }>('mutation { enableWebhook(app: { namespace: "same-test", name: "web" }) { token } }')).enableWebhook.token;
}, 120_000);
afterAll(async () => {
  await k?.stop();
});

async function post(body: object, headers: Record<string, string> = { 'x-kipper-token': token }) {
  const res = await fetch(`${k.url}/api/v1/webhook/same-test/web`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const deliveries = async () =>
  ok(await k.graphql<{ app: { deliveries: { outcome: string; statusCode: number; revision: { number: number } | null }[] } }>('{ app(ref: { namespace: "same-test", name: "web" }) { deliveries { outcome statusCode revision { number } } } }')).app
    .deliveries;

describe('a delivery of the live image', () => {
  it('answers 200 already-live, creates no revision, and is in the delivery log', async () => {
    const revisions = await count(k, 'revision');
    const answer = await post({ image: 'registry.example.com/web:v1', commit: 'abc123f' });
    expect(answer).toMatchObject({ status: 200, body: { outcome: 'already-live', revision: { number: 1, status: 'live', image: 'registry.example.com/web:v1' } } });
    expect(answer.body.statusUrl).toMatch(/\/api\/v1\/webhook\/same-test\/web\/revisions\/1$/);
    expect(await count(k, 'revision')).toBe(revisions);
    expect((await deliveries())[0]).toEqual({ outcome: 'ALREADY_LIVE', statusCode: 200, revision: { number: 1 } });
  });

  it('a captured GitHub-signed push replayed under new delivery ids changes nothing', async () => {
    const body = JSON.stringify({ image: 'registry.example.com/web:v1' });
    const signature = `sha256=${createHmac('sha256', token).update(body).digest('hex')}`;
    const revisions = await count(k, 'revision');
    for (const id of ['replay-1', 'replay-2', 'replay-3']) {
      const res = await fetch(`${k.url}/api/v1/webhook/same-test/web`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature, 'x-github-delivery': id },
        body,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { outcome: string }).outcome).toBe('already-live');
    }
    expect(await count(k, 'revision')).toBe(revisions);
  });

  it('still deploys it when something newer was asked for after it', async () => {
    expect((await post({ image: 'registry.example.com/web:v2' })).status).toBe(202);
    const again = await post({ image: 'registry.example.com/web:v1' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ revision: { number: 3, status: 'queued', image: 'registry.example.com/web:v1' } });
    // Recorded in the same statement as the revision: the delivery log holds exactly the answer sent.
    const [row] = (await k.kipper.services.dataSource.query(
      `SELECT d.response, d.status_code AS "statusCode", d.outcome FROM webhook_delivery d JOIN revision r ON r.id = d.revision_id WHERE r.number = 3 AND r.app_id = $1`,
      [appId],
    )) as { response: unknown; statusCode: number; outcome: string }[];
    expect(row).toEqual({ response: again.body, statusCode: 202, outcome: 'accepted' });
  });
});
