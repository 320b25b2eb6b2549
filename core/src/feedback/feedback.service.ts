import type { DataSource, EntityManager } from 'typeorm';
import type { App } from '../apps/app.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { KipperConfig } from '../config/config.js';
import { inCluster } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { appLabel } from '../revisions/revision.records.js';
import { FeedbackConnection, FeedbackProvider } from './feedback-connection.entity.js';
import { FeedbackReport } from './feedback-report.entity.js';
import { DEFAULT_FEEDBACK_API_URL, DEFAULT_FEEDBACK_SECRET_KEY, parseFeedbackApiUrl, repositoryProblem, secretProblem } from './feedback.rules.js';

/** The part of the cluster module (`@kipper/kube` `Cluster`) feedback needs: the token's Secret. */
export interface FeedbackSecretReader {
  readSecretValue(namespace: string, name: string, key: string): Promise<string | null>;
}

export interface ConnectFeedbackInput {
  provider: FeedbackProvider;
  /** GitHub `owner/repo`, GitLab `group/sub/project` or its numeric id. */
  repository: string;
  /** Default: https://api.github.com or https://gitlab.com/api/v4. */
  apiUrl?: string | null;
  /** The Secret in the app's namespace that holds the token; key `token` by default. */
  tokenSecret: { name: string; key?: string | null };
}

const PROVIDERS = new Set<string>(Object.values(FeedbackProvider));

/**
 * Connections of apps to GitHub and GitLab (what the worker's reporters read), and what was
 * reported of each revision. Transport-free. Refusals change nothing and say why.
 */
export class FeedbackService {
  constructor(
    private readonly deps: {
      dataSource: DataSource;
      cluster: FeedbackSecretReader;
      config: Pick<KipperConfig, 'feedbackAllowPrivate'>;
      audit: Pick<AuditService, 'record'>;
    },
  ) {}

  /** The app's connections, GitHub before GitLab. */
  async list(app: Pick<App, 'id'>): Promise<FeedbackConnection[]> {
    return this.deps.dataSource.getRepository(FeedbackConnection).find({ where: { appId: app.id }, order: { provider: 'ASC' } });
  }

  /** The app's connection to one provider, if any (what the worker's reporters deliver to). */
  async connectionOf(appId: string, provider: FeedbackProvider): Promise<FeedbackConnection | null> {
    return this.deps.dataSource.getRepository(FeedbackConnection).findOneBy({ appId, provider });
  }

  async connection(id: string): Promise<FeedbackConnection | null> {
    return this.deps.dataSource.getRepository(FeedbackConnection).findOneBy({ id });
  }

  /**
   * Connects the app to a repository, or replaces its connection to that provider. The Secret
   * must exist in the app's namespace with the key: the token is read there, never stored. A
   * connection moved to another repository or API forgets what it reported (deployment ids of
   * the old one mean nothing there).
   */
  async connect(app: Pick<App, 'id' | 'namespace' | 'name'>, input: ConnectFeedbackInput, actor: string): Promise<FeedbackConnection> {
    const refuse = (message: string): never => {
      throw new KipperError(ErrorCode.VALIDATION_FAILED, message);
    };
    if (!PROVIDERS.has(input.provider)) refuse(`provider must be github or gitlab, got "${String(input.provider)}"`);
    const repository = input.repository.trim();
    const repoProblem = repositoryProblem(input.provider, repository);
    if (repoProblem) refuse(repoProblem);
    const secretName = input.tokenSecret.name.trim();
    const secretKey = input.tokenSecret.key?.trim() || DEFAULT_FEEDBACK_SECRET_KEY;
    const secretRefProblem = secretProblem(secretName, secretKey);
    if (secretRefProblem) refuse(secretRefProblem);
    const apiUrl = await parseFeedbackApiUrl(input.apiUrl?.trim() || DEFAULT_FEEDBACK_API_URL[input.provider], this.deps.config.feedbackAllowPrivate);
    if (!apiUrl.ok) return refuse(apiUrl.problem);
    const token = await inCluster(() => this.deps.cluster.readSecretValue(app.namespace, secretName, secretKey));
    if (!token) {
      refuse(
        `Secret ${secretName} with key ${secretKey} not found in namespace ${app.namespace}: create it first, e.g. ` +
          `kubectl create secret generic ${secretName} --namespace ${app.namespace} --from-literal=${secretKey}=<token>`,
      );
    }
    return this.deps.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(FeedbackConnection);
      const existing = await repo.findOne({ where: { appId: app.id, provider: input.provider }, lock: { mode: 'pessimistic_write' } });
      if (existing && (existing.repository !== repository || existing.apiUrl !== apiUrl.url)) {
        await tx.getRepository(FeedbackReport).delete({ connectionId: existing.id });
      }
      await tx.query(
        `INSERT INTO feedback_connection (app_id, provider, repository, api_url, secret_name, secret_key, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (app_id, provider) DO UPDATE SET repository = EXCLUDED.repository, api_url = EXCLUDED.api_url,
           secret_name = EXCLUDED.secret_name, secret_key = EXCLUDED.secret_key, created_by = EXCLUDED.created_by, updated_at = now()`,
        [app.id, input.provider, repository, apiUrl.url, secretName, secretKey, actor],
      );
      await this.deps.audit.record(actor, 'feedback.connect', appLabel(app), { provider: input.provider, repository, apiUrl: apiUrl.url, tokenSecret: `${secretName}:${secretKey}` }, tx);
      return repo.findOneByOrFail({ appId: app.id, provider: input.provider });
    });
  }

  /** Removes the app's connection to a provider (and what was reported through it); FEEDBACK_NOT_CONNECTED when there is none. */
  async disconnect(app: Pick<App, 'id' | 'namespace' | 'name'>, provider: FeedbackProvider, actor: string): Promise<FeedbackConnection> {
    return this.deps.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(FeedbackConnection);
      const existing = await repo.findOneBy({ appId: app.id, provider });
      if (!existing) throw new KipperError(ErrorCode.FEEDBACK_NOT_CONNECTED, `App ${app.name} is not connected to ${provider}: there is nothing to disconnect`);
      await repo.delete({ id: existing.id });
      await this.deps.audit.record(actor, 'feedback.disconnect', appLabel(app), { provider, repository: existing.repository }, tx);
      return existing;
    });
  }

  /** What was reported through a connection, newest first. */
  async reports(connectionId: string, first = 10): Promise<FeedbackReport[]> {
    return this.deps.dataSource.getRepository(FeedbackReport).find({
      where: { connectionId },
      order: { updatedAt: 'DESC' },
      take: Math.min(Math.max(first, 1), 100),
    });
  }

  /**
   * Runs `work` with the report of (connection, revision) locked (created when missing): one
   * delivery of a revision to a connection at a time, so stages go out in order and a
   * deployment is created once. What `work` returns is saved with the report, also when it
   * failed part way (`error`): a retry then goes on from there. Resolves with `work`'s result.
   */
  async withReport<T>(
    connectionId: string,
    revisionId: string,
    work: (report: FeedbackReport, tx: EntityManager) => Promise<{ changes: Partial<FeedbackReport>; result: T }>,
  ): Promise<T> {
    return this.deps.dataSource.transaction(async (tx) => {
      await tx.query(`INSERT INTO feedback_report (connection_id, revision_id) VALUES ($1, $2) ON CONFLICT (connection_id, revision_id) DO NOTHING`, [connectionId, revisionId]);
      const report = await tx.getRepository(FeedbackReport).createQueryBuilder('r').setLock('pessimistic_write').where('r.connection_id = :connectionId AND r.revision_id = :revisionId', { connectionId, revisionId }).getOneOrFail();
      const { changes, result } = await work(report, tx);
      if (Object.keys(changes).length > 0) await tx.getRepository(FeedbackReport).update(report.id, changes);
      return result;
    });
  }
}
