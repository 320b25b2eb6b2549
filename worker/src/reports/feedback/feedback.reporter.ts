import { AuditService, describeError, FeedbackProvider, FeedbackService, parseFeedbackApiUrl, type FeedbackConnection, type FeedbackReport, type FeedbackStage } from '@kipper/core';
import { PermanentReportError, type Reporter, type ReporterDeps, type RevisionReport } from '../reporter.js';
import { FeedbackApiError, type FeedbackClient, type FeedbackProgress, type FeedbackTarget } from './feedback-client.js';
import { GitHubClient } from './github.client.js';
import { GitLabClient } from './gitlab.client.js';
import { describeStage, stageOfEvent, stagesToReport } from './stages.js';

const CLIENTS: Readonly<Record<FeedbackProvider, (target: FeedbackTarget) => FeedbackClient>> = {
  [FeedbackProvider.GITHUB]: (target) => new GitHubClient(target),
  [FeedbackProvider.GITLAB]: (target) => new GitLabClient(target),
};

/**
 * Reports revisions to the app's connection to one provider (GitHub or GitLab): its target is
 * the connection's id. Under a lock of the revision's report row it sends the stages not yet
 * reported, in order (see stagesToReport), and records each one as soon as it got through, with
 * the provider's deployment id: a retry goes on where the last attempt stopped and reuses the
 * deployment, and a late event changes nothing.
 */
export class FeedbackReporter implements Reporter {
  readonly name: string;
  private readonly feedback: FeedbackService;

  constructor(
    private readonly provider: FeedbackProvider,
    private readonly deps: ReporterDeps,
  ) {
    this.name = provider;
    this.feedback = new FeedbackService({ dataSource: deps.db, cluster: deps.cluster, config: deps.config, audit: new AuditService({ dataSource: deps.db }) });
  }

  async targets(report: RevisionReport): Promise<string[]> {
    if (!report.revision.commit || stageOfEvent(report.type) === null) return [];
    const connection = await this.feedback.connectionOf(report.app.id, this.provider);
    return connection ? [connection.id] : [];
  }

  async deliver(target: string, report: RevisionReport, attempt: number): Promise<void> {
    const stage = stageOfEvent(report.type);
    const commit = report.revision.commit;
    if (stage === null || !commit) return;
    const connection = await this.feedback.connection(target);
    // Disconnected since: nothing to report. (Moved to another repository: its reports start afresh.)
    if (!connection || connection.appId !== report.app.id) return;
    const credentials = await this.credentials(connection, report);
    if ('problem' in credentials) {
      await this.feedback.withReport(connection.id, report.revision.id, async () => ({ changes: { lastError: credentials.problem }, result: undefined }));
      throw new PermanentReportError(credentials.problem);
    }
    const client = CLIENTS[this.provider]({ connection, token: credentials.token, report, attempt });
    const failure = await this.feedback.withReport(connection.id, report.revision.id, async (record) => this.send(client, record, stage, commit, report));
    if (failure === undefined) return;
    const message = describeError(failure, { stack: false });
    if (failure instanceof FeedbackApiError && failure.permanent) throw new PermanentReportError(message);
    throw failure;
  }

  /** The token, or why there is none to use (its Secret is gone, or the API URL is refused now). */
  private async credentials(connection: FeedbackConnection, report: RevisionReport): Promise<{ token: string } | { problem: string }> {
    const url = await parseFeedbackApiUrl(connection.apiUrl, this.deps.config.feedbackAllowPrivate);
    if (!url.ok) return { problem: url.problem };
    // A cluster that does not answer throws: the delivery is retried.
    const token = await this.deps.cluster.readSecretValue(report.app.namespace, connection.secretName, connection.secretKey);
    if (!token) return { problem: `Secret ${connection.secretName} with key ${connection.secretKey} not found in namespace ${report.app.namespace}` };
    return { token };
  }

  /** Sends what is missing; resolves with the failure (after recording how far it got), or undefined. */
  private async send(client: FeedbackClient, record: FeedbackReport, target: FeedbackStage, commit: string, report: RevisionReport): Promise<{ changes: Partial<FeedbackReport>; result: unknown }> {
    const steps = stagesToReport(record.stage, target, report.revision);
    if (steps.length === 0) return { changes: {}, result: undefined };
    const changes: Partial<FeedbackReport> = {};
    try {
      const progress: FeedbackProgress = { sha: record.sha ?? (await client.resolveSha(commit)), deploymentId: record.deploymentId };
      changes.sha = progress.sha;
      try {
        for (const step of steps) {
          const description = describeStage(step, report);
          await client.report(step, description, progress);
          Object.assign(changes, { stage: step, description, reportedAt: new Date() });
        }
      } finally {
        changes.deploymentId = progress.deploymentId;
      }
      changes.lastError = null;
      return { changes, result: undefined };
    } catch (error) {
      changes.lastError = describeError(error, { stack: false }).slice(0, 1000);
      this.deps.log.warn(`feedback to ${this.provider} for ${report.app.namespace}/${report.app.name} revision #${report.revision.number}: ${changes.lastError}`);
      return { changes, result: error };
    }
  }
}
