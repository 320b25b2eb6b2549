import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import {
  App,
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
  RevisionStatus,
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

const { QUEUED, BUILDING, ROLLING_OUT, LIVE, FAILED, SUPERSEDED } = RevisionStatus;

let db: DataSource;
let queue: JobQueue;
let pubsub: KipperPubSub;
let revisions: RevisionLifecycleService;
let builds: BuildLifecycleService;
let environment: Environment;
let apps = 0;

beforeAll(async () => {
  db = await openDatabase(Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString());
  queue = createJobQueue(REDIS_URL, `kl-${id}`);
  pubsub = createPubSub(REDIS_URL, `kl-${id}`);
  const events = new EventPublisher(pubsub);
  revisions = new RevisionLifecycleService({ dataSource: db, queue, events, audit: new AuditService({ dataSource: db }), log: consoleLogger });
  builds = new BuildLifecycleService({ dataSource: db, events });
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

async function createApp(options: { autoRollback?: boolean } = {}): Promise<App> {
  return db.getRepository(App).save({
    environmentId: environment.id,
    projectId: environment.projectId,
    namespace: environment.namespace,
    name: `app${++apps}`,
    source: AppSource.GIT,
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

/** Each status a revision can be moved to, through the service method that moves it there. */
const MOVES: Record<Exclude<RevisionStatus, typeof QUEUED>, (app: App, revision: Revision) => Promise<unknown>> = {
  [BUILDING]: (app, revision) => buildOf(revision).then((build) => builds.start(app, revision, build, 'abc123f')),
  [ROLLING_OUT]: (app, revision) => revisions.startRollout(app, revision),
  [LIVE]: (app, revision) => revisions.goLive(app, revision),
  [FAILED]: (app, revision) => revisions.fail(app, revision, 'Reason: message'),
  [SUPERSEDED]: async (app, revision) => {
    const moved = await revisions.supersede(app, [revision], { ...revision, number: 99 } as Revision);
    // Superseding skips revisions that have moved on: a refusal without an error.
    if (moved.length === 0) throw new RevisionTransitionError(revision.number, revision.status, SUPERSEDED);
  },
};

const ALLOWED: [RevisionStatus, keyof typeof MOVES][] = [
  [QUEUED, BUILDING],
  [QUEUED, ROLLING_OUT],
  [QUEUED, FAILED],
  [QUEUED, SUPERSEDED],
  [BUILDING, ROLLING_OUT],
  [BUILDING, FAILED],
  [ROLLING_OUT, LIVE],
  [ROLLING_OUT, FAILED],
];
const TARGETS = Object.keys(MOVES) as (keyof typeof MOVES)[];
// A build started again on a revision already building is a resumed run, not a transition.
const RESUMED = (from: RevisionStatus, to: RevisionStatus) => from === BUILDING && to === BUILDING;
const REFUSED = Object.values(RevisionStatus)
  .flatMap((from) => TARGETS.map((to) => [from, to] as [RevisionStatus, keyof typeof MOVES]))
  .filter(([from, to]) => !ALLOWED.some(([f, t]) => f === from && t === to) && !RESUMED(from, to));

describe('RevisionLifecycleService applies the state machine in PostgreSQL', () => {
  it.each(ALLOWED)('moves %s → %s', async (from, to) => {
    const app = await createApp();
    const revision = await revisionIn(app, from);
    await MOVES[to](app, revision);
    const stored = await reload(revision);
    expect(stored.status).toBe(to);
    expect(revision.status).toBe(to);
    if (to === LIVE || to === FAILED || to === SUPERSEDED) expect(stored.finishedAt).not.toBeNull();
    if (to === BUILDING || to === ROLLING_OUT) expect(stored.startedAt).not.toBeNull();
    if (to === SUPERSEDED) expect(stored.startedAt).toBeNull();
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
