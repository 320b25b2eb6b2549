import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, AppSource, BuildStatus, RevisionStatus, RevisionTrigger } from '@kipper/core';
import { createGitRepo, type GitRepo } from '../support/git-repo.js';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import {
  buildsOf,
  createApp,
  describeRevisions,
  reloadApp,
  revisionsOf,
  settled,
  startStack,
  waitFor,
  type Stack,
} from './harness.js';

const REGISTRY = 'registry.kipper.local';

describe('worker: builds of git apps', () => {
  let stack: Stack;
  let workers: WorkerGroup;
  let repo: GitRepo;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50 });
    repo = createGitRepo('main');
    workers = await startWorkers(stack, 1, { KIPPER_GIT_POLL_SECONDS: '2', KIPPER_REGISTRY: REGISTRY, KIPPER_GIT_PROTOCOLS: 'https,ssh,git,file' });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
    repo?.remove();
  });

  it('builds the requested commit, rolls out {registry}/{ns}/{app}:{commit}; a failing build leaves the app untouched', async () => {
    const head = repo.commit('first');
    const app = await createApp(stack, { name: 'site', source: AppSource.GIT, gitUrl: repo.url, replicas: 1 });
    // No commit: the worker resolves the branch head with git ls-remote.
    await stack.revisions.requestBuild(app, { commit: null, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    await settled(stack, [app], 30_000, () => workers.output());

    const image = `${REGISTRY}/${app.namespace}/site:${head}`;
    const [revision] = await revisionsOf(stack, app);
    expect(revision, describeRevisions(await revisionsOf(stack, app))).toMatchObject({
      status: RevisionStatus.LIVE,
      image,
      commit: head,
    });
    const [build] = await buildsOf(stack, app);
    expect(build).toMatchObject({ status: BuildStatus.SUCCEEDED, image, commit: head, jobName: 'site-build-1' });
    expect(build!.log.length).toBeGreaterThan(2);
    expect(build!.log.join('\n')).toContain(`--destination=${image}`);
    expect(await stack.cluster.readImage(app.namespace, 'site')).toBe(image);

    // The simulator fails build jobs whose arguments contain sim-fail.
    await stack.db.getRepository(App).update(app.id, { dockerfilePath: 'sim-fail/Dockerfile' });
    const broken = repo.commit('second');
    await stack.revisions.requestBuild(await reloadApp(stack, app), {
      commit: broken,
      trigger: RevisionTrigger.WEBHOOK,
      triggeredBy: 'webhook:github',
    });
    await settled(stack, [app], 30_000, () => workers.output());

    const revisions = await revisionsOf(stack, app);
    expect(revisions, describeRevisions(revisions)).toHaveLength(2);
    expect(revisions[1]).toMatchObject({ status: RevisionStatus.FAILED, image: null });
    expect(revisions[1]!.failureReason).toMatch(/BackoffLimitExceeded/);
    const builds = await buildsOf(stack, app);
    expect(builds[1]).toMatchObject({ status: BuildStatus.FAILED, commit: broken });
    expect(builds[1]!.failureReason).toMatch(/BackoffLimitExceeded/);
    expect((await reloadApp(stack, app)).currentRevisionId).toBe(revisions[0]!.id);
    expect(await stack.cluster.readImage(app.namespace, 'site')).toBe(image);
  });

  it('a watched app builds each new branch head once, within its interval; a webhook for the same commit builds nothing', async () => {
    const first = repo.commit('watch one');
    const app = await createApp(stack, { name: 'watched', source: AppSource.GIT, gitUrl: repo.url, replicas: 1, watchGit: true });
    const builtOnce = async (commit: string) => {
      const builds = (await buildsOf(stack, app)).filter((b) => b.commit === commit);
      return builds.length === 1 && builds[0]!.status === BuildStatus.SUCCEEDED;
    };
    await waitFor(() => builtOnce(first), { timeoutMs: 15_000, describe: () => workers.output() });

    const second = repo.commit('watch two');
    const pushedAt = Date.now();
    await waitFor(async () => (await buildsOf(stack, app)).some((b) => b.commit === second), {
      timeoutMs: 10_000,
      describe: () => workers.output(),
    });
    // Interval 2 s: checked within one interval (plus the time a check takes).
    expect(Date.now() - pushedAt).toBeLessThan(4_000);
    await settled(stack, [app], 30_000, () => workers.output());
    // A few more intervals: still one build per commit.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(await builtOnce(first)).toBe(true);
    expect(await builtOnce(second)).toBe(true);
    const revisions = await revisionsOf(stack, app);
    expect(revisions.every((r) => r.triggeredBy === 'kipper:git-watch' && r.trigger === RevisionTrigger.BUILD)).toBe(true);
    expect((await reloadApp(stack, app)).lastSeenCommit).toBe(second);
    expect(await stack.cluster.readImage(app.namespace, 'watched')).toBe(`${REGISTRY}/${app.namespace}/watched:${second}`);

    // CI (or the provider webhook) reports the same commit: recorded, but the image is reused.
    await stack.revisions.requestBuild(await reloadApp(stack, app), {
      commit: second,
      trigger: RevisionTrigger.WEBHOOK,
      triggeredBy: 'webhook:gitlab',
    });
    await settled(stack, [app], 30_000, () => workers.output());
    const builds = await buildsOf(stack, app);
    const last = builds[builds.length - 1]!;
    expect(last).toMatchObject({ status: BuildStatus.SUCCEEDED, commit: second, jobName: null });
    expect(last.log.join('\n')).toMatch(/reusing/);
    const latest = (await revisionsOf(stack, app)).at(-1)!;
    expect(latest).toMatchObject({ status: RevisionStatus.LIVE, image: `${REGISTRY}/${app.namespace}/watched:${second}` });
  });
});
