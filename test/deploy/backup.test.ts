import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type Logger } from '@kipper/core';
import { createKipper } from '@kipper/api';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, randomSuffix, startKipper, testDatabaseUrl, type RunningKipper } from '../support/kipper.js';

/**
 * Backups as docs/operations.md#backups tells an operator to take them: `pg_dump -Fc` of
 * Kipper's database, restored with `pg_restore` into a fresh one; a Kipper started on the
 * restored database has every project, app and revision.
 */
const run = promisify(execFile);
const hasTools = existsSync('/usr/bin/pg_dump') && existsSync('/usr/bin/pg_restore') && existsSync('/usr/bin/createdb');

interface Inventory {
  projects: { name: string; environments: { name: string }[] }[];
  apps: { name: string; project: { name: string }; environment: { name: string }; revisions: { nodes: { number: number; image: string; status: string }[] } }[];
}
const INVENTORY = `{
  projects { name environments { name } }
  apps { name project { name } environment { name } revisions(first: 100) { nodes { number image status } } }
}`;
const sorted = (inventory: Inventory) => ({
  projects: [...inventory.projects].sort((a, b) => a.name.localeCompare(b.name)),
  apps: [...inventory.apps].sort((a, b) => `${a.project.name}/${a.name}`.localeCompare(`${b.project.name}/${b.name}`)),
});

describe.skipIf(!hasTools)('backup and restore with pg_dump / pg_restore (PostgreSQL client tools)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kipper-backup-'));
  const restoredName = `kipper_restored_${randomSuffix()}`;
  let original: RunningKipper | undefined;
  afterAll(async () => {
    await original?.stop();
    await dropDatabase(restoredName).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores into a fresh database every project, app and revision, and Kipper starts on it', async () => {
    original = await startKipper();
    const kipper = original;
    for (const [project, environments] of [['shop', ['test', 'prod']], ['blog', ['prod']]] as const) {
      await kipper.data('mutation($input: CreateProjectInput!) { createProject(input: $input) { name } }', { input: { name: project, environments } });
    }
    const deploy = (project: string, environment: string, name: string, image: string) =>
      kipper.data('mutation($input: DeployAppInput!) { deployApp(input: $input) { id } }', { input: { project, environment, name, image, port: 8080 } });
    await deploy('shop', 'test', 'api', 'registry.example.com/api:v1');
    await deploy('shop', 'prod', 'api', 'registry.example.com/api:v1');
    await deploy('blog', 'prod', 'web', 'registry.example.com/web:v1');
    await kipper.data('mutation($app: AppRef!, $image: String!) { updateImage(app: $app, image: $image) { number } }', {
      app: { project: 'shop', environment: 'test', name: 'api' },
      image: 'registry.example.com/api:v2',
    });
    const before = sorted(await kipper.data<Inventory>(INVENTORY));
    expect(before.apps.flatMap((a) => a.revisions.nodes)).toHaveLength(4);

    // What the operator runs (docs/operations.md#backups).
    const file = join(dir, 'kipper.dump');
    await run('pg_dump', ['--format=custom', `--file=${file}`, `--dbname=${kipper.databaseUrl}`]);
    const restoredUrl = testDatabaseUrl(restoredName);
    const server = new URL(restoredUrl);
    await run('createdb', ['-h', server.hostname, '-p', server.port || '5432', '-U', decodeURIComponent(server.username) || 'postgres', restoredName]);
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, file]);

    const logs: string[] = [];
    const log: Logger = { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
    const restored = createKipper(
      loadConfig({ ...kipper.env, KIPPER_DATABASE_URL: restoredUrl, KIPPER_PORT: '0', KIPPER_QUEUE_PREFIX: `${kipper.queuePrefix}-restored` }),
      { log, consoleDir: null },
    );
    const { url } = await restored.start();
    try {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${kipper.adminToken}` },
        body: JSON.stringify({ query: INVENTORY }),
      });
      const body = (await res.json()) as { data: Inventory };
      expect(sorted(body.data)).toEqual(before);
    } finally {
      await restored.stop();
    }
  });
});
