import type { QuestionOrigin } from '../entities/question.entity';
import type { ParsedKnowledgeCheckQuestion, ParsedModule, ParsedNextModule, ParsedResource } from '../module.types';
import type { QuestionDefinition } from '../question.types';
import { type StoredSection, toStoredSections } from '../stored-section';
import {
  type AnswerKey,
  type AnswerKeyQuestion,
  checkAnswerKeyAgainstModule,
  type CompletionRule,
  DEFAULT_COMPLETION_RULE,
  DEFAULT_QUIZ_SETTINGS,
  parseAnswerKey,
  type QuizSettings,
  toQuestionDefinition,
} from './answer-key';
import { contentHash, sha256 } from './content-hash';
import { fromAnswerKeyProblem, fromModuleProblem, type ImportProblem, isError, sortProblems } from './import-problem';
import { parseModule } from './module-parser';
import { poolCandidates, resolvePools } from './question-pools';

export type AnswerKeyFormat = 'yaml' | 'json';

/** The two files of an import, as text. */
export interface ImportSource {
  markdown: string;
  answerKey?: { text: string; format: AnswerKeyFormat };
}

export interface IncomingActivity {
  key: string;
  number: number;
  title: string;
  position: number;
}

export interface IncomingStep {
  key: string;
  activityKey: string;
  number: number;
  text: string;
}

export interface IncomingChecklistItem {
  key: string;
  position: number;
  text: string;
  activityKey: string | null;
  requiresVerification: boolean;
}

export interface IncomingQuestion {
  key: string;
  position: number;
  knowledgeCheckNumber: number | null;
  section: number | null;
  subsection: string | null;
  origin: QuestionOrigin;
  definition: QuestionDefinition;
  contentHash: string;
}

/** The module fields compared on re-import (hashes are bookkeeping, not content). */
export interface IncomingModuleFields {
  slug: string;
  number: number;
  title: string;
  objectives: string[];
  estimatedTime: string | null;
  sections: StoredSection[];
  resources: ParsedResource[];
  nextModule: ParsedNextModule | null;
  completionRule: CompletionRule;
}

/** Everything an import would store, keyed for comparison with what is stored. */
export interface IncomingModule {
  module: IncomingModuleFields;
  sourceHash: string;
  answerKeyHash: string | null;
  quiz: { title: string; settings: QuizSettings };
  activities: IncomingActivity[];
  steps: IncomingStep[];
  checklistItems: IncomingChecklistItem[];
  questions: IncomingQuestion[];
  /** Knowledge-check numbers imported as essays because the key does not grade them. */
  ungradedKnowledgeCheck: number[];
}

export type PreparedImport =
  { ok: true; incoming: IncomingModule; warnings: ImportProblem[] } | { ok: false; problems: ImportProblem[] };

/**
 * Parses and checks both files, collecting every problem. Any error rejects
 * the import as a whole; warnings travel with the result into the report.
 */
export function prepareModuleImport(source: ImportSource): PreparedImport {
  const parsed = parseModule(source.markdown);
  const problems = parsed.problems.map(fromModuleProblem);
  let key: AnswerKey | undefined;
  if (source.answerKey) {
    const result = parseAnswerKey(source.answerKey.text, source.answerKey.format);
    problems.push(...result.problems.map(fromAnswerKeyProblem));
    key = result.key;
    if (key && parsed.module) {
      problems.push(...checkAnswerKeyAgainstModule(key, parsed.module).map(fromAnswerKeyProblem));
      problems.push(...questionKeyConflicts(key, parsed.module));
    }
  } else if (parsed.module && parsed.module.knowledgeCheck.length > 0) {
    problems.push(noAnswerKeyWarning(parsed.module.knowledgeCheck.length));
  }
  const module = parsed.module;
  if (!module || problems.some(isError) || (source.answerKey && !key)) {
    return { ok: false, problems: sortProblems(problems) };
  }
  return { ok: true, incoming: toIncoming(source, module, key), warnings: sortProblems(problems) };
}

function toIncoming(source: ImportSource, module: ParsedModule, key: AnswerKey | undefined): IncomingModule {
  const completionRule = key?.completion ?? { ...DEFAULT_COMPLETION_RULE, requireVerification: [] };
  const settings = key
    ? withPools(key, module)
    : { ...DEFAULT_QUIZ_SETTINGS, review: { ...DEFAULT_QUIZ_SETTINGS.review } };
  const verified = new Set(completionRule.requireVerification);
  const activityKeyByNumber = new Map(module.activities.map((activity) => [activity.number, activity.key]));
  const questions = incomingQuestions(module, key?.questions ?? []);
  return {
    module: {
      slug: module.slug,
      number: module.number,
      title: module.title,
      objectives: module.objectives,
      estimatedTime: module.estimatedTime ?? null,
      sections: toStoredSections(module.sections),
      resources: module.resources,
      nextModule: module.nextModule ?? null,
      completionRule,
    },
    sourceHash: sha256(source.markdown),
    answerKeyHash: source.answerKey ? sha256(source.answerKey.text) : null,
    quiz: { title: `Module ${module.number} Knowledge Check`, settings },
    activities: module.activities.map((activity, index) => ({
      key: activity.key,
      number: activity.number,
      title: activity.title,
      position: index + 1,
    })),
    steps: module.activities.flatMap((activity) =>
      activity.steps.map((step) => ({
        key: step.key,
        activityKey: activity.key,
        number: step.number,
        text: step.text,
      })),
    ),
    checklistItems: module.checklist.map((item) => ({
      key: item.key,
      position: item.position,
      text: item.text,
      activityKey: item.activityNumber === undefined ? null : (activityKeyByNumber.get(item.activityNumber) ?? null),
      requiresVerification: verified.has(item.key),
    })),
    questions: questions.map((question, index) => ({ ...question, position: index + 1 })),
    ungradedKnowledgeCheck: questions.flatMap((q) => (q.ungraded ? [q.knowledgeCheckNumber ?? 0] : [])),
  };
}

/** The key's quiz settings with its pools resolved to question keys; no `pools` field when there are none. */
function withPools(key: AnswerKey, module: ParsedModule): QuizSettings {
  if (key.pools.length === 0) return key.quiz;
  return { ...key.quiz, pools: resolvePools(key.pools, poolCandidates(key, module)).pools };
}

type UnplacedQuestion = Omit<IncomingQuestion, 'position'> & { ungraded: boolean };

/** Knowledge-check questions first, in the module's order; then the bank, in the key's order. */
function incomingQuestions(module: ParsedModule, entries: AnswerKeyQuestion[]): UnplacedQuestion[] {
  const entryByNumber = new Map(
    entries.flatMap((entry) => (entry.knowledgeCheck ? [[entry.knowledgeCheck, entry]] : [])),
  );
  const knowledgeCheck = module.knowledgeCheck.map((kc) => {
    const entry = entryByNumber.get(kc.number);
    return entry ? fromEntry(entry, module, 'knowledge_check') : ungradedEssay(kc);
  });
  const bank = entries.filter((entry) => entry.knowledgeCheck === undefined).map((e) => fromEntry(e, module, 'bank'));
  return [...knowledgeCheck, ...bank];
}

function fromEntry(entry: AnswerKeyQuestion, module: ParsedModule, origin: QuestionOrigin): UnplacedQuestion {
  const definition = toQuestionDefinition(entry, module);
  return {
    key: entry.id,
    knowledgeCheckNumber: entry.knowledgeCheck ?? null,
    section: entry.section,
    subsection: entry.subsection ?? null,
    origin,
    definition,
    contentHash: contentHash(definition),
    ungraded: false,
  };
}

/** A knowledge-check question the key does not grade: an essay, in the module's words, for an instructor. */
function ungradedEssay(kc: ParsedKnowledgeCheckQuestion): UnplacedQuestion {
  const definition: QuestionDefinition = { type: 'essay', prompt: kc.text, points: 1 };
  return {
    key: kc.key,
    knowledgeCheckNumber: kc.number,
    section: null,
    subsection: null,
    origin: 'knowledge_check',
    definition,
    contentHash: contentHash(definition),
    ungraded: true,
  };
}

/** An ungraded question N is stored under `kc-N`, which a bank entry of the key must not also use. */
function questionKeyConflicts(key: AnswerKey, module: ParsedModule): ImportProblem[] {
  const graded = new Set(key.questions.map((question) => question.knowledgeCheck));
  const ungradedKeys = new Set(module.knowledgeCheck.filter((kc) => !graded.has(kc.number)).map((kc) => kc.key));
  return key.questions.flatMap((question, index) =>
    ungradedKeys.has(question.id)
      ? [
          {
            source: 'answer-key' as const,
            severity: 'error' as const,
            code: 'question-key-conflict',
            message: `The id "${question.id}" is where the ungraded knowledge-check question of that number is kept; give this entry another id, or grade that question with it ("knowledgeCheck").`,
            line: null,
            path: `questions[${index}].id`,
          },
        ]
      : [],
  );
}

function noAnswerKeyWarning(count: number): ImportProblem {
  return {
    source: 'answer-key',
    severity: 'warning',
    code: 'no-answer-key',
    message: `No answer key: the ${count} knowledge-check question${count === 1 ? ' is' : 's are'} imported as essays for an instructor to grade.`,
    line: null,
  };
}
