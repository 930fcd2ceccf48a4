import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { QuestionVersion } from './question-version.entity';
import { Quiz } from './quiz.entity';

export const QUESTION_ORIGINS = ['knowledge_check', 'bank'] as const;
export type QuestionOrigin = (typeof QUESTION_ORIGINS)[number];

/**
 * A question of a quiz, identified across re-imports by its key. What it asks
 * and how it is scored live in its immutable versions; `currentVersionId`
 * names the one new attempts use.
 */
@Entity('questions')
@Index('questions_quiz_id_key_key', ['quizId', 'key'], { unique: true })
export class Question {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => Quiz, { name: 'questions_quiz_id_fkey' })
  @Column({ type: 'uuid' })
  quizId: string;

  /** The answer key's id, or `kc-N` for a knowledge-check question the key does not grade. */
  @Column({ type: 'text' })
  key: string;

  /** 1-based: knowledge-check questions first, then the bank in answer-key order. */
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'integer', nullable: true })
  knowledgeCheckNumber: number | null;

  /** The module section that justifies the answer (answer key); null for ungraded essays. */
  @Column({ type: 'integer', nullable: true })
  section: number | null;

  @Column({ type: 'text', nullable: true })
  subsection: string | null;

  @Column({ type: 'varchar', length: 16 })
  origin: QuestionOrigin;

  // Deferred: a question and its first version are inserted together, each naming the other.
  @ForeignKey(() => QuestionVersion, { name: 'questions_current_version_id_fkey', deferrable: 'INITIALLY DEFERRED' })
  @Column({ type: 'uuid' })
  currentVersionId: string;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
