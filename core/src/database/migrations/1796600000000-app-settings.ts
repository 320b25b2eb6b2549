import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * App settings: each revision records the settings it ran with (older revisions: null, shown as
 * unknown), and an app names the immutable Secret that holds its secret env values.
 */
export class AppSettings1796600000000 implements MigrationInterface {
  name = 'AppSettings1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "revision" ADD "settings" jsonb`);
    await queryRunner.query(`ALTER TABLE "app" ADD "env_secret_name" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "app" DROP COLUMN "env_secret_name"`);
    await queryRunner.query(`ALTER TABLE "revision" DROP COLUMN "settings"`);
  }
}
