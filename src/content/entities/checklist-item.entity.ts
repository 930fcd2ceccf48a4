import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Activity } from './activity.entity';
import { CourseModule } from './course-module.entity';

/** An item of the module's completion checklist (`- [ ] …`). */
@Entity('checklist_items')
@Index('checklist_items_module_id_key_key', ['moduleId', 'key'], { unique: true })
export class ChecklistItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => CourseModule, { name: 'checklist_items_module_id_fkey' })
  @Column({ type: 'uuid' })
  moduleId: string;

  /** Slug of the text, unique in the module: `completed-activity-1-enable-and-configure-cloudtrail`. */
  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text' })
  text: string;

  /** The activity an item like `Completed Activity 3: …` names. */
  @Index('checklist_items_activity_id_idx')
  @ForeignKey(() => Activity, { name: 'checklist_items_activity_id_fkey' })
  @Column({ type: 'uuid', nullable: true })
  activityId: string | null;

  /** Counts as done only once an instructor has verified it (the answer key's completion rule). */
  @Column({ type: 'boolean', default: false })
  requiresVerification: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
