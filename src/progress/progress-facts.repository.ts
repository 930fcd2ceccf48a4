import type { EntityManager } from 'typeorm';
import { namedQuery } from '../database/named-query';
import { learnerRule, ruleInputColumns, type RuleInputRow } from '../attempts/learner-rule';
import type { DeliveryRule } from '../attempts/policy/delivery-rule';
import type { CompletionRule, QuizSettings } from '../content/import/answer-key';
import { countedGrade } from '../attempts/policy/counted-grade';
import type { AttemptState } from '../attempts/entities/attempt.entity';
import type { ProgressFacts } from './completion';

export interface ModuleFacts {
  module: { id: string; slug: string; number: number; title: string };
  quizId: string | null;
  settings: QuizSettings | null;
  facts: ProgressFacts;
  stepsDone: number;
  stepsTotal: number;
  attemptsUsed: number;
  lastActivityAt: Date | null;
  /** When the learner's progress row recorded completion (an event, kept once set); null if never. */
  recordedCompletedAt: Date | null;
  /** The learner's rule for the module's quiz (dates, attempts), when asked for (`withRules`) and there is a quiz. */
  rule?: DeliveryRule;
}

interface ModuleRow extends Partial<RuleInputRow> {
  id: string;
  slug: string;
  number: number;
  title: string;
  completion_rule: CompletionRule;
  quiz_id: string | null;
  settings: QuizSettings | null;
  completed_at: string | null;
}
interface StepRow {
  module_id: string;
  activity_id: string;
  activity_number: number;
  activity_title: string;
  step_id: string | null;
  step_number: number | null;
  text: string | null;
  done: boolean;
  marked_at: Date | null;
}
interface ItemRow {
  module_id: string;
  id: string;
  key: string;
  position: number;
  text: string;
  activity_id: string | null;
  requires_verification: boolean;
  done: boolean;
  marked_at: Date | null;
  verified_at: Date | null;
}
interface AttemptRow {
  quiz_id: string;
  number: number;
  state: AttemptState;
  score_scaled: number | null;
  score_raw: number | null;
  score_max: number | null;
  started_at: Date;
  submitted_at: Date | null;
}

/**
 * Everything completion is decided from, for one learner and any number of
 * modules, in one statement whatever the counts: modules with their quizzes
 * (and when the learner's progress row recorded completion),
 * steps with the learner's marks, checklist items with the learner's marks,
 * and the learner's attempts, each as a JSON array (timestamps come back as
 * ISO strings and are turned into dates here).
 */
export async function loadModuleFacts(
  manager: EntityManager,
  userId: string,
  moduleIds: string[],
  /** Also the learner's rule for each quiz (progress views: dates in `unmet`), in the same statement. */
  options: { withRules?: boolean } = {},
): Promise<ModuleFacts[]> {
  if (!userId) throw new Error('loadModuleFacts needs a user');
  if (moduleIds.length === 0) return [];
  const [row] = await namedQuery<{
    modules: ModuleRow[];
    steps: Timestamped<StepRow, 'marked_at'>[];
    items: Timestamped<ItemRow, 'marked_at' | 'verified_at'>[];
    attempts: Timestamped<AttemptRow, 'started_at' | 'submitted_at'>[];
  }>(
    manager,
    options.withRules ? 'module_facts_rules' : 'module_facts',
    `SELECT
       (SELECT coalesce(json_agg(x ORDER BY x.number, x.id), '[]') FROM (
          SELECT m.id, m.slug, m.number, m.title, m.completion_rule, q.id AS quiz_id, q.settings, mp.completed_at
                 ${options.withRules ? `, ${ruleInputColumns('q', '$2')}` : ''}
            FROM modules m LEFT JOIN quizzes q ON q.module_id = m.id
            LEFT JOIN module_progress mp ON mp.module_id = m.id AND mp.user_id = $2
           WHERE m.id = ANY($1::uuid[])) x) AS modules,
       (SELECT coalesce(json_agg(x ORDER BY x.activity_number, x.step_number), '[]') FROM (
          SELECT a.module_id, a.id AS activity_id, a.number AS activity_number, a.title AS activity_title,
                 s.id AS step_id, s.number AS step_number, s.text,
                 coalesce(sm.done, false) AS done, sm.marked_at
            FROM activities a
            LEFT JOIN activity_steps s ON s.activity_id = a.id AND s.retired_at IS NULL
            LEFT JOIN step_marks sm ON sm.step_id = s.id AND sm.user_id = $2
           WHERE a.module_id = ANY($1::uuid[]) AND a.retired_at IS NULL) x) AS steps,
       (SELECT coalesce(json_agg(x ORDER BY x.position), '[]') FROM (
          SELECT ci.module_id, ci.id, ci.key, ci.position, ci.text, ci.activity_id, ci.requires_verification,
                 coalesce(cm.done, false) AS done, cm.marked_at, cm.verified_at
            FROM checklist_items ci
            LEFT JOIN checklist_marks cm ON cm.item_id = ci.id AND cm.user_id = $2
           WHERE ci.module_id = ANY($1::uuid[]) AND ci.retired_at IS NULL) x) AS items,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT a.quiz_id, a.number, a.state, a.score_scaled, a.score_raw, a.score_max, a.started_at, a.submitted_at
            FROM attempts a JOIN quizzes q ON q.id = a.quiz_id
           WHERE a.user_id = $2 AND q.module_id = ANY($1::uuid[])) x) AS attempts`,
    [moduleIds, userId],
  );
  const steps = row.steps.map((step) => ({ ...step, marked_at: asDate(step.marked_at) }));
  const items = row.items.map((item) => ({
    ...item,
    marked_at: asDate(item.marked_at),
    verified_at: asDate(item.verified_at),
  }));
  const attempts = row.attempts.map((attempt) => ({
    ...attempt,
    started_at: asDate(attempt.started_at)!,
    submitted_at: asDate(attempt.submitted_at),
  }));
  return row.modules.map((module) => toModuleFacts(module, steps, items, attempts));
}

/**
 * The same facts as `loadModuleFacts`, for one module and many learners, in
 * one statement whatever their number: the module's structure once, and every
 * mark, attempt and recorded completion of those learners in it. Learners are
 * assembled here the way the one-learner statement joins them, so both give
 * the same facts (a test compares them).
 */
export async function loadModuleFactsOfLearners(
  manager: EntityManager,
  moduleId: string,
  userIds: readonly string[],
): Promise<Map<string, ModuleFacts>> {
  const byLearner = new Map<string, ModuleFacts>();
  if (userIds.length === 0) return byLearner;
  const [row] = await manager.query<
    {
      module: Omit<ModuleRow, 'completed_at'> | null;
      steps: Omit<StepRow, 'done' | 'marked_at'>[];
      items: Omit<ItemRow, 'done' | 'marked_at' | 'verified_at'>[];
      step_marks: { user_id: string; step_id: string; done: boolean; marked_at: string }[];
      item_marks: { user_id: string; item_id: string; done: boolean; marked_at: string; verified_at: string | null }[];
      attempts: (Timestamped<AttemptRow, 'started_at' | 'submitted_at'> & { user_id: string })[];
      recorded: { user_id: string; completed_at: string | null }[];
    }[]
  >(
    `SELECT
       (SELECT row_to_json(x) FROM (
          SELECT m.id, m.slug, m.number, m.title, m.completion_rule, q.id AS quiz_id, q.settings
            FROM modules m LEFT JOIN quizzes q ON q.module_id = m.id WHERE m.id = $1) x) AS module,
       (SELECT coalesce(json_agg(x ORDER BY x.activity_number, x.step_number), '[]') FROM (
          SELECT a.module_id, a.id AS activity_id, a.number AS activity_number, a.title AS activity_title,
                 s.id AS step_id, s.number AS step_number, s.text
            FROM activities a
            LEFT JOIN activity_steps s ON s.activity_id = a.id AND s.retired_at IS NULL
           WHERE a.module_id = $1 AND a.retired_at IS NULL) x) AS steps,
       (SELECT coalesce(json_agg(x ORDER BY x.position), '[]') FROM (
          SELECT ci.module_id, ci.id, ci.key, ci.position, ci.text, ci.activity_id, ci.requires_verification
            FROM checklist_items ci WHERE ci.module_id = $1 AND ci.retired_at IS NULL) x) AS items,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT sm.user_id, sm.step_id, sm.done, sm.marked_at FROM step_marks sm
           WHERE sm.module_id = $1 AND sm.user_id = ANY($2::uuid[])) x) AS step_marks,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT cm.user_id, cm.item_id, cm.done, cm.marked_at, cm.verified_at FROM checklist_marks cm
           WHERE cm.module_id = $1 AND cm.user_id = ANY($2::uuid[])) x) AS item_marks,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT a.user_id, a.quiz_id, a.number, a.state, a.score_scaled, a.score_raw, a.score_max,
                 a.started_at, a.submitted_at
            FROM attempts a JOIN quizzes q ON q.id = a.quiz_id
           WHERE q.module_id = $1 AND a.user_id = ANY($2::uuid[])) x) AS attempts,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT mp.user_id, mp.completed_at FROM module_progress mp
           WHERE mp.module_id = $1 AND mp.user_id = ANY($2::uuid[])) x) AS recorded`,
    [moduleId, userIds],
  );
  if (!row.module) return byLearner;
  const module = row.module;
  const stepMarks = groupBy(row.step_marks, (mark) => mark.step_id);
  const itemMarks = groupBy(row.item_marks, (mark) => mark.item_id);
  const attemptsOf = new Map<string, AttemptRow[]>();
  for (const { user_id, ...attempt } of row.attempts) {
    const list = attemptsOf.get(user_id) ?? [];
    list.push({ ...attempt, started_at: asDate(attempt.started_at)!, submitted_at: asDate(attempt.submitted_at) });
    attemptsOf.set(user_id, list);
  }
  const recorded = new Map(row.recorded.map((entry) => [entry.user_id, entry.completed_at]));
  for (const userId of new Set(userIds)) {
    const stepMarksOf = stepMarks.get(userId);
    const steps = row.steps.map((step) => {
      const mark = step.step_id === null ? undefined : stepMarksOf?.get(step.step_id);
      return { ...step, done: mark?.done ?? false, marked_at: asDate(mark?.marked_at ?? null) };
    });
    const itemMarksOf = itemMarks.get(userId);
    const items = row.items.map((item) => {
      const mark = itemMarksOf?.get(item.id);
      return {
        ...item,
        done: mark?.done ?? false,
        marked_at: asDate(mark?.marked_at ?? null),
        verified_at: asDate(mark?.verified_at ?? null),
      };
    });
    const moduleRow = { ...module, completed_at: recorded.get(userId) ?? null };
    byLearner.set(userId, toModuleFacts(moduleRow, steps, items, attemptsOf.get(userId) ?? []));
  }
  return byLearner;
}

/** Marks by learner, then by what they mark. */
function groupBy<Mark extends { user_id: string }>(marks: Mark[], keyOf: (mark: Mark) => string) {
  const byLearner = new Map<string, Map<string, Mark>>();
  for (const mark of marks) {
    let own = byLearner.get(mark.user_id);
    if (!own) byLearner.set(mark.user_id, (own = new Map<string, Mark>()));
    own.set(keyOf(mark), mark);
  }
  return byLearner;
}

/** A row as JSON gives it: the named timestamp columns as ISO strings. */
type Timestamped<Row, Key extends keyof Row> = Omit<Row, Key> & Record<Key, string | null>;

function asDate(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

function toModuleFacts(
  module: ModuleRow,
  allSteps: StepRow[],
  allItems: ItemRow[],
  allAttempts: AttemptRow[],
): ModuleFacts {
  const steps = allSteps.filter((row) => row.module_id === module.id);
  const items = allItems.filter((row) => row.module_id === module.id);
  const attempts = allAttempts.filter((row) => row.quiz_id === module.quiz_id);
  const settings = module.settings;

  const activities = new Map<string, ProgressFacts['activities'][number]>();
  for (const row of steps) {
    const activity = activities.get(row.activity_id) ?? {
      id: row.activity_id,
      number: row.activity_number,
      title: row.activity_title,
      steps: [],
    };
    if (row.step_id) {
      activity.steps.push({
        id: row.step_id,
        number: row.step_number ?? 0,
        text: row.text ?? '',
        done: row.done,
        doneAt: row.done ? row.marked_at : null,
      });
    }
    activities.set(row.activity_id, activity);
  }
  const verification = new Set(module.completion_rule.requireVerification);
  const counted = settings
    ? countedGrade(
        attempts.map((a) => ({
          number: a.number,
          state: a.state,
          scaled: a.score_scaled,
          raw: a.score_raw,
          max: a.score_max,
          finishedAt: a.submitted_at,
        })),
        settings.gradingMethod,
        settings.passMark,
      )
    : null;
  const marks = [
    ...steps.map((s) => s.marked_at),
    ...items.map((i) => i.marked_at),
    ...attempts.flatMap((a) => [a.started_at, a.submitted_at]),
  ];
  const lastActivityAt = marks.reduce<Date | null>(
    (latest, at) => (at && (!latest || at > latest) ? at : latest),
    null,
  );
  const stepList = [...activities.values()].flatMap((activity) => activity.steps);

  return {
    module: { id: module.id, slug: module.slug, number: module.number, title: module.title },
    quizId: module.quiz_id,
    settings,
    stepsDone: stepList.filter((step) => step.done).length,
    stepsTotal: stepList.length,
    attemptsUsed: attempts.length,
    lastActivityAt,
    recordedCompletedAt: asDate(module.completed_at),
    ...(settings && module.rule_schedules !== undefined
      ? {
          rule: learnerRule(settings, {
            rule_schedules: module.rule_schedules,
            rule_accommodation: module.rule_accommodation ?? null,
          }),
        }
      : {}),
    facts: {
      rule: module.completion_rule,
      activities: [...activities.values()],
      checklist: items.map((item) => ({
        id: item.id,
        key: item.key,
        position: item.position,
        text: item.text,
        activityId: item.activity_id,
        done: item.done,
        doneAt: item.done ? item.marked_at : null,
        verified: item.verified_at !== null,
        requiresVerification: item.requires_verification || verification.has(item.key),
      })),
      knowledgeCheck: {
        exists: module.quiz_id !== null,
        attemptsUsed: attempts.length,
        attemptsAllowed: settings?.attemptsAllowed ?? 'unlimited',
        passMark: settings?.passMark ?? 0,
        countedScaled: counted?.scaled ?? null,
        passed: counted?.passed ?? null,
        anySubmitted: attempts.some((a) => a.state !== 'in_progress' && a.state !== 'abandoned'),
        pendingGrading: attempts.some((a) => a.state === 'pending_grading'),
        attemptInProgress: attempts.some((a) => a.state === 'in_progress'),
      },
      hasAnyActivity: marks.some((at) => at !== null),
    },
  };
}
