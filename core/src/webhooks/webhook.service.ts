import type { DataSource, QueryRunner } from 'typeorm';
import { App } from '../apps/app.entity.js';
import type { AuditService } from '../audit/audit.service.js';
import type { KipperConfig } from '../config/config.js';
import { inCluster } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { describeError } from '../logger.js';
import { heldMessage } from '../revisions/pin.js';
import { Revision, RevisionStatus } from '../revisions/revision.entity.js';
import { Webhook } from './webhook.entity.js';
import { ciSnippets, type CiSnippets } from './webhook.snippets.js';
import { DUMMY_HASH, digestsEqual, generateToken, hashToken, tokenMatchesHash } from '../auth/secret-token.js';
import { githubSignatureMatches } from './github-signature.js';

/** The part of the cluster module (`@kipper/kube` `Cluster`) the webhook needs: the Secret `{app}-webhook`. */
export interface WebhookTokenStore {
  readWebhookToken(namespace: string, app: string): Promise<string | null>;
  writeWebhookToken(namespace: string, app: string, token: string): Promise<void>;
  deleteWebhookToken(namespace: string, app: string): Promise<void>;
}

export interface WebhookStatus {
  /** The app's id (what GraphQL resolves the webhook's trusts from). */
  appId: string;
  enabled: boolean;
  url: string;
  createdAt: Date | null;
  rotatedAt: Date | null;
  /** Since when the Secret holding the token is gone from the cluster (the reconciler noticed); null when it is there. */
  secretMissingSince: Date | null;
}

/** What the app shows while its webhook Secret is missing. */
export function webhookSecretMissingMessage(appName: string): string {
  return `webhook Secret missing: run kip app webhook enable ${appName} to issue a new token`;
}

/** What `kip app webhook enable` / `status` show: URL, token and ready CI snippets. */
export interface WebhookSecretView {
  url: string;
  token: string;
  snippets: CiSnippets;
  webhook: WebhookStatus;
}

/** The credentials a request presented; any that is present must be valid. */
export interface PresentedCredentials {
  kipperToken?: string | undefined;
  gitlabToken?: string | undefined;
  githubSignature?: string | undefined;
  rawBody?: Buffer | undefined;
}

/** What a webhook request's status poll returns. */
export interface RevisionStatusView {
  number: number;
  status: RevisionStatus;
  image: string | null;
  commit: string | null;
  trigger: string;
  failureReason: string | null;
  createdAt: string;
  finishedAt: string | null;
  current: boolean;
  /** A held revision: why it waits and what deploys it (the pin); null otherwise. */
  message: string | null;
}

type AppRef = Pick<App, 'id' | 'namespace' | 'name' | 'source'>;

interface CachedToken {
  hash: string;
  token: string;
  expiresAt: number;
}

/** How long a token read from the Secret is reused for GitHub signatures (keyed by the stored hash, so rotation still applies at once). */
const TOKEN_CACHE_MS = 60_000;
const TOKEN_CACHE_MAX = 1_000;

/**
 * The webhook of an app: its token lifecycle (enable / regenerate / disable; the token lives
 * in the Kubernetes Secret `{app}-webhook`, the database keeps its SHA-256 only) and the
 * verification of webhook requests. Transport-free: the REST shim and GraphQL both call it.
 * No token is ever logged or put in an error message.
 */
export class WebhookService {
  private readonly tokenCache = new Map<string, CachedToken>();

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      cluster: WebhookTokenStore;
      config: Pick<KipperConfig, 'publicUrl'>;
      audit: Pick<AuditService, 'record'>;
      /** Where failures that are not rethrown are reported (never with a token). Default console.error. */
      log?: (message: string) => void;
    },
  ) {}

  url(app: Pick<App, 'namespace' | 'name'>): string {
    return `${this.deps.config.publicUrl}/api/v1/webhook/${app.namespace}/${app.name}`;
  }

  /** Where CI polls a revision it triggered (same token). */
  revisionUrl(app: Pick<App, 'namespace' | 'name'>, number: number): string {
    return `${this.url(app)}/revisions/${number}`;
  }

  async status(app: AppRef): Promise<WebhookStatus> {
    const row = await this.deps.dataSource.getRepository(Webhook).findOneBy({ appId: app.id });
    return this.statusOf(app, row);
  }

  /**
   * Enables the webhook with a fresh token, or regenerates it when already enabled: the old
   * token stops working the moment this returns. The Secret is written first, then the hash
   * (in one transaction with the audit entry). If the database step fails, the Secret gets its
   * old token back (or is deleted when there was none), so Secret and hash never disagree and
   * the old token keeps working. No transaction is open during the Kubernetes calls.
   */
  async enable(app: AppRef, actor: string): Promise<WebhookSecretView> {
    const token = generateToken();
    const hash = hashToken(token);
    const row = await this.locked(app.id, async (runner) => {
      const previous = await inCluster(() => this.deps.cluster.readWebhookToken(app.namespace, app.name));
      await inCluster(() => this.deps.cluster.writeWebhookToken(app.namespace, app.name, token));
      try {
        return await this.inTransaction(runner, async () => {
          const repo = runner.manager.getRepository(Webhook);
          const existing = await repo.findOneBy({ appId: app.id });
          const regenerate = existing?.enabled === true;
          await runner.query(
            `INSERT INTO webhook (app_id, enabled, token_hash, created_at, rotated_at) VALUES ($1, true, $2, now(), NULL)
             ON CONFLICT (app_id) DO UPDATE SET enabled = true, token_hash = EXCLUDED.token_hash,
               created_at = CASE WHEN webhook.enabled THEN webhook.created_at ELSE now() END,
               rotated_at = CASE WHEN webhook.enabled THEN now() ELSE NULL END, secret_missing_since = NULL`,
            [app.id, hash],
          );
          await this.deps.audit.record(actor, regenerate ? 'webhook.regenerate' : 'webhook.enable', `${app.namespace}/${app.name}`, { before: { enabled: regenerate }, after: { enabled: true } }, runner.manager);
          return repo.findOneByOrFail({ appId: app.id });
        });
      } catch (err) {
        await this.restoreSecret(app, previous);
        throw err;
      }
    });
    this.tokenCache.set(app.id, { hash, token, expiresAt: Date.now() + TOKEN_CACHE_MS });
    return { url: this.url(app), token, snippets: ciSnippets(this.url(app), app.source), webhook: this.statusOf(app, row) };
  }

  /**
   * Disables the webhook: the hash is cleared first (every token stops working at once), then the
   * Secret is deleted. Disabling a disabled webhook is a no-op that still removes a left-over Secret.
   */
  async disable(app: AppRef, actor: string): Promise<WebhookStatus> {
    const row = await this.locked(app.id, async (runner) => {
      const updated = await this.inTransaction(runner, async () => {
        const repo = runner.manager.getRepository(Webhook);
        const existing = await repo.findOneBy({ appId: app.id });
        if (existing?.enabled) {
          await repo.update({ appId: app.id }, { enabled: false, tokenHash: null });
          await this.deps.audit.record(actor, 'webhook.disable', `${app.namespace}/${app.name}`, { before: { enabled: true }, after: { enabled: false } }, runner.manager);
        }
        return repo.findOneBy({ appId: app.id });
      });
      this.tokenCache.delete(app.id);
      await inCluster(() => this.deps.cluster.deleteWebhookToken(app.namespace, app.name));
      return updated;
    });
    return this.statusOf(app, row);
  }

  /** The token again (read from the Secret), with URL and snippets; null when the webhook is not enabled. */
  async secret(app: AppRef): Promise<WebhookSecretView | null> {
    const row = await this.deps.dataSource.getRepository(Webhook).findOneBy({ appId: app.id });
    if (!row?.enabled || !row.tokenHash) return null;
    // Known gone (the reconciler flagged it): no cluster call, the flag's own words.
    if (row.secretMissingSince) throw new KipperError(ErrorCode.WEBHOOK_SECRET_MISSING, webhookSecretMissingMessage(app.name));
    const token = await this.readToken(app, row.tokenHash);
    if (token === null) {
      throw new KipperError(
        ErrorCode.WEBHOOK_SECRET_MISSING,
        `The webhook Secret ${app.name}-webhook in namespace ${app.namespace} is missing or no longer matches: run \`kip app webhook enable ${app.name}\` to issue a new token`,
      );
    }
    return { url: this.url(app), token, snippets: ciSnippets(this.url(app), app.source), webhook: this.statusOf(app, row) };
  }

  /**
   * Finds the app behind a webhook URL and checks the request's credentials in one go. Returns
   * null for an unknown app, a disabled webhook, no credential, or any wrong one, alike, so
   * callers answer all of them the same way. Cluster failures (reading the Secret) throw; the
   * REST shim answers those with the same 401 too (and logs them).
   */
  async authenticate(namespace: string, name: string, credentials: PresentedCredentials): Promise<App | null> {
    const { kipperToken, gitlabToken, githubSignature, rawBody } = credentials;
    // One query whether or not the app exists, so the answer time does not tell.
    const { entities, raw } = await this.deps.dataSource
      .getRepository(App)
      .createQueryBuilder('app')
      .leftJoin(Webhook, 'webhook', 'webhook.app_id = app.id AND webhook.enabled')
      .addSelect('webhook.token_hash', 'webhook_token_hash')
      .where('app.namespace = :namespace AND app.name = :name', { namespace, name })
      .getRawAndEntities<{ webhook_token_hash: string | null }>();
    const app = entities[0] ?? null;
    const storedHash = raw[0]?.webhook_token_hash ?? null;
    const tokens = [kipperToken, gitlabToken].filter((t): t is string => t !== undefined);
    if (tokens.length === 0 && githubSignature === undefined) return null;
    let ok = true;
    for (const token of tokens) ok = tokenMatchesHash(token, storedHash) && ok;
    if (githubSignature !== undefined) {
      if (!app || !storedHash || !rawBody) {
        // Same work as a real check, so the answer time does not tell which apps exist.
        githubSignatureMatches(DUMMY_HASH, rawBody ?? Buffer.alloc(0), githubSignature);
        ok = false;
      } else {
        const token = await this.readToken(app, storedHash);
        ok = token !== null && githubSignatureMatches(token, rawBody, githubSignature) && ok;
      }
    }
    return ok && app && storedHash ? app : null;
  }

  /**
   * The app of a webhook URL whose webhook is enabled but whose Secret the reconciler found gone:
   * a GitHub signature for it cannot be checked, and the sender is told so (WEBHOOK_SECRET_MISSING)
   * instead of the unified 401. Null for every other app, known or not (they stay unified).
   */
  async secretMissing(namespace: string, name: string): Promise<App | null> {
    return this.deps.dataSource
      .getRepository(App)
      .createQueryBuilder('app')
      .innerJoin(Webhook, 'webhook', 'webhook.app_id = app.id AND webhook.enabled AND webhook.secret_missing_since IS NOT NULL')
      .where('app.namespace = :namespace AND app.name = :name', { namespace, name })
      .getOne();
  }

  /** A revision of the app as CI sees it when polling the status URL; `app` as authentication read it, so "current" and the pin need no second query. */
  async revisionStatus(app: Pick<App, 'id' | 'name' | 'currentRevisionId' | 'pinnedRevisionId' | 'pinnedBy' | 'pinnedAt'>, number: number): Promise<RevisionStatusView> {
    const repo = this.deps.dataSource.getRepository(Revision);
    const revision = await repo.findOneBy({ appId: app.id, number });
    if (!revision) throw new KipperError(ErrorCode.REVISION_NOT_FOUND, `This app has no revision ${number}`);
    let message: string | null = null;
    if (revision.status === RevisionStatus.HELD && app.pinnedRevisionId && app.pinnedBy && app.pinnedAt) {
      const pinned = await repo.findOneBy({ id: app.pinnedRevisionId });
      if (pinned) message = heldMessage(app.name, revision.number, { revision: pinned, by: app.pinnedBy, at: app.pinnedAt });
    }
    return {
      number: revision.number,
      status: revision.status,
      image: revision.image,
      commit: revision.commit,
      trigger: revision.trigger,
      failureReason: revision.failureReason,
      createdAt: revision.createdAt.toISOString(),
      finishedAt: revision.finishedAt ? revision.finishedAt.toISOString() : null,
      current: app.currentRevisionId === revision.id,
      message,
    };
  }

  private statusOf(app: Pick<App, 'id' | 'namespace' | 'name'>, row: Webhook | null): WebhookStatus {
    const enabled = row?.enabled === true;
    return {
      appId: app.id,
      enabled,
      url: this.url(app),
      createdAt: enabled ? row.createdAt : null,
      rotatedAt: enabled ? row.rotatedAt : null,
      secretMissingSince: enabled ? row.secretMissingSince : null,
    };
  }

  /**
   * Serialises enable/disable of one app's webhook (Secret and hash must not cross), across api
   * processes: a session advisory lock on one connection, so no transaction stays open while
   * Kubernetes is called. The lock is released before the connection goes back to the pool; if
   * that fails the connection is discarded instead, so a pooled connection never keeps it.
   */
  private async locked<T>(appId: string, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.deps.dataSource.createQueryRunner();
    const key = `kipper.webhook:${appId}`;
    try {
      await runner.connect();
      await runner.query(`SELECT pg_advisory_lock(hashtext($1::text))`, [key]);
    } catch (err) {
      await runner.release();
      throw err;
    }
    try {
      return await work(runner);
    } finally {
      try {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1::text))`, [key]);
        await runner.release();
      } catch (err) {
        const discard = (runner as unknown as { releasePostgresConnection?: (e: unknown) => Promise<void> }).releasePostgresConnection;
        await (discard ? discard.call(runner, err) : runner.release()).catch(() => undefined);
      }
    }
  }

  /** `work` in a transaction on the runner's connection. */
  private async inTransaction<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
    await runner.startTransaction();
    try {
      const result = await work();
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  }

  /** After a failed enable: the Secret as it was before (its old token, or none). */
  private async restoreSecret(app: AppRef, previous: string | null): Promise<void> {
    try {
      if (previous !== null) await inCluster(() => this.deps.cluster.writeWebhookToken(app.namespace, app.name, previous));
      else await inCluster(() => this.deps.cluster.deleteWebhookToken(app.namespace, app.name));
    } catch (err) {
      const log = this.deps.log ?? ((message: string) => console.error(message));
      log(
        `webhook ${app.namespace}/${app.name}: enabling failed and the Secret ${app.name}-webhook could not be restored (${describeError(err, { stack: false })}): run \`kip app webhook enable ${app.name}\` again`,
      );
    }
  }

  /**
   * The token from the Secret, if it still hashes to `storedHash` (null otherwise). Cached per app
   * for a minute under the hash it matched, so a regenerated token is never served stale.
   */
  private async readToken(app: Pick<App, 'id' | 'namespace' | 'name'>, storedHash: string): Promise<string | null> {
    const cached = this.tokenCache.get(app.id);
    if (cached && cached.expiresAt > Date.now() && digestsEqual(cached.hash, storedHash)) return cached.token;
    const token = await inCluster(() => this.deps.cluster.readWebhookToken(app.namespace, app.name));
    if (token === null || !digestsEqual(hashToken(token), storedHash)) {
      this.tokenCache.delete(app.id);
      return null;
    }
    if (this.tokenCache.size >= TOKEN_CACHE_MAX) this.tokenCache.clear();
    this.tokenCache.set(app.id, { hash: storedHash, token, expiresAt: Date.now() + TOKEN_CACHE_MS });
    return token;
  }
}
