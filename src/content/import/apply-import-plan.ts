import { randomUUID } from 'node:crypto';
import { type EntityManager, type EntityTarget, In, type ObjectLiteral, type QueryDeepPartialEntity } from 'typeorm';
import { Activity } from '../entities/activity.entity';
import { ActivityStep } from '../entities/activity-step.entity';
import { ChecklistItem } from '../entities/checklist-item.entity';
import { CourseModule } from '../entities/course-module.entity';
import { Question } from '../entities/question.entity';
import { QuestionVersion } from '../entities/question-version.entity';
import { Quiz } from '../entities/quiz.entity';
import type { CurrentModule, ImportPlan } from './import-plan';
import type { IncomingModule, IncomingQuestion } from './incoming-module';

/**
 * Writes a plan inside the caller's transaction: inserts in one statement per
 * table, updates only the rows that changed, retires by setting retired_at
 * (never deletes). Returns the module id. Ids are made here so that rows can
 * name each other before they are inserted.
 */
export async function applyImportPlan(
  manager: EntityManager,
  plan: ImportPlan,
  incoming: IncomingModule,
  current: CurrentModule | undefined,
  now: Date,
): Promise<string> {
  const moduleId = current?.id ?? randomUUID();
  const moduleRow = { ...incoming.module, sourceHash: incoming.sourceHash, answerKeyHash: incoming.answerKeyHash };
  if (plan.moduleWrite === 'create') await manager.insert(CourseModule, { id: moduleId, ...moduleRow });
  else if (plan.moduleWrite === 'update') await manager.update(CourseModule, { id: moduleId }, moduleRow);

  const quizId = current?.quiz?.id ?? randomUUID();
  if (plan.quizWrite === 'create') await manager.insert(Quiz, { id: quizId, moduleId, ...incoming.quiz });
  else if (plan.quizWrite === 'update') await manager.update(Quiz, { id: quizId }, incoming.quiz);

  const activityIds = await applyActivities(manager, plan, moduleId, current, now);
  await applySteps(manager, plan, moduleId, activityIds, now);
  await applyChecklistItems(manager, plan, moduleId, activityIds, now);
  await applyQuestions(manager, plan, quizId, now);
  return moduleId;
}

/** Returns every activity's id by key, new ones included, for the rows that refer to them. */
async function applyActivities(
  manager: EntityManager,
  plan: ImportPlan,
  moduleId: string,
  current: CurrentModule | undefined,
  now: Date,
): Promise<Map<string, string>> {
  const ids = new Map((current?.activities ?? []).map((activity) => [activity.key, activity.id]));
  const added = plan.activities.added.map((activity) => ({ id: randomUUID(), moduleId, ...activity, retiredAt: null }));
  for (const row of added) ids.set(row.key, row.id);
  await insertAll(manager, Activity, added);
  for (const { current: stored, incoming } of plan.activities.changed) {
    const { number, title, position } = incoming;
    await manager.update(Activity, { id: stored.id }, { number, title, position, retiredAt: null });
  }
  await retire(manager, Activity, plan.activities.retired, now);
  return ids;
}

function activityIdOf(ids: Map<string, string>, key: string): string {
  const id = ids.get(key);
  if (!id) throw new Error(`No activity ${key} for a row that names it`);
  return id;
}

async function applySteps(
  manager: EntityManager,
  plan: ImportPlan,
  moduleId: string,
  activityIds: Map<string, string>,
  now: Date,
): Promise<void> {
  const row = (step: ImportPlan['steps']['added'][number]) => ({
    activityId: activityIdOf(activityIds, step.activityKey),
    number: step.number,
    text: step.text,
    retiredAt: null,
  });
  await insertAll(
    manager,
    ActivityStep,
    plan.steps.added.map((step) => ({ id: randomUUID(), moduleId, key: step.key, ...row(step) })),
  );
  for (const change of plan.steps.changed)
    await manager.update(ActivityStep, { id: change.current.id }, row(change.incoming));
  await retire(manager, ActivityStep, plan.steps.retired, now);
}

async function applyChecklistItems(
  manager: EntityManager,
  plan: ImportPlan,
  moduleId: string,
  activityIds: Map<string, string>,
  now: Date,
): Promise<void> {
  const row = (item: ImportPlan['checklistItems']['added'][number]) => ({
    position: item.position,
    text: item.text,
    activityId: item.activityKey === null ? null : activityIdOf(activityIds, item.activityKey),
    requiresVerification: item.requiresVerification,
    retiredAt: null,
  });
  await insertAll(
    manager,
    ChecklistItem,
    plan.checklistItems.added.map((item) => ({ id: randomUUID(), moduleId, key: item.key, ...row(item) })),
  );
  for (const change of plan.checklistItems.changed) {
    await manager.update(ChecklistItem, { id: change.current.id }, row(change.incoming));
  }
  await retire(manager, ChecklistItem, plan.checklistItems.retired, now);
}

/**
 * A new question gets version 1; a changed definition gets version n+1 and
 * becomes current. Existing versions are never touched: attempts keep theirs.
 */
async function applyQuestions(manager: EntityManager, plan: ImportPlan, quizId: string, now: Date): Promise<void> {
  const meta = (question: IncomingQuestion) => ({
    position: question.position,
    knowledgeCheckNumber: question.knowledgeCheckNumber,
    section: question.section,
    subsection: question.subsection,
    origin: question.origin,
    retiredAt: null,
  });
  const version = (questionId: string, number: number, question: IncomingQuestion) => ({
    id: randomUUID(),
    questionId,
    version: number,
    definition: question.definition,
    contentHash: question.contentHash,
  });

  const firstVersions = plan.questions.added.map((question) => version(randomUUID(), 1, question));
  await insertAll(
    manager,
    Question,
    plan.questions.added.map((question, index) => ({
      id: firstVersions[index].questionId,
      quizId,
      key: question.key,
      ...meta(question),
      currentVersionId: firstVersions[index].id,
    })),
  );
  const redefined = plan.questions.changed.filter((change) => change.fields.includes('definition'));
  const nextVersions = redefined.map(({ current, incoming }) =>
    version(current.id, current.currentVersion + 1, incoming),
  );
  await insertAll(manager, QuestionVersion, [...firstVersions, ...nextVersions]);

  const nextVersionId = new Map(nextVersions.map((row) => [row.questionId, row.id]));
  for (const { current, incoming } of plan.questions.changed) {
    const currentVersionId = nextVersionId.get(current.id);
    await manager.update(
      Question,
      { id: current.id },
      { ...meta(incoming), ...(currentVersionId ? { currentVersionId } : {}) },
    );
  }
  await retire(manager, Question, plan.questions.retired, now);
}

async function insertAll<E extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<E>,
  rows: QueryDeepPartialEntity<E>[],
): Promise<void> {
  if (rows.length > 0) await manager.insert(target, rows);
}

type Retirable = Activity | ActivityStep | ChecklistItem | Question;

async function retire(
  manager: EntityManager,
  target: EntityTarget<Retirable>,
  rows: { id: string }[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await manager.update<Retirable>(target, { id: In(rows.map((row) => row.id)) }, { retiredAt: now });
}
