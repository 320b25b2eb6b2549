import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSource, BuildStatus, RevisionStatus, RevisionTrigger } from '@kipper/core';
import { createGitRepo, type GitRepo } from '../support/git-repo.js';
import { deploymentImage, objectStatus } from '../support/sim-objects.js';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { buildsOf, createApp, describeRevisions, reloadApp, revisionsOf, settled, startStack, waitFor, type Stack } from './harness.js';

/**
 * A person cancels (`kip app cancel`, core's RevisionLifecycleService.cancel as the api calls it):
 * the worker following the work notices, stops, and the app runs what it ran before.
 */
describe('worker: cancel during a rollout', () => {
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    // sim-slow pods take 20 s to be ready: the rollout is surely under way when it is cancelled.
    stack = await startStack({ rolloutStepMs: 100 });
    workers = await startWorkers(stack, 1);
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  it('the revision is cancelled and the previous image comes back through the rollback revision', async () => {
    const app = await createApp(stack, { name: 'web', replicas: 2 });
    const deploy = (image: string) => stack.revisions.deployImage(app, { image, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' });
    await deploy('registry.example.com/web:good');
    await settled(stack, [app], 30_000, () => workers.output());
    await deploy('registry.example.com/web:sim-slow');
    await waitFor(async () => (await deploymentImage(stack.sim.url, app.namespace, 'web')) === 'registry.example.com/web:sim-slow', {
      timeoutMs: 10_000,
      describe: () => workers.output(),
    });
    expect((await revisionsOf(stack, app))[1]!.status).toBe(RevisionStatus.ROLLING_OUT);

    const cancelledAt = Date.now();
    const result = await stack.lifecycle.cancel(await reloadApp(stack, app), 'admin');
    expect(result.cancelled.map((r) => r.number)).toEqual([2]);
    expect(result.rollback).not.toBeNull();

    await settled(stack, [app], 15_000, () => workers.output());
    await waitFor(async () => (await deploymentImage(stack.sim.url, app.namespace, 'web')) === 'registry.example.com/web:good', {
      timeoutMs: 5_000,
      describe: () => workers.output(),
    });
    console.log(`cancel: previous image live again ${Date.now() - cancelledAt} ms after the cancel`);
    const revisions = await revisionsOf(stack, app);
    const report = `${describeRevisions(revisions)}\n${workers.output()}`;
    expect(revisions.map((r) => [r.number, r.status, r.trigger, r.triggeredBy]), report).toEqual([
      [1, RevisionStatus.LIVE, RevisionTrigger.WEBHOOK, 'webhook:kipper'],
      [2, RevisionStatus.CANCELLED, RevisionTrigger.WEBHOOK, 'webhook:kipper'],
      [3, RevisionStatus.LIVE, RevisionTrigger.ROLLBACK, 'admin'],
    ]);
    expect(revisions[1]!.failureReason).toBe('cancelled by admin');
    expect((await reloadApp(stack, app)).currentRevisionId).toBe(revisions[2]!.id);
    expect(workers.output()).toMatch(/stopped following revision #2: it is cancelled now/);
  });
});

describe('worker: cancel during a build', () => {
  let stack: Stack;
  let workers: WorkerGroup;
  let repo: GitRepo;

  beforeAll(async () => {
    // A build Job of the simulator takes about 5 steps: 10 s at 2 s a step.
    stack = await startStack({ rolloutStepMs: 2_000 });
    repo = createGitRepo('main');
    workers = await startWorkers(stack, 1, { KIPPER_GIT_PROTOCOLS: 'https,ssh,git,file' });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
    repo?.remove();
  });

  it('the build and its revision are cancelled and the build Job is deleted', async () => {
    const commit = repo.commit('first');
    const app = await createApp(stack, { name: 'site', source: AppSource.GIT, gitUrl: repo.url, replicas: 1 });
    await stack.revisions.requestBuild(app, { commit, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    const jobPath = `/apis/batch/v1/namespaces/${app.namespace}/jobs/site-build-1`;
    await waitFor(async () => (await buildsOf(stack, app))[0]?.jobName === 'site-build-1' && (await objectStatus(stack.sim.url, jobPath)) === 200, {
      timeoutMs: 10_000,
      describe: () => workers.output(),
    });

    const result = await stack.lifecycle.cancel(await reloadApp(stack, app), 'admin');
    expect(result.cancelled.map((r) => r.number)).toEqual([1]);
    expect(result.rollback).toBeNull();

    await waitFor(async () => (await objectStatus(stack.sim.url, jobPath)) === 404, { timeoutMs: 5_000, describe: () => workers.output() });
    const [revision] = await revisionsOf(stack, app);
    const [build] = await buildsOf(stack, app);
    expect(revision).toMatchObject({ status: RevisionStatus.CANCELLED, failureReason: 'cancelled by admin' });
    expect(build).toMatchObject({ status: BuildStatus.CANCELLED });
    await waitFor(async () => (await buildsOf(stack, app))[0]!.log.at(-1) === '[kipper] build #1 stopped: revision #1 is cancelled', {
      timeoutMs: 5_000,
      describe: async () => `${JSON.stringify((await buildsOf(stack, app))[0]!.log)}\n${workers.output()}`,
    });
    expect(await deploymentImage(stack.sim.url, app.namespace, 'site')).toBeNull();
  });
});
