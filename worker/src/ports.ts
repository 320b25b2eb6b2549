import type { App, JobItem, Revision, RevisionTrigger } from '@kipper/core';
import type { JobsOptions } from 'bullmq';

/**
 * What the worker needs from the rest of Kipper besides core's lifecycle services, as small
 * interfaces: runtime.ts plugs in core's services; tests can plug in their own.
 */
export interface DeployEvents {
  buildLog(buildId: string, line: string): Promise<unknown>;
}

/** Core's RevisionService: new builds are requested the one way the rest of Kipper requests them. */
export interface RevisionRequests {
  /** Git apps: a queued build + its revision (image null), audited, enqueued. */
  requestBuild(app: App, input: { commit: string | null; trigger: RevisionTrigger; triggeredBy: string }): Promise<Revision>;
}

/** Core's JobQueue (producer side of the `deploys` queue). */
export interface JobEnqueuer {
  enqueue(item: JobItem, options?: JobsOptions): Promise<{ id: string }>;
}

/** The actor of the git watch's builds. */
export const GIT_WATCH_ACTOR = 'kipper:git-watch';
