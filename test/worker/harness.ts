import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { App, AppSource, DeployPolicy, DriftPolicy, AuditService, Build, openDatabase, createPubSub, EventPublisher, type KipperPubSub, createJobQueue, type JobQueue, Environment, Project, Revision, UNFINISHED_STATUSES, RevisionService, RevisionLifecycleService, consoleLogger } from '@kipper/core';
import { connectCluster, type Cluster } from '@kipper/kube';
import { startSimulator, type Simulator, type SimulatorOptions } from '@kipper/kube-sim';
import { In } from 'typeorm';
import type { WorkerTarget } from '../support/worker.js';

const REDIS_URL = process.env.KIPPER_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_URL = process.env.KIPPER_TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A Kipper without the api process, for the worker tests: a fresh database (migrated), a fresh
 * queue prefix, a simulator, and the api's own domain services as the producer side (the same
 * RevisionService the webhook and GraphQL use). Worker processes are started separately.
 */
export interface Stack extends WorkerTarget {
  redisUrl: string;
  sim: Simulator;
  db: DataSource;
  queue: JobQueue;
  pubsub: KipperPubSub;
  revisions: RevisionService;
  /** Core's lifecycle (what the api's cancel uses). */
  lifecycle: RevisionLifecycleService;
  cluster: Cluster;
  project: Project;
  environment: Environment;
  close(): Promise<void>;
}

export async function startStack(options: { rolloutStepMs?: number; sim?: SimulatorOptions } = {}): Promise<Stack> {
  const id = randomBytes(4).toString('hex');
  const database = `kipper_worker_${id}`;
  const admin = new URL(ADMIN_URL);
  const databaseUrl = new URL(`/${database}`, admin).toString();
  const queuePrefix = `kw-${id}`;
  const db = await openDatabase(databaseUrl, { poolSize: 20 });
  const sim = await startSimulator({ port: 0, rolloutStepMs: options.rolloutStepMs ?? 100, ...options.sim });
  const queue = createJobQueue(REDIS_URL, queuePrefix);
  const pubsub = createPubSub(REDIS_URL, queuePrefix);
  const events = new EventPublisher(pubsub);
  const audit = new AuditService({ dataSource: db });
  const revisions = new RevisionService({ dataSource: db, queue, events, audit });
  const lifecycle = new RevisionLifecycleService({ dataSource: db, queue, events, audit, log: consoleLogger });
  const cluster = connectCluster({ kind: 'server', server: sim.url });

  const project = await db.getRepository(Project).save({ name: `p${id}`, displayName: `Project ${id}` });
  const environment = await db
    .getRepository(Environment)
    .save({ projectId: project.id, name: 'test', position: 0, namespace: `p${id}-test` });

  return {
    databaseUrl,
    redisUrl: REDIS_URL,
    queuePrefix,
    sim,
    db,
    queue,
    pubsub,
    revisions,
    lifecycle,
    cluster,
    project,
    environment,
    async close() {
      cluster.close();
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.reports.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await pubsub.close();
      await db.destroy();
      await sim.close();
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
      await client.end();
    },
  };
}

export interface AppOptions {
  name: string;
  source?: AppSource;
  gitUrl?: string;
  gitBranch?: string;
  dockerfilePath?: string;
  replicas?: number;
  deployPolicy?: DeployPolicy;
  autoRollback?: boolean;
  watchGit?: boolean;
  driftPolicy?: DriftPolicy;
  host?: string | null;
}

export async function createApp(stack: Stack, options: AppOptions): Promise<App> {
  const source = options.source ?? AppSource.IMAGE;
  return stack.db.getRepository(App).save({
    environmentId: stack.environment.id,
    projectId: stack.project.id,
    namespace: stack.environment.namespace,
    name: options.name,
    source,
    image: null,
    gitUrl: options.gitUrl ?? null,
    gitBranch: source === AppSource.GIT ? (options.gitBranch ?? 'main') : null,
    dockerfilePath: source === AppSource.GIT ? (options.dockerfilePath ?? 'Dockerfile') : null,
    port: 8080,
    replicas: options.replicas ?? 2,
    env: [],
    host: options.host ?? null,
    driftPolicy: options.driftPolicy ?? DriftPolicy.REPAIR,
    deployPolicy: options.deployPolicy ?? DeployPolicy.LATEST,
    autoRollback: options.autoRollback ?? true,
    watchGit: options.watchGit ?? false,
  });
}

export async function reloadApp(stack: Stack, app: App): Promise<App> {
  return stack.db.getRepository(App).findOneByOrFail({ id: app.id });
}

export async function revisionsOf(stack: Stack, app: App): Promise<Revision[]> {
  return stack.db.getRepository(Revision).find({ where: { appId: app.id }, order: { number: 'ASC' } });
}

export async function buildsOf(stack: Stack, app: App): Promise<Build[]> {
  return stack.db.getRepository(Build).find({ where: { appId: app.id }, order: { number: 'ASC' } });
}

export async function unfinishedCount(stack: Stack, apps: App[]): Promise<number> {
  return stack.db
    .getRepository(Revision)
    .countBy({ appId: In(apps.map((a) => a.id)), status: In(UNFINISHED_STATUSES) });
}

/** Polls until `check` returns a value that is not undefined/false; fails with `describe()` after the timeout. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => string | Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const detail = options.describe ? await options.describe() : '';
      throw new Error(`timed out waiting${detail ? `:\n${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** Waits until none of the apps has a queued / building / rolling_out revision. */
export async function settled(stack: Stack, apps: App[], timeoutMs = 30_000, describe?: () => string): Promise<void> {
  await waitFor(async () => (await unfinishedCount(stack, apps)) === 0, { timeoutMs, describe });
}

export interface Interval {
  number: number;
  start: number;
  end: number;
}

/** Intervals of the revisions that ran (a build or a rollout): started and finished. */
export function intervals(revisions: Revision[]): Interval[] {
  return revisions
    .filter((r) => r.startedAt && r.finishedAt)
    .map((r) => ({ number: r.number, start: r.startedAt!.getTime(), end: r.finishedAt!.getTime() }))
    .sort((a, b) => a.start - b.start);
}

/** Pairs of intervals that overlap (touching ends do not count). */
export function overlaps(list: Interval[]): [Interval, Interval][] {
  const found: [Interval, Interval][] = [];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      if (list[j]!.start < list[i]!.end && list[i]!.start < list[j]!.end) found.push([list[i]!, list[j]!]);
    }
  }
  return found;
}

/** The largest number of intervals open at the same moment. */
export function maxParallel(list: Interval[]): number {
  const points = list.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let max = 0;
  for (const p of points) {
    open += p.d;
    max = Math.max(max, open);
  }
  return max;
}

export function describeRevisions(revisions: Revision[]): string {
  return revisions
    .map(
      (r) =>
        `#${r.number} ${r.status} ${r.image ?? '-'} ${r.trigger}/${r.triggeredBy} ${r.failureReason ?? ''} ` +
        `${r.startedAt?.toISOString() ?? '-'} → ${r.finishedAt?.toISOString() ?? '-'}`,
    )
    .join('\n');
}

/** A bare git repository under /tmp with a work tree to make commits in; `file://` URL. */
/** Resolves once Redis has a subscriber on the channel (a subscription is in place). */
export async function waitForSubscriber(redisUrl: string, channel: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    await waitFor(async () => {
      const answer = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      return Number(answer[1]) > 0;
    });
  } finally {
    redis.disconnect();
  }
}
