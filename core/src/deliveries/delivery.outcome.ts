import { fromClusterError } from '../errors/cluster-errors.js';
import { ErrorCode } from '../errors/error-code.js';
import { KipperError } from '../errors/kipper-error.js';
import type { Revision } from '../revisions/revision.entity.js';

/** The revision an accepted delivery created, as its answer shows it. */
export type AcceptedRevision = Pick<Revision, 'number' | 'status' | 'image' | 'commit'>;

/**
 * What handling one webhook delivery came to, free of any transport: the REST shim turns it
 * into a status and a JSON body.
 */
export type WebhookOutcome =
  /**
   * The revision is committed and its job queued; `statusUrl` is where CI polls it. A revision
   * held while the app is pinned has no job yet: `message` says why and how to deploy it.
   */
  | { kind: 'accepted'; app: string; revision: AcceptedRevision; statusUrl: string; message?: string }
  /** The image is the one the app already runs (its newest revision, live): nothing is deployed. */
  | { kind: 'already-live'; app: string; revision: AcceptedRevision; statusUrl: string }
  /** GitHub's ping when a webhook is created. */
  | { kind: 'ping' }
  /** A provider event that asks for nothing here (another branch, a tag, another event, …). */
  | { kind: 'ignored'; reason: string }
  /** The key was answered before: that answer again. */
  | { kind: 'replayed'; response: RecordedResponse }
  /** Refused, or failed: `cause` is the error behind it, for the log only. */
  | { kind: 'refused'; code: ErrorCode; message: string; cause?: unknown };

export type Refusal = Extract<WebhookOutcome, { kind: 'refused' }>;
/** The outcomes a transport answers itself; a replay answers what was recorded. */
export type FreshOutcome = Exclude<WebhookOutcome, { kind: 'replayed' }>;

/** A transport's answer, recorded with the delivery so that a repeat gets the very same one. */
export interface RecordedResponse {
  statusCode: number;
  body: unknown;
}

/** How the transport answers an outcome (the REST shim: an HTTP status and a JSON body). */
export type Respond = (outcome: FreshOutcome) => RecordedResponse;

/** Any error as a refusal: a KipperError or a cluster error keeps its code and message; anything else is INTERNAL. */
export function refusalOf(err: unknown): Refusal {
  const known = err instanceof KipperError ? err : fromClusterError(err);
  if (known) return { kind: 'refused', code: known.code, message: known.message, cause: err };
  return { kind: 'refused', code: ErrorCode.INTERNAL, message: 'Kipper could not handle this delivery', cause: err };
}
