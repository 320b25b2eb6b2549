import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevisionStatus, RevisionTrigger } from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import {
  createApp,
  describeRevisions,
  intervals,
  maxParallel,
  overlaps,
  reloadApp,
  revisionsOf,
  settled,
  startStack,
  type Stack,
} from './harness.js';

describe('worker: one rollout per app, apps in parallel (two worker processes)', () => {
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 100 });
    workers = await startWorkers(stack, 2, { KIPPER_WORKER_CONCURRENCY: '4' });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  it('20 deploys of one app at once: never two rollouts at a time, the newest wins, the rest superseded', async () => {
    const app = await createApp(stack, { name: 'api', replicas: 2 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.revisions.deployImage(app, {
          image: `registry.example.com/api:v${i + 1}`,
          trigger: RevisionTrigger.WEBHOOK,
          triggeredBy: 'webhook:kipper',
        }),
      ),
    );
    await settled(stack, [app], 60_000, () => workers.output());

    const revisions = await revisionsOf(stack, app);
    const report = describeRevisions(revisions);
    expect(revisions).toHaveLength(20);
    const newest = revisions[revisions.length - 1]!;
    expect(newest.status, report).toBe(RevisionStatus.LIVE);
    expect((await reloadApp(stack, app)).currentRevisionId).toBe(newest.id);
    expect(await stack.cluster.readImage(app.namespace, app.name)).toBe(newest.image);

    for (const revision of revisions) {
      expect([RevisionStatus.LIVE, RevisionStatus.SUPERSEDED], report).toContain(revision.status);
      // superseded ones never started: they were skipped, not rolled out
      if (revision.status === RevisionStatus.SUPERSEDED) expect(revision.startedAt, report).toBeNull();
    }
    expect(revisions.filter((r) => r.status === RevisionStatus.SUPERSEDED).length, report).toBeGreaterThan(0);
    expect(overlaps(intervals(revisions)), report).toEqual([]);
  });

  it('10 apps deployed at once progress in parallel', async () => {
    const apps = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createApp(stack, { name: `svc-${i}`, replicas: 3 })),
    );
    await Promise.all(
      apps.map((app) =>
        stack.revisions.deployImage(app, {
          image: `registry.example.com/${app.name}:v1`,
          trigger: RevisionTrigger.MANUAL,
          triggeredBy: 'admin',
        }),
      ),
    );
    await settled(stack, apps, 60_000, () => workers.output());

    const all = (await Promise.all(apps.map((app) => revisionsOf(stack, app)))).flat();
    for (const revision of all) expect(revision.status, describeRevisions(all)).toBe(RevisionStatus.LIVE);
    // 2 processes × concurrency 4: several rollouts run at the same moment.
    expect(maxParallel(intervals(all)), describeRevisions(all)).toBeGreaterThanOrEqual(4);
    for (const app of apps) {
      expect(await stack.cluster.readImage(app.namespace, app.name)).toBe(`registry.example.com/${app.name}:v1`);
    }
  });
});
