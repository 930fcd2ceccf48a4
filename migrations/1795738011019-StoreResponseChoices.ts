import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What item analysis reads of a response, kept by the database so that every writer (the app,
 * regrades, SQL imports) keeps it right: `blank`, and the chosen choice ids of a single or
 * multiple choice answer; and an index holding every column the analysis reads, so that it never
 * parses JSON or visits the table. Adding the columns rewrites attempt_responses (about 6 s per
 * 500,000 rows on the benchmark machine), holding its lock meanwhile.
 */
export class StoreResponseChoices1795738011019 implements MigrationInterface {
  name = 'StoreResponseChoices1795738011019';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A generated column needs an IMMUTABLE function. This one never raises, whatever the JSON, so no
    // write can fail on it. The ids as a JSON array text, distinct, in byte order (so that a set of ids
    // has one spelling and grouping by it is cheap); JSON nulls dropped, other ids as their text, as
    // the report always read them. jsonb_build_array and jsonb_agg are STABLE because some types print
    // according to settings; text does not, so the result depends on the response alone. PL/pgSQL,
    // not SQL: a SQL function that cannot be inlined is set up again by every statement that writes
    // responses (measured: 1.0-1.3 ms more per 42-answer save with it, 0.3 ms with this).
    await queryRunner.query(
      `CREATE FUNCTION "attempt_response_choice_ids"(response jsonb) RETURNS text
         LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
         AS $$
         BEGIN
           IF response ->> 'type' = 'single_choice' AND response ->> 'choiceId' IS NOT NULL THEN
             RETURN jsonb_build_array(response ->> 'choiceId')::text;
           ELSIF response ->> 'type' = 'multiple_choice' AND jsonb_typeof(response -> 'choiceIds') = 'array' THEN
             RETURN (SELECT coalesce(jsonb_agg(id ORDER BY id COLLATE "C"), '[]')::text
                       FROM (SELECT DISTINCT id FROM jsonb_array_elements_text(response -> 'choiceIds') AS e(id)
                              WHERE id IS NOT NULL) AS ids);
           END IF;
           RETURN NULL;
         END
         $$`,
    );
    // One ALTER, so the table is rewritten once.
    await queryRunner.query(
      `ALTER TABLE "attempt_responses"
         ADD "blank" boolean GENERATED ALWAYS AS (response IS NULL) STORED NOT NULL,
         ADD "choice_ids" text GENERATED ALWAYS AS (attempt_response_choice_ids(response)) STORED`,
    );
    // TypeORM reads generated columns' expressions from here (it creates the table before migrating),
    // by the name of the database it is connected to: not the one this migration was generated on.
    await queryRunner.query(
      `INSERT INTO "typeorm_metadata"("database", "schema", "table", "type", "name", "value")
       VALUES (current_database(), current_schema(), 'attempt_responses', 'GENERATED_COLUMN', 'blank', $1),
              (current_database(), current_schema(), 'attempt_responses', 'GENERATED_COLUMN', 'choice_ids', $2)`,
      ['response IS NULL', 'attempt_response_choice_ids(response)'],
    );
    // Scored rows only (max_score is null until an attempt is scored, and the report reads rows worth
    // points): saves during an attempt do not touch it.
    await queryRunner.query(
      `CREATE INDEX "attempt_responses_item_analysis_idx" ON "attempt_responses" ("attempt_id")
         INCLUDE ("question_version_id", "auto_score", "manual_score", "max_score", "blank", "choice_ids")
         WHERE max_score > 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "attempt_responses_item_analysis_idx"`);
    await queryRunner.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "database" = current_database()
          AND "schema" = current_schema() AND "table" = 'attempt_responses' AND "name" IN ('blank', 'choice_ids')`,
    );
    await queryRunner.query(`ALTER TABLE "attempt_responses" DROP COLUMN "choice_ids", DROP COLUMN "blank"`);
    await queryRunner.query(`DROP FUNCTION "attempt_response_choice_ids"(jsonb)`);
  }
}
