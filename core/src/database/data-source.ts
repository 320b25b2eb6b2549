import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export interface DataSourceOptions {
  poolSize?: number;
  /** Shown in pg_stat_activity, so an operator can tell the pools apart. */
  applicationName?: string;
  /** PostgreSQL cancels any statement of this pool that runs longer. */
  statementTimeoutMs?: number;
}

export function createDataSource(databaseUrl: string, options: DataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    poolSize: options.poolSize ?? 10,
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
    ...(options.statementTimeoutMs ? { extra: { statement_timeout: options.statementTimeoutMs } } : {}),
    // gen_random_uuid() is built into PostgreSQL 13+, no extension to install.
    uuidExtension: 'pgcrypto',
  });
}

/** Creates the database named in the URL when it does not exist yet (a fresh machine's first start). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // Created meanwhile by another process: 42P04, or 23505 when both inserted into pg_database at once.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** Any fixed number: the advisory lock every Kipper process takes around its migrations. */
const MIGRATION_LOCK = 0x6b697070; // "kipp"

/**
 * Connects and brings the schema up to date; every process start runs this. Replicas starting
 * together (api and worker, two of each) queue on a PostgreSQL advisory lock: the first runs the
 * pending migrations in one transaction, the others then find none pending. The lock belongs to
 * a connection of its own, so a process that dies mid-migration releases it with its connection
 * (and its transaction rolls back).
 */
export async function openDatabase(databaseUrl: string, options: DataSourceOptions = {}): Promise<DataSource> {
  await ensureDatabase(databaseUrl);
  const dataSource = createDataSource(databaseUrl, options);
  await dataSource.initialize();
  const lock = new pg.Client({ connectionString: databaseUrl, application_name: `${options.applicationName ?? 'kipper'} migrations` });
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'all' });
  } catch (err) {
    await dataSource.destroy();
    throw err;
  } finally {
    // Closing the connection releases the lock too; the explicit unlock says when.
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
  return dataSource;
}
