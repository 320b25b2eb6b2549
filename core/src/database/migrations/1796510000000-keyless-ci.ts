import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keyless CI: the CI identities an app's webhook trusts, and the token ids (jti) that deployed. */
export class KeylessCi1796510000000 implements MigrationInterface {
  name = 'KeylessCi1796510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "ci_token_use" ("issuer" text NOT NULL, "jti" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ba4a19e8bac2f2da5d7ab4e37f0" PRIMARY KEY ("issuer", "jti"))`);
    await queryRunner.query(`CREATE INDEX "IDX_2ec7f3bfa47e37b803aac3d04e" ON "ci_token_use"  ("expires_at") `);
    await queryRunner.query(`CREATE TABLE "webhook_trust" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "app_id" uuid NOT NULL, "issuer" text NOT NULL, "subject" text NOT NULL, "audience" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d6accd596037f1873f72b6c0129" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_70e283c157138702a0b72ac394" ON "webhook_trust"  ("app_id", "issuer", "subject", "audience") `);
    await queryRunner.query(`ALTER TABLE "webhook_trust" ADD CONSTRAINT "FK_c94decb64a0f41f1c48d26f2c9b" FOREIGN KEY ("app_id") REFERENCES "app"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ci_token_use"`);
    await queryRunner.query(`DROP TABLE "webhook_trust"`);
  }
}
