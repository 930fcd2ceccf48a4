import { Column, Entity, ForeignKey, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import { LtiResourceLink } from './lti-resource-link.entity';

export const PASSBACK_STATES = ['synced', 'pending', 'failed'] as const;
export type PassbackState = (typeof PASSBACK_STATES)[number];

/**
 * Where a learner's score on one resource link stands with the platform's
 * gradebook (AGS): the last score sent, and how the platform took it.
 */
@Entity('lti_passbacks')
export class LtiPassback {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => LtiResourceLink, { name: 'lti_passbacks_resource_link_id_fkey', onDelete: 'CASCADE' })
  resourceLinkId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'lti_passbacks_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  /** `synced`: the platform took the last score; `pending`: being retried; `failed`: given up (see lastResponse). */
  @Column({ type: 'varchar', length: 16 })
  state: PassbackState;

  /** The `timestamp` of the last score sent: each next one is later (platforms drop an older one). */
  @Column({ type: 'timestamptz', precision: 3 })
  lastTimestamp: Date;

  /** What was sent last: activity and grading progress, and the score given. */
  @Column({ type: 'jsonb' })
  lastScore: Record<string, unknown>;

  @Column({ type: 'integer', nullable: true })
  lastStatus: number | null;

  /** The first bytes of the platform's last answer, or what went wrong on the way. */
  @Column({ type: 'varchar', length: 1024, nullable: true })
  lastResponse: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
