import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CompletionRule } from '../import/answer-key';
import type { ParsedNextModule, ParsedResource } from '../module.types';
import type { StoredSection } from '../stored-section';

/**
 * A course module, imported from its Markdown file (and answer key). Named
 * CourseModule so it cannot be mistaken for a Nest module. Modules are never
 * retired: a file's slug is its identity, and a module stays as long as its
 * file might be imported again.
 */
@Entity('modules')
@Index('modules_number_id_idx', ['number', 'id'])
export class CourseModule {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `05-monitoring-logging-and-incident-response`: the module number and title. */
  @Index('modules_slug_key', { unique: true })
  @Column({ type: 'text' })
  slug: string;

  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'jsonb' })
  objectives: string[];

  @Column({ type: 'text', nullable: true })
  estimatedTime: string | null;

  @Column({ type: 'jsonb' })
  sections: StoredSection[];

  @Column({ type: 'jsonb' })
  resources: ParsedResource[];

  @Column({ type: 'jsonb', nullable: true })
  nextModule: ParsedNextModule | null;

  /** sha256 of the Markdown as of the last import that changed anything. */
  @Column({ type: 'varchar', length: 64 })
  sourceHash: string;

  /** sha256 of the answer key as of the last import that changed anything; null without one. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  answerKeyHash: string | null;

  @Column({ type: 'jsonb' })
  completionRule: CompletionRule;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
