import fc from 'fast-check';
import { presentationOrder, seededShuffle } from './shuffle';

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (ids: readonly string[]) => [...ids].sort(byCodeUnits);

describe('seededShuffle', () => {
  it('pins the order for known seeds (a change here reorders every attempt in progress)', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    expect(seededShuffle(items, '5f0c7b1e-2a7d-4c53-9f1e-0d6f1a2b3c4d')).toEqual(PINNED_A);
    expect(seededShuffle(items, '')).toEqual(PINNED_EMPTY);
  });

  it('returns a permutation of its input and leaves the input alone', () => {
    // Few distinct values, so repeated items are common and must each survive exactly once.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }), fc.string(), (items, seed) => {
        const before = [...items];
        const shuffled = seededShuffle(items, seed);
        expect(items).toEqual(before);
        expect([...shuffled].sort()).toEqual([...items].sort());
      }),
    );
  });

  it('moves the items themselves, not copies', () => {
    const items = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const shuffled = seededShuffle(items, 'seed');
    for (const item of items) expect(shuffled.filter((candidate) => candidate === item)).toHaveLength(1);
  });

  it('gives the same order for the same seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 30 }), fc.string(), (items, seed) => {
        expect(seededShuffle(items, seed)).toEqual(seededShuffle(items, seed));
      }),
    );
  });

  it('gives different orders for different seeds on most lists of 6 or more', () => {
    // A fixed fast-check seed keeps this statistical check deterministic; with 720 or more
    // orders, two seeds agree by chance on well under 1% of lists.
    const cases = fc.sample(
      fc.tuple(fc.uniqueArray(fc.integer(), { minLength: 6, maxLength: 20 }), fc.uuid(), fc.uuid()),
      { numRuns: 500, seed: 20240601 },
    );
    const distinctSeeds = cases.filter(([, first, second]) => first !== second);
    const differing = distinctSeeds.filter(
      ([items, first, second]) => seededShuffle(items, first).join() !== seededShuffle(items, second).join(),
    );
    expect(distinctSeeds.length).toBeGreaterThan(450);
    expect(differing.length / distinctSeeds.length).toBeGreaterThan(0.98);
  });

  it('puts each item first about equally often across seeds', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const firsts = new Map<string, number>();
    for (let attempt = 0; attempt < 6000; attempt++) {
      const [first] = seededShuffle(items, `attempt-${attempt}`);
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    // 1000 expected each; ±150 is about five standard deviations.
    for (const item of items) {
      expect(firsts.get(item)).toBeGreaterThan(850);
      expect(firsts.get(item)).toBeLessThan(1150);
    }
  });

  it('handles empty and single-item lists', () => {
    expect(seededShuffle([], 'x')).toEqual([]);
    expect(seededShuffle(['only'], 'x')).toEqual(['only']);
  });
});

describe('presentationOrder', () => {
  const input = {
    attemptId: '0b5e7d6c-4a31-4f0e-8d2b-9c1a2f3e4d5c',
    questionIds: ['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7'],
    choiceIdsByQuestion: { q1: ['a', 'b', 'c', 'd'], q3: ['a', 'b', 'c', 'd', 'e', 'f'] },
  };

  it('keeps the given order when shuffling is off', () => {
    expect(presentationOrder({ ...input, shuffleQuestions: false, shuffleChoices: false })).toEqual({
      questionOrder: input.questionIds,
      choiceOrder: input.choiceIdsByQuestion,
    });
  });

  it('shuffles only what its flags say', () => {
    const questionsOnly = presentationOrder({ ...input, shuffleQuestions: true, shuffleChoices: false });
    expect(questionsOnly.questionOrder).not.toEqual(input.questionIds);
    expect(questionsOnly.choiceOrder).toEqual(input.choiceIdsByQuestion);
    const choicesOnly = presentationOrder({ ...input, shuffleQuestions: false, shuffleChoices: true });
    expect(choicesOnly.questionOrder).toEqual(input.questionIds);
    expect(choicesOnly.choiceOrder.q3).not.toEqual(input.choiceIdsByQuestion.q3);
  });

  it('does not return the caller’s arrays, so changing the result cannot change the input', () => {
    const order = presentationOrder({ ...input, shuffleQuestions: false, shuffleChoices: false });
    expect(order.questionOrder).not.toBe(input.questionIds);
    expect(order.choiceOrder.q1).not.toBe(input.choiceIdsByQuestion.q1);
  });

  it('orders choices of the same ids differently in different questions of one attempt', () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'];
    const choiceIdsByQuestion = Object.fromEntries(input.questionIds.map((id) => [id, six]));
    const { choiceOrder } = presentationOrder({
      ...input,
      choiceIdsByQuestion,
      shuffleQuestions: false,
      shuffleChoices: true,
    });
    expect(new Set(Object.values(choiceOrder).map((ids) => ids.join())).size).toBeGreaterThan(1);
  });

  const idsArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 12 });
  const inputArb = fc.record({
    attemptId: fc.uuid(),
    questionIds: idsArb,
    choiceIdsByQuestion: fc.dictionary(fc.string({ maxLength: 8 }), idsArb, { maxKeys: 6 }),
    shuffleQuestions: fc.boolean(),
    shuffleChoices: fc.boolean(),
  });

  it('returns permutations of the given ids, the same every time for one attempt', () => {
    fc.assert(
      fc.property(inputArb, (given) => {
        const order = presentationOrder(given);
        expect(sorted(order.questionOrder)).toEqual(sorted(given.questionIds));
        expect(Object.keys(order.choiceOrder).sort(byCodeUnits)).toEqual(
          Object.keys(given.choiceIdsByQuestion).sort(byCodeUnits),
        );
        for (const [questionId, choiceIds] of Object.entries(given.choiceIdsByQuestion)) {
          expect(sorted(order.choiceOrder[questionId])).toEqual(sorted(choiceIds));
        }
        expect(presentationOrder(structuredClone(given))).toEqual(order);
      }),
    );
  });

  it('shuffles to an order that does not depend on the order the ids were loaded in', () => {
    const reloaded = inputArb.chain((given) =>
      fc.tuple(
        fc.constant({ ...given, shuffleQuestions: true, shuffleChoices: true }),
        fc.shuffledSubarray(given.questionIds, { minLength: given.questionIds.length }),
      ),
    );
    fc.assert(
      fc.property(reloaded, ([given, questionIds]) => {
        const reversedChoices = Object.fromEntries(
          Object.entries(given.choiceIdsByQuestion).map(([id, choiceIds]) => [id, [...choiceIds].reverse()]),
        );
        expect(presentationOrder({ ...given, questionIds, choiceIdsByQuestion: reversedChoices })).toEqual(
          presentationOrder(given),
        );
      }),
    );
  });
});

// Outputs of the algorithm as first shipped; see the first test.
const PINNED_A = ['g', 'b', 'd', 'h', 'c', 'f', 'e', 'a'];
const PINNED_EMPTY = ['g', 'f', 'a', 'd', 'c', 'h', 'b', 'e'];
