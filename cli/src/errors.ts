import type { ClientErrorCode, RevisionStatus } from '@kipper/client';

/** Exit codes of `kip`: 0 success, 1 a failed operation, 2 wrong usage. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * What `--output json` prints as `error.code`: the API's `ErrorCode` (from the schema), the
 * client's own (`UNREACHABLE`, `BAD_RESPONSE`), and the CLI's.
 */
export type CliErrorCode =
  | ClientErrorCode
  | 'USAGE'
  | 'NO_REVISION'
  | 'BUILD_FAILED'
  | 'BUILD_CANCELLED'
  | 'BUILD_SUPERSEDED'
  | 'WAIT_TIMEOUT'
  | `REVISION_${RevisionStatus}`;

/** The only error the CLI shows to users: a message in plain words and an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failed,
    readonly code?: CliErrorCode,
  ) {
    super(message);
  }
}

/** A message with the server's request id, so an operator can find the request's log lines: `… (request id: 4f2c…)`. */
export function withRequestId(message: string, requestId: string | undefined): string {
  return requestId ? `${message.replace(/\.?$/, '')} (request id: ${requestId}).` : message;
}

/** Wrong usage: bad or missing arguments, a refused confirmation in a non-interactive run. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage, 'USAGE');
  }
}

/** An app the API does not know, named the way the user named it. */
export function appNotFound(name: string, where: { project?: string; environment?: string; namespace?: string }): CliError {
  const place = where.namespace ?? [where.project, where.environment].filter(Boolean).join('/');
  return new CliError(`App ${name} not found${place ? ` in ${place}` : ''}.`, ExitCode.Failed, 'APP_NOT_FOUND');
}
