import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { fromClusterError, ErrorCode, KipperError } from '@kipper/core';

const CLIENT_ERROR_CODES: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: ErrorCode.VALIDATION_FAILED,
  GRAPHQL_VALIDATION_FAILED: ErrorCode.VALIDATION_FAILED,
  BAD_USER_INPUT: ErrorCode.VALIDATION_FAILED,
  BAD_REQUEST: ErrorCode.VALIDATION_FAILED,
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.VALIDATION_FAILED,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.VALIDATION_FAILED,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.VALIDATION_FAILED,
  UNAUTHENTICATED: ErrorCode.UNAUTHENTICATED,
};

const ERROR_CODES = new Set<unknown>(Object.values(ErrorCode));
const isErrorCode = (code: unknown): code is ErrorCode => ERROR_CODES.has(code);

/** Refusals of the transport layer itself (no or a wrong token). */
export function unauthenticated(): GraphQLError {
  return new GraphQLError('Missing or wrong API token: send "Authorization: Bearer <token>" (kip login --token …)', {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}

/**
 * The one error formatter (HTTP and WebSocket): a KipperError keeps its code, message and
 * details; a ClusterError becomes CLUSTER_UNAVAILABLE / CLUSTER_ERROR; GraphQL's own input
 * errors become VALIDATION_FAILED; anything else is INTERNAL with a generic message (the
 * original goes to `report`, never to the client).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, report?: (err: unknown) => void): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  const kipper = original instanceof KipperError ? original : fromClusterError(original);
  if (kipper) {
    return { ...base, message: kipper.message, extensions: { code: kipper.code, ...(kipper.details ? { details: kipper.details } : {}) } };
  }
  if (original instanceof ArgumentValidationError) {
    const messages = original.extensions.validationErrors.flatMap((e) => Object.values(e.constraints ?? {}));
    return { ...base, message: messages.join('; ') || original.message, extensions: { code: ErrorCode.VALIDATION_FAILED } };
  }
  const code = formatted.extensions?.code;
  // Refusals the transport raises itself with a Kipper code (cost budget, subscription over HTTP).
  if (error instanceof GraphQLError && !error.originalError && isErrorCode(code)) {
    const details = formatted.extensions?.details;
    return { ...base, extensions: { code, ...(details ? { details } : {}) } };
  }
  if (typeof code === 'string' && code in CLIENT_ERROR_CODES) {
    return { ...base, extensions: { code: CLIENT_ERROR_CODES[code] } };
  }
  // Not thrown by a resolver but by GraphQL validation or variable coercion (whose original error is GraphQL's own).
  if (error instanceof GraphQLError && !formatted.path && (!error.originalError || error.originalError instanceof GraphQLError)) {
    return { ...base, extensions: { code: ErrorCode.VALIDATION_FAILED } };
  }
  report?.(original);
  return { ...base, message: 'Internal error: the request could not be completed (the server log has the details)', extensions: { code: ErrorCode.INTERNAL } };
}
