import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log becomes queryable: actor kind, caller address and request id, and the project
 * and app of each entry (no foreign keys: entries outlive what they tell about), with indexes
 * for the filters. Existing rows get their kind from the actor's text (as actorKindOf does)
 * and their ids where the target still names an app (`namespace/app`) or a project.
 */
export class AuditLog1796520000000 implements MigrationInterface {
  name = 'AuditLog1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_entry" ADD "actor_kind" text`);
    await queryRunner.query(`ALTER TABLE "audit_entry" ADD "project_id" uuid`);
    await queryRunner.query(`ALTER TABLE "audit_entry" ADD "app_id" uuid`);
    await queryRunner.query(`ALTER TABLE "audit_entry" ADD "source_address" text`);
    await queryRunner.query(`ALTER TABLE "audit_entry" ADD "request_id" text`);
    await queryRunner.query(
      `UPDATE "audit_entry" SET "actor_kind" = CASE
         WHEN actor = 'kipper' OR actor LIKE 'kipper:%' THEN 'kipper'
         WHEN actor LIKE 'token:%' THEN 'token'
         WHEN actor LIKE 'ci:%' THEN 'ci'
         WHEN actor LIKE 'webhook:%' THEN 'webhook'
         ELSE 'person' END`,
    );
    await queryRunner.query(`ALTER TABLE "audit_entry" ALTER COLUMN "actor_kind" SET NOT NULL`);
    await queryRunner.query(
      `UPDATE "audit_entry" e SET "app_id" = a.id, "project_id" = a.project_id FROM "app" a
       WHERE strpos(e.target, '/') > 0 AND a.namespace = split_part(e.target, '/', 1) AND a.name = split_part(e.target, '/', 2)`,
    );
    await queryRunner.query(`UPDATE "audit_entry" e SET "project_id" = p.id FROM "project" p WHERE e.project_id IS NULL AND p.name = e.target`);
    await queryRunner.query(`CREATE INDEX "IDX_ee2c85c38dcc74ea99ef5c1885" ON "audit_entry"  ("project_id", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_93db361b98be6788e031a39597" ON "audit_entry"  ("app_id", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_aa0c45d5953d2d0b160e29c9cc" ON "audit_entry"  ("actor", "at") `);
    await queryRunner.query(`CREATE INDEX "IDX_9ed8c1377c3ac80f5db2b014bb" ON "audit_entry"  ("action", "at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of ['IDX_9ed8c1377c3ac80f5db2b014bb', 'IDX_aa0c45d5953d2d0b160e29c9cc', 'IDX_93db361b98be6788e031a39597', 'IDX_ee2c85c38dcc74ea99ef5c1885']) {
      await queryRunner.query(`DROP INDEX "${index}"`);
    }
    for (const column of ['request_id', 'source_address', 'app_id', 'project_id', 'actor_kind']) {
      await queryRunner.query(`ALTER TABLE "audit_entry" DROP COLUMN "${column}"`);
    }
  }
}
