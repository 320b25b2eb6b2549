import type { introspection_types } from './graphql.js';

/** The api's stable error codes: the GraphQL enum `ErrorCode` of schema/schema.graphql. */
export type ApiErrorCode = introspection_types['ErrorCode']['enumValues'];

/**
 * Failures the api did not answer with a code: it could not be reached (`UNREACHABLE`), what
 * answered was not a GraphQL result (`BAD_RESPONSE`), the live-update socket closed for good
 * (`CONNECTION_CLOSED`).
 */
export type TransportErrorCode = 'UNREACHABLE' | 'BAD_RESPONSE' | 'CONNECTION_CLOSED';

export type ClientErrorCode = ApiErrorCode | TransportErrorCode;

/**
 * Every code of the enum, so that a code from the wire can be recognised. Typed as a record of
 * `ApiErrorCode`: when the schema gains or loses a code, this stops compiling.
 */
const apiErrorCodes: Record<ApiErrorCode, true> = {
  AMBIGUOUS_APP: true,
  APP_EXISTS: true,
  APP_NOT_FOUND: true,
  BUILD_NOT_FOUND: true,
  CLUSTER_ERROR: true,
  CLUSTER_UNAVAILABLE: true,
  CONFLICT: true,
  ENVIRONMENT_NOT_FOUND: true,
  FEEDBACK_NOT_CONNECTED: true,
  FORBIDDEN: true,
  INTERNAL: true,
  INVALID_IMAGE: true,
  MALFORMED_JSON: true,
  MEMBER_NOT_FOUND: true,
  NOTHING_TO_CANCEL: true,
  NOTHING_TO_PROMOTE: true,
  NOTIFICATION_CHANNEL_NOT_FOUND: true,
  NOT_PINNED: true,
  ENVIRONMENT_FROZEN: true,
  DIGEST_UNKNOWN: true,
  SELF_APPROVAL: true,
  NOT_AN_APPROVER: true,
  ALREADY_DECIDED: true,
  NOT_AWAITING_APPROVAL: true,
  NO_NEXT_ENVIRONMENT: true,
  NO_ROLLBACK_TARGET: true,
  PAYLOAD_TOO_LARGE: true,
  POD_NOT_FOUND: true,
  PROJECT_EXISTS: true,
  PROJECT_NOT_FOUND: true,
  QUERY_TOO_COMPLEX: true,
  QUEUE_UNAVAILABLE: true,
  RATE_LIMITED: true,
  REVISION_NOT_FOUND: true,
  ROUTE_NOT_FOUND: true,
  TOKEN_EXISTS: true,
  TOKEN_NOT_FOUND: true,
  UNAUTHENTICATED: true,
  UNSUPPORTED_MEDIA_TYPE: true,
  USER_EXISTS: true,
  USER_NOT_FOUND: true,
  VALIDATION_FAILED: true,
  WEBHOOK_SECRET_MISSING: true,
  WEBHOOK_TRUST_NOT_FOUND: true,
  WRONG_APP_SOURCE: true,
};

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(apiErrorCodes, value);
}

/** Codes GraphQL servers use for a request they could not parse or validate (Kipper answers VALIDATION_FAILED). */
const requestRejected = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/** A failed operation, from the api or on the way to it. The CLI and the console word it each their own way. */
export class KipperClientError extends Error {
  override readonly name = 'KipperClientError';
  /** The HTTP status, when there was an HTTP answer. */
  readonly status: number | undefined;
  /** How the live-update socket closed (CONNECTION_CLOSED, or UNAUTHENTICATED by 4401/4403). */
  readonly close: SocketClose | undefined;
  /** The server's X-Request-Id of the request that failed, when it answered one. */
  readonly requestId: string | undefined;

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    facts: { status?: number | undefined; close?: SocketClose; requestId?: string | undefined } = {},
  ) {
    super(message);
    this.status = facts.status;
    this.close = facts.close;
    this.requestId = facts.requestId;
  }
}

export interface SocketClose {
  code: number;
  reason: string;
}

interface GraphQLErrorLike {
  message?: unknown;
  extensions?: { code?: unknown };
}

/**
 * The one error decoder: the first GraphQL error's `extensions.code` and message. A code that
 * is not the api's (another server, a proxy) is INTERNAL; an HTTP 401 without one is
 * UNAUTHENTICATED.
 */
export function decodeGraphQLErrors(errors: readonly unknown[], status?: number, requestId?: string): KipperClientError {
  const first = (errors[0] ?? {}) as GraphQLErrorLike;
  const raw = first.extensions?.code;
  const code: ApiErrorCode = isApiErrorCode(raw)
    ? raw
    : typeof raw === 'string' && requestRejected.has(raw)
      ? 'VALIDATION_FAILED'
      : status === 401
        ? 'UNAUTHENTICATED'
        : 'INTERNAL';
  const message = typeof first.message === 'string' && first.message ? first.message : 'Kipper answered with an error and no message.';
  return new KipperClientError(code, message, { status, requestId });
}
