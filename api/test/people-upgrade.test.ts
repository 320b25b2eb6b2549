import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { ensureDatabase, hashToken, loadConfig, migrations } from '@kipper/core';
import { startSimulator } from '@kipper/kube-sim';
import { createKipper } from '../src/server/kipper.js';
import { dropDatabase, randomSuffix, testDatabaseUrl, TEST_REDIS_URL } from '../../test/support/kipper.js';

/** A database from before people existed: its admin token keeps working after the upgrade, as the person `admin`. */
const name = `kipper_test_${randomSuffix()}`;
const url = testDatabaseUrl(name);

afterAll(async () => {
  await dropDatabase(name);
});

describe('upgrading a database that has the old admin token', () => {
  it('makes it a personal token of the instance admin admin, and it keeps working', async () => {
    await ensureDatabase(url);
    const before = new DataSource({ type: 'postgres', url, migrations: migrations.slice(0, migrations.findIndex((m) => m.name.startsWith('People'))) });
    await before.initialize();
    await before.runMigrations();
    const old = randomBytes(32).toString('hex');
    await before.query(`INSERT INTO api_token (name, token_hash) VALUES ('admin', $1)`, [hashToken(old)]);
    await before.destroy();

    const sim = await startSimulator({ port: 0 });
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const kipper = createKipper(loadConfig({ KIPPER_PORT: '0', KIPPER_HOST: '127.0.0.1', KIPPER_DATABASE_URL: url, KIPPER_REDIS_URL: TEST_REDIS_URL, KIPPER_QUEUE_PREFIX: `kipper-test-${randomSuffix()}`, KIPPER_KUBE_SERVER: sim.url }), { log, consoleDir: null });
    try {
      const { url: api } = await kipper.start();
      // No new bootstrap token: one exists.
      expect(lines.filter((l) => l.includes('Admin API token'))).toEqual([]);
      const rows = await kipper.services.dataSource.query('SELECT t.name, u.name AS owner, u.instance_admin FROM api_token t JOIN kipper_user u ON u.id = t.user_id');
      expect(rows).toEqual([{ name: 'admin', owner: 'admin', instance_admin: true }]);
      const res = await fetch(`${api}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${old}` }, body: JSON.stringify({ query: '{ me { actor admin } }' }) });
      expect(await res.json()).toEqual({ data: { me: { actor: 'admin', admin: true } } });
    } finally {
      await kipper.stop();
      await sim.close();
    }
  });
});
