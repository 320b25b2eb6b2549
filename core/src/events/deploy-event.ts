import type { AppHealth } from '../apps/app.entity.js';
import type { RolloutProgress, RevisionStatus } from '../revisions/revision.entity.js';

export enum DeployEventType {
  QUEUED = 'queued',
  BUILDING = 'building',
  ROLLING_OUT = 'rolling_out',
  PROGRESS = 'progress',
  LIVE = 'live',
  FAILED = 'failed',
  SUPERSEDED = 'superseded',
  /** Accepted while the app is pinned. */
  HELD = 'held',
  CANCELLED = 'cancelled',
  /** Into an environment that requires approvals: waits for approvers. */
  AWAITING_APPROVAL = 'awaiting_approval',
  /** One approver approved (the event's message says who and how many approvals it has). */
  APPROVED = 'approved',
  REJECTED = 'rejected',
  PINNED = 'pinned',
  UNPINNED = 'unpinned',
  /** The app's health from the cluster changed (the event's `health`). */
  HEALTH = 'health',
  /** The cluster differs from the record and the drift policy is `report`. */
  DRIFT = 'drift',
  /** The reconciler put the cluster back to the record (recreated objects, reverted image or replicas). */
  REPAIRED = 'repaired',
  /** The webhook's Secret is gone from the cluster: a new token is needed for GitHub signatures. */
  WEBHOOK_SECRET_MISSING = 'webhook_secret_missing',
}

/**
 * What the worker and the api publish when a revision moves or the app's state in the cluster
 * changes; subscribers re-read the revision. App-level events (health, drift, repairs, pins)
 * name the app's current revision (or its newest when none went live).
 */
export interface DeployEventPayload {
  type: DeployEventType;
  at: string;
  projectId: string;
  appId: string;
  namespace: string;
  app: string;
  revisionId: string;
  revisionNumber: number;
  status: RevisionStatus;
  progress: RolloutProgress | null;
  message: string | null;
  /** The app's health at the time of the event, when known. */
  health: AppHealth | null;
}

export interface BuildLogPayload {
  buildId: string;
  line: string;
}

/** Pub/sub topics; one place so publishers and subscribers cannot drift apart. */
export const topics = {
  app: (appId: string) => `app:${appId}`,
  project: (projectId: string) => `project:${projectId}`,
  buildLog: (buildId: string) => `build:${buildId}`,
};
