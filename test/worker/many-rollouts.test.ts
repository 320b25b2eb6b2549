import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevisionStatus, RevisionTrigger, type App } from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, describeRevisions, intervals, maxParallel, revisionsOf, settled, startStack, type Stack } from './harness.js';

/**
 * Rollouts are waiting (on a watch of the Deployment), not working: one worker process follows
 * all of them at once. KIPPER_WORKER_CONCURRENCY bounds builds only. With rollouts taken 2 at a
 * time, 20 apps would take about 10 times one rollout; the ratio is asserted, not a wall time,
 * so a loaded machine slows both sides alike.
 */
describe('worker: every app at once (one process, KIPPER_WORKER_CONCURRENCY=2)', () => {
  const APPS = 20;
  const CONCURRENCY = 2;
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    // 3 replicas at 400 ms a step: a rollout of about 1.5 s, long beside the worker's own work.
    stack = await startStack({ rolloutStepMs: 400 });
    workers = await startWorkers(stack, 1, { KIPPER_WORKER_CONCURRENCY: String(CONCURRENCY) });
  }, 60_000);
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  async function deployAll(apps: App[]): Promise<number> {
    const started = performance.now();
    await Promise.all(
      apps.map((app) => stack.revisions.deployImage(app, { image: `registry.example.com/${app.name}:v1`, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' })),
    );
    await settled(stack, apps, 120_000, () => workers.output());
    return performance.now() - started;
  }

  it(`${APPS} apps with slow rollouts roll out together, not ${CONCURRENCY} at a time`, async () => {
    const alone = await deployAll([await createApp(stack, { name: 'alone', replicas: 3 })]);
    const apps = await Promise.all(Array.from({ length: APPS }, (_, i) => createApp(stack, { name: `many-${i}`, replicas: 3 })));
    const together = await deployAll(apps);

    const all = (await Promise.all(apps.map((app) => revisionsOf(stack, app)))).flat();
    const report = `${describeRevisions(all)}\none app alone ${alone.toFixed(0)} ms, ${APPS} apps ${together.toFixed(0)} ms`;
    for (const revision of all) expect(revision.status, report).toBe(RevisionStatus.LIVE);
    // Serialised CONCURRENCY at a time, at most CONCURRENCY would ever be in flight together,
    // and the whole would take at least APPS / CONCURRENCY = 10 times `alone`.
    expect(maxParallel(intervals(all)), report).toBeGreaterThan(APPS / 2);
    expect(together / alone, report).toBeLessThan(APPS / CONCURRENCY);
  }, 180_000);
});
