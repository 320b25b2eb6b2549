import { ErrorCode } from '@kipper/core';

/**
 * The HTTP status of every error code, in one place: the REST webhook shim answers with it,
 * and any other HTTP transport (or a GraphQL error formatter that wants a status) can reuse it.
 * A `Record` over the enum, so adding a code without a status fails to compile.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.VALIDATION_FAILED]: 422,
  [ErrorCode.QUERY_TOO_COMPLEX]: 400,
  [ErrorCode.INVALID_IMAGE]: 422,
  [ErrorCode.PROJECT_NOT_FOUND]: 404,
  [ErrorCode.ENVIRONMENT_NOT_FOUND]: 404,
  [ErrorCode.APP_NOT_FOUND]: 404,
  [ErrorCode.REVISION_NOT_FOUND]: 404,
  [ErrorCode.BUILD_NOT_FOUND]: 404,
  [ErrorCode.POD_NOT_FOUND]: 404,
  [ErrorCode.NOTIFICATION_CHANNEL_NOT_FOUND]: 404,
  [ErrorCode.ROUTE_NOT_FOUND]: 404,
  [ErrorCode.USER_NOT_FOUND]: 404,
  [ErrorCode.TOKEN_NOT_FOUND]: 404,
  [ErrorCode.MEMBER_NOT_FOUND]: 404,
  [ErrorCode.PROJECT_EXISTS]: 409,
  [ErrorCode.APP_EXISTS]: 409,
  [ErrorCode.USER_EXISTS]: 409,
  [ErrorCode.TOKEN_EXISTS]: 409,
  [ErrorCode.AMBIGUOUS_APP]: 409,
  [ErrorCode.NO_ROLLBACK_TARGET]: 409,
  [ErrorCode.NO_NEXT_ENVIRONMENT]: 409,
  [ErrorCode.NOTHING_TO_PROMOTE]: 409,
  [ErrorCode.WRONG_APP_SOURCE]: 409,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.MALFORMED_JSON]: 400,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.QUEUE_UNAVAILABLE]: 503,
  [ErrorCode.CLUSTER_UNAVAILABLE]: 503,
  [ErrorCode.CLUSTER_ERROR]: 502,
  [ErrorCode.NOTHING_TO_CANCEL]: 409,
  [ErrorCode.NOT_PINNED]: 409,
  [ErrorCode.WEBHOOK_SECRET_MISSING]: 401,
  [ErrorCode.FEEDBACK_NOT_CONNECTED]: 404,
  [ErrorCode.WEBHOOK_TRUST_NOT_FOUND]: 404,
  // 423 Locked: the environment is frozen; the body says why and until when nothing deploys.
  [ErrorCode.ENVIRONMENT_FROZEN]: 423,
  [ErrorCode.DIGEST_UNKNOWN]: 409,
  [ErrorCode.SELF_APPROVAL]: 403,
  [ErrorCode.NOT_AN_APPROVER]: 403,
  [ErrorCode.ALREADY_DECIDED]: 409,
  [ErrorCode.NOT_AWAITING_APPROVAL]: 409,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INTERNAL]: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}
