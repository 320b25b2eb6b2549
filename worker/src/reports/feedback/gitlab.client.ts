import { FeedbackStage, isFullCommitSha, shortDescription } from '@kipper/core';
import { FeedbackApiError, isRetryableStatus, timedFetch, type FeedbackClient, type FeedbackProgress, type FeedbackTarget } from './feedback-client.js';

/** GitLab's commit status (pending | running | success | failed | canceled) for each stage. */
const COMMIT_STATE = {
  [FeedbackStage.HELD]: 'pending',
  [FeedbackStage.QUEUED]: 'pending',
  [FeedbackStage.IN_PROGRESS]: 'running',
  [FeedbackStage.SUCCESS]: 'success',
  [FeedbackStage.FAILURE]: 'failed',
  [FeedbackStage.INACTIVE]: 'canceled',
} as const;

/** GitLab's deployment status for the stages that have a deployment (created once the revision started). */
const DEPLOYMENT_STATUS = {
  [FeedbackStage.IN_PROGRESS]: 'running',
  [FeedbackStage.SUCCESS]: 'success',
  [FeedbackStage.FAILURE]: 'failed',
  [FeedbackStage.INACTIVE]: 'canceled',
} as const;

/** Default branches of GitLab projects, asked once per connection and process. */
const defaultBranches = new Map<string, { branch: string; until: number }>();
const DEFAULT_BRANCH_TTL_MS = 10 * 60_000;

/**
 * Commit statuses and deployments through GitLab's REST API v4 with `fetch` (self-hosted GitLab:
 * the connection's API URL). The commit status `kipper/{environment}` follows every stage; a
 * deployment in the environment of the same name is created when the revision starts (GitLab
 * creates deployments as running, success, failed or canceled only) and follows it to the end.
 * Its `ref` is the git app's branch, or the project's default branch for image apps.
 */
export class GitLabClient implements FeedbackClient {
  private readonly base: string;

  constructor(private readonly target: FeedbackTarget) {
    this.base = `${target.connection.apiUrl}/projects/${encodeURIComponent(target.connection.repository)}`;
  }

  async resolveSha(commit: string): Promise<string> {
    if (isFullCommitSha(commit) && commit.length === 40) return commit.toLowerCase();
    const found = (await this.call('read commit', 'GET', `/repository/commits/${encodeURIComponent(commit)}`)) as { id?: unknown };
    if (typeof found.id !== 'string') throw new FeedbackApiError('GitLab read commit: no id in the answer', 200, true);
    return found.id;
  }

  async report(stage: FeedbackStage, description: string, progress: FeedbackProgress): Promise<void> {
    const { report } = this.target;
    const environment = report.environment.name;
    const text = shortDescription(description, 255);
    await this.commitStatus(progress.sha, COMMIT_STATE[stage], {
      name: `kipper/${environment}`,
      target_url: report.consoleUrl,
      description: text,
    });
    if (stage === FeedbackStage.HELD || stage === FeedbackStage.QUEUED) return;
    const status = DEPLOYMENT_STATUS[stage];
    if (progress.deploymentId) {
      await this.call('update deployment', 'PUT', `/deployments/${encodeURIComponent(progress.deploymentId)}`, { status });
      return;
    }
    // Revisions that never started (superseded in the queue, nothing to roll out) have no deployment.
    if (report.revision.startedAt === null) return;
    const ref = report.app.gitBranch ?? (await this.defaultBranch());
    const created = (await this.call('create deployment', 'POST', '/deployments', { environment, sha: progress.sha, ref, tag: false, status })) as { id?: unknown };
    if (typeof created.id !== 'number' && typeof created.id !== 'string') throw new FeedbackApiError('GitLab create deployment: no id in the answer', 201, true);
    progress.deploymentId = String(created.id);
  }

  /** A status GitLab already has (same state, or a finished one for the same name) is answered 400 "Cannot transition status": nothing to do. */
  private async commitStatus(sha: string, state: string, body: Record<string, string>): Promise<void> {
    try {
      await this.call('create commit status', 'POST', `/statuses/${encodeURIComponent(sha)}`, { state, ...body });
    } catch (error) {
      if (error instanceof FeedbackApiError && error.status === 400 && /cannot transition status/i.test(error.message)) return;
      throw error;
    }
  }

  private async defaultBranch(): Promise<string> {
    const key = `${this.target.connection.id}`;
    const cached = defaultBranches.get(key);
    if (cached && cached.until > Date.now()) return cached.branch;
    const project = (await this.call('read project', 'GET', '')) as { default_branch?: unknown };
    const branch = typeof project.default_branch === 'string' && project.default_branch ? project.default_branch : 'main';
    defaultBranches.set(key, { branch, until: Date.now() + DEFAULT_BRANCH_TTL_MS });
    return branch;
  }

  private async call(what: string, method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await timedFetch(`${this.base}${path}`, {
        method,
        headers: { 'PRIVATE-TOKEN': this.target.token, accept: 'application/json', 'user-agent': 'kipper', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new FeedbackApiError(`GitLab ${what}: ${error instanceof Error ? error.message : String(error)}`, null, false);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      throw new FeedbackApiError(`GitLab ${what}: ${res.status} ${gitlabMessage(text) ?? res.statusText}`, res.status, !isRetryableStatus(res.status));
    }
    try {
      return text ? (JSON.parse(text) as unknown) : {};
    } catch {
      return {};
    }
  }
}

/** GitLab answers `{"message": …}` or `{"error": …}`, a message being a string, an array or an object of them. */
function gitlabMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = body.message ?? body.error;
    if (message === undefined) return null;
    return (typeof message === 'string' ? message : JSON.stringify(message)).slice(0, 300);
  } catch {
    return text ? text.slice(0, 300) : null;
  }
}
