import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeliveryRules1796642592088 implements MigrationInterface {
  name = 'DeliveryRules1796642592088';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "accommodations" ("user_id" uuid NOT NULL, "quiz_id" uuid NOT NULL, "extra_attempts" integer NOT NULL DEFAULT '0', "time_multiplier" double precision NOT NULL DEFAULT '1', "extra_minutes" integer NOT NULL DEFAULT '0', "due_at" TIMESTAMP WITH TIME ZONE, "closes_at" TIMESTAMP WITH TIME ZONE, "reason" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_45fa7a5ca73388c375a3b52dcc2" PRIMARY KEY ("user_id", "quiz_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "quiz_schedules" ("cohort_id" uuid NOT NULL, "quiz_id" uuid NOT NULL, "opens_at" TIMESTAMP WITH TIME ZONE, "due_at" TIMESTAMP WITH TIME ZONE, "closes_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9478d4513736eccb0f6dfde35c7" PRIMARY KEY ("cohort_id", "quiz_id"))`,
    );
    await queryRunner.query(`ALTER TABLE "attempts" ADD "due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD "late" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD "late_deduction" double precision NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "attempts" ADD "rule" jsonb`);
    await queryRunner.query(
      `ALTER TABLE "accommodations" ADD CONSTRAINT "accommodations_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "accommodations" ADD CONSTRAINT "accommodations_quiz_id_fkey" FOREIGN KEY ("quiz_id") REFERENCES "quizzes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quiz_schedules" ADD CONSTRAINT "quiz_schedules_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quiz_schedules" ADD CONSTRAINT "quiz_schedules_quiz_id_fkey" FOREIGN KEY ("quiz_id") REFERENCES "quizzes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "quiz_schedules" DROP CONSTRAINT "quiz_schedules_quiz_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "quiz_schedules" DROP CONSTRAINT "quiz_schedules_cohort_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "accommodations" DROP CONSTRAINT "accommodations_quiz_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "accommodations" DROP CONSTRAINT "accommodations_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP COLUMN "rule"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP COLUMN "late_deduction"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP COLUMN "late"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP COLUMN "due_at"`);
    await queryRunner.query(`DROP TABLE "quiz_schedules"`);
    await queryRunner.query(`DROP TABLE "accommodations"`);
  }
}
