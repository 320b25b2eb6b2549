import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Projects, environments, apps, revisions, builds, webhooks, deliveries, audit log, API tokens. */
export class Initial1764230400000 implements MigrationInterface {
  name = 'Initial1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "project" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "display_name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_dedfea394088ed136ddadeee89c" UNIQUE ("name"), CONSTRAINT "PK_4d68b1358bb5b766d3e78f32f57" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "environment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "name" text NOT NULL, "position" integer NOT NULL, "namespace" text NOT NULL, CONSTRAINT "UQ_7ec397fdb9db0bba1b8855348d6" UNIQUE ("namespace"), CONSTRAINT "PK_f0ec97d0ac5e0e2f50f7475699f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e35e80e64cf105f28802f6a134" ON "environment"  ("project_id", "position") `);
    await queryRunner.query(`CREATE TABLE "app" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "environment_id" uuid NOT NULL, "project_id" uuid NOT NULL, "namespace" text NOT NULL, "name" text NOT NULL, "source" text NOT NULL, "image" text, "git_url" text, "git_branch" text, "dockerfile_path" text, "port" integer NOT NULL, "replicas" integer NOT NULL, "env" jsonb NOT NULL DEFAULT '[]', "host" text, "deploy_policy" text NOT NULL DEFAULT 'latest', "auto_rollback" boolean NOT NULL DEFAULT true, "watch_git" boolean NOT NULL DEFAULT false, "last_seen_commit" text, "current_revision_id" uuid, "next_revision_number" integer NOT NULL DEFAULT '1', "next_build_number" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9478629fc093d229df09e560aea" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_5b5395d5c93649e842431ec151" ON "app"  ("namespace", "name") `);
    await queryRunner.query(`CREATE TABLE "audit_entry" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" text NOT NULL, "action" text NOT NULL, "target" text NOT NULL, "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_58a130a4b9da189f46ba2a01801" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_9d18bd4a32fc0cd8ff82b12037" ON "audit_entry"  ("at") `);
    await queryRunner.query(`CREATE TABLE "api_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_bafaa5aab5957cd193fb2da8f24" UNIQUE ("token_hash"), CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "build" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "app_id" uuid NOT NULL, "number" integer NOT NULL, "revision_id" uuid, "commit" text, "status" text NOT NULL, "image" text, "job_name" text, "log" text array NOT NULL DEFAULT '{}', "failure_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5625549365ffbf46dd1c7ff342d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_4e43dbe4d42fc2e9442e8e84dd" ON "build"  ("app_id", "number") `);
    await queryRunner.query(`CREATE TABLE "webhook_delivery" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "app_id" uuid NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "source" text NOT NULL, "event" text NOT NULL, "delivery_key" text, "status_code" integer NOT NULL, "outcome" text NOT NULL, "message" text, "revision_id" uuid, "response" jsonb NOT NULL, CONSTRAINT "PK_b1ae290239a778f12399db91354" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_69d294d274a96cad88328faafe" ON "webhook_delivery"  ("app_id", "received_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_965c9004ec05249783ef29b228" ON "webhook_delivery"  ("app_id", "delivery_key") WHERE delivery_key IS NOT NULL`);
    await queryRunner.query(`CREATE TABLE "revision" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "app_id" uuid NOT NULL, "number" integer NOT NULL, "image" text, "commit" text, "trigger" text NOT NULL, "triggered_by" text NOT NULL, "status" text NOT NULL, "failure_reason" text, "rollback_to_revision_id" uuid, "promoted_from_revision_id" uuid, "build_id" uuid, "progress" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f4767cdf0c0e78041514e5a94be" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_049b7b9b0e5ca54363d810acf1" ON "revision"  ("status") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_b63f0574681b866afdd569e994" ON "revision"  ("app_id", "number") `);
    await queryRunner.query(`CREATE TABLE "webhook" ("app_id" uuid NOT NULL, "enabled" boolean NOT NULL, "token_hash" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "rotated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_cc5b4958d0311cb71e6896d4b7e" PRIMARY KEY ("app_id"))`);
    await queryRunner.query(`ALTER TABLE "environment" ADD CONSTRAINT "FK_2b33a6c1d5c1276d3b502daf4de" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "app" ADD CONSTRAINT "FK_231072a4c5492f5175c3b8a2f0f" FOREIGN KEY ("environment_id") REFERENCES "environment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "build" ADD CONSTRAINT "FK_85eccfbb6ef87ea8746cb2d13df" FOREIGN KEY ("app_id") REFERENCES "app"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery" ADD CONSTRAINT "FK_002f4e20ae9b8098f7c15a4f80b" FOREIGN KEY ("app_id") REFERENCES "app"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "revision" ADD CONSTRAINT "FK_6bd62ed0675d137686150d3280a" FOREIGN KEY ("app_id") REFERENCES "app"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook" ADD CONSTRAINT "FK_cc5b4958d0311cb71e6896d4b7e" FOREIGN KEY ("app_id") REFERENCES "app"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook"`);
    await queryRunner.query(`DROP TABLE "revision"`);
    await queryRunner.query(`DROP TABLE "webhook_delivery"`);
    await queryRunner.query(`DROP TABLE "build"`);
    await queryRunner.query(`DROP TABLE "api_token"`);
    await queryRunner.query(`DROP TABLE "audit_entry"`);
    await queryRunner.query(`DROP TABLE "app"`);
    await queryRunner.query(`DROP TABLE "environment"`);
    await queryRunner.query(`DROP TABLE "project"`);
  }
}
