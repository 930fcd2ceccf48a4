import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProgress1795709651052 implements MigrationInterface {
  name = 'CreateProgress1795709651052';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "checklist_marks" ("user_id" uuid NOT NULL, "item_id" uuid NOT NULL, "module_id" uuid NOT NULL, "done" boolean NOT NULL, "marked_by" character varying(80) NOT NULL, "marked_at" TIMESTAMP WITH TIME ZONE NOT NULL, "evidence" text, "verified_by" character varying(80), "verified_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6618d6cb1e2443d49371caf2e75" PRIMARY KEY ("user_id", "item_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "checklist_marks_user_id_module_id_idx" ON "checklist_marks"  ("user_id", "module_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "module_progress" ("user_id" uuid NOT NULL, "module_id" uuid NOT NULL, "status" character varying(16) NOT NULL, "percentage" integer NOT NULL, "steps_done" integer NOT NULL, "steps_total" integer NOT NULL, "items_done" integer NOT NULL, "items_total" integer NOT NULL, "attempts_used" integer NOT NULL, "counted_score" double precision, "passed" boolean, "completed_at" TIMESTAMP WITH TIME ZONE, "last_activity_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5ae0b42cafd1eed442f90ed4608" PRIMARY KEY ("user_id", "module_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "module_progress_module_id_status_idx" ON "module_progress"  ("module_id", "status") `,
    );
    await queryRunner.query(
      `CREATE TABLE "step_marks" ("user_id" uuid NOT NULL, "step_id" uuid NOT NULL, "module_id" uuid NOT NULL, "done" boolean NOT NULL, "marked_by" character varying(80) NOT NULL, "marked_at" TIMESTAMP WITH TIME ZONE NOT NULL, "evidence" text, CONSTRAINT "PK_1f7f6ea3d8d65e8302b0d78d40d" PRIMARY KEY ("user_id", "step_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "step_marks_user_id_module_id_idx" ON "step_marks"  ("user_id", "module_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "checklist_marks" ADD CONSTRAINT "checklist_marks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "checklist_marks" ADD CONSTRAINT "checklist_marks_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "checklist_items"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "checklist_marks" ADD CONSTRAINT "checklist_marks_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "module_progress" ADD CONSTRAINT "module_progress_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "module_progress" ADD CONSTRAINT "module_progress_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "step_marks" ADD CONSTRAINT "step_marks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "step_marks" ADD CONSTRAINT "step_marks_step_id_fkey" FOREIGN KEY ("step_id") REFERENCES "activity_steps"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "step_marks" ADD CONSTRAINT "step_marks_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "step_marks" DROP CONSTRAINT "step_marks_module_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "step_marks" DROP CONSTRAINT "step_marks_step_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "step_marks" DROP CONSTRAINT "step_marks_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "module_progress" DROP CONSTRAINT "module_progress_module_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "module_progress" DROP CONSTRAINT "module_progress_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "checklist_marks" DROP CONSTRAINT "checklist_marks_module_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "checklist_marks" DROP CONSTRAINT "checklist_marks_item_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "checklist_marks" DROP CONSTRAINT "checklist_marks_user_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."step_marks_user_id_module_id_idx"`);
    await queryRunner.query(`DROP TABLE "step_marks"`);
    await queryRunner.query(`DROP INDEX "public"."module_progress_module_id_status_idx"`);
    await queryRunner.query(`DROP TABLE "module_progress"`);
    await queryRunner.query(`DROP INDEX "public"."checklist_marks_user_id_module_id_idx"`);
    await queryRunner.query(`DROP TABLE "checklist_marks"`);
  }
}
