import { KipperClientError, type ClientErrorCode } from '@kipper/client';

/** The api's codes (the schema's `ErrorCode`), the client's, and `UNKNOWN` for anything else thrown. */
export type ConsoleErrorCode = ClientErrorCode | 'UNKNOWN';

/** What the console shows where something failed. */
export interface UserError {
  code: ConsoleErrorCode;
  message: string;
  hint?: string;
}

const hints: Partial<Record<ConsoleErrorCode, string>> = {
  UNAUTHENTICATED: 'Your session ended or the token was refused: sign in again.',
  RATE_LIMITED: 'Too many requests: wait a moment and try again.',
  QUEUE_UNAVAILABLE: 'The deploy queue is unavailable; nothing was changed. Try again shortly.',
  CLUSTER_UNAVAILABLE: 'The Kubernetes cluster cannot be reached right now. Try again shortly.',
  CLUSTER_ERROR: 'Kubernetes refused the change; see the message above.',
  CONFLICT: 'Someone else changed this at the same time. Reload and try again.',
  INTERNAL: 'Something went wrong in Kipper. Try again; if it keeps failing, check the api logs.',
  UNREACHABLE: 'Check your connection; Kipper could not be reached.',
  CONNECTION_CLOSED: 'Reload the page to try again.',
  NO_ROLLBACK_TARGET: 'There is no earlier live revision with a different image to go back to.',
  NO_NEXT_ENVIRONMENT: 'This is the last environment of the pipeline.',
  NOTHING_TO_PROMOTE: 'The app has no live revision to promote yet.',
  NOTHING_TO_CANCEL: 'Nothing is queued, building or rolling out any more: it finished or was stopped meanwhile.',
  ENVIRONMENT_FROZEN: 'The environment is frozen: nothing deploys there until it is unfrozen (an admin may still roll back).',
  DIGEST_UNKNOWN: 'The source revision has no recorded digest: deploy it again in the source environment, then promote.',
  SELF_APPROVAL: 'You requested this deploy: someone else has to approve it.',
  NOT_AN_APPROVER: 'You are not among the approvers of this environment.',
  ALREADY_DECIDED: 'You already decided on this revision: each person counts once.',
  NOT_AWAITING_APPROVAL: 'The revision is no longer awaiting approval (decided, or replaced by a newer one).',
  NOT_PINNED: 'The app is not pinned any more (unpinned, or a deploy replaced the pin); nothing was changed.',
  FEEDBACK_NOT_CONNECTED: 'That provider is not connected to this app; nothing was changed.',
  WEBHOOK_SECRET_MISSING: 'Issue a new webhook token (Webhook tab, or kip app webhook enable) to restore it.',
};

/** The console's words where the client's are meant for logs (no answer, not GraphQL, socket closed). */
function message(error: KipperClientError): string {
  switch (error.code) {
    case 'UNREACHABLE':
      return 'Kipper could not be reached.';
    case 'BAD_RESPONSE':
      return `The api answered ${error.status ?? 'something that is not GraphQL'}.`;
    case 'CONNECTION_CLOSED': {
      const close = error.close;
      return close ? `Live updates stopped (${close.code}${close.reason ? `: ${close.reason}` : ''}).` : 'Live updates stopped.';
    }
    default:
      return error.message;
  }
}

const listeners = new Set<(error: UserError) => void>();

/** Called for every error that means the session is over (a refused token). */
export function onUnauthenticated(listener: (error: UserError) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The console's one error handler: turns anything thrown by an operation into a message
 * for the place where it happened. A refused token also ends the session.
 */
export function handleError(error: unknown, options: { signOutOnAuth?: boolean } = {}): UserError {
  const userError = toUserError(error);
  if (userError.code === 'UNAUTHENTICATED' && options.signOutOnAuth !== false) {
    for (const listener of listeners) listener(userError);
  }
  return userError;
}

export function toUserError(error: unknown): UserError {
  if (error instanceof KipperClientError) {
    const hint = hints[error.code];
    return { code: error.code, message: message(error), ...(hint ? { hint } : {}) };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { code: 'UNKNOWN', message: text || 'Something went wrong.' };
}
