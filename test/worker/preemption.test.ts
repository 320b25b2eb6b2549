import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry, DeployPolicy, RevisionStatus, RevisionTrigger } from '@kipper/core';
import pg from 'pg';
import { startKipper, type RunningKipper } from '../support/kipper.js';
import { deploymentImage } from '../support/sim-objects.js';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, describeRevisions, revisionsOf, settled, startStack, waitFor, type Stack } from './harness.js';

interface Row {
  number: number;
  status: string;
  image: string;
  trigger: string;
  failure_reason: string | null;
}

/**
 * Newest wins while a rollout is under way (deploy policy `latest`): a revision that cannot finish
 * (its image never becomes ready; the progress deadline is far beyond the test) must not hold up
 * the fix that CI sends after it.
 */
describe('worker: a newer revision preempts a rollout in flight', () => {
  let kipper: RunningKipper;
  let db: pg.Client;

  beforeAll(async () => {
    kipper = await startKipper({ worker: true, rolloutStepMs: 100 });
    db = new pg.Client({ connectionString: kipper.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await kipper?.stop();
  });

  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => kipper.data<T>(query, variables);
  const revisions = async (appId: string) =>
    (await db.query<Row>('SELECT number, status, image, trigger, failure_reason FROM revision WHERE app_id = $1 ORDER BY number', [appId])).rows;
  const report = async (appId: string) => `${JSON.stringify(await revisions(appId), null, 1)}\n${kipper.workers!.output()}`;

  it('a sim-fail image, then a good one 2 s later: the good one is live within 15 s, the bad one superseded, no rollback', async () => {
    await gql('mutation { createProject(input: { name: "shop", environments: ["test"] }) { name } }');
    const { deployApp } = await gql<{ deployApp: { id: string } }>(
      'mutation { deployApp(input: { project: "shop", name: "api", image: "registry.example.com/api:v1", port: 8080, replicas: 2 }) { id } }',
    );
    const appId = deployApp.id;
    await waitFor(async () => (await revisions(appId))[0]?.status === 'live', { timeoutMs: 20_000, describe: () => report(appId) });
    const { enableWebhook } = await gql<{ enableWebhook: { url: string; token: string } }>(
      'mutation { enableWebhook(app: { project: "shop", environment: "test", name: "api" }) { url token } }',
    );
    const send = async (image: string) => {
      const res = await fetch(enableWebhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kipper-token': enableWebhook.token },
        body: JSON.stringify({ image }),
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { revision: { number: number } }).revision.number;
    };

    const bad = await send('registry.example.com/api:sim-fail');
    await waitFor(async () => (await revisions(appId))[bad - 1]?.status === 'rolling_out', { timeoutMs: 10_000, describe: () => report(appId) });
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the bad rollout is under way, stuck
    const sentAt = Date.now();
    const good = await send('registry.example.com/api:v2');
    await waitFor(async () => (await revisions(appId))[good - 1]?.status === 'live', { timeoutMs: 15_000, intervalMs: 50, describe: () => report(appId) });
    const tookMs = Date.now() - sentAt;
    console.log(`preemption: webhook of the good image → live in ${tookMs} ms`);
    expect(tookMs).toBeLessThan(15_000);

    const rows = await revisions(appId);
    expect(rows.map((r) => [r.number, r.status, r.trigger]), await report(appId)).toEqual([
      [1, 'live', 'manual'],
      [bad, 'superseded', 'webhook'],
      [good, 'live', 'webhook'],
    ]);
    expect(rows[bad - 1]!.failure_reason).toBe(`superseded by #${good} while rolling out`);
    expect(await deploymentImage(kipper.sim.url, 'shop-test', 'api')).toBe('registry.example.com/api:v2');
    const audit = await kipper.kipper.services.dataSource.getRepository(AuditEntry).findBy({ action: 'revision.supersede', target: 'shop-test/api' });
    expect(audit.map((a) => a.details)).toContainEqual(expect.objectContaining({ revisions: [bad], by: good }));
  });
});

/** Policy `every`: strict order, no preemption: the revision in flight finishes first. */
describe('worker: deploy policy every is never preempted', () => {
  let stack: Stack;
  let workers: WorkerGroup;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 100, sim: { slowReadyMs: 3_000 } });
    workers = await startWorkers(stack, 1);
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  it('a slow rollout finishes, then the newer revision goes out', async () => {
    const app = await createApp(stack, { name: 'batch', replicas: 1, deployPolicy: DeployPolicy.EVERY });
    const deploy = (image: string) => stack.revisions.deployImage(app, { image, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' });
    await deploy('registry.example.com/batch:sim-slow-1');
    await waitFor(async () => (await revisionsOf(stack, app))[0]?.status === RevisionStatus.ROLLING_OUT, { describe: () => workers.output() });
    await deploy('registry.example.com/batch:v2');
    await settled(stack, [app], 30_000, () => workers.output());
    const all = await revisionsOf(stack, app);
    expect(all.map((r) => r.status), describeRevisions(all)).toEqual([RevisionStatus.LIVE, RevisionStatus.LIVE]);
    expect(all[1]!.startedAt!.getTime()).toBeGreaterThanOrEqual(all[0]!.finishedAt!.getTime());
    expect(await deploymentImage(stack.sim.url, app.namespace, 'batch')).toBe('registry.example.com/batch:v2');
  });
});
