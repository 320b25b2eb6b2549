/** One line per event on stdout/stderr, prefixed so that interleaved process output stays readable. */
export interface Logger {
  info(message: string): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

export function createLogger(name = 'worker'): Logger {
  const line = (level: string, message: string, error?: unknown) =>
    `${new Date().toISOString()} ${name} ${level} ${message}${error === undefined ? '' : `: ${describeError(error)}`}\n`;
  return {
    info: (message) => process.stdout.write(line('info', message)),
    warn: (message, error) => process.stderr.write(line('warn', message, error)),
    error: (message, error) => process.stderr.write(line('error', message, error)),
  };
}
