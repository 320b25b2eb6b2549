import type { Response } from 'express';
import { describeError, ErrorCode, type FreshOutcome, type RecordedResponse, type Refusal, type WebhookOutcome } from '@kipper/core';
import { httpStatusOf } from './http-status.js';

/** How the REST shim answers: outcomes of the core's DeliveryHandler and its own refusals, as HTTP. */

export const UNAUTHENTICATED_MESSAGE =
  'Missing or invalid webhook token for this URL: send the app\'s token in X-Kipper-Token (GitLab: as the webhook\'s secret token; GitHub: as the webhook secret, which signs X-Hub-Signature-256). `kip app webhook status <app>` shows the URL and token.';

/** What is answered for failures whose own message may carry internals (cluster addresses, driver text); the log has the details. */
const FIXED_MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.CLUSTER_UNAVAILABLE]: 'The Kubernetes API is not reachable right now: retry in a moment (the api log has the details)',
  [ErrorCode.CLUSTER_ERROR]: 'Kubernetes refused a change Kipper needed for this webhook (the api log has the details)',
  [ErrorCode.INTERNAL]: 'Kipper could not handle this webhook (the api log has the details): retry in a moment',
};

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

/** The HTTP answer to an outcome; the DeliveryHandler records it, so a repeat gets the same. */
export function httpResponseOf(outcome: FreshOutcome): RecordedResponse {
  switch (outcome.kind) {
    case 'accepted':
      // A held revision (the app is pinned): still 202, the delivery is recorded; `message` says why nothing deploys.
      return {
        statusCode: 202,
        body: { revision: outcome.revision, app: outcome.app, statusUrl: outcome.statusUrl, ...(outcome.message !== undefined ? { message: outcome.message } : {}) },
      };
    case 'already-live':
      return {
        statusCode: 200,
        body: { outcome: 'already-live', message: `${outcome.revision.image ?? 'The image'} is already live: nothing to deploy`, revision: outcome.revision, app: outcome.app, statusUrl: outcome.statusUrl },
      };
    case 'ping':
      return { statusCode: 200, body: { ok: true, event: 'ping' } };
    case 'ignored':
      return { statusCode: 200, body: { ignored: outcome.reason } };
    case 'refused':
      return { statusCode: httpStatusOf(outcome.code), body: errorBody(outcome.code, FIXED_MESSAGES[outcome.code] ?? outcome.message) };
  }
}

/**
 * Sends an outcome. A refusal keeps its code and status, and its message unless that may carry
 * internals (cluster, internal): those answer a fixed message and their details go to the log.
 */
export function sendOutcome(res: Response, outcome: WebhookOutcome, logDetails: (details: string) => void): void {
  res.locals.webhookOutcome = outcome.kind; // for the webhook metrics
  if (outcome.kind === 'replayed') {
    res.setHeader('Idempotent-Replayed', 'true');
    res.status(outcome.response.statusCode).json(outcome.response.body);
    return;
  }
  if (outcome.kind === 'refused' && FIXED_MESSAGES[outcome.code] !== undefined) logDetails(detailsOf(outcome));
  const { statusCode, body } = httpResponseOf(outcome);
  res.status(statusCode).json(body);
}

function detailsOf(refusal: Refusal): string {
  return refusal.cause === undefined ? `${refusal.code}: ${refusal.message}` : describeError(refusal.cause);
}

export function sendError(res: Response, code: ErrorCode, message: string): void {
  res.status(httpStatusOf(code)).json(errorBody(code, message));
}

export function sendRateLimited(res: Response, retryAfterSeconds: number, what: string): void {
  res.setHeader('Retry-After', String(retryAfterSeconds));
  sendError(res, ErrorCode.RATE_LIMITED, `Too many requests ${what}: retry in ${retryAfterSeconds} s`);
}
