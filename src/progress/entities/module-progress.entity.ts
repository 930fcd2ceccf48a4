import { Column, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CourseModule } from '../../content/entities/course-module.entity';
import { User } from '../../users/user.entity';

export const PROGRESS_STATUSES = ['not_started', 'in_progress', 'completed'] as const;
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

/**
 * Where a learner stands in a module, kept up to date in the same transaction
 * as every fact it derives from (a step, an item, an attempt scored or
 * graded), so that reports read one row per learner. Always equal to a
 * recomputation from the facts.
 */
@Entity('module_progress')
@Index('module_progress_module_id_status_idx', ['moduleId', 'status'])
export class ModuleProgress {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'module_progress_user_id_fkey' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => CourseModule, { name: 'module_progress_module_id_fkey' })
  moduleId: string;

  @Column({ type: 'varchar', length: 16 })
  status: ProgressStatus;

  @Column({ type: 'integer' })
  percentage: number;

  @Column({ type: 'integer' })
  stepsDone: number;

  @Column({ type: 'integer' })
  stepsTotal: number;

  @Column({ type: 'integer' })
  itemsDone: number;

  /** Activities with every step done, so reports count them from this row alone. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  activitiesDone: string[];

  @Column({ type: 'integer' })
  itemsTotal: number;

  @Column({ type: 'integer' })
  attemptsUsed: number;

  /** The knowledge-check score that counts (0 to 1), by the quiz's rule. */
  @Column({ type: 'double precision', nullable: true })
  countedScore: number | null;

  @Column({ type: 'boolean', nullable: true })
  passed: boolean | null;

  /** When the completion rule first held; kept if the learner later un-ticks something. */
  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastActivityAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
