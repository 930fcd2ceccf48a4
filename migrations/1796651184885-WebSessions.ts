import { MigrationInterface, QueryRunner } from 'typeorm';

export class WebSessions1796651184885 implements MigrationInterface {
  name = 'WebSessions1796651184885';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "web_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" character varying(64) NOT NULL, "user_id" uuid NOT NULL, "csrf_token" character varying(64) NOT NULL, "via" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3ae6bbf6cb5ac95b7f617d395d3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "web_sessions_token_hash_key" ON "web_sessions"  ("token_hash") `);
    await queryRunner.query(`CREATE INDEX "web_sessions_user_id_idx" ON "web_sessions"  ("user_id") `);
    await queryRunner.query(`CREATE INDEX "web_sessions_expires_at_idx" ON "web_sessions"  ("expires_at") `);
    await queryRunner.query(
      `ALTER TABLE "web_sessions" ADD CONSTRAINT "web_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "web_sessions" DROP CONSTRAINT "web_sessions_user_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."web_sessions_expires_at_idx"`);
    await queryRunner.query(`DROP INDEX "public"."web_sessions_user_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."web_sessions_token_hash_key"`);
    await queryRunner.query(`DROP TABLE "web_sessions"`);
  }
}
