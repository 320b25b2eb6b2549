import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry, DeployPolicy, RevisionStatus, RevisionTrigger } from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, describeRevisions, reloadApp, revisionsOf, settled, startStack, type Stack } from './harness.js';

describe('worker: failed rollouts', () => {
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 100 });
    workers = await startWorkers(stack, 1, { KIPPER_PROGRESS_DEADLINE_SECONDS: '1' });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  const deploy = (app: Parameters<Stack['revisions']['deployImage']>[0], image: string) =>
    stack.revisions.deployImage(app, { image, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' });

  it('a rollout past its progress deadline fails and the app runs its last live image again', async () => {
    const app = await createApp(stack, { name: 'web', replicas: 2 });
    await deploy(app, 'registry.example.com/web:good');
    await settled(stack, [app], 30_000, () => workers.output());
    await deploy(app, 'registry.example.com/web:sim-fail');
    await settled(stack, [app], 30_000, () => workers.output());

    const [first, failed, rollback, ...rest] = await revisionsOf(stack, app);
    const report = describeRevisions([first!, failed!, rollback!, ...rest]);
    expect(rest, report).toEqual([]);
    expect(first!.status, report).toBe(RevisionStatus.LIVE);
    expect(failed!.status, report).toBe(RevisionStatus.FAILED);
    expect(failed!.failureReason, report).toMatch(/^ProgressDeadlineExceeded: deployment "?web"? exceeded its progress deadline/);
    expect(rollback).toMatchObject({
      status: RevisionStatus.LIVE,
      trigger: RevisionTrigger.ROLLBACK,
      triggeredBy: 'kipper',
      image: 'registry.example.com/web:good',
      rollbackToRevisionId: first!.id,
    });
    const current = await reloadApp(stack, app);
    expect(current.currentRevisionId).toBe(rollback!.id);
    expect(await stack.cluster.readImage(app.namespace, app.name)).toBe('registry.example.com/web:good');

    const audit = await stack.db.getRepository(AuditEntry).findBy({ actor: 'kipper', target: `${app.namespace}/web` });
    expect(audit.map((a) => a.action)).toContain('revision.rollback');
  });

  it('with auto rollback off the failed revision stays failed and current stays the last live one', async () => {
    const app = await createApp(stack, { name: 'jobs', replicas: 1, autoRollback: false, deployPolicy: DeployPolicy.EVERY });
    await deploy(app, 'registry.example.com/jobs:good');
    await deploy(app, 'registry.example.com/jobs:sim-fail');
    await settled(stack, [app], 30_000, () => workers.output());

    const revisions = await revisionsOf(stack, app);
    const report = describeRevisions(revisions);
    expect(revisions.map((r) => r.status), report).toEqual([RevisionStatus.LIVE, RevisionStatus.FAILED]);
    expect((await reloadApp(stack, app)).currentRevisionId).toBe(revisions[0]!.id);
  });
});
