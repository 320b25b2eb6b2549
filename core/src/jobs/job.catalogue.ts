import { isUuid } from '../database/uuid.js';
import { DeployEventType } from '../events/deploy-event.js';

/**
 * Every job Kipper puts on its queues: one discriminated union shared by the producers (api)
 * and the consumer (worker), so neither can send or expect a payload the other does not know.
 */
export const DEPLOY_QUEUE = 'deploys';
/**
 * Reports of revision events to the outside (commit statuses, deployments, notifications). A
 * queue of their own, with a BullMQ worker of its own, so that a long rollout holding a deploy
 * slot never delays a report, and a slow or failing receiver never delays a deploy.
 */
export const REPORT_QUEUE = 'reports';
export type QueueName = typeof DEPLOY_QUEUE | typeof REPORT_QUEUE;

/** A revision event as the reporters see it (a live event's type, message and time). */
export interface RevisionEventJob {
  appId: string;
  revisionId: string;
  type: DeployEventType;
  message: string | null;
  /** ISO 8601, the event's time (the live event's `at`). */
  at: string;
}

export interface JobPayloads {
  /** The app has unfinished revisions: the worker takes the app's lock and works through them. */
  'app.deploy': { appId: string; revisionId: string };
  /** Check the branch head of a git app that asked Kipper to watch it. */
  'app.poll-git': { appId: string };
  /** A revision event happened: the worker asks every reporter for its targets and enqueues one `app.report` each. */
  'app.event': RevisionEventJob;
  /** Deliver one revision event to one target of one reporter (retried on its own). */
  'app.report': RevisionEventJob & { reporter: string; target: string };
}

export type JobName = keyof JobPayloads;
export type JobItem = { [N in JobName]: { name: N; data: JobPayloads[N] } }[JobName];

/** Which queue each job goes to. */
export const QUEUE_OF: Readonly<Record<JobName, QueueName>> = {
  'app.deploy': DEPLOY_QUEUE,
  'app.poll-git': DEPLOY_QUEUE,
  'app.event': REPORT_QUEUE,
  'app.report': REPORT_QUEUE,
};

const EVENT_TYPES = new Set<string>(Object.values(DeployEventType));

/** Refuses a malformed payload at enqueue time, where the mistake is, not in the worker later. */
export function assertJobItem(item: JobItem): JobItem {
  const refuse = (key: string, what: string, value: unknown): never => {
    throw new TypeError(`job ${item.name}: ${key} must be ${what}, got ${JSON.stringify(value)}`);
  };
  if (!(item.name in QUEUE_OF)) throw new TypeError(`unknown job name ${JSON.stringify(item.name)}`);
  for (const [key, value] of Object.entries(item.data as Record<string, unknown>)) {
    // Row ids are UUIDs; the other fields are checked below by name.
    if (/Id$/.test(key) && !isUuid(value)) refuse(key, 'a UUID', value);
  }
  if (item.name === 'app.event' || item.name === 'app.report') {
    const data = item.data;
    if (!EVENT_TYPES.has(data.type)) refuse('type', 'a DeployEventType', data.type);
    if (data.message !== null && typeof data.message !== 'string') refuse('message', 'a string or null', data.message);
    if (typeof data.at !== 'string' || Number.isNaN(Date.parse(data.at))) refuse('at', 'an ISO 8601 time', data.at);
    if (item.name === 'app.report') {
      if (typeof item.data.reporter !== 'string' || !/^[a-z][a-z0-9-]*$/.test(item.data.reporter)) refuse('reporter', 'a reporter name', item.data.reporter);
      if (typeof item.data.target !== 'string' || item.data.target === '') refuse('target', 'a non-empty string', item.data.target);
    }
  }
  return item;
}
