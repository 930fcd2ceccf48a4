import { type DeliveryRule, windowState } from '../attempts/policy/delivery-rule';
import type { CompletionResult } from './completion';
import type { ModuleProgressDto } from './dto/progress.dto';
import type { ModuleFacts } from './progress-facts.repository';

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

/** "2027-03-08 17:00 UTC": a date a person reads, in the zone every date of the API is in. */
function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What the learner's window says about a knowledge check they still have to pass (or submit). */
export function windowLine(rule: DeliveryRule, now: Date, attemptInProgress: boolean): string | null {
  switch (windowState(rule, now)) {
    case 'not_open':
      return `The knowledge check opens on ${when(rule.opensAt!)}`;
    case 'closed':
      return attemptInProgress ? null : `The knowledge check closed on ${when(rule.closesAt!)}; ask your instructor`;
    case 'late':
      return `The knowledge check was due on ${when(rule.dueAt!)}${rule.closesAt ? `; it closes on ${when(rule.closesAt)}` : ''}`;
    case 'open':
      if (rule.dueAt) return `The knowledge check is due on ${when(rule.dueAt)}`;
      return rule.closesAt ? `The knowledge check closes on ${when(rule.closesAt)}` : null;
  }
}

export function toModuleProgressView(
  userId: string,
  facts: ModuleFacts,
  result: CompletionResult,
  completedAt: Date | null,
  /** The learner's rule for the module's quiz, and the time now: dates in `unmet` and the attempts left. */
  delivery?: { rule: DeliveryRule; now: Date },
): ModuleProgressDto {
  const { knowledgeCheck } = facts.facts;
  const rule = delivery?.rule;
  const attemptsAllowed = rule?.attemptsAllowed ?? knowledgeCheck.attemptsAllowed;
  // The dates matter while the knowledge check is one of the things still to do.
  const knowledgeCheckUnmet = result.unmet.some((line) => line.includes('knowledge check'));
  const dateLine =
    delivery && knowledgeCheckUnmet
      ? windowLine(delivery.rule, delivery.now, knowledgeCheck.attemptInProgress === true)
      : null;
  const derived = new Map(result.checklist.map((item) => [item.id, item]));
  return {
    module: facts.module,
    userId,
    status: result.status,
    percentage: result.percentage,
    completedAt: iso(completedAt),
    lastActivityAt: iso(facts.lastActivityAt),
    unmet: dateLine ? [...result.unmet, dateLine] : result.unmet,
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
        attemptsAllowed === 'unlimited' ? 'unlimited' : Math.max(0, attemptsAllowed - knowledgeCheck.attemptsUsed),
      countedScore: knowledgeCheck.countedScaled,
      passed: knowledgeCheck.passed,
      pendingGrading: knowledgeCheck.pendingGrading,
      opensAt: iso(rule?.opensAt),
      dueAt: iso(rule?.dueAt),
      closesAt: iso(rule?.closesAt),
    },
    xapi: result.xapi,
    lti: result.lti,
  };
}
