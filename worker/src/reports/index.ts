import { App, Environment, FeedbackProvider, Revision, describeError, type JobPayloads, type Logger, type RevisionEventJob } from '@kipper/core';
import { UnrecoverableError } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { JobEnqueuer } from '../ports.js';
import { FeedbackReporter } from './feedback/feedback.reporter.js';
import { NotificationReporter } from './notification.reporter.js';
import { PermanentReportError, type Reporter, type ReporterDeps, type RevisionReport } from './reporter.js';

export { PermanentReportError, type Reporter, type ReporterDeps, type RevisionReport } from './reporter.js';


/** The registry: every reporter the worker runs, in no particular order. */
export function createReporters(deps: ReporterDeps): Reporter[] {
  return [new FeedbackReporter(FeedbackProvider.GITHUB, deps), new FeedbackReporter(FeedbackProvider.GITLAB, deps), new NotificationReporter(deps)];
}

export interface ReportJobsDeps {
  db: DataSource;
  queue: JobEnqueuer;
  reporters: readonly Reporter[];
  /** KIPPER_PUBLIC_URL: where the console's links point. */
  publicUrl: string;
  log: Logger;
}

/**
 * The two report jobs. `app.event` loads the app, revision and environment once, asks every
 * reporter for its targets and enqueues one `app.report` per (reporter, target); `app.report`
 * loads them again (as they are now) and calls the reporter's `deliver`. Neither touches the
 * app's deploy lock. An app or revision deleted meanwhile has nothing left to report.
 */
export class ReportJobs {
  private readonly byName: Map<string, Reporter>;

  constructor(private readonly deps: ReportJobsDeps) {
    this.byName = new Map(deps.reporters.map((r) => [r.name, r]));
    if (this.byName.size !== deps.reporters.length) throw new Error('two reporters share a name');
  }

  /** Fans one event out; resolves with the number of report jobs enqueued. */
  async event(data: RevisionEventJob): Promise<{ reports: number }> {
    if (this.deps.reporters.length === 0) return { reports: 0 };
    const report = await this.load(data);
    if (!report) return { reports: 0 };
    let reports = 0;
    let failure: unknown;
    // Every reporter is asked even when one fails; a retry of this job re-enqueues the same
    // report jobs (same ids), which BullMQ ignores.
    for (const reporter of this.deps.reporters) {
      try {
        for (const target of await reporter.targets(report)) {
          await this.deps.queue.enqueue({ name: 'app.report', data: { ...data, reporter: reporter.name, target } });
          reports++;
        }
      } catch (error) {
        this.deps.log.warn(`reports: ${reporter.name} targets of ${report.app.namespace}/${report.app.name} revision #${report.revision.number}`, error);
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
    return { reports };
  }

  /** Delivers one report; a PermanentReportError fails the job without retries. */
  async report(data: JobPayloads['app.report'], attempt: number): Promise<{ delivered: boolean }> {
    const reporter = this.byName.get(data.reporter);
    if (!reporter) throw new UnrecoverableError(`no reporter named ${data.reporter}`);
    const report = await this.load(data);
    if (!report) return { delivered: false };
    try {
      await reporter.deliver(data.target, report, attempt);
    } catch (error) {
      if (error instanceof PermanentReportError) throw new UnrecoverableError(`${data.reporter}: ${describeError(error, { stack: false })}`);
      throw error;
    }
    return { delivered: true };
  }

  private async load(data: RevisionEventJob): Promise<RevisionReport | null> {
    const { db } = this.deps;
    const [app, revision] = await Promise.all([db.getRepository(App).findOneBy({ id: data.appId }), db.getRepository(Revision).findOneBy({ id: data.revisionId })]);
    if (!app || !revision || revision.appId !== app.id) return null;
    const environment = await db.getRepository(Environment).findOneBy({ id: app.environmentId });
    if (!environment) return null;
    const last = await db.getRepository(Environment).findOne({ where: { projectId: environment.projectId }, order: { position: 'DESC' } });
    return {
      type: data.type,
      message: data.message,
      at: data.at,
      app,
      revision,
      environment,
      production: last?.id === environment.id,
      consoleUrl: consoleUrlOf(this.deps.publicUrl, app),
    };
  }
}

/** The app's deploy history in the console (hash routes: console/src/lib/router.svelte.ts). */
export function consoleUrlOf(publicUrl: string, app: Pick<App, 'namespace' | 'name'>): string {
  return `${publicUrl.replace(/\/+$/, '')}/#/apps/${encodeURIComponent(app.namespace)}/${encodeURIComponent(app.name)}/deploys`;
}
