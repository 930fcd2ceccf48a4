import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Quiz } from '../../content/entities/quiz.entity';
import { Cohort } from './cohort.entity';

/**
 * The item analysis of a quiz over a cohort's learners as last computed (the aggregate statement's
 * result), with the stamp of the inputs it was computed from. A report serves it only while the
 * stamp computed afresh is the same (reports/item-analysis-stamp.ts); otherwise it computes again.
 */
@Entity('item_analysis_cache')
export class ItemAnalysisCache {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => Cohort, { name: 'item_analysis_cache_cohort_id_fkey', onDelete: 'CASCADE' })
  cohortId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => Quiz, { name: 'item_analysis_cache_quiz_id_fkey', onDelete: 'CASCADE' })
  quizId: string;

  /** A digest of the roster, the counted attempts' state and the grading method (see the stamp). */
  @Column({ type: 'varchar', length: 64 })
  stamp: string;

  @Column({ type: 'jsonb' })
  analysis: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  computedAt: Date;
}
