import { type EntityManager, In } from 'typeorm';
import { Activity } from '../entities/activity.entity';
import { ActivityStep } from '../entities/activity-step.entity';
import { ChecklistItem } from '../entities/checklist-item.entity';
import { CourseModule } from '../entities/course-module.entity';
import { Question } from '../entities/question.entity';
import { QuestionVersion } from '../entities/question-version.entity';
import { Quiz } from '../entities/quiz.entity';
import type { CurrentModule } from './import-plan';

/**
 * Everything stored for a module, retired rows included (a retired item that
 * comes back is reinstated, not added twice). A fixed handful of queries,
 * whatever the module's size.
 */
export async function loadCurrentModule(manager: EntityManager, slug: string): Promise<CurrentModule | undefined> {
  const module = await manager.findOne(CourseModule, { where: { slug } });
  if (!module) return undefined;
  const moduleId = module.id;
  const quiz = await manager.findOne(Quiz, { where: { moduleId } });
  const activities = await manager.find(Activity, { where: { moduleId } });
  const steps = await manager.find(ActivityStep, { where: { moduleId } });
  const items = await manager.find(ChecklistItem, { where: { moduleId } });
  const questions = quiz ? await manager.find(Question, { where: { quizId: quiz.id } }) : [];
  const versions = questions.length
    ? await manager.find(QuestionVersion, {
        select: { id: true, version: true, contentHash: true },
        where: { id: In(questions.map((question) => question.currentVersionId)) },
      })
    : [];

  const activityKeyById = new Map(activities.map((activity) => [activity.id, activity.key]));
  const versionById = new Map(versions.map((version) => [version.id, version]));
  const keyOfActivity = (id: string) => {
    const key = activityKeyById.get(id);
    if (key === undefined) throw new Error(`Stored row refers to activity ${id} of another module`);
    return key;
  };
  return {
    id: moduleId,
    module: {
      slug: module.slug,
      number: module.number,
      title: module.title,
      objectives: module.objectives,
      estimatedTime: module.estimatedTime,
      sections: module.sections,
      resources: module.resources,
      nextModule: module.nextModule,
      completionRule: module.completionRule,
    },
    sourceHash: module.sourceHash,
    answerKeyHash: module.answerKeyHash,
    quiz: quiz && { id: quiz.id, title: quiz.title, settings: quiz.settings },
    activities: activities.map(({ id, key, number, title, position, retiredAt }) => ({
      id,
      key,
      number,
      title,
      position,
      retiredAt,
    })),
    steps: steps.map(({ id, key, activityId, number, text, retiredAt }) => ({
      id,
      key,
      activityKey: keyOfActivity(activityId),
      number,
      text,
      retiredAt,
    })),
    checklistItems: items.map(({ id, key, position, text, activityId, requiresVerification, retiredAt }) => ({
      id,
      key,
      position,
      text,
      activityKey: activityId === null ? null : keyOfActivity(activityId),
      requiresVerification,
      retiredAt,
    })),
    questions: questions.map((question) => {
      const version = versionById.get(question.currentVersionId);
      if (!version) throw new Error(`Question ${question.id} has no current version`);
      return {
        id: question.id,
        key: question.key,
        position: question.position,
        knowledgeCheckNumber: question.knowledgeCheckNumber,
        section: question.section,
        subsection: question.subsection,
        origin: question.origin,
        contentHash: version.contentHash,
        currentVersion: version.version,
        retiredAt: question.retiredAt,
      };
    }),
  };
}
