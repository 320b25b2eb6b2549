import type { DataSource } from 'typeorm';
import type { Logger } from './log.js';
import type { DeployEvents } from './ports.js';

/**
 * Build log lines: each is published at once (live followers) and appended to `build.log` in
 * PostgreSQL in batches (one UPDATE per flush interval), in order. A worker that dies loses at
 * most the unflushed batch from the record; the next follower re-reads those lines from the
 * cluster because it skips only the lines PostgreSQL already holds.
 */
export class BuildLogSink {
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly events: DeployEvents,
    private readonly buildId: string,
    private readonly flushMs: number,
    private readonly log: Logger,
  ) {}

  push(line: string): void {
    this.buffer.push(line);
    this.events.buildLog(this.buildId, line).catch((error: unknown) => this.log.warn('publish build log', error));
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length === 0) return;
    const lines = this.buffer;
    this.buffer = [];
    this.chain = this.chain.then(async () => {
      try {
        await this.db.query('UPDATE build SET log = log || $1::text[] WHERE id = $2', [lines, this.buildId]);
      } catch (error) {
        this.log.warn(`save ${lines.length} build log lines`, error);
      }
    });
  }

  /** Writes what is left; resolves when every line pushed so far is saved (or given up). */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }
}
