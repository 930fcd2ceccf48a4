import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { LtiPlatform } from './lti-platform.entity';

/**
 * A login begun at /lti/login and not yet finished by its launch: the
 * `state` (hashed) and the `nonce` are kept here, not in a cookie, so a
 * launch in an iframe whose third-party cookies are blocked still works.
 * The launch deletes the row: a state, and with it a nonce, serves once.
 */
@Entity('lti_logins')
@Index('lti_logins_expires_at_idx', ['expiresAt'])
export class LtiLogin {
  /** sha256 of the `state` sent to the platform. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  stateHash: string;

  @Column({ type: 'varchar', length: 64 })
  nonce: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => LtiPlatform, { name: 'lti_logins_platform_id_fkey', onDelete: 'CASCADE' })
  platformId: string;

  /** The deployment the login named, when it named one. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  deploymentId: string | null;

  @Column({ type: 'varchar', length: 2048 })
  targetLinkUri: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
