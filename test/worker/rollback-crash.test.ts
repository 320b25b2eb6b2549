import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry, AuditService, consoleLogger, EventPublisher, RevisionLifecycleService, RevisionStatus, RevisionTrigger, type App } from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, describeRevisions, reloadApp, revisionsOf, settled, startStack, waitFor, type Stack } from './harness.js';

/**
 * A worker killed between a failed rollout and the automatic rollback it implies. The test
 * holds the app's row lock from its own connection, so the worker's failure transaction waits
 * for it; the worker is killed while it waits, the lock released, a new worker started.
 */
describe('worker: killed between a failed rollout and its rollback', () => {
  let stack: Stack;
  let workers: WorkerGroup | undefined;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 100 });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  it('kill -9 while the failure waits to commit: after a restart the app runs its last live image through a rollback revision', async () => {
    workers = await startWorkers(stack, 1, { KIPPER_PROGRESS_DEADLINE_SECONDS: '1' });
    const worker = workers.handles[0]!;
    const app = await createApp(stack, { name: 'web', replicas: 2 });
    const deploy = (image: string) => stack.revisions.deployImage(app, { image, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' });
    await deploy('registry.example.com/web:good');
    await settled(stack, [app], 30_000, () => workers!.output());
    await deploy('registry.example.com/web:sim-fail');
    await waitFor(async () => (await revisionsOf(stack, app))[1]?.status === RevisionStatus.ROLLING_OUT, { describe: () => workers!.output() });

    const holder = await holdAppRow(stack, app);
    try {
      await holder.untilSomeoneWaits(() => workers!.output());
      const waiting = await revisionsOf(stack, app);
      // Nothing of the failure is visible while its transaction waits.
      expect(waiting.map((r) => r.status), describeRevisions(waiting)).toEqual([RevisionStatus.LIVE, RevisionStatus.ROLLING_OUT]);
      await worker.kill('SIGKILL');
    } finally {
      await holder.release();
    }
    expect((await revisionsOf(stack, app)).map((r) => r.status)).toEqual([RevisionStatus.LIVE, RevisionStatus.ROLLING_OUT]);

    await worker.restart();
    await settled(stack, [app], 30_000, () => workers!.output());

    const revisions = await revisionsOf(stack, app);
    const report = `${describeRevisions(revisions)}\n${workers.output()}`;
    const [good, failed, rollback] = revisions;
    expect(revisions, report).toHaveLength(3);
    expect(good, report).toMatchObject({ status: RevisionStatus.LIVE, image: 'registry.example.com/web:good' });
    expect(failed, report).toMatchObject({ status: RevisionStatus.FAILED, image: 'registry.example.com/web:sim-fail' });
    expect(failed!.failureReason, report).toMatch(/^ProgressDeadlineExceeded: /);
    expect(rollback, report).toMatchObject({
      status: RevisionStatus.LIVE,
      trigger: RevisionTrigger.ROLLBACK,
      triggeredBy: 'kipper',
      image: 'registry.example.com/web:good',
      rollbackToRevisionId: good!.id,
    });
    expect((await reloadApp(stack, app)).currentRevisionId, report).toBe(rollback!.id);
    expect(await stack.cluster.readImage(app.namespace, app.name)).toBe('registry.example.com/web:good');
    const audit = await stack.db.getRepository(AuditEntry).findBy({ target: `${app.namespace}/web`, action: 'revision.rollback' });
    expect(audit.map((a) => a.actor), report).toEqual(['kipper']);
    expect(worker.output()).toMatch(/resuming rollout of revision #2/);
  });
});

describe('worker: an automatic rollback left queued by a worker that died right after committing it', () => {
  let stack: Stack;
  let workers: WorkerGroup | undefined;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 100 });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  const lifecycleOf = (stack: Stack) =>
    new RevisionLifecycleService({
      dataSource: stack.db,
      queue: stack.queue,
      events: new EventPublisher(stack.pubsub),
      audit: new AuditService({ dataSource: stack.db }),
      log: consoleLogger,
    });

  it('alone, it is rolled out first and the app runs its last live image again', async () => {
    const app = await createApp(stack, { name: 'web', replicas: 1 });
    const deploy = (image: string) => stack.revisions.deployImage(app, { image, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' });
    workers = await startWorkers(stack, 1);
    await deploy('registry.example.com/web:good');
    await settled(stack, [app], 30_000, () => workers!.output());
    await workers.stop();

    // What the dead worker committed: #2 failed with its rollback #3.
    const lifecycle = lifecycleOf(stack);
    const failing = await deploy('registry.example.com/web:sim-fail');
    await lifecycle.startRollout(app, failing);
    expect(await lifecycle.failRollout(await reloadApp(stack, app), failing, 'ProgressDeadlineExceeded: too slow')).not.toBeNull();

    await workers.handles[0]!.restart();
    await settled(stack, [app], 30_000, () => workers!.output());
    const revisions = await revisionsOf(stack, app);
    const report = `${describeRevisions(revisions)}\n${workers.output()}`;
    expect(revisions.map((r) => [r.number, r.status, r.trigger]), report).toEqual([
      [1, RevisionStatus.LIVE, RevisionTrigger.WEBHOOK],
      [2, RevisionStatus.FAILED, RevisionTrigger.WEBHOOK],
      [3, RevisionStatus.LIVE, RevisionTrigger.ROLLBACK],
    ]);
    expect(await stack.cluster.readImage(app.namespace, app.name)).toBe('registry.example.com/web:good');
  });

  it('never jumps ahead of a deploy queued after it: newest wins, the rollback is superseded', async () => {
    const app = await createApp(stack, { name: 'api', replicas: 1 });
    const deploy = (image: string) => stack.revisions.deployImage(app, { image, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' });
    await workers!.handles[0]!.restart();
    await deploy('registry.example.com/api:good');
    await settled(stack, [app], 30_000, () => workers!.output());
    await workers!.stop();

    // What the dead worker committed: #2 failed with its rollback #3; then a user deployed #4.
    // Core makes no automatic rollback when a newer revision already waits; the worker likewise
    // does not put one that waits before a newer revision.
    const lifecycle = lifecycleOf(stack);
    const failing = await deploy('registry.example.com/api:sim-fail');
    await lifecycle.startRollout(app, failing);
    expect(await lifecycle.failRollout(await reloadApp(stack, app), failing, 'ProgressDeadlineExceeded: too slow')).not.toBeNull();
    await deploy('registry.example.com/api:v3');

    await workers!.handles[0]!.restart();
    await settled(stack, [app], 30_000, () => workers!.output());
    const revisions = await revisionsOf(stack, app);
    const report = `${describeRevisions(revisions)}\n${workers!.output()}`;
    expect(revisions.map((r) => [r.number, r.status, r.trigger]), report).toEqual([
      [1, RevisionStatus.LIVE, RevisionTrigger.WEBHOOK],
      [2, RevisionStatus.FAILED, RevisionTrigger.WEBHOOK],
      [3, RevisionStatus.SUPERSEDED, RevisionTrigger.ROLLBACK],
      [4, RevisionStatus.LIVE, RevisionTrigger.WEBHOOK],
    ]);
    expect((await reloadApp(stack, app)).currentRevisionId, report).toBe(revisions[3]!.id);
    expect(await stack.cluster.readImage(app.namespace, app.name)).toBe('registry.example.com/api:v3');
  });
});

/** A transaction of the test's own that holds the app's row lock until released. */
async function holdAppRow(stack: Stack, app: App) {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM app WHERE id = $1 FOR UPDATE', [app.id]);
  return {
    /** Resolves once another session of this database waits for a lock (the worker's failure transaction). */
    async untilSomeoneWaits(describe: () => string): Promise<void> {
      await waitFor(
        async () => {
          const { rows } = await client.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
          );
          return rows[0]!.waiting > 0;
        },
        { timeoutMs: 20_000, describe },
      );
    },
    async release(): Promise<void> {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}
