import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProgressUpdates1796630234969 implements MigrationInterface {
  name = 'ProgressUpdates1796630234969';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "progress_update_queue" ("user_id" uuid NOT NULL, "module_id" uuid NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "last_emitted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b2da0977e47fcc9965628efc998" PRIMARY KEY ("user_id", "module_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "progress_update_queue_due_idx" ON "progress_update_queue"  ("due_at") WHERE due_at IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "progress_update_queue" ADD CONSTRAINT "progress_update_queue_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "progress_update_queue" ADD CONSTRAINT "progress_update_queue_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "progress_update_queue" DROP CONSTRAINT "progress_update_queue_module_id_fkey"`,
    );
    await queryRunner.query(`ALTER TABLE "progress_update_queue" DROP CONSTRAINT "progress_update_queue_user_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."progress_update_queue_due_idx"`);
    await queryRunner.query(`DROP TABLE "progress_update_queue"`);
  }
}
