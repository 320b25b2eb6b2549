import express, { type Router } from 'express';
import { DeliveryHandler, ErrorCode, refusalOf, type CiIdentityService, type DeliveryRevisions, type DeliveryService, type WebhookOutcome, type WebhookService } from '@kipper/core';
import { bodyReadErrors, checkContentType, MAX_BODY_BYTES, rawBodyOf, readRawBody } from './webhook.body.js';
import { WebhookGate, type GateLimits, type WebhookTarget } from './webhook.gate.js';
import { deliveryHeaders, headerValue, parseDelivery, revisionNumberOf } from './webhook.request.js';
import { httpResponseOf, sendOutcome } from './webhook.responses.js';

export interface WebhookRouterDeps {
  webhooks: WebhookService;
  deliveries: DeliveryService;
  revisions: DeliveryRevisions;
  /** Keyless CI: bearer OIDC tokens checked against the app's trusts; without it they are ignored. */
  ciIdentities?: CiIdentityService;
}

export interface WebhookRouterOptions extends GateLimits {
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How long a repeated delivery waits for the first one, still running, to answer. Default 10 s. */
  duplicateWaitMs?: number;
  /** Where unexpected failures are reported (never with a token). Default console.error. */
  log?: (message: string) => void;
}

/**
 * The REST shim CI and git providers call: `POST /api/v1/webhook/{namespace}/{app}` and
 * `GET /api/v1/webhook/{namespace}/{app}/revisions/{number}`. Transport only: the gate checks
 * the URL, the credentials and the rate limits; the core's DeliveryHandler does the rest
 * (de-duplication, validation, deploy) and says what came of it. Mount it before any global
 * body parser: the GitHub signature is checked over the raw bytes.
 */
export function createWebhookRouter(deps: WebhookRouterDeps, options: WebhookRouterOptions = {}): Router {
  const log = options.log ?? ((message: string) => console.error(message));
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const gate = new WebhookGate(deps.webhooks, options, log, deps.ciIdentities);
  const handler = new DeliveryHandler({ ...deps, respond: httpResponseOf, duplicateWaitMs: options.duplicateWaitMs, log });
  const logFor = (target: WebhookTarget) => (details: string) => log(`webhook ${target.appKey}: ${details}`);
  const router = express.Router();

  // The URL's shape first, so a name no app can have is refused before its body is read.
  router.post('/:namespace/:app', gate.checkTarget, checkContentType, readRawBody(maxBodyBytes), async (req, res) => {
    const target = gate.targetOf(res);
    const raw = rawBodyOf(req);
    const admitted = await gate.admit(req, res, target, { githubSignature: headerValue(req.headers, 'x-hub-signature-256'), rawBody: raw });
    if (!admitted) return;
    let outcome: WebhookOutcome;
    try {
      outcome = admitted.secretMissing
        ? await handler.refuseUnverifiable(admitted.app, deliveryHeaders(req.headers))
        : await handler.handle({ ...parseDelivery(admitted.app, req.headers, raw), ci: admitted.ci });
    } catch (err) {
      outcome = refusalOf(err); // a body or key that cannot be read (handle() itself never throws)
    }
    if (admitted.ci && outcome.kind === 'refused' && outcome.code === ErrorCode.UNAUTHENTICATED) {
      // Its jti deployed meanwhile (a token racing itself): a failed authentication like any other.
      logFor(target)(`keyless CI token refused, answered 401: ${outcome.message}`);
      await gate.refuseUnauthenticated(req, res, target.appKey);
      return;
    }
    sendOutcome(res, outcome, logFor(target));
  });

  router.get('/:namespace/:app/revisions/:number', async (req, res) => {
    const target = gate.target(req, res);
    if (!target) return;
    const admitted = await gate.admit(req, res, target);
    if (!admitted) return;
    try {
      res.status(200).json(await deps.webhooks.revisionStatus(admitted.app, revisionNumberOf(String(req.params.number))));
    } catch (err) {
      sendOutcome(res, refusalOf(err), logFor(target));
    }
  });

  router.use(bodyReadErrors(maxBodyBytes));
  return router;
}
