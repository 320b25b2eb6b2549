import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@kipper/core';
import { migrations } from '../src/database/migrations/index.js';

const base = process.env.KIPPER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `kipper_migration_lock_${randomUUID().slice(0, 8)}`;
const url = Object.assign(new URL(base), { pathname: `/${name}` }).toString();

afterAll(async () => {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('migrations with replicas', () => {
  it('run once when four processes start together on an empty database (two api, two worker replicas)', async () => {
    const opened = await Promise.allSettled([1, 2, 3, 4].map((n) => openDatabase(url, { applicationName: `replica-${n}`, poolSize: 2 })));
    try {
      expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string; n: number }>('SELECT name, count(*)::int AS n FROM migrations GROUP BY name');
        expect(rows).toHaveLength(migrations.length);
        expect(rows.every((r) => r.n === 1)).toBe(true);
      } finally {
        await client.end();
      }
    } finally {
      for (const o of opened) if (o.status === 'fulfilled') await o.value.destroy();
    }
  });
});
