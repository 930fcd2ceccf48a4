import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { Optional } from '../../common/http/optional';

export const REPORT_STATUSES = ['not_started', 'in_progress', 'completed', 'failed', 'stuck'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export const REPORT_SORTS = ['name', 'status', 'percentage', 'score', 'lastActivity', 'completedAt'] as const;
export type ReportSort = (typeof REPORT_SORTS)[number];

export class CohortProgressQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Module slug or id; may be omitted when the cohort covers one module',
    maxLength: 200,
  })
  @Optional()
  @IsString()
  @MaxLength(200)
  module?: string;

  @ApiPropertyOptional({
    enum: REPORT_STATUSES,
    description: '`failed`: not passed and no attempts left; `stuck`: in progress with no activity for `stuckDays`',
  })
  @Optional()
  @IsIn(REPORT_STATUSES)
  status?: ReportStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 365, default: 7 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  stuckDays: number = 7;

  @ApiPropertyOptional({
    description:
      'Only learners whose display name or email contains this text (case-insensitive); pages keep the filter',
    minLength: 1,
    maxLength: 100,
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: REPORT_SORTS, default: 'name' })
  @Optional()
  @IsIn(REPORT_SORTS)
  sort: ReportSort = 'name';

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @Optional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}

export class ProgressRowDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ nullable: true, type: String }) externalId: string | null;
  @ApiProperty({ enum: ['not_started', 'in_progress', 'completed'] }) status: string;
  @ApiProperty({ description: 'Not passed and no attempts left' }) failed: boolean;
  @ApiProperty({ description: 'In progress, no activity for stuckDays' }) stuck: boolean;
  @ApiProperty() percentage: number;
  @ApiProperty() stepsDone: number;
  @ApiProperty() itemsDone: number;
  @ApiProperty() attemptsUsed: number;
  @ApiProperty({ description: 'Attempts finished after the learner’s due date' }) lateAttempts: number;
  @ApiProperty({ description: 'The learner has a standing accommodation on the module’s quiz (terms: staff routes)' })
  accommodated: boolean;
  @ApiProperty({ nullable: true, type: Number }) countedScore: number | null;
  @ApiProperty({ nullable: true, type: Boolean }) passed: boolean | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastActivityAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt: string | null;
}

export class ActivityRateDto {
  @ApiProperty({ format: 'uuid' }) activityId: string;
  @ApiProperty() number: number;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'Learners with every step done' }) completed: number;
  @ApiProperty({ description: 'completed / learners' }) rate: number;
}

export class ProgressSummaryDto {
  @ApiProperty() learners: number;
  @ApiProperty({
    description: 'Learners per status; failed and stuck overlap the three base statuses',
    example: { not_started: 3, in_progress: 10, completed: 5, failed: 1, stuck: 2 },
  })
  counts: Record<ReportStatus, number>;
  @ApiProperty({ description: 'completed / learners' }) completionRate: number;
  @ApiProperty({ description: 'passed / learners' }) passRate: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Of counted scores, 0 to 1' }) meanScore: number | null;
  @ApiProperty({ nullable: true, type: Number }) medianScore: number | null;
  @ApiProperty({ type: [Number], description: '10 bins of counted scores: [0, 0.1), …, [0.9, 1]' }) histogram: number[];
  @ApiProperty({ type: [ActivityRateDto] }) activities: ActivityRateDto[];
}

export class CohortProgressDto {
  @ApiProperty({ format: 'uuid' }) cohortId: string;
  @ApiProperty({ format: 'uuid' }) moduleId: string;
  @ApiProperty({ type: ProgressSummaryDto }) summary: ProgressSummaryDto;
  @ApiProperty({ type: [ProgressRowDto] }) items: ProgressRowDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

class ChoiceShareDto {
  @ApiProperty() id: string;
  @ApiProperty() text: string;
  @ApiProperty({ description: 'Share of responses choosing it' }) share: number;
}

class ItemStatisticsDto {
  @ApiProperty({ format: 'uuid' }) questionId: string;
  @ApiProperty() questionKey: string;
  @ApiProperty() questionType: string;
  @ApiProperty({ description: 'Counted attempts that showed the question (question pools draw some per attempt)' })
  shown: number;
  @ApiProperty({ description: 'Shown in every counted attempt: part of the totals, the groups’ ranking and alpha' })
  shared: boolean;
  @ApiProperty({ description: 'Scored responses (blanks count: they scored 0)' }) responses: number;
  @ApiProperty({ nullable: true, type: Number }) blankShare: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Facility index p: mean score / max' }) facility:
    number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Upper 27% mean − lower 27% mean' }) discrimination:
    number | null;
  @ApiPropertyOptional({ type: [ChoiceShareDto] }) choices?: ChoiceShareDto[];
}

class QuizStatisticsDto {
  @ApiProperty({ nullable: true, type: Number }) mean: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Population standard deviation of totals' })
  standardDeviation: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Over the shared questions' }) cronbachAlpha: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why cronbachAlpha is null (too few shared questions or complete attempts, or equal totals)',
    example: 'only one question was shown in every counted attempt; alpha needs two',
  })
  alphaOmittedReason: string | null;
  @ApiProperty({ description: 'Questions shown in every counted attempt; totals, mean and alpha are over these' })
  sharedQuestions: number;
  @ApiProperty({ description: 'Sum of the shared questions’ maximum scores' }) maxScore: number;
}

export class ItemAnalysisDto {
  @ApiProperty({ format: 'uuid' }) cohortId: string;
  @ApiProperty({ format: 'uuid' }) quizId: string;
  @ApiProperty({ description: 'Learners with a finished attempt' }) learners: number;
  @ApiProperty({ type: QuizStatisticsDto }) quiz: QuizStatisticsDto;
  @ApiProperty({ type: [ItemStatisticsDto] }) items: ItemStatisticsDto[];
}
