import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCohorts1795710063552 implements MigrationInterface {
  name = 'CreateCohorts1795710063552';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "cohorts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "module_ids" uuid array NOT NULL DEFAULT '{}', "starts_at" TIMESTAMP WITH TIME ZONE, "ends_at" TIMESTAMP WITH TIME ZONE, "archived" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fd38f76b135e907b834fda1e752" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "cohort_members" ("cohort_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9001e01b40ea73c30f7bb495f11" PRIMARY KEY ("cohort_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "cohort_members_user_id_role_status_idx" ON "cohort_members"  ("user_id", "role", "status") `,
    );
    await queryRunner.query(
      `ALTER TABLE "cohort_members" ADD CONSTRAINT "cohort_members_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cohort_members" ADD CONSTRAINT "cohort_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "cohort_members" DROP CONSTRAINT "cohort_members_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "cohort_members" DROP CONSTRAINT "cohort_members_cohort_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."cohort_members_user_id_role_status_idx"`);
    await queryRunner.query(`DROP TABLE "cohort_members"`);
    await queryRunner.query(`DROP TABLE "cohorts"`);
  }
}
