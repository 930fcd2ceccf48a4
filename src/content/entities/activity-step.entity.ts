import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Activity } from './activity.entity';
import { CourseModule } from './course-module.entity';

/** One numbered step of an activity; learners tick steps off. */
@Entity('activity_steps')
@Index('activity_steps_module_id_key_key', ['moduleId', 'key'], { unique: true })
export class ActivityStep {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('activity_steps_activity_id_idx')
  @ForeignKey(() => Activity, { name: 'activity_steps_activity_id_fkey' })
  @Column({ type: 'uuid' })
  activityId: string;

  @ForeignKey(() => CourseModule, { name: 'activity_steps_module_id_fkey' })
  @Column({ type: 'uuid' })
  moduleId: string;

  /** `activity-3-step-2`: stable across re-imports. */
  @Column({ type: 'text' })
  key: string;

  /** 1-based place in the activity's list. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'text' })
  text: string;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
