import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { assertJobItem, DEPLOY_QUEUE, QUEUE_OF, REPORT_QUEUE, type JobItem } from './job.catalogue.js';
import { closeRedis, createRedis, whenReady } from './redis.js';

/** The producer side of the `deploys` and `reports` queues: what the api and the worker enqueue. */
export interface JobQueue {
  /** Validates the payload and adds the job to its queue (QUEUE_OF); rejects (fast) when Redis does not answer. */
  enqueue(item: JobItem, opts?: JobsOptions): Promise<{ id: string }>;
  /** The underlying BullMQ `deploys` queue, for the sweeper (getJob, counts) and tests. */
  readonly queue: Queue;
  /** The BullMQ `reports` queue (`app.event`, `app.report`), for tests. */
  readonly reports: Queue;
  close(): Promise<void>;
}

/**
 * The id a job gets unless the caller says otherwise: one `app.deploy` job per revision
 * (`deploy-<revisionId>`), so that re-enqueueing a revision that already has a job is a no-op
 * and the sweeper can ask `queue.getJob(jobIdOf(item))` whether a revision has one.
 */
export function jobIdOf(item: JobItem): string | undefined {
  switch (item.name) {
    case 'app.deploy':
      return `deploy-${item.data.revisionId}`;
    case 'app.poll-git':
      return undefined;
    // One job per event and per (event, reporter, target): an `app.event` retried after a partial
    // fan-out enqueues the same report jobs again, which BullMQ ignores. (Job ids cannot hold `:`.)
    case 'app.event':
      return `event-${item.data.revisionId}-${item.data.type}-${Date.parse(item.data.at)}`;
    case 'app.report': {
      const target = createHash('sha256').update(item.data.target).digest('hex').slice(0, 16);
      return `report-${item.data.reporter}-${target}-${item.data.revisionId}-${item.data.type}-${Date.parse(item.data.at)}`;
    }
  }
}

/** A request waits this long for a Redis that is not connected, then fails (the caller may retry). */
const CONNECT_WAIT_MS = 1_000;
const ENQUEUE_TIMEOUT_MS = 3_000;

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { count: 1_000 },
};

/**
 * Reports: each delivery retried on its own for about four minutes (1 s, 2 s, 4 s … 128 s);
 * finished jobs are kept an hour so that a repeated fan-out finds their ids and adds nothing.
 */
export const REPORT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 1_000 },
};

export function createJobQueue(redisUrl: string, prefix: string, options: { connection?: Redis } = {}): JobQueue {
  const ownConnection = options.connection === undefined;
  const connection = options.connection ?? createRedis(redisUrl, 'request', `${prefix}:producer`);
  const queue = new Queue(DEPLOY_QUEUE, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const reports = new Queue(REPORT_QUEUE, { connection, prefix, defaultJobOptions: REPORT_JOB_OPTIONS });
  // Connection errors surface as rejected enqueue() calls.
  queue.on('error', () => undefined);
  reports.on('error', () => undefined);
  const queues = { [DEPLOY_QUEUE]: queue, [REPORT_QUEUE]: reports };
  return {
    queue,
    reports,
    async enqueue(item, opts = {}) {
      assertJobItem(item);
      await whenReady(connection, CONNECT_WAIT_MS);
      const jobId = opts.jobId ?? jobIdOf(item);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not accept job ${item.name} within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
      });
      try {
        const target = queues[QUEUE_OF[item.name]];
        const job = await Promise.race([target.add(item.name, item.data, { ...opts, ...(jobId ? { jobId } : {}) }), timeout]);
        return { id: job.id ?? jobId ?? '' };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await Promise.race([Promise.all([queue.close(), reports.close()]), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      if (ownConnection) await closeRedis(connection);
    },
  };
}
