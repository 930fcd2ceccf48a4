import { MigrationInterface, QueryRunner } from 'typeorm';

export class XapiDestination1796634703787 implements MigrationInterface {
  name = 'XapiDestination1796634703787';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "webhook_endpoints" ADD "kind" character varying(16) NOT NULL DEFAULT 'webhook'`,
    );
    await queryRunner.query(`CREATE INDEX "events_ordering_key_seq_idx" ON "events"  ("ordering_key", "seq") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "webhook_endpoints_one_xapi_key" ON "webhook_endpoints"  ("kind") WHERE kind = 'xapi'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_one_xapi_key"`);
    await queryRunner.query(`DROP INDEX "public"."events_ordering_key_seq_idx"`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" DROP COLUMN "kind"`);
  }
}
