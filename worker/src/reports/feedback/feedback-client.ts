import type { FeedbackConnection, FeedbackStage } from '@kipper/core';
import type { RevisionReport } from '../reporter.js';

/** What one delivery knows: the connection, its token, the report. */
export interface FeedbackTarget {
  connection: FeedbackConnection;
  token: string;
  report: RevisionReport;
  /** The delivery's attempt (1 first): a retry looks for a deployment an earlier attempt may have created. */
  attempt: number;
}

/** What was reported so far of the revision; the client updates `deploymentId` the moment it has one, so a failure later keeps it. */
export interface FeedbackProgress {
  sha: string;
  deploymentId: string | null;
}

/** One provider's API, as the feedback reporter uses it. */
export interface FeedbackClient {
  /** The full SHA of the revision's commit (CI often sends a short one). */
  resolveSha(commit: string): Promise<string>;
  /** Reports one stage: the commit status and the deployment (created when needed). */
  report(stage: FeedbackStage, description: string, progress: FeedbackProgress): Promise<void>;
}

/**
 * A failure of a provider call. `permanent`: retrying cannot help (401, 403 without a rate
 * limit, 404, 422); otherwise BullMQ retries with backoff (5xx, 429, network, timeouts).
 */
export class FeedbackApiError extends Error {
  override name = 'FeedbackApiError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** How long one call to GitHub or GitLab may take. */
export const FEEDBACK_REQUEST_TIMEOUT_MS = 15_000;

/** `fetch` with a timeout, for both clients. */
export function timedFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(FEEDBACK_REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(FEEDBACK_REQUEST_TIMEOUT_MS);
  return fetch(input, { ...init, signal });
}

/** Whether an HTTP status means "try again later". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
