import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ActivityStep } from '../../content/entities/activity-step.entity';
import { CourseModule } from '../../content/entities/course-module.entity';
import { User } from '../../users/user.entity';

/** A learner's activity step, done or not done, with who said so and when. One row per learner and step. */
@Entity('step_marks')
@Index('step_marks_user_id_module_id_idx', ['userId', 'moduleId'])
export class StepMark {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'step_marks_user_id_fkey' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => ActivityStep, { name: 'step_marks_step_id_fkey' })
  stepId: string;

  @ForeignKey(() => CourseModule, { name: 'step_marks_module_id_fkey' })
  @Column({ type: 'uuid' })
  moduleId: string;

  @Column({ type: 'boolean' })
  done: boolean;

  /** The person or client that recorded it (`user:<id>` or `client:<id>`). */
  @Column({ type: 'varchar', length: 80 })
  markedBy: string;

  @Column({ type: 'timestamptz' })
  markedAt: Date;

  @Column({ type: 'text', nullable: true })
  evidence: string | null;
}
