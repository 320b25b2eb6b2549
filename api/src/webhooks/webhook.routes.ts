import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { DataSource } from 'typeorm';
import { type App, type KipperConfig, type DeliveryService, DeliveryOutcome, type DeliverySource, type WebhookDelivery, ErrorCode, fromClusterError, isAppName, isDnsLabel, KipperError, RevisionTrigger, type Revision, type PresentedCredentials, type WebhookService } from '@kipper/core';
import { httpStatusOf } from './http-status.js';
import { TokenBucketLimiter, type BucketOptions, type TakeResult } from './rate-limiter.js';
import { deliveryHeaders, deliveryKey, interpretDelivery, mediaType, parseBody, type WebhookIntent } from './webhook.payload.js';

/** The app a webhook URL names; `appKey` is `namespace/name`, for rate limits and logs. */
interface WebhookTarget {
  namespace: string;
  name: string;
  appKey: string;
}

/**
 * The REST shim CI and git providers call: `POST /api/v1/webhook/{namespace}/{app}` and
 * `GET /api/v1/webhook/{namespace}/{app}/revisions/{number}`. Thin: the checks run in a fixed
 * order (URL shape, content type, size, authentication with the failure limits, the app's rate
 * limit, JSON, de-duplication, validation, deploy) and everything else is in WebhookService, DeliveryService and RevisionService.
 * Mount it before any global body parser: the GitHub signature is checked over the raw bytes.
 */

/** The part of RevisionService the shim calls. Both commit the revision and enqueue its job before returning. */
export interface WebhookRevisions {
  deployImage(app: App, input: { image: string; commit?: string | null; trigger: RevisionTrigger; triggeredBy: string }): Promise<Revision>;
  requestBuild(app: App, input: { commit?: string | null; trigger: RevisionTrigger; triggeredBy: string }): Promise<Revision>;
}

export interface WebhookRouterDeps {
  revisions: WebhookRevisions;
  webhooks: WebhookService;
  deliveries: DeliveryService;
  config: Pick<KipperConfig, 'publicUrl'>;
  /** Not used: the app is looked up together with its token hash by WebhookService.authenticate. Accepted so the composition root can pass its service bag. */
  apps?: unknown;
  /** Not used (the router does no database work of its own); accepted for the same reason. */
  dataSource?: DataSource;
}

export interface WebhookRouterOptions {
  /** Authenticated requests per app (`namespace/app`). Default 20 at once, 5 per second. */
  perApp?: BucketOptions;
  /** Failed authentications per remote address + URL; past it failures answer 429 instead of 401. Default 10 at once, 1 per second. */
  failedAuthPerPath?: BucketOptions;
  /** Failed authentications per remote address over all URLs (sprays of guessed app names). Default 60 at once, 2 per second. */
  failedAuthPerAddress?: BucketOptions;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How long a repeated delivery waits for the first one, still running, to answer. Default 10 s. */
  duplicateWaitMs?: number;
  /** Clock of the rate limiters, for tests. */
  now?: () => number;
  /** Where unexpected failures are reported (never with a token). Default console.error. */
  log?: (message: string) => void;
}

export const DEFAULT_RATE_LIMITS = {
  perApp: { burst: 20, perSecond: 5 },
  failedAuthPerPath: { burst: 10, perSecond: 1 },
  failedAuthPerAddress: { burst: 60, perSecond: 2 },
} as const satisfies Record<string, BucketOptions>;

export const MAX_BODY_BYTES = 1024 * 1024;

const UNAUTHENTICATED_MESSAGE =
  'Missing or invalid webhook token for this URL: send the app\'s token in X-Kipper-Token (GitLab: as the webhook\'s secret token; GitHub: as the webhook secret, which signs X-Hub-Signature-256). `kip app webhook status <app>` shows the URL and token.';

interface Reply {
  status: number;
  body: unknown;
}

function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

function sendError(res: Response, code: ErrorCode, message: string): void {
  res.status(httpStatusOf(code)).json(errorBody(code, message));
}

function sendRateLimited(res: Response, limited: Extract<TakeResult, { ok: false }>, what: string): void {
  res.setHeader('Retry-After', String(limited.retryAfterSeconds));
  sendError(res, ErrorCode.RATE_LIMITED, `Too many requests ${what}: retry in ${limited.retryAfterSeconds} s`);
}

function headerValue(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first.trim();
}

/** What the api answers for failures whose own message may carry internals (cluster addresses, driver text). */
const INTERNAL_MESSAGE = 'Kipper could not handle this webhook (the api log has the details): retry in a moment';
const FIXED_MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.CLUSTER_UNAVAILABLE]: 'The Kubernetes API is not reachable right now: retry in a moment (the api log has the details)',
  [ErrorCode.CLUSTER_ERROR]: 'Kubernetes refused a change Kipper needed for this webhook (the api log has the details)',
  [ErrorCode.INTERNAL]: INTERNAL_MESSAGE,
};

function explain(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The 202 body of an accepted deploy or build. */
function acceptedBody(app: Pick<App, 'namespace' | 'name'>, revision: Pick<Revision, 'number' | 'status' | 'image' | 'commit'>, statusUrl: string) {
  return {
    revision: { number: revision.number, status: revision.status, image: revision.image, commit: revision.commit },
    app: `${app.namespace}/${app.name}`,
    statusUrl,
  };
}

export function createWebhookRouter(deps: WebhookRouterDeps, options: WebhookRouterOptions = {}): Router {
  const { webhooks, deliveries, revisions } = deps;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.error(message));
  const perApp = new TokenBucketLimiter(options.perApp ?? DEFAULT_RATE_LIMITS.perApp, now);
  const failedPerPath = new TokenBucketLimiter(options.failedAuthPerPath ?? DEFAULT_RATE_LIMITS.failedAuthPerPath, now);
  const failedPerAddress = new TokenBucketLimiter(options.failedAuthPerAddress ?? DEFAULT_RATE_LIMITS.failedAuthPerAddress, now);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const duplicateWaitMs = options.duplicateWaitMs ?? 10_000;

  const router = express.Router();

  const addressOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

  /**
   * A request that did not authenticate (unknown app, disabled webhook, wrong or missing
   * credential, malformed name, or a failure while checking): charged to the failure buckets of
   * its address; the unified 401, or 429 once the address has failed too often. Only failures
   * are charged and only failures are refused by these buckets, so a stranger's wrong tokens
   * never lock out valid credentials, even when every client shares one ingress address.
   */
  function refuseUnauthenticated(req: Request, res: Response, appKey: string): void {
    const address = addressOf(req);
    const results = [failedPerPath.take(`${address} ${appKey}`), failedPerAddress.take(address)];
    const limited = results.filter((r): r is Extract<TakeResult, { ok: false }> => !r.ok);
    if (limited.length) {
      sendRateLimited(res, { ok: false, retryAfterSeconds: Math.max(...limited.map((r) => r.retryAfterSeconds)) }, 'with a wrong webhook token from this address');
      return;
    }
    sendError(res, ErrorCode.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE);
  }

  /**
   * The app a webhook URL names, checked without any database work: a name no app can have is
   * refused like an unknown app. Undefined when the request has already been answered. There is
   * deliberately no per-address limit before authentication (it would lock out valid CI behind
   * a shared ingress address): an unauthenticated request costs one indexed query.
   */
  function target(req: Request, res: Response): WebhookTarget | undefined {
    const namespace = String(req.params.namespace);
    const name = String(req.params.app);
    const appKey = `${namespace}/${name}`;
    if (!isDnsLabel(namespace) || !isAppName(name)) {
      refuseUnauthenticated(req, res, appKey);
      return undefined;
    }
    return { namespace, name, appKey };
  }

  /**
   * The app whose token the request carries (or, with `extra`, whose signature), once it has
   * also passed the app's own rate limit; undefined once refused. Any failure while checking
   * (database, cluster) is answered like a wrong token, so nothing tells an app exists; the
   * details go to the log (never a credential).
   */
  async function authenticated(
    req: Request,
    res: Response,
    target: WebhookTarget,
    extra: Pick<PresentedCredentials, 'githubSignature' | 'rawBody'> = {},
  ): Promise<App | undefined> {
    let app: App | null;
    try {
      app = await webhooks.authenticate(target.namespace, target.name, {
        kipperToken: headerValue(req, 'x-kipper-token'),
        gitlabToken: headerValue(req, 'x-gitlab-token'),
        ...extra,
      });
    } catch (err) {
      log(`webhook ${target.appKey}: authentication could not be checked, answered 401: ${explain(err)}`);
      app = null;
    }
    if (!app) {
      refuseUnauthenticated(req, res, target.appKey);
      return undefined;
    }
    const taken = perApp.take(target.appKey);
    if (!taken.ok) {
      sendRateLimited(res, taken, `for ${target.appKey}`);
      return undefined;
    }
    return app;
  }

  /**
   * After authentication: a KipperError keeps its code and status; its message too, unless it
   * may carry internals (cluster, internal), which get a fixed message. Anything else is INTERNAL.
   */
  function sendFailure(res: Response, err: unknown, appKey: string): void {
    const known = err instanceof KipperError ? err : fromClusterError(err);
    const code = known?.code ?? ErrorCode.INTERNAL;
    const fixed = FIXED_MESSAGES[code];
    if (fixed !== undefined || !known) log(`webhook ${appKey}: ${explain(err)}`);
    sendError(res, code, fixed ?? known?.message ?? INTERNAL_MESSAGE);
  }

  /**
   * A repeated delivery: the first answer again. A delivery accepted while the queue was down
   * was answered 503 although its revision is committed (and the sweeper queues it): a repeat
   * gets 202 with that revision as it is now, and the stored answer becomes that.
   */
  async function replay(res: Response, app: App, delivery: WebhookDelivery): Promise<void> {
    let status = delivery.statusCode;
    let body = delivery.response;
    if (delivery.outcome === DeliveryOutcome.ACCEPTED && delivery.statusCode === httpStatusOf(ErrorCode.QUEUE_UNAVAILABLE) && delivery.revisionId) {
      const revision = await webhooks.revisionById(app, delivery.revisionId);
      if (revision) {
        status = 202;
        body = acceptedBody(app, revision, webhooks.revisionUrl(app, revision.number));
        await deliveries
          .complete(delivery.id, { statusCode: status, outcome: DeliveryOutcome.ACCEPTED, message: null, revisionId: revision.id, response: body })
          .catch((err: unknown) => log(`webhook ${app.namespace}/${app.name}: could not update a replayed delivery: ${explain(err)}`));
      }
    }
    res.setHeader('Idempotent-Replayed', 'true');
    res.status(status).json(body);
  }

  async function execute(app: App, intent: WebhookIntent, source: DeliverySource): Promise<Reply & { outcome: DeliveryOutcome.ACCEPTED | DeliveryOutcome.IGNORED; message: string | null; revisionId: string | null }> {
    switch (intent.kind) {
      case 'ping':
        return { status: 200, body: { ok: true, event: 'ping' }, outcome: DeliveryOutcome.IGNORED, message: 'ping', revisionId: null };
      case 'ignore':
        return { status: 200, body: { ignored: intent.reason }, outcome: DeliveryOutcome.IGNORED, message: intent.reason, revisionId: null };
      case 'deploy-image':
      case 'build': {
        const triggeredBy = `webhook:${source}`;
        const revision =
          intent.kind === 'deploy-image'
            ? await revisions.deployImage(app, { image: intent.image, commit: intent.commit ?? null, trigger: RevisionTrigger.WEBHOOK, triggeredBy })
            : await revisions.requestBuild(app, { commit: intent.commit ?? null, trigger: RevisionTrigger.WEBHOOK, triggeredBy });
        const body = acceptedBody(app, revision, webhooks.revisionUrl(app, revision.number));
        return { status: 202, body, outcome: DeliveryOutcome.ACCEPTED, message: null, revisionId: revision.id };
      }
    }
  }

  /** QUEUE_UNAVAILABLE after the revision was committed: the id of that revision. */
  function queuedLater(err: unknown): string | undefined {
    if (!(err instanceof KipperError) || err.code !== ErrorCode.QUEUE_UNAVAILABLE) return undefined;
    const id = err.details?.revisionId;
    return typeof id === 'string' ? id : undefined;
  }

  async function finishAccepted(req: Request, app: App, claimId: string | undefined, err: KipperError, revisionId: string, appKey: string): Promise<void> {
    const delivery = deliveryHeaders(req.headers);
    const recorded = {
      statusCode: httpStatusOf(err.code),
      outcome: DeliveryOutcome.ACCEPTED as const,
      message: err.message,
      revisionId,
      response: errorBody(err.code, err.message),
    };
    try {
      if (claimId !== undefined) await deliveries.complete(claimId, recorded);
      else await deliveries.record({ ...recorded, appId: app.id, source: delivery.source, event: delivery.event, deliveryKey: null });
    } catch (recordErr) {
      log(`webhook ${appKey}: could not record the delivery: ${explain(recordErr)}`);
    }
  }

  const checkContentType = (req: Request, res: Response, next: NextFunction) => {
    const type = mediaType(req.headers['content-type']);
    if (type === 'application/json') return next();
    if (type === 'application/x-www-form-urlencoded' && headerValue(req, 'x-github-event')) return next();
    if (type === 'application/x-www-form-urlencoded') {
      sendError(res, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'The body must be JSON: send -H "Content-Type: application/json" (curl -d alone sends a form)');
      return undefined;
    }
    sendError(res, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Content-Type must be application/json, got ${type ? `"${type}"` : 'none'}: send -H "Content-Type: application/json"`);
    return undefined;
  };

  // Reads the raw bytes (the GitHub signature is over exactly these); no decompression, so the
  // 1 MiB limit is on what was sent and nothing is signed that we did not receive.
  const readBody = express.raw({ type: () => true, limit: maxBodyBytes, inflate: false });

  // The URL's shape first: a name no app can have is refused before its body is read.
  const checkTarget = (req: Request, res: Response, next: NextFunction) => {
    const checked = target(req, res);
    if (!checked) return undefined;
    res.locals.webhookTarget = checked;
    return next();
  };

  router.post('/:namespace/:app', checkTarget, checkContentType, readBody, async (req: Request, res: Response) => {
    const webhookTarget = res.locals.webhookTarget as WebhookTarget;
    const { appKey } = webhookTarget;

    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let claimId: string | undefined;
    let authenticatedApp: App | undefined;
    try {
      const app = await authenticated(req, res, webhookTarget, { githubSignature: headerValue(req, 'x-hub-signature-256'), rawBody: raw });
      if (!app) return;
      authenticatedApp = app;

      const body = parseBody(raw, mediaType(req.headers['content-type']));
      const delivery = deliveryHeaders(req.headers);
      const key = deliveryKey(req.headers);
      if (key !== undefined) {
        const earlier = await deliveries.findByKey(app.id, key);
        if (earlier && earlier.outcome !== DeliveryOutcome.PENDING) {
          await replay(res, app, earlier);
          return;
        }
      }

      const intent = interpretDelivery(app, delivery, body);

      if (key !== undefined) {
        const claim = await deliveries.claim(app.id, key, delivery.source, delivery.event, duplicateWaitMs);
        if (!claim.won) {
          if (claim.delivery) await replay(res, app, claim.delivery);
          else sendError(res, ErrorCode.CONFLICT, 'A delivery with this key is still being handled: retry in a few seconds to get its answer');
          return;
        }
        claimId = claim.id;
      }

      const result = await execute(app, intent, delivery.source);
      const recorded = { statusCode: result.status, outcome: result.outcome, message: result.message, revisionId: result.revisionId, response: result.body };
      try {
        if (claimId !== undefined) await deliveries.complete(claimId, recorded);
        else await deliveries.record({ ...recorded, appId: app.id, source: delivery.source, event: delivery.event, deliveryKey: null });
      } catch (err) {
        // The revision is committed and queued: answer with it even if its delivery record failed.
        log(`webhook ${appKey}: could not record the delivery: ${err instanceof Error ? err.message : String(err)}`);
      }
      claimId = undefined;
      res.status(result.status).json(result.body);
    } catch (err) {
      const recordedRevisionId = queuedLater(err);
      if (recordedRevisionId !== undefined && authenticatedApp && err instanceof KipperError) {
        // The revision is committed and the sweeper will queue it: this delivery was accepted,
        // and a repeat must answer the same instead of creating a second revision.
        await finishAccepted(req, authenticatedApp, claimId, err, recordedRevisionId, appKey);
        claimId = undefined;
      }
      if (claimId !== undefined) {
        await deliveries.release(claimId).catch((releaseErr: unknown) => {
          log(`webhook ${appKey}: could not release a delivery key: ${releaseErr instanceof Error ? releaseErr.message : String(releaseErr)}`);
        });
      }
      sendFailure(res, err, appKey);
    }
  });

  router.get('/:namespace/:app/revisions/:number', async (req: Request, res: Response) => {
    const checked = target(req, res);
    if (!checked) return;
    const { appKey } = checked;
    try {
      const app = await authenticated(req, res, checked);
      if (!app) return;
      const number = String(req.params.number);
      if (!/^[1-9][0-9]{0,8}$/.test(number)) {
        sendError(res, ErrorCode.REVISION_NOT_FOUND, `"${number.slice(0, 20)}" is not a revision number: use the statusUrl the webhook answered with`);
        return;
      }
      res.status(200).json(await webhooks.revisionStatus(app, Number(number)));
    } catch (err) {
      sendFailure(res, err, appKey);
    }
  });

  // Failures of the body reader: too large, compressed, cut short.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as { type?: unknown } | null)?.type;
    if (res.headersSent) return next(err);
    switch (type) {
      case 'entity.too.large':
        return sendError(res, ErrorCode.PAYLOAD_TOO_LARGE, `The body is larger than ${Math.round(maxBodyBytes / 1024)} KiB: send only {"image": ..., "commit": ...}`);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendError(res, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the body as uncompressed UTF-8 JSON (no Content-Encoding)');
      case 'request.aborted':
      case 'request.size.invalid':
        return sendError(res, ErrorCode.MALFORMED_JSON, 'The body ended before its Content-Length: send the whole JSON body');
      default:
        return next(err);
    }
  });

  return router;
}
