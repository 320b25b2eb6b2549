/**
 * Where a Kipper process writes what it has to say: the api (consoleLogger, or a test's
 * collector) and the worker (timestamped lines); `error` arguments are described with
 * describeError. Never given a secret, except the one-time admin token that the api prints at
 * its first start.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
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
