import type { introspection_types } from '@kipper/schema/graphql-env';

/** The api's stable error codes (GraphQL enum `ErrorCode`), plus two of the console's own. */
export type ErrorCode = introspection_types['ErrorCode']['enumValues'];
export type ConsoleErrorCode = ErrorCode | 'NETWORK' | 'UNKNOWN';

/** A failure of a GraphQL operation: the first error's code and message. */
export class ApiError extends Error {
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the console shows where something failed. */
export interface UserError {
  code: ConsoleErrorCode;
  message: string;
  hint?: string;
}

const hints: Partial<Record<ConsoleErrorCode, string>> = {
  UNAUTHENTICATED: 'Sign in again with a valid API token.',
  RATE_LIMITED: 'Too many requests: wait a moment and try again.',
  QUEUE_UNAVAILABLE: 'The deploy queue is unavailable; nothing was changed. Try again shortly.',
  CLUSTER_UNAVAILABLE: 'The Kubernetes cluster cannot be reached right now. Try again shortly.',
  CLUSTER_ERROR: 'Kubernetes refused the change; see the message above.',
  CONFLICT: 'Someone else changed this at the same time. Reload and try again.',
  INTERNAL: 'Something went wrong in Kipper. Try again; if it keeps failing, check the api logs.',
  NETWORK: 'Check your connection; Kipper could not be reached.',
  NO_ROLLBACK_TARGET: 'There is no earlier live revision with a different image to go back to.',
  NO_NEXT_ENVIRONMENT: 'This is the last environment of the pipeline.',
  NOTHING_TO_PROMOTE: 'The app has no live revision to promote yet.',
};

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
  if (error instanceof ApiError) {
    const hint = hints[error.code];
    return hint ? { code: error.code, message: error.message, hint } : { code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'UNKNOWN', message: message || 'Something went wrong.' };
}

const codes = new Set<string>([
  'UNAUTHENTICATED', 'VALIDATION_FAILED', 'INVALID_IMAGE', 'PROJECT_NOT_FOUND',
  'ENVIRONMENT_NOT_FOUND', 'APP_NOT_FOUND', 'REVISION_NOT_FOUND', 'BUILD_NOT_FOUND',
  'PROJECT_EXISTS', 'APP_EXISTS', 'AMBIGUOUS_APP', 'NO_ROLLBACK_TARGET', 'NO_NEXT_ENVIRONMENT',
  'NOTHING_TO_PROMOTE', 'WRONG_APP_SOURCE', 'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE', 'MALFORMED_JSON', 'RATE_LIMITED', 'QUEUE_UNAVAILABLE',
  'CLUSTER_UNAVAILABLE', 'CLUSTER_ERROR', 'CONFLICT', 'INTERNAL',
] satisfies ErrorCode[]);

interface GraphQLErrorLike {
  message?: unknown;
  extensions?: { code?: unknown };
}

/** Builds an ApiError from a GraphQL `errors` array (HTTP or WebSocket). */
export function fromGraphQLErrors(errors: readonly GraphQLErrorLike[] | undefined, status?: number): ApiError {
  const first = errors?.[0];
  const raw = typeof first?.extensions?.code === 'string' ? first.extensions.code : undefined;
  let code: ConsoleErrorCode = raw && codes.has(raw) ? (raw as ErrorCode) : 'UNKNOWN';
  if (code === 'UNKNOWN' && status === 401) code = 'UNAUTHENTICATED';
  // Apollo's own codes for invalid documents and variables.
  if (code === 'UNKNOWN' && (raw === 'GRAPHQL_VALIDATION_FAILED' || raw === 'BAD_USER_INPUT')) code = 'VALIDATION_FAILED';
  const message = typeof first?.message === 'string' && first.message ? first.message : status ? `The api answered ${status}.` : 'Unknown error.';
  return new ApiError(code, message);
}
