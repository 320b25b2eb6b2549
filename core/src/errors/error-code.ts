/**
 * Every failure a user can meet has one of these codes. They are stable: the REST shim
 * returns them in `error.code`, GraphQL in `extensions.code` (and as the `ErrorCode` enum
 * in the SDL), and the CLI and console key their messages and exit codes on them.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  INVALID_IMAGE = 'INVALID_IMAGE',
  PROJECT_NOT_FOUND = 'PROJECT_NOT_FOUND',
  ENVIRONMENT_NOT_FOUND = 'ENVIRONMENT_NOT_FOUND',
  APP_NOT_FOUND = 'APP_NOT_FOUND',
  REVISION_NOT_FOUND = 'REVISION_NOT_FOUND',
  BUILD_NOT_FOUND = 'BUILD_NOT_FOUND',
  /** `kip app logs --pod NAME` with a name that is not one of the app's pods. */
  POD_NOT_FOUND = 'POD_NOT_FOUND',
  NOTIFICATION_CHANNEL_NOT_FOUND = 'NOTIFICATION_CHANNEL_NOT_FOUND',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  TOKEN_NOT_FOUND = 'TOKEN_NOT_FOUND',
  MEMBER_NOT_FOUND = 'MEMBER_NOT_FOUND',
  PROJECT_EXISTS = 'PROJECT_EXISTS',
  APP_EXISTS = 'APP_EXISTS',
  USER_EXISTS = 'USER_EXISTS',
  TOKEN_EXISTS = 'TOKEN_EXISTS',
  AMBIGUOUS_APP = 'AMBIGUOUS_APP',
  NO_ROLLBACK_TARGET = 'NO_ROLLBACK_TARGET',
  NO_NEXT_ENVIRONMENT = 'NO_NEXT_ENVIRONMENT',
  NOTHING_TO_PROMOTE = 'NOTHING_TO_PROMOTE',
  WRONG_APP_SOURCE = 'WRONG_APP_SOURCE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  MALFORMED_JSON = 'MALFORMED_JSON',
  RATE_LIMITED = 'RATE_LIMITED',
  QUEUE_UNAVAILABLE = 'QUEUE_UNAVAILABLE',
  CLUSTER_UNAVAILABLE = 'CLUSTER_UNAVAILABLE',
  CLUSTER_ERROR = 'CLUSTER_ERROR',
  NOTHING_TO_CANCEL = 'NOTHING_TO_CANCEL',
  NOT_PINNED = 'NOT_PINNED',
  WEBHOOK_SECRET_MISSING = 'WEBHOOK_SECRET_MISSING',
  /** `kip app feedback off` for a provider the app is not connected to. */
  FEEDBACK_NOT_CONNECTED = 'FEEDBACK_NOT_CONNECTED',
  /** `kip app webhook untrust` of a CI identity the app does not trust. */
  WEBHOOK_TRUST_NOT_FOUND = 'WEBHOOK_TRUST_NOT_FOUND',
  /** A deploy into an environment frozen by `kip project environment set P ENV --freeze REASON` (only an admin's rollback passes). */
  ENVIRONMENT_FROZEN = 'ENVIRONMENT_FROZEN',
  /** Promotion of a revision whose running digest was never recorded (it never went live, or went live before digests were read). */
  DIGEST_UNKNOWN = 'DIGEST_UNKNOWN',
  /** The person who requested a deploy cannot approve it. */
  SELF_APPROVAL = 'SELF_APPROVAL',
  /** The caller is not among the environment's approvers. */
  NOT_AN_APPROVER = 'NOT_AN_APPROVER',
  /** The caller already approved or rejected this revision: each person counts once. */
  ALREADY_DECIDED = 'ALREADY_DECIDED',
  /** Approve or reject of a revision that is not awaiting approval (any more). */
  NOT_AWAITING_APPROVAL = 'NOT_AWAITING_APPROVAL',
  CONFLICT = 'CONFLICT',
  INTERNAL = 'INTERNAL',
}
