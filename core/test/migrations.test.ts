import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@kipper/core';
import { scratchDatabase } from './scratch-database.js';

const { url, drop } = scratchDatabase('kipper_migrations');

afterAll(drop);

describe('database migrations', () => {
  it('give existing audit entries their actor kind, project and app where the target still names them', async () => {
    const dataSource = await openDatabase(url);
    const runner = dataSource.createQueryRunner();
    try {
      const auditLog = dataSource.migrations.find((m) => m.name === 'AuditLog1796520000000')!;
      await runner.startTransaction();
      // The log as it was before: rows of a project, of one of its apps, of a deleted app, of a token.
      await auditLog.down(runner);
      const [project] = (await runner.query(`INSERT INTO project (name, display_name) VALUES ('old', 'Old') RETURNING id`)) as { id: string }[];
      const [env] = (await runner.query(`INSERT INTO environment (project_id, name, namespace, position) VALUES ($1, 'test', 'old-test', 0) RETURNING id`, [project!.id])) as { id: string }[];
      const [app] = (await runner.query(`INSERT INTO app (environment_id, project_id, namespace, name, source, port, replicas) VALUES ($1, $2, 'old-test', 'api', 'image', 80, 1) RETURNING id`, [env!.id, project!.id])) as { id: string }[];
      await runner.query(
        `INSERT INTO audit_entry (actor, action, target) VALUES ('admin', 'project.create', 'old'), ('webhook:github', 'revision.webhook', 'old-test/api'),
           ('kipper:git-watch', 'build.request', 'old-test/gone'), ('token:ci', 'token.create', 'ci'), ('kipper', 'app.repair', 'old-test/api')`,
      );
      await auditLog.up(runner);
      const rows = (await runner.query(`SELECT actor, actor_kind, project_id, app_id, source_address FROM audit_entry ORDER BY actor`)) as Record<string, unknown>[];
      expect(rows).toEqual([
        { actor: 'admin', actor_kind: 'person', project_id: project!.id, app_id: null, source_address: null },
        { actor: 'kipper', actor_kind: 'kipper', project_id: project!.id, app_id: app!.id, source_address: null },
        { actor: 'kipper:git-watch', actor_kind: 'kipper', project_id: null, app_id: null, source_address: null },
        { actor: 'token:ci', actor_kind: 'token', project_id: null, app_id: null, source_address: null },
        { actor: 'webhook:github', actor_kind: 'webhook', project_id: project!.id, app_id: app!.id, source_address: null },
      ]);
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      await dataSource.destroy();
    }
  });

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
