import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import { LtiPlatform } from './lti-platform.entity';

/**
 * An LtiDeepLinkingRequest waiting for the instructor's pick. The picker page
 * is reached by the random token whose hash is the key (no cookie needed in
 * an iframe); answering it deletes the row, so a request is answered once.
 */
@Entity('lti_deep_links')
@Index('lti_deep_links_expires_at_idx', ['expiresAt'])
export class LtiDeepLink {
  /** sha256 of the token in the picker's URL. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => LtiPlatform, { name: 'lti_deep_links_platform_id_fkey', onDelete: 'CASCADE' })
  platformId: string;

  @Column({ type: 'varchar', length: 255 })
  deploymentId: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'lti_deep_links_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @Column({ type: 'varchar', length: 2048 })
  returnUrl: string;

  /** The platform's opaque `data`, sent back unchanged. */
  @Column({ type: 'varchar', length: 4096, nullable: true })
  data: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
