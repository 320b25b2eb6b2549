import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService, DeployEventType, EventPublisher, loadConfig, Revision, RevisionService, RevisionStatus, RevisionTrigger, type App, type Logger } from '@kipper/core';
import { connectCluster } from '@kipper/kube';
import { loadWorkerSettings, startWorker, type Reporter, type RevisionReport, type RunningWorker } from '@kipper/worker';
import { createApp, startStack, waitFor, type Stack } from './harness.js';

interface Delivery {
  target: string;
  type: DeployEventType;
  app: string;
  revision: number;
  /** The revision's status when the report was made. */
  status: RevisionStatus;
  attempt: number;
  report: RevisionReport;
}

/**
 * The report plumbing with a reporter of the test's own, in a real worker (in-process, so the
 * reporter can be plugged in): every revision event becomes one `app.event` job, fanned out to
 * one `app.report` job per target with its own retries, on a queue whose slots rollouts cannot take.
 */
describe('worker: revision events reach every reporter target', () => {
  let stack: Stack;
  let worker: RunningWorker;
  let revisions: RevisionService;
  const deliveries: Delivery[] = [];
  const logs: string[] = [];
  /** Target `flaky` fails its first two attempts of every event. */
  const reporter: Reporter = {
    name: 'probe',
    targets: async (report) => (report.app.name.startsWith('quiet') ? [] : ['steady', 'flaky']),
    deliver: async (target, report, attempt) => {
      if (target === 'flaky' && attempt < 3) throw new Error('receiver answered 503');
      deliveries.push({ target, type: report.type, app: report.app.name, revision: report.revision.number, status: report.revision.status, attempt, report });
    },
  };

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50, sim: { slowReadyMs: 15_000 } });
    const env = {
      KIPPER_DATABASE_URL: stack.databaseUrl,
      KIPPER_REDIS_URL: stack.redisUrl,
      KIPPER_QUEUE_PREFIX: stack.queuePrefix,
      KIPPER_KUBE_SERVER: stack.sim.url,
      KIPPER_PUBLIC_URL: 'https://kipper.example.com',
      KIPPER_WORKER_CONCURRENCY: '1',
    };
    // One app drained at a time (KIPPER_WORKER_ROLLOUTS): a slow rollout holds the only slot for its whole length.
    const log: Logger = { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
    worker = await startWorker(loadConfig(env), loadWorkerSettings({ KIPPER_WORKER_LOCK_MS: '2000', KIPPER_SWEEP_MS: '500', KIPPER_WORKER_ROLLOUTS: '1' }), connectCluster({ kind: 'server', server: stack.sim.url }), log, {
      reporters: () => [reporter],
    });
    // The api's side: the same services, with an event publisher that enqueues reports.
    const events = new EventPublisher(stack.pubsub, { jobs: stack.queue });
    revisions = new RevisionService({ dataSource: stack.db, queue: stack.queue, events, audit: new AuditService({ dataSource: stack.db }) });
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  const of = (app: App, target: string) => deliveries.filter((d) => d.app === app.name && d.target === target);

  it('a deploy reports queued, rolling_out and live to each target, a failing one after its retries', async () => {
    const app = await createApp(stack, { name: 'api', replicas: 1 });
    await revisions.deployImage(app, { image: 'registry.example.com/api:v1', commit: 'abc1234', trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook' });
    // The revision's status changes, and app events (health) that name it. Each delivery retries
    // on its own schedule: `live` may get through to the flaky target before `rolling_out` does.
    const statusEvents = (target: string) => of(app, target).map((d) => d.type).filter((t) => t !== DeployEventType.HEALTH).sort();
    await waitFor(async () => statusEvents('steady').length >= 3 && statusEvents('flaky').length >= 3, {
      timeoutMs: 30_000,
      describe: () => JSON.stringify(deliveries.map((d) => [d.target, d.type, d.attempt])) + logs.join('\n'),
    });
    for (const target of ['steady', 'flaky']) {
      expect(statusEvents(target)).toEqual([DeployEventType.LIVE, DeployEventType.QUEUED, DeployEventType.ROLLING_OUT].sort());
    }
    expect(of(app, 'steady').some((d) => d.type === DeployEventType.HEALTH)).toBe(true);
    expect(of(app, 'steady').every((d) => d.attempt === 1)).toBe(true);
    expect(of(app, 'flaky').every((d) => d.attempt === 3)).toBe(true);
    // No progress events: they are live views, not reports.
    expect(deliveries.some((d) => d.type === DeployEventType.PROGRESS)).toBe(false);

    const live = of(app, 'steady').find((d) => d.type === DeployEventType.LIVE)!.report;
    expect(live.message).toBe('registry.example.com/api:v1 is live');
    expect(Number.isNaN(Date.parse(live.at))).toBe(false);
    expect(live.revision).toMatchObject({ number: 1, commit: 'abc1234', status: RevisionStatus.LIVE });
    expect(live.environment).toMatchObject({ id: stack.environment.id, name: 'test' });
    // The project has one environment: it is the last of the pipeline.
    expect(live.production).toBe(true);
    expect(live.consoleUrl).toBe(`https://kipper.example.com/#/apps/${app.namespace}/api/deploys`);
  });

  it('reports go out while a long rollout holds the only deploy slot, its own included', async () => {
    const slow = await createApp(stack, { name: 'slow', replicas: 1 });
    const other = await createApp(stack, { name: 'other', replicas: 1 });
    const slowRevision = await revisions.deployImage(slow, { image: 'registry.example.com/sim-slow:v1', commit: null, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    await waitFor(async () => of(slow, 'steady').some((d) => d.type === DeployEventType.ROLLING_OUT), { timeoutMs: 10_000 });
    await revisions.deployImage(other, { image: 'registry.example.com/other:v1', commit: null, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    await waitFor(async () => of(other, 'flaky').some((d) => d.type === DeployEventType.QUEUED), { timeoutMs: 10_000 });
    // The slow rollout still holds the slot: `other` has not started, and its report is out.
    const now = await stack.db.getRepository(Revision).findOneByOrFail({ id: slowRevision.id });
    expect(now.status).toBe(RevisionStatus.ROLLING_OUT);
    expect(of(other, 'steady').map((d) => d.type).filter((t) => t !== DeployEventType.HEALTH)).toEqual([DeployEventType.QUEUED]);
  });

  it('a reporter with no targets for the app gets no report jobs', async () => {
    const quiet = await createApp(stack, { name: 'quiet', replicas: 1 });
    const before = await stack.queue.reports.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'failed');
    await revisions.deployImage(quiet, { image: 'registry.example.com/quiet:v1', commit: null, trigger: RevisionTrigger.MANUAL, triggeredBy: 'admin' });
    // Its app.event job runs and completes with no report behind it.
    const events = await waitFor(async () => {
      const jobs = await stack.queue.reports.getJobs(['completed']);
      return jobs.find((j) => j.name === 'app.event' && (j.data as { appId: string }).appId === quiet.id);
    });
    expect(events.returnvalue).toEqual({ reports: 0 });
    expect(await stack.queue.reports.getJobCountByTypes('completed', 'waiting', 'active', 'delayed', 'failed')).toBeGreaterThan(before);
    expect(deliveries.some((d) => d.app === 'quiet')).toBe(false);
  });
});
