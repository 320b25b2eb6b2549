import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppSource, BuildStatus, RevisionStatus, RevisionTrigger } from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { buildsOf, createApp, revisionsOf, settled, startStack, type Stack } from './harness.js';

/**
 * Git hosts inside Kipper's own network are refused again when the worker is about to connect,
 * not only when the app was created: an app row from before the setting (or a name that now
 * resolves inside) fails its build with the reason, and git is never run against it.
 */
describe('worker: git destinations', () => {
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50 });
    workers = await startWorkers(stack, 1);
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  for (const [name, gitUrl] of [
    ['redis', 'https://127.0.0.1:6379/x.git'],
    ['metadata', 'https://169.254.169.254/latest/meta-data.git'],
    ['private', 'ssh://git@10.0.0.7/acme/api.git'],
  ] as const) {
    it(`fails the build of ${gitUrl} with the reason, before git connects`, async () => {
      const app = await createApp(stack, { name, source: AppSource.GIT, gitUrl, replicas: 1 });
      await stack.revisions.requestBuild(app, { commit: null, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
      await settled(stack, [app], 30_000, () => workers.output());
      const [revision] = await revisionsOf(stack, app);
      expect(revision).toMatchObject({ status: RevisionStatus.FAILED });
      expect(revision!.failureReason).toMatch(/loopback, link-local or private address: Kipper does not fetch from its own network unless KIPPER_GIT_ALLOW_PRIVATE=true/);
      const [build] = await buildsOf(stack, app);
      expect(build).toMatchObject({ status: BuildStatus.FAILED, jobName: null });
      expect(workers.output()).not.toMatch(/git ls-remote .*(127\.0\.0\.1|169\.254|10\.0\.0\.7)/);
    });
  }
});
