import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { currentRequestScope } from '../audit/request-scope.js';
import { describeError, type LogFields, type Logger } from '../logger.js';
import { prettyLine } from './pretty-line.js';

/** `json`: one JSON object per line (for log collectors); `pretty`: short readable lines (a person at a terminal); `auto`: pretty on a terminal. */
export type LogFormat = 'json' | 'pretty' | 'auto';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty', 'auto'];
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface JsonLoggerOptions {
  /** Which part of Kipper speaks: `api`, `worker`, `reconciler`, … (a field on every line). */
  component: string;
  format?: LogFormat;
  level?: LogLevel;
  /** Where lines go; default stdout. `auto` asks whether this stream is a terminal. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Field names that never reach a line, whatever a caller passes: the redaction is the last
 * guard, callers are expected not to pass secrets at all.
 */
const SECRET_FIELDS = ['authorization', 'cookie', 'token', 'password', 'secret', 'signature'];
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/**
 * Kipper's Logger on pino: `{"level":"info","time":"…","component":"api","requestId":"…",
 * "app":"shop-test/api","msg":"…"}`, one line each. The request id comes from the request
 * scope the api opens for every HTTP request, so every line a request causes carries it.
 */
export function createLogger(options: JsonLoggerOptions): Logger {
  const out = options.destination ?? process.stdout;
  const pretty = options.format === 'pretty' || (options.format !== 'json' && out.isTTY === true);
  const destination: DestinationStream = pretty ? { write: (line: string) => void out.write(prettyLine(line)) } : { write: (line: string) => void out.write(line) };
  const base = pino(
    {
      level: options.level ?? 'info',
      base: { component: options.component },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: SECRET_FIELDS, censor: '[redacted]' },
      mixin: () => {
        const scope = currentRequestScope();
        return scope ? { requestId: scope.requestId } : {};
      },
    },
    destination,
  );
  return wrap(base);
}

function wrap(log: Pino): Logger {
  const line = (level: 'info' | 'warn' | 'error', message: string, error: unknown, fields: LogFields | undefined) => {
    const record: Record<string, unknown> = { ...fields };
    if (error !== undefined) record.error = describeError(error).replace(BEARER, '$1 [redacted]');
    log[level](record, message.replace(BEARER, '$1 [redacted]'));
  };
  return {
    info: (message, fields) => line('info', message, undefined, fields),
    warn: (message, error, fields) => line('warn', message, error, fields),
    error: (message, error, fields) => line('error', message, error, fields),
    child: (fields) => wrap(log.child(fields)),
  };
}
