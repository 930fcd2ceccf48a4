import fc from 'fast-check';
import type { QuestionPool } from '../../content/import/answer-key';
import { type DrawableQuestion, drawQuestions } from './question-draw';

/** q1…qN, version ids v1…vN, in quiz order. */
const quiz = (count: number): DrawableQuestion[] =>
  Array.from({ length: count }, (_, i) => ({ key: `q${i + 1}`, versionId: `v${i + 1}` }));

const keysOf = (versionIds: string[]) => versionIds.map((id) => `q${id.slice(1)}`);

/** Module 5's shape: kc-1…kc-6 in no pool, then 9 sections of 3 to 5 bank questions, 2 drawn from each. */
const SECTION_SIZES = [5, 3, 4, 4, 4, 3, 3, 5, 5];
const MODULE5_LIKE = (() => {
  const questions: DrawableQuestion[] = Array.from({ length: 6 }, (_, i) => ({
    key: `kc-${i + 1}`,
    versionId: `kc-v${i + 1}`,
  }));
  const pools: QuestionPool[] = SECTION_SIZES.map((size, section) => {
    const keys = Array.from({ length: size }, (_, i) => `s${section + 1}-${i + 1}`);
    questions.push(...keys.map((key) => ({ key, versionId: `${key}-v` })));
    return { id: `section-${section + 1}`, draw: 2, questions: keys };
  });
  return { questions, pools };
})();

describe('drawQuestions', () => {
  it('shows every question when the quiz has no pools', () => {
    expect(drawQuestions({ attemptId: 'a', questions: quiz(4), pools: [] })).toEqual(['v1', 'v2', 'v3', 'v4']);
  });

  it('pins the draw for a known attempt id (a change here changes the draw of every new attempt)', () => {
    const drawn = drawQuestions({
      attemptId: '5f0c7b1e-2a7d-4c53-9f1e-0d6f1a2b3c4d',
      questions: quiz(8),
      pools: [
        { id: 'first', draw: 2, questions: ['q1', 'q2', 'q3', 'q4'] },
        { id: 'second', draw: 1, questions: ['q5', 'q6', 'q7'] },
      ],
    });
    expect(drawn).toEqual(PINNED);
  });

  it('draws exactly `draw` from each pool, keeps every question in no pool, and keeps quiz order', () => {
    fc.assert(
      fc.property(fc.uuid(), (attemptId) => {
        const drawn = drawQuestions({ attemptId, ...MODULE5_LIKE });
        expect(drawn).toHaveLength(6 + 2 * 9);
        const chosen = new Set(drawn);
        for (let kc = 1; kc <= 6; kc++) expect(chosen.has(`kc-v${kc}`)).toBe(true);
        for (const pool of MODULE5_LIKE.pools) {
          expect(pool.questions.filter((key) => chosen.has(`${key}-v`))).toHaveLength(2);
        }
        const order = MODULE5_LIKE.questions.map((q) => q.versionId);
        expect(drawn).toEqual(order.filter((id) => chosen.has(id)));
      }),
    );
  });

  it('gives the same draw for the same attempt, whatever order the pool lists its questions in', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.shuffledSubarray(['q1', 'q2', 'q3', 'q4', 'q5', 'q6'], { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 6 }),
        (attemptId, listed, draw) => {
          const sorted = { id: 'p', draw, questions: ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'] };
          const first = drawQuestions({ attemptId, questions: quiz(8), pools: [sorted] });
          expect(drawQuestions({ attemptId, questions: quiz(8), pools: [sorted] })).toEqual(first);
          expect(drawQuestions({ attemptId, questions: quiz(8), pools: [{ ...sorted, questions: listed }] })).toEqual(
            first,
          );
        },
      ),
    );
  });

  it('gives different sets to different attempts, and every question of a pool its share', () => {
    // 2 of 5 in one pool: 10 possible sets; over 2,000 attempts each question is drawn about 800 times.
    const pools = [{ id: 'p', draw: 2, questions: ['q1', 'q2', 'q3', 'q4', 'q5'] }];
    const sets = new Set<string>();
    const drawnCount = new Map<string, number>();
    for (let attempt = 0; attempt < 2000; attempt++) {
      const keys = keysOf(drawQuestions({ attemptId: `attempt-${attempt}`, questions: quiz(5), pools }));
      sets.add(keys.join());
      for (const key of keys) drawnCount.set(key, (drawnCount.get(key) ?? 0) + 1);
    }
    expect(sets.size).toBe(10);
    for (const key of ['q1', 'q2', 'q3', 'q4', 'q5']) {
      expect(drawnCount.get(key)).toBeGreaterThan(700);
      expect(drawnCount.get(key)).toBeLessThan(900);
    }
  });

  it('gives two attempts of Module 5’s shape different sets, nearly always', () => {
    // The chance that two draws agree on all 9 pools is 1 in 10·3·6·6·6·3·3·10·10 (about 1 in 5.8 million).
    const pairs = fc.sample(fc.tuple(fc.uuid(), fc.uuid()), { numRuns: 200, seed: 20261207 });
    for (const [first, second] of pairs.filter(([a, b]) => a !== b)) {
      expect(drawQuestions({ attemptId: first, ...MODULE5_LIKE })).not.toEqual(
        drawQuestions({ attemptId: second, ...MODULE5_LIKE }),
      );
    }
  });

  it('draws from what is left of a pool whose questions were retired, never more than there are', () => {
    const pools = [{ id: 'p', draw: 3, questions: ['q1', 'q2', 'q3', 'gone'] }];
    const drawn = drawQuestions({ attemptId: 'a', questions: quiz(4), pools });
    expect(keysOf(drawn).filter((key) => key !== 'q4')).toHaveLength(3);
    const smaller = drawQuestions({ attemptId: 'a', questions: quiz(2), pools });
    expect(smaller).toEqual(['v1', 'v2']);
  });

  it('draws each pool with its own stream: two pools of the same questions list do not move together', () => {
    const questions = quiz(12);
    const pools = [
      { id: 'left', draw: 1, questions: ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'] },
      { id: 'right', draw: 1, questions: ['q7', 'q8', 'q9', 'q10', 'q11', 'q12'] },
    ];
    const sameIndex = Array.from({ length: 300 }, (_, attempt) => {
      const drawn = keysOf(drawQuestions({ attemptId: `a${attempt}`, questions, pools }));
      return Number(drawn[0].slice(1)) + 6 === Number(drawn[1].slice(1));
    }).filter(Boolean).length;
    // Independent streams agree on the position about 1 time in 6 (50 of 300).
    expect(sameIndex).toBeLessThan(100);
  });
});

const PINNED = ['v2', 'v3', 'v6', 'v8'];
