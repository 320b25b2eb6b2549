import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Notification channels (project or app) and the record of every attempt to send to them. */
export class Notifications1796400000000 implements MigrationInterface {
  name = 'Notifications1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "notification_channel" ("id" uuid NOT NULL, "project_id" uuid NOT NULL, "app_id" uuid, "kind" text NOT NULL, "display_url" text NOT NULL, "secret_namespace" text NOT NULL, "events" text array NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_50b36f3daa5dd86f7e707740b23" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_f38bf07744d74142947f758895" ON "notification_channel"  ("project_id") `);
    await queryRunner.query(`CREATE TABLE "notification_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "channel_id" uuid NOT NULL, "delivery_id" uuid NOT NULL, "event" text NOT NULL, "revision_id" uuid, "attempt" integer NOT NULL, "outcome" text NOT NULL, "status_code" integer, "error" text, "latency_ms" integer NOT NULL, "response_excerpt" text, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_109dea88c25343da49d86de6bfd" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_b62804649136db2a23a6bf5621" ON "notification_delivery"  ("channel_id", "at") `);
    await queryRunner.query(`ALTER TABLE "notification_channel" ADD CONSTRAINT "FK_f38bf07744d74142947f7588950" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notification_channel" ADD CONSTRAINT "FK_ab83f021912ee1b6e28667753d2" FOREIGN KEY ("app_id") REFERENCES "app"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "notification_delivery" ADD CONSTRAINT "FK_d5af4b90cf861341dbc940eae6f" FOREIGN KEY ("channel_id") REFERENCES "notification_channel"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notification_delivery"`);
    await queryRunner.query(`DROP TABLE "notification_channel"`);
  }
}
