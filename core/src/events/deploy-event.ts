import type { RolloutProgress, RevisionStatus } from '../revisions/revision.entity.js';

export enum DeployEventType {
  QUEUED = 'queued',
  BUILDING = 'building',
  ROLLING_OUT = 'rolling_out',
  PROGRESS = 'progress',
  LIVE = 'live',
  FAILED = 'failed',
  SUPERSEDED = 'superseded',
}

/** What the worker and the api publish when a revision moves; subscribers re-read the revision. */
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
