import fc from 'fast-check';
import type { QuestionType } from '../../content/question.types';
import { analyseItems, type ItemChoiceInfo, type ItemResponseRow, kelleyGroupSize } from './item-analysis';

interface Question {
  questionId: string;
  questionKey: string;
  questionType: QuestionType;
  maxScore: number;
}

const Q1: Question = { questionId: 'qid-1', questionKey: 'q1', questionType: 'true_false', maxScore: 1 };
const Q2: Question = { questionId: 'qid-2', questionKey: 'q2', questionType: 'single_choice', maxScore: 1 };
const Q3: Question = { questionId: 'qid-3', questionKey: 'q3', questionType: 'multiple_choice', maxScore: 2 };
const Q4: Question = { questionId: 'qid-4', questionKey: 'q4', questionType: 'essay', maxScore: 1 };
const QUESTIONS = [Q1, Q2, Q3, Q4];

const CHOICES: ItemChoiceInfo[] = [
  { questionId: Q2.questionId, choices: ['a', 'b', 'c'].map((id) => ({ id, text: `Choice ${id}` })) },
  { questionId: Q3.questionId, choices: ['a', 'b', 'c', 'd'].map((id) => ({ id, text: `Option ${id}` })) },
];

const BLANK = 'blank';
/** A score; [score, ...chosen ids]; BLANK (scored 0); or null (pending). */
type Answer = number | null | typeof BLANK | [number, ...string[]];

function row(attemptId: string, question: Question, answer: Answer): ItemResponseRow {
  const blank = answer === BLANK;
  const score = blank ? 0 : Array.isArray(answer) ? answer[0] : answer;
  const choiceIds = Array.isArray(answer) ? answer.slice(1).map(String) : [];
  return { attemptId, ...question, score, blank, choiceIds };
}

function learner(attemptId: string, ...answers: Answer[]): ItemResponseRow[] {
  return answers.map((answer, index) => row(attemptId, QUESTIONS[index], answer));
}

/*
 * Ten learners × four items. Q2 is single choice (b right), Q3 multiple choice worth 2
 * (a and c right, right-minus-wrong: {a, c} → 2, one right → 1, {a, b, c} → (2 − 1) / 2 × 2 = 1).
 *
 *            Q1  Q2     Q3           Q4   T
 *   a01       1  1 b    2 a c         0   4
 *   a02       1  1 b    2 a c         1   5
 *   a03       1  1 b    1 a           1   4
 *   a04       1  0 a    2 a c         1   4
 *   a05       1  1 b    1 a b c       0   3
 *   a06       0  1 b    1 c           1   3
 *   a07       1  0 c    0 b           1   2
 *   a08       0  0 a    1 a           1   2
 *   a09       0  1 b    blank         0   1
 *   a10   blank  blank  blank     blank   0
 *
 * Facility: Q1 6/10 = 0.6; Q2 6/10 = 0.6; Q3 (2+2+1+2+1+1+0+1+0+0)/2 / 10 = 5/10 = 0.5; Q4 6/10 = 0.6.
 * Mean: ΣT = 28, T̄ = 2.8. Σ(T − T̄)² = 3 × 1.2² (a01, a03, a04) + 2.2² + 2 × 0.2² + 2 × 0.8² + 1.8² + 2.8²
 *   = 4.32 + 4.84 + 0.08 + 1.28 + 3.24 + 7.84 = 21.6; σ²_T = 21.6 / 10 = 2.16; σ_T = √2.16 = 1.46969… → 1.4697.
 * Item variances (population): Q1, Q2, Q4 p(1 − p) = 0.6 × 0.4 = 0.24; Q3 scores have mean 1 and
 *   squared deviations 1,1,0,1,0,0,1,0,1,1 → 6 / 10 = 0.6. Σσ²_i = 0.24 × 3 + 0.6 = 1.32.
 * Alpha: 4/3 × (1 − 1.32 / 2.16) = 4/3 × 0.84 / 2.16 = 4/3 × 7/18 = 14/27 = 0.51851… → 0.5185.
 * Groups: g = ⌈0.27 × 10⌉ = 3. Ranked by (T, attemptId): a10 0, a09 1, a07 2, a08 2, a05 3, a06 3,
 *   a01 4, a03 4, a04 4, a02 5. Lower = a10, a09, a07 (a07 before a08 on the tie at 2);
 *   upper = a03, a04, a02 (a01 left out on the tie at 4).
 * Discrimination (upper mean of score/max − lower mean):
 *   Q1 (1+1+1)/3 − (0+0+1)/3 = 2/3 → 0.6667;  Q2 (1+0+1)/3 − (0+1+0)/3 = 1/3 → 0.3333;
 *   Q3 (0.5+1+1)/3 − (0+0+0)/3 = 5/6 → 0.8333;  Q4 (1+1+1)/3 − (0+0+1)/3 = 2/3 → 0.6667.
 * Choice shares over 10 responses: Q2 a 2 (a04, a08), b 6, c 1 (a07); Q3 a 6 (a01 a02 a03 a04 a05 a08),
 *   b 2 (a05, a07), c 5 (a01 a02 a04 a05 a06), d 0. Blank shares: Q1, Q2, Q4 1/10; Q3 2/10.
 */
const TEN_LEARNERS: ItemResponseRow[] = [
  ...learner('a01', 1, [1, 'b'], [2, 'a', 'c'], 0),
  ...learner('a02', 1, [1, 'b'], [2, 'a', 'c'], 1),
  ...learner('a03', 1, [1, 'b'], [1, 'a'], 1),
  ...learner('a04', 1, [0, 'a'], [2, 'a', 'c'], 1),
  ...learner('a05', 1, [1, 'b'], [1, 'a', 'b', 'c'], 0),
  ...learner('a06', 0, [1, 'b'], [1, 'c'], 1),
  ...learner('a07', 1, [0, 'c'], [0, 'b'], 1),
  ...learner('a08', 0, [0, 'a'], [1, 'a'], 1),
  ...learner('a09', 0, [1, 'b'], BLANK, 0),
  ...learner('a10', BLANK, BLANK, BLANK, BLANK),
];

const TEN_LEARNERS_QUIZ = {
  mean: 2.8,
  standardDeviation: 1.4697,
  cronbachAlpha: 0.5185,
  alphaOmittedReason: null,
  sharedQuestions: 4,
  maxScore: 5,
};
const TEN_LEARNERS_DISCRIMINATION = [0.6667, 0.3333, 0.8333, 0.6667];

describe('analyseItems on a hand-checked matrix', () => {
  const analysis = analyseItems(TEN_LEARNERS, CHOICES);

  it('computes the quiz mean, population standard deviation and Cronbach alpha', () => {
    expect(analysis.learners).toBe(10);
    expect(analysis.quiz).toEqual(TEN_LEARNERS_QUIZ);
  });

  it('computes facility, Kelley discrimination, blank shares and choice shares per item', () => {
    const text = (prefix: string, id: string) => `${prefix} ${id}`;
    expect(analysis.items).toEqual([
      { ...meta(Q1), shown: 10, shared: true, responses: 10, blankShare: 0.1, facility: 0.6, discrimination: 0.6667 },
      {
        ...meta(Q2),
        shown: 10,
        shared: true,
        responses: 10,
        blankShare: 0.1,
        facility: 0.6,
        discrimination: 0.3333,
        choices: [
          { id: 'a', text: text('Choice', 'a'), share: 0.2 },
          { id: 'b', text: text('Choice', 'b'), share: 0.6 },
          { id: 'c', text: text('Choice', 'c'), share: 0.1 },
        ],
      },
      {
        ...meta(Q3),
        shown: 10,
        shared: true,
        responses: 10,
        blankShare: 0.2,
        facility: 0.5,
        discrimination: 0.8333,
        choices: [
          { id: 'a', text: text('Option', 'a'), share: 0.6 },
          { id: 'b', text: text('Option', 'b'), share: 0.2 },
          { id: 'c', text: text('Option', 'c'), share: 0.5 },
          { id: 'd', text: text('Option', 'd'), share: 0 },
        ],
      },
      { ...meta(Q4), shown: 10, shared: true, responses: 10, blankShare: 0.1, facility: 0.6, discrimination: 0.6667 },
    ]);
  });

  it('gives the same analysis for the rows in reverse order', () => {
    expect(analyseItems([...TEN_LEARNERS].reverse(), CHOICES)).toEqual(analysis);
  });
});

function meta({ questionId, questionKey, questionType }: Question) {
  return { questionId, questionKey, questionType };
}

describe('analyseItems edge cases', () => {
  it('leaves an attempt with a pending essay out of the quiz statistics and the groups, not out of facility', () => {
    // a11 has 1 + 1 + 2 = 4 scored; as T = 4 it would push a03 out of the upper group (ties by id),
    // changing Q3's and Q4's discrimination.
    const analysis = analyseItems([...TEN_LEARNERS, ...learner('a11', 1, [1, 'b'], [2, 'a', 'c'], null)], CHOICES);
    expect(analysis.learners).toBe(11);
    expect(analysis.quiz).toEqual(TEN_LEARNERS_QUIZ);
    expect(analysis.items.map((item) => item.discrimination)).toEqual(TEN_LEARNERS_DISCRIMINATION);
    const [q1, q2, q3, q4] = analysis.items;
    expect(q1).toMatchObject({ responses: 11, facility: 0.6364 }); // 7/11
    expect(q2.choices?.find((choice) => choice.id === 'b')?.share).toBe(0.6364); // 7/11
    expect(q3).toMatchObject({ responses: 11, facility: 0.5455, blankShare: 0.1818 }); // 6/11, 2/11
    // The pending row is not a response, but is one of the item's rows for the blank share: 1/11.
    expect(q4).toMatchObject({ responses: 10, facility: 0.6, blankShare: 0.0909 });
  });

  it('computes the quiz statistics over the questions every attempt showed, when one did not show an item', () => {
    // a11 was not shown Q4 (as a pool's draw would leave it out): Q4 is no longer shared, so the
    // totals, groups and alpha are those of Q1–Q3 alone; Q4 keeps its own statistics.
    const a11 = learner('a11', 1, [1, 'b'], [2, 'a', 'c']);
    const analysis = analyseItems([...TEN_LEARNERS, ...a11], CHOICES);
    const sharedOnly = analyseItems([...TEN_LEARNERS.filter((r) => r.questionId !== Q4.questionId), ...a11], CHOICES);
    expect(analysis.learners).toBe(11);
    expect(analysis.quiz).toEqual(sharedOnly.quiz);
    expect(analysis.quiz).toMatchObject({ sharedQuestions: 3, maxScore: 4, alphaOmittedReason: null });
    expect(analysis.quiz.mean).not.toBe(TEN_LEARNERS_QUIZ.mean);
    expect(analysis.items.slice(0, 3)).toEqual(sharedOnly.items);
    expect(analysis.items[3]).toMatchObject({ shown: 10, shared: false, responses: 10, facility: 0.6 });
    expect(analysis.items.map((item) => item.shown)).toEqual([11, 11, 11, 10]);
  });

  it('ranks the groups on the shared questions, and gives an unshared item D over the group members shown it', () => {
    // Q1 shared by a–h; Q4 shown to a, b (lower by Q1) and g, h (upper). g = ⌈0.27 × 8⌉ = 3.
    // Ranked by (T, id): a 0, b 0, c 0, d 0, e 1, f 1, g 1, h 1 → lower a, b, c; upper f, g, h.
    // D(Q4) = mean(g, h) − mean(a, b) = (1 + 1) / 2 − (0 + 1) / 2 = 0.5; D(Q1) = 1 − 0 = 1.
    const rows = [
      ...['a', 'b', 'c', 'd'].map((id) => row(id, Q1, 0)),
      ...['e', 'f', 'g', 'h'].map((id) => row(id, Q1, 1)),
      row('a', Q4, 0),
      row('b', Q4, 1),
      row('g', Q4, 1),
      row('h', Q4, 1),
    ];
    const analysis = analyseItems(rows, []);
    expect(analysis.items.map((item) => [item.questionKey, item.shown, item.shared, item.discrimination])).toEqual([
      ['q1', 8, true, 1],
      ['q4', 4, false, 0.5],
    ]);
    expect(analysis.quiz).toMatchObject({
      mean: 0.5,
      sharedQuestions: 1,
      maxScore: 1,
      cronbachAlpha: null,
      alphaOmittedReason: 'only one question was shown in every counted attempt; alpha needs two',
    });
    // Shown to none of one group: no discrimination.
    const upperOnly = analyseItems([...rows.slice(0, 8), row('h', Q4, 1)], []);
    expect(upperOnly.items[1]).toMatchObject({ shown: 1, discrimination: null });
  });

  it('says why alpha is left out when no question was shown to every attempt', () => {
    const analysis = analyseItems([row('a', Q1, 1), row('b', Q4, 0)], []);
    expect(analysis.quiz).toEqual({
      mean: null,
      standardDeviation: null,
      cronbachAlpha: null,
      alphaOmittedReason: 'no question was shown in every counted attempt',
      sharedQuestions: 0,
      maxScore: 0,
    });
    expect(analysis.items.map((item) => [item.shown, item.shared, item.facility])).toEqual([
      [1, false, 1],
      [1, false, 0],
    ]);
  });

  it('describes one learner without alpha or discrimination', () => {
    const analysis = analyseItems(learner('a01', 1, [0, 'a'], [1, 'a'], BLANK), CHOICES);
    expect(analysis.learners).toBe(1);
    expect(analysis.quiz).toEqual({
      mean: 2,
      standardDeviation: 0,
      cronbachAlpha: null,
      alphaOmittedReason: 'fewer than two attempts have a score on every question they all shared',
      sharedQuestions: 4,
      maxScore: 5,
    });
    expect(analysis.items.map((item) => [item.facility, item.discrimination])).toEqual([
      [1, null],
      [0, null],
      [0.5, null],
      [0, null],
    ]);
  });

  it('has no alpha when every total is equal, and breaks ties for the groups by attemptId', () => {
    // T = 1 for all four: σ²_T = 0. g = ⌈0.27 × 4⌉ = 2: lower = a, b; upper = c, d.
    // D(Q1) = 0 − 1 = −1, D(Q2) = 1 − 0 = 1.
    const rows = [
      row('a', Q1, 1),
      row('a', Q4, 0),
      row('b', Q1, 1),
      row('b', Q4, 0),
      row('c', Q1, 0),
      row('c', Q4, 1),
      row('d', Q1, 0),
      row('d', Q4, 1),
    ];
    const analysis = analyseItems(rows, []);
    expect(analysis.quiz).toEqual({
      mean: 1,
      standardDeviation: 0,
      cronbachAlpha: null,
      alphaOmittedReason: 'every total on the shared questions is equal, so their variance is 0',
      sharedQuestions: 2,
      maxScore: 2,
    });
    expect(analysis.items.map((item) => item.discrimination)).toEqual([-1, 1]);
    expect(analyseItems([...rows].reverse(), [])).toEqual(analysis);
  });

  it('has no alpha for a single item, and no discrimination below four complete attempts', () => {
    const oneItem = analyseItems([row('a', Q1, 1), row('b', Q1, 0), row('c', Q1, 1)], []);
    expect(oneItem.quiz).toEqual({
      mean: 0.6667,
      standardDeviation: 0.4714,
      cronbachAlpha: null,
      alphaOmittedReason: 'only one question was shown in every counted attempt; alpha needs two',
      sharedQuestions: 1,
      maxScore: 1,
    });
    expect(oneItem.items[0]).toMatchObject({ facility: 0.6667, discrimination: null });
  });

  it('sizes Kelley groups as ⌈27% of n⌉ without floating-point surprises', () => {
    expect([4, 5, 10, 11, 100, 200].map(kelleyGroupSize)).toEqual([2, 2, 3, 3, 27, 54]);
  });

  it('reports a chosen id missing from the choice list, counting a repeated id once', () => {
    const rows = [row('a', Q2, [0, 'x', 'x']), row('b', Q2, [1, 'b']), row('c', Q2, BLANK), row('d', Q2, null)];
    const [item] = analyseItems(rows, CHOICES).items;
    expect(item.responses).toBe(3);
    expect(item.blankShare).toBe(0.25);
    expect(item.choices).toEqual([
      { id: 'a', text: 'Choice a', share: 0 },
      { id: 'b', text: 'Choice b', share: 0.3333 },
      { id: 'c', text: 'Choice c', share: 0 },
      { id: 'x', text: '', share: 0.3333 },
    ]);
  });

  it('lists the choices with share 0 when no response is scored yet, and none for other types', () => {
    const [single, essay] = analyseItems([row('a', Q2, null), row('a', Q4, null)], CHOICES).items;
    expect(single).toMatchObject({ responses: 0, facility: null, blankShare: 0 });
    expect(single.choices?.map((choice) => choice.share)).toEqual([0, 0, 0]);
    expect(essay).not.toHaveProperty('choices');
  });

  it('orders items by key, numbers by value', () => {
    const q10 = { ...Q1, questionId: 'qid-10', questionKey: 'q10' };
    const keys = analyseItems([row('a', q10, 1), row('a', Q2, 1), row('a', Q1, 1)], []).items.map(
      (item) => item.questionKey,
    );
    expect(keys).toEqual(['q1', 'q2', 'q10']);
  });

  it('answers an empty report with nothing to compute', () => {
    expect(analyseItems([], CHOICES)).toEqual({
      learners: 0,
      quiz: {
        mean: null,
        standardDeviation: null,
        cronbachAlpha: null,
        alphaOmittedReason: 'no question was shown in every counted attempt',
        sharedQuestions: 0,
        maxScore: 0,
      },
      items: [],
    });
  });

  it('refuses two rows for one attempt and question, and scores outside [0, max]', () => {
    expect(() => analyseItems([row('a', Q1, 1), row('a', Q1, 0)], [])).toThrow(/two rows/);
    expect(() => analyseItems([row('a', Q3, 3)], [])).toThrow(/out of range/);
    expect(() => analyseItems([row('a', { ...Q1, maxScore: 0 }, 0)], [])).toThrow(/out of range/);
  });
});

describe('analyseItems properties', () => {
  const questionArb = fc.record({
    questionType: fc.constantFrom<QuestionType>('single_choice', 'multiple_choice', 'numeric', 'essay'),
    maxScore: fc.integer({ min: 1, max: 4 }),
  });
  /** Quarter points, a pending score now and then, a blank scoring 0, choices among a–d; rows may be missing. */
  const cellArb = (maxScore: number) =>
    fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 4 * maxScore }).map((quarters) => quarters / 4) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constant(BLANK) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  const rowsArb = fc
    .tuple(fc.array(questionArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 15 }))
    .chain(([questions, learners]) =>
      fc.tuple(
        ...questions.flatMap((question, q) =>
          Array.from({ length: learners }, (_, a) =>
            fc
              .tuple(cellArb(question.maxScore), fc.subarray(['a', 'b', 'c', 'd']))
              .map(([cell, chosen]): ItemResponseRow[] => {
                if (cell === undefined) return [];
                const chosenIds = question.questionType.endsWith('choice') && cell !== BLANK ? chosen : [];
                const target: Question = { questionId: `q${q}`, questionKey: `k${q}`, ...question };
                return [{ ...row(`a${a}`, target, cell), choiceIds: chosenIds }];
              }),
          ),
        ),
      ),
    )
    .map((cells) => cells.flat());
  const choicesArb: ItemChoiceInfo[] = Array.from({ length: 5 }, (_, q) => ({
    questionId: `q${q}`,
    choices: [{ id: 'a', text: 'A' }],
  }));

  const inRange = (value: number | null | undefined, min: number, max: number) => {
    if (value === null || value === undefined) return;
    expect(value).toBeGreaterThanOrEqual(min);
    expect(value).toBeLessThanOrEqual(max);
  };

  it('keeps facility, shares in [0, 1], discrimination in [−1, 1] and alpha ≤ 1', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const { quiz, items } = analyseItems(rows, choicesArb);
        for (const item of items) {
          inRange(item.facility, 0, 1);
          inRange(item.blankShare, 0, 1);
          inRange(item.discrimination, -1, 1);
          for (const choice of item.choices ?? []) inRange(choice.share, 0, 1);
        }
        inRange(quiz.cronbachAlpha, -Infinity, 1);
        inRange(quiz.mean, 0, quiz.maxScore);
        inRange(quiz.standardDeviation, 0, quiz.maxScore);
      }),
    );
  });

  it('does not depend on the order of the rows', () => {
    const reorderedArb = rowsArb.chain((rows) =>
      fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length })),
    );
    fc.assert(
      fc.property(reorderedArb, ([rows, reordered]) => {
        expect(analyseItems(reordered, choicesArb)).toEqual(analyseItems(rows, choicesArb));
      }),
    );
  });
});
