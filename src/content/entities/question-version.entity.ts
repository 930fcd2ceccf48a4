import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { QuestionDefinition } from '../question.types';
import { Question } from './question.entity';

/**
 * What a question asked and how it was scored, at one point in time. Never
 * updated: an attempt scores against the versions it started with.
 */
@Entity('question_versions')
@Index('question_versions_question_id_version_key', ['questionId', 'version'], { unique: true })
export class QuestionVersion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => Question, { name: 'question_versions_question_id_fkey' })
  @Column({ type: 'uuid' })
  questionId: string;

  /** 1, 2, 3… per question. */
  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'jsonb' })
  definition: QuestionDefinition;

  /** sha256 of the definition's canonical JSON; a re-import makes a version only when it differs. */
  @Column({ type: 'varchar', length: 64 })
  contentHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
