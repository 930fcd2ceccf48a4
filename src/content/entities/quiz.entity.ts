import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { QuizSettings } from '../import/answer-key';
import { CourseModule } from './course-module.entity';

/** The module's knowledge check: its own questions and the bank the answer key adds. One per module. */
@Entity('quizzes')
export class Quiz {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('quizzes_module_id_key', { unique: true })
  @ForeignKey(() => CourseModule, { name: 'quizzes_module_id_fkey' })
  @Column({ type: 'uuid' })
  moduleId: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'jsonb' })
  settings: QuizSettings;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
