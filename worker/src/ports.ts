import type { App, DeployEventType, JobItem, Revision, RevisionTrigger } from '@kipper/core';
import type { JobsOptions } from 'bullmq';

/**
 * What the worker needs from the rest of Kipper, as small interfaces. main.ts plugs in the
 * api's services (EventPublisher, AuditService, RevisionService, the job queue); tests and
 * other hosts can plug in their own.
 */
export interface DeployEvents {
  revisionChanged(revision: Revision, app: App, type: DeployEventType, message?: string): Promise<unknown>;
  buildLog(buildId: string, line: string): Promise<unknown>;
}

export interface Auditor {
  record(actor: string, action: string, target: string, details?: Record<string, unknown>): Promise<unknown>;
}

/** The api's RevisionService: new revisions are made the one way the rest of Kipper makes them. */
export interface RevisionRequests {
  /** Commits a queued revision (number, audit entry), enqueues app.deploy, publishes QUEUED. */
  deployImage(
    app: App,
    input: { image: string; commit?: string | null; trigger: RevisionTrigger; triggeredBy: string; rollbackToRevisionId?: string },
  ): Promise<Revision>;
  /** Git apps: a queued build + its revision (image null), audited, enqueued. */
  requestBuild(app: App, input: { commit: string | null; trigger: RevisionTrigger; triggeredBy: string }): Promise<Revision>;
}

/** The api's JobQueue (producer side of the `deploys` queue). */
export interface JobEnqueuer {
  enqueue(item: JobItem, options?: JobsOptions): Promise<{ id: string }>;
}

/** The actor name of everything Kipper does on its own. */
export const KIPPER_ACTOR = 'kipper';
export const GIT_WATCH_ACTOR = 'kipper:git-watch';
