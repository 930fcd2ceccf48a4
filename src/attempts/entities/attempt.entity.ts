import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Quiz } from '../../content/entities/quiz.entity';
import { User } from '../../users/user.entity';
import type { RuleSources } from '../policy/delivery-rule';

/**
 * `in_progress` → `graded` when every question scores automatically, or →
 * `pending_grading` until a person grades the essays, then `graded`.
 * `submitted` names a finished attempt not yet scored (kept for imports of
 * attempts scored elsewhere); `abandoned` an attempt closed without a score.
 */
export const ATTEMPT_STATES = ['in_progress', 'submitted', 'pending_grading', 'graded', 'abandoned'] as const;
export type AttemptState = (typeof ATTEMPT_STATES)[number];

/** What an attempt records of the rule that applied when it started (see policy/delivery-rule.ts). */
export interface AttemptRule {
  window: RuleSources['window'];
  accommodated: boolean;
  /** The attempts the learner's rule allowed when it started (the quiz's, plus an accommodation's). */
  attemptsAllowed: number | 'unlimited';
  /** Minutes added to this attempt after it started (POST /v1/attempts/{id}/extend). */
  extendedMinutes: number;
}

@Entity('attempts')
@Index('attempts_user_id_quiz_id_number_key', ['userId', 'quizId', 'number'], { unique: true })
// Invariant 1: at most one attempt in progress per learner and quiz, enforced by the database.
@Index('attempts_one_in_progress_key', ['userId', 'quizId'], { unique: true, where: "state = 'in_progress'" })
@Index('attempts_closes_at_idx', ['closesAt'], { where: "state = 'in_progress' AND closes_at IS NOT NULL" })
@Index('attempts_quiz_id_idx', ['quizId'])
export class Attempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => Quiz, { name: 'attempts_quiz_id_fkey' })
  @Column({ type: 'uuid' })
  quizId: string;

  @ForeignKey(() => User, { name: 'attempts_user_id_fkey' })
  @Column({ type: 'uuid' })
  userId: string;

  /** 1, 2, 3… per learner and quiz, without gaps. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 16 })
  state: AttemptState;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  /** Start + time limit; null without a time limit. */
  @Column({ type: 'timestamptz', nullable: true })
  deadlineAt: Date | null;

  /** Deadline + grace period: nothing is accepted after it. */
  @Column({ type: 'timestamptz', nullable: true })
  closesAt: Date | null;

  /** When the learner submitted, or the deadline for an attempt closed by the sweeper. */
  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  /** Question version ids in the order this attempt presents them (pinned at start). */
  @Column({ type: 'jsonb' })
  questionOrder: string[];

  /** Question version id → choice (or item, option) ids in presented order. */
  @Column({ type: 'jsonb' })
  choiceOrder: Record<string, string[]>;

  @Column({ type: 'double precision', nullable: true })
  scoreRaw: number | null;

  @Column({ type: 'double precision', nullable: true })
  scoreMax: number | null;

  /** raw / max, in [0, 1]. */
  @Column({ type: 'double precision', nullable: true })
  scoreScaled: number | null;

  @Column({ type: 'boolean', nullable: true })
  passed: boolean | null;

  /** The due date that applied when the attempt started (the learner's rule); null when none. */
  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** Finished after `dueAt`. */
  @Column({ type: 'boolean', default: false })
  late: boolean;

  /** Taken off the scaled score for lateness, by the quiz's late policy, 0–1. */
  @Column({ type: 'double precision', default: 0 })
  lateDeduction: number;

  /** Where the rule came from (quiz or a cohort's schedule; accommodated or not) and extensions given. */
  @Column({ type: 'jsonb', nullable: true })
  rule: AttemptRule | null;

  /** Questions still waiting for a person to grade them. */
  @Column({ type: 'integer', default: 0 })
  pendingCount: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
