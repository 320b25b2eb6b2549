import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKipper, type RunningKipper } from '../../test/support/kipper.js';
import { codeOf, createProject, deployApp, ok } from './helpers.js';

// Redis is unreachable (nothing listens on port 1): the revision is still recorded, the
// client hears QUEUE_UNAVAILABLE fast, and the row stays queued for the worker's sweeper.
let k: RunningKipper;
beforeAll(async () => {
  k = await startKipper({ env: { KIPPER_REDIS_URL: 'redis://127.0.0.1:1' } });
});
afterAll(async () => {
  await k?.stop();
});

describe('queue unavailable', () => {
  it('records the revision, answers QUEUE_UNAVAILABLE with its number, and keeps the row queued', async () => {
    await createProject(k, 'q');
    const started = Date.now();
    const res = await k.graphql('mutation { deployApp(input: { project: "q", name: "api", image: "registry.example.com/api:v1", port: 80 }) { id } }');
    expect(codeOf(res)).toBe('QUEUE_UNAVAILABLE');
    expect(res.errors![0]!.message).toBe('Revision #1 is recorded and will be deployed when the queue is back');
    expect(Date.now() - started).toBeLessThan(8_000);
    const app = ok(await k.graphql<{ app: { revisions: { nodes: { number: number; status: string }[] } } }>('{ app(ref: { name: "api" }) { revisions { nodes { number status } } } }')).app;
    expect(app.revisions.nodes).toEqual([{ number: 1, status: 'QUEUED' }]);
    expect(k.logs.some((l) => l.includes('enqueue of q-test/api revision #1 failed'))).toBe(true);
  });

  it('a webhook without a key: 503 with the revision committed, and ONE delivery row, accepted with that answer', async () => {
    const token = ok(await k.graphql<{ enableWebhook: { token: string } }>('mutation { enableWebhook(app: { namespace: "q-test", name: "api" }) { token } }')).enableWebhook.token;
    const res = await fetch(`${k.url}/api/v1/webhook/q-test/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kipper-token': token },
      body: JSON.stringify({ image: 'registry.example.com/api:v2', commit: 'abc123f' }),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('QUEUE_UNAVAILABLE');
    // The revision and its delivery row are one statement; the row then holds the 503, not a 202.
    const rows = (await k.kipper.services.dataSource.query(
      `SELECT d.outcome, d.status_code AS "statusCode", d.message IS NOT NULL AS "hasMessage", r.number, r.status FROM webhook_delivery d JOIN revision r ON r.id = d.revision_id`,
    )) as unknown[];
    expect(rows).toEqual([{ outcome: 'accepted', statusCode: 503, hasMessage: true, number: 2, status: 'queued' }]);
  });
});

describe('a deploy with Redis up', () => {
  it('is not refused (the failure above is Redis, not the request)', async () => {
    const healthy = await startKipper();
    try {
      await createProject(healthy, 'q');
      expect((await deployApp(healthy, { project: 'q', name: 'api', image: 'registry.example.com/api:v1' })).name).toBe('api');
    } finally {
      await healthy.stop();
    }
  });
});
