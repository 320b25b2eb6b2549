import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import {
  App,
  ApprovalDecision,
  ApprovalService,
  AppSource,
  AuditEntry,
  AuditService,
  Build,
  BuildLifecycleService,
  BuildStatus,
  consoleLogger,
  createJobQueue,
  createPubSub,
  DeployEventType,
  DeployPolicy,
  Environment,
  ErrorCode,
  EventPublisher,
  jobIdOf,
  openDatabase,
  Project,
  Revision,
  RevisionLifecycleService,
  RevisionService,
  RevisionStatus,
  canTransition,
  RevisionTransitionError,
  RevisionTrigger,
  topics,
  type DeployEventPayload,
  type JobQueue,
  type KipperPubSub,
} from '@kipper/core';

const ADMIN_URL = process.env.KIPPER_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.KIPPER_REDIS_URL ?? 'redis://127.0.0.1:6379';
const id = randomBytes(4).toString('hex');
const database = `kipper_lifecycle_${id}`;

const { QUEUED, BUILDING, ROLLING_OUT, LIVE, FAILED, SUPERSEDED, HELD, CANCELLED, AWAITING_APPROVAL, REJECTED } = RevisionStatus;

let db: DataSource;
let queue: JobQueue;
let pubsub: KipperPubSub;
let revisions: RevisionLifecycleService;
let history: RevisionService;
let builds: BuildLifecycleService;
let approvals: ApprovalService;
let environment: Environment;
let apps = 0;

beforeAll(async () => {
  db = await openDatabase(Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString());
  queue = createJobQueue(REDIS_URL, `kl-${id}`);
  pubsub = createPubSub(REDIS_URL, `kl-${id}`);
  const events = new EventPublisher(pubsub);
  revisions = new RevisionLifecycleService({ dataSource: db, queue, events, audit: new AuditService({ dataSource: db }), log: consoleLogger });
  builds = new BuildLifecycleService({ dataSource: db, events });
  approvals = new ApprovalService({ dataSource: db, queue, events, audit: new AuditService({ dataSource: db }) });
  history = new RevisionService({ dataSource: db, queue, events, audit: new AuditService({ dataSource: db }) });
  const project = await db.getRepository(Project).save({ name: `p${id}`, displayName: 'Lifecycle' });
  environment = await db.getRepository(Environment).save({ projectId: project.id, name: 'test', position: 0, namespace: `p${id}-test` });
});

afterAll(async () => {
  await queue?.queue.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await pubsub?.close();
  await db?.destroy();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
});

async function createApp(options: { autoRollback?: boolean; source?: AppSource } = {}): Promise<App> {
  return db.getRepository(App).save({
    environmentId: environment.id,
    projectId: environment.projectId,
    namespace: environment.namespace,
    name: `app${++apps}`,
    source: options.source ?? AppSource.GIT,
    image: null,
    gitUrl: 'https://git.example.com/app.git',
    gitBranch: 'main',
    dockerfilePath: 'Dockerfile',
    port: 8080,
    replicas: 1,
    env: [],
    host: null,
    deployPolicy: DeployPolicy.LATEST,
    autoRollback: options.autoRollback ?? true,
    watchGit: false,
  });
}

/** A revision as the worker finds it, in `status`, with a queued build (for the building step). */
async function revisionIn(app: App, status: RevisionStatus, fields: Partial<Revision> = {}): Promise<Revision> {
  const number = (await db.getRepository(Revision).countBy({ appId: app.id })) + 1;
  const build = await db.getRepository(Build).save({ appId: app.id, number, commit: 'abc123f', status: BuildStatus.QUEUED });
  const revision = await db.getRepository(Revision).save({
    appId: app.id,
    number,
    image: `registry.example.com/${app.name}:v${number}`,
    commit: 'abc123f',
    trigger: RevisionTrigger.WEBHOOK,
    triggeredBy: 'webhook:kipper',
    status,
    buildId: build.id,
    ...fields,
  });
  await db.getRepository(App).update(app.id, { nextRevisionNumber: number + 1 });
  return revision;
}

const reload = (revision: Revision) => db.getRepository(Revision).findOneByOrFail({ id: revision.id });
const buildOf = (revision: Revision) => db.getRepository(Build).findOneByOrFail({ id: revision.buildId! });

/** A refusal that a service method reports without an error, as the state machine's refusal. */
const refused = (revision: Revision, to: RevisionStatus) => new RevisionTransitionError(revision.number, revision.status, to);

/**
 * Each status a revision can be moved to, through the service method that moves it there.
 * `queued` (from `held`) and `held` (only ever a starting status) are covered by the pin tests;
 * `awaiting_approval` is only ever a starting status too (its ways out: test/worker/promotion.test.ts).
 */
const MOVES: Record<Exclude<RevisionStatus, typeof QUEUED | typeof HELD | typeof AWAITING_APPROVAL>, (app: App, revision: Revision) => Promise<unknown>> = {
  [REJECTED]: async (app, revision) => {
    try {
      await approvals.decide(app, revision.number, { actor: 'alice', role: 'admin' }, ApprovalDecision.REJECT, 'no');
    } catch (error) {
      if ((error as { code?: string }).code === ErrorCode.NOT_AWAITING_APPROVAL) throw refused(revision, REJECTED);
      throw error;
    }
  },
  [BUILDING]: (app, revision) => buildOf(revision).then((build) => builds.start(app, revision, build, 'abc123f')),
  [ROLLING_OUT]: (app, revision) => revisions.startRollout(app, revision),
  [LIVE]: (app, revision) => revisions.goLive(app, revision),
  [FAILED]: (app, revision) => revisions.fail(app, revision, 'Reason: message'),
  [SUPERSEDED]: async (app, revision) => {
    const newest = { ...revision, number: 99 } as Revision;
    // Queued ones are superseded before they start, in-flight ones preempted; both skip a
    // revision that moved on: a refusal without an error.
    const moved = revision.status === QUEUED ? (await revisions.supersede(app, [revision], newest)).length > 0 : await revisions.preempt(app, revision, newest);
    if (!moved) throw refused(revision, SUPERSEDED);
  },
  [CANCELLED]: async (app, revision) => {
    try {
      await revisions.cancel(app, 'alice');
    } catch (error) {
      if ((error as { code?: string }).code === ErrorCode.NOTHING_TO_CANCEL) throw refused(revision, CANCELLED);
      throw error;
    }
  },
};

const ALLOWED: [RevisionStatus, keyof typeof MOVES][] = [
  [AWAITING_APPROVAL, REJECTED],
  [QUEUED, BUILDING],
  [QUEUED, ROLLING_OUT],
  [QUEUED, FAILED],
  [QUEUED, SUPERSEDED],
  [BUILDING, ROLLING_OUT],
  [BUILDING, FAILED],
  [QUEUED, CANCELLED],
  [BUILDING, SUPERSEDED],
  [BUILDING, CANCELLED],
  [ROLLING_OUT, LIVE],
  [ROLLING_OUT, FAILED],
  [ROLLING_OUT, SUPERSEDED],
  [ROLLING_OUT, CANCELLED],
];
const TARGETS = Object.keys(MOVES) as (keyof typeof MOVES)[];
// A build started again on a revision already building is a resumed run, not a transition.
const RESUMED = (from: RevisionStatus, to: RevisionStatus) => from === BUILDING && to === BUILDING;
const REFUSED = Object.values(RevisionStatus)
  .flatMap((from) => TARGETS.map((to) => [from, to] as [RevisionStatus, keyof typeof MOVES]))
  .filter(([from, to]) => !ALLOWED.some(([f, t]) => f === from && t === to) && !RESUMED(from, to))
  // held → superseded is allowed, by the pin's methods only (see the pin tests).
  .filter(([from, to]) => !((from === HELD || from === AWAITING_APPROVAL) && canTransition(from, to)));

describe('RevisionLifecycleService applies the state machine in PostgreSQL', () => {
  it.each(ALLOWED)('moves %s → %s', async (from, to) => {
    const app = await createApp();
    const revision = await revisionIn(app, from);
    await MOVES[to](app, revision);
    const stored = await reload(revision);
    expect(stored.status).toBe(to);
    // cancel and decisions read the revision themselves; the others update the caller's object too.
    if (to !== CANCELLED && to !== REJECTED) expect(revision.status).toBe(to);
    if (to === LIVE || to === FAILED || to === SUPERSEDED || to === CANCELLED) expect(stored.finishedAt).not.toBeNull();
    if (to === BUILDING || to === ROLLING_OUT) expect(stored.startedAt).not.toBeNull();
    if (to === SUPERSEDED && from === QUEUED) expect(stored.startedAt).toBeNull();
  });

  it.each(REFUSED)('refuses %s → %s and changes nothing', async (from, to) => {
    const app = await createApp();
    const revision = await revisionIn(app, from);
    const before = await reload(revision);
    const buildBefore = await buildOf(revision);
    await expect(MOVES[to](app, revision)).rejects.toMatchObject({ code: ErrorCode.CONFLICT, from, to });
    expect(await reload(revision)).toEqual(before);
    expect(await buildOf(revision)).toEqual(buildBefore);
    expect((await db.getRepository(App).findOneByOrFail({ id: app.id })).currentRevisionId).toBeNull();
  });

  it('a build started again on a revision already building resumes it', async () => {
    const app = await createApp();
    const revision = await revisionIn(app, BUILDING, { startedAt: new Date('2026-01-01T00:00:00Z') });
    await builds.start(app, revision, await buildOf(revision), 'abc123f');
    expect(await reload(revision)).toMatchObject({ status: BUILDING, startedAt: new Date('2026-01-01T00:00:00Z') });
    expect((await buildOf(revision)).status).toBe(BuildStatus.RUNNING);
  });

  it('a live revision becomes the current one of its app', async () => {
    const app = await createApp();
    const revision = await revisionIn(app, ROLLING_OUT);
    await revisions.goLive(app, revision);
    expect((await db.getRepository(App).findOneByOrFail({ id: app.id })).currentRevisionId).toBe(revision.id);
  });

  it('a transition of a deleted app is APP_NOT_FOUND', async () => {
    const app = await createApp();
    const revision = await revisionIn(app, ROLLING_OUT);
    await db.getRepository(App).delete(app.id);
    await expect(revisions.goLive(app, revision)).rejects.toMatchObject({ code: ErrorCode.APP_NOT_FOUND });
  });

  it('a failed build fails its revision in the same step', async () => {
    const app = await createApp();
    const revision = await revisionIn(app, BUILDING);
    await builds.fail(app, revision, await buildOf(revision), 'BuildFailed: exit code 1');
    expect(await reload(revision)).toMatchObject({ status: FAILED, failureReason: 'BuildFailed: exit code 1' });
    expect(await buildOf(revision)).toMatchObject({ status: BuildStatus.FAILED, failureReason: 'BuildFailed: exit code 1' });
  });
});

describe('a failed rollout and its automatic rollback', () => {
  it('commit together: the rollback is queued, audited, enqueued, and announced after the failure', async () => {
    const app = await createApp();
    const live = await revisionIn(app, LIVE, { image: 'registry.example.com/web:good', commit: 'good' });
    await db.getRepository(App).update(app.id, { currentRevisionId: live.id });
    const failing = await revisionIn(app, ROLLING_OUT, { image: 'registry.example.com/web:bad' });
    const heard = await listen(app);

    const rollback = await revisions.failRollout(app, failing, 'ProgressDeadlineExceeded: too slow');

    expect(rollback?.target.id).toBe(live.id);
    expect(await reload(failing)).toMatchObject({ status: FAILED, failureReason: 'ProgressDeadlineExceeded: too slow' });
    const stored = await db.getRepository(Revision).findOneByOrFail({ id: rollback!.revision.id });
    expect(stored).toMatchObject({
      number: 3,
      status: QUEUED,
      trigger: RevisionTrigger.ROLLBACK,
      triggeredBy: 'kipper',
      image: 'registry.example.com/web:good',
      commit: 'good',
      rollbackToRevisionId: live.id,
    });
    const audit = await db.getRepository(AuditEntry).findBy({ target: `${app.namespace}/${app.name}`, action: 'revision.rollback' });
    expect(audit).toMatchObject([{ actor: 'kipper', details: { revision: 3, image: 'registry.example.com/web:good' } }]);
    expect(await queue.queue.getJob(jobIdOf({ name: 'app.deploy', data: { appId: app.id, revisionId: stored.id } })!)).toBeDefined();
    expect(await heard.events(2)).toMatchObject([
      { type: DeployEventType.FAILED, revisionNumber: 2, status: 'failed', message: 'ProgressDeadlineExceeded: too slow' },
      { type: DeployEventType.QUEUED, revisionNumber: 3, status: 'queued' },
    ]);
  });

  it('is not made without autoRollback, nor for a failed automatic rollback, nor without a live revision', async () => {
    const off = await createApp({ autoRollback: false });
    const offLive = await revisionIn(off, LIVE);
    await db.getRepository(App).update(off.id, { currentRevisionId: offLive.id });
    expect(await revisions.failRollout(off, await revisionIn(off, ROLLING_OUT), 'failed')).toBeNull();

    const again = await createApp();
    const againLive = await revisionIn(again, LIVE);
    await db.getRepository(App).update(again.id, { currentRevisionId: againLive.id });
    const automatic = await revisionIn(again, ROLLING_OUT, { trigger: RevisionTrigger.ROLLBACK, triggeredBy: 'kipper' });
    expect(await revisions.failRollout(again, automatic, 'failed')).toBeNull();

    const first = await createApp();
    expect(await revisions.failRollout(first, await revisionIn(first, ROLLING_OUT), 'failed')).toBeNull();

    for (const app of [off, again, first]) {
      expect(await db.getRepository(Revision).countBy({ appId: app.id, trigger: RevisionTrigger.ROLLBACK, triggeredBy: 'kipper', status: QUEUED })).toBe(0);
    }
  });

  it('leaves nothing when the failure is refused: no failure, no rollback', async () => {
    const app = await createApp();
    const live = await revisionIn(app, LIVE);
    await db.getRepository(App).update(app.id, { currentRevisionId: live.id });
    const done = await revisionIn(app, LIVE);
    await expect(revisions.failRollout(app, done, 'late')).rejects.toBeInstanceOf(RevisionTransitionError);
    expect(await db.getRepository(Revision).countBy({ appId: app.id })).toBe(2);
    expect((await reload(done)).status).toBe(LIVE);
  });
});

describe('superseding', () => {
  it('moves the queued ones and their queued builds, skips the ones that moved on, and audits once', async () => {
    const app = await createApp();
    const waiting = await revisionIn(app, QUEUED);
    const started = await revisionIn(app, BUILDING);
    const newest = await revisionIn(app, QUEUED);
    expect(await revisions.supersede(app, [waiting, started], newest)).toEqual([waiting.number]);
    expect((await reload(waiting)).status).toBe(SUPERSEDED);
    expect((await buildOf(waiting)).status).toBe(BuildStatus.SUPERSEDED);
    expect((await reload(started)).status).toBe(BUILDING);
    const audit = await db.getRepository(AuditEntry).findBy({ target: `${app.namespace}/${app.name}`, action: 'revision.supersede' });
    expect(audit).toMatchObject([{ actor: 'kipper', details: { revisions: [waiting.number], by: newest.number } }]);
  });
});

describe('preemption', () => {
  it('supersedes a rollout in flight with the reason, and its build; audited by kipper', async () => {
    const app = await createApp();
    const inFlight = await revisionIn(app, ROLLING_OUT);
    const newer = await revisionIn(app, QUEUED);
    expect(await revisions.preempt(app, inFlight, newer)).toBe(true);
    expect(await reload(inFlight)).toMatchObject({ status: SUPERSEDED, failureReason: `superseded by #${newer.number} while rolling out` });
    expect(await buildOf(inFlight)).toMatchObject({ status: BuildStatus.SUPERSEDED });
    const audit = await db.getRepository(AuditEntry).findBy({ target: `${app.namespace}/${app.name}`, action: 'revision.supersede' });
    expect(audit).toMatchObject([{ actor: 'kipper', details: { revisions: [inFlight.number], by: newer.number, while: 'rolling out' } }]);
  });

  it('makes no automatic rollback when a newer revision waits: the newer one goes out next', async () => {
    const app = await createApp();
    const live = await revisionIn(app, LIVE);
    await db.getRepository(App).update(app.id, { currentRevisionId: live.id });
    const failing = await revisionIn(app, ROLLING_OUT);
    await revisionIn(app, QUEUED);
    expect(await revisions.failRollout(app, failing, 'ProgressDeadlineExceeded: too slow')).toBeNull();
    expect((await reload(failing)).status).toBe(FAILED);
    expect(await db.getRepository(Revision).countBy({ appId: app.id, trigger: RevisionTrigger.ROLLBACK })).toBe(0);
  });
});

describe('cancel', () => {
  it('cancels a rollout and what waits behind it, and brings the last live image back as a rollback by the same person', async () => {
    const app = await createApp();
    const live = await revisionIn(app, LIVE, { image: 'registry.example.com/web:good' });
    await db.getRepository(App).update(app.id, { currentRevisionId: live.id });
    const rolling = await revisionIn(app, ROLLING_OUT, { image: 'registry.example.com/web:slow' });
    const waiting = await revisionIn(app, QUEUED);
    const heard = await listen(app);

    const result = await revisions.cancel(app, 'alice');

    expect(result.cancelled.map((r) => r.number)).toEqual([rolling.number, waiting.number]);
    expect(await reload(rolling)).toMatchObject({ status: CANCELLED, failureReason: 'cancelled by alice' });
    expect(await buildOf(rolling)).toMatchObject({ status: BuildStatus.CANCELLED });
    expect((await reload(waiting)).status).toBe(CANCELLED);
    expect(result.rollback).toMatchObject({ status: QUEUED, trigger: RevisionTrigger.ROLLBACK, triggeredBy: 'alice', image: 'registry.example.com/web:good', rollbackToRevisionId: live.id });
    const audit = await db.getRepository(AuditEntry).findBy({ target: `${app.namespace}/${app.name}`, action: 'revision.cancel' });
    expect(audit).toMatchObject([{ actor: 'alice', details: { revisions: [rolling.number, waiting.number], rollback: result.rollback!.number } }]);
    expect((await heard.events(3)).map((e) => e.type)).toEqual([DeployEventType.CANCELLED, DeployEventType.CANCELLED, DeployEventType.QUEUED]);
  });

  it('cancels a build without a rollback: nothing was rolled out', async () => {
    const app = await createApp();
    const live = await revisionIn(app, LIVE);
    await db.getRepository(App).update(app.id, { currentRevisionId: live.id });
    const building = await revisionIn(app, BUILDING);
    const result = await revisions.cancel(app, 'alice');
    expect(result.rollback).toBeNull();
    expect((await reload(building)).status).toBe(CANCELLED);
    expect((await buildOf(building)).status).toBe(BuildStatus.CANCELLED);
  });

  it('is NOTHING_TO_CANCEL when nothing is in flight, and changes nothing', async () => {
    const app = await createApp();
    const live = await revisionIn(app, LIVE);
    await expect(revisions.cancel(app, 'alice')).rejects.toMatchObject({ code: ErrorCode.NOTHING_TO_CANCEL });
    expect(await reload(live)).toMatchObject({ status: LIVE });
    expect(await db.getRepository(AuditEntry).countBy({ target: `${app.namespace}/${app.name}`, action: 'revision.cancel' })).toBe(0);
  });
});

describe('pins', () => {
  /** An image app with two live revisions (v1, then v2 current): something to roll back to. */
  async function liveTwice(): Promise<{ app: App; first: Revision; second: Revision }> {
    const app = await createApp({ source: AppSource.IMAGE });
    const first = await revisionIn(app, LIVE, { image: 'registry.example.com/web:v1', buildId: null });
    const second = await revisionIn(app, LIVE, { image: 'registry.example.com/web:v2', buildId: null });
    await db.getRepository(App).update(app.id, { currentRevisionId: second.id });
    return { app: await db.getRepository(App).findOneByOrFail({ id: app.id }), first, second };
  }
  const fresh = (app: App) => db.getRepository(App).findOneByOrFail({ id: app.id });
  const webhook = (app: App, tag: string) =>
    history.deployImage(app, { image: `registry.example.com/web:${tag}`, trigger: RevisionTrigger.WEBHOOK, triggeredBy: 'webhook:kipper' });

  it('a rollback pins the app; a webhook while pinned is recorded held with the reason, and nothing is enqueued', async () => {
    const { app, first } = await liveTwice();
    const rollback = await history.rollback(app, { actor: 'alice' });
    expect(rollback).toMatchObject({ image: first.image, status: QUEUED });
    const pinned = await fresh(app);
    expect(pinned).toMatchObject({ pinnedRevisionId: rollback.id, pinnedBy: 'alice' });

    const heard = await listen(app);
    const held = await webhook(pinned, 'v3');
    expect(held.status).toBe(HELD);
    expect((await reload(held)).status).toBe(HELD);
    const reason = await history.heldReason(pinned, held);
    expect(reason).toMatch(new RegExp(`^Revision #${held.number} is held: ${app.name} is pinned to revision #${rollback.number} \\(rolled back by alice at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)\\. Run kip app unpin ${app.name} to deploy it\\.$`));
    expect(await queue.queue.getJob(jobIdOf({ name: 'app.deploy', data: { appId: app.id, revisionId: held.id } })!)).toBeUndefined();
    expect(await heard.events(1)).toMatchObject([{ type: DeployEventType.HELD, revisionNumber: held.number, status: HELD, message: reason }]);
  });

  it('unpin deploys the newest held revision and supersedes the older ones', async () => {
    const { app } = await liveTwice();
    await history.rollback(app, { actor: 'alice' });
    const older = await webhook(await fresh(app), 'v3');
    const newer = await webhook(await fresh(app), 'v4');
    const deployed = await history.unpin(await fresh(app), 'bob');
    expect(deployed?.id).toBe(newer.id);
    expect((await reload(newer)).status).toBe(QUEUED);
    expect(await reload(older)).toMatchObject({ status: SUPERSEDED, failureReason: `superseded by #${newer.number} when ${app.name} was unpinned` });
    expect((await fresh(app)).pinnedRevisionId).toBeNull();
    expect(await queue.queue.getJob(jobIdOf({ name: 'app.deploy', data: { appId: app.id, revisionId: newer.id } })!)).toBeDefined();
    await expect(history.unpin(await fresh(app), 'bob')).rejects.toMatchObject({ code: ErrorCode.NOT_PINNED });
  });

  it("a person's deploy while pinned deploys, removes the pin and supersedes what was held", async () => {
    const { app } = await liveTwice();
    await history.rollback(app, { actor: 'alice' });
    const held = await webhook(await fresh(app), 'v3');
    const manual = await history.deployImage(await fresh(app), { image: 'registry.example.com/web:v5', trigger: RevisionTrigger.MANUAL, triggeredBy: 'bob' });
    expect(manual.status).toBe(QUEUED);
    expect((await reload(held)).status).toBe(SUPERSEDED);
    expect((await fresh(app)).pinnedRevisionId).toBeNull();
    const unpins = await db.getRepository(AuditEntry).findBy({ target: `${app.namespace}/${app.name}`, action: 'app.unpin' });
    expect(unpins).toMatchObject([{ actor: 'bob', details: { by: manual.number, superseded: [held.number] } }]);
  });

  it('a rollback with pin: false leaves the app unpinned, and webhooks deploy as usual', async () => {
    const { app } = await liveTwice();
    await history.rollback(app, { actor: 'alice', pin: false });
    expect((await fresh(app)).pinnedRevisionId).toBeNull();
    expect((await webhook(await fresh(app), 'v3')).status).toBe(QUEUED);
  });
});

/** Collects the live events of an app, as the console and `kip --wait` hear them, from when Redis has the subscription. */
async function listen(app: App) {
  const received: DeployEventPayload[] = [];
  const iterator = pubsub.subscribe<DeployEventPayload>(topics.app(app.id));
  const reading = (async () => {
    for await (const event of { [Symbol.asyncIterator]: () => iterator }) received.push(event);
  })();
  const redis = new Redis(REDIS_URL);
  try {
    for (;;) {
      const [, subscribers] = (await redis.pubsub('NUMSUB', pubsub.channel(topics.app(app.id)))) as [string, number];
      if (Number(subscribers) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    redis.disconnect();
  }
  return {
    async events(count: number): Promise<DeployEventPayload[]> {
      const deadline = Date.now() + 5_000;
      while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await iterator.return?.();
      await reading;
      return received;
    },
  };
}
