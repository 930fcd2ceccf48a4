import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ChecklistItem } from '../../content/entities/checklist-item.entity';
import { CourseModule } from '../../content/entities/course-module.entity';
import { User } from '../../users/user.entity';

/**
 * A learner's tick of a checklist item that is not linked to an activity (a
 * linked item follows its activity's steps), and an instructor's verification.
 */
@Entity('checklist_marks')
@Index('checklist_marks_user_id_module_id_idx', ['userId', 'moduleId'])
export class ChecklistMark {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => User, { name: 'checklist_marks_user_id_fkey' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey(() => ChecklistItem, { name: 'checklist_marks_item_id_fkey' })
  itemId: string;

  @ForeignKey(() => CourseModule, { name: 'checklist_marks_module_id_fkey' })
  @Column({ type: 'uuid' })
  moduleId: string;

  @Column({ type: 'boolean' })
  done: boolean;

  @Column({ type: 'varchar', length: 80 })
  markedBy: string;

  @Column({ type: 'timestamptz' })
  markedAt: Date;

  @Column({ type: 'text', nullable: true })
  evidence: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  verifiedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;
}
