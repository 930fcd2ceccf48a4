import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAttemptsAndIdempotencyKeys1795708984402 implements MigrationInterface {
  name = 'CreateAttemptsAndIdempotencyKeys1795708984402';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "attempts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "quiz_id" uuid NOT NULL, "user_id" uuid NOT NULL, "number" integer NOT NULL, "state" character varying(16) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "deadline_at" TIMESTAMP WITH TIME ZONE, "closes_at" TIMESTAMP WITH TIME ZONE, "submitted_at" TIMESTAMP WITH TIME ZONE, "question_order" jsonb NOT NULL, "choice_order" jsonb NOT NULL, "score_raw" double precision, "score_max" double precision, "score_scaled" double precision, "passed" boolean, "pending_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_295ca261e361fd2fd217754dcac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "attempts_quiz_id_idx" ON "attempts"  ("quiz_id") `);
    await queryRunner.query(
      `CREATE INDEX "attempts_closes_at_idx" ON "attempts"  ("closes_at") WHERE state = 'in_progress' AND closes_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "attempts_one_in_progress_key" ON "attempts"  ("user_id", "quiz_id") WHERE state = 'in_progress'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "attempts_user_id_quiz_id_number_key" ON "attempts"  ("user_id", "quiz_id", "number") `,
    );
    await queryRunner.query(
      `CREATE TABLE "attempt_responses" ("attempt_id" uuid NOT NULL, "question_version_id" uuid NOT NULL, "response" jsonb, "auto_score" double precision, "manual_score" double precision, "max_score" double precision, "correctness" character varying(16), "feedback" jsonb, "graded_by" uuid, "graded_at" TIMESTAMP WITH TIME ZONE, "grade_reason" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7ef46cf8e73aa494e270978ff52" PRIMARY KEY ("attempt_id", "question_version_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("owner" character varying(80) NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character varying(64) NOT NULL, "state" character varying(16) NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_f796aec32cfd80b443f883257a6" PRIMARY KEY ("owner", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys"  ("expires_at") `);
    await queryRunner.query(
      `ALTER TABLE "attempts" ADD CONSTRAINT "attempts_quiz_id_fkey" FOREIGN KEY ("quiz_id") REFERENCES "quizzes"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "attempts" ADD CONSTRAINT "attempts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "attempt_responses" ADD CONSTRAINT "attempt_responses_attempt_id_fkey" FOREIGN KEY ("attempt_id") REFERENCES "attempts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "attempt_responses" ADD CONSTRAINT "attempt_responses_question_version_id_fkey" FOREIGN KEY ("question_version_id") REFERENCES "question_versions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "attempt_responses" DROP CONSTRAINT "attempt_responses_question_version_id_fkey"`,
    );
    await queryRunner.query(`ALTER TABLE "attempt_responses" DROP CONSTRAINT "attempt_responses_attempt_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP CONSTRAINT "attempts_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "attempts" DROP CONSTRAINT "attempts_quiz_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."idempotency_keys_expires_at_idx"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP TABLE "attempt_responses"`);
    await queryRunner.query(`DROP INDEX "public"."attempts_user_id_quiz_id_number_key"`);
    await queryRunner.query(`DROP INDEX "public"."attempts_one_in_progress_key"`);
    await queryRunner.query(`DROP INDEX "public"."attempts_closes_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."attempts_quiz_id_idx"`);
    await queryRunner.query(`DROP TABLE "attempts"`);
  }
}
