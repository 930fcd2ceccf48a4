import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import { Cohort } from './cohort.entity';

export const MEMBER_ROLES = ['learner', 'instructor'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
export const MEMBER_STATUSES = ['active', 'inactive'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** A person in a cohort, with a role and a status, as LTI Names and Role Provisioning Services has them. */
@Entity('cohort_members')
// Who an instructor teaches, and which cohorts a person is in, are looked up by user.
@Index('cohort_members_user_id_role_status_idx', ['userId', 'role', 'status'])
export class CohortMember {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => Cohort, { name: 'cohort_members_cohort_id_fkey', onDelete: 'CASCADE' })
  cohortId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'cohort_members_user_id_fkey' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  role: MemberRole;

  @Column({ type: 'varchar', length: 16 })
  status: MemberStatus;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
