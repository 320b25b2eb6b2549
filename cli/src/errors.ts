/** Exit codes of `kip`: 0 success, 1 a failed operation, 2 wrong usage. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The only error the CLI shows to users: a message in plain words and an exit code.
 * `code` is the API's `ErrorCode` (from `errors[0].extensions.code`) when the API answered one,
 * or a CLI code such as `UNREACHABLE`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failed,
    readonly code?: string,
  ) {
    super(message);
  }
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
  return new CliError(`App ${name} not found${place ? ` in ${place}` : ''}.`, 1, 'APP_NOT_FOUND');
}
