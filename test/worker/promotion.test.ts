import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApprovalDecision,
  ApprovalService,
  AuditEntry,
  AuditService,
  DriftPolicy,
  Environment,
  ErrorCode,
  EventPublisher,
  RevisionStatus,
  RevisionTrigger,
  type App,
} from '@kipper/core';
import { startWorkers, type WorkerGroup } from '../support/worker.js';
import { createApp, describeRevisions, reloadApp, revisionsOf, settled, startStack, waitFor, type AppOptions, type Stack } from './harness.js';

/**
 * Promotion ships the bytes the source ran: the digest its pods reported, pinned as
 * `repository@sha256:…` in the target; environments that require approvals hold deploys until
 * enough different people approve; frozen environments refuse deploys but an admin's rollback.
 */
describe('worker: promotion by digest, approvals and freezes', () => {
  let stack: Stack;
  let workers: WorkerGroup;
  let prod: Environment;
  let approvals: ApprovalService;
  const repository = `registry.example.com/promo-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    stack = await startStack({ rolloutStepMs: 50 });
    workers = await startWorkers(stack, 1);
    prod = await stack.db.getRepository(Environment).save({ projectId: stack.project.id, name: 'prod', position: 1, namespace: `${stack.environment.namespace.replace(/-test$/, '')}-prod` });
    approvals = new ApprovalService({ dataSource: stack.db, queue: stack.queue, events: new EventPublisher(stack.pubsub), audit: new AuditService({ dataSource: stack.db }) });
  });
  afterAll(async () => {
    await workers?.stop();
    await stack?.close();
  });

  const inProd = (options: AppOptions) => createApp({ ...stack, environment: prod }, options);
  const deploy = (app: App, image: string, triggeredBy = 'dev') => stack.revisions.deployImage(app, { image, trigger: RevisionTrigger.MANUAL, triggeredBy });
  const promote = (app: App, actor = 'dev') => stack.revisions.promote(app, { actor });
  const configure = (settings: Parameters<ApprovalService['configureEnvironment']>[2]) => approvals.configureEnvironment(stack.project, prod, settings, 'admin');
  const all = () => workers.output();

  /** The digests the app's pods report (containerStatuses[].imageID), read from the simulator as kubectl would. */
  async function podDigests(app: App): Promise<string[]> {
    const res = await fetch(`${stack.sim.url}/api/v1/namespaces/${app.namespace}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/name=${app.name}`)}`);
    const list = (await res.json()) as { items: { status?: { containerStatuses?: { imageID?: string }[] } }[] };
    return list.items.map((pod) => pod.status?.containerStatuses?.[0]?.imageID?.split('@')[1] ?? '');
  }

  async function rePush(image: string): Promise<string> {
    const res = await fetch(`${stack.sim.url}/kipper-sim/v1/images/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ image }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { digest: string }).digest;
  }

  it('records the digest that ran, promotes it pinned, and a re-pushed tag does not change what prod runs', async () => {
    const test = await createApp(stack, { name: 'api', replicas: 1 });
    const target = await inProd({ name: 'api', replicas: 1, driftPolicy: DriftPolicy.REPORT });
    await deploy(test, `${repository}:main`);
    await settled(stack, [test], 30_000, all);
    const [source] = await revisionsOf(stack, test);
    expect(source!.status, describeRevisions([source!])).toBe(RevisionStatus.LIVE);
    expect(source!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await podDigests(test)).toContain(source!.digest);

    const promoted = await promote(await reloadApp(stack, test));
    expect(promoted).toMatchObject({ image: `${repository}@${source!.digest}`, imageTag: `${repository}:main`, promotedFromRevisionId: source!.id, trigger: RevisionTrigger.PROMOTION });
    await settled(stack, [target], 30_000, all);
    const [live] = await revisionsOf(stack, target);
    expect(live).toMatchObject({ status: RevisionStatus.LIVE, digest: source!.digest });
    expect(await stack.cluster.readImage(target.namespace, target.name)).toBe(`${repository}@${source!.digest}`);

    // The tag moves: an app that pulls it now gets the new digest, prod's new pods still the old one.
    const moved = await rePush(`${repository}:main`);
    expect(moved).not.toBe(source!.digest);
    const fresh = await createApp(stack, { name: 'api-fresh', replicas: 1 });
    await deploy(fresh, `${repository}:main`);
    await settled(stack, [fresh], 30_000, all);
    expect((await revisionsOf(stack, fresh))[0]!.digest).toBe(moved);
    await stack.cluster.setReplicas(target.namespace, target.name, 3);
    await waitFor(async () => (await podDigests(target)).filter((d) => d !== '').length === 3, { describe: all });
    expect(new Set(await podDigests(target))).toEqual(new Set([source!.digest]));
    expect(await stack.cluster.readRunningDigest(target.namespace, target.name)).toBe(source!.digest);
  });

  it('refuses to promote a live revision whose digest was never recorded', async () => {
    const test = await createApp(stack, { name: 'legacy', replicas: 1 });
    await inProd({ name: 'legacy', replicas: 1 });
    await deploy(test, `${repository}:legacy`);
    await settled(stack, [test], 30_000, all);
    await stack.db.query(`UPDATE revision SET digest = NULL WHERE app_id = $1`, [test.id]);
    await expect(promote(await reloadApp(stack, test))).rejects.toMatchObject({ code: ErrorCode.DIGEST_UNKNOWN });
  });

  it('holds a promotion into an environment with 2 approvals until two different people approve, then deploys it', async () => {
    const test = await createApp(stack, { name: 'web', replicas: 1 });
    const target = await inProd({ name: 'web', replicas: 1 });
    await deploy(test, `${repository}:web`);
    await settled(stack, [test], 30_000, all);
    await configure({ approvals: 2 });

    const waiting = await promote(await reloadApp(stack, test), 'dev');
    expect(waiting.status).toBe(RevisionStatus.AWAITING_APPROVAL);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stack.cluster.readImage(target.namespace, target.name)).toBeNull();

    const admin = (actor: string) => ({ actor, role: 'admin' });
    await expect(approvals.decide(target, waiting.number, admin('dev'), ApprovalDecision.APPROVE)).rejects.toMatchObject({ code: ErrorCode.SELF_APPROVAL });
    await expect(approvals.decide(target, waiting.number, { actor: 'bob', role: 'deployer' }, ApprovalDecision.APPROVE)).rejects.toMatchObject({ code: ErrorCode.NOT_AN_APPROVER });
    const first = await approvals.decide(target, waiting.number, admin('alice'), ApprovalDecision.APPROVE, 'looks good');
    expect(first).toMatchObject({ approvals: 1, required: 2, revision: { status: RevisionStatus.AWAITING_APPROVAL } });
    await expect(approvals.decide(target, waiting.number, admin('alice'), ApprovalDecision.APPROVE)).rejects.toMatchObject({ code: ErrorCode.ALREADY_DECIDED });
    const second = await approvals.decide(target, waiting.number, admin('carol'), ApprovalDecision.APPROVE);
    expect(second).toMatchObject({ approvals: 2, required: 2, revision: { status: RevisionStatus.QUEUED } });

    await settled(stack, [target], 30_000, all);
    const [live] = await revisionsOf(stack, target);
    expect(live).toMatchObject({ status: RevisionStatus.LIVE, image: waiting.image });
    const decisions = await stack.db.getRepository(AuditEntry).find({ where: { target: `${target.namespace}/web` }, order: { at: 'ASC' } });
    expect(decisions.filter((e) => e.action === 'revision.approve').map((e) => [e.actor, e.details.approvals])).toEqual([
      ['alice', 1],
      ['carol', 2],
    ]);
  });

  it('ends a revision awaiting approval by a rejection, and an older one by a newer revision', async () => {
    const test = await reloadApp(stack, (await stack.db.getRepository('App').findOneByOrFail({ namespace: stack.environment.namespace, name: 'web' })) as App);
    const target = (await stack.db.getRepository('App').findOneByOrFail({ namespace: prod.namespace, name: 'web' })) as App;
    const before = await stack.cluster.readImage(target.namespace, target.name);

    const rejected = await deploy(target, `${repository}:hotfix`, 'dev');
    expect(rejected.status).toBe(RevisionStatus.AWAITING_APPROVAL);
    const result = await approvals.decide(target, rejected.number, { actor: 'alice', role: 'admin' }, ApprovalDecision.REJECT, 'not during the sale');
    expect(result.revision).toMatchObject({ status: RevisionStatus.REJECTED, failureReason: 'rejected by alice: not during the sale' });

    const older = await deploy(target, `${repository}:hotfix2`, 'dev');
    const newer = await promote(test, 'dev');
    const [o, n] = await Promise.all([stack.revisions.byId(older.id), stack.revisions.byId(newer.id)]);
    expect(o).toMatchObject({ status: RevisionStatus.SUPERSEDED });
    expect(n).toMatchObject({ status: RevisionStatus.AWAITING_APPROVAL });
    await expect(approvals.decide(target, older.number, { actor: 'alice', role: 'admin' }, ApprovalDecision.APPROVE)).rejects.toMatchObject({ code: ErrorCode.NOT_AWAITING_APPROVAL });
    expect(await stack.cluster.readImage(target.namespace, target.name)).toBe(before);
  });

  it('a frozen environment refuses every deploy with the reason, and takes an admin\'s rollback', async () => {
    const target = (await stack.db.getRepository('App').findOneByOrFail({ namespace: prod.namespace, name: 'api' })) as App;
    await configure({ approvals: 0 });
    await deploy(target, `${repository}:v2`);
    await settled(stack, [target], 30_000, all);
    await configure({ freeze: 'release week' });

    const refused = deploy(target, `${repository}:v3`);
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.ENVIRONMENT_FROZEN });
    await expect(refused).rejects.toThrow(/frozen by admin .*: release week/);
    await expect(stack.revisions.rollback(await reloadApp(stack, target), { actor: 'dev' })).rejects.toMatchObject({ code: ErrorCode.ENVIRONMENT_FROZEN });
    const count = (await revisionsOf(stack, target)).length;

    const rollback = await stack.revisions.rollback(await reloadApp(stack, target), { actor: 'alice', byAdmin: true });
    expect(rollback.status).toBe(RevisionStatus.QUEUED);
    await settled(stack, [target], 30_000, all);
    expect((await revisionsOf(stack, target)).length).toBe(count + 1);
    expect((await stack.revisions.byId(rollback.id))!.status).toBe(RevisionStatus.LIVE);

    await configure({ unfreeze: true });
    expect((await deploy(await reloadApp(stack, target), `${repository}:v3`)).status).toBe(RevisionStatus.QUEUED);
    await settled(stack, [target], 30_000, all);
  });
});
