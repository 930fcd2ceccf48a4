import type { Activity, Actor, Context, InteractionActivityDefinition, Result, Statement } from '@xapi/xapi';
import type { QuestionDefinition, ResponseValue } from '../../content/question.types';
import { uuidV5 } from './uuid-v5';

/**
 * xAPI 1.0.3 statements, built from an outbox event and rows that do not change after it
 * (question versions, the answers of a submitted attempt): the same event always gives the
 * same statements, byte for byte, so a retried POST repeats itself and the LRS keeps one copy.
 * Pure: the rows are loaded by xapi-sources.ts.
 */

/** The event types that become statements; the others (roster, imports, deletions…) have no xAPI verb here. */
export const XAPI_EVENT_TYPES = [
  'attempt.started',
  'attempt.submitted',
  'attempt.graded',
  'attempt.grade_changed',
  'progress.completed',
] as const;

export const VERBS = {
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
  scored: 'http://adlnet.gov/expapi/verbs/scored',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
} as const;
type VerbName = keyof typeof VERBS;

const ACTIVITY_TYPES = {
  module: 'http://adlnet.gov/expapi/activities/module',
  assessment: 'http://adlnet.gov/expapi/activities/assessment',
  interaction: 'http://adlnet.gov/expapi/activities/cmi.interaction',
} as const;

/** Language of the texts we copy into definitions (module content is written in English). */
const LANG = 'en';

export interface XapiSettings {
  /** Base of activity ids, without a trailing slash. */
  activityBaseUrl: string;
  /** `account.homePage` of actors named by their external id. */
  accountHomePage: string;
}

export interface XapiEvent {
  id: string;
  type: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** One question of a submitted attempt, in the order the attempt presented them. */
export interface XapiQuestion {
  questionId: string;
  /** The version the attempt showed (immutable). */
  definition: QuestionDefinition;
  /** Null: left blank (no `answered` statement). */
  response: ResponseValue | null;
}

export interface XapiSources {
  /** The learner's email, for `mbox` when the event names no external id. */
  email: string;
  /** For attempt.submitted. */
  questions?: XapiQuestion[];
}

interface EventFacts {
  externalId: string | null;
  moduleId: string;
  quizId?: string;
  attemptId?: string;
  startedAt?: string;
  submittedAt?: string | null;
  score?: { raw: number | null; max: number | null; scaled: number | null; passed: boolean | null } | null;
}

export function activityIds(settings: XapiSettings) {
  const base = `${settings.activityBaseUrl}/xapi`;
  return {
    module: (id: string) => `${base}/modules/${id}`,
    quiz: (id: string) => `${base}/quizzes/${id}`,
    question: (id: string) => `${base}/questions/${id}`,
  };
}

/** The statements of one event, in the order they are sent; none for a type without a verb. */
export function buildStatements(event: XapiEvent, sources: XapiSources, settings: XapiSettings): Statement[] {
  if (!(XAPI_EVENT_TYPES as readonly string[]).includes(event.type)) return [];
  const facts = factsOf(event.data);
  const ids = activityIds(settings);
  const actor = actorOf(facts.externalId, sources.email, settings);
  const timestamp = event.occurredAt.toISOString();
  const statement = (name: string, verb: VerbName, rest: Omit<Statement, 'id' | 'actor' | 'verb' | 'timestamp'>) =>
    ({
      id: uuidV5(name, event.id),
      actor,
      verb: { id: VERBS[verb], display: { 'en-US': verb } },
      ...rest,
      timestamp,
    }) as Statement;

  const module: Activity = {
    objectType: 'Activity',
    id: ids.module(facts.moduleId),
    definition: { type: ACTIVITY_TYPES.module },
  };
  if (event.type === 'progress.completed') {
    return [statement(`completed:${facts.moduleId}`, 'completed', { object: module, result: { completion: true } })];
  }

  if (!facts.quizId || !facts.attemptId) return [];
  const quiz: Activity = {
    objectType: 'Activity',
    id: ids.quiz(facts.quizId),
    definition: { type: ACTIVITY_TYPES.assessment },
  };
  const attemptContext: Context = {
    registration: facts.attemptId,
    contextActivities: { parent: [module] },
  };
  switch (event.type) {
    case 'attempt.started':
      return [statement(`attempted:${facts.attemptId}`, 'attempted', { object: quiz, context: attemptContext })];
    case 'attempt.submitted': {
      const questionContext: Context = {
        registration: facts.attemptId,
        contextActivities: { parent: [quiz], grouping: [module] },
      };
      return (sources.questions ?? []).flatMap((question) => {
        if (!question.response) return [];
        const response = xapiResponse(question.definition, question.response);
        if (response === undefined) return [];
        return [
          statement(`answered:${question.questionId}`, 'answered', {
            object: {
              objectType: 'Activity',
              id: ids.question(question.questionId),
              definition: interactionDefinition(question.definition),
            },
            result: { response },
            context: questionContext,
          }),
        ];
      });
    }
    default: {
      // attempt.graded, attempt.grade_changed: the score the event carries.
      const result = scoreResult(facts);
      if (!result) return [];
      const graded = [
        statement(`scored:${facts.attemptId}`, 'scored', { object: quiz, result, context: attemptContext }),
      ];
      const passed = facts.score?.passed;
      if (passed === true || passed === false) {
        const verb = passed ? 'passed' : 'failed';
        graded.push(
          statement(`${verb}:${facts.attemptId}`, verb, {
            object: quiz,
            result: { ...result, success: passed },
            context: attemptContext,
          }),
        );
      }
      return graded;
    }
  }
}

/** The learner as the LMS knows them when we hold its id for them, else by email (xAPI 1.0.3 §2.4.2.3: one IFI). */
export function actorOf(externalId: string | null, email: string, settings: XapiSettings): Actor {
  if (externalId) return { objectType: 'Agent', account: { homePage: settings.accountHomePage, name: externalId } };
  return { objectType: 'Agent', mbox: `mailto:${email}` };
}

function scoreResult(facts: EventFacts): Result | undefined {
  const score = facts.score;
  if (!score || score.raw === null || score.max === null || score.scaled === null) return undefined;
  const result: Result = {
    score: { scaled: clampScaled(score.scaled), raw: score.raw, min: 0, max: score.max },
    completion: true,
  };
  if (facts.startedAt && facts.submittedAt) {
    const ms = Date.parse(facts.submittedAt) - Date.parse(facts.startedAt);
    if (Number.isFinite(ms) && ms >= 0) result.duration = isoDuration(ms);
  }
  return result;
}

/** xAPI: scaled in [-1, 1]. */
function clampScaled(value: number): number {
  return Math.min(1, Math.max(-1, value));
}

/** ISO 8601 duration to the hundredth of a second (xAPI 1.0.3 §4.2.7: precision of 0.01 s is kept). */
export function isoDuration(ms: number): string {
  const centis = Math.round(ms / 10);
  const hours = Math.floor(centis / 360_000);
  const minutes = Math.floor((centis % 360_000) / 6_000);
  const seconds = (centis % 6_000) / 100;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds}S`;
}

const text = (value: string) => ({ [LANG]: value });
const components = (items: { id: string; text: string }[]) =>
  items.map((item) => ({ id: item.id, description: text(item.text) }));

/**
 * The interaction definition of a question (xAPI 1.0.3 §2.4.4.1.1 Interaction Activities), with
 * `correctResponsesPattern` where the answer key has one. Multiple patterns: any of them is right.
 */
export function interactionDefinition(definition: QuestionDefinition): InteractionActivityDefinition {
  const base = {
    type: ACTIVITY_TYPES.interaction,
    name: text(definition.prompt),
    description: text(definition.prompt),
  };
  switch (definition.type) {
    case 'single_choice':
      return {
        ...base,
        interactionType: 'choice',
        choices: components(definition.choices),
        correctResponsesPattern: [definition.correct],
      };
    case 'multiple_choice':
      return {
        ...base,
        interactionType: 'choice',
        choices: components(definition.choices),
        correctResponsesPattern: [list(definition.correct)],
      };
    case 'true_false':
      return {
        ...base,
        interactionType: 'true-false',
        correctResponsesPattern: [definition.correct ? 'true' : 'false'],
      };
    case 'short_text':
      // Matching ignores case, the pattern's default ({case_matters=false}); keyword groups have no pattern.
      return {
        ...base,
        interactionType: 'fill-in',
        ...(definition.accepted.length > 0 ? { correctResponsesPattern: definition.accepted.map(fillIn) } : {}),
      };
    case 'numeric':
      return {
        ...base,
        interactionType: 'numeric',
        correctResponsesPattern: [
          definition.tolerance > 0
            ? `${decimal(definition.answer - definition.tolerance)}[:]${decimal(definition.answer + definition.tolerance)}`
            : decimal(definition.answer),
        ],
      };
    case 'ordering':
      return {
        ...base,
        interactionType: 'sequencing',
        choices: components(definition.items),
        correctResponsesPattern: [list(definition.correctOrder)],
      };
    case 'matching':
      return {
        ...base,
        interactionType: 'matching',
        source: components(definition.prompts),
        target: components(definition.options),
        correctResponsesPattern: [
          pairs(
            definition.prompts.map((p) => p.id),
            definition.pairs,
          ),
        ],
      };
    case 'essay':
      return { ...base, interactionType: 'long-fill-in' };
  }
}

/** The learner's answer in the response format of the interaction type (xAPI 1.0.3 §2.4.4.1.1.1); undefined if it does not fit. */
export function xapiResponse(definition: QuestionDefinition, response: ResponseValue): string | undefined {
  if (response.type !== definition.type) return undefined;
  switch (response.type) {
    case 'single_choice':
      return response.choiceId;
    case 'multiple_choice':
      return definition.type === 'multiple_choice'
        ? list(
            inOrderOf(
              definition.choices.map((c) => c.id),
              response.choiceIds,
            ),
          )
        : undefined;
    case 'true_false':
      return response.value ? 'true' : 'false';
    case 'short_text':
      return fillIn(response.text);
    case 'numeric':
      return decimal(response.value);
    case 'ordering':
      return list(response.order);
    case 'matching':
      return definition.type === 'matching'
        ? pairs(
            inOrderOf(
              definition.prompts.map((p) => p.id),
              Object.keys(response.pairs),
            ),
            response.pairs,
          )
        : undefined;
    case 'essay':
      return response.text;
  }
}

const list = (ids: string[]) => ids.join('[,]');
/** The chosen ids in the question's order (then any it does not know, sorted): the same answer reads the same. */
function inOrderOf(order: string[], chosen: string[]): string[] {
  const set = new Set(chosen);
  return [...order.filter((id) => set.has(id)), ...[...set].filter((id) => !order.includes(id)).sort()];
}
/** A bound without binary noise (2.1 − 0.1 is 1.9999999999999998 in floating point). */
const decimal = (value: number) => String(Number(value.toPrecision(12)));
/** Matching: `source[.]target` per pair, in the given order of sources. */
function pairs(sources: string[], matched: Record<string, string>): string {
  return list(sources.filter((s) => Object.hasOwn(matched, s)).map((s) => `${s}[.]${matched[s]}`));
}
/** Fill-in is a [,]-delimited list of strings: a `[,]` inside one answer would split it, so it becomes `,`. */
const fillIn = (value: string) => value.replaceAll('[,]', ',');

function factsOf(data: Record<string, unknown>): EventFacts {
  const user = (data.user ?? {}) as { externalId?: unknown };
  const module = (data.module ?? {}) as { id?: unknown };
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    externalId: str(user.externalId) ?? null,
    moduleId: str(module.id) ?? '',
    quizId: str(data.quizId),
    attemptId: str(data.attemptId),
    startedAt: str(data.startedAt),
    submittedAt: str(data.submittedAt) ?? null,
    score: (data.score ?? null) as EventFacts['score'],
  };
}
