import { UNFINISHED_STATUSES, type JobQueue, type Logger } from '@kipper/core';
import type { JobType } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AdvisoryLock, LockClass, lockHeldSql } from './app-lock.js';
import type { GitWatch } from './git-watch.js';

export interface SweeperOptions {
  intervalMs: number;
  /** Unfinished revisions younger than this (since created, or since started) are left alone. */
  graceMs: number;
  gitPollSeconds: number;
}

/** Job states in which a job will still run (or runs now). */
const PENDING_STATES: JobType[] = ['waiting', 'delayed', 'prioritized', 'active', 'waiting-children'];
const PENDING_SCAN_LIMIT = 5000;

/**
 * Repairs the gap between PostgreSQL (the record) and Redis (the queue). One worker process
 * at a time is the leader (it holds a session advisory lock; when it dies PostgreSQL frees the
 * lock and another process takes over at its next tick). Every tick the leader:
 *  - finds apps with unfinished revisions (queued / building / rolling_out) that no worker is
 *    working on (nobody holds the app's deploy lock), that have been untouched for the grace
 *    period, and that have no pending `app.deploy` job, and enqueues one for each, with a job
 *    id per app and time window so that repeated sweeps cannot flood the queue;
 *  - schedules the git checks of watched apps.
 * This is what makes a crash between the revision's commit and its enqueue, a Redis restart,
 * or a job that failed for good lose nothing.
 */
export class Sweeper {
  private leader: AdvisoryLock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly queue: JobQueue,
    private readonly gitWatch: GitWatch,
    private readonly options: SweeperOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.schedule(Math.floor(Math.random() * Math.min(1000, this.options.intervalMs)));
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => this.log.warn('sweeper tick failed', error))
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs);
        });
    }, delay);
  }

  /** One round; public for tests. Returns the app ids it enqueued (empty when not the leader). */
  async tick(): Promise<string[]> {
    if (!(await this.lead())) return [];
    const enqueued = await this.requeueOrphans();
    await this.gitWatch.schedule(this.queue, this.options.gitPollSeconds);
    return enqueued;
  }

  private async lead(): Promise<boolean> {
    if (this.leader && !(await this.leader.stillHeld())) {
      await this.leader.release();
      this.leader = null;
    }
    if (!this.leader) {
      this.leader = await AdvisoryLock.tryAcquire(this.db, LockClass.SWEEPER, 'sweeper');
      if (this.leader) this.log.info('sweeper: this process is the leader');
    }
    return this.leader !== null;
  }

  async requeueOrphans(): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT DISTINCT ON (r.app_id) r.app_id AS "appId", r.id AS "revisionId"
         FROM revision r
        WHERE r.status = ANY($1::text[])
          AND COALESCE(r.started_at, r.created_at) < now() - make_interval(secs => $2::float8 / 1000)
          AND NOT ${lockHeldSql('$3', 'r.app_id::text')}
        ORDER BY r.app_id, r.number`,
      [UNFINISHED_STATUSES, this.options.graceMs, LockClass.APP_DEPLOY],
    )) as { appId: string; revisionId: string }[];
    if (rows.length === 0) return [];

    const pending = new Set<string>();
    const jobs = await this.queue.queue.getJobs(PENDING_STATES, 0, PENDING_SCAN_LIMIT);
    for (const job of jobs) {
      if (job?.name === 'app.deploy') pending.add((job.data as { appId: string }).appId);
    }

    const window = Math.floor(Date.now() / Math.max(this.options.graceMs, this.options.intervalMs, 1000));
    const enqueued: string[] = [];
    for (const { appId, revisionId } of rows) {
      if (pending.has(appId)) continue;
      await this.queue.enqueue({ name: 'app.deploy', data: { appId, revisionId } }, { jobId: `sweep-${appId}-${window}` });
      enqueued.push(appId);
    }
    if (enqueued.length > 0) this.log.info(`sweeper: re-enqueued work of ${enqueued.length} app(s) that had no job`);
    return enqueued;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.leader?.release();
    this.leader = null;
  }
}
