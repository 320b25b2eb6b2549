import type { App, DeployEventType, Environment, KipperConfig, Logger, Revision } from '@kipper/core';
import type { Cluster } from '@kipper/kube';
import type { DataSource } from 'typeorm';

/**
 * One revision event as every reporter sees it: the event (type, message, time) and the rows as
 * they are when the report is made (the revision may have moved on since the event).
 */
export interface RevisionReport {
  type: DeployEventType;
  message: string | null;
  /** ISO 8601: when the event happened. */
  at: string;
  app: App;
  revision: Revision;
  environment: Environment;
  /** The last environment of the project's pipeline. */
  production: boolean;
  /** Link to the revision in the console: `${publicUrl}/#/apps/${ns}/${app}/deploys`. */
  consoleUrl: string;
}

/**
 * Something outside Kipper that hears of revision events: GitHub (commit statuses and
 * Deployments), GitLab (commit statuses and environments), notifications. Registered in
 * `createReporters` (reports/index.ts). Each (reporter, target) gets its own `app.report` job with
 * its own retries, so a slow or failing receiver delays neither deploys nor other receivers.
 * Jobs of one target may run out of order (retries, concurrency): `at` says when the event
 * happened, and a reporter whose receiver cares about order checks it.
 */
export interface Reporter {
  /** `github` | `gitlab` | `notify` …: a lower-case word, part of job ids. */
  readonly name: string;
  /** Targets of this reporter for the app (empty: nothing to do); ids must be stable strings. */
  targets(report: RevisionReport): Promise<string[]>;
  /** Delivers to one target; throw to retry (BullMQ backoff). `attempt` starts at 1. */
  deliver(target: string, report: RevisionReport, attempt: number): Promise<void>;
}

/**
 * A delivery that no retry can fix (the receiver refused the credentials, the repository does
 * not exist, the request is invalid): the job fails at once instead of being retried.
 */
export class PermanentReportError extends Error {
  override name = 'PermanentReportError';
}

/** What a reporter may use: the database, the cluster (Secrets with tokens), the configuration, a logger. */
export interface ReporterDeps {
  db: DataSource;
  cluster: Cluster;
  config: KipperConfig;
  log: Logger;
}
