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
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

/** Connects and brings the schema up to date; every process start runs this. */
export async function openDatabase(databaseUrl: string, options: DataSourceOptions = {}): Promise<DataSource> {
  await ensureDatabase(databaseUrl);
  const dataSource = createDataSource(databaseUrl, options);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  return dataSource;
}
