/**
 * Answer keys: the YAML (or JSON) file beside a module that makes its knowledge check
 * gradeable, adds questions to its bank, and sets the quiz and completion rules.
 * The schema is documented for authors in docs/answer-key.md; keep the two in step.
 *
 * Reading never throws: every problem in the file is reported at once, with the path
 * of the field at fault and, when known, its line.
 */
import { isDateTime } from '../../common/http/date-time';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { isWithin, normaliseAnswerText, scoreShortText } from '../../attempts/scoring';
import type { ParsedModule } from '../module.types';
import {
  QUESTION_TYPES,
  type AnticipatedText,
  type AnticipatedValue,
  type Choice,
  type EssayQuestion,
  type MatchingQuestion,
  type MultipleChoiceQuestion,
  type NumericQuestion,
  type OrderingQuestion,
  type QuestionDefinition,
  type QuestionType,
  type ShortTextQuestion,
  type SingleChoiceQuestion,
  type TrueFalseQuestion,
} from '../question.types';
import { poolCandidates, resolvePools } from './question-pools';

// ---------------------------------------------------------------------------
// The schema

export const ANSWER_KEY_FORMAT = 1;

export interface AnswerKeyProblem {
  severity: 'error' | 'warning';
  /** Stable kebab-case code, e.g. `unknown-field`, `kc-ungraded`. */
  code: string;
  message: string;
  /** Where in the file, e.g. `questions[3].correct`; empty for the file as a whole. */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export type GradingMethod = 'highest' | 'latest' | 'first' | 'average';
export type ReviewShow = 'score' | 'correctness' | 'answers';
export type ReviewWhen = 'immediately' | 'after_last_attempt';

export interface QuizSettings {
  attemptsAllowed: number | 'unlimited';
  /** Which attempt's score counts. */
  gradingMethod: GradingMethod;
  /** Fraction of the maximum score needed to pass, 0..1. */
  passMark: number;
  timeLimitMinutes?: number;
  /** Answers saved this long after the deadline are still accepted (clock skew, slow networks). */
  gracePeriodSeconds: number;
  minimumWaitMinutes: number;
  shuffleQuestions: boolean;
  shuffleChoices: boolean;
  /** `answers` means the right answers, per-choice feedback and explanations. */
  review: { show: ReviewShow; when: ReviewWhen };
  /** Instants in UTC (ISO 8601, `…Z`): no start before `opensAt`; late after `dueAt`; nothing from `closesAt`. */
  opensAt?: string;
  dueAt?: string;
  closesAt?: string;
  /** Taken off the scaled score of a late attempt; none when absent. */
  latePolicy?: { deductionPerDay: number; maximumDeduction: number };
  /** Absent: every attempt shows every question. Resolved from the key's `quiz.pools` at import. */
  pools?: QuestionPool[];
}

/** A pool as stored with the quiz: the keys of its questions and how many of them each attempt shows. */
export interface QuestionPool {
  id: string;
  draw: number;
  /** Question keys (answer-key ids), each in one pool only; questions in no pool are always shown. */
  questions: string[];
}

/** How a pool of the key names its questions: by id, by the section they cite, or the knowledge check. */
export type PoolSelection = { questions: string[] } | { section: number } | { knowledgeCheck: true };

/** A pool as the key writes it, before its questions are resolved against the module. */
export interface PoolRule {
  id: string;
  draw: number;
  select: PoolSelection;
}

export interface CompletionRule {
  checklist: 'all' | 'none';
  knowledgeCheck: 'passed' | 'submitted' | 'none';
  /** Checklist item keys that count as done only once an instructor has verified them. */
  requireVerification: string[];
}

/** Where a question comes from and which part of the module justifies its answer. */
export interface QuestionPlacement {
  /** Stable slug; re-imports match questions by it. */
  id: string;
  /** Set when the entry grades the module's knowledge-check question of this number. */
  knowledgeCheck?: number;
  /** Module content section number (`## 5. …`). */
  section: number;
  /** Exact `###` title within the section. */
  subsection?: string;
}

/** A question definition whose prompt may be left to the module (knowledge-check entries). */
type PromptOptional<Q> = Q extends QuestionDefinition ? Omit<Q, 'prompt'> & { prompt?: string } : never;

export type AnswerKeyQuestion = QuestionPlacement & PromptOptional<QuestionDefinition>;

export interface AnswerKey {
  format: typeof ANSWER_KEY_FORMAT;
  quiz: QuizSettings;
  completion: CompletionRule;
  questions: AnswerKeyQuestion[];
  /** `quiz.pools` as written (empty when none); the import resolves them into `quiz.pools`. */
  pools: PoolRule[];
}

/** Reveals nothing but the score until an author chooses otherwise (invariant 4). */
export const DEFAULT_QUIZ_SETTINGS: Readonly<QuizSettings> = Object.freeze({
  attemptsAllowed: 3,
  gradingMethod: 'highest',
  passMark: 0.7,
  gracePeriodSeconds: 60,
  minimumWaitMinutes: 0,
  shuffleQuestions: false,
  shuffleChoices: false,
  review: Object.freeze({ show: 'score', when: 'immediately' }),
});

export const DEFAULT_COMPLETION_RULE: Readonly<CompletionRule> = Object.freeze({
  checklist: 'all',
  knowledgeCheck: 'passed',
  requireVerification: [],
});

export const ANSWER_KEY_LIMITS = Object.freeze({
  fileChars: 1_000_000,
  questions: 200,
  choices: 20,
  items: 20,
  acceptedAnswers: 50,
  keywordGroups: 20,
  keywordsPerGroup: 20,
  /** Anticipated wrong answers of a short-text or numeric question. */
  anticipated: 20,
  /** Prompts, explanations, feedback, rubrics. */
  textChars: 5000,
  /** Choice, item and option texts; hints. */
  labelChars: 1000,
  /** Accepted answers, keywords, units, subsection titles. */
  shortChars: 200,
  idChars: 80,
  points: 1000,
  attempts: 100,
  timeLimitMinutes: 1440,
  gracePeriodSeconds: 3600,
  minimumWaitMinutes: 43_200,
  maxWords: 10_000,
  sectionNumber: 100,
  knowledgeCheckNumber: 200,
  verificationKeys: 100,
  pools: 100,
});

const GRADING_METHODS: readonly GradingMethod[] = ['highest', 'latest', 'first', 'average'];
const REVIEW_SHOWS: readonly ReviewShow[] = ['score', 'correctness', 'answers'];
const REVIEW_WHENS: readonly ReviewWhen[] = ['immediately', 'after_last_attempt'];
const CHECKLIST_RULES: readonly CompletionRule['checklist'][] = ['all', 'none'];
const KNOWLEDGE_CHECK_RULES: readonly CompletionRule['knowledgeCheck'][] = ['passed', 'submitted', 'none'];
const MC_SCORINGS: readonly MultipleChoiceQuestion['scoring'][] = ['right_minus_wrong', 'all_or_nothing'];

const TOP_FIELDS = ['format', 'quiz', 'completion', 'questions'];
const QUIZ_FIELDS = [
  'attemptsAllowed',
  'gradingMethod',
  'passMark',
  'timeLimitMinutes',
  'gracePeriodSeconds',
  'minimumWaitMinutes',
  'shuffleQuestions',
  'shuffleChoices',
  'review',
  'opensAt',
  'dueAt',
  'closesAt',
  'latePolicy',
  'pools',
];
const POOL_FIELDS = ['id', 'questions', 'section', 'knowledgeCheck', 'draw'];
const POOL_SELECTORS = ['questions', 'section', 'knowledgeCheck'] as const;
const COMPLETION_FIELDS = ['checklist', 'knowledgeCheck', 'requireVerification'];
const COMMON_QUESTION_FIELDS = [
  'id',
  'knowledgeCheck',
  'section',
  'subsection',
  'type',
  'prompt',
  'points',
  'explanation',
  'hint',
];
const TYPE_FIELDS: Record<QuestionType, readonly string[]> = {
  single_choice: ['choices', 'correct'],
  multiple_choice: ['choices', 'correct', 'scoring'],
  true_false: ['correct', 'feedback'],
  short_text: ['accepted', 'keywordGroups', 'wrongFeedback', 'anticipated'],
  numeric: ['answer', 'tolerance', 'unit', 'wrongFeedback', 'anticipated'],
  ordering: ['items', 'correctOrder'],
  matching: ['prompts', 'options', 'pairs'],
  essay: ['rubric', 'maxWords'],
};
const ANY_TYPE_FIELDS = [...new Set(Object.values(TYPE_FIELDS).flat())];

/** Lower-case words joined by single hyphens: `kc-1`, `cloudtrail-log-file-validation`. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// ---------------------------------------------------------------------------
// Problems, paths and lines

type Path = readonly (string | number)[];
type LineLookup = (path: Path) => number | undefined;

interface PendingProblem {
  severity: AnswerKeyProblem['severity'];
  code: string;
  message: string;
  path: Path;
}

class ProblemLog {
  private readonly pending: PendingProblem[] = [];

  error(path: Path, code: string, message: string): void {
    this.pending.push({ severity: 'error', code, message, path });
  }

  warning(path: Path, code: string, message: string): void {
    this.pending.push({ severity: 'warning', code, message, path });
  }

  get errorCount(): number {
    return this.pending.filter((problem) => problem.severity === 'error').length;
  }

  toProblems(lineOf?: LineLookup): AnswerKeyProblem[] {
    return this.pending.map(({ path, ...rest }) => {
      const line = lineOf?.(path);
      return line === undefined ? { ...rest, path: formatPath(path) } : { ...rest, path: formatPath(path), line };
    });
  }
}

/** `['questions', 3, 'correct']` → `questions[3].correct`. */
function formatPath(path: Path): string {
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (!/^[\w-]+$/.test(segment)) return `[${JSON.stringify(segment)}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/** Lines for AnswerKeys read from files, so later checks against the module can cite them too. */
const lineLookups = new WeakMap<AnswerKey, LineLookup>();

/**
 * The line of the deepest part of `path` present in the document: the key's line for a map
 * entry (so a missing field points at its parent's line), the item's line for a list entry.
 */
function lineLookupFor(doc: Document, counter: LineCounter): LineLookup {
  return (path) => {
    let node: unknown = doc.contents;
    let offset = isNode(node) ? node.range?.[0] : undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        offset = isNode(pair.key) ? pair.key.range?.[0] : offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (!isNode(node)) break;
        offset = node.range?.[0];
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : counter.linePos(offset).line;
  };
}

function lineAtOffset(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

// ---------------------------------------------------------------------------
// Reading values. Each reader records a problem and returns undefined (or what it could
// salvage) for a bad value; a key with any error is never returned, so the `?? fallback`
// values used when assembling the key only ever stand in for values already reported.

interface TextRule {
  max: number;
  required?: boolean;
}
interface NumberRule {
  min?: number;
  max?: number;
  /** Values must be greater than `min`, not equal to it. */
  exclusiveMin?: boolean;
  integer?: boolean;
  required?: boolean;
  /** Appended to an out-of-range message. */
  hint?: string;
}
interface CountRule {
  min: number;
  max: number;
  required?: boolean;
}

function describe(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(readonly log: ProblemLog) {}

  text(value: unknown, path: Path, max: number): string | undefined {
    if (typeof value !== 'string') {
      this.log.error(path, 'wrong-type', `Expected text, found ${describe(value)}.`);
      return undefined;
    }
    const text = value.trim();
    if (text === '') this.log.error(path, 'empty-text', 'Must not be empty.');
    if (text.length > max) this.log.error(path, 'too-long', `Must be at most ${max} characters (has ${text.length}).`);
    return text;
  }

  /** Returns the id as written even when it is malformed, so references to it still resolve. */
  slug(value: unknown, path: Path): string | undefined {
    if (typeof value !== 'string') {
      this.log.error(path, 'wrong-type', `Expected an id (text), found ${describe(value)}.`);
      return undefined;
    }
    if (!SLUG.test(value) || value.length > ANSWER_KEY_LIMITS.idChars) {
      this.log.error(
        path,
        'invalid-id',
        `"${value}" is not a valid id: use lower-case letters and digits joined by single hyphens, ` +
          `at most ${ANSWER_KEY_LIMITS.idChars} characters (e.g. "kc-1", "a").`,
      );
    }
    return value;
  }

  number(value: unknown, path: Path, rule: NumberRule): number | undefined {
    const wanted = rule.integer ? 'a whole number' : 'a number';
    const hint = rule.hint ? ` ${rule.hint}` : '';
    if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
      this.log.error(path, 'wrong-type', `Expected ${wanted}, found ${describe(value)}.${hint}`);
      return undefined;
    }
    const belowMin = rule.min !== undefined && (rule.exclusiveMin ? value <= rule.min : value < rule.min);
    const aboveMax = rule.max !== undefined && value > rule.max;
    if (belowMin || aboveMax) {
      this.log.error(path, 'out-of-range', `${value} is out of range: must be ${describeRange(rule)}.${hint}`);
    }
    return value;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (typeof value === 'boolean') return value;
    this.log.error(path, 'wrong-type', `Expected true or false, found ${describe(value)}.`);
    return undefined;
  }

  oneOf<T extends string>(value: unknown, path: Path, allowed: readonly T[]): T | undefined {
    if (allowed.includes(value as T)) return value as T;
    const choices = allowed.map((option) => `"${option}"`).join(', ');
    this.log.error(path, 'invalid-value', `Expected one of ${choices}, found ${describe(value)}.`);
    return undefined;
  }

  list(value: unknown, path: Path, rule: CountRule): unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.log.error(path, 'wrong-type', `Expected a list, found ${describe(value)}.`);
      return undefined;
    }
    if (value.length < rule.min) {
      this.log.error(path, 'too-few', `Needs at least ${rule.min} entries (has ${value.length}).`);
    }
    if (value.length > rule.max) {
      this.log.error(path, 'too-many', `Allows at most ${rule.max} entries (has ${value.length}).`);
    }
    return value as unknown[];
  }

  /** A mapping whose field names are all in `allowed`; `what` names it in messages. */
  mapping(value: unknown, path: Path, allowed?: readonly string[], what = 'this mapping'): Fields | undefined {
    if (!isMapping(value)) {
      this.log.error(path, 'wrong-type', `Expected a mapping of fields, found ${describe(value)}.`);
      return undefined;
    }
    const fields = new Fields(this, path, value);
    if (allowed) fields.rejectUnknown(allowed, what);
    return fields;
  }
}

function describeRange({ min, max, exclusiveMin }: NumberRule): string {
  if (min !== undefined && max !== undefined) {
    return exclusiveMin ? `over ${min} and up to ${max}` : `from ${min} to ${max}`;
  }
  if (min !== undefined) return exclusiveMin ? `greater than ${min}` : `${min} or more`;
  return `${max} or less`;
}

/** The fields of one mapping, read by name; problems are reported at `path.name`. */
class Fields {
  constructor(
    readonly reader: Reader,
    readonly path: Path,
    readonly values: Record<string, unknown>,
  ) {}

  get log(): ProblemLog {
    return this.reader.log;
  }

  at(name: string): Path {
    return [...this.path, name];
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.values, name);
  }

  rejectUnknown(allowed: readonly string[], what: string, elsewhere: readonly string[] = []): void {
    for (const name of Object.keys(this.values)) {
      if (allowed.includes(name)) continue;
      const reason = elsewhere.includes(name)
        ? `"${name}" is not a field of ${what}.`
        : `Unknown field "${name}" in ${what}.${suggestion(name, allowed)}`;
      this.log.error(this.at(name), 'unknown-field', reason);
    }
  }

  /** Reads a field with `read`; reports a missing required field and returns undefined. */
  read<T>(name: string, required: boolean | undefined, read: (value: unknown, path: Path) => T): T | undefined {
    if (!this.has(name)) {
      if (required) this.log.error(this.at(name), 'missing-field', `Missing required field "${name}".`);
      return undefined;
    }
    return read(this.values[name], this.at(name));
  }

  text(name: string, rule: TextRule): string | undefined {
    return this.read(name, rule.required, (value, path) => this.reader.text(value, path, rule.max));
  }

  slug(name: string, required = false): string | undefined {
    return this.read(name, required, (value, path) => this.reader.slug(value, path));
  }

  number(name: string, rule: NumberRule): number | undefined {
    return this.read(name, rule.required, (value, path) => this.reader.number(value, path, rule));
  }

  boolean(name: string, required = false): boolean | undefined {
    return this.read(name, required, (value, path) => this.reader.boolean(value, path));
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], required = false): T | undefined {
    return this.read(name, required, (value, path) => this.reader.oneOf(value, path, allowed));
  }

  list(name: string, rule: CountRule): unknown[] | undefined {
    return this.read(name, rule.required, (value, path) => this.reader.list(value, path, rule));
  }

  mapping(name: string, allowed: readonly string[], what: string): Fields | undefined {
    return this.read(name, false, (value, path) => this.reader.mapping(value, path, allowed, what));
  }

  /** Reads each entry of a list field; entries that fail to read are left out. */
  eachOf<T>(name: string, rule: CountRule, read: (value: unknown, path: Path) => T | undefined): T[] | undefined {
    const entries = this.list(name, rule);
    if (!entries) return undefined;
    return entries.flatMap((entry, index) => {
      const item = read(entry, [...this.at(name), index]);
      return item === undefined ? [] : [item];
    });
  }
}

/** ` Did you mean "explanation"?` for a near miss (edit distance ≤ 2), else nothing. */
function suggestion(name: string, allowed: readonly string[]): string {
  const near = allowed.find((candidate) => editDistance(name.toLowerCase(), candidate.toLowerCase()) <= 2);
  return near ? ` Did you mean "${near}"?` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

// ---------------------------------------------------------------------------
// Parsing the file

/** Reads and validates an answer key. `key` is present only when there are no errors. */
export function parseAnswerKey(
  text: string,
  format: 'yaml' | 'json',
): { key?: AnswerKey; problems: AnswerKeyProblem[] } {
  if (text.length > ANSWER_KEY_LIMITS.fileChars) {
    const message = `The file is too large: at most ${ANSWER_KEY_LIMITS.fileChars} characters.`;
    return { problems: [{ severity: 'error', code: 'file-too-large', message, path: '' }] };
  }
  const loaded = format === 'json' ? loadJson(text) : loadYaml(text);
  if ('problems' in loaded) return { problems: loaded.problems };

  const log = new ProblemLog();
  const key = readAnswerKey(new Reader(log), loaded.value);
  const problems = [...loaded.warnings, ...log.toProblems(loaded.lineOf)];
  if (log.errorCount > 0 || !key) return { problems };
  if (loaded.lineOf) lineLookups.set(key, loaded.lineOf);
  return { key, problems };
}

type Loaded = { value: unknown; lineOf?: LineLookup; warnings: AnswerKeyProblem[] } | { problems: AnswerKeyProblem[] };

function loadYaml(text: string): Loaded {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const located =
    (severity: AnswerKeyProblem['severity'], code: string) => (error: { message: string; pos: [number, number] }) => ({
      severity,
      code,
      message: error.message,
      path: '',
      line: counter.linePos(error.pos[0]).line,
    });
  const warnings = doc.warnings.map(located('warning', 'yaml-warning'));
  if (doc.errors.length > 0) return { problems: [...doc.errors.map(located('error', 'yaml-syntax')), ...warnings] };
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    return { value: doc.toJS({ maxAliasCount: 100 }), lineOf: lineLookupFor(doc, counter), warnings };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [{ severity: 'error', code: 'yaml-syntax', message, path: '' }] };
  }
}

/** JSON.parse decides validity; the YAML parser (JSON is YAML 1.2) only supplies line numbers. */
function loadJson(text: string): Loaded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const problem: AnswerKeyProblem = { severity: 'error', code: 'json-syntax', message, path: '' };
    return { problems: [position ? { ...problem, line: lineAtOffset(text, Number(position[1])) } : problem] };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  return { value, lineOf: doc.errors.length === 0 ? lineLookupFor(doc, counter) : undefined, warnings: [] };
}

function readAnswerKey(reader: Reader, value: unknown): AnswerKey | undefined {
  if (value === null || value === undefined) {
    reader.log.error([], 'empty-file', 'The answer key is empty; it needs at least "format" and "questions".');
    return undefined;
  }
  const top = reader.mapping(value, [], TOP_FIELDS, 'the answer key');
  if (!top) return undefined;
  readFormat(top);
  const quiz = readQuizSettings(top);
  const pools = readPools(top);
  const completion = readCompletionRule(top);
  const questions = readQuestions(reader, top);
  return { format: ANSWER_KEY_FORMAT, quiz, completion, questions, pools };
}

function readFormat(top: Fields): void {
  if (!top.has('format')) {
    top.log.error(
      ['format'],
      'missing-field',
      `Missing required field "format" (write "format: ${ANSWER_KEY_FORMAT}").`,
    );
  } else if (top.values.format !== ANSWER_KEY_FORMAT) {
    const message = `Unsupported format ${describe(top.values.format)}; this service reads format ${ANSWER_KEY_FORMAT}.`;
    top.log.error(['format'], 'unsupported-format', message);
  }
}

function readQuizSettings(top: Fields): QuizSettings {
  const quiz = top.mapping('quiz', QUIZ_FIELDS, 'the quiz settings');
  const defaults = DEFAULT_QUIZ_SETTINGS;
  if (!quiz) return { ...defaults, review: { ...defaults.review } };
  const L = ANSWER_KEY_LIMITS;
  const timeLimitMinutes = quiz.number('timeLimitMinutes', { integer: true, min: 1, max: L.timeLimitMinutes });
  const settings: QuizSettings = {
    attemptsAllowed: readAttemptsAllowed(quiz) ?? defaults.attemptsAllowed,
    gradingMethod: quiz.oneOf('gradingMethod', GRADING_METHODS) ?? defaults.gradingMethod,
    passMark: quiz.number('passMark', { min: 0, max: 1, hint: 'Write a fraction: 0.7 for 70%.' }) ?? defaults.passMark,
    ...(timeLimitMinutes === undefined ? {} : { timeLimitMinutes }),
    gracePeriodSeconds:
      quiz.number('gracePeriodSeconds', { integer: true, min: 0, max: L.gracePeriodSeconds }) ??
      defaults.gracePeriodSeconds,
    minimumWaitMinutes:
      quiz.number('minimumWaitMinutes', { integer: true, min: 0, max: L.minimumWaitMinutes }) ??
      defaults.minimumWaitMinutes,
    shuffleQuestions: quiz.boolean('shuffleQuestions') ?? defaults.shuffleQuestions,
    shuffleChoices: quiz.boolean('shuffleChoices') ?? defaults.shuffleChoices,
    review: readReview(quiz),
    ...readWindow(quiz),
  };
  if (settings.attemptsAllowed === 'unlimited' && settings.review.when === 'after_last_attempt') {
    const message = 'With unlimited attempts there is no last attempt, so learners would never see the review.';
    quiz.log.warning(['quiz', 'review', 'when'], 'review-never-shown', message);
  }
  return settings;
}

/** An RFC 3339 date and time with its offset (or Z): one without would mean a different instant per reader. */
function readInstant(quiz: Fields, name: string): string | undefined {
  return quiz.read(name, false, (value, path) => {
    if (!isDateTime(value)) {
      const message =
        `Expected a date and time with its offset, such as "2027-03-08T17:00:00Z" or ` +
        `"2027-03-08T18:00:00+01:00", found ${describe(value)}.`;
      quiz.log.error(path, 'invalid-instant', message);
      return undefined;
    }
    return new Date(value).toISOString();
  });
}

/** opensAt, dueAt, closesAt (in order) and the late policy. */
function readWindow(quiz: Fields): Pick<QuizSettings, 'opensAt' | 'dueAt' | 'closesAt' | 'latePolicy'> {
  const window: Pick<QuizSettings, 'opensAt' | 'dueAt' | 'closesAt' | 'latePolicy'> = {};
  for (const name of ['opensAt', 'dueAt', 'closesAt'] as const) {
    const instant = readInstant(quiz, name);
    if (instant !== undefined) window[name] = instant;
  }
  const bounds = (['opensAt', 'dueAt', 'closesAt'] as const).filter((name) => window[name] !== undefined);
  for (let n = 1; n < bounds.length; n++) {
    const [before, after] = [bounds[n - 1], bounds[n]];
    // Due at the closing is allowed (no late period); opening at the due date or closing is not.
    const ordered = before === 'dueAt' ? window[before]! <= window[after]! : window[before]! < window[after]!;
    if (!ordered) {
      quiz.log.error(quiz.at(after), 'window-out-of-order', `${after} must come after ${before}.`);
    }
  }
  const late = quiz.mapping('latePolicy', ['deductionPerDay', 'maximumDeduction'], 'the late policy');
  if (late) {
    const fraction = { required: true, min: 0, max: 1, hint: 'Write a fraction: 0.1 for 10%.' };
    const deductionPerDay = late.number('deductionPerDay', { ...fraction, exclusiveMin: true });
    const maximumDeduction = late.number('maximumDeduction', fraction);
    if (deductionPerDay !== undefined && maximumDeduction !== undefined) {
      window.latePolicy = { deductionPerDay, maximumDeduction };
    }
    if (window.dueAt === undefined) {
      const message = 'Without a dueAt no attempt is late, so the late policy never applies.';
      quiz.log.warning(quiz.at('latePolicy'), 'late-policy-unused', message);
    }
  }
  return window;
}

function readAttemptsAllowed(quiz: Fields): QuizSettings['attemptsAllowed'] | undefined {
  if (quiz.values.attemptsAllowed === 'unlimited') return 'unlimited';
  return quiz.number('attemptsAllowed', {
    integer: true,
    min: 1,
    max: ANSWER_KEY_LIMITS.attempts,
    hint: 'Or write "unlimited".',
  });
}

function readReview(quiz: Fields): QuizSettings['review'] {
  const review = quiz.mapping('review', ['show', 'when'], 'the review policy');
  const defaults = DEFAULT_QUIZ_SETTINGS.review;
  return {
    show: review?.oneOf('show', REVIEW_SHOWS) ?? defaults.show,
    when: review?.oneOf('when', REVIEW_WHENS) ?? defaults.when,
  };
}

/** `quiz.pools`: syntax only here; which questions each pool holds is checked against the module. */
function readPools(top: Fields): PoolRule[] {
  const quiz = isMapping(top.values.quiz) ? new Fields(top.reader, ['quiz'], top.values.quiz) : undefined;
  if (!quiz) return [];
  const pools =
    quiz.eachOf('pools', { min: 0, max: ANSWER_KEY_LIMITS.pools }, (value, path) =>
      readPool(quiz.reader, value, path),
    ) ?? [];
  rejectDuplicateIds(quiz.log, pools, quiz.at('pools'));
  return pools;
}

function readPool(reader: Reader, value: unknown, path: Path): PoolRule | undefined {
  const f = reader.mapping(value, path, POOL_FIELDS, 'a pool');
  if (!f) return undefined;
  const L = ANSWER_KEY_LIMITS;
  const id = f.slug('id', true) ?? '';
  const draw = f.number('draw', { integer: true, min: 1, max: L.questions, required: true });
  const given = POOL_SELECTORS.filter((name) => f.has(name));
  if (given.length === 0) {
    const message = 'Say which questions the pool holds: "questions", "section" or "knowledgeCheck: true".';
    f.log.error(path, 'pool-selector', message);
  } else if (given.length > 1) {
    const message = `A pool names its questions one way: "${given[0]}" or "${given[1]}", not both.`;
    f.log.error(f.at(given[1]), 'pool-selector', message);
  }
  let select: PoolSelection | undefined;
  if (given[0] === 'questions') {
    const ids = f.eachOf('questions', { min: 1, max: L.questions }, (entry, entryPath) =>
      reader.slug(entry, entryPath),
    );
    if (ids) rejectRepeatedReferences(f.log, ids, f.at('questions'), 'question');
    if (ids) select = { questions: ids };
  } else if (given[0] === 'section') {
    const section = f.number('section', { integer: true, min: 1, max: L.sectionNumber });
    if (section !== undefined) select = { section };
  } else if (given[0] === 'knowledgeCheck') {
    if (f.values.knowledgeCheck === true) select = { knowledgeCheck: true };
    else f.log.error(f.at('knowledgeCheck'), 'invalid-value', 'Write "knowledgeCheck: true", or leave it out.');
  }
  return { id, draw: draw ?? 1, select: select ?? { questions: [] } };
}

function readCompletionRule(top: Fields): CompletionRule {
  const completion = top.mapping('completion', COMPLETION_FIELDS, 'the completion rule');
  const defaults = DEFAULT_COMPLETION_RULE;
  if (!completion) return { ...defaults, requireVerification: [] };
  const rule: CompletionRule = {
    checklist: completion.oneOf('checklist', CHECKLIST_RULES) ?? defaults.checklist,
    knowledgeCheck: completion.oneOf('knowledgeCheck', KNOWLEDGE_CHECK_RULES) ?? defaults.knowledgeCheck,
    requireVerification: readVerificationKeys(completion),
  };
  if (rule.checklist === 'none' && rule.requireVerification.length > 0) {
    const message =
      'The checklist is not required for completion ("checklist: none"), so verification changes nothing.';
    completion.log.warning(['completion', 'requireVerification'], 'verification-unused', message);
  }
  return rule;
}

function readVerificationKeys(completion: Fields): string[] {
  const reader = completion.reader;
  const rule = { min: 0, max: ANSWER_KEY_LIMITS.verificationKeys };
  const keys = completion.eachOf('requireVerification', rule, (value, path) =>
    reader.text(value, path, ANSWER_KEY_LIMITS.shortChars),
  );
  if (keys) rejectRepeatedReferences(completion.log, keys, completion.at('requireVerification'), 'checklist item');
  return keys ?? [];
}

function readQuestions(reader: Reader, top: Fields): AnswerKeyQuestion[] {
  const rule = { min: 0, max: ANSWER_KEY_LIMITS.questions, required: true };
  const questions = top.eachOf('questions', rule, (value, path) => readQuestion(reader, value, path)) ?? [];
  rejectDuplicateQuestionIds(reader.log, questions);
  return questions.map(({ question }) => question);
}

// ---------------------------------------------------------------------------
// Questions

interface ReadQuestion {
  question: AnswerKeyQuestion;
  path: Path;
}

/** What each question type adds to the fields every question has. */
type TypeFields<Q extends QuestionDefinition> = Omit<Q, 'prompt' | 'points' | 'explanation' | 'hint'>;
type TypeFieldReaders = { [T in QuestionType]: (f: Fields) => TypeFields<Extract<QuestionDefinition, { type: T }>> };

function readQuestion(reader: Reader, value: unknown, path: Path): ReadQuestion | undefined {
  const f = reader.mapping(value, path);
  if (!f) return undefined;
  const type = f.oneOf('type', QUESTION_TYPES, true);
  if (type) f.rejectUnknown([...COMMON_QUESTION_FIELDS, ...TYPE_FIELDS[type]], `a ${type} question`, ANY_TYPE_FIELDS);
  else f.rejectUnknown([...COMMON_QUESTION_FIELDS, ...ANY_TYPE_FIELDS], 'a question');

  const knowledgeCheck = f.number('knowledgeCheck', {
    integer: true,
    min: 1,
    max: ANSWER_KEY_LIMITS.knowledgeCheckNumber,
  });
  const placement: QuestionPlacement = {
    id: f.slug('id', true) ?? '',
    ...(knowledgeCheck === undefined ? {} : { knowledgeCheck }),
    section: f.number('section', { integer: true, min: 1, max: ANSWER_KEY_LIMITS.sectionNumber, required: true }) ?? 0,
    ...optional('subsection', f.text('subsection', { max: ANSWER_KEY_LIMITS.shortChars })),
  };
  // A knowledge-check entry may leave its prompt to the module's own wording.
  const prompt = f.text('prompt', { max: ANSWER_KEY_LIMITS.textChars, required: knowledgeCheck === undefined });
  const common = {
    ...optional('prompt', prompt),
    points: f.number('points', { min: 0, exclusiveMin: true, max: ANSWER_KEY_LIMITS.points }) ?? 1,
    ...optional('explanation', f.text('explanation', { max: ANSWER_KEY_LIMITS.textChars })),
    ...optional('hint', f.text('hint', { max: ANSWER_KEY_LIMITS.labelChars })),
  };
  if (!type) return undefined;
  const typeFields = TYPE_FIELD_READERS[type](f);
  return { question: { ...placement, ...common, ...typeFields }, path };
}

/** `{ name: value }`, or nothing when the value is absent, so keys carry no undefined fields. */
function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

function rejectDuplicateQuestionIds(log: ProblemLog, questions: ReadQuestion[]): void {
  const firstIndex = new Map<string, number>();
  questions.forEach(({ question, path }) => {
    const index = path.at(-1) as number;
    const first = firstIndex.get(question.id);
    if (first === undefined) firstIndex.set(question.id, index);
    else if (question.id !== '') {
      log.error(
        [...path, 'id'],
        'duplicate-id',
        `Question id "${question.id}" is already used by questions[${first}].`,
      );
    }
  });
}

const TYPE_FIELD_READERS: TypeFieldReaders = {
  single_choice: readSingleChoice,
  multiple_choice: readMultipleChoice,
  true_false: readTrueFalse,
  short_text: readShortText,
  numeric: readNumeric,
  ordering: readOrdering,
  matching: readMatching,
  essay: readEssay,
};

function readSingleChoice(f: Fields): TypeFields<SingleChoiceQuestion> {
  const choices = readLabelled(f, 'choices', 2, ANSWER_KEY_LIMITS.choices, true);
  const correct = f.read('correct', true, (value, path) => {
    if (Array.isArray(value)) {
      f.log.error(path, 'wrong-type', 'A single_choice question has one right choice; use multiple_choice for more.');
      return undefined;
    }
    return f.reader.slug(value, path);
  });
  if (choices && correct !== undefined) requireKnown(f.log, [correct], [f.at('correct')], choices, 'choice');
  return { type: 'single_choice', choices: choices ?? [], correct: correct ?? '' };
}

function readMultipleChoice(f: Fields): TypeFields<MultipleChoiceQuestion> {
  const choices = readLabelled(f, 'choices', 2, ANSWER_KEY_LIMITS.choices, true);
  const correct = readIdList(f, 'correct', ANSWER_KEY_LIMITS.choices);
  const scoring = f.oneOf('scoring', MC_SCORINGS, true);
  if (choices && correct) {
    const paths = correct.map((_, i) => [...f.at('correct'), i]);
    requireKnown(f.log, correct, paths, choices, 'choice');
    rejectRepeatedReferences(f.log, correct, f.at('correct'), 'choice');
    if (correct.length === 0) f.log.error(f.at('correct'), 'no-correct-choice', 'Name at least one right choice.');
    if (choices.length > 0 && choices.every((choice) => correct.includes(choice.id))) {
      const message = 'Every choice is right, so selecting everything always scores full marks.';
      f.log.warning(f.at('correct'), 'all-choices-correct', message);
    }
  }
  return {
    type: 'multiple_choice',
    choices: choices ?? [],
    correct: correct ?? [],
    scoring: scoring ?? 'all_or_nothing',
  };
}

function readTrueFalse(f: Fields): TypeFields<TrueFalseQuestion> {
  const correct = f.boolean('correct', true);
  const feedbackFields = f.mapping('feedback', ['true', 'false'], 'true/false feedback');
  const textRule = { max: ANSWER_KEY_LIMITS.textChars };
  const feedback = feedbackFields && {
    ...optional('true', feedbackFields.text('true', textRule)),
    ...optional('false', feedbackFields.text('false', textRule)),
  };
  return { type: 'true_false', correct: correct ?? false, ...optional('feedback', feedback) };
}

function readShortText(f: Fields): TypeFields<ShortTextQuestion> {
  const reader = f.reader;
  const L = ANSWER_KEY_LIMITS;
  const accepted = f.eachOf('accepted', { min: 0, max: L.acceptedAnswers }, (value, path) =>
    reader.text(value, path, L.shortChars),
  );
  const keywordGroups = f.eachOf('keywordGroups', { min: 1, max: L.keywordGroups }, (group, groupPath) => {
    const keywords = reader.list(group, groupPath, { min: 1, max: L.keywordsPerGroup });
    return keywords?.flatMap((keyword, i) => reader.text(keyword, [...groupPath, i], L.shortChars) ?? []);
  });
  // A field of the wrong type is reported on its own; only an absent or empty pair is this problem.
  const given = (value: unknown) => value !== undefined && !(Array.isArray(value) && value.length === 0);
  if (!given(f.values.accepted) && !given(f.values.keywordGroups)) {
    f.log.error(f.at('accepted'), 'short-text-no-answers', 'Give at least one accepted answer or keyword group.');
  }
  const key = { type: 'short_text', accepted: accepted ?? [], ...optional('keywordGroups', keywordGroups) } as const;
  const anticipated = readAnticipatedTexts(f, key);
  return {
    ...key,
    ...optional('wrongFeedback', f.text('wrongFeedback', { max: L.textChars })),
    ...optional('anticipated', anticipated),
  };
}

/** Each entry a wrong answer the scorer can tell apart: not blank once normalised, not right, not a repeat. */
function readAnticipatedTexts(
  f: Fields,
  key: Omit<ShortTextQuestion, 'prompt' | 'points'>,
): AnticipatedText[] | undefined {
  const L = ANSWER_KEY_LIMITS;
  const rightKey: ShortTextQuestion = { ...key, prompt: '', points: 1 };
  const seen = new Map<string, number>();
  return f.eachOf('anticipated', { min: 1, max: L.anticipated }, (value, path) => {
    const entry = f.reader.mapping(value, path, ['answer', 'feedback'], 'an anticipated answer');
    if (!entry) return undefined;
    const answer = entry.text('answer', { max: L.shortChars, required: true });
    const feedback = entry.text('feedback', { max: L.textChars, required: true });
    if (answer === undefined || feedback === undefined) return undefined;
    const normalised = normaliseAnswerText(answer);
    const first = seen.get(normalised);
    if (answer !== '' && normalised === '') {
      const message = `"${answer}" is only punctuation, so no answer can match it.`;
      f.log.error(entry.at('answer'), 'invalid-value', message);
    } else if (first !== undefined) {
      const message = `"${answer}" matches the same answers as anticipated[${first}], so its feedback would never show.`;
      f.log.error(entry.at('answer'), 'duplicate-anticipated', message);
    } else if (scoreShortText(rightKey, { type: 'short_text', text: answer }).correctness === 'correct') {
      const message = `"${answer}" scores full marks with this question's key, so it is not a wrong answer.`;
      f.log.error(entry.at('answer'), 'anticipated-is-right', message);
    }
    if (normalised !== '' && first === undefined) seen.set(normalised, path.at(-1) as number);
    return { answer, feedback };
  });
}

function readNumeric(f: Fields): TypeFields<NumericQuestion> {
  const answer = f.number('answer', { required: true });
  const tolerance = f.number('tolerance', { min: 0 }) ?? 0;
  const unit = f.text('unit', { max: ANSWER_KEY_LIMITS.shortChars });
  const anticipated = readAnticipatedValues(f, answer, tolerance);
  return {
    type: 'numeric',
    answer: answer ?? 0,
    tolerance,
    ...optional('unit', unit),
    ...optional('wrongFeedback', f.text('wrongFeedback', { max: ANSWER_KEY_LIMITS.textChars })),
    ...optional('anticipated', anticipated),
  };
}

/** Each entry a wrong value the scorer can tell apart: not within the right answer, not inside an earlier entry. */
function readAnticipatedValues(
  f: Fields,
  rightAnswer: number | undefined,
  rightTolerance: number,
): AnticipatedValue[] | undefined {
  const L = ANSWER_KEY_LIMITS;
  const read: { entry: AnticipatedValue; index: number }[] = [];
  return f.eachOf('anticipated', { min: 1, max: L.anticipated }, (value, path) => {
    const entry = f.reader.mapping(value, path, ['answer', 'tolerance', 'feedback'], 'an anticipated answer');
    if (!entry) return undefined;
    const answer = entry.number('answer', { required: true });
    const tolerance = entry.number('tolerance', { min: 0 }) ?? 0;
    const feedback = entry.text('feedback', { max: L.textChars, required: true });
    if (answer === undefined || feedback === undefined) return undefined;
    const covering = read.find(
      ({ entry: earlier }) =>
        isWithin(answer - tolerance, earlier.answer, earlier.tolerance) &&
        isWithin(answer + tolerance, earlier.answer, earlier.tolerance),
    );
    if (rightAnswer !== undefined && isWithin(answer, rightAnswer, rightTolerance)) {
      const message = `${answer} is within the right answer's tolerance, so it scores full marks and is not a wrong answer.`;
      f.log.error(entry.at('answer'), 'anticipated-is-right', message);
    } else if (covering) {
      const message = `Every value this entry matches is matched by anticipated[${covering.index}] first, so its feedback would never show.`;
      f.log.error(entry.at('answer'), 'duplicate-anticipated', message);
    }
    const anticipated = { answer, tolerance, feedback };
    read.push({ entry: anticipated, index: path.at(-1) as number });
    return anticipated;
  });
}

function readOrdering(f: Fields): TypeFields<OrderingQuestion> {
  const items = readLabelled(f, 'items', 2, ANSWER_KEY_LIMITS.items, false);
  const correctOrder = readIdList(f, 'correctOrder', ANSWER_KEY_LIMITS.items);
  if (items && correctOrder) {
    const paths = correctOrder.map((_, i) => [...f.at('correctOrder'), i]);
    requireKnown(f.log, correctOrder, paths, items, 'item');
    rejectRepeatedReferences(f.log, correctOrder, f.at('correctOrder'), 'item');
    requireAll(f.log, correctOrder, f.at('correctOrder'), items, 'item');
  }
  return { type: 'ordering', items: items ?? [], correctOrder: correctOrder ?? [] };
}

function readMatching(f: Fields): TypeFields<MatchingQuestion> {
  const prompts = readLabelled(f, 'prompts', 2, ANSWER_KEY_LIMITS.items, false);
  const options = readLabelled(f, 'options', 2, ANSWER_KEY_LIMITS.items, false);
  const pairs = f.read('pairs', true, (value, path) => readPairs(f.reader, value, path));
  if (prompts && options && pairs) {
    const pairPaths = Object.keys(pairs).map((promptId) => [...f.at('pairs'), promptId]);
    requireKnown(f.log, Object.keys(pairs), pairPaths, prompts, 'prompt');
    requireKnown(f.log, Object.values(pairs), pairPaths, options, 'option');
    requireAll(f.log, Object.keys(pairs), f.at('pairs'), prompts, 'prompt');
  }
  return { type: 'matching', prompts: prompts ?? [], options: options ?? [], pairs: pairs ?? {} };
}

/** `pairs`: prompt id → option id, both as written so unknown ids can be named. */
function readPairs(reader: Reader, value: unknown, path: Path): Record<string, string> | undefined {
  const fields = reader.mapping(value, path);
  if (!fields) return undefined;
  const pairs: Record<string, string> = {};
  for (const [promptId, optionId] of Object.entries(fields.values)) {
    const id = reader.slug(optionId, [...path, promptId]);
    if (id !== undefined) pairs[promptId] = id;
  }
  return pairs;
}

function readEssay(f: Fields): TypeFields<EssayQuestion> {
  const rubric = f.text('rubric', { max: ANSWER_KEY_LIMITS.textChars });
  const maxWords = f.number('maxWords', { integer: true, min: 1, max: ANSWER_KEY_LIMITS.maxWords });
  return { type: 'essay', ...optional('rubric', rubric), ...optional('maxWords', maxWords) };
}

// ---------------------------------------------------------------------------
// Choices, items and references between them

/**
 * Choices or labelled items, each `{ id, text }`, with per-choice `feedback` when `withFeedback`;
 * ids unique. (A Choice without feedback is a LabelledItem, so one reader serves both.)
 */
function readLabelled(f: Fields, name: string, min: number, max: number, withFeedback: boolean): Choice[] | undefined {
  const allowed = withFeedback ? ['id', 'text', 'feedback'] : ['id', 'text'];
  const entries = f.eachOf(name, { min, max, required: true }, (value, path) => {
    const entry = f.reader.mapping(value, path, allowed, withFeedback ? 'a choice' : 'an item');
    if (!entry) return undefined;
    const feedback = withFeedback ? entry.text('feedback', { max: ANSWER_KEY_LIMITS.textChars }) : undefined;
    return {
      id: entry.slug('id', true) ?? '',
      text: entry.text('text', { max: ANSWER_KEY_LIMITS.labelChars, required: true }) ?? '',
      ...optional('feedback', feedback),
    };
  });
  if (entries) rejectDuplicateIds(f.log, entries, f.at(name));
  return entries;
}

/**
 * A list of ids as written (malformed ones reported, still kept so they can be matched).
 * No minimum: the reference checks name what an empty list leaves out.
 */
function readIdList(f: Fields, name: string, max: number): string[] | undefined {
  return f.eachOf(name, { min: 0, max, required: true }, (value, path) => f.reader.slug(value, path));
}

/** Each reference must name one of `targets`; `paths[i]` is where `references[i]` is written. */
function requireKnown(
  log: ProblemLog,
  references: string[],
  paths: Path[],
  targets: readonly { id: string }[],
  what: string,
): void {
  const known = targets.map((target) => target.id);
  references.forEach((reference, index) => {
    if (known.includes(reference)) return;
    const message = `"${reference}" is not one of the ${what}s (${known.map((id) => `"${id}"`).join(', ')}).`;
    log.error(paths[index], 'unknown-reference', message);
  });
}

/** Every target must be named at least once. */
function requireAll(
  log: ProblemLog,
  references: string[],
  path: Path,
  targets: readonly { id: string }[],
  what: string,
): void {
  const missing = targets.map((target) => target.id).filter((id) => !references.includes(id));
  if (missing.length === 0) return;
  const names = missing.map((id) => `"${id}"`).join(', ');
  log.error(path, 'missing-reference', `Leaves out ${what}${missing.length > 1 ? 's' : ''} ${names}.`);
}

/** Ids defined in a list are unique; the second and later uses are reported at `path[index].id`. */
function rejectDuplicateIds(log: ProblemLog, entries: readonly { id: string }[], path: Path): void {
  entries.forEach(({ id }, index) => {
    if (entries.findIndex((entry) => entry.id === id) === index) return;
    log.error([...path, index, 'id'], 'duplicate-id', `The id "${id}" is already used in this list.`);
  });
}

/** A list of references names each target at most once; repeats are reported at `path[index]`. */
function rejectRepeatedReferences(log: ProblemLog, references: string[], path: Path, what: string): void {
  references.forEach((reference, index) => {
    if (references.indexOf(reference) === index) return;
    log.error([...path, index], 'duplicate-reference', `The ${what} "${reference}" is named more than once.`);
  });
}

// ---------------------------------------------------------------------------
// Checking a key against its module

/**
 * What the key says about the module must hold in the module: knowledge-check numbers,
 * sections, subsections and checklist keys. Knowledge-check questions without an entry
 * are imported as essays for an instructor to grade; each is reported as a warning.
 */
export function checkAnswerKeyAgainstModule(key: AnswerKey, module: ParsedModule): AnswerKeyProblem[] {
  const log = new ProblemLog();
  checkKnowledgeCheckEntries(log, key, module);
  checkCitations(log, key, module);
  checkVerificationKeys(log, key, module);
  checkKnowledgeCheckCanBeMet(log, key, module);
  checkPools(log, key, module);
  return log.toProblems(lineLookups.get(key));
}

/** Every pool names questions of this quiz, each in one pool at most, and can draw what it asks. */
function checkPools(log: ProblemLog, key: AnswerKey, module: ParsedModule): void {
  const sections = new Set(module.sections.map((section) => section.number));
  key.pools.forEach((pool, index) => {
    if (!('section' in pool.select) || sections.has(pool.select.section)) return;
    const numbers = module.sections.map((section) => section.number).join(', ');
    const message = `The module has no section ${pool.select.section} (it has ${numbers}).`;
    log.error(['quiz', 'pools', index, 'section'], 'unknown-section', message);
  });
  for (const problem of resolvePools(key.pools, poolCandidates(key, module)).problems) {
    log.error(['quiz', 'pools', problem.pool, ...problem.at], problem.code, problem.message);
  }
}

function checkKnowledgeCheckEntries(log: ProblemLog, key: AnswerKey, module: ParsedModule): void {
  const graded = new Map<number, number>();
  key.questions.forEach((question, index) => {
    const number = question.knowledgeCheck;
    if (number === undefined) return;
    const path = ['questions', index, 'knowledgeCheck'];
    const first = graded.get(number);
    if (!module.knowledgeCheck.some((kc) => kc.number === number)) {
      const count = module.knowledgeCheck.length;
      log.error(
        path,
        'unknown-knowledge-check',
        `The module's knowledge check has no question ${number} (it has ${count}).`,
      );
    } else if (first !== undefined) {
      log.error(
        path,
        'duplicate-knowledge-check',
        `Knowledge-check question ${number} is already graded by questions[${first}].`,
      );
    } else {
      graded.set(number, index);
    }
  });
  for (const kc of module.knowledgeCheck) {
    if (graded.has(kc.number)) continue;
    const message = `Knowledge-check question ${kc.number} ("${kc.text}") has no entry in the key; it will be imported as an essay for an instructor to grade.`;
    log.warning(['questions'], 'kc-ungraded', message);
  }
}

function checkCitations(log: ProblemLog, key: AnswerKey, module: ParsedModule): void {
  key.questions.forEach((question, index) => {
    const section = module.sections.find((candidate) => candidate.number === question.section);
    if (!section) {
      const numbers = module.sections.map((candidate) => candidate.number).join(', ');
      log.error(
        ['questions', index, 'section'],
        'unknown-section',
        `The module has no section ${question.section} (it has ${numbers}).`,
      );
      return;
    }
    const title = question.subsection;
    if (title === undefined || section.subsections.some((sub) => sub.title === title)) return;
    const titles = section.subsections.map((sub) => `"${sub.title}"`).join(', ') || 'none';
    const message = `Section ${section.number} ("${section.title}") has no subsection "${title}" (it has ${titles}).`;
    log.error(['questions', index, 'subsection'], 'unknown-subsection', message);
  });
}

function checkVerificationKeys(log: ProblemLog, key: AnswerKey, module: ParsedModule): void {
  const known = new Set(module.checklist.map((item) => item.key));
  key.completion.requireVerification.forEach((itemKey, index) => {
    if (known.has(itemKey)) return;
    const message = `The module's checklist has no item with key "${itemKey}".`;
    log.error(['completion', 'requireVerification', index], 'unknown-checklist-item', message);
  });
}

function checkKnowledgeCheckCanBeMet(log: ProblemLog, key: AnswerKey, module: ParsedModule): void {
  if (key.completion.knowledgeCheck === 'none') return;
  if (key.questions.length > 0 || module.knowledgeCheck.length > 0) return;
  const message = `Completion needs the knowledge check ${key.completion.knowledgeCheck}, but it has no questions.`;
  log.warning(['completion', 'knowledgeCheck'], 'empty-knowledge-check', message);
}

/**
 * The question as stored: the entry without its placement, with the module's own wording as
 * the prompt when the entry leaves it out. Call once checkAnswerKeyAgainstModule has no errors.
 */
export function toQuestionDefinition(
  question: AnswerKeyQuestion,
  module: Pick<ParsedModule, 'knowledgeCheck'>,
): QuestionDefinition {
  const { id, knowledgeCheck, section: _section, subsection: _subsection, ...definition } = question;
  const prompt = definition.prompt ?? module.knowledgeCheck.find((kc) => kc.number === knowledgeCheck)?.text;
  if (prompt === undefined) {
    throw new Error(`Question "${id}" has no prompt and names no knowledge-check question of the module`);
  }
  return { ...definition, prompt };
}
