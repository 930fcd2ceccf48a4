import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { CourseModule } from '../content/entities/course-module.entity';
import { User } from '../users/user.entity';

/**
 * A learner's module progress that changed and owes a `progress.updated`
 * event: written with the change (so it is never lost), turned into one event
 * for every change of the last second by ProgressUpdates.
 */
@Entity('progress_update_queue')
@Index('progress_update_queue_due_idx', ['dueAt'], { where: 'due_at IS NOT NULL' })
export class ProgressUpdate {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'progress_update_queue_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => CourseModule, { name: 'progress_update_queue_module_id_fkey', onDelete: 'CASCADE' })
  moduleId: string;

  /** When the event is to be written; null while nothing is owed. */
  @Column({ type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** When the last one was: the next is due a second later at the earliest. */
  @Column({ type: 'timestamptz', nullable: true })
  lastEmittedAt: Date | null;
}
