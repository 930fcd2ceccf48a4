import fc from 'fast-check';
import { DEFAULT_COMPLETION_RULE, type CompletionRule } from '../content/import/answer-key';
import {
  evaluateCompletion,
  type ActivityFacts,
  type ChecklistItemFacts,
  type KnowledgeCheckFacts,
  type ProgressFacts,
} from './completion';

// ---------------------------------------------------------------------------
// Module 5 as facts: 8 activities × 4 steps, 11 checklist items of which 8 name an activity

const ACTIVITY_TITLES = [
  'Enable and Configure CloudTrail',
  'Create CloudWatch Alarms',
  'Set Up AWS Config',
  'Review GuardDuty Findings',
  'Configure Security Hub',
  'Run Inspector Assessments',
  'Analyze VPC Flow Logs',
  'Create Automated Security Responses',
];

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const day = (n: number) => new Date(Date.UTC(2025, 0, n));

function module5Activities(): ActivityFacts[] {
  return ACTIVITY_TITLES.map((title, index) => ({
    id: `activity-${index + 1}`,
    number: index + 1,
    title,
    steps: [1, 2, 3, 4].map((number) => ({
      id: `activity-${index + 1}-step-${number}`,
      number,
      text: `Step ${number}`,
      done: false,
      doneAt: null,
    })),
  }));
}

function item(position: number, text: string, activityId: string | null = null): ChecklistItemFacts {
  const base = { done: false, doneAt: null, verified: false, requiresVerification: false };
  return { id: `item-${position}`, key: slug(text), position, text, activityId, ...base };
}

function module5Checklist(): ChecklistItemFacts[] {
  const linked = ACTIVITY_TITLES.map((title, index) =>
    item(index + 2, `Completed Activity ${index + 1}: ${title}`, `activity-${index + 1}`),
  );
  return [
    item(1, 'Read all module content'),
    ...linked,
    item(10, 'Reviewed additional resources'),
    item(11, 'Ready to proceed to Module 6'),
  ];
}

function noAttempts(): KnowledgeCheckFacts {
  return {
    exists: true,
    attemptsUsed: 0,
    attemptsAllowed: 3,
    attemptInProgress: false,
    countedScaled: null,
    passed: null,
    passMark: 0.7,
    anySubmitted: false,
    pendingGrading: false,
  };
}

function graded(scaled: number, attemptsUsed = 1): Partial<KnowledgeCheckFacts> {
  return { attemptsUsed, countedScaled: scaled, passed: scaled >= 0.7, anySubmitted: true };
}

function module5(): ProgressFacts {
  return {
    rule: { ...DEFAULT_COMPLETION_RULE, requireVerification: [] },
    activities: module5Activities(),
    checklist: module5Checklist(),
    knowledgeCheck: noAttempts(),
    hasAnyActivity: false,
  };
}

/** Step `step` of activity `activity` done on day `activity * 2 + step`, so the 4th step is its latest. */
function withStepsDone(facts: ProgressFacts, which: (activity: number, step: number) => boolean): ProgressFacts {
  const activities = facts.activities.map((activity) => ({
    ...activity,
    steps: activity.steps.map((step) =>
      which(activity.number, step.number)
        ? { ...step, done: true, doneAt: day(activity.number * 2 + step.number) }
        : { ...step, done: false, doneAt: null },
    ),
  }));
  return { ...facts, activities, hasAnyActivity: true };
}

function withItemsTicked(facts: ProgressFacts, positions: number[]): ProgressFacts {
  const checklist = facts.checklist.map((entry) =>
    positions.includes(entry.position) ? { ...entry, done: true, doneAt: day(30) } : entry,
  );
  return { ...facts, checklist, hasAnyActivity: true };
}

function withKnowledgeCheck(facts: ProgressFacts, kc: Partial<KnowledgeCheckFacts>): ProgressFacts {
  return { ...facts, knowledgeCheck: { ...facts.knowledgeCheck, ...kc }, hasAnyActivity: true };
}

function withRule(facts: ProgressFacts, rule: Partial<CompletionRule>): ProgressFacts {
  return { ...facts, rule: { ...facts.rule, ...rule } };
}

const allSteps = () => true;
const UNLINKED = [1, 10, 11];
const completedModule5 = () =>
  withKnowledgeCheck(withItemsTicked(withStepsDone(module5(), allSteps), UNLINKED), graded(0.85));
const activityLine = (n: number, done = 0) =>
  `Finish Activity ${n}: ${ACTIVITY_TITLES[n - 1]} (${done} of 4 steps done)`;

// ---------------------------------------------------------------------------

describe('evaluateCompletion on Module 5', () => {
  it('has not started when nothing is recorded, and lists every activity, unlinked item and the knowledge check', () => {
    const result = evaluateCompletion(module5());
    expect(result).toMatchObject({ status: 'not_started', percentage: 0, completed: false });
    expect(result.unmet).toEqual([
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => activityLine(n)),
      'Tick “Read all module content”',
      'Tick “Reviewed additional resources”',
      'Tick “Ready to proceed to Module 6”',
      'Pass the knowledge check (70% needed)',
    ]);
    expect(result.unmet[2]).toBe('Finish Activity 3: Set Up AWS Config (0 of 4 steps done)');
    expect(result.xapi).toEqual({ completion: false });
    expect(result.lti).toEqual({ activityProgress: 'Initialized', gradingProgress: 'NotReady' });
  });

  it('derives the 8 linked items from their steps, done as of the latest step', () => {
    const result = evaluateCompletion(withStepsDone(module5(), allSteps));
    const linked = result.checklist.filter((entry) => entry.derived);
    expect(linked).toHaveLength(8);
    linked.forEach((entry, index) => {
      expect(entry).toEqual({
        id: `item-${index + 2}`,
        done: true,
        doneAt: day((index + 1) * 2 + 4),
        verified: false,
        derived: true,
      });
    });
    expect(result.checklist.filter((entry) => !entry.derived).map((entry) => entry.done)).toEqual([
      false,
      false,
      false,
    ]);
    expect(result.status).toBe('in_progress');
    // 32 steps of 32 + 3 items + a knowledge check weighing 32 / 4 = 8: 32 of 43.
    expect(result.percentage).toBe(74);
    expect(result.unmet).toEqual([
      'Tick “Read all module content”',
      'Tick “Reviewed additional resources”',
      'Tick “Ready to proceed to Module 6”',
      'Pass the knowledge check (70% needed)',
    ]);
    expect(result.lti).toEqual({ activityProgress: 'InProgress', gradingProgress: 'NotReady' });
  });

  it('is completed once the 3 unlinked items are ticked and the knowledge check is passed', () => {
    const result = evaluateCompletion(completedModule5());
    expect(result).toMatchObject({ status: 'completed', percentage: 100, completed: true, unmet: [] });
    expect(result.checklist.every((entry) => entry.done)).toBe(true);
    expect(result.xapi).toEqual({ completion: true, success: true, score: { scaled: 0.85 } });
    expect(result.lti).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
  });

  it('falls back to in progress when one step is undone, and the activity reappears', () => {
    const facts = withStepsDone(completedModule5(), (activity, step) => !(activity === 3 && step === 2));
    const result = evaluateCompletion(facts);
    expect(result).toMatchObject({ status: 'in_progress', completed: false });
    expect(result.unmet).toEqual(['Finish Activity 3: Set Up AWS Config (3 of 4 steps done)']);
    expect(result.checklist.find((entry) => entry.id === 'item-4')).toMatchObject({ done: false, doneAt: null });
    // 31 + 3 + 8 of 43.
    expect(result.percentage).toBe(97);
    expect(result.xapi).toEqual({ completion: false, success: true, score: { scaled: 0.85 } });
    expect(result.lti).toEqual({ activityProgress: 'Submitted', gradingProgress: 'FullyGraded' });
  });

  it("ignores a linked item's own tick", () => {
    const ticked = withItemsTicked(module5(), [2]);
    expect(evaluateCompletion(ticked).checklist[1]).toMatchObject({ done: false, doneAt: null, derived: true });
    const unticked = withStepsDone(module5(), (activity) => activity === 1);
    expect(evaluateCompletion(unticked).checklist[1]).toMatchObject({ done: true, doneAt: day(6) });
  });

  it('weighs the knowledge check as a quarter of the steps', () => {
    expect(evaluateCompletion(withKnowledgeCheck(module5(), graded(0.9))).percentage).toBe(18); // 8 of 43
  });
});

describe('verification', () => {
  const key = 'reviewed-additional-resources';

  it('counts an item the answer key lists only once it is verified', () => {
    const facts = withRule(completedModule5(), { requireVerification: [key] });
    const unverified = evaluateCompletion(facts);
    expect(unverified).toMatchObject({ status: 'in_progress', completed: false, percentage: 97 }); // 43 of 44
    expect(unverified.unmet).toEqual(['Have an instructor verify “Reviewed additional resources”']);
    const checklist = facts.checklist.map((entry) => (entry.key === key ? { ...entry, verified: true } : entry));
    expect(evaluateCompletion({ ...facts, checklist })).toMatchObject({ completed: true, unmet: [], percentage: 100 });
  });

  it("honours the item's own requiresVerification, and asks to tick before asking to verify", () => {
    const facts = module5();
    const checklist = facts.checklist.map((entry) =>
      entry.position === 1 ? { ...entry, requiresVerification: true } : entry,
    );
    const result = evaluateCompletion({ ...facts, checklist });
    expect(result.unmet).toContain('Tick “Read all module content”');
    expect(result.unmet.some((line) => line.startsWith('Have an instructor verify'))).toBe(false);
  });

  it('asks for a linked item to be verified only once its activity is finished', () => {
    const linkedKey = slug(`Completed Activity 3: ${ACTIVITY_TITLES[2]}`);
    const facts = withRule(
      withStepsDone(module5(), (activity, step) => activity === 3 && step < 4),
      {
        requireVerification: [linkedKey],
      },
    );
    expect(evaluateCompletion(facts).unmet[2]).toBe('Finish Activity 3: Set Up AWS Config (3 of 4 steps done)');
    const finished = withStepsDone(facts, (activity) => activity === 3);
    const lines = evaluateCompletion(finished).unmet;
    expect(lines).not.toContain(activityLine(3, 4));
    expect(lines).toContain(`Have an instructor verify “Completed Activity 3: Set Up AWS Config”`);
  });
});

describe('rule variants', () => {
  it("checklist 'none' needs only the knowledge check", () => {
    const facts = withRule(module5(), { checklist: 'none' });
    expect(evaluateCompletion(facts).unmet).toEqual(['Pass the knowledge check (70% needed)']);
    const passed = evaluateCompletion(withKnowledgeCheck(facts, graded(0.7)));
    expect(passed).toMatchObject({ status: 'completed', percentage: 100, unmet: [] });
  });

  it("knowledgeCheck 'submitted' is met by a failed submission", () => {
    const facts = withRule(withItemsTicked(withStepsDone(module5(), allSteps), UNLINKED), {
      knowledgeCheck: 'submitted',
    });
    expect(evaluateCompletion(facts).unmet).toEqual(['Submit the knowledge check']);
    const failed = evaluateCompletion(withKnowledgeCheck(facts, graded(0.2)));
    expect(failed).toMatchObject({ completed: true, unmet: [] });
    expect(failed.xapi).toEqual({ completion: true, success: false, score: { scaled: 0.2 } });
  });

  it("knowledgeCheck 'none' leaves the knowledge check out", () => {
    const facts = withRule(withItemsTicked(withStepsDone(module5(), allSteps), UNLINKED), { knowledgeCheck: 'none' });
    expect(evaluateCompletion(facts)).toMatchObject({ completed: true, percentage: 100, unmet: [] });
  });

  it('completes every learner from the start when nothing is required', () => {
    const facts = withRule(module5(), { checklist: 'none', knowledgeCheck: 'none' });
    expect(evaluateCompletion(facts)).toMatchObject({ status: 'completed', percentage: 100, unmet: [] });
  });

  it('treats the knowledge-check criterion as met for a module without one', () => {
    const facts = withKnowledgeCheck(withItemsTicked(withStepsDone(module5(), allSteps), UNLINKED), { exists: false });
    const result = evaluateCompletion(facts);
    expect(result).toMatchObject({ completed: true, unmet: [] });
    expect(result.xapi).toEqual({ completion: true });
    expect(result.lti).toEqual({ activityProgress: 'Completed', gradingProgress: 'NotReady' });
    // 32 steps + 3 items, no knowledge check: 32 of 35.
    expect(evaluateCompletion({ ...facts, checklist: module5Checklist() }).percentage).toBe(91);
  });
});

describe('the knowledge-check line', () => {
  const line = (kc: Partial<KnowledgeCheckFacts>) => evaluateCompletion(withKnowledgeCheck(module5(), kc)).unmet.at(-1);

  it('names the score so far and the pass mark', () => {
    expect(line(graded(0.55))).toBe('Pass the knowledge check (your score so far 55%, 70% needed)');
    expect(line({ ...graded(0.6667), passMark: 0.655 })).toBe(
      'Pass the knowledge check (your score so far 66.67%, 65.5% needed)',
    );
    expect(line({ ...graded(0.6999) })).toBe('Pass the knowledge check (your score so far 69.99%, 70% needed)');
  });

  it('says when no attempts are left, but not while the last attempt is open', () => {
    const spent = { ...graded(0.4, 3), attemptsAllowed: 3 };
    expect(line(spent)).toBe('The knowledge check was not passed and no attempts are left; ask your instructor');
    expect(line({ ...spent, attemptInProgress: true })).toBe(
      'Pass the knowledge check (your score so far 40%, 70% needed)',
    );
    expect(line({ ...spent, attemptsAllowed: 'unlimited', attemptsUsed: 50 })).toMatch(/^Pass the knowledge check/);
    const { attemptInProgress: _absent, ...unknownIfOpen } = { ...noAttempts(), ...spent };
    const facts = { ...module5(), knowledgeCheck: unknownIfOpen };
    expect(evaluateCompletion(facts).unmet.at(-1)).toMatch(/no attempts are left/);
  });

  it('asks to wait while an essay is graded', () => {
    expect(line({ attemptsUsed: 1, anySubmitted: true, pendingGrading: true })).toBe(
      'Wait for your instructor to grade the knowledge check',
    );
  });
});

describe('LTI and xAPI mapping', () => {
  const map = (facts: ProgressFacts) => {
    const { xapi, lti } = evaluateCompletion(facts);
    return { xapi, lti };
  };

  it('says Started when only an attempt was opened', () => {
    const started = withKnowledgeCheck(module5(), { attemptsUsed: 1, attemptInProgress: true });
    expect(map(started)).toEqual({
      xapi: { completion: false },
      lti: { activityProgress: 'Started', gradingProgress: 'NotReady' },
    });
  });

  it('says PendingManual while an essay waits, keeping an earlier counted score', () => {
    const pending = withKnowledgeCheck(module5(), { ...graded(0.5, 2), pendingGrading: true });
    expect(map(pending)).toEqual({
      xapi: { completion: false, success: false, score: { scaled: 0.5 } },
      lti: { activityProgress: 'Submitted', gradingProgress: 'PendingManual' },
    });
  });

  it('says FullyGraded, not Failed, for a final score below the pass mark with no attempts left', () => {
    const spent = withKnowledgeCheck(module5(), { ...graded(0.3, 3), attemptsAllowed: 3 });
    expect(map(spent).lti).toEqual({ activityProgress: 'Submitted', gradingProgress: 'FullyGraded' });
  });

  it('says Pending for a submission not yet scored that needs no person', () => {
    const submitted = withKnowledgeCheck(module5(), { attemptsUsed: 1, anySubmitted: true });
    expect(map(submitted).lti).toEqual({ activityProgress: 'Submitted', gradingProgress: 'Pending' });
  });
});

describe('edge cases', () => {
  it('keeps its own tick for an item whose activity has no steps or is not in the facts', () => {
    const facts = module5();
    const activities = facts.activities.map((activity) =>
      activity.number === 1 ? { ...activity, steps: [] } : activity,
    );
    const checklist = facts.checklist.map((entry) =>
      entry.position === 3 ? { ...entry, activityId: 'retired' } : entry,
    );
    const result = evaluateCompletion({ ...facts, activities, checklist });
    expect(result.checklist.slice(1, 3).map((entry) => entry.derived)).toEqual([false, false]);
    expect(result.unmet.slice(0, 3)).toEqual([activityLine(3), activityLine(4), activityLine(5)]);
    expect(result.unmet).toContain('Tick “Completed Activity 1: Enable and Configure CloudTrail”');
    expect(result.unmet).toContain('Tick “Completed Activity 2: Create CloudWatch Alarms”');
  });

  it('lists an activity named by two items once', () => {
    const facts = module5();
    const checklist = [...facts.checklist, { ...item(12, 'Activity 3 again', 'activity-3') }];
    expect(
      evaluateCompletion({ ...facts, checklist }).unmet.filter((line) => line.includes('Activity 3')),
    ).toHaveLength(1);
  });

  it('does not require an activity that no checklist item names', () => {
    const facts = module5();
    const checklist = facts.checklist.filter((entry) => entry.activityId !== 'activity-8');
    expect(evaluateCompletion({ ...facts, checklist }).unmet).not.toContain(activityLine(8));
  });
});

// ---------------------------------------------------------------------------
// Laws

const dateArb = fc.date({ min: day(1), max: day(365), noInvalidDate: true });

const activitiesArb = fc
  .array(fc.array(fc.record({ done: fc.boolean(), doneAt: dateArb }), { maxLength: 5 }), { maxLength: 5 })
  .map((activities) =>
    activities.map<ActivityFacts>((steps, a) => ({
      id: `a${a}`,
      number: a + 1,
      title: `Activity ${a + 1}`,
      steps: steps.map((step, s) => ({
        id: `a${a}-s${s}`,
        number: s + 1,
        text: `Step ${s + 1}`,
        done: step.done,
        doneAt: step.done ? step.doneAt : null,
      })),
    })),
  );

const checklistArb = fc
  .array(
    fc.record({
      activity: fc.option(fc.nat({ max: 6 })), // sometimes names an activity that is not there
      done: fc.boolean(),
      doneAt: dateArb,
      verified: fc.boolean(),
      requiresVerification: fc.boolean(),
    }),
    { maxLength: 6 },
  )
  .map((items) =>
    items.map<ChecklistItemFacts>((entry, i) => ({
      id: `i${i}`,
      key: `item-${i}`,
      position: i + 1,
      text: `Item ${i + 1}`,
      activityId: entry.activity === null ? null : `a${entry.activity}`,
      done: entry.done,
      doneAt: entry.done ? entry.doneAt : null,
      verified: entry.verified,
      requiresVerification: entry.requiresVerification,
    })),
  );

const knowledgeCheckArb: fc.Arbitrary<KnowledgeCheckFacts> = fc
  .record({
    exists: fc.boolean(),
    attemptsUsed: fc.nat({ max: 4 }),
    attemptsAllowed: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant('unlimited' as const)),
    attemptInProgress: fc.boolean(),
    countedScaled: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    passMark: fc.double({ min: 0, max: 1, noNaN: true }),
    submittedUnscored: fc.boolean(),
    pendingGrading: fc.boolean(),
  })
  .map(({ submittedUnscored, ...kc }) => ({
    ...kc,
    passed: kc.countedScaled === null ? null : kc.countedScaled >= kc.passMark,
    anySubmitted: kc.countedScaled !== null || submittedUnscored || kc.pendingGrading,
  }));

const factsArb: fc.Arbitrary<ProgressFacts> = fc
  .record({
    checklist: fc.constantFrom<CompletionRule['checklist'][]>('all', 'none'),
    knowledgeCheck: fc.constantFrom<CompletionRule['knowledgeCheck'][]>('passed', 'submitted', 'none'),
    verify: fc.array(fc.nat({ max: 5 }), { maxLength: 3 }),
    activities: activitiesArb,
    items: checklistArb,
    kc: knowledgeCheckArb,
    hasAnyActivity: fc.boolean(),
  })
  .map(({ checklist, knowledgeCheck, verify, activities, items, kc, hasAnyActivity }) => ({
    rule: { checklist, knowledgeCheck, requireVerification: [...new Set(verify)].map((i) => `item-${i}`) },
    activities,
    checklist: items,
    knowledgeCheck: kc,
    hasAnyActivity,
  }));

describe('evaluateCompletion laws', () => {
  it('gives an integer percentage in [0, 100]', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const { percentage } = evaluateCompletion(facts);
        expect(Number.isInteger(percentage)).toBe(true);
        expect(percentage).toBeGreaterThanOrEqual(0);
        expect(percentage).toBeLessThanOrEqual(100);
      }),
    );
  });

  it('is completed exactly when nothing is unmet, exactly when the percentage is 100', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const result = evaluateCompletion(facts);
        expect(result.unmet.length === 0).toBe(result.completed);
        expect(result.percentage === 100).toBe(result.completed);
        expect(result.status === 'completed').toBe(result.completed);
        expect(result.lti.activityProgress === 'Completed').toBe(result.completed);
        expect(result.xapi.completion).toBe(result.completed);
      }),
    );
  });

  it('never lowers the percentage when one more step is done', () => {
    fc.assert(
      fc.property(factsArb, fc.nat(), dateArb, (facts, pick, doneAt) => {
        const undone = facts.activities.flatMap((activity, a) =>
          activity.steps.flatMap((step, s) => (step.done ? [] : [[a, s] as const])),
        );
        fc.pre(undone.length > 0);
        const [a, s] = undone[pick % undone.length];
        const next = structuredClone(facts);
        const steps = next.activities[a].steps;
        steps[s] = { ...steps[s], done: true, doneAt };
        expect(evaluateCompletion(next).percentage).toBeGreaterThanOrEqual(evaluateCompletion(facts).percentage);
      }),
    );
  });

  it('is deterministic, does not mutate its input, and ignores the order facts come in', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const before = structuredClone(facts);
        const result = evaluateCompletion(facts);
        expect(facts).toEqual(before);
        expect(evaluateCompletion(facts)).toEqual(result);
        const reversed = {
          ...facts,
          activities: [...facts.activities].reverse(),
          checklist: [...facts.checklist].reverse(),
        };
        expect(evaluateCompletion(reversed)).toEqual(result);
      }),
    );
  });

  it('reports xAPI success and score only once a grade counts, with the score in [0, 1]', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const { xapi } = evaluateCompletion(facts);
        const kc = facts.knowledgeCheck;
        expect('success' in xapi).toBe(kc.exists && kc.passed !== null);
        expect('score' in xapi).toBe(kc.exists && kc.countedScaled !== null);
        if (xapi.score) expect(xapi.score.scaled).toBe(kc.countedScaled);
      }),
    );
  });

  it('never reports the LTI grading progress Failed', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        expect(evaluateCompletion(facts).lti.gradingProgress).not.toBe('Failed');
      }),
    );
  });
});
