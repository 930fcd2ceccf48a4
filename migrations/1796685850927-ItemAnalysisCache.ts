import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The item analysis cache (src/cohorts/entities/item-analysis-cache.entity.ts), and what keeps its
 * stamp honest: the stamp digests the row versions (xmin) of the cohort's counted attempts, so a
 * change to a finished attempt's responses, by any writer (the API, a regrade, an SQL import),
 * gives the attempt a new row version. Statement triggers: one UPDATE per statement, none for an
 * attempt still in progress (autosave) or one the statement has already updated (a submit's
 * scores are written with its totals).
 */
const TOUCH_FUNCTION = `CREATE FUNCTION "attempt_responses_touch_attempts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE attempts a SET updated_at = now()
    FROM (SELECT DISTINCT attempt_id FROM changed) c
   WHERE a.id = c.attempt_id AND a.state IN ('graded', 'submitted')
     AND a.xmin::text <> (pg_current_xact_id()::text::bigint % 4294967296)::text;
  RETURN NULL;
END $$`;
const TRIGGERS = [
  ['attempt_responses_inserted_touch_attempts', 'INSERT', 'NEW'],
  ['attempt_responses_updated_touch_attempts', 'UPDATE', 'NEW'],
  ['attempt_responses_deleted_touch_attempts', 'DELETE', 'OLD'],
] as const;

export class ItemAnalysisCache1796685850927 implements MigrationInterface {
  name = 'ItemAnalysisCache1796685850927';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "item_analysis_cache" ("cohort_id" uuid NOT NULL, "quiz_id" uuid NOT NULL, "stamp" character varying(64) NOT NULL, "analysis" jsonb NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_438b386b380815c6c6756c8460d" PRIMARY KEY ("cohort_id", "quiz_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "item_analysis_cache" ADD CONSTRAINT "item_analysis_cache_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "item_analysis_cache" ADD CONSTRAINT "item_analysis_cache_quiz_id_fkey" FOREIGN KEY ("quiz_id") REFERENCES "quizzes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(TOUCH_FUNCTION);
    for (const [name, event, table] of TRIGGERS) {
      await queryRunner.query(
        `CREATE TRIGGER "${name}" AFTER ${event} ON "attempt_responses" REFERENCING ${table} TABLE AS changed
           FOR EACH STATEMENT EXECUTE FUNCTION "attempt_responses_touch_attempts"()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name] of TRIGGERS) await queryRunner.query(`DROP TRIGGER "${name}" ON "attempt_responses"`);
    await queryRunner.query(`DROP FUNCTION "attempt_responses_touch_attempts"()`);
    await queryRunner.query(`ALTER TABLE "item_analysis_cache" DROP CONSTRAINT "item_analysis_cache_quiz_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "item_analysis_cache" DROP CONSTRAINT "item_analysis_cache_cohort_id_fkey"`);
    await queryRunner.query(`DROP TABLE "item_analysis_cache"`);
  }
}
