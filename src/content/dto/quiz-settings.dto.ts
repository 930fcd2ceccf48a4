import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { QuizSettings } from '../import/answer-key';

export class ReviewPolicyDto {
  @ApiProperty({ enum: ['score', 'correctness', 'answers'], description: 'What a learner sees after submitting' })
  show: QuizSettings['review']['show'];

  @ApiProperty({ enum: ['immediately', 'after_last_attempt'], description: 'From when' })
  when: QuizSettings['review']['when'];
}

export class QuestionPoolDto {
  @ApiProperty({ example: 'cloudtrail' })
  id: string;

  @ApiProperty({ example: 2, description: 'How many of its questions each attempt shows, drawn at random per attempt' })
  draw: number;

  @ApiProperty({
    type: [String],
    example: ['cloudtrail-log-format', 'cloudtrail-insights-purpose'],
    description: 'Keys of its questions',
  })
  questions: string[];
}

export class QuizSettingsDto {
  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', enum: ['unlimited'] },
    ],
    example: 3,
  })
  attemptsAllowed: QuizSettings['attemptsAllowed'];

  @ApiProperty({ enum: ['highest', 'latest', 'first', 'average'], description: 'Which attempt’s score counts' })
  gradingMethod: QuizSettings['gradingMethod'];

  @ApiProperty({ example: 0.7, description: 'Fraction of the maximum score needed to pass' })
  passMark: number;

  @ApiPropertyOptional({ example: 30, description: 'Absent: no time limit' })
  timeLimitMinutes?: number;

  @ApiProperty({ example: 60 })
  gracePeriodSeconds: number;

  @ApiProperty({ example: 0 })
  minimumWaitMinutes: number;

  @ApiProperty()
  shuffleQuestions: boolean;

  @ApiProperty()
  shuffleChoices: boolean;

  @ApiProperty({ type: ReviewPolicyDto })
  review: ReviewPolicyDto;

  @ApiPropertyOptional({
    type: [QuestionPoolDto],
    description: 'Absent: every attempt shows every question. Questions in no pool are shown in every attempt.',
  })
  pools?: QuestionPoolDto[];
}

/** In the documented order (jsonb keeps keys in its own order). */
export function toQuizSettings(settings: QuizSettings): QuizSettingsDto {
  return {
    attemptsAllowed: settings.attemptsAllowed,
    gradingMethod: settings.gradingMethod,
    passMark: settings.passMark,
    ...(settings.timeLimitMinutes === undefined ? {} : { timeLimitMinutes: settings.timeLimitMinutes }),
    gracePeriodSeconds: settings.gracePeriodSeconds,
    minimumWaitMinutes: settings.minimumWaitMinutes,
    shuffleQuestions: settings.shuffleQuestions,
    shuffleChoices: settings.shuffleChoices,
    review: { show: settings.review.show, when: settings.review.when },
    ...(settings.pools?.length
      ? { pools: settings.pools.map((pool) => ({ id: pool.id, draw: pool.draw, questions: [...pool.questions] })) }
      : {}),
  };
}
