import { isUuid } from '../database/uuid.js';

/**
 * Every job Kipper puts on its queue: one discriminated union shared by the producers (api)
 * and the consumer (worker), so neither can send or expect a payload the other does not know.
 */
export const DEPLOY_QUEUE = 'deploys';

export interface JobPayloads {
  /** The app has unfinished revisions: the worker takes the app's lock and works through them. */
  'app.deploy': { appId: string; revisionId: string };
  /** Check the branch head of a git app that asked Kipper to watch it. */
  'app.poll-git': { appId: string };
}

export type JobName = keyof JobPayloads;
export type JobItem = { [N in JobName]: { name: N; data: JobPayloads[N] } }[JobName];

/** Refuses a malformed payload at enqueue time, where the mistake is, not in the worker later. */
export function assertJobItem(item: JobItem): JobItem {
  const ids = Object.entries(item.data as Record<string, unknown>);
  for (const [key, value] of ids) {
    if (!isUuid(value)) {
      throw new TypeError(`job ${item.name}: ${key} must be a UUID, got ${JSON.stringify(value)}`);
    }
  }
  return item;
}
