import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People, console sessions, project members; API tokens gain an owner, a scope, a role, an expiry
 * and a revocation. Tokens from before (the bootstrap `admin` token) become personal tokens of the
 * bootstrap person `admin`, created here when such tokens exist, so they keep working.
 */
export class People1796500000000 implements MigrationInterface {
  name = 'People1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "kipper_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "display_name" text, "password_hash" text, "instance_admin" boolean NOT NULL DEFAULT false, "disabled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a4b8b9fccfc65d813a63946cbe3" UNIQUE ("name"), CONSTRAINT "PK_8ea77f6dc915a0195a7b510e3cf" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "project_member" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_64dba8e9dcf96ce383cfd19d6fb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_c5aa3e0aec43d3459e159d21dd" ON "project_member"  ("user_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_0d739aa2794632a5a09276afb7" ON "project_member"  ("project_id", "user_id") `);
    await queryRunner.query(`CREATE TABLE "session" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "cookie_hash" text NOT NULL, "csrf_hash" text NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_659d0629624c0071863f3783e19" UNIQUE ("cookie_hash"), CONSTRAINT "PK_f55da76ac1c3ac420f444d2ff11" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_30e98e8746699fb9af235410af" ON "session"  ("user_id") `);
    await queryRunner.query(`ALTER TABLE "api_token" ADD "user_id" uuid`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD "project_id" uuid`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD "environment_id" uuid`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD "role" text`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD "revoked_at" TIMESTAMP WITH TIME ZONE`);
    // Tokens from before belong to the bootstrap person (names made unique per owner first).
    await queryRunner.query(`INSERT INTO "kipper_user" ("name", "instance_admin") SELECT 'admin', true WHERE EXISTS (SELECT 1 FROM "api_token") ON CONFLICT DO NOTHING`);
    await queryRunner.query(`UPDATE "api_token" t SET "name" = t."name" || '-' || left(t."id"::text, 8) WHERE EXISTS (SELECT 1 FROM "api_token" o WHERE o."name" = t."name" AND o."created_at" < t."created_at")`);
    await queryRunner.query(`UPDATE "api_token" SET "user_id" = (SELECT "id" FROM "kipper_user" WHERE "name" = 'admin') WHERE "user_id" IS NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ebe8f9f9b6418f55c7fcef1f5d" ON "api_token"  ("user_id", "name") `);
    await queryRunner.query(`ALTER TABLE "api_token" ADD CONSTRAINT "FK_1725c5ea908ff009f6ab3fa34fd" FOREIGN KEY ("user_id") REFERENCES "kipper_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD CONSTRAINT "FK_b4006af213c94dde67262ee00f7" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "api_token" ADD CONSTRAINT "FK_b302b27296dd31725a03e1078c4" FOREIGN KEY ("environment_id") REFERENCES "environment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "project_member" ADD CONSTRAINT "FK_aaef76230abfcdf30adb15d0be8" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "project_member" ADD CONSTRAINT "FK_c5aa3e0aec43d3459e159d21dd3" FOREIGN KEY ("user_id") REFERENCES "kipper_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "session" ADD CONSTRAINT "FK_30e98e8746699fb9af235410aff" FOREIGN KEY ("user_id") REFERENCES "kipper_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "session" DROP CONSTRAINT "FK_30e98e8746699fb9af235410aff"`);
    await queryRunner.query(`ALTER TABLE "project_member" DROP CONSTRAINT "FK_c5aa3e0aec43d3459e159d21dd3"`);
    await queryRunner.query(`ALTER TABLE "project_member" DROP CONSTRAINT "FK_aaef76230abfcdf30adb15d0be8"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP CONSTRAINT "FK_b302b27296dd31725a03e1078c4"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP CONSTRAINT "FK_b4006af213c94dde67262ee00f7"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP CONSTRAINT "FK_1725c5ea908ff009f6ab3fa34fd"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ebe8f9f9b6418f55c7fcef1f5d"`);
    // Scoped and personal tokens of anyone but the bootstrap person would grant more once unscoped: dropped.
    await queryRunner.query(`DELETE FROM "api_token" WHERE "project_id" IS NOT NULL OR "user_id" IS DISTINCT FROM (SELECT "id" FROM "kipper_user" WHERE "name" = 'admin') OR "revoked_at" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP COLUMN "revoked_at"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP COLUMN "expires_at"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP COLUMN "role"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP COLUMN "environment_id"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP COLUMN "project_id"`);
    await queryRunner.query(`ALTER TABLE "api_token" DROP COLUMN "user_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_30e98e8746699fb9af235410af"`);
    await queryRunner.query(`DROP TABLE "session"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_0d739aa2794632a5a09276afb7"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c5aa3e0aec43d3459e159d21dd"`);
    await queryRunner.query(`DROP TABLE "project_member"`);
    await queryRunner.query(`DROP TABLE "kipper_user"`);
  }
}
