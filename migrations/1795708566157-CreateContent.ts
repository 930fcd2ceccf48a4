import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateContent1795708566157 implements MigrationInterface {
  name = 'CreateContent1795708566157';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "modules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "number" integer NOT NULL, "title" text NOT NULL, "objectives" jsonb NOT NULL, "estimated_time" text, "sections" jsonb NOT NULL, "resources" jsonb NOT NULL, "next_module" jsonb, "source_hash" character varying(64) NOT NULL, "answer_key_hash" character varying(64), "completion_rule" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7dbefd488bd96c5bf31f0ce0c95" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "modules_slug_key" ON "modules"  ("slug") `);
    await queryRunner.query(`CREATE INDEX "modules_number_id_idx" ON "modules"  ("number", "id") `);
    await queryRunner.query(
      `CREATE TABLE "activities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "module_id" uuid NOT NULL, "key" text NOT NULL, "number" integer NOT NULL, "title" text NOT NULL, "position" integer NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_7f4004429f731ffb9c88eb486a8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "activities_module_id_key_key" ON "activities"  ("module_id", "key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "activity_steps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "activity_id" uuid NOT NULL, "module_id" uuid NOT NULL, "key" text NOT NULL, "number" integer NOT NULL, "text" text NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_207154bdf80a6a5b4dd4be1cb32" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "activity_steps_activity_id_idx" ON "activity_steps"  ("activity_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "activity_steps_module_id_key_key" ON "activity_steps"  ("module_id", "key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "checklist_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "module_id" uuid NOT NULL, "key" text NOT NULL, "position" integer NOT NULL, "text" text NOT NULL, "activity_id" uuid, "requires_verification" boolean NOT NULL DEFAULT false, "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_bae00945a1d4789bd648e583e29" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "checklist_items_activity_id_idx" ON "checklist_items"  ("activity_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "checklist_items_module_id_key_key" ON "checklist_items"  ("module_id", "key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "question_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "question_id" uuid NOT NULL, "version" integer NOT NULL, "definition" jsonb NOT NULL, "content_hash" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_cf0e5fdf563f7d8286f7d8e68ea" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "question_versions_question_id_version_key" ON "question_versions"  ("question_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "quizzes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "module_id" uuid NOT NULL, "title" text NOT NULL, "settings" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b24f0f7662cf6b3a0e7dba0a1b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "quizzes_module_id_key" ON "quizzes"  ("module_id") `);
    await queryRunner.query(
      `CREATE TABLE "questions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "quiz_id" uuid NOT NULL, "key" text NOT NULL, "position" integer NOT NULL, "knowledge_check_number" integer, "section" integer, "subsection" text, "origin" character varying(16) NOT NULL, "current_version_id" uuid NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_08a6d4b0f49ff300bf3a0ca60ac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "questions_quiz_id_key_key" ON "questions"  ("quiz_id", "key") `);
    await queryRunner.query(
      `ALTER TABLE "activities" ADD CONSTRAINT "activities_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity_steps" ADD CONSTRAINT "activity_steps_activity_id_fkey" FOREIGN KEY ("activity_id") REFERENCES "activities"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity_steps" ADD CONSTRAINT "activity_steps_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "checklist_items" ADD CONSTRAINT "checklist_items_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "checklist_items" ADD CONSTRAINT "checklist_items_activity_id_fkey" FOREIGN KEY ("activity_id") REFERENCES "activities"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "question_versions" ADD CONSTRAINT "question_versions_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "questions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "quizzes" ADD CONSTRAINT "quizzes_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "questions" ADD CONSTRAINT "questions_quiz_id_fkey" FOREIGN KEY ("quiz_id") REFERENCES "quizzes"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "questions" ADD CONSTRAINT "questions_current_version_id_fkey" FOREIGN KEY ("current_version_id") REFERENCES "question_versions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "questions" DROP CONSTRAINT "questions_current_version_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "questions" DROP CONSTRAINT "questions_quiz_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "quizzes" DROP CONSTRAINT "quizzes_module_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "question_versions" DROP CONSTRAINT "question_versions_question_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "checklist_items" DROP CONSTRAINT "checklist_items_activity_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "checklist_items" DROP CONSTRAINT "checklist_items_module_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "activity_steps" DROP CONSTRAINT "activity_steps_module_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "activity_steps" DROP CONSTRAINT "activity_steps_activity_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "activities" DROP CONSTRAINT "activities_module_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."questions_quiz_id_key_key"`);
    await queryRunner.query(`DROP TABLE "questions"`);
    await queryRunner.query(`DROP INDEX "public"."quizzes_module_id_key"`);
    await queryRunner.query(`DROP TABLE "quizzes"`);
    await queryRunner.query(`DROP INDEX "public"."question_versions_question_id_version_key"`);
    await queryRunner.query(`DROP TABLE "question_versions"`);
    await queryRunner.query(`DROP INDEX "public"."checklist_items_module_id_key_key"`);
    await queryRunner.query(`DROP INDEX "public"."checklist_items_activity_id_idx"`);
    await queryRunner.query(`DROP TABLE "checklist_items"`);
    await queryRunner.query(`DROP INDEX "public"."activity_steps_module_id_key_key"`);
    await queryRunner.query(`DROP INDEX "public"."activity_steps_activity_id_idx"`);
    await queryRunner.query(`DROP TABLE "activity_steps"`);
    await queryRunner.query(`DROP INDEX "public"."activities_module_id_key_key"`);
    await queryRunner.query(`DROP TABLE "activities"`);
    await queryRunner.query(`DROP INDEX "public"."modules_number_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."modules_slug_key"`);
    await queryRunner.query(`DROP TABLE "modules"`);
  }
}
