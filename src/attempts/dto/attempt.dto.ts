import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { ProblemDetails } from '../../common/errors/problem';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { MaxDecimalPlaces } from '../../common/http/decimal-places';
import { LearnerQuestionDto } from '../../content/dto/quiz.dto';
import type { ResponseValue } from '../../content/question.types';
import { ATTEMPT_STATES, type AttemptState } from '../entities/attempt.entity';
import { Optional } from '../../common/http/optional';

/** The 409 of a start: no attempts left, too soon after the last one, or the same Idempotency-Key still running. */
export class AttemptRefusedProblemDto extends ProblemDetails {
  @ApiPropertyOptional({
    example: 3600,
    description: 'Too soon: seconds until another attempt may start (the Retry-After header too)',
  })
  retryAfter?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Not open yet: when it opens for this learner' })
  opensAt?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Closed: when it closed for this learner' })
  closesAt?: string;
}

export class StartAttemptDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The learner to start for; instructors and machine clients must name one. Learners omit it.',
  })
  @Optional()
  @IsUUID()
  userId?: string;
}

export class ResponseInputDto {
  @ApiProperty({ format: 'uuid', description: 'A question version of this attempt' })
  @IsUUID()
  questionVersionId: string;

  @ApiProperty({
    nullable: true,
    description:
      'The answer, shaped by the question type: `{ type: "single_choice", choiceId }`, `{ type: "multiple_choice", ' +
      'choiceIds }`, `{ type: "true_false", value }`, `{ type: "short_text", text }`, `{ type: "numeric", value }`, ' +
      '`{ type: "ordering", order }`, `{ type: "matching", pairs }`, `{ type: "essay", text }`; null clears it.',
    example: { type: 'single_choice', choiceId: 'a' },
  })
  @IsOptional()
  @IsObject()
  response: ResponseValue | null;
}

export class SaveResponsesDto {
  @ApiProperty({ type: [ResponseInputDto], minItems: 1, maxItems: 200 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ResponseInputDto)
  responses: ResponseInputDto[];
}

export class GradeInputDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  questionVersionId: string;

  @ApiProperty({
    minimum: 0,
    maximum: 10_000,
    description: 'Points awarded, at most the question’s points and 4 decimal places',
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimalPlaces(4)
  @Min(0)
  @Max(10_000)
  score: number;

  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Why: kept in the audit trail' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class GradeAttemptDto {
  @ApiProperty({ type: [GradeInputDto], minItems: 1, maxItems: 200 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => GradeInputDto)
  grades: GradeInputDto[];
}

export class RegradeDto {
  @ApiPropertyOptional({ default: false, description: 'List what would change without changing it' })
  @Optional()
  @IsBoolean()
  dryRun?: boolean;
}

export class ListAttemptsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @Optional()
  @IsUUID()
  quizId?: string;
}

export class AttemptQuestionDto {
  @ApiProperty({ format: 'uuid' })
  questionVersionId: string;

  @ApiProperty({ description: '1-based position in this attempt' })
  position: number;

  @ApiProperty({ type: LearnerQuestionDto })
  question: LearnerQuestionDto;

  @ApiProperty({ nullable: true, type: Object, description: 'The saved answer, if any' })
  response: ResponseValue | null;
}

export class AttemptScoreDto {
  @ApiProperty({ nullable: true, type: Number })
  raw: number | null;

  @ApiProperty({ nullable: true, type: Number })
  max: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'raw / max, 0 to 1' })
  scaled: number | null;

  @ApiProperty({ nullable: true, type: Boolean, description: 'Null while a person has questions to grade' })
  passed: boolean | null;

  @ApiProperty({ description: 'Questions waiting for a person to grade them' })
  pending: number;
}

export class QuestionResultDto {
  @ApiProperty({ format: 'uuid' })
  questionVersionId: string;

  @ApiProperty()
  maxScore: number;

  @ApiPropertyOptional({ nullable: true, type: Number })
  score?: number | null;

  @ApiPropertyOptional({ enum: ['correct', 'partial', 'incorrect', 'pending'] })
  correctness?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Feedback on this answer: of the choices selected, of the true/false value given, or for a wrong ' +
      'short-text or numeric answer (an anticipated one’s, else the general one). Review policy permitting.',
  })
  feedback?: string[];

  @ApiPropertyOptional({ description: 'The right answer (review policy permitting)' })
  rightAnswer?: unknown;

  @ApiPropertyOptional()
  explanation?: string;
}

export class RuleWindowSourceDto {
  @ApiProperty({ enum: ['quiz', 'cohort'], description: 'The quiz’s own dates, or a cohort’s schedule' })
  from: 'quiz' | 'cohort';

  @ApiPropertyOptional({ format: 'uuid', description: 'The cohort whose schedule gave the dates' })
  cohortId?: string;
}

export class AttemptRuleDto {
  @ApiProperty({ type: RuleWindowSourceDto })
  window: RuleWindowSourceDto;

  @ApiProperty({ description: 'A standing accommodation of the learner applied (its terms are on the learner)' })
  accommodated: boolean;

  @ApiProperty({ description: 'Minutes this attempt was extended by after it started' })
  extendedMinutes: number;
}

/** When an attempt was due and what lateness cost; the rule behind it for staff only. */
export class AttemptDeliveryDto {
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'The learner’s due date' })
  dueAt: string | null;

  @ApiProperty({ description: 'Finished after the due date' })
  late: boolean;

  @ApiProperty({ description: 'Taken off the scaled score for lateness, 0–1 (the quiz’s late policy)' })
  lateDeduction: number;

  @ApiPropertyOptional({
    type: AttemptRuleDto,
    description: 'Which rule applied (staff and clients only; a learner sees only its effect)',
  })
  rule?: AttemptRuleDto;
}

export class AttemptResponseDto extends AttemptDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  quizId: string;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty()
  number: number;

  @ApiProperty({ enum: ATTEMPT_STATES })
  state: AttemptState;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  deadlineAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Deadline plus grace period' })
  closesAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  submittedAt: string | null;

  @ApiProperty({ type: [AttemptQuestionDto] })
  questions: AttemptQuestionDto[];

  @ApiProperty({ type: AttemptScoreDto, nullable: true, description: 'Once finished' })
  score: AttemptScoreDto | null;

  @ApiProperty({ type: [QuestionResultDto], description: 'Per question, as far as the review policy allows' })
  results: QuestionResultDto[];

  @ApiProperty({ description: 'Attempts this learner has used on the quiz' })
  attemptsUsed: number;

  @ApiProperty({
    description: 'A number, or "unlimited"',
    oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }],
  })
  attemptsAllowed: number | 'unlimited';
}

/** An attempt in a list: its place and score, without questions or results. */
export class AttemptSummaryDto extends PickType(AttemptResponseDto, [
  'id',
  'quizId',
  'number',
  'state',
  'startedAt',
  'submittedAt',
  'score',
  'dueAt',
  'late',
  'lateDeduction',
  'rule',
] as const) {}

export class CountedGradeDto {
  @ApiProperty({ format: 'uuid' })
  quizId: string;

  @ApiProperty({ enum: ['highest', 'latest', 'first', 'average'] })
  gradingMethod: string;

  @ApiProperty({ nullable: true, type: Number })
  scaled: number | null;

  @ApiProperty({ nullable: true, type: Number, description: 'The attempt that counts (null for average)' })
  attemptNumber: number | null;

  @ApiProperty({ nullable: true, type: Boolean })
  passed: boolean | null;

  @ApiProperty()
  attemptsUsed: number;

  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }] })
  attemptsAllowed: number | 'unlimited';
}

export class AttemptListDto {
  @ApiProperty({ type: [AttemptSummaryDto] })
  items: AttemptSummaryDto[];

  @ApiProperty({ type: [CountedGradeDto], description: 'The grade that counts, per quiz, by the quiz’s rule' })
  grades: CountedGradeDto[];
}

export class RegradeChangeDto {
  @ApiProperty({ format: 'uuid' })
  attemptId: string;

  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty()
  number: number;

  @ApiProperty({ type: AttemptScoreDto })
  from: AttemptScoreDto;

  @ApiProperty({ type: AttemptScoreDto })
  to: AttemptScoreDto;
}

export class RegradeReportDto {
  @ApiProperty()
  dryRun: boolean;

  @ApiProperty({ description: 'Finished attempts looked at' })
  examined: number;

  @ApiProperty({ type: [RegradeChangeDto], description: 'Every attempt whose score changes' })
  changes: RegradeChangeDto[];
}
