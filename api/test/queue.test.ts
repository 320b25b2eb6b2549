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
