import { MigrationInterface, QueryRunner } from 'typeorm';

export class RecordScoringVersion1795710933243 implements MigrationInterface {
  name = 'RecordScoringVersion1795710933243';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "attempt_responses" ADD "scored_version_id" uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "attempt_responses" DROP COLUMN "scored_version_id"`);
  }
}
