import type { DataSource, QueryRunner } from 'typeorm';

/**
 * The app deploy locks of this worker process, all held by ONE PostgreSQL session.
 *
 * A rollout is mostly waiting (on a watch of its Deployment), so one process follows hundreds
 * at once; a dedicated connection per held lock (AdvisoryLock) would make that hundreds of
 * connections. Session advisory locks live and die with their session here too: kill -9 of the
 * process, or the connection lost, drops every lock it held at once, and the processor's
 * watchdog then hands each job back (`stillHeld` turns false for locks of a lost session, even
 * after a new session is opened).
 *
 * Session locks are re-entrant within a session, so this process keeps its own record of which
 * keys it holds: a second job for an app this process is already working on waits for the
 * release (no timer, no retry delay) and then takes the lock. Only an app locked by another
 * process (or the reconciler's own connection) answers null at once.
 */
export class LockSession {
  private runner: QueryRunner | null = null;
  private opening: Promise<QueryRunner> | null = null;
  private readonly held = new Map<string, Promise<void>>();
  private checking: Promise<boolean> | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly lockClass: number,
  ) {}

  /** The lock of `key`: after this process's own holder releases it; null when another session holds it, or `signal` aborts first. */
  async acquire(key: string, signal: AbortSignal): Promise<SessionLock | null> {
    for (let current = this.held.get(key); current; current = this.held.get(key)) {
      await untilDoneOrAborted(current, signal);
      if (signal.aborted) return null;
    }
    // Claimed in this process before PostgreSQL is asked, so two jobs of one app never both ask.
    let done!: () => void;
    this.held.set(key, new Promise<void>((resolve) => (done = resolve)));
    const free = () => {
      this.held.delete(key);
      done();
    };
    try {
      const runner = await this.session();
      const rows = (await runner.query('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked', [this.lockClass, key])) as { locked: boolean }[];
      if (rows[0]?.locked) return new SessionLock(this, runner, key, free);
    } catch (error) {
      free();
      await this.discard();
      throw error;
    }
    free();
    return null;
  }

  /** Locks held right now by this process (tests, logs). */
  get size(): number {
    return this.held.size;
  }

  /** True while `runner` is still this process's usable session (one check at a time, shared by every caller). */
  async alive(runner: QueryRunner): Promise<boolean> {
    if (runner !== this.runner) return false;
    this.checking ??= runner
      .query('SELECT 1')
      .then(
        () => true,
        async () => {
          await this.discard();
          return false;
        },
      )
      .finally(() => (this.checking = null));
    return (await this.checking) && runner === this.runner;
  }

  /** Unlocks `key` on `runner`; when that fails the session is discarded, which drops every lock it held. */
  async unlock(runner: QueryRunner, key: string): Promise<void> {
    if (runner !== this.runner) return; // that session is gone, and its locks with it
    try {
      await runner.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [this.lockClass, key]);
    } catch {
      await this.discard();
    }
  }

  async close(): Promise<void> {
    await this.discard();
  }

  private async session(): Promise<QueryRunner> {
    if (this.runner) return this.runner;
    this.opening ??= (async () => {
      const runner = this.db.createQueryRunner();
      await runner.connect();
      this.runner = runner;
      return runner;
    })().finally(() => (this.opening = null));
    return this.opening;
  }

  /** Ends the session (and so every lock it held); the next acquire opens a new one. */
  private async discard(): Promise<void> {
    const runner = this.runner;
    this.runner = null;
    if (!runner) return;
    // Released with an error, pg-pool closes the client instead of reusing it: the session ends.
    const pgRunner = runner as unknown as { releasePostgresConnection?: (err?: Error) => Promise<void> };
    try {
      if (pgRunner.releasePostgresConnection) await pgRunner.releasePostgresConnection(new Error('lock session discarded'));
      else await runner.release();
    } catch {
      // already gone
    }
  }
}

/** One app's lock in a LockSession. */
export class SessionLock {
  private released = false;

  constructor(
    private readonly session: LockSession,
    private readonly runner: QueryRunner,
    readonly key: string,
    private readonly free: () => void,
  ) {}

  /** True while the session that took the lock is still alive. */
  async stillHeld(): Promise<boolean> {
    return !this.released && (await this.session.alive(this.runner));
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.session.unlock(this.runner, this.key);
    } finally {
      this.free();
    }
  }
}

function untilDoneOrAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
