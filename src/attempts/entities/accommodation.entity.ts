import { Column, Entity, ForeignKey, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Quiz } from '../../content/entities/quiz.entity';
import { User } from '../../users/user.entity';

/**
 * A learner's standing accommodation on a quiz (extra time for a disability,
 * say): applies to every attempt they start. The reason is for staff and the
 * audit trail; the learner sees only the effect. Personal data: exported with
 * the person's record and deleted when they are erased.
 */
@Entity('accommodations')
export class Accommodation {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'accommodations_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => Quiz, { name: 'accommodations_quiz_id_fkey', onDelete: 'CASCADE' })
  quizId: string;

  @Column({ type: 'integer', default: 0 })
  extraAttempts: number;

  @Column({ type: 'double precision', default: 1 })
  timeMultiplier: number;

  @Column({ type: 'integer', default: 0 })
  extraMinutes: number;

  /** Replaces the learner's due date or closing where later; null leaves them. */
  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closesAt: Date | null;

  @Column({ type: 'text' })
  reason: string;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
