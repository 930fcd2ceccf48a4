import { MigrationInterface, QueryRunner } from 'typeorm';

export class LtiScorePassback1796676616591 implements MigrationInterface {
  name = 'LtiScorePassback1796676616591';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "lti_passbacks" ("resource_link_id" uuid NOT NULL, "user_id" uuid NOT NULL, "state" character varying(16) NOT NULL, "last_timestamp" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "last_score" jsonb NOT NULL, "last_status" integer, "last_response" character varying(1024), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0a4e393bf592019d76963f6e5d0" PRIMARY KEY ("resource_link_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "webhook_endpoints_one_lti_ags_key" ON "webhook_endpoints"  ("kind") WHERE kind = 'lti_ags'`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_passbacks" ADD CONSTRAINT "lti_passbacks_resource_link_id_fkey" FOREIGN KEY ("resource_link_id") REFERENCES "lti_resource_links"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_passbacks" ADD CONSTRAINT "lti_passbacks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lti_passbacks" DROP CONSTRAINT "lti_passbacks_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_passbacks" DROP CONSTRAINT "lti_passbacks_resource_link_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_one_lti_ags_key"`);
    await queryRunner.query(`DROP TABLE "lti_passbacks"`);
  }
}
