import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@kipper/core';
import { scratchDatabase } from './scratch-database.js';
import { migrations } from '../src/database/migrations/index.js';

const { url, drop } = scratchDatabase('kipper_migration_lock');

afterAll(drop);

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
