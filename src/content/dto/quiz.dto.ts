import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { QUESTION_ORIGINS, type Question, type QuestionOrigin } from '../entities/question.entity';
import type { QuestionVersion } from '../entities/question-version.entity';
import type { Quiz } from '../entities/quiz.entity';
import { toLearnerQuestion } from '../learner-view';
import { QUESTION_TYPES, type QuestionDefinition, type QuestionType } from '../question.types';
import { QuizSettingsDto, toQuizSettings } from './quiz-settings.dto';
import { Optional } from '../../common/http/optional';

export class QuizQueryDto {
  @ApiPropertyOptional({
    enum: ['answers'],
    description: 'Full definitions: keys, feedback, explanations, cited section. Admins, instructors, content:write.',
  })
  @Optional()
  @IsIn(['answers'])
  include?: 'answers';
}

export class LabelledItemDto {
  @ApiProperty({ example: 'a' })
  id: string;

  @ApiProperty({ example: 'Logging API calls and account activity' })
  text: string;
}

/** What a learner may see of a question: no key, feedback or explanation (see learner-view.ts). */
export class LearnerQuestionDto {
  @ApiProperty({ enum: QUESTION_TYPES })
  type: QuestionType;

  @ApiProperty()
  prompt: string;

  @ApiProperty({ example: 1 })
  points: number;

  @ApiPropertyOptional({
    description: 'The author’s hint, shown while answering (never the answer key)',
    example: 'Section 2 names the service that CloudWatch Alarms notify through.',
  })
  hint?: string;

  @ApiPropertyOptional({ type: [LabelledItemDto], description: 'single_choice, multiple_choice' })
  choices?: LabelledItemDto[];

  @ApiPropertyOptional({ type: [LabelledItemDto], description: 'ordering: in no particular order' })
  items?: LabelledItemDto[];

  @ApiPropertyOptional({ type: [LabelledItemDto], description: 'matching: what to match' })
  prompts?: LabelledItemDto[];

  @ApiPropertyOptional({ type: [LabelledItemDto], description: 'matching: what to match it with' })
  options?: LabelledItemDto[];

  @ApiPropertyOptional({ description: 'numeric' })
  unit?: string;

  @ApiPropertyOptional({ description: 'essay' })
  maxWords?: number;
}

export class QuizQuestionDto extends LearnerQuestionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'The current version; attempts record the version they were given' })
  versionId: string;

  @ApiProperty({ example: 'kc-1' })
  key: string;

  @ApiProperty({ example: 1 })
  position: number;

  @ApiProperty({ enum: QUESTION_ORIGINS })
  origin: QuestionOrigin;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The module’s knowledge-check number, for its own questions',
  })
  knowledgeCheckNumber: number | null;

  @ApiPropertyOptional({ description: 'With include=answers: the version number' })
  version?: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'With include=answers: the section that justifies the answer',
  })
  section?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'With include=answers: the subsection' })
  subsection?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'With include=answers: the full definition as the answer key gives it (docs/answer-key.md)',
  })
  definition?: QuestionDefinition;
}

export class QuizDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  moduleId: string;

  @ApiProperty({ example: 'Module 5 Knowledge Check' })
  title: string;

  @ApiProperty({ type: QuizSettingsDto })
  settings: QuizSettingsDto;

  @ApiProperty({ type: [QuizQuestionDto], description: 'Knowledge-check questions first, then the bank' })
  questions: QuizQuestionDto[];
}

/** The learner view always; with `withAnswers`, the full definition and its citation beside it. */
export function toQuizQuestion(question: Question, version: QuestionVersion, withAnswers: boolean): QuizQuestionDto {
  const seen = {
    id: question.id,
    versionId: version.id,
    key: question.key,
    position: question.position,
    origin: question.origin,
    knowledgeCheckNumber: question.knowledgeCheckNumber,
    ...toLearnerQuestion(version.definition),
  };
  if (!withAnswers) return seen;
  return {
    ...seen,
    version: version.version,
    section: question.section,
    subsection: question.subsection,
    definition: version.definition,
  };
}

export function toQuiz(quiz: Quiz, questions: QuizQuestionDto[]): QuizDto {
  return {
    id: quiz.id,
    moduleId: quiz.moduleId,
    title: quiz.title,
    settings: toQuizSettings(quiz.settings),
    questions,
  };
}
