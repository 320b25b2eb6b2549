import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployEventType, HealthStatus, RevisionStatus, RevisionTrigger, topics, type DeployEventPayload } from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, reloadApp, revisionsOf, settled, startStack, waitFor, waitForSubscriber, type Stack } from './harness.js';

/**
 * Health is the cluster's, not the rollout's: an image that becomes ready and then crash-loops
 * went live (the rollout finished) and leaves the app Degraded, recorded from watch events.
 */
describe('worker: app health from the cluster', () => {
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50, sim: { crashAfterMs: 2_000 } });
    // The full pass is far away: what the test sees comes from the watch.
    workers = await startWorkers(stack, 1, { KIPPER_RECONCILE_SECONDS: '300' });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  it('a sim-crash image: the revision stays live, the app becomes Degraded (CrashLoopBackOff) with a HEALTH event', async () => {
    const app = await createApp(stack, { name: 'crashy', replicas: 2 });
    const events: DeployEventPayload[] = [];
    const subscription = stack.pubsub.subscribe<DeployEventPayload>(topics.app(app.id));
    const reading = (async () => {
      for await (const event of subscription) {
        events.push(event);
        if (event.type === DeployEventType.HEALTH && event.health?.status === HealthStatus.DEGRADED) break;
      }
    })();
    await waitForSubscriber(stack.redisUrl, stack.pubsub.channel(topics.app(app.id)));

    await stack.revisions.deployImage(app, { image: 'registry.example.com/crashy:sim-crash', trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    await settled(stack, [app], 20_000, () => workers.output());
    expect((await revisionsOf(stack, app))[0]!.status).toBe(RevisionStatus.LIVE);

    const health = await waitFor(async () => {
      const h = (await reloadApp(stack, app)).health;
      return h?.status === HealthStatus.DEGRADED ? h : undefined;
    }, { timeoutMs: 15_000, describe: () => workers.output() });
    expect(health.reason).toBe('CrashLoopBackOff');
    await reading;
    const degraded = events.find((e) => e.type === DeployEventType.HEALTH && e.health?.status === HealthStatus.DEGRADED)!;
    expect(degraded.message).toMatch(/^Degraded: CrashLoopBackOff/);
    expect(degraded.revisionNumber).toBe(1);
    // Before it crashed, the app was seen healthy.
    expect(events.some((e) => e.type === DeployEventType.HEALTH && e.health?.status === HealthStatus.HEALTHY)).toBe(true);
    expect((await revisionsOf(stack, app))[0]!.status).toBe(RevisionStatus.LIVE);
  });

  it('a healthy app is Healthy', async () => {
    const app = await createApp(stack, { name: 'fine', replicas: 1 });
    await stack.revisions.deployImage(app, { image: 'registry.example.com/fine:v1', trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    await settled(stack, [app], 20_000, () => workers.output());
    await waitFor(async () => (await reloadApp(stack, app)).health?.status === HealthStatus.HEALTHY, { timeoutMs: 5_000, describe: () => workers.output() });
  });
});
