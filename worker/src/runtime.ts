import { type KipperConfig, type Logger, createKipperMetrics, describeError, openDatabase, createPubSub, DEPLOY_QUEUE, REPORT_QUEUE, createJobQueue, closeRedis, createRedis, createServices } from '@kipper/core';
import type { Cluster } from '@kipper/kube';
import { Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AppDeployer } from './deployer.js';
import { GitWatch } from './git-watch.js';
import { JobProcessor, type DeployJob } from './processor.js';
import { ReconcileLoop } from './reconcile-loop.js';
import { Reconciler } from './reconciler.js';
import { createReporters, ReportJobs, type Reporter } from './reports/index.js';
import { startOpsServer, type OpsServer } from './ops-server.js';
import { Sweeper } from './sweeper.js';
import { addQueueMetrics } from './worker-metrics.js';
import type { WorkerSettings } from './worker.config.js';

/** How long a stopping worker waits for BullMQ to close gracefully before forcing it. */
const WORKER_CLOSE_GRACE_MS = 5_000;

/** True when `work` settled within `ms`; false when the time ran out first (the work goes on). */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RunningWorker {
  readonly db: DataSource;
  readonly sweeper: Sweeper;
  readonly reconciler: ReconcileLoop;
  /** `/healthz`, `/readyz` and `/metrics` of this worker. */
  readonly ops: OpsServer;
  /**
   * Graceful stop: no new jobs; running drains are told to stop at their next step (a rollout
   * or build being followed is left to the cluster and its job handed back to the queue, to be
   * resumed by another worker); then every connection is closed.
   */
  close(): Promise<void>;
}

/** Everything a worker process runs, wired from the configuration; main.ts adds the process bits. */
export interface StartWorkerOptions {
  /** The reporters to run instead of createReporters' (tests). */
  reporters?: (deps: Parameters<typeof createReporters>[0]) => Reporter[];
  /** Loggers of the parts that run on their own (reconciler, sweeper); default `log`. */
  logs?: { reconciler?: Logger; sweeper?: Logger };
}

export async function startWorker(
  config: KipperConfig,
  settings: WorkerSettings,
  cluster: Cluster,
  log: Logger,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  // The app locks of every drain share one connection (lock-session.ts); drains use a few more
  // briefly (mostly they wait on watches), builds their log writes, each running report one at most.
  const db = await openDatabase(config.databaseUrl, { poolSize: config.workerConcurrency * 2 + settings.reportConcurrency + 8 });
  const metrics = createKipperMetrics('worker');
  metrics.observe(db);
  const pubsub = createPubSub(config.redisUrl, config.queuePrefix);
  const queue = createJobQueue(config.redisUrl, config.queuePrefix);
  addQueueMetrics(metrics, queue);
  // The same domain services as the api's: the worker is a mode of Kipper, not a copy of it.
  const services = createServices({ config, dataSource: db, cluster, queue, pubsub, log });
  const { events, revisions } = services;
  const deployer = new AppDeployer(
    db,
    cluster,
    events,
    { revisions: services.revisionLifecycle, builds: services.buildLifecycle },
    {
      buildConcurrency: config.workerConcurrency,
      registry: config.registry,
      builderImage: config.builderImage,
      progressDeadlineSeconds: config.progressDeadlineSeconds,
      progressThrottleMs: settings.progressThrottleMs,
      logFlushMs: settings.logFlushMs,
      git: { protocols: config.gitProtocols, allowPrivate: config.gitAllowPrivate },
    },
    log,
  );
  const gitWatch = new GitWatch(db, revisions, log, { protocols: config.gitProtocols, allowPrivate: config.gitAllowPrivate });
  const shutdown = new AbortController();
  const reporterDeps = { db, cluster, config, log };
  const reports = new ReportJobs({ db, queue, reporters: (options.reporters ?? createReporters)(reporterDeps), publicUrl: config.publicUrl, log });
  const processor = new JobProcessor(db, deployer, gitWatch, reports, shutdown.signal, log);

  const connection = createRedis(config.redisUrl, 'blocking', `${config.queuePrefix}:worker`);
  const worker = new Worker(DEPLOY_QUEUE, (job: DeployJob, token?: string) => processor.process(job, token), {
    connection,
    prefix: config.queuePrefix,
    // Drains of different apps at once: a rollout waits on a watch, so one process follows many;
    // builds among them are bounded by KIPPER_WORKER_CONCURRENCY (AppDeployer's build slots).
    concurrency: settings.rolloutConcurrency,
    // A job whose worker died is moved back to waiting after lockDuration (stalled check).
    lockDuration: settings.lockMs,
    stalledInterval: Math.max(500, Math.floor(settings.lockMs / 2)),
    // Stalls are deaths of workers, not of jobs: recover them many times (the sweeper covers the rest).
    maxStalledCount: 20,
    removeOnComplete: { count: 1000, age: 24 * 3600 },
    removeOnFail: { count: 5000, age: 7 * 24 * 3600 },
  });
  // Reports have a queue and slots of their own: rollouts that hold every deploy slot for
  // minutes never hold a report up, and a receiver that hangs never holds up a deploy.
  const reportConnection = createRedis(config.redisUrl, 'blocking', `${config.queuePrefix}:reports`);
  const reportWorker = new Worker(REPORT_QUEUE, (job: DeployJob, token?: string) => processor.process(job, token), {
    connection: reportConnection,
    prefix: config.queuePrefix,
    concurrency: settings.reportConcurrency,
    lockDuration: settings.lockMs,
    stalledInterval: Math.max(500, Math.floor(settings.lockMs / 2)),
  });
  for (const w of [worker, reportWorker]) {
    w.on('error', (error) => log.warn('queue connection', error));
    w.on('failed', (job, error) => {
      if (job) log.warn(`job ${job.name} ${job.id ?? ''} failed (attempt ${job.attemptsMade})`, error);
    });
  }

  const sweeper = new Sweeper(
    db,
    queue,
    gitWatch,
    { intervalMs: settings.sweepMs, graceMs: settings.sweepGraceMs, gitPollSeconds: config.gitPollSeconds },
    options.logs?.sweeper ?? log,
  );
  sweeper.start();

  const reconciler = new ReconcileLoop(
    db,
    cluster,
    new Reconciler(db, cluster, services.conditions, { progressDeadlineSeconds: config.progressDeadlineSeconds }, options.logs?.reconciler ?? log),
    { intervalMs: config.reconcileSeconds * 1000, debounceMs: settings.reconcileDebounceMs, concurrency: config.workerConcurrency },
    options.logs?.reconciler ?? log,
  );
  reconciler.start();

  const opsRedis = createRedis(config.redisUrl, 'request', `${config.queuePrefix}:worker-ops`);
  let ops: OpsServer;
  try {
    ops = await startOpsServer({ dataSource: db, redis: opsRedis, cluster }, metrics.registry, {
      host: settings.opsHost,
      port: settings.opsPort,
      metricsToken: config.metricsToken,
    });
  } catch (error) {
    await closeRedis(opsRedis);
    throw new Error(`cannot serve /healthz, /readyz and /metrics on ${settings.opsHost}:${settings.opsPort} (KIPPER_WORKER_HOST, KIPPER_WORKER_PORT): ${describeError(error, { stack: false })}`, { cause: error });
  }

  let closing: Promise<void> | null = null;
  return {
    db,
    sweeper,
    reconciler,
    ops,
    close() {
      closing ??= (async () => {
        shutdown.abort();
        await ops.close();
        await closeRedis(opsRedis);
        await sweeper.stop().catch((error: unknown) => log.warn('sweeper stop', error));
        await reconciler.stop().catch((error: unknown) => log.warn('reconciler stop', error));
        // BullMQ's graceful close waits for Redis; with Redis down it never ends. The work itself
        // is safe (PostgreSQL is the record and the sweeper re-enqueues it), so stop anyway.
        const closed = await within(
          WORKER_CLOSE_GRACE_MS,
          Promise.all([worker, reportWorker].map((w) => w.close().catch((error: unknown) => log.warn('worker close', error)))),
        );
        if (!closed) {
          log.warn(`queue unreachable for ${WORKER_CLOSE_GRACE_MS / 1000} s at shutdown: forcing the worker closed`);
          // A forced close waits for Redis as well; it gets a moment, then the process goes on.
          await within(2_000, Promise.all([worker, reportWorker].map((w) => w.close(true).catch(() => undefined))));
        }
        await queue.close().catch(() => undefined);
        await events.close().catch(() => undefined);
        await closeRedis(connection);
        await closeRedis(reportConnection);
        await processor.close().catch(() => undefined);
        cluster.close();
        await db.destroy().catch(() => undefined);
      })();
      return closing;
    },
  };
}
