import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CourseModule } from '../../content/entities/course-module.entity';
import { LtiContext } from './lti-context.entity';
import { LtiPlatform } from './lti-platform.entity';

/**
 * A placement of the tool in a platform's course (the launch's
 * `resource_link`): which module it opens, and the AGS line item its scores
 * go to. The module comes from the link's custom parameters (`module`, set by
 * deep linking) on its first launch and stays.
 */
@Entity('lti_resource_links')
@Index('lti_resource_links_platform_deployment_link_key', ['platformId', 'deploymentId', 'resourceLinkId'], {
  unique: true,
})
@Index('lti_resource_links_context_id_idx', ['contextId'])
export class LtiResourceLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => LtiPlatform, { name: 'lti_resource_links_platform_id_fkey', onDelete: 'CASCADE' })
  platformId: string;

  @Column({ type: 'varchar', length: 255 })
  deploymentId: string;

  @Column({ type: 'varchar', length: 255 })
  resourceLinkId: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => LtiContext, { name: 'lti_resource_links_context_id_fkey', onDelete: 'CASCADE' })
  contextId: string;

  @Column({ type: 'uuid' })
  @ForeignKey(() => CourseModule, { name: 'lti_resource_links_module_id_fkey' })
  moduleId: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  title: string | null;

  /** The AGS line item for this link, as the launch named it (or as found or created for it). */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  lineItemUrl: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
