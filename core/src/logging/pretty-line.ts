/** Fields shown in the line's head, not repeated as `key=value`. */
const HEAD = new Set(['level', 'time', 'component', 'msg', 'pid', 'hostname']);

/**
 * One JSON log line as a person reads it on a terminal:
 * `10:00:00.123 info  api [req 4f2c…] message app=shop-test/api`. A line that is not JSON is
 * passed through. Kept small on purpose (pino-pretty brings a worker thread and a dozen packages).
 */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = String(record.level ?? '').padEnd(5);
  const request = typeof record.requestId === 'string' ? ` [req ${record.requestId}]` : '';
  const rest = Object.entries(record)
    .filter(([key]) => !HEAD.has(key) && key !== 'requestId' && key !== 'error')
    .map(([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('');
  const error = typeof record.error === 'string' ? `\n  ${record.error.replace(/\n/g, '\n  ')}` : '';
  return `${time} ${level} ${String(record.component ?? '')}${request} ${String(record.msg ?? '')}${rest}${error}\n`;
}
