import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, AppSource, Build, BuildStatus, RevisionStatus, RevisionTrigger, UNFINISHED_STATUSES } from '@kipper/core';
import { In } from 'typeorm';
import { createGitRepo, type GitRepo } from '../support/git-repo.js';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { buildsOf, createApp, revisionsOf, startStack, waitFor, type Stack } from './harness.js';

const COMMIT = 'a'.repeat(40);

/**
 * A build that fails at any step says why, on the build and on its revision (both `failed`, the
 * same reason), with a last `[kipper]` line in the build's log; nothing stays queued or running.
 */
describe('worker: build failures say why', () => {
  let stack: Stack;
  let workers: WorkerGroup;
  let repo: GitRepo;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50 });
    repo = createGitRepo('main');
    workers = await startWorkers(stack, 1, { KIPPER_GIT_PROTOCOLS: 'https,ssh,git,file' });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
    repo?.remove();
  });

  /** Waits until the app's only build is final; returns it with its revision. */
  async function finished(app: App, timeoutMs: number) {
    await waitFor(
      async () => {
        const unfinished = await stack.db.getRepository(Build).countBy({ appId: app.id, status: In([BuildStatus.QUEUED, BuildStatus.RUNNING]) });
        const revisions = (await revisionsOf(stack, app)).filter((r) => UNFINISHED_STATUSES.includes(r.status));
        return unfinished === 0 && revisions.length === 0;
      },
      { timeoutMs, intervalMs: 50, describe: () => workers.output() },
    );
    const [build] = await buildsOf(stack, app);
    const [revision] = await revisionsOf(stack, app);
    return { build: build!, revision: revision! };
  }

  it('an unreachable git host: failed within 10 s, the reason names the host', async () => {
    const app = await createApp(stack, { name: 'nowhere', source: AppSource.GIT, gitUrl: 'https://example.invalid/acme/repo.git', replicas: 1 });
    const requestedAt = Date.now();
    await stack.revisions.requestBuild(app, { commit: null, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    const { build, revision } = await finished(app, 10_000);
    console.log(`build failure: unreachable host failed after ${Date.now() - requestedAt} ms`);
    expect(build.status).toBe(BuildStatus.FAILED);
    expect(build.failureReason).toMatch(/could not resolve host example\.invalid/);
    expect(build.failureReason).toContain('https://example.invalid/acme/repo.git');
    expect(revision).toMatchObject({ status: RevisionStatus.FAILED, failureReason: build.failureReason });
    expect(build.log.at(-1)).toBe(`[kipper] build #1 failed: ${build.failureReason}`);
  });

  it("the builder's exit: the Job's reason and the builder's last lines", async () => {
    const app = await createApp(stack, { name: 'broken', source: AppSource.GIT, gitUrl: repo.url, replicas: 1, dockerfilePath: 'sim-fail/Dockerfile' });
    await stack.revisions.requestBuild(app, { commit: repo.commit('broken'), trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    const { build, revision } = await finished(app, 15_000);
    expect(build.status).toBe(BuildStatus.FAILED);
    expect(build.failureReason).toMatch(/^BackoffLimitExceeded: Job has reached the specified backoff limit; last output: .*error: build failed \(simulated\)$/);
    expect(revision).toMatchObject({ status: RevisionStatus.FAILED, failureReason: build.failureReason });
    expect(build.log.at(-2)).toBe('error: build failed (simulated)');
    expect(build.log.at(-1)).toBe(`[kipper] build #1 failed: ${build.failureReason}`);
  });

  it('the Job cannot be created (an object Kipper did not create is in the way): failed with the refusal', async () => {
    const app = await createApp(stack, { name: 'blocked', source: AppSource.GIT, gitUrl: repo.url, replicas: 1 });
    await stack.cluster.ensureNamespace(app.namespace);
    const res = await fetch(`${stack.sim.url}/apis/batch/v1/namespaces/${app.namespace}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'blocked-build-1' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'x', image: 'busybox:1' }] } } },
      }),
    });
    expect(res.status).toBe(201);
    await stack.revisions.requestBuild(app, { commit: COMMIT, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    const { build, revision } = await finished(app, 10_000);
    const reason = `Job ${app.namespace}/blocked-build-1 exists and is not managed by Kipper; delete or rename it`;
    expect(build).toMatchObject({ status: BuildStatus.FAILED, failureReason: reason });
    expect(revision).toMatchObject({ status: RevisionStatus.FAILED, failureReason: reason });
  });

  it('a branch that does not exist: failed with the branch named', async () => {
    repo.commit('main exists');
    const app = await createApp(stack, { name: 'nobranch', source: AppSource.GIT, gitUrl: repo.url, gitBranch: 'release', replicas: 1 });
    await stack.revisions.requestBuild(app, { commit: null, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    const { build, revision } = await finished(app, 10_000);
    expect(build.failureReason).toBe(`branch release not found in ${repo.url}`);
    expect(revision.failureReason).toBe(build.failureReason);
  });
});
