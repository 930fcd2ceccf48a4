import request from 'supertest';
import { DataSource } from 'typeorm';
import { analyseItems } from '../src/cohorts/reports/item-analysis';
import type { QuestionDefinition } from '../src/content/question.types';
import { createTestApp, type TestApp } from './support/app';
import { importModule, keyResponse, MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from './support/content';
import { itemAnalysisInput } from './support/item-analysis-input';
import { bearer, createUser, type TestUser } from './support/identity';

interface QuizQuestion {
  id: string;
  versionId: string;
  key: string;
  definition: QuestionDefinition;
}
interface AttemptQuestion {
  questionVersionId: string;
  question: { type: string };
}

const versionIdsOf = (body: { questions: AttemptQuestion[] }) => body.questions.map((q) => q.questionVersionId);
const sorted = (ids: string[]) => [...ids].sort();

/**
 * In the entry of question `key` of an answer key, sets its points: a key correction that changes
 * the score of every attempt that showed it, and of no other.
 */
function withPoints(yaml: string, key: string, points: number): string {
  const entries = yaml.split(/(?=\n {2}- id: )/);
  const index = entries.findIndex((entry) => entry.startsWith(`\n  - id: ${key}\n`));
  if (index < 0) throw new Error(`test setup: no entry ${key}`);
  const entry = entries[index];
  entries[index] = /\n {4}points: /.test(entry)
    ? entry.replace(/\n {4}points: [\d.]+/, `\n    points: ${points}`)
    : entry.replace(`\n  - id: ${key}\n`, `\n  - id: ${key}\n    points: ${points}\n`);
  return entries.join('');
}

/** Module 5 drawn from its pools: 6 knowledge-check questions and 2 from each of 9 sections (e2e). */
describe('question pools on Module 5 (e2e)', () => {
  let t: TestApp;
  let quizId: string;
  let admin: TestUser;
  let byVersion: Map<string, QuizQuestion>;
  let pools: { id: string; draw: number; questions: string[] }[];
  let first: TestUser;
  let second: TestUser;
  const started: Record<string, { id: string; versionIds: string[] }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const imported = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
    ({ quizId, admin } = imported);
    const quiz = await request(t.server)
      .get(`/v1/modules/${MODULE5_SLUG}/quiz?include=answers`)
      .set(bearer(admin.token))
      .expect(200);
    byVersion = new Map((quiz.body.questions as QuizQuestion[]).map((q) => [q.versionId, q]));
    pools = quiz.body.settings.pools;
    [first, second] = await Promise.all([
      createUser(t, ['learner'], { externalId: 'pools-first' }),
      createUser(t, ['learner'], { externalId: 'pools-second' }),
    ]);
  });
  afterAll(() => t.close());

  it('shows the pools with the quiz settings', async () => {
    const quiz = await request(t.server).get(`/v1/modules/${MODULE5_SLUG}/quiz`).set(bearer(first.token)).expect(200);
    expect(quiz.body.questions).toHaveLength(42);
    expect(quiz.body.settings.pools).toHaveLength(9);
    expect(quiz.body.settings.pools[0]).toEqual({
      id: 'cloudtrail',
      draw: 2,
      questions: [
        'cloudtrail-best-practices',
        'cloudtrail-log-format',
        'cloudtrail-insights-purpose',
        'cloudtrail-multi-region-bucket',
        'cloudtrail-setup-order',
      ],
    });
  });

  it('gives each learner 24 questions, two learners different sets, and the same set on resume', async () => {
    for (const learner of [first, second]) {
      const attempt = (
        await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(learner.token)).send({}).expect(201)
      ).body;
      const versionIds = versionIdsOf(attempt);
      expect(versionIds).toHaveLength(24);
      const shown = versionIds.map((id) => byVersion.get(id)!);
      expect(
        shown
          .filter((q) => /^kc-\d$/.test(q.key))
          .map((q) => q.key)
          .sort(),
      ).toEqual(['kc-1', 'kc-2', 'kc-3', 'kc-4', 'kc-5', 'kc-6']);
      // Two of each section's bank questions, as the pools say.
      const keys = new Set(shown.map((q) => q.key));
      expect(pools.map((pool) => pool.questions.filter((key) => keys.has(key)).length)).toEqual(Array(9).fill(2));
      // Recorded: the attempt's own list, read back as it was drawn.
      const [row] = await t.app
        .get(DataSource)
        .query('SELECT question_order FROM attempts WHERE id = $1', [attempt.id]);
      expect(row.question_order).toEqual(versionIds);
      started[learner.id] = { id: attempt.id, versionIds };

      const resumed = await request(t.server)
        .post(`/v1/quizzes/${quizId}/attempts`)
        .set(bearer(learner.token))
        .send({})
        .expect(200);
      expect(resumed.body.id).toBe(attempt.id);
      expect(versionIdsOf(resumed.body)).toEqual(versionIds);
      const read = await request(t.server).get(`/v1/attempts/${attempt.id}`).set(bearer(learner.token)).expect(200);
      expect(versionIdsOf(read.body)).toEqual(versionIds);
    }
    expect(sorted(started[first.id].versionIds)).not.toEqual(sorted(started[second.id].versionIds));
  });

  it('refuses answers to a bank question the attempt did not draw', async () => {
    const notDrawn = [...byVersion.keys()].find((id) => !started[first.id].versionIds.includes(id))!;
    const res = await request(t.server)
      .put(`/v1/attempts/${started[first.id].id}/responses`)
      .set(bearer(first.token))
      .send({
        responses: [{ questionVersionId: notDrawn, response: keyResponse(byVersion.get(notDrawn)!.definition) }],
      })
      .expect(400);
    expect(JSON.stringify(res.body.errors)).toContain('not a question of this attempt');
  });

  it('scores each attempt out of its own questions, and reviews the same set', async () => {
    for (const learner of [first, second]) {
      const { id, versionIds } = started[learner.id];
      // The second learner leaves kc-1 and kc-2 blank, so the two differ on the questions they share.
      const answered = versionIds.filter((v) => learner === first || !['kc-1', 'kc-2'].includes(byVersion.get(v)!.key));
      await request(t.server)
        .put(`/v1/attempts/${id}/responses`)
        .set(bearer(learner.token))
        .send({
          responses: answered.map((v) => ({
            questionVersionId: v,
            response: keyResponse(byVersion.get(v)!.definition),
          })),
        })
        .expect(200);
      const scored = (
        await request(t.server).post(`/v1/attempts/${id}/submit`).set(bearer(learner.token)).send({}).expect(200)
      ).body;
      const definitions = versionIds.map((v) => byVersion.get(v)!.definition);
      const max = definitions.reduce((sum, d) => sum + d.points, 0);
      const autoRight = answered
        .map((v) => byVersion.get(v)!.definition)
        .filter((d) => d.type !== 'essay')
        .reduce((sum, d) => sum + d.points, 0);
      const essays = definitions.filter((d) => d.type === 'essay').length;
      expect(scored.score).toMatchObject({ raw: autoRight, max, pending: essays });
      expect(scored.results.map((r: { questionVersionId: string }) => r.questionVersionId)).toEqual(versionIds);

      // Essays graded, so that the attempt counts in the item analysis.
      const essayGrades = versionIds
        .filter((v) => byVersion.get(v)!.definition.type === 'essay')
        .map((v) => ({ questionVersionId: v, score: byVersion.get(v)!.definition.points, reason: 'Full answer' }));
      if (essayGrades.length > 0) {
        await request(t.server)
          .post(`/v1/attempts/${id}/grades`)
          .set(bearer(admin.token))
          .send({ grades: essayGrades })
          .expect(200);
      }
      const review = (await request(t.server).get(`/v1/attempts/${id}`).set(bearer(learner.token)).expect(200)).body;
      expect(review.state).toBe('graded');
      expect(versionIdsOf(review)).toEqual(versionIds);
      expect(review.results.map((r: { questionVersionId: string }) => r.questionVersionId)).toEqual(versionIds);
      expect(review.score.max).toBe(max);
    }
  });

  it('regrades a question only one learner was shown: only that learner’s score changes', async () => {
    const firstOnly = started[first.id].versionIds.find(
      (v) => !started[second.id].versionIds.includes(v) && byVersion.get(v)!.definition.type !== 'essay',
    );
    if (!firstOnly) throw new Error('test setup: the two draws share every scored bank question');
    const corrected = byVersion.get(firstOnly)!;
    const scores = async () =>
      Object.fromEntries(
        (
          await t.app
            .get(DataSource)
            .query<{ id: string; score_raw: number; score_max: number }[]>(
              'SELECT id, score_raw, score_max FROM attempts WHERE quiz_id = $1',
              [quizId],
            )
        ).map((row) => [row.id, { raw: row.score_raw, max: row.score_max }]),
      );
    const before = await scores();
    await request(t.server)
      .post('/v1/modules/import')
      .set(bearer(admin.token))
      .send({ markdown: MODULE5_MARKDOWN, answerKey: withPoints(MODULE5_ANSWERS, corrected.key, 5) })
      .expect(200);
    const regrade = await request(t.server)
      .post(`/v1/quizzes/${quizId}/regrade`)
      .set(bearer(admin.token))
      .send({})
      .expect(200);
    expect(regrade.body.changes.map((c: { attemptId: string }) => c.attemptId)).toEqual([started[first.id].id]);
    const after = await scores();
    const added = 5 - corrected.definition.points;
    expect(after[started[first.id].id]).toEqual({
      raw: before[started[first.id].id].raw + added,
      max: before[started[first.id].id].max + added,
    });
    expect(after[started[second.id].id]).toEqual(before[started[second.id].id]);
  });

  it('reports per question how many were shown it, and alpha over the questions both shared', async () => {
    const cohort = async (name: string, externalIds: string[]) => {
      const id = (
        await request(t.server)
          .post('/v1/cohorts')
          .set(bearer(admin.token))
          .send({ name, moduleIds: [await moduleIdOf()] })
          .expect(201)
      ).body.id as string;
      await request(t.server)
        .put(`/v1/cohorts/${id}/members`)
        .set(bearer(admin.token))
        .send({ members: externalIds.map((externalId) => ({ externalId })) })
        .expect(200);
      return id;
    };
    const moduleIdOf = async () =>
      (await t.app.get(DataSource).query('SELECT module_id FROM quizzes WHERE id = $1', [quizId]))[0]
        .module_id as string;
    const analysis = async (cohortId: string) => {
      const res = await request(t.server)
        .get(`/v1/cohorts/${cohortId}/quizzes/${quizId}/item-analysis`)
        .set(bearer(admin.token))
        .expect(200);
      const { rows, choices } = await itemAnalysisInput(t.app.get(DataSource).manager, cohortId, quizId, 'highest');
      const { cohortId: _cohort, quizId: _quiz, ...fromSql } = res.body;
      expect(fromSql).toEqual(JSON.parse(JSON.stringify(analyseItems(rows, choices))));
      return res.body;
    };
    const questionOf = (versionId: string) => byVersion.get(versionId)!.id;

    const both = await analysis(await cohort('Pools, both', ['pools-first', 'pools-second']));
    expect(both.learners).toBe(2);
    const shownCount = new Map<string, number>();
    for (const learner of [first, second]) {
      for (const v of started[learner.id].versionIds)
        shownCount.set(questionOf(v), (shownCount.get(questionOf(v)) ?? 0) + 1);
    }
    expect(
      Object.fromEntries(
        both.items.map((item: { questionId: string; shown: number }) => [item.questionId, item.shown]),
      ),
    ).toEqual(Object.fromEntries(shownCount));
    const shared = [...shownCount].filter(([, count]) => count === 2).map(([id]) => id);
    expect(shared.length).toBeGreaterThanOrEqual(6);
    expect(
      both.items
        .filter((item: { shared: boolean }) => item.shared)
        .map((i: { questionId: string }) => i.questionId)
        .sort(),
    ).toEqual(shared.sort());
    // The second learner left two shared questions blank: the totals differ, so alpha is defined.
    expect(both.quiz).toMatchObject({ sharedQuestions: shared.length, alphaOmittedReason: null });
    expect(typeof both.quiz.cronbachAlpha).toBe('number');

    const alone = await analysis(await cohort('Pools, one', ['pools-first']));
    expect(alone.learners).toBe(1);
    expect(alone.items).toHaveLength(24);
    expect(alone.quiz).toMatchObject({
      cronbachAlpha: null,
      sharedQuestions: 24,
      alphaOmittedReason: 'fewer than two attempts have a score on every question they all shared',
    });
  });
});
