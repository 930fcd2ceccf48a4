import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * An LMS registered to launch the tool (LTI 1.3): what the tool must know to
 * check its id_tokens and to call its services. One issuer may register the
 * tool more than once (several client ids), never the same client id twice.
 */
@Entity('lti_platforms')
@Index('lti_platforms_issuer_client_id_key', ['issuer', 'clientId'], { unique: true })
export class LtiPlatform {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The `iss` of its id_tokens, exactly. */
  @Column({ type: 'varchar', length: 255 })
  issuer: string;

  /** The client id the platform gave the tool: the `aud` of its id_tokens. */
  @Column({ type: 'varchar', length: 255 })
  clientId: string;

  /** The deployments whose launches are accepted (`deployment_id` claim). */
  @Column({ type: 'varchar', length: 255, array: true })
  deploymentIds: string[];

  /** Where the OIDC login sends the browser (the platform's authorization endpoint). */
  @Column({ type: 'varchar', length: 2048 })
  authorizationUrl: string;

  /** OAuth 2 token endpoint, for the services (AGS, NRPS). */
  @Column({ type: 'varchar', length: 2048 })
  tokenUrl: string;

  /** The `aud` of the tool's client assertions when the platform names one; else tokenUrl. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  tokenAudience: string | null;

  @Column({ type: 'varchar', length: 2048 })
  jwksUrl: string;

  /**
   * Every login must bind its launch through the platform's client-side storage (`lti_storage_target`). Set
   * by the first launch so bound, so that a login without it (a downgrade a forged login would use) is
   * refused from then on; an administrator may set or clear it.
   */
  @Column({ type: 'boolean', default: false })
  requiresClientStorage: boolean;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
