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

  /**
   * LTI client-side storage (1EdTech "OIDC Login with LTI Client Side postMessages"): the frame the platform
   * named in `lti_storage_target`, and sha256 of the secret the login page put in that frame's storage. The
   * launch must read the same secret back in the same browser, which binds it to the browser that began the
   * login where a cookie cannot (third-party cookies blocked in the LMS's iframe). Null when not offered.
   */
  @Column({ type: 'varchar', length: 255, nullable: true })
  storageTarget: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  storageBindingHash: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
