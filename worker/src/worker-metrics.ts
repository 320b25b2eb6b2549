import type { JobQueue, KipperMetrics } from '@kipper/core';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * The queues as BullMQ holds them, read from Redis at each scrape (shared by every worker: each
 * reports the same numbers, so dashboards take `max`, not `sum`): jobs by state, and how long the
 * oldest waiting job has waited (work piling up while workers are busy or gone).
 */
export function addQueueMetrics(metrics: KipperMetrics, queue: JobQueue): void {
  const queues: [string, Queue][] = [
    ['deploys', queue.queue],
    ['reports', queue.reports],
  ];
  new Gauge({
    name: 'kipper_queue_jobs',
    help: 'Jobs in a queue, by queue (deploys, reports) and state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const [name, q] of queues) {
        const counts = await q.getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'kipper_queue_oldest_job_age_seconds',
    help: 'Age of the oldest job waiting in a queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const [name, q] of queues) {
        const [oldest] = await q.getJobs(['waiting'], 0, 0, true);
        this.set({ queue: name }, oldest ? Math.max(0, Date.now() - oldest.timestamp) / 1000 : 0);
      }
    },
  });
}
