/**
 * Where a Kipper process writes what it has to say: the api and the worker (structured JSON
 * lines, `createLogger` in logging/json-logger.ts), or a test's collector. `error` arguments
 * are described with describeError. Never given a secret: no token, password, cookie or
 * Authorization header (the one-time admin token is shown by api/src/main.ts, not logged).
 */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, error?: unknown, fields?: LogFields): void;
  error(message: string, error?: unknown, fields?: LogFields): void;
  /** A logger whose every line carries `fields` too (JSON loggers); see logWith for any Logger. */
  child?(fields: LogFields): Logger;
}

/** What a line may say besides its message: where it happened, for operators' searches. */
export interface LogFields {
  component?: string;
  project?: string;
  /** `namespace/app`, as webhook URLs and rate limits name an app. */
  app?: string;
  revision?: number;
  [key: string]: string | number | boolean | null | undefined;
}

/** `log` with `fields` on every line: its own child when it has one, else the fields added to each call. */
export function logWith(log: Logger, fields: LogFields): Logger {
  if (log.child) return log.child(fields);
  return {
    info: (message, more) => log.info(message, { ...fields, ...more }),
    warn: (message, error, more) => log.warn(message, error, { ...fields, ...more }),
    error: (message, error, more) => log.error(message, error, { ...fields, ...more }),
  };
}

export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message, error) => console.warn(withError(message, error)),
  error: (message, error) => console.error(withError(message, error)),
};

/** `message: Name: reason` when there is an error to add, else the message. */
export function withError(message: string, error?: unknown): string {
  return error === undefined ? message : `${message}: ${describeError(error, { stack: false })}`;
}

/**
 * Kipper's one error-to-text helper. With the stack (the default) for internal errors whose
 * origin matters; `{ stack: false }` gives one line, `Name: message` (a plain Error is just its
 * message), for log lines that must stay one line.
 */
export function describeError(error: unknown, options: { stack?: boolean } = {}): string {
  if (!(error instanceof Error)) return String(error);
  if (options.stack !== false && error.stack) return error.stack;
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}
