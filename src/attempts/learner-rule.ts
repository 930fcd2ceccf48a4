import type { QuizSettings } from '../content/import/answer-key';
import {
  type Accommodation,
  type CohortSchedule,
  deliveryRule,
  type DeliveryRule,
  type QuizDelivery,
} from './policy/delivery-rule';

/**
 * The inputs of a learner's rule for a quiz, as two columns of a statement
 * that already reads the quiz (`quizAlias` names its row, `userParam` the
 * learner's id): no extra round trip on the start path.
 *
 * Schedules: one per active cohort the learner is an active learner in whose
 * modules include the quiz's (not archived), with the cohort's bounds for the
 * quiz or none (then the quiz's). Accommodation: the learner's, or null.
 */
export function ruleInputColumns(quizAlias: string, userParam: string): string {
  return `(SELECT coalesce(jsonb_agg(jsonb_build_object(
              'cohortId', c.id, 'opensAt', s.opens_at, 'dueAt', s.due_at, 'closesAt', s.closes_at) ORDER BY c.id),
              '[]'::jsonb)
             FROM cohort_members m
             JOIN cohorts c ON c.id = m.cohort_id AND NOT c.archived
                           -- A cohort of no modules in particular takes the whole course.
                           AND (cardinality(c.module_ids) = 0 OR ${quizAlias}.module_id = ANY (c.module_ids))
             LEFT JOIN quiz_schedules s ON s.cohort_id = c.id AND s.quiz_id = ${quizAlias}.id
            WHERE m.user_id = ${userParam}::uuid AND m.role = 'learner' AND m.status = 'active') AS rule_schedules,
          (SELECT jsonb_build_object('extraAttempts', x.extra_attempts, 'timeMultiplier', x.time_multiplier,
                                     'extraMinutes', x.extra_minutes, 'dueAt', x.due_at, 'closesAt', x.closes_at)
             FROM accommodations x
            WHERE x.user_id = ${userParam}::uuid AND x.quiz_id = ${quizAlias}.id) AS rule_accommodation`;
}

export interface RuleInputRow {
  rule_schedules: { cohortId: string; opensAt: string | null; dueAt: string | null; closesAt: string | null }[];
  rule_accommodation: {
    extraAttempts: number;
    timeMultiplier: number;
    extraMinutes: number;
    dueAt: string | null;
    closesAt: string | null;
  } | null;
}

const instant = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);

/** The quiz's own part of the rule, from its settings (the answer key's). */
export function quizDelivery(settings: QuizSettings): QuizDelivery {
  return {
    opensAt: instant(settings.opensAt),
    dueAt: instant(settings.dueAt),
    closesAt: instant(settings.closesAt),
    attemptsAllowed: settings.attemptsAllowed,
    timeLimitMinutes: settings.timeLimitMinutes ?? null,
  };
}

export function scheduleInputs(row: RuleInputRow): CohortSchedule[] {
  return row.rule_schedules.map((schedule) => ({
    cohortId: schedule.cohortId,
    opensAt: instant(schedule.opensAt),
    dueAt: instant(schedule.dueAt),
    closesAt: instant(schedule.closesAt),
  }));
}

export function accommodationInput(row: RuleInputRow): Accommodation | null {
  const found = row.rule_accommodation;
  return found ? { ...found, dueAt: instant(found.dueAt), closesAt: instant(found.closesAt) } : null;
}

/** The learner's rule from the quiz's settings and the two columns of `ruleInputColumns`. */
export function learnerRule(settings: QuizSettings, row: RuleInputRow): DeliveryRule {
  return deliveryRule(quizDelivery(settings), scheduleInputs(row), accommodationInput(row));
}
