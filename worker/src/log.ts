import { withError, type Logger } from '@kipper/core';

/** One timestamped line per event on stdout/stderr, so that interleaved process output stays readable. */
export function createLogger(name = 'worker'): Logger {
  const line = (level: string, message: string) => `${new Date().toISOString()} ${name} ${level} ${message}\n`;
  return {
    info: (message) => process.stdout.write(line('info', message)),
    warn: (message, error) => process.stderr.write(line('warn', withError(message, error))),
    error: (message, error) => process.stderr.write(line('error', withError(message, error))),
  };
}
