import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Pins, drift policy, health and drift observations on apps; a missing webhook Secret. */
export class ClusterTruth1796140800000 implements MigrationInterface {
  name = 'ClusterTruth1796140800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app" ADD "pinned_revision_id" uuid`);
    await queryRunner.query(`ALTER TABLE "app" ADD "pinned_by" text`);
    await queryRunner.query(`ALTER TABLE "app" ADD "pinned_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "app" ADD "drift_policy" text NOT NULL DEFAULT 'repair'`);
    await queryRunner.query(`ALTER TABLE "app" ADD "health" jsonb`);
    await queryRunner.query(`ALTER TABLE "app" ADD "drift" jsonb`);
    await queryRunner.query(`ALTER TABLE "webhook" ADD "secret_missing_since" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook" DROP COLUMN "secret_missing_since"`);
    for (const column of ['drift', 'health', 'drift_policy', 'pinned_at', 'pinned_by', 'pinned_revision_id']) {
      await queryRunner.query(`ALTER TABLE "app" DROP COLUMN "${column}"`);
    }
  }
}
