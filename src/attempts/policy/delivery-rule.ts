/**
 * The rule that applies to one learner's attempts at one quiz: when it opens,
 * when it is due, when it closes, how many attempts and how much time. Pure:
 * computed from the quiz's settings, the schedules of the learner's cohorts
 * and the learner's accommodation, all instants in UTC (a `Date` is one).
 *
 * - A cohort's schedule sets any of opensAt, dueAt and closesAt; what it
 *   leaves unset is the quiz's.
 * - In several cohorts, the most generous wins, bound by bound: the earliest
 *   opening, the latest due date, the latest closing (no bound beats any
 *   bound). In none, the quiz's window applies.
 * - An accommodation only ever gives more: extra attempts, the time limit
 *   times `timeMultiplier` plus `extraMinutes`, and a due date or closing
 *   that replaces the window's where it is later.
 */

export interface Window {
  opensAt: Date | null;
  dueAt: Date | null;
  closesAt: Date | null;
}

export interface QuizDelivery extends Window {
  attemptsAllowed: number | 'unlimited';
  timeLimitMinutes: number | null;
}

export interface CohortSchedule {
  cohortId: string;
  /** Unset (null) bounds are the quiz's. */
  opensAt: Date | null;
  dueAt: Date | null;
  closesAt: Date | null;
}

export interface Accommodation {
  extraAttempts: number;
  /** 1 = the quiz's time; 1.5 = half as much again. */
  timeMultiplier: number;
  extraMinutes: number;
  dueAt: Date | null;
  closesAt: Date | null;
}

/** Where each part of the rule came from, for staff (a learner sees only the effect). */
export interface RuleSources {
  /** `quiz`, or the cohort whose schedule gave the window (the first by id when several give the same). */
  window: { from: 'quiz' } | { from: 'cohort'; cohortId: string };
  accommodated: boolean;
}

export interface DeliveryRule extends Window {
  attemptsAllowed: number | 'unlimited';
  /** The time an attempt may take, in seconds; null when untimed. */
  timeLimitSeconds: number | null;
  sources: RuleSources;
}

/** The rule for a learner: quiz × the learner's cohorts' schedules × their accommodation. */
export function deliveryRule(
  quiz: QuizDelivery,
  schedules: readonly CohortSchedule[],
  accommodation: Accommodation | null,
): DeliveryRule {
  const { window, from } = cohortWindow(quiz, schedules);
  const dueAt = extended(window.dueAt, accommodation?.dueAt ?? null);
  // A due date past the closing keeps the quiz open until it: the window's, and the accommodation's even
  // where the window has none (never due) — else one more cohort without a due date would take the
  // accommodated learner's extra days away (found by the property test below).
  const closesAt = [accommodation?.closesAt ?? null, accommodation?.dueAt ?? null, dueAt].reduce(
    (bound, extension) => extended(bound, extension),
    window.closesAt,
  );
  const baseSeconds = quiz.timeLimitMinutes === null ? null : quiz.timeLimitMinutes * 60;
  const timeLimitSeconds =
    baseSeconds === null || !accommodation
      ? baseSeconds
      : Math.round(baseSeconds * accommodation.timeMultiplier + accommodation.extraMinutes * 60);
  const attemptsAllowed =
    quiz.attemptsAllowed === 'unlimited' || !accommodation
      ? quiz.attemptsAllowed
      : quiz.attemptsAllowed + accommodation.extraAttempts;
  return {
    opensAt: window.opensAt,
    dueAt,
    closesAt,
    attemptsAllowed,
    timeLimitSeconds,
    sources: { window: from, accommodated: accommodation !== null },
  };
}

/** Where an attempt started at `startedAt` must stop: the time limit or the closing, whichever comes first. */
export function attemptDeadline(rule: DeliveryRule, startedAt: Date): Date | null {
  const limit = rule.timeLimitSeconds === null ? null : new Date(startedAt.getTime() + rule.timeLimitSeconds * 1000);
  if (!limit) return rule.closesAt;
  return rule.closesAt && rule.closesAt < limit ? rule.closesAt : limit;
}

/** Whether a start at `now` is allowed by the window: before it opens, or once it has closed, it is not. */
export function windowState(rule: Window, now: Date): 'not_open' | 'open' | 'late' | 'closed' {
  if (rule.opensAt && now < rule.opensAt) return 'not_open';
  if (rule.closesAt && now >= rule.closesAt) return 'closed';
  if (rule.dueAt && now > rule.dueAt) return 'late';
  return 'open';
}

export interface LatePolicy {
  /** Fraction of the maximum score taken off per day (or part of a day) late, 0–1. */
  deductionPerDay: number;
  /** The most taken off in all, 0–1. */
  maximumDeduction: number;
}

/** What is taken off the scaled score of an attempt finished at `finishedAt` (0 when on time or no policy). */
export function lateDeduction(dueAt: Date | null, finishedAt: Date, policy: LatePolicy | null): number {
  if (!dueAt || !policy || finishedAt <= dueAt) return 0;
  const days = Math.ceil((finishedAt.getTime() - dueAt.getTime()) / 86_400_000);
  return Math.min(policy.maximumDeduction, roundFraction(days * policy.deductionPerDay));
}

function cohortWindow(
  quiz: Window,
  schedules: readonly CohortSchedule[],
): { window: Window; from: RuleSources['window'] } {
  const own = closedNoEarlierThanDue(quiz);
  if (schedules.length === 0) return { window: own, from: { from: 'quiz' } };
  const windows = [...schedules]
    .sort((a, b) => (a.cohortId < b.cohortId ? -1 : a.cohortId > b.cohortId ? 1 : 0))
    .map((schedule) => ({
      cohortId: schedule.cohortId,
      // Each cohort's window whole (a due date past its closing keeps it open) before they are compared.
      window: closedNoEarlierThanDue({
        opensAt: schedule.opensAt ?? quiz.opensAt,
        dueAt: schedule.dueAt ?? quiz.dueAt,
        closesAt: schedule.closesAt ?? quiz.closesAt,
      }),
    }));
  const window = windows.reduce<Window>(
    (best, { window: next }) => ({
      opensAt: earlier(best.opensAt, next.opensAt),
      dueAt: later(best.dueAt, next.dueAt),
      closesAt: later(best.closesAt, next.closesAt),
    }),
    windows[0].window,
  );
  // The window is the quiz's when no cohort changed anything; else the first cohort whose schedule gives it.
  const same = (a: Window, b: Window) =>
    sameInstant(a.opensAt, b.opensAt) && sameInstant(a.dueAt, b.dueAt) && sameInstant(a.closesAt, b.closesAt);
  if (same(window, own)) return { window, from: { from: 'quiz' } };
  const giver = windows.find((candidate) => same(candidate.window, window)) ?? windows[0];
  return { window, from: { from: 'cohort', cohortId: giver.cohortId } };
}

/** The window with its closing moved to its due date where that is later. */
function closedNoEarlierThanDue({ opensAt, dueAt, closesAt }: Window): Window {
  return { opensAt, dueAt, closesAt: extended(closesAt, dueAt) };
}

/** The earlier bound; no bound (null) is earlier than any (open since always). */
function earlier(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return null;
  return a <= b ? a : b;
}

/** The later bound; no bound (null) is later than any (never due, never closes). */
function later(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return null;
  return a >= b ? a : b;
}

/** `bound` moved to `extension` when that is later; an unset extension (null) changes nothing. */
function extended(bound: Date | null, extension: Date | null): Date | null {
  if (!bound || !extension) return bound;
  return extension > bound ? extension : bound;
}

function sameInstant(a: Date | null, b: Date | null): boolean {
  return a === null || b === null ? a === b : a.getTime() === b.getTime();
}

function roundFraction(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
