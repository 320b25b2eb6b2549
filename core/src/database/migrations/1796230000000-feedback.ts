import type { MigrationInterface, QueryRunner } from 'typeorm';

/** GitHub and GitLab feedback: connections of apps to repositories, and what was reported of each revision. */
export class Feedback1796230000000 implements MigrationInterface {
  name = 'Feedback1796230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "feedback_connection" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "app_id" uuid NOT NULL, "provider" text NOT NULL, "repository" text NOT NULL, "api_url" text NOT NULL, "secret_name" text NOT NULL, "secret_key" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a586d5c08df5667f80cafd76e9b" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_a6e2edeb1b7fd801ee91567c86" ON "feedback_connection"  ("app_id", "provider") `);
    await queryRunner.query(`CREATE TABLE "feedback_report" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "connection_id" uuid NOT NULL, "revision_id" uuid NOT NULL, "sha" text, "deployment_id" text, "stage" text, "description" text, "reported_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e21aad3219c9a58560d30f85c30" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_381a671c5eb93900ee99f13176" ON "feedback_report"  ("connection_id", "revision_id") `);
    await queryRunner.query(`ALTER TABLE "feedback_connection" ADD CONSTRAINT "FK_03720bf45ba5f114454899eb05c" FOREIGN KEY ("app_id") REFERENCES "app"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "feedback_report" ADD CONSTRAINT "FK_f06db3b75a0752f2adb9dcc4fca" FOREIGN KEY ("connection_id") REFERENCES "feedback_connection"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "feedback_report" ADD CONSTRAINT "FK_1fe16172acdaa80e802544657b5" FOREIGN KEY ("revision_id") REFERENCES "revision"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "feedback_report"`);
    await queryRunner.query(`DROP TABLE "feedback_connection"`);
  }
}
