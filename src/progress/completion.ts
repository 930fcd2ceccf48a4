/**
 * Module completion, decided from recorded facts by one rule set (DESIGN invariant 7).
 * Pure: no clock, no database; the same facts always give the same result.
 */
import type { CompletionRule } from '../content/import/answer-key';

// ---------------------------------------------------------------------------
// Facts in, result out

export interface StepFacts {
  id: string;
  number: number;
  text: string;
  done: boolean;
  doneAt: Date | null;
}

export interface ActivityFacts {
  id: string;
  number: number;
  title: string;
  steps: StepFacts[];
}

export interface ChecklistItemFacts {
  id: string;
  key: string;
  position: number;
  text: string;
  /** Set for an item like `Completed Activity 3: …`; its steps then decide whether it is done. */
  activityId: string | null;
  done: boolean;
  doneAt: Date | null;
  verified: boolean;
  requiresVerification: boolean;
}

export interface KnowledgeCheckFacts {
  /** False for a module without a knowledge check; its criterion is then met. */
  exists: boolean;
  /** Attempts started, open or finished (attempt numbers are gapless, invariant 1). */
  attemptsUsed: number;
  attemptsAllowed: number | 'unlimited';
  /**
   * An attempt is open now, so a learner on their last attempt still has it to finish.
   * Optional for callers that cannot tell; absent means none is open.
   */
  attemptInProgress?: boolean;
  /** The counted grade (`countedGrade`), in [0, 1]; null while no attempt has a final score. */
  countedScaled: number | null;
  /** countedScaled ≥ passMark; null while no attempt has a final score. */
  passed: boolean | null;
  /** Fraction of the maximum score needed to pass, 0..1 (the quiz settings). */
  passMark: number;
  anySubmitted: boolean;
  /** An essay of a submitted attempt waits for an instructor. */
  pendingGrading: boolean;
}

export interface ProgressFacts {
  rule: CompletionRule;
  activities: ActivityFacts[];
  checklist: ChecklistItemFacts[];
  knowledgeCheck: KnowledgeCheckFacts;
  /** Any fact at all recorded (a step or item ticked, an attempt started): not_started vs in_progress. */
  hasAnyActivity: boolean;
}

export type CompletionStatus = 'not_started' | 'in_progress' | 'completed';
export type LtiActivityProgress = 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
export type LtiGradingProgress = 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';

export interface ChecklistItemProgress {
  id: string;
  done: boolean;
  doneAt: Date | null;
  verified: boolean;
  /** Done-ness comes from the steps of the activity the item names, not from its own tick. */
  derived: boolean;
}

/** xAPI 1.0.3 result object (xAPI-Data §2.4.5); unknown properties are left out, not zeroed. */
export interface XapiResult {
  completion: boolean;
  success?: boolean;
  score?: { scaled: number };
}

/** The progress fields of an LTI AGS 2.0 score (§3.4, Score publish service). */
export interface LtiScoreProgress {
  activityProgress: LtiActivityProgress;
  gradingProgress: LtiGradingProgress;
}

export interface CompletionResult {
  status: CompletionStatus;
  /** Integer 0..100: the weighted share of criteria met; 100 exactly when completed. */
  percentage: number;
  completed: boolean;
  /** In checklist position order. */
  checklist: ChecklistItemProgress[];
  /** What is still missing, in words a learner understands; empty exactly when completed. */
  unmet: string[];
  xapi: XapiResult;
  lti: LtiScoreProgress;
}

// ---------------------------------------------------------------------------
// Checklist items, derived from steps where they name an activity

interface DerivedItem extends ChecklistItemProgress {
  facts: ChecklistItemFacts;
  needsVerification: boolean;
  /** Done and, where verification is required, verified. */
  counts: boolean;
}

function byNumber<T extends { number: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.number - b.number);
}

function byPosition<T extends { position: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.position - b.position);
}

function latestDate(dates: readonly (Date | null)[]): Date | null {
  return dates.reduce<Date | null>((latest, date) => (date && (!latest || date > latest) ? date : latest), null);
}

// An activity without steps (or one no longer in the facts) gives nothing to derive from, so its item keeps its own tick.
function activityDeciding(item: ChecklistItemFacts, activities: ReadonlyMap<string, ActivityFacts>) {
  const activity = item.activityId === null ? undefined : activities.get(item.activityId);
  return activity && activity.steps.length > 0 ? activity : undefined;
}

// An item requires verification when its row says so or the answer key lists its key.
function needsVerification(item: ChecklistItemFacts, rule: CompletionRule): boolean {
  return item.requiresVerification || rule.requireVerification.includes(item.key);
}

function deriveItem(item: ChecklistItemFacts, activity: ActivityFacts | undefined, rule: CompletionRule): DerivedItem {
  // A linked item is done exactly when every step of its activity is, as of the latest step; its own tick is ignored.
  const done = activity ? activity.steps.every((step) => step.done) : item.done;
  const doneAt = !done ? null : activity ? latestDate(activity.steps.map((step) => step.doneAt)) : item.doneAt;
  const verificationNeeded = needsVerification(item, rule);
  // An item requiring verification counts only when done and verified.
  const counts = done && (!verificationNeeded || item.verified);
  return {
    id: item.id,
    done,
    doneAt,
    verified: item.verified,
    derived: activity !== undefined,
    facts: item,
    needsVerification: verificationNeeded,
    counts,
  };
}

function deriveChecklist(facts: ProgressFacts): DerivedItem[] {
  const activities = new Map(facts.activities.map((activity) => [activity.id, activity]));
  return byPosition(facts.checklist).map((item) => deriveItem(item, activityDeciding(item, activities), facts.rule));
}

// ---------------------------------------------------------------------------
// Criteria: what completion needs, each with a weight for the percentage

/** `met` of `weight` is achieved; `unmet` is the learner's line, null when met or said by another line. */
interface Criterion {
  kind: 'activity' | 'tick' | 'verification' | 'knowledgeCheck';
  weight: number;
  met: number;
  unmet: string | null;
}

const isMet = (criterion: Criterion) => criterion.met >= criterion.weight;

function activityCriterion(activity: ActivityFacts): Criterion {
  const done = activity.steps.filter((step) => step.done).length;
  const total = activity.steps.length;
  const line = `Finish Activity ${activity.number}: ${activity.title} (${done} of ${total} steps done)`;
  // Each step is one criterion; the activity's line covers its steps and the item linked to it.
  return { kind: 'activity', weight: total, met: done, unmet: done < total ? line : null };
}

// Only activities a checklist item names are required: completion is defined by the checklist, not the activity list.
function requiredActivities(facts: ProgressFacts, items: readonly DerivedItem[]): ActivityFacts[] {
  const linked = new Set(items.filter((item) => item.derived).map((item) => item.facts.activityId));
  return byNumber(facts.activities.filter((activity) => linked.has(activity.id)));
}

function tickCriterion(item: DerivedItem): Criterion {
  return { kind: 'tick', weight: 1, met: item.done ? 1 : 0, unmet: item.done ? null : `Tick “${item.facts.text}”` };
}

function verificationCriterion(item: DerivedItem): Criterion {
  // Not done yet: the activity or tick line already says what to do first.
  const line = item.done && !item.verified ? `Have an instructor verify “${item.facts.text}”` : null;
  return { kind: 'verification', weight: 1, met: item.counts ? 1 : 0, unmet: line };
}

function checklistCriteria(facts: ProgressFacts, items: readonly DerivedItem[]): Criterion[] {
  // checklist: none — the checklist, and so the activities it names, is not part of completion.
  if (facts.rule.checklist === 'none') return [];
  return [
    ...requiredActivities(facts, items).map(activityCriterion),
    ...items.filter((item) => !item.derived).map(tickCriterion),
    ...items.filter((item) => item.needsVerification).map(verificationCriterion),
  ];
}

// ---------------------------------------------------------------------------
// The knowledge check

function knowledgeCheckRequired({ rule, knowledgeCheck }: ProgressFacts): boolean {
  // A module without a knowledge check treats its criterion as met.
  return knowledgeCheck.exists && rule.knowledgeCheck !== 'none';
}

function knowledgeCheckMet({ rule, knowledgeCheck }: ProgressFacts): boolean {
  // 'submitted' needs any submitted attempt; 'passed' needs the counted grade to pass.
  return rule.knowledgeCheck === 'submitted' ? knowledgeCheck.anySubmitted : knowledgeCheck.passed === true;
}

function noAttemptsLeft(kc: KnowledgeCheckFacts): boolean {
  const spent = kc.attemptsAllowed !== 'unlimited' && kc.attemptsUsed >= kc.attemptsAllowed;
  return spent && kc.attemptInProgress !== true;
}

/** 0.6667 → "66.67": at most two decimals, float noise removed, rounded towards `round`. */
function percentText(scaled: number, round: (value: number) => number): string {
  return String(round(Math.round(scaled * 1e6) / 100) / 100);
}

function passLine(kc: KnowledgeCheckFacts): string {
  // Rounded up, so the mark shown is never below the real one; the score down, so it never looks like a pass.
  const needed = `${percentText(kc.passMark, Math.ceil)}% needed`;
  // "so far", not "best": the counted grade may be the latest, first or average attempt.
  const soFar = kc.countedScaled === null ? '' : `your score so far ${percentText(kc.countedScaled, Math.floor)}%, `;
  return `Pass the knowledge check (${soFar}${needed})`;
}

function knowledgeCheckLine({ rule, knowledgeCheck: kc }: ProgressFacts): string {
  if (kc.pendingGrading) return 'Wait for your instructor to grade the knowledge check';
  const verb = rule.knowledgeCheck === 'submitted' ? 'submitted' : 'passed';
  if (noAttemptsLeft(kc)) return `The knowledge check was not ${verb} and no attempts are left; ask your instructor`;
  return rule.knowledgeCheck === 'submitted' ? 'Submit the knowledge check' : passLine(kc);
}

// The knowledge check weighs as much as a quarter of the required steps (at least 1): a quiz is more than one tick.
function knowledgeCheckWeight(checklist: readonly Criterion[]): number {
  const activities = checklist.filter((criterion) => criterion.kind === 'activity');
  const steps = activities.reduce((sum, criterion) => sum + criterion.weight, 0);
  return Math.max(1, steps / 4);
}

function knowledgeCheckCriteria(facts: ProgressFacts, checklist: readonly Criterion[]): Criterion[] {
  if (!knowledgeCheckRequired(facts)) return [];
  const weight = knowledgeCheckWeight(checklist);
  const met = knowledgeCheckMet(facts);
  return [{ kind: 'knowledgeCheck', weight, met: met ? weight : 0, unmet: met ? null : knowledgeCheckLine(facts) }];
}

// ---------------------------------------------------------------------------
// Status, percentage and the standards' vocabularies

function percentageOf(criteria: readonly Criterion[], completed: boolean): number {
  if (completed) return 100;
  const total = criteria.reduce((sum, criterion) => sum + criterion.weight, 0);
  const met = criteria.reduce((sum, criterion) => sum + Math.min(criterion.met, criterion.weight), 0);
  // Rounded down and capped, so 100 means completed and nothing else.
  return Math.min(99, Math.floor((100 * met) / total));
}

function anythingRecorded(facts: ProgressFacts): boolean {
  const kc = facts.knowledgeCheck;
  return (
    facts.hasAnyActivity ||
    facts.activities.some((activity) => activity.steps.some((step) => step.done)) ||
    facts.checklist.some((item) => item.done || item.verified) ||
    kc.attemptsUsed > 0 ||
    kc.attemptInProgress === true ||
    kc.anySubmitted
  );
}

function statusOf(facts: ProgressFacts, completed: boolean): CompletionStatus {
  if (completed) return 'completed';
  return anythingRecorded(facts) ? 'in_progress' : 'not_started';
}

/** xAPI-Data §2.4.5: success and score only once an attempt has a counted grade; scaled lies in [0, 1] here. */
function xapiResultOf({ knowledgeCheck: kc }: ProgressFacts, completed: boolean): XapiResult {
  const graded = kc.exists && kc.passed !== null;
  const scored = kc.exists && kc.countedScaled !== null && Number.isFinite(kc.countedScaled);
  return {
    completion: completed,
    ...(graded ? { success: kc.passed === true } : {}),
    ...(scored ? { score: { scaled: Math.min(1, Math.max(0, kc.countedScaled ?? 0)) } } : {}),
  };
}

/**
 * LTI AGS 2.0 activityProgress (https://www.imsglobal.org/spec/lti-ags/v2p0#activityprogress).
 * Started = begun but no criterion met yet (e.g. only an attempt opened); InProgress = some criterion met;
 * Submitted = the knowledge check was submitted while the module is not yet complete.
 */
function activityProgressOf(
  facts: ProgressFacts,
  status: CompletionStatus,
  criteria: readonly Criterion[],
): LtiActivityProgress {
  if (status === 'completed') return 'Completed';
  if (status === 'not_started') return 'Initialized';
  if (facts.knowledgeCheck.exists && facts.knowledgeCheck.anySubmitted) return 'Submitted';
  return criteria.some((criterion) => criterion.met > 0) ? 'InProgress' : 'Started';
}

/**
 * LTI AGS 2.0 gradingProgress (https://www.imsglobal.org/spec/lti-ags/v2p0#gradingprogress).
 * Never 'Failed': AGS means a grading process that could not complete, not a failing grade; a final
 * score below the pass mark (even with no attempts left) is 'FullyGraded'.
 */
function gradingProgressOf({ knowledgeCheck: kc }: ProgressFacts): LtiGradingProgress {
  if (!kc.exists) return 'NotReady';
  if (kc.pendingGrading) return 'PendingManual';
  if (kc.countedScaled !== null) return 'FullyGraded';
  // Submitted but not yet scored, with no person needed: the automatic grading is still to come.
  return kc.anySubmitted ? 'Pending' : 'NotReady';
}

// ---------------------------------------------------------------------------

/** Whether a learner has completed a module, how far along they are, and what is still missing. */
export function evaluateCompletion(facts: ProgressFacts): CompletionResult {
  const items = deriveChecklist(facts);
  const checklist = checklistCriteria(facts, items);
  const criteria = [...checklist, ...knowledgeCheckCriteria(facts, checklist)];
  const completed = criteria.every(isMet);
  const status = statusOf(facts, completed);
  return {
    status,
    percentage: percentageOf(criteria, completed),
    completed,
    checklist: items.map(({ id, done, doneAt, verified, derived }) => ({ id, done, doneAt, verified, derived })),
    unmet: criteria.flatMap((criterion) => criterion.unmet ?? []),
    xapi: xapiResultOf(facts, completed),
    lti: { activityProgress: activityProgressOf(facts, status, criteria), gradingProgress: gradingProgressOf(facts) },
  };
}
