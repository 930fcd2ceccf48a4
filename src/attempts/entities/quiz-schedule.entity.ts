import { Column, Entity, ForeignKey, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Cohort } from '../../cohorts/entities/cohort.entity';
import { Quiz } from '../../content/entities/quiz.entity';

/**
 * A cohort's dates for a quiz, set by its instructors or admins: each bound
 * set here replaces the quiz's for the cohort's learners; an unset one (null)
 * is the quiz's. See src/attempts/policy/delivery-rule.ts.
 */
@Entity('quiz_schedules')
export class QuizSchedule {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => Cohort, { name: 'quiz_schedules_cohort_id_fkey', onDelete: 'CASCADE' })
  cohortId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => Quiz, { name: 'quiz_schedules_quiz_id_fkey', onDelete: 'CASCADE' })
  quizId: string;

  @Column({ type: 'timestamptz', nullable: true })
  opensAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closesAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
