import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Optional } from '../../common/http/optional';
import { ROLES, type Role } from '../../auth/access.types';

export class ExportedUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true }) externalId: string | null;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deletedAt: string | null;
}

const rows = (description: string) =>
  ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description });

/** Everything the service holds about a person (GET /v1/users/{id}/export). */
export class PersonalDataExportDto {
  @ApiProperty({ format: 'date-time' }) exportedAt: string;
  @ApiProperty({ type: ExportedUserDto }) user: ExportedUserDto;
  @rows('Cohorts the person is or was in, with their role') cohortMemberships: Record<string, unknown>[];
  @rows('Every attempt, with each answer as given and how it was scored or graded') attempts: Record<string, unknown>[];
  @rows('Activity steps marked done or not done, with the evidence given') stepMarks: Record<string, unknown>[];
  @rows('Checklist items ticked, with evidence and verification') checklistMarks: Record<string, unknown>[];
  @rows('Progress per module') moduleProgress: Record<string, unknown>[];
  @rows('Standing accommodations on quizzes (extra time, attempts, dates), with their reasons')
  accommodations: Record<string, unknown>[];
  @rows('Sign-in sessions (refresh token families): when made, used, revoked; never the tokens')
  sessions: Record<string, unknown>[];
  @rows('Audit events the person made, or that concern them') auditEvents: Record<string, unknown>[];
  @rows('Events sent to webhooks about the person, still kept (EVENT_RETENTION_DAYS)') events: Record<
    string,
    unknown
  >[];
}

export class DeleteUserQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'true: erase the person’s data (pseudonymise them; attempts and scores stay for statistics, without identity). ' +
      'See README, "Personal data".',
  })
  @Optional()
  @IsIn(['true', 'false'])
  erase?: 'true' | 'false';
}
