import type { QuizSettings } from '../content/import/answer-key';
import { type LearnerQuestion, toLearnerQuestion } from '../content/learner-view';
import type { QuestionDefinition } from '../content/question.types';
import type {
  AttemptDeliveryDto,
  AttemptResponseDto,
  AttemptScoreDto,
  AttemptSummaryDto,
  QuestionResultDto,
} from './dto/attempt.dto';
import type { Attempt } from './entities/attempt.entity';
import type { AttemptResponse } from './entities/attempt-response.entity';
import { redactQuestionResult, reviewVisibility } from './policy/review-policy';

/** What a view reads of each stored response. */
export type ViewedResponse = Pick<
  AttemptResponse,
  'questionVersionId' | 'response' | 'autoScore' | 'manualScore' | 'maxScore' | 'correctness' | 'feedback'
>;

export interface AttemptViewInput {
  attempt: Attempt;
  settings: QuizSettings;
  /** The versions shown (pinned at start). */
  definitions: ReadonlyMap<string, QuestionDefinition>;
  /** The definitions that scored each question (corrected ones after a regrade); defaults to those shown. */
  scoringDefinitions?: ReadonlyMap<string, QuestionDefinition>;
  responses: readonly ViewedResponse[];
  attemptsUsed: number;
  hasAttemptInProgress: boolean;
  /** Learners see what the review policy allows; staff and clients see everything. */
  audience: 'learner' | 'staff';
}

export function toAttemptScore(attempt: Attempt): AttemptScoreDto | null {
  if (attempt.state === 'in_progress' || attempt.scoreMax === null) return null;
  return {
    raw: attempt.scoreRaw,
    max: attempt.scoreMax,
    scaled: attempt.scoreScaled,
    passed: attempt.passed,
    pending: attempt.pendingCount,
  };
}

/** The attempts the learner was allowed when this attempt started (their rule), or the quiz's for older attempts. */
export function attemptsAllowedOf(attempt: Attempt, settings: QuizSettings): number | 'unlimited' {
  return attempt.rule?.attemptsAllowed ?? settings.attemptsAllowed;
}

/** When it was due, whether it was late and what that cost; for staff, also where the rule came from. */
function deliveryOf(attempt: Attempt, audience: 'learner' | 'staff'): AttemptDeliveryDto {
  return {
    dueAt: attempt.dueAt?.toISOString() ?? null,
    late: attempt.late,
    lateDeduction: attempt.lateDeduction,
    // A learner sees the effect (dates, attempts, deductions), never that or why an accommodation exists.
    ...(audience === 'staff' && attempt.rule
      ? {
          rule: {
            window: attempt.rule.window,
            accommodated: attempt.rule.accommodated,
            extendedMinutes: attempt.rule.extendedMinutes,
          },
        }
      : {}),
  };
}

export function toAttemptSummary(attempt: Attempt, audience: 'learner' | 'staff'): AttemptSummaryDto {
  return {
    id: attempt.id,
    quizId: attempt.quizId,
    number: attempt.number,
    state: attempt.state,
    startedAt: attempt.startedAt.toISOString(),
    submittedAt: attempt.submittedAt?.toISOString() ?? null,
    score: toAttemptScore(attempt),
    ...deliveryOf(attempt, audience),
  };
}

/**
 * An attempt as its reader may see it. Invariant 4: a learner never receives
 * keys, correctness or explanations before the review policy allows them;
 * while the attempt is in progress they receive none at all.
 */
export function toAttemptView(input: AttemptViewInput): AttemptResponseDto {
  const { attempt, settings, definitions } = input;
  const byVersion = new Map(input.responses.map((response) => [response.questionVersionId, response]));
  const visibility =
    input.audience === 'staff'
      ? { score: true, correctness: true, answers: true, explanations: true, feedback: true }
      : reviewVisibility({
          review: settings.review,
          attemptState: attempt.state,
          attemptsUsed: input.attemptsUsed,
          attemptsAllowed: attemptsAllowedOf(attempt, settings),
          hasAttemptInProgress: input.hasAttemptInProgress,
        });
  const finished = attempt.state !== 'in_progress';

  const questions = attempt.questionOrder.map((versionId, index) => ({
    questionVersionId: versionId,
    position: index + 1,
    question: inAttemptOrder(toLearnerQuestion(definitionOf(definitions, versionId)), attempt.choiceOrder[versionId]),
    response: byVersion.get(versionId)?.response ?? null,
  }));
  const results: QuestionResultDto[] = finished
    ? attempt.questionOrder.map((versionId) => {
        const stored = byVersion.get(versionId);
        const definition = definitionOf(input.scoringDefinitions ?? definitions, versionId);
        return redactQuestionResult(
          {
            questionVersionId: versionId,
            score: stored ? (stored.manualScore ?? stored.autoScore) : 0,
            maxScore: stored?.maxScore ?? definition.points,
            correctness: stored?.correctness ?? 'incorrect',
            feedback: stored?.feedback ?? [],
          },
          definition,
          visibility,
        );
      })
    : [];

  return {
    id: attempt.id,
    quizId: attempt.quizId,
    userId: attempt.userId,
    number: attempt.number,
    state: attempt.state,
    startedAt: attempt.startedAt.toISOString(),
    deadlineAt: attempt.deadlineAt?.toISOString() ?? null,
    closesAt: attempt.closesAt?.toISOString() ?? null,
    submittedAt: attempt.submittedAt?.toISOString() ?? null,
    questions,
    score: visibility.score ? toAttemptScore(attempt) : null,
    results,
    attemptsUsed: input.attemptsUsed,
    attemptsAllowed: attemptsAllowedOf(attempt, settings),
    ...deliveryOf(attempt, input.audience),
  };
}

function definitionOf(definitions: ReadonlyMap<string, QuestionDefinition>, versionId: string): QuestionDefinition {
  const definition = definitions.get(versionId);
  if (!definition) throw new Error(`question version ${versionId} is missing`);
  return definition;
}

/** Puts a choice question's choices in the order this attempt shows them. */
function inAttemptOrder(question: LearnerQuestion, order: string[] | undefined): LearnerQuestion {
  if (!order?.length || !question.choices) return question;
  const position = new Map(order.map((id, index) => [id, index]));
  const choices = [...question.choices].sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
  return { ...question, choices };
}
