import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@kipper/core';

const base = process.env.KIPPER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `kipper_migrations_${randomUUID().slice(0, 8)}`;
const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();

afterAll(async () => {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('database migrations', () => {
  it('create a fresh database whose schema matches the entities exactly', async () => {
    const dataSource = await openDatabase(url);
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      // Running them again on an up-to-date database changes nothing.
      expect(await dataSource.runMigrations()).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
