import type { QuestionScore } from '../../content/question.types';
import { clamp, correctnessOf, roundScore } from './question-score';
import { scoreQuestion } from './score-question';
import type { AttemptScore, ScoringItem } from './scoring.types';

/** So that 0.7 passes a pass mark of 0.7 even when raw / max comes out as 0.6999999999999999. */
const PASS_MARK_EPSILON = 1e-9;

/** An instructor's score replaces the automatic one, kept within [0, points]; NaN counts as 0. */
function applyOverride(automatic: QuestionScore, override: number): QuestionScore {
  const score = Number.isNaN(override) ? 0 : clamp(roundScore(override), 0, automatic.maxScore);
  return { ...automatic, score, correctness: correctnessOf(score, automatic.maxScore) };
}

function scoreItem({ question, response, override }: ScoringItem): QuestionScore {
  const automatic = scoreQuestion(question, response);
  return override === undefined || override === null ? automatic : applyOverride(automatic, override);
}

/**
 * Totals an attempt; pending questions add to max but not to raw, and hold back the pass decision.
 * `lateDeduction` (0–1, the quiz's late policy) comes off the scaled score, not the raw points.
 */
export function scoreAttempt(items: readonly ScoringItem[], passMark: number, lateDeduction = 0): AttemptScore {
  const questions = items.map(scoreItem);
  const raw = roundScore(questions.reduce((sum, question) => sum + (question.score ?? 0), 0));
  const max = roundScore(questions.reduce((sum, question) => sum + question.maxScore, 0));
  const scaled = max > 0 ? clamp(raw / max - lateDeduction, 0, 1) : 0;
  const pending = questions.filter((question) => question.correctness === 'pending').length;
  const passed = pending > 0 ? null : scaled + PASS_MARK_EPSILON >= passMark;
  return { raw, max, scaled, passed, pending, questions };
}
