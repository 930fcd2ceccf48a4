import { MigrationInterface, QueryRunner } from 'typeorm';

export class StoreCompletedActivities1795713014560 implements MigrationInterface {
  name = 'StoreCompletedActivities1795713014560';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "module_progress" ADD "activities_done" uuid array NOT NULL DEFAULT '{}'`);
    // Backfill from the step marks: an activity is done when it has live steps and none is left undone.
    await queryRunner.query(
      `UPDATE "module_progress" p SET "activities_done" = coalesce((
         SELECT array_agg(a.id ORDER BY a.number) FROM activities a
          WHERE a.module_id = p.module_id AND a.retired_at IS NULL
            AND EXISTS (SELECT 1 FROM activity_steps s WHERE s.activity_id = a.id AND s.retired_at IS NULL)
            AND NOT EXISTS (
              SELECT 1 FROM activity_steps s
               WHERE s.activity_id = a.id AND s.retired_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM step_marks m WHERE m.step_id = s.id AND m.user_id = p.user_id AND m.done))
       ), '{}')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "module_progress" DROP COLUMN "activities_done"`);
  }
}
