import { integer, type Env } from '@kipper/core';

/** Worker-only settings, read once at start beside the shared KipperConfig. */
export interface WorkerSettings {
  /** BullMQ job lock; a killed worker's job is taken over after about this long. */
  lockMs: number;
  /** How often the sweeper leader looks for accepted work without a job (and schedules git checks). */
  sweepMs: number;
  /** An unfinished revision untouched for this long, with no job and no worker on its app, is re-enqueued. */
  sweepGraceMs: number;
  /** Minimum gap between two saved/published progress updates of one rollout. */
  progressThrottleMs: number;
  /** Build log lines are appended to PostgreSQL in batches at most this far apart. */
  logFlushMs: number;
  /** Watch events of one app within this window make one reconcile pass of it. */
  reconcileDebounceMs: number;
  /** Report jobs (`app.event`, `app.report`) run at once, apart from the deploy slots. */
  reportConcurrency: number;
  /**
   * Apps drained at once (deploy jobs): rollouts are waiting on a watch, not working, so many run
   * at once; builds among them are still bounded by KIPPER_WORKER_CONCURRENCY.
   */
  rolloutConcurrency: number;
  /** Where `/healthz`, `/readyz` and `/metrics` are served (KIPPER_WORKER_HOST, KIPPER_WORKER_PORT; port 0: any free one). */
  opsHost: string;
  opsPort: number;
}

export function loadWorkerSettings(env: Env = process.env): WorkerSettings {
  const lockMs = integer(env, 'KIPPER_WORKER_LOCK_MS', 30_000, 1_000, 600_000);
  return {
    lockMs,
    sweepMs: integer(env, 'KIPPER_SWEEP_MS', 5_000, 200, 600_000),
    sweepGraceMs: integer(env, 'KIPPER_SWEEP_GRACE_MS', Math.max(10_000, lockMs), 0, 3_600_000),
    progressThrottleMs: integer(env, 'KIPPER_PROGRESS_THROTTLE_MS', 500, 0, 60_000),
    logFlushMs: integer(env, 'KIPPER_BUILD_LOG_FLUSH_MS', 250, 10, 60_000),
    reconcileDebounceMs: integer(env, 'KIPPER_RECONCILE_DEBOUNCE_MS', 250, 0, 60_000),
    reportConcurrency: integer(env, 'KIPPER_REPORT_CONCURRENCY', 8, 1, 100),
    rolloutConcurrency: integer(env, 'KIPPER_WORKER_ROLLOUTS', 200, 1, 5_000),
    opsHost: env.KIPPER_WORKER_HOST || '127.0.0.1',
    opsPort: integer(env, 'KIPPER_WORKER_PORT', 8081, 0, 65535),
  };
}
