import { MigrationInterface, QueryRunner } from 'typeorm';

export class LtiTool1796675990583 implements MigrationInterface {
  name = 'LtiTool1796675990583';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "lti_platforms" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "issuer" character varying(255) NOT NULL, "client_id" character varying(255) NOT NULL, "deployment_ids" character varying(255) array NOT NULL, "authorization_url" character varying(2048) NOT NULL, "token_url" character varying(2048) NOT NULL, "token_audience" character varying(2048), "jwks_url" character varying(2048) NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d4c8406fcb347bf7b1fc8a12441" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "lti_platforms_issuer_client_id_key" ON "lti_platforms"  ("issuer", "client_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "lti_contexts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "platform_id" uuid NOT NULL, "deployment_id" character varying(255) NOT NULL, "context_id" character varying(255) NOT NULL, "cohort_id" uuid NOT NULL, "memberships_url" character varying(2048), "line_items_url" character varying(2048), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7e424c25e79ee5b3a1cedf2fc25" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "lti_contexts_cohort_id_idx" ON "lti_contexts"  ("cohort_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "lti_contexts_platform_deployment_context_key" ON "lti_contexts"  ("platform_id", "deployment_id", "context_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "lti_deep_links" ("token_hash" character varying(64) NOT NULL, "platform_id" uuid NOT NULL, "deployment_id" character varying(255) NOT NULL, "user_id" uuid NOT NULL, "return_url" character varying(2048) NOT NULL, "data" character varying(4096), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_479821d5861d24a2808fd1c35d8" PRIMARY KEY ("token_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "lti_deep_links_expires_at_idx" ON "lti_deep_links"  ("expires_at") `);
    await queryRunner.query(
      `CREATE TABLE "lti_identities" ("platform_id" uuid NOT NULL, "sub" character varying(255) NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ee82c9aa1b22b62a377424feb1e" PRIMARY KEY ("platform_id", "sub"))`,
    );
    await queryRunner.query(`CREATE INDEX "lti_identities_user_id_idx" ON "lti_identities"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "lti_keys" ("kid" character varying(64) NOT NULL, "public_jwk" jsonb NOT NULL, "private_key_ciphertext" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_64c1551d2d006c7fb61f587be62" PRIMARY KEY ("kid"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "lti_logins" ("state_hash" character varying(64) NOT NULL, "nonce" character varying(64) NOT NULL, "platform_id" uuid NOT NULL, "deployment_id" character varying(255), "target_link_uri" character varying(2048) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_fed4c7d979221b7e58278dea4c9" PRIMARY KEY ("state_hash"))`,
    );
    await queryRunner.query(`CREATE INDEX "lti_logins_expires_at_idx" ON "lti_logins"  ("expires_at") `);
    await queryRunner.query(
      `CREATE TABLE "lti_resource_links" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "platform_id" uuid NOT NULL, "deployment_id" character varying(255) NOT NULL, "resource_link_id" character varying(255) NOT NULL, "context_id" uuid NOT NULL, "module_id" uuid NOT NULL, "title" character varying(255), "line_item_url" character varying(2048), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_58eb2be30346e2b3b7ad92d83d5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "lti_resource_links_context_id_idx" ON "lti_resource_links"  ("context_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "lti_resource_links_platform_deployment_link_key" ON "lti_resource_links"  ("platform_id", "deployment_id", "resource_link_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_contexts" ADD CONSTRAINT "lti_contexts_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_contexts" ADD CONSTRAINT "lti_contexts_cohort_id_fkey" FOREIGN KEY ("cohort_id") REFERENCES "cohorts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_deep_links" ADD CONSTRAINT "lti_deep_links_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_deep_links" ADD CONSTRAINT "lti_deep_links_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_identities" ADD CONSTRAINT "lti_identities_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_identities" ADD CONSTRAINT "lti_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_logins" ADD CONSTRAINT "lti_logins_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_context_id_fkey" FOREIGN KEY ("context_id") REFERENCES "lti_contexts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_module_id_fkey" FOREIGN KEY ("module_id") REFERENCES "modules"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lti_resource_links" DROP CONSTRAINT "lti_resource_links_module_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_resource_links" DROP CONSTRAINT "lti_resource_links_context_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_resource_links" DROP CONSTRAINT "lti_resource_links_platform_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_logins" DROP CONSTRAINT "lti_logins_platform_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_identities" DROP CONSTRAINT "lti_identities_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_identities" DROP CONSTRAINT "lti_identities_platform_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_deep_links" DROP CONSTRAINT "lti_deep_links_user_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_deep_links" DROP CONSTRAINT "lti_deep_links_platform_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_contexts" DROP CONSTRAINT "lti_contexts_cohort_id_fkey"`);
    await queryRunner.query(`ALTER TABLE "lti_contexts" DROP CONSTRAINT "lti_contexts_platform_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."lti_resource_links_platform_deployment_link_key"`);
    await queryRunner.query(`DROP INDEX "public"."lti_resource_links_context_id_idx"`);
    await queryRunner.query(`DROP TABLE "lti_resource_links"`);
    await queryRunner.query(`DROP INDEX "public"."lti_logins_expires_at_idx"`);
    await queryRunner.query(`DROP TABLE "lti_logins"`);
    await queryRunner.query(`DROP TABLE "lti_keys"`);
    await queryRunner.query(`DROP INDEX "public"."lti_identities_user_id_idx"`);
    await queryRunner.query(`DROP TABLE "lti_identities"`);
    await queryRunner.query(`DROP INDEX "public"."lti_deep_links_expires_at_idx"`);
    await queryRunner.query(`DROP TABLE "lti_deep_links"`);
    await queryRunner.query(`DROP INDEX "public"."lti_contexts_platform_deployment_context_key"`);
    await queryRunner.query(`DROP INDEX "public"."lti_contexts_cohort_id_idx"`);
    await queryRunner.query(`DROP TABLE "lti_contexts"`);
    await queryRunner.query(`DROP INDEX "public"."lti_platforms_issuer_client_id_key"`);
    await queryRunner.query(`DROP TABLE "lti_platforms"`);
  }
}
