import { MigrationInterface, QueryRunner } from 'typeorm';

export class LtiClientStorage1796685886702 implements MigrationInterface {
  name = 'LtiClientStorage1796685886702';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lti_platforms" ADD "requires_client_storage" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "lti_logins" ADD "storage_target" character varying(255)`);
    await queryRunner.query(`ALTER TABLE "lti_logins" ADD "storage_binding_hash" character varying(64)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lti_logins" DROP COLUMN "storage_binding_hash"`);
    await queryRunner.query(`ALTER TABLE "lti_logins" DROP COLUMN "storage_target"`);
    await queryRunner.query(`ALTER TABLE "lti_platforms" DROP COLUMN "requires_client_storage"`);
  }
}
