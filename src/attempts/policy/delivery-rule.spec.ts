import fc from 'fast-check';
import {
  type Accommodation,
  attemptDeadline,
  type CohortSchedule,
  deliveryRule,
  type DeliveryRule,
  lateDeduction,
  type QuizDelivery,
  windowState,
} from './delivery-rule';

const at = (iso: string) => new Date(iso);
const quiz = (overrides: Partial<QuizDelivery> = {}): QuizDelivery => ({
  opensAt: at('2027-03-01T09:00:00Z'),
  dueAt: at('2027-03-08T17:00:00Z'),
  closesAt: at('2027-03-15T17:00:00Z'),
  attemptsAllowed: 3,
  timeLimitMinutes: 30,
  ...overrides,
});
const schedule = (cohortId: string, overrides: Partial<CohortSchedule> = {}): CohortSchedule => ({
  cohortId,
  opensAt: null,
  dueAt: null,
  closesAt: null,
  ...overrides,
});
const accommodation = (overrides: Partial<Accommodation> = {}): Accommodation => ({
  extraAttempts: 0,
  timeMultiplier: 1,
  extraMinutes: 0,
  dueAt: null,
  closesAt: null,
  ...overrides,
});

describe('deliveryRule', () => {
  it('is the quiz’s own rule for a learner in no cohort and without an accommodation', () => {
    expect(deliveryRule(quiz(), [], null)).toEqual({
      opensAt: at('2027-03-01T09:00:00Z'),
      dueAt: at('2027-03-08T17:00:00Z'),
      closesAt: at('2027-03-15T17:00:00Z'),
      attemptsAllowed: 3,
      timeLimitSeconds: 1800,
      sources: { window: { from: 'quiz' }, accommodated: false },
    });
  });

  it('takes a cohort’s bounds where it sets them and the quiz’s elsewhere', () => {
    const rule = deliveryRule(quiz(), [schedule('c1', { dueAt: at('2027-03-10T17:00:00Z') })], null);
    expect(rule).toMatchObject({
      opensAt: at('2027-03-01T09:00:00Z'),
      dueAt: at('2027-03-10T17:00:00Z'),
      closesAt: at('2027-03-15T17:00:00Z'),
      sources: { window: { from: 'cohort', cohortId: 'c1' } },
    });
  });

  it('gives the most generous bound of each kind when two cohorts differ', () => {
    const rule = deliveryRule(
      quiz(),
      [
        schedule('b', { opensAt: at('2027-02-20T00:00:00Z'), closesAt: at('2027-03-12T00:00:00Z') }),
        schedule('a', { dueAt: at('2027-03-09T00:00:00Z'), closesAt: at('2027-03-20T00:00:00Z') }),
      ],
      null,
    );
    expect(rule).toMatchObject({
      opensAt: at('2027-02-20T00:00:00Z'),
      dueAt: at('2027-03-09T00:00:00Z'),
      closesAt: at('2027-03-20T00:00:00Z'),
    });
  });

  it('applies a cohort schedule stricter than the quiz’s when it is the learner’s only cohort', () => {
    const rule = deliveryRule(quiz(), [schedule('c1', { closesAt: at('2027-03-10T00:00:00Z') })], null);
    expect(rule.closesAt).toEqual(at('2027-03-10T00:00:00Z'));
  });

  it('stretches time, adds attempts and moves the due date for an accommodation', () => {
    const rule = deliveryRule(
      quiz(),
      [],
      accommodation({ timeMultiplier: 1.5, extraAttempts: 2, dueAt: at('2027-03-12T17:00:00Z') }),
    );
    expect(rule).toMatchObject({
      timeLimitSeconds: 45 * 60,
      attemptsAllowed: 5,
      dueAt: at('2027-03-12T17:00:00Z'),
      closesAt: at('2027-03-15T17:00:00Z'),
      sources: { accommodated: true },
    });
    expect(deliveryRule(quiz(), [], accommodation({ extraMinutes: 10 })).timeLimitSeconds).toBe(40 * 60);
  });

  it('keeps the quiz open until an accommodated due date past its closing', () => {
    const rule = deliveryRule(quiz(), [], accommodation({ dueAt: at('2027-03-20T00:00:00Z') }));
    expect(rule.closesAt).toEqual(at('2027-03-20T00:00:00Z'));
  });

  it('leaves unlimited attempts and untimed quizzes as they are', () => {
    const rule = deliveryRule(
      quiz({ attemptsAllowed: 'unlimited', timeLimitMinutes: null }),
      [],
      accommodation({ extraAttempts: 1, timeMultiplier: 2, extraMinutes: 5 }),
    );
    expect(rule).toMatchObject({ attemptsAllowed: 'unlimited', timeLimitSeconds: null });
  });

  it('reads instants whatever the offset they were written with', () => {
    const written = deliveryRule(quiz({ dueAt: at('2027-03-08T18:00:00+01:00') }), [], null);
    expect(written.dueAt?.toISOString()).toBe('2027-03-08T17:00:00.000Z');
  });
  it('keeps the quiz open until an accommodated due date when the window has no due date', () => {
    // The counterexample fast-check found: a cohort without a due date must not undo the accommodation.
    const closing = at('2027-01-01T00:00:00Z');
    const rule = deliveryRule(
      quiz({ opensAt: null, dueAt: null, closesAt: closing }),
      [schedule('a', { dueAt: closing }), schedule('b')],
      accommodation({ dueAt: at('2027-01-02T00:00:00Z') }),
    );
    expect(rule).toMatchObject({ dueAt: null, closesAt: at('2027-01-02T00:00:00Z') });
  });

  it('keeps open until a cohort’s due date past the closing, whatever the learner’s other cohorts say', () => {
    // The second counterexample: cohort a's due date outlasts the quiz's closing; cohort b has the quiz's dates.
    const closing = at('2027-01-01T00:00:00Z');
    const later = at('2027-01-03T00:00:00Z');
    const q = quiz({ opensAt: null, dueAt: null, closesAt: closing });
    expect(deliveryRule(q, [schedule('a', { dueAt: later })], null).closesAt).toEqual(later);
    expect(deliveryRule(q, [schedule('a', { dueAt: later }), schedule('b')], null).closesAt).toEqual(later);
  });
});

describe('attemptDeadline and windowState', () => {
  const rule = deliveryRule(quiz(), [], null);

  it('stops at the time limit, or at the closing when that comes first', () => {
    expect(attemptDeadline(rule, at('2027-03-05T10:00:00Z'))).toEqual(at('2027-03-05T10:30:00Z'));
    expect(attemptDeadline(rule, at('2027-03-15T16:50:00Z'))).toEqual(at('2027-03-15T17:00:00Z'));
    expect(
      attemptDeadline(deliveryRule(quiz({ timeLimitMinutes: null }), [], null), at('2027-03-05T10:00:00Z')),
    ).toEqual(at('2027-03-15T17:00:00Z'));
    expect(attemptDeadline(deliveryRule(quiz({ timeLimitMinutes: null, closesAt: null }), [], null), new Date())).toBe(
      null,
    );
  });

  it('is not open before the opening, late after the due date, closed from the closing', () => {
    expect(windowState(rule, at('2027-03-01T08:59:59Z'))).toBe('not_open');
    expect(windowState(rule, at('2027-03-01T09:00:00Z'))).toBe('open');
    expect(windowState(rule, at('2027-03-08T17:00:00Z'))).toBe('open');
    expect(windowState(rule, at('2027-03-08T17:00:01Z'))).toBe('late');
    expect(windowState(rule, at('2027-03-15T17:00:00Z'))).toBe('closed');
  });
});

describe('lateDeduction', () => {
  const policy = { deductionPerDay: 0.1, maximumDeduction: 0.3 };
  const due = at('2027-03-08T17:00:00Z');

  it('takes off a share per day or part of a day late, up to the cap', () => {
    expect(lateDeduction(due, at('2027-03-08T17:00:00Z'), policy)).toBe(0);
    expect(lateDeduction(due, at('2027-03-08T17:00:01Z'), policy)).toBe(0.1);
    expect(lateDeduction(due, at('2027-03-10T17:00:00Z'), policy)).toBe(0.2);
    expect(lateDeduction(due, at('2027-03-10T17:00:01Z'), policy)).toBe(0.3);
    expect(lateDeduction(due, at('2027-04-30T00:00:00Z'), policy)).toBe(0.3);
  });

  it('takes nothing without a policy or a due date', () => {
    expect(lateDeduction(due, at('2027-04-30T00:00:00Z'), null)).toBe(0);
    expect(lateDeduction(null, at('2027-04-30T00:00:00Z'), policy)).toBe(0);
  });
});

// ---- properties --------------------------------------------------------------------------------

const instantArb = fc.integer({ min: Date.UTC(2027, 0, 1), max: Date.UTC(2027, 11, 31) }).map((ms) => new Date(ms));
const boundArb = fc.option(instantArb, { nil: null });
/** A window whose bounds are in order (opening ≤ due ≤ closing), as the API accepts them. */
const windowArb = fc.tuple(boundArb, boundArb, boundArb).map(([a, b, c]) => {
  const set = [a, b, c].filter((d): d is Date => d !== null).sort((x, y) => x.getTime() - y.getTime());
  const take = (present: Date | null) => (present === null ? null : set.shift()!);
  return { opensAt: take(a), dueAt: take(b), closesAt: take(c) };
});
const quizArb: fc.Arbitrary<QuizDelivery> = fc
  .record({
    window: windowArb,
    attemptsAllowed: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constant('unlimited' as const)),
    timeLimitMinutes: fc.option(fc.integer({ min: 1, max: 600 }), { nil: null }),
  })
  .map(({ window, ...rest }) => ({ ...window, ...rest }));
const scheduleArb: fc.Arbitrary<CohortSchedule> = fc
  .record({ cohortId: fc.uuid(), window: windowArb })
  .map(({ cohortId, window }) => ({ cohortId, ...window }));
const schedulesArb = fc.uniqueArray(scheduleArb, { maxLength: 4, selector: (s) => s.cohortId });
const accommodationArb: fc.Arbitrary<Accommodation> = fc.record({
  extraAttempts: fc.integer({ min: 0, max: 10 }),
  timeMultiplier: fc.double({ min: 1, max: 4, noNaN: true }),
  extraMinutes: fc.integer({ min: 0, max: 600 }),
  dueAt: boundArb,
  closesAt: boundArb,
});

/** `a` gives at least what `b` gives, bound by bound (null: no bound). */
function atLeastAsGenerous(a: DeliveryRule, b: DeliveryRule): boolean {
  const notLater = (x: Date | null, y: Date | null) => x === null || (y !== null && x <= y);
  const notEarlier = (x: Date | null, y: Date | null) => x === null || (y !== null && x >= y);
  const attempts = (n: number | 'unlimited') => (n === 'unlimited' ? Infinity : n);
  const time = (s: number | null) => (s === null ? Infinity : s);
  return (
    notLater(a.opensAt, b.opensAt) &&
    notEarlier(a.dueAt, b.dueAt) &&
    notEarlier(a.closesAt, b.closesAt) &&
    attempts(a.attemptsAllowed) >= attempts(b.attemptsAllowed) &&
    time(a.timeLimitSeconds) >= time(b.timeLimitSeconds)
  );
}

describe('deliveryRule (properties)', () => {
  it('never takes anything away for an accommodation', () => {
    fc.assert(
      fc.property(quizArb, schedulesArb, accommodationArb, (q, schedules, extra) =>
        atLeastAsGenerous(deliveryRule(q, schedules, extra), deliveryRule(q, schedules, null)),
      ),
    );
  });

  it('never takes anything away for one more cohort, once the learner is in one', () => {
    fc.assert(
      fc.property(
        quizArb,
        schedulesArb,
        scheduleArb,
        fc.option(accommodationArb, { nil: null }),
        (q, some, one, extra) => {
          fc.pre(some.length > 0 && !some.some((s) => s.cohortId === one.cohortId));
          return atLeastAsGenerous(deliveryRule(q, [...some, one], extra), deliveryRule(q, some, extra));
        },
      ),
    );
  });

  it('does not depend on the order the cohorts come in', () => {
    fc.assert(
      fc.property(quizArb, schedulesArb, fc.option(accommodationArb, { nil: null }), (q, schedules, extra) => {
        expect(deliveryRule(q, [...schedules].reverse(), extra)).toEqual(deliveryRule(q, schedules, extra));
      }),
    );
  });

  it('is never due after it closes, and keeps an attempt’s deadline within the closing and the time limit', () => {
    fc.assert(
      fc.property(
        quizArb,
        schedulesArb,
        fc.option(accommodationArb, { nil: null }),
        instantArb,
        (q, s, extra, start) => {
          const rule = deliveryRule(q, s, extra);
          // Never due after it closes, whatever was set where (a cohort's due date past the quiz's closing, say).
          if (rule.dueAt && rule.closesAt) expect(rule.dueAt.getTime()).toBeLessThanOrEqual(rule.closesAt.getTime());
          const deadline = attemptDeadline(rule, start);
          if (rule.closesAt) expect(deadline!.getTime()).toBeLessThanOrEqual(rule.closesAt.getTime());
          if (rule.timeLimitSeconds !== null) {
            expect(deadline!.getTime()).toBeLessThanOrEqual(start.getTime() + rule.timeLimitSeconds * 1000);
          }
        },
      ),
    );
  });

  it('deducts more the later the finish, never more than the cap', () => {
    const policyArb = fc
      .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([deductionPerDay, maximumDeduction]) => ({ deductionPerDay, maximumDeduction }));
    fc.assert(
      fc.property(instantArb, instantArb, instantArb, policyArb, (due, first, second, policy) => {
        const [early, late] = first <= second ? [first, second] : [second, first];
        const a = lateDeduction(due, early, policy);
        const b = lateDeduction(due, late, policy);
        expect(a).toBeLessThanOrEqual(b);
        expect(b).toBeLessThanOrEqual(policy.maximumDeduction);
        expect(a).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
