import { ErrorCode, KipperError } from '@kipper/core';
import { ClusterError, isNotManaged, TRANSIENT_NETWORK_CODES } from '@kipper/kube';

/** The run was stopped from outside (SIGTERM, lost app lock): hand the job back, change nothing. */
export class HandBackError extends Error {
  override name = 'HandBackError';
}

/**
 * The app row is gone: deleted (AppService.delete) while this worker held its lock. The run
 * removes what it may have created in the cluster and ends without error.
 */
export class AppGoneError extends KipperError {
  constructor(message: string) {
    super(ErrorCode.APP_NOT_FOUND, message);
    this.name = 'AppGoneError';
  }
}

/**
 * The worker's own check found the app gone, or core did (a transition or a new revision of an
 * app deleted meanwhile is APP_NOT_FOUND): within a run, both mean the app was deleted.
 */
export function isAppGone(error: unknown): boolean {
  return error instanceof KipperError && error.code === ErrorCode.APP_NOT_FOUND;
}

// The network codes are the cluster client's; the database adds its own.
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  ...TRANSIENT_NETWORK_CODES,
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, connection exceptions,
  // serialization failure, deadlock
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '40001',
  '40P01',
]);

function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown; driverError?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Failures that say nothing about the revision, only about the moment: the cluster or the
 * database is unreachable, an optimistic-concurrency conflict. The job is retried later and the
 * revision keeps its status; anything else fails the revision with the message.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof ClusterError) {
    // An object Kipper did not create is in the way: waiting does not change that.
    if (isNotManaged(error)) return false;
    return error.code === 'CLUSTER_UNREACHABLE' || error.code === 'CLUSTER_CONFLICT';
  }
  const code = codeOf(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return error instanceof Error && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message);
}
