import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { assertJobItem, DEPLOY_QUEUE, type JobItem } from './job.catalogue.js';
import { closeRedis, createRedis, whenReady } from './redis.js';

/** The producer side of the `deploys` queue: what the api and the worker's sweeper enqueue. */
export interface JobQueue {
  /** Validates the payload and adds the job; rejects (fast) when Redis does not answer. */
  enqueue(item: JobItem, opts?: JobsOptions): Promise<{ id: string }>;
  /** The underlying BullMQ queue, for the sweeper (getJob, counts) and tests. */
  readonly queue: Queue;
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

export function createJobQueue(redisUrl: string, prefix: string, options: { connection?: Redis } = {}): JobQueue {
  const ownConnection = options.connection === undefined;
  const connection = options.connection ?? createRedis(redisUrl, 'request', `${prefix}:producer`);
  const queue = new Queue(DEPLOY_QUEUE, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  queue.on('error', () => undefined); // connection errors surface as rejected enqueue() calls
  return {
    queue,
    async enqueue(item, opts = {}) {
      assertJobItem(item);
      await whenReady(connection, CONNECT_WAIT_MS);
      const jobId = opts.jobId ?? jobIdOf(item);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not accept job ${item.name} within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
      });
      try {
        const job = await Promise.race([queue.add(item.name, item.data, { ...opts, ...(jobId ? { jobId } : {}) }), timeout]);
        return { id: job.id ?? jobId ?? '' };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await Promise.race([queue.close(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      if (ownConnection) await closeRedis(connection);
    },
  };
}
