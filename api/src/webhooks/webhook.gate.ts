import type { NextFunction, Request, Response } from 'express';
import { bearerToken, describeError, ErrorCode, isAppName, isDnsLabel, type App, type CiIdentity, type CiIdentityService, type PresentedCredentials, type WebhookService } from '@kipper/core';
import { localBuckets, sharedBuckets, TokenBucketLimiter, type BucketOptions, type Buckets, type BucketStore, type TakeResult } from './rate-limiter.js';
import { headerValue } from './webhook.request.js';
import { sendError, sendRateLimited, UNAUTHENTICATED_MESSAGE } from './webhook.responses.js';

/**
 * An admitted request's app. `secretMissing`: its credentials could not be checked because the
 * webhook's Secret is gone (a GitHub signature); the caller refuses it and records why.
 */
export interface Admitted {
  app: App;
  secretMissing: boolean;
  /** A keyless CI request: the identity its OIDC token proved. */
  ci?: CiIdentity | undefined;
}

/** The app a webhook URL names; `appKey` is `namespace/name`, for rate limits and logs. */
export interface WebhookTarget {
  namespace: string;
  name: string;
  appKey: string;
}

export interface GateLimits {
  /** Authenticated requests per app (`namespace/app`). Default 20 at once, 5 per second. */
  perApp?: BucketOptions;
  /** Failed authentications per remote address + URL; past it failures answer 429 instead of 401. Default 10 at once, 1 per second. */
  failedAuthPerPath?: BucketOptions;
  /** Failed authentications per remote address over all URLs (sprays of guessed app names). Default 60 at once, 2 per second. */
  failedAuthPerAddress?: BucketOptions;
  /** Clock of the in-process rate limiters, for tests. */
  now?: () => number;
  /**
   * Where the buckets are shared by every api process (Redis, `{prefix}:ratelimit:…`); without
   * it each process keeps its own.
   */
  sharedLimits?: { store: BucketStore; prefix: string };
}

export const DEFAULT_RATE_LIMITS = {
  perApp: { burst: 20, perSecond: 5 },
  failedAuthPerPath: { burst: 10, perSecond: 1 },
  failedAuthPerAddress: { burst: 60, perSecond: 2 },
} as const satisfies Record<string, BucketOptions>;

/**
 * Who may come in: the URL's shape, the request's credentials, and the rate limits. Answers the
 * refusals itself (401, 429) and hands over the authenticated app.
 *
 * Only failed authentications are charged to an address, and only they are refused by its
 * buckets: a stranger's wrong tokens never lock out valid credentials, even when every client
 * shares one ingress address. There is deliberately no per-address limit before
 * authentication for the same reason: an unauthenticated request costs one indexed query.
 */
export class WebhookGate {
  private readonly perApp: Buckets;
  private readonly failedPerPath: Buckets;
  private readonly failedPerAddress: Buckets;

  constructor(
    private readonly webhooks: Pick<WebhookService, 'authenticate' | 'secretMissing'>,
    limits: GateLimits,
    private readonly log: (message: string) => void,
    /** Keyless CI (`Authorization: Bearer <OIDC JWT>`); without it bearer tokens are ignored. */
    private readonly ci?: Pick<CiIdentityService, 'authenticate'>,
  ) {
    const now = limits.now ?? Date.now;
    const shared = limits.sharedLimits;
    let warned = false;
    const onFallback = (error: unknown) => {
      if (warned) return;
      warned = true; // once per gate: an outage must not write a line per delivery
      this.log(`webhook rate limits: Redis did not answer, each api process counts on its own until it does: ${describeError(error, { stack: false })}`);
    };
    const buckets = (name: string, options: BucketOptions): Buckets => {
      const local = new TokenBucketLimiter(options, now);
      return shared ? sharedBuckets(shared.store, options, { prefix: shared.prefix, name, onFallback }, local) : localBuckets(local);
    };
    this.perApp = buckets('app', limits.perApp ?? DEFAULT_RATE_LIMITS.perApp);
    this.failedPerPath = buckets('failed-path', limits.failedAuthPerPath ?? DEFAULT_RATE_LIMITS.failedAuthPerPath);
    this.failedPerAddress = buckets('failed-address', limits.failedAuthPerAddress ?? DEFAULT_RATE_LIMITS.failedAuthPerAddress);
  }

  /** The app the URL names, checked without any database work: a name no app can have is refused like an unknown app. Undefined once refused. */
  target(req: Request, res: Response): WebhookTarget | undefined {
    const namespace = String(req.params.namespace);
    const name = String(req.params.app);
    const appKey = `${namespace}/${name}`;
    if (isDnsLabel(namespace) && isAppName(name)) return { namespace, name, appKey };
    void this.refuseUnauthenticated(req, res, appKey);
    return undefined;
  }

  /** `target` as middleware: the request goes on only with a target, which `targetOf` then reads. */
  readonly checkTarget = (req: Request, res: Response, next: NextFunction): void => {
    const target = this.target(req, res);
    if (!target) return;
    res.locals.webhookTarget = target;
    next();
  };

  targetOf(res: Response): WebhookTarget {
    return res.locals.webhookTarget as WebhookTarget;
  }

  /**
   * The app whose token (or signature, with `signed`) the request carries, once it has also
   * passed the app's own rate limit; undefined once refused. A failure while checking
   * (database, cluster) is answered like a wrong token, so nothing tells that an app exists;
   * the details go to the log (never a credential).
   */
  async admit(req: Request, res: Response, target: WebhookTarget, signed: Pick<PresentedCredentials, 'githubSignature' | 'rawBody'> = {}): Promise<Admitted | undefined> {
    const authenticated = await this.authenticate(req, target, signed);
    const app = authenticated?.app ?? null;
    if (!app) {
      const unverifiable = signed.githubSignature !== undefined ? await this.secretMissing(target) : null;
      if (!unverifiable) {
        await this.refuseUnauthenticated(req, res, target.appKey);
        return undefined;
      }
      // Still a failed authentication for the address's buckets: a flood of forged signatures
      // is answered 429 and does not fill the app's delivery log.
      const limited = await this.chargeFailure(req, target.appKey);
      if (limited !== undefined) {
        sendRateLimited(res, limited, 'with a wrong webhook token from this address');
        return undefined;
      }
      return { app: unverifiable, secretMissing: true };
    }
    const taken = await this.perApp.take(target.appKey);
    if (!taken.ok) {
      sendRateLimited(res, taken.retryAfterSeconds, `for ${target.appKey}`);
      return undefined;
    }
    return { app, secretMissing: false, ci: authenticated?.ci };
  }

  /**
   * After a failed GitHub signature: the app, when its webhook Secret is known to be gone (its
   * owner must be told why GitHub's deliveries fail). Asked for every failed signature, known app
   * or not, so the answer time tells nothing about other apps.
   */
  private async secretMissing(target: WebhookTarget): Promise<App | null> {
    try {
      return await this.webhooks.secretMissing(target.namespace, target.name);
    } catch (err) {
      this.log(`webhook ${target.appKey}: the webhook Secret flag could not be read, answered 401: ${describeError(err)}`);
      return null;
    }
  }

  /**
   * The shared token's credentials decide when any is present (as before keyless CI existed);
   * otherwise a bearer token is checked against the app's CI trusts.
   */
  private async authenticate(req: Request, target: WebhookTarget, signed: Pick<PresentedCredentials, 'githubSignature' | 'rawBody'>): Promise<{ app: App; ci?: CiIdentity } | null> {
    try {
      const credentials = { kipperToken: headerValue(req.headers, 'x-kipper-token'), gitlabToken: headerValue(req.headers, 'x-gitlab-token'), ...signed };
      const shared = credentials.kipperToken !== undefined || credentials.gitlabToken !== undefined || credentials.githubSignature !== undefined;
      const bearer = this.ci && !shared ? bearerToken(headerValue(req.headers, 'authorization')) : undefined;
      if (bearer !== undefined && this.ci) return await this.keyless(req, target, bearer, this.ci);
      const app = await this.webhooks.authenticate(target.namespace, target.name, credentials);
      return app ? { app } : null;
    } catch (err) {
      this.log(`webhook ${target.appKey}: authentication could not be checked, answered 401: ${describeError(err)}`);
      return null;
    }
  }

  /** A keyless CI token: a POST's token must not have deployed before (jti); a status poll may reuse it. */
  private async keyless(req: Request, target: WebhookTarget, token: string, ci: Pick<CiIdentityService, 'authenticate'>): Promise<{ app: App; ci: CiIdentity } | null> {
    const result = await ci.authenticate(target.namespace, target.name, token, { fresh: req.method === 'POST' });
    if (result.app) return { app: result.app, ci: result.identity };
    this.log(`webhook ${target.appKey}: keyless CI token refused, answered 401: ${printable(result.reason)}`);
    return null;
  }

  /** The unified 401, charged to the address's failure buckets; 429 once they are empty. */
  async refuseUnauthenticated(req: Request, res: Response, appKey: string): Promise<void> {
    const limited = await this.chargeFailure(req, appKey);
    if (limited !== undefined) {
      sendRateLimited(res, limited, 'with a wrong webhook token from this address');
      return;
    }
    sendError(res, ErrorCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE);
  }

  /** Charges a failed authentication to the address's buckets; the Retry-After seconds once they are empty. */
  private async chargeFailure(req: Request, appKey: string): Promise<number | undefined> {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const results = await Promise.all([this.failedPerPath.take(`${address} ${appKey}`), this.failedPerAddress.take(address)]);
    const limited = results.filter((r): r is Extract<TakeResult, { ok: false }> => !r.ok);
    return limited.length > 0 ? Math.max(...limited.map((r) => r.retryAfterSeconds)) : undefined;
  }
}

/** Claims of a refused token are the sender's text: one line in the log, whatever they hold. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to replace control characters
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
