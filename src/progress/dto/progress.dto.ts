import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { PROGRESS_STATUSES, type ProgressStatus } from '../entities/module-progress.entity';
import { Optional } from '../../common/http/optional';

export class MarkDto {
  @ApiProperty({ description: 'Done or not done; repeating the same value changes nothing' })
  @IsBoolean()
  done: boolean;

  @ApiPropertyOptional({ maxLength: 2000, description: 'What shows it was done (a note, a link)' })
  @Optional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(2000)
  evidence?: string;
}

export class VerifyDto {
  @ApiProperty({ description: 'Verified (true) or verification withdrawn (false)' })
  @IsBoolean()
  verified: boolean;
}

class ModuleRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() slug: string;
  @ApiProperty() number: number;
  @ApiProperty() title: string;
}

class StepProgressDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() number: number;
  @ApiProperty() text: string;
  @ApiProperty() done: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) doneAt: string | null;
}

class ActivityProgressDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() number: number;
  @ApiProperty() title: string;
  @ApiProperty() stepsDone: number;
  @ApiProperty() stepsTotal: number;
  @ApiProperty({ type: [StepProgressDto] }) steps: StepProgressDto[];
}

class ChecklistProgressDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() key: string;
  @ApiProperty() position: number;
  @ApiProperty() text: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Done when this activity’s steps are' })
  activityId: string | null;
  @ApiProperty() done: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) doneAt: string | null;
  @ApiProperty() requiresVerification: boolean;
  @ApiProperty() verified: boolean;
}

class KnowledgeCheckProgressDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) quizId: string | null;
  @ApiProperty() attemptsUsed: number;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }] })
  attemptsLeft: number | 'unlimited';
  @ApiProperty({ nullable: true, type: Number, description: 'The score that counts, 0 to 1' }) countedScore:
    number | null;
  @ApiProperty({ nullable: true, type: Boolean }) passed: boolean | null;
  @ApiProperty() pendingGrading: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'For this learner (their rule)' })
  opensAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) dueAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) closesAt: string | null;
}

class XapiResultDto {
  @ApiProperty() completion: boolean;
  @ApiPropertyOptional() success?: boolean;
  @ApiPropertyOptional({ type: 'object', properties: { scaled: { type: 'number' } } }) score?: { scaled: number };
}

class LtiProgressDto {
  @ApiProperty({ enum: ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'] }) activityProgress: string;
  @ApiProperty({ enum: ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'] }) gradingProgress: string;
}

export class ModuleProgressDto {
  @ApiProperty({ type: ModuleRefDto }) module: ModuleRefDto;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: PROGRESS_STATUSES }) status: ProgressStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) percentage: number;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the module was first completed',
  })
  completedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastActivityAt: string | null;
  @ApiProperty({ type: [String], description: 'What is still missing, in words a learner understands' })
  unmet: string[];
  @ApiProperty({ type: [ActivityProgressDto] }) activities: ActivityProgressDto[];
  @ApiProperty({ type: [ChecklistProgressDto] }) checklist: ChecklistProgressDto[];
  @ApiProperty({ type: KnowledgeCheckProgressDto }) knowledgeCheck: KnowledgeCheckProgressDto;
  @ApiProperty({ type: XapiResultDto, description: 'The same status as an xAPI result' }) xapi: XapiResultDto;
  @ApiProperty({ type: LtiProgressDto, description: 'The same status as LTI AGS score progress' }) lti: LtiProgressDto;
}

export class CourseProgressDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ type: [ModuleProgressDto] }) modules: ModuleProgressDto[];
}
