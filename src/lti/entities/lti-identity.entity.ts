import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import { LtiPlatform } from './lti-platform.entity';

/** A person as a platform knows them, (issuer, `sub`), and the user they are here. */
@Entity('lti_identities')
@Index('lti_identities_user_id_idx', ['userId'])
export class LtiIdentity {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => LtiPlatform, { name: 'lti_identities_platform_id_fkey', onDelete: 'CASCADE' })
  platformId: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  sub: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'lti_identities_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
