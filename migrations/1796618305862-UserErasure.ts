import { MigrationInterface, QueryRunner } from 'typeorm';

export class UserErasure1796618305862 implements MigrationInterface {
  name = 'UserErasure1796618305862';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "erased_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "erased_at"`);
  }
}
