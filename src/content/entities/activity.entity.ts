import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CourseModule } from './course-module.entity';

/** A hands-on activity of a module (`### Activity 3: …`). */
@Entity('activities')
@Index('activities_module_id_key_key', ['moduleId', 'key'], { unique: true })
export class Activity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @ForeignKey(() => CourseModule, { name: 'activities_module_id_fkey' })
  @Column({ type: 'uuid' })
  moduleId: string;

  /** `activity-3`: stable across re-imports. */
  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'text' })
  title: string;

  /** 1-based place among the module's activities, as written. */
  @Column({ type: 'integer' })
  position: number;

  /** Set when a re-import no longer has it; progress that refers to it stays valid. */
  @Column({ type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}
