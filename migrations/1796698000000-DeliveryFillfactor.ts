import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on each page of webhook_deliveries for a row's next version: the claim (lease, attempts,
 * last try) changes no indexed column, so with free space on the page it is a HOT update and
 * writes none of the table's six indexes again. Full pages (the default fillfactor of 100) sent
 * about two claims in three to another page, with a new entry in every index.
 */
export class DeliveryFillfactor1796698000000 implements MigrationInterface {
  name = 'DeliveryFillfactor1796698000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" SET (fillfactor = 50)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" RESET (fillfactor)`);
  }
}
