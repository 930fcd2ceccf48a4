import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/http/pagination';
import { Optional } from '../../common/http/optional';

export class GradingQueueQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this quiz (one of the cohort’s modules’)' })
  @Optional()
  @IsUUID()
  quiz?: string;
}

export class GradingQueueLearnerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() displayName: string;
}

/** One answer waiting for a person: what they need to grade it through POST /v1/attempts/{id}/grades. */
export class GradingQueueItemDto {
  @ApiProperty({ format: 'uuid' }) attemptId: string;
  @ApiProperty({ description: 'The learner’s attempt number on the quiz' }) attemptNumber: number;
  @ApiProperty({ type: GradingQueueLearnerDto }) learner: GradingQueueLearnerDto;
  @ApiProperty({ format: 'uuid' }) quizId: string;
  @ApiProperty({ format: 'uuid', description: 'Name it as questionVersionId in the grade' }) questionVersionId: string;
  @ApiProperty({ description: '1-based position of the question in the attempt' }) position: number;
  @ApiProperty({ example: 'essay' }) questionType: string;
  @ApiProperty({ description: 'The prompt as the learner saw it' }) prompt: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The learner’s answer as text (an essay’s text; another type’s answer as JSON)',
  })
  answer: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The model answer or rubric the answer key holds for graders (never shown to learners before review)',
  })
  rubric: string | null;
  @ApiProperty({ description: 'The most the grade may give' }) maxScore: number;
  @ApiProperty({ format: 'date-time' }) submittedAt: string;
}

export class GradingQueueDto {
  @ApiProperty({ format: 'uuid' }) cohortId: string;
  @ApiProperty({ type: [GradingQueueItemDto], description: 'Oldest submitted first' }) items: GradingQueueItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
