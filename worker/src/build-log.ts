import type { DataSource } from 'typeorm';
import type { Logger } from '@kipper/core';
import type { DeployEvents } from './ports.js';

/** Longest line kept (UTF-8 bytes, truncation marker included). */
export const MAX_LINE_BYTES = 4096;
/** Most lines `build.log` keeps (the marker line included): the newest ones. */
export const MAX_STORED_LINES = 5000;

const DROPPED_MARKER = /^\[kipper\] ([0-9]{1,15}) earlier lines? dropped \(the log keeps the newest [0-9]+\)$/;
/** The same pattern for PostgreSQL's substring(... from ...). */
const DROPPED_MARKER_SQL = '^\\[kipper\\] ([0-9]{1,15}) earlier lines? dropped \\(the log keeps the newest [0-9]+\\)$';

export function droppedMarker(dropped: number, max = MAX_STORED_LINES): string {
  return `[kipper] ${dropped} earlier ${dropped === 1 ? 'line' : 'lines'} dropped (the log keeps the newest ${max})`;
}

/**
 * How many lines of the build's output a stored log stands for: its lines, plus the ones its
 * leading marker says were dropped. A follower that resumes skips this many.
 */
export function linesSeen(log: readonly string[]): number {
  const dropped = log.length > 0 ? DROPPED_MARKER.exec(log[0]!) : null;
  return dropped ? log.length - 1 + Number(dropped[1]) : log.length;
}

/**
 * A line as stored and published: at most MAX_LINE_BYTES of UTF-8 (longer ones are cut, with a
 * marker saying how much went), NUL characters (which PostgreSQL text refuses) replaced.
 */
export function capLine(line: string, maxBytes = MAX_LINE_BYTES): string {
  const clean = line.includes('\u0000') ? line.replaceAll('\u0000', '\uFFFD') : line;
  // A string of n UTF-16 units is at most 3n UTF-8 bytes: most lines skip the byte count.
  if (clean.length * 3 <= maxBytes) return clean;
  const bytes = Buffer.byteLength(clean, 'utf8');
  if (bytes <= maxBytes) return clean;
  const marker = (cut: number) => ` [kipper: line truncated, ${cut} more bytes]`;
  const room = maxBytes - Buffer.byteLength(marker(bytes), 'utf8');
  // Cut on a character boundary: a partial character decodes to U+FFFD, which is dropped.
  const kept = Buffer.from(clean, 'utf8').subarray(0, room).toString('utf8').replace(/\uFFFD+$/, '');
  return kept + marker(bytes - Buffer.byteLength(kept, 'utf8'));
}

/**
 * Appends `lines` to build.log in one statement, keeping the newest MAX_STORED_LINES: when older
 * lines go, the first element becomes one marker line with the running count of dropped lines
 * (`droppedBefore` adds lines the caller dropped before they reached the database). The stored
 * array is combined in PostgreSQL, never read back.
 */
export const APPEND_SQL = `
UPDATE build SET log = t.log
FROM (
  SELECT CASE
      WHEN s.dropped = 0 AND cardinality(s.lines) <= $4::int THEN s.lines
      ELSE ARRAY[
          '[kipper] ' || (s.dropped + s.extra)::text || ' earlier '
          || CASE WHEN s.dropped + s.extra = 1 THEN 'line' ELSE 'lines' END
          || ' dropped (the log keeps the newest ' || ($4::int)::text || ')'
        ] || s.lines[s.extra + 1 : cardinality(s.lines)]
    END AS log
  FROM (
    SELECT l.lines, l.dropped, GREATEST(cardinality(l.lines) - ($4::int - 1), 0) AS extra
    FROM (
      SELECT
        CASE WHEN m.prev IS NULL THEN b.log ELSE b.log[2 : cardinality(b.log)] END || $1::text[] AS lines,
        COALESCE(m.prev, 0) + $2::bigint AS dropped
      FROM build b
      CROSS JOIN LATERAL (SELECT substring(b.log[1] from '${DROPPED_MARKER_SQL}')::bigint AS prev) m
      WHERE b.id = $3
    ) l
  ) s
) t
WHERE build.id = $3`;

const TAIL_LINES = 5;

/**
 * Appends lines of Kipper's own (`[kipper] build #3 failed: …`) to a build's log and publishes
 * them, after the builder's lines: followers (`kip app build-logs --follow`) print them before
 * they see the build finished, so it is written before the build's final status.
 */
export async function appendBuildLog(db: DataSource, events: DeployEvents, buildId: string, lines: string[]): Promise<void> {
  const capped = lines.map((line) => capLine(line));
  await db.query(APPEND_SQL, [capped, 0, buildId, MAX_STORED_LINES]);
  for (const line of capped) await events.buildLog(buildId, line);
}

/**
 * Build log lines: each is capped (capLine), published at once (live followers) and appended to
 * `build.log` in PostgreSQL in batches (one UPDATE per flush interval), in order, keeping the
 * newest MAX_STORED_LINES. A worker that dies loses at most the unflushed batch from the record;
 * the next follower re-reads those lines from the cluster because it skips only the lines
 * PostgreSQL already stands for (linesSeen).
 */
export class BuildLogSink {
  private buffer: string[] = [];
  /** The newest lines pushed, for a failure reason (the buffer empties at every flush). */
  private tail: string[] = [];
  /** Lines pushed since the last flush that the buffer no longer holds (more than fit). */
  private droppedInBuffer = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly events: DeployEvents,
    private readonly buildId: string,
    private readonly flushMs: number,
    private readonly log: Logger,
    private readonly maxLines = MAX_STORED_LINES,
  ) {}

  push(raw: string): void {
    const line = capLine(raw);
    this.buffer.push(line);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    // A flood between two flushes never holds more than the database would keep.
    if (this.buffer.length > this.maxLines * 2) {
      const extra = this.buffer.length - this.maxLines;
      this.buffer = this.buffer.slice(extra);
      this.droppedInBuffer += extra;
    }
    this.events.buildLog(this.buildId, line).catch((error: unknown) => this.log.warn('publish build log', error));
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0 && this.droppedInBuffer === 0) return;
    let lines = this.buffer;
    let dropped = this.droppedInBuffer;
    if (lines.length > this.maxLines) {
      dropped += lines.length - this.maxLines;
      lines = lines.slice(lines.length - this.maxLines);
    }
    this.buffer = [];
    this.droppedInBuffer = 0;
    this.chain = this.chain.then(async () => {
      try {
        await this.db.query(APPEND_SQL, [lines, dropped, this.buildId, this.maxLines]);
      } catch (error) {
        this.log.warn(`save ${lines.length} build log lines`, error);
      }
    });
  }

  /** The last few lines pushed (oldest first). */
  lastLines(): string[] {
    return [...this.tail];
  }

  /** Writes what is left; resolves when every line pushed so far is saved (or given up). */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }
}
