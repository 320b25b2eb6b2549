import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Promotion that ships the same bytes: revisions record the digest their pods ran (and, for
 * promotions, the tag people know the pinned digest by); environments can require approvals,
 * be protected or frozen; approvers' decisions are rows of their own (one per person).
 */
export class PromotionApprovals1796610000000 implements MigrationInterface {
  name = 'PromotionApprovals1796610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "revision_approval" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "revision_id" uuid NOT NULL, "actor" text NOT NULL, "decision" text NOT NULL, "comment" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4c7f60bad9b5c7b7811e8c69293" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_136247adbaee48e1a10badf6d8" ON "revision_approval"  ("revision_id", "actor") `);
    await queryRunner.query(`ALTER TABLE "environment" ADD "required_approvals" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "environment" ADD "approvers" jsonb`);
    await queryRunner.query(`ALTER TABLE "environment" ADD "protected" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "environment" ADD "frozen_reason" text`);
    await queryRunner.query(`ALTER TABLE "environment" ADD "frozen_by" text`);
    await queryRunner.query(`ALTER TABLE "environment" ADD "frozen_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "revision" ADD "digest" text`);
    await queryRunner.query(`ALTER TABLE "revision" ADD "image_tag" text`);
    await queryRunner.query(
      `ALTER TABLE "revision_approval" ADD CONSTRAINT "FK_1f29627d89aab54cb8a9c8bc216" FOREIGN KEY ("revision_id") REFERENCES "revision"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "revision_approval" DROP CONSTRAINT "FK_1f29627d89aab54cb8a9c8bc216"`);
    for (const column of ['image_tag', 'digest']) await queryRunner.query(`ALTER TABLE "revision" DROP COLUMN "${column}"`);
    for (const column of ['frozen_at', 'frozen_by', 'frozen_reason', 'protected', 'approvers', 'required_approvals']) {
      await queryRunner.query(`ALTER TABLE "environment" DROP COLUMN "${column}"`);
    }
    await queryRunner.query(`DROP INDEX "public"."IDX_136247adbaee48e1a10badf6d8"`);
    await queryRunner.query(`DROP TABLE "revision_approval"`);
  }
}
