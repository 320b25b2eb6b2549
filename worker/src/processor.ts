import type { JobName, JobPayloads, Logger } from '@kipper/core';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { LockClass } from './app-lock.js';
import { LockSession } from './lock-session.js';
import type { AppDeployer } from './deployer.js';
import { HandBackError, isTransient } from './errors.js';
import type { GitWatch } from './git-watch.js';
import type { ReportJobs } from './reports/index.js';

export type DeployJob = Job<JobPayloads[JobName], unknown, JobName>;

/** How long a job waits before another try when its app is busy with another worker process (within one process it waits for the release). */
export function busyDelayMs(): number {
  return 250 + Math.floor(Math.random() * 750);
}

/** Backoff of transient failures (cluster or database unreachable): 1 s, 2 s, 4 s … 30 s, jittered. */
export function transientDelayMs(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + Math.random() / 2));
}

/** Checks that the connection holding the app lock is alive; a lost lock stops the run. */
const LOCK_CHECK_MS = 5000;
const LOCK_CHECK_TIMEOUT_MS = 4000;

/**
 * The BullMQ processor of both queues. `app.deploy` means "this app has work": it takes the
 * app's advisory lock (or puts the job back to delayed when another worker has it), drains the
 * app's unfinished revisions from PostgreSQL, and releases the lock. Jobs are never dropped:
 * every path that does not finish the work moves the job back to delayed. The report jobs
 * (`app.event`, `app.report`, on the `reports` queue and its own BullMQ worker) never take the
 * lock: they only read, and BullMQ's retries and backoff are theirs.
 */
export class JobProcessor {
  /** The app deploy locks of this process, on one PostgreSQL session (see lock-session.ts). */
  private readonly locks: LockSession;

  constructor(
    db: DataSource,
    private readonly deployer: AppDeployer,
    private readonly gitWatch: GitWatch,
    private readonly reports: ReportJobs,
    private readonly shutdown: AbortSignal,
    private readonly log: Logger,
  ) {
    this.locks = new LockSession(db, LockClass.APP_DEPLOY);
  }

  /** Ends the lock session (after the queue workers closed: no drain is running). */
  async close(): Promise<void> {
    await this.locks.close();
  }

  readonly process = async (job: DeployJob, token?: string): Promise<unknown> => {
    switch (job.name) {
      case 'app.deploy':
        return this.deploy(job, (job.data as JobPayloads['app.deploy']).appId, token);
      case 'app.poll-git':
        return this.gitWatch.poll((job.data as JobPayloads['app.poll-git']).appId);
      case 'app.event':
        return this.reports.event(job.data as JobPayloads['app.event']);
      case 'app.report':
        return this.reports.report(job.data as JobPayloads['app.report'], job.attemptsMade + 1);
      default:
        throw new UnrecoverableError(`unknown job name ${String(job.name)}`);
    }
  };

  private async deploy(job: DeployJob, appId: string, token: string | undefined): Promise<unknown> {
    if (this.shutdown.aborted) return this.handBack(job, token, 0);
    // Busy in this process: waits for that drain to end. Busy in another process: back to delayed.
    const lock = await this.locks.acquire(appId, this.shutdown);
    if (this.shutdown.aborted) {
      await lock?.release();
      return this.handBack(job, token, 0);
    }
    if (!lock) return this.handBack(job, token, busyDelayMs());

    const lost = new AbortController();
    const watchdog = setInterval(() => {
      void withTimeout(lock.stillHeld(), LOCK_CHECK_TIMEOUT_MS, false).then((held) => {
        if (!held && !lost.signal.aborted) {
          this.log.warn(`app ${appId}: lost the connection holding the app lock; handing the job back`);
          lost.abort(new HandBackError('app lock lost'));
        }
      });
    }, LOCK_CHECK_MS);
    const signal = AbortSignal.any([this.shutdown, lost.signal]);

    let failure: unknown;
    let processed = 0;
    try {
      processed = await this.deployer.drain(appId, signal);
    } catch (error) {
      failure = error;
    } finally {
      clearInterval(watchdog);
      await lock.release();
    }
    if (failure === undefined) return { processed };
    if (signal.aborted || failure instanceof HandBackError) return this.handBack(job, token, 0);
    if (isTransient(failure)) {
      const delay = transientDelayMs(job.attemptsStarted);
      this.log.warn(`app ${appId}: transient failure, trying again in ${delay} ms`, failure);
      return this.handBack(job, token, delay);
    }
    throw failure;
  }

  /** Moves the job back to delayed (BullMQ's documented pattern) so it runs again later. */
  private async handBack(job: DeployJob, token: string | undefined, delayMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
