import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Cohort } from '../../cohorts/entities/cohort.entity';
import { LtiPlatform } from './lti-platform.entity';

/** A platform's course (the launch's `context`), and the cohort it is here. */
@Entity('lti_contexts')
// A context id is unique within its deployment (LTI 1.3 Core, context claim).
@Index('lti_contexts_platform_deployment_context_key', ['platformId', 'deploymentId', 'contextId'], { unique: true })
@Index('lti_contexts_cohort_id_idx', ['cohortId'])
export class LtiContext {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => LtiPlatform, { name: 'lti_contexts_platform_id_fkey', onDelete: 'CASCADE' })
  platformId: string;

  @Column({ type: 'varchar', length: 255 })
  deploymentId: string;

  @Column({ type: 'varchar', length: 255 })
  contextId: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => Cohort, { name: 'lti_contexts_cohort_id_fkey', onDelete: 'CASCADE' })
  cohortId: string;

  /** The NRPS membership container of the context, from the last launch that named it. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  membershipsUrl: string | null;

  /** The AGS line items container of the context, from the last launch that named it. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  lineItemsUrl: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
