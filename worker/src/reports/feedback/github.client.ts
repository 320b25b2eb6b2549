import { Octokit } from '@octokit/rest';
import { FeedbackStage, isFullCommitSha, shortDescription } from '@kipper/core';
import { environmentUrlOf } from './stages.js';
import { FeedbackApiError, isRetryableStatus, timedFetch, type FeedbackClient, type FeedbackProgress, type FeedbackTarget } from './feedback-client.js';

/** GitHub's deployment status for each stage. */
const DEPLOYMENT_STATE = {
  [FeedbackStage.HELD]: 'pending',
  [FeedbackStage.QUEUED]: 'queued',
  [FeedbackStage.IN_PROGRESS]: 'in_progress',
  [FeedbackStage.SUCCESS]: 'success',
  [FeedbackStage.FAILURE]: 'failure',
  [FeedbackStage.INACTIVE]: 'inactive',
} as const;

/**
 * GitHub's commit status (error | failure | pending | success) for each stage. A revision that
 * never went live because a newer one replaced it or a person cancelled it is `error` with the
 * reason: it is not a failure of the commit, and it was not deployed.
 */
const COMMIT_STATE = {
  [FeedbackStage.HELD]: 'pending',
  [FeedbackStage.QUEUED]: 'pending',
  [FeedbackStage.IN_PROGRESS]: 'pending',
  [FeedbackStage.SUCCESS]: 'success',
  [FeedbackStage.FAILURE]: 'failure',
  [FeedbackStage.INACTIVE]: 'error',
} as const;

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Commit statuses and Deployments through the GitHub REST API (@octokit/rest, `baseUrl` for
 * GitHub Enterprise): per revision one Deployment in the Kipper environment
 * (`transient_environment` false, `production_environment` for the pipeline's last stage) with
 * a status per stage, and the commit status `kipper/{environment}` linking to the console.
 */
export class GitHubClient implements FeedbackClient {
  private readonly octokit: Octokit;
  private readonly owner: string;
  private readonly repo: string;

  constructor(private readonly target: FeedbackTarget) {
    const [owner = '', repo = ''] = target.connection.repository.split('/');
    this.owner = owner;
    this.repo = repo;
    this.octokit = new Octokit({ auth: target.token, baseUrl: target.connection.apiUrl, userAgent: 'kipper', log: silent, request: { fetch: timedFetch } });
  }

  async resolveSha(commit: string): Promise<string> {
    if (isFullCommitSha(commit) && commit.length === 40) return commit.toLowerCase();
    const { data } = await this.call('read commit', () => this.octokit.rest.repos.getCommit({ owner: this.owner, repo: this.repo, ref: commit }));
    return data.sha;
  }

  async report(stage: FeedbackStage, description: string, progress: FeedbackProgress): Promise<void> {
    const { report } = this.target;
    const environment = report.environment.name;
    const text = shortDescription(description);
    progress.deploymentId ??= await this.deployment(progress.sha, text);
    await this.call('create commit status', () =>
      this.octokit.rest.repos.createCommitStatus({
        owner: this.owner,
        repo: this.repo,
        sha: progress.sha,
        state: COMMIT_STATE[stage],
        context: `kipper/${environment}`,
        target_url: report.consoleUrl,
        description: text,
      }),
    );
    const environmentUrl = environmentUrlOf(report);
    await this.call('create deployment status', () =>
      this.octokit.rest.repos.createDeploymentStatus({
        owner: this.owner,
        repo: this.repo,
        deployment_id: Number(progress.deploymentId),
        state: DEPLOYMENT_STATE[stage],
        log_url: report.consoleUrl,
        description: text,
        environment,
        ...(environmentUrl ? { environment_url: environmentUrl } : {}),
        // A success makes the environment's earlier successful deployments inactive (GitHub's default, said out loud).
        ...(stage === FeedbackStage.SUCCESS ? { auto_inactive: true } : {}),
      }),
    );
  }

  /** The revision's Deployment: found again on a retry (an earlier attempt may have created it without hearing back), else created. */
  private async deployment(sha: string, description: string): Promise<string> {
    const { report, attempt } = this.target;
    const environment = report.environment.name;
    if (attempt > 1) {
      const { data } = await this.call('list deployments', () => this.octokit.rest.repos.listDeployments({ owner: this.owner, repo: this.repo, sha, environment, per_page: 100 }));
      const mine = data.find((d) => (d.payload as { kipper?: { revisionId?: string } } | string | null) !== null && typeof d.payload === 'object' && (d.payload as { kipper?: { revisionId?: string } }).kipper?.revisionId === report.revision.id);
      if (mine) return String(mine.id);
    }
    const { data, status } = await this.call('create deployment', () =>
      this.octokit.rest.repos.createDeployment({
        owner: this.owner,
        repo: this.repo,
        ref: sha,
        task: 'deploy',
        environment,
        description,
        // Kipper deploys what CI sent; GitHub must neither merge branches nor wait for checks.
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        production_environment: report.production,
        payload: { kipper: { app: report.app.name, namespace: report.app.namespace, revision: report.revision.number, revisionId: report.revision.id } },
      }),
    );
    if (status !== 201 || !('id' in data)) throw new FeedbackApiError(`GitHub did not create the deployment: ${'message' in data ? String(data.message) : `status ${status}`}`, status, true);
    return String(data.id);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw githubError(what, error);
    }
  }
}

function githubError(what: string, error: unknown): FeedbackApiError {
  const e = error as { status?: unknown; message?: unknown; response?: { headers?: Record<string, string | undefined> } };
  const status = typeof e.status === 'number' ? e.status : null;
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (status === null) return new FeedbackApiError(`GitHub ${what}: ${message}`, null, false);
  const rateLimited = status === 403 && (e.response?.headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message));
  return new FeedbackApiError(`GitHub ${what}: ${status} ${message}`, status, !(rateLimited || isRetryableStatus(status)));
}
