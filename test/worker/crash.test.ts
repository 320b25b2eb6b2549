import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Revision, RevisionStatus, RevisionTrigger, App } from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import {
  createApp,
  describeRevisions,
  reloadApp,
  revisionsOf,
  settled,
  startStack,
  waitFor,
  type Stack,
} from './harness.js';

describe('worker: crashes and stops lose nothing', () => {
  let stack: Stack;
  let workers: WorkerGroup | undefined;

  beforeAll(async () => {
    // Slow rollouts (4 replicas × 300 ms steps) so that there is time to kill a worker mid-way.
    stack = await startStack({ rolloutStepMs: 300 });
  });
  afterEach(async () => {
    await workers?.stop();
    workers = undefined;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** One worker, one app deploying an image, returned once the rollout is under way (a pod updated). */
  async function midRollout(name: string, trigger: RevisionTrigger, triggeredBy: string) {
    const group = await startWorkers(stack, 1);
    workers = group;
    const app = await createApp(stack, { name, replicas: 4 });
    await stack.revisions.deployImage(app, { image: `registry.example.com/${name}:v1`, trigger, triggeredBy });
    await waitFor(
      async () => {
        const [revision] = await revisionsOf(stack, app);
        return revision?.status === RevisionStatus.ROLLING_OUT && (revision.progress?.updated ?? 0) >= 1;
      },
      { timeoutMs: 15_000, describe: () => group.output() },
    );
    return { app, worker: group.handles[0]! };
  }

  it('kill -9 of a worker mid-rollout, then a restart: the revision still ends live', async () => {
    const { app, worker } = await midRollout('crashy', RevisionTrigger.WEBHOOK, 'webhook:kipper');
    await worker.kill('SIGKILL');
    // Nobody works on it now; the revision stays rolling_out until a worker comes back.
    expect((await revisionsOf(stack, app))[0]!.status).toBe(RevisionStatus.ROLLING_OUT);
    await worker.restart();
    await settled(stack, [app], 30_000, () => workers!.output());

    const revisions = await revisionsOf(stack, app);
    expect(revisions.map((r) => r.status), describeRevisions(revisions)).toEqual([RevisionStatus.LIVE]);
    expect((await reloadApp(stack, app)).currentRevisionId).toBe(revisions[0]!.id);
    expect(await stack.cluster.readImage(app.namespace, 'crashy')).toBe('registry.example.com/crashy:v1');
    expect(worker.output()).toMatch(/resuming rollout of revision #1/);
  });

  it('SIGTERM stops a worker cleanly mid-rollout and hands the work back', async () => {
    const { app, worker } = await midRollout('graceful', RevisionTrigger.MANUAL, 'admin');
    const started = Date.now();
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(worker.output()).toMatch(/SIGTERM: stopping/);
    expect(worker.output()).toMatch(/stopped/);
    expect((await revisionsOf(stack, app))[0]!.status).toBe(RevisionStatus.ROLLING_OUT);

    await worker.restart();
    await settled(stack, [app], 30_000, () => workers!.output());
    const revisions = await revisionsOf(stack, app);
    expect(revisions.map((r) => r.status), describeRevisions(revisions)).toEqual([RevisionStatus.LIVE]);
  });

  it('a revision committed without a job (crash before enqueue, Redis lost it) is found by the sweeper', async () => {
    const app = await createApp(stack, { name: 'orphan', replicas: 1 });
    // The row only, as if the api died between its commit and its enqueue.
    await stack.db.transaction(async (tx) => {
      await tx.getRepository(App).update(app.id, { nextRevisionNumber: 2 });
      await tx.getRepository(Revision).save({
        appId: app.id,
        number: 1,
        image: 'registry.example.com/orphan:v1',
        commit: null,
        trigger: RevisionTrigger.WEBHOOK,
        triggeredBy: 'webhook:kipper',
        status: RevisionStatus.QUEUED,
      });
    });
    expect(await stack.queue.queue.getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 0, delayed: 0, active: 0 });
    workers = await startWorkers(stack, 1, { KIPPER_SWEEP_GRACE_MS: '500' });
    await settled(stack, [app], 30_000, () => workers!.output());
    expect((await revisionsOf(stack, app))[0]!.status).toBe(RevisionStatus.LIVE);
    expect(workers.output()).toMatch(/sweeper: re-enqueued/);
  });
});
