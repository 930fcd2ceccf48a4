import type { QuizSettings } from './answer-key';
import { canonicalJson } from './content-hash';
import type {
  IncomingActivity,
  IncomingChecklistItem,
  IncomingModule,
  IncomingModuleFields,
  IncomingQuestion,
  IncomingStep,
} from './incoming-module';

/** What a stored row adds to its incoming shape. */
interface Stored {
  id: string;
  retiredAt: Date | null;
}

export type CurrentActivity = IncomingActivity & Stored;
export type CurrentStep = IncomingStep & Stored;
export type CurrentChecklistItem = IncomingChecklistItem & Stored;
/** `contentHash` is that of the current version. */
export type CurrentQuestion = Omit<IncomingQuestion, 'definition'> & Stored & { currentVersion: number };

/** A module as stored, in the shape the import compares against. */
export interface CurrentModule {
  id: string;
  module: IncomingModuleFields;
  sourceHash: string;
  answerKeyHash: string | null;
  quiz: { id: string; title: string; settings: QuizSettings } | null;
  activities: CurrentActivity[];
  steps: CurrentStep[];
  checklistItems: CurrentChecklistItem[];
  questions: CurrentQuestion[];
}

export type ImportStatus = 'created' | 'updated' | 'unchanged';
export type ImportItemKind = 'module' | 'quiz_settings' | 'activity' | 'step' | 'checklist_item' | 'question';

export interface ImportItem {
  kind: ImportItemKind;
  key: string;
  /** For changed items: which fields differ (`definition` means a new question version; `reinstated` a retired item back). */
  fields?: string[];
}

export interface ImportChanges {
  added: ImportItem[];
  changed: ImportItem[];
  retired: ImportItem[];
  /** Items (module and quiz settings included) that stay as they are. */
  unchanged: number;
}

export interface Change<C, I> {
  current: C;
  incoming: I;
  fields: string[];
}

/** Items matched by key: new keys are added, keys no longer present retired, the rest compared field by field. */
export interface KeyedPlan<C, I> {
  added: I[];
  changed: Change<C, I>[];
  retired: C[];
  unchanged: C[];
}

export interface ImportPlan {
  status: ImportStatus;
  /** `update` when a content field differs, or when anything else changes and the files' hashes moved on. */
  moduleWrite: 'create' | 'update' | 'none';
  moduleFields: string[];
  quizWrite: 'create' | 'update' | 'none';
  quizFields: string[];
  activities: KeyedPlan<CurrentActivity, IncomingActivity>;
  steps: KeyedPlan<CurrentStep, IncomingStep>;
  checklistItems: KeyedPlan<CurrentChecklistItem, IncomingChecklistItem>;
  questions: KeyedPlan<CurrentQuestion, IncomingQuestion>;
  changes: ImportChanges;
}

type QuizFields = { title: string; settings: QuizSettings };
type Comparers<C, I> = Record<string, (current: C, incoming: I) => boolean>;

/** Compares the named fields by value (canonical JSON, so jsonb read back from the database compares equal). */
const sameFields = <C, I>(...fields: (keyof C & keyof I & string)[]): Comparers<C, I> =>
  Object.fromEntries(
    fields.map((field) => [
      field,
      (current: C, incoming: I) => canonicalJson(current[field]) === canonicalJson(incoming[field]),
    ]),
  );

const MODULE_FIELDS = sameFields<IncomingModuleFields, IncomingModuleFields>(
  'number',
  'title',
  'objectives',
  'estimatedTime',
  'sections',
  'resources',
  'nextModule',
  'completionRule',
);
const QUIZ_FIELDS = sameFields<QuizFields, QuizFields>('title', 'settings');
const ACTIVITY_FIELDS = sameFields<CurrentActivity, IncomingActivity>('number', 'title', 'position');
const STEP_FIELDS = sameFields<CurrentStep, IncomingStep>('activityKey', 'number', 'text');
const CHECKLIST_FIELDS = sameFields<CurrentChecklistItem, IncomingChecklistItem>(
  'position',
  'text',
  'activityKey',
  'requiresVerification',
);
const QUESTION_FIELDS: Comparers<CurrentQuestion, IncomingQuestion> = {
  ...sameFields<CurrentQuestion, IncomingQuestion>(
    'position',
    'knowledgeCheckNumber',
    'section',
    'subsection',
    'origin',
  ),
  // The definition is compared by the hash of its canonical JSON, as stored with each version.
  definition: (current, incoming) => current.contentHash === incoming.contentHash,
};

/**
 * Compares what a file says with what is stored and decides every write.
 * Pure: applying the plan, or only reporting it (dry run), is the caller's.
 */
export function planModuleImport(current: CurrentModule | undefined, incoming: IncomingModule): ImportPlan {
  const activities = diffByKey(current?.activities ?? [], incoming.activities, ACTIVITY_FIELDS);
  const steps = diffByKey(current?.steps ?? [], incoming.steps, STEP_FIELDS);
  const checklistItems = diffByKey(current?.checklistItems ?? [], incoming.checklistItems, CHECKLIST_FIELDS);
  const questions = diffByKey(current?.questions ?? [], incoming.questions, QUESTION_FIELDS);
  const moduleFields = current ? differingFields(MODULE_FIELDS, current.module, incoming.module) : [];
  const quizFields = current?.quiz ? differingFields(QUIZ_FIELDS, current.quiz, incoming.quiz) : [];

  const slug = incoming.module.slug;
  const kinded = (kind: ImportItemKind) => (item: { key: string }) => ({ kind, key: item.key });
  const changedItem = (kind: ImportItemKind) => (change: Change<{ key: string }, unknown>) => ({
    kind,
    key: change.current.key,
    fields: change.fields,
  });
  const quizWrite = !current?.quiz ? 'create' : quizFields.length > 0 ? 'update' : 'none';
  const changes: ImportChanges = {
    added: [
      ...(current ? [] : [{ kind: 'module' as const, key: slug }]),
      ...(quizWrite === 'create' ? [{ kind: 'quiz_settings' as const, key: slug }] : []),
      ...activities.added.map(kinded('activity')),
      ...steps.added.map(kinded('step')),
      ...checklistItems.added.map(kinded('checklist_item')),
      ...questions.added.map(kinded('question')),
    ],
    changed: [
      ...(moduleFields.length > 0 ? [{ kind: 'module' as const, key: slug, fields: moduleFields }] : []),
      ...(quizWrite === 'update' ? [{ kind: 'quiz_settings' as const, key: slug, fields: quizFields }] : []),
      ...activities.changed.map(changedItem('activity')),
      ...steps.changed.map(changedItem('step')),
      ...checklistItems.changed.map(changedItem('checklist_item')),
      ...questions.changed.map(changedItem('question')),
    ],
    retired: [
      ...activities.retired.map(kinded('activity')),
      ...steps.retired.map(kinded('step')),
      ...checklistItems.retired.map(kinded('checklist_item')),
      ...questions.retired.map(kinded('question')),
    ],
    unchanged:
      (current && moduleFields.length === 0 ? 1 : 0) +
      (quizWrite === 'none' ? 1 : 0) +
      activities.unchanged.length +
      steps.unchanged.length +
      checklistItems.unchanged.length +
      questions.unchanged.length,
  };
  const anything = changes.added.length + changes.changed.length + changes.retired.length > 0;
  const status: ImportStatus = !current ? 'created' : anything ? 'updated' : 'unchanged';
  const hashesMoved =
    !!current && (current.sourceHash !== incoming.sourceHash || current.answerKeyHash !== incoming.answerKeyHash);
  // The hashes record the files of the last import that changed something; alone they change nothing.
  const moduleWrite = !current ? 'create' : moduleFields.length > 0 || (anything && hashesMoved) ? 'update' : 'none';
  return {
    status,
    moduleWrite,
    moduleFields,
    quizWrite,
    quizFields,
    activities,
    steps,
    checklistItems,
    questions,
    changes,
  };
}

function differingFields<C, I>(comparers: Comparers<C, I>, current: C, incoming: I): string[] {
  return Object.entries(comparers)
    .filter(([, isSame]) => !isSame(current, incoming))
    .map(([field]) => field);
}

function diffByKey<C extends Stored & { key: string }, I extends { key: string }>(
  current: C[],
  incoming: I[],
  comparers: Comparers<C, I>,
): KeyedPlan<C, I> {
  const storedByKey = new Map(current.map((row) => [row.key, row]));
  const incomingKeys = new Set(incoming.map((item) => item.key));
  const plan: KeyedPlan<C, I> = { added: [], changed: [], retired: [], unchanged: [] };
  for (const item of incoming) {
    const stored = storedByKey.get(item.key);
    if (!stored) {
      plan.added.push(item);
      continue;
    }
    const fields = differingFields(comparers, stored, item);
    if (stored.retiredAt) fields.unshift('reinstated');
    if (fields.length > 0) plan.changed.push({ current: stored, incoming: item, fields });
    else plan.unchanged.push(stored);
  }
  plan.retired = current.filter((row) => !row.retiredAt && !incomingKeys.has(row.key));
  return plan;
}
