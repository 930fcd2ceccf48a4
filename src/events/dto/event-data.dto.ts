import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The `data` of each event type, documented as OpenAPI components (see event-types.ts). */

export class EventUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true, description: 'The LMS’s id for this person' }) externalId: string | null;
}

export class EventModuleDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '05-monitoring-logging-and-incident-response' }) slug: string;
}

export class EventScoreDto {
  @ApiProperty({ type: Number, nullable: true }) raw: number | null;
  @ApiProperty({ type: Number, nullable: true }) max: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'raw / max, in [0, 1]' }) scaled: number | null;
  @ApiProperty({ type: Boolean, nullable: true }) passed: boolean | null;
  @ApiProperty({ description: 'Questions still waiting for a person to grade them' }) pending: number;
}

/** What every event about a learner carries. */
export class LearnerEventDto {
  @ApiProperty({ type: EventUserDto }) user: EventUserDto;
  @ApiProperty({ type: [String], description: 'The cohorts the learner is an active member of' }) cohortIds: string[];
  @ApiProperty({ type: EventModuleDto }) module: EventModuleDto;
}

export class AttemptEventDto extends LearnerEventDto {
  @ApiProperty({ format: 'uuid' }) quizId: string;
  @ApiProperty({ format: 'uuid' }) attemptId: string;
  @ApiProperty({ description: '1, 2, 3… per learner and quiz' }) attemptNumber: number;
  @ApiProperty({ enum: ['in_progress', 'submitted', 'pending_grading', 'graded', 'abandoned'] }) state: string;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submittedAt: string | null;
  @ApiProperty({ type: EventScoreDto, nullable: true, description: 'Null until submitted' })
  score: EventScoreDto | null;
}

export class GradeChangedEventDto extends AttemptEventDto {
  @ApiProperty({ type: EventScoreDto }) before: EventScoreDto;
  @ApiProperty({ enum: ['override', 'regrade'] }) cause: string;
  @ApiPropertyOptional({ description: 'The grader’s reason, for an override' }) reason?: string;
}

export class ProgressEventDto extends LearnerEventDto {
  @ApiProperty({ enum: ['not_started', 'in_progress', 'completed'] }) status: string;
  @ApiPropertyOptional({ type: [String], description: 'For progress.uncompleted: what is no longer met' })
  unmet?: string[];
}

export class ProgressUpdatedEventDto extends LearnerEventDto {
  @ApiProperty({ enum: ['not_started', 'in_progress', 'completed'] }) status: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) percentage: number;
  @ApiProperty() stepsDone: number;
  @ApiProperty() stepsTotal: number;
  @ApiProperty({ description: 'Checklist items done' }) itemsDone: number;
  @ApiProperty() itemsTotal: number;
  @ApiProperty({ description: 'Attempts of the knowledge check used' }) attemptsUsed: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The knowledge check score that counts, 0 to 1' })
  countedScore: number | null;
  @ApiProperty({ type: Boolean, nullable: true }) passed: boolean | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastActivityAt: string | null;
}

export class ModuleImportedEventDto {
  @ApiProperty({ type: EventModuleDto }) module: EventModuleDto;
  @ApiProperty({ enum: ['created', 'updated', 'unchanged'] }) status: string;
  @ApiProperty({ description: 'Questions, activities and checklist items added' }) added: number;
  @ApiProperty() changed: number;
  @ApiProperty() retired: number;
}

export class RosterChangedEventDto {
  @ApiProperty({ format: 'uuid' }) cohortId: string;
  @ApiProperty({ type: [EventUserDto] }) added: EventUserDto[];
  @ApiProperty({ type: [EventUserDto] }) removed: EventUserDto[];
}

export class UserDeletedEventDto {
  @ApiProperty({ type: EventUserDto }) user: EventUserDto;
  @ApiProperty({ type: [String], description: 'The cohorts the person was an active member of' }) cohortIds: string[];
}

export class WebhookTestEventDto {
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty() message: string;
}
