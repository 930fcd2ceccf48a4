import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lists of users and clients page by (created_at, id) with a cursor that holds
 * created_at as a JavaScript Date, to the millisecond. With microseconds in the
 * column, a row created in the same millisecond as a page's last row but a few
 * microseconds earlier compared greater than the cursor and was skipped. Kept
 * to milliseconds, the column and the cursor agree. Rewrites both tables (small).
 */
export class MillisecondCreatedAt1795752825211 implements MigrationInterface {
  name = 'MillisecondCreatedAt1795752825211';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "created_at" TYPE TIMESTAMP(3) WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "machine_clients" ALTER COLUMN "created_at" TYPE TIMESTAMP(3) WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "machine_clients" ALTER COLUMN "created_at" TYPE TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "created_at" TYPE TIMESTAMP WITH TIME ZONE`);
  }
}
