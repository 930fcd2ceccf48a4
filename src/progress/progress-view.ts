import type { CompletionResult } from './completion';
import type { ModuleProgressDto } from './dto/progress.dto';
import type { ModuleFacts } from './progress-facts.repository';

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

export function toModuleProgressView(
  userId: string,
  facts: ModuleFacts,
  result: CompletionResult,
  completedAt: Date | null,
): ModuleProgressDto {
  const { knowledgeCheck } = facts.facts;
  const derived = new Map(result.checklist.map((item) => [item.id, item]));
  return {
    module: facts.module,
    userId,
    status: result.status,
    percentage: result.percentage,
    completedAt: iso(completedAt),
    lastActivityAt: iso(facts.lastActivityAt),
    unmet: result.unmet,
    activities: facts.facts.activities.map((activity) => ({
      id: activity.id,
      number: activity.number,
      title: activity.title,
      stepsDone: activity.steps.filter((step) => step.done).length,
      stepsTotal: activity.steps.length,
      steps: activity.steps.map((step) => ({
        id: step.id,
        number: step.number,
        text: step.text,
        done: step.done,
        doneAt: iso(step.doneAt),
      })),
    })),
    checklist: facts.facts.checklist.map((item) => {
      const evaluated = derived.get(item.id);
      return {
        id: item.id,
        key: item.key,
        position: item.position,
        text: item.text,
        activityId: item.activityId,
        done: evaluated?.done ?? item.done,
        doneAt: iso(evaluated?.doneAt ?? item.doneAt),
        requiresVerification: item.requiresVerification,
        verified: item.verified,
      };
    }),
    knowledgeCheck: {
      quizId: facts.quizId,
      attemptsUsed: knowledgeCheck.attemptsUsed,
      attemptsLeft:
        knowledgeCheck.attemptsAllowed === 'unlimited'
          ? 'unlimited'
          : Math.max(0, knowledgeCheck.attemptsAllowed - knowledgeCheck.attemptsUsed),
      countedScore: knowledgeCheck.countedScaled,
      passed: knowledgeCheck.passed,
      pendingGrading: knowledgeCheck.pendingGrading,
    },
    xapi: result.xapi,
    lti: result.lti,
  };
}
