import type { DataSource, QueryRunner } from 'typeorm';

/**
 * PostgreSQL session advisory locks, in the two-key form `(class, key)` so that Kipper's locks
 * never meet anyone else's. A session lock lives on one connection: it is held by a dedicated
 * pooled connection for as long as the work runs and PostgreSQL drops it by itself when that
 * connection goes away (the process died, kill -9, network cut).
 */
export const LockClass = {
  /** One deploy runner per app (builds and rollouts). */
  APP_DEPLOY: 0x4b4401,
  /** One git check per app. */
  APP_POLL: 0x4b4402,
  /** The one sweeper leader among all worker processes (key 0). */
  SWEEPER: 0x4b4403,
  /** The one reconciler leader among all worker processes: cluster watches, repairs, health. */
  RECONCILER: 0x4b4404,
} as const;

export class AdvisoryLock {
  private released = false;

  private constructor(
    private readonly runner: QueryRunner,
    readonly lockClass: number,
    readonly key: string,
  ) {}

  /** The lock, or null when another session holds it. Never waits. */
  static async tryAcquire(dataSource: DataSource, lockClass: number, key: string): Promise<AdvisoryLock | null> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      const rows = (await runner.query('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked', [
        lockClass,
        key,
      ])) as { locked: boolean }[];
      if (rows[0]?.locked) return new AdvisoryLock(runner, lockClass, key);
    } catch (error) {
      await runner.release();
      throw error;
    }
    await runner.release();
    return null;
  }

  /** True while the connection holding the lock is still usable. */
  async stillHeld(): Promise<boolean> {
    if (this.released) return false;
    try {
      await this.runner.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Unlocks and gives the connection back. When unlocking fails the connection is destroyed
   * instead of going back to the pool, so a lock can never linger on a pooled connection.
   */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.runner.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [this.lockClass, this.key]);
      await this.runner.release();
    } catch {
      await this.destroy();
    }
  }

  private async destroy(): Promise<void> {
    // TypeORM's postgres runner: releasing with an error makes pg-pool close the client
    // instead of reusing it, which also ends the session and every lock it held.
    const runner = this.runner as unknown as { releasePostgresConnection?: (err?: Error) => Promise<void> };
    try {
      if (runner.releasePostgresConnection) await runner.releasePostgresConnection(new Error('advisory lock connection discarded'));
      else await this.runner.release();
    } catch {
      // already gone
    }
  }
}

/**
 * SQL condition "some session holds the lock (class, hashtext(keyExpr)) right now", for queries
 * that look for work nobody is doing. `classParam` is the placeholder of the class number.
 */
export function lockHeldSql(classParam: string, keyExpr: string): string {
  return `EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
    AND l.classid = ${classParam}::int::oid AND l.objid = hashtext(${keyExpr})::oid)`;
}
