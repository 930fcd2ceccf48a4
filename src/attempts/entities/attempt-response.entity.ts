import { Column, Entity, ForeignKey, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { QuestionVersion } from '../../content/entities/question-version.entity';
import type { Correctness, ResponseValue } from '../../content/question.types';
import { Attempt } from './attempt.entity';

/** A learner's answer to one question of an attempt, and how it was scored. */
@Entity('attempt_responses')
// Item analysis reads a cohort's scored responses from this index alone: on attempt_id, INCLUDE
// (question_version_id, auto_score, manual_score, max_score, blank, choice_ids), WHERE max_score > 0.
// TypeORM cannot express that; the migration StoreResponseChoices creates it and schema sync leaves it alone.
@Index('attempt_responses_item_analysis_idx', { synchronize: false })
export class AttemptResponse {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => Attempt, { name: 'attempt_responses_attempt_id_fkey', onDelete: 'CASCADE' })
  attemptId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => QuestionVersion, { name: 'attempt_responses_question_version_id_fkey' })
  questionVersionId: string;

  /** Null: saved as blank. */
  @Column({ type: 'jsonb', nullable: true })
  response: ResponseValue | null;

  /**
   * The version whose key scored this answer: the version shown, or the
   * corrected one a regrade applied. Null until scored.
   */
  @Column({ type: 'uuid', nullable: true })
  scoredVersionId: string | null;

  /** The scorer's result; null for an essay (a person grades it) or before scoring. */
  @Column({ type: 'double precision', nullable: true })
  autoScore: number | null;

  /** A person's grade or override; when set, it is the score that counts. */
  @Column({ type: 'double precision', nullable: true })
  manualScore: number | null;

  @Column({ type: 'double precision', nullable: true })
  maxScore: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  correctness: Correctness | null;

  @Column({ type: 'jsonb', nullable: true })
  feedback: string[] | null;

  @Column({ type: 'uuid', nullable: true })
  gradedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  gradedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  gradeReason: string | null;

  /** Left unanswered; kept by the database. */
  @Column({ type: 'boolean', generatedType: 'STORED', asExpression: 'response IS NULL', insert: false, update: false })
  readonly blank: boolean;

  /**
   * What a single or multiple choice response chose: its distinct ids as a JSON array, in byte order
   * (`["a","c"]`); null for other responses. Kept by the database (function attempt_response_choice_ids).
   */
  @Column({
    type: 'text',
    nullable: true,
    generatedType: 'STORED',
    asExpression: 'attempt_response_choice_ids(response)',
    insert: false,
    update: false,
  })
  readonly choiceIds: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
