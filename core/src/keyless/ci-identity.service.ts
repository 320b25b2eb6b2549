import type { DataSource, EntityManager } from 'typeorm';
import { App } from '../apps/app.entity.js';
import type { KipperConfig } from '../config/config.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import { CiTokenUse } from './ci-token-use.entity.js';
import { CI_CLOCK_SKEW_SECONDS, CiTokenVerifier, type CiIdentity } from './ci-token.verifier.js';
import { WebhookTrust } from './webhook-trust.entity.js';

/** A keyless request: the app and the CI identity its token proved, or why it is refused (for the log). */
export type CiAuthentication = { app: App; identity: CiIdentity } | { app: null; reason: string };

/** How often expired token uses are swept (per process). */
const PRUNE_EVERY_MS = 60_000;

/**
 * Authenticates webhook requests carrying `Authorization: Bearer <OIDC JWT>` against the app's
 * trusts, and uses a token's `jti` up once it deployed. Transport-free, like WebhookService.
 */
export class CiIdentityService {
  private readonly verifier: CiTokenVerifier;
  private lastPrune = 0;

  constructor(
    private readonly deps: {
      dataSource: DataSource;
      config: Pick<KipperConfig, 'ciIssuerAllowPrivate' | 'ciJwksCooldownSeconds'>;
      log?: (message: string) => void;
    },
  ) {
    this.verifier = new CiTokenVerifier({ allowPrivate: deps.config.ciIssuerAllowPrivate, jwksCooldownMs: deps.config.ciJwksCooldownSeconds * 1000 });
  }

  /**
   * The app of a webhook URL and the identity the token proves, when one of the app's trusts
   * accepts it and (with `fresh`, for deliveries) its jti has not deployed before. Status polls
   * pass `fresh: false`: reading a revision's state with the token that created it is fine.
   */
  async authenticate(namespace: string, name: string, token: string, options: { fresh: boolean }): Promise<CiAuthentication> {
    const app = await this.deps.dataSource.getRepository(App).findOneBy({ namespace, name });
    const trusts = app ? await this.deps.dataSource.getRepository(WebhookTrust).findBy({ appId: app.id }) : [];
    if (!app || trusts.length === 0) return { app: null, reason: 'the app trusts no CI identity' };
    const checked = await this.verifier.verify(token, trusts);
    if (!checked.ok) return { app: null, reason: checked.reason };
    const { identity } = checked;
    if (options.fresh && identity.jti !== null && (await this.deps.dataSource.getRepository(CiTokenUse).existsBy({ issuer: identity.issuer, jti: identity.jti }))) {
      return { app: null, reason: `the token (jti ${identity.jti.slice(0, 100)}) was used before` };
    }
    return { app, identity };
  }

  /**
   * Marks the token's jti used, through `manager`: the transaction that records the deploy (or on
   * its own for a delivery that deploys nothing), so
   * a refused or failed deploy leaves the token usable and a token racing itself deploys once.
   * UNAUTHENTICATED when it was used meanwhile (the caller answers it like any failed
   * authentication). Nothing for a token without jti.
   */
  async consume(identity: Pick<CiIdentity, 'issuer' | 'jti' | 'expiresAt'>, manager: EntityManager = this.deps.dataSource.manager): Promise<void> {
    if (identity.jti === null) return;
    const rows = (await manager.query(
      `INSERT INTO ci_token_use (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING jti`,
      [identity.issuer, identity.jti, identity.expiresAt],
    )) as unknown[];
    if (rows.length === 0) throw new KipperError(ErrorCode.UNAUTHENTICATED, `the token (jti ${identity.jti.slice(0, 100)}) was used before`);
    this.pruneSoon();
  }

  /** Drops uses of tokens expired past the clock skew (they are refused for that anyway), at most once a minute. */
  private pruneSoon(): void {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    this.deps.dataSource
      .query(`DELETE FROM ci_token_use WHERE expires_at < now() - make_interval(secs => $1)`, [CI_CLOCK_SKEW_SECONDS * 2])
      .catch((err: unknown) => this.deps.log?.(`keyless CI: expired token uses could not be swept: ${String(err)}`));
  }
}
