import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { analyseItems } from '../src/cohorts/reports/item-analysis';
import type { GradingMethod } from '../src/content/import/answer-key';
import { Clock } from '../src/common/clock';
import { createTestApp, type TestApp } from './support/app';
import { importModule } from './support/content';
import { itemAnalysisInput } from './support/item-analysis-input';
import { bearer, createClient, createUser, type TestClient, type TestUser } from './support/identity';

/** A module whose knowledge check scores itself: kc-1 single choice (a), kc-2 true/false (true). */
const REPORT_MODULE = [
  '# Module 4: Reporting Basics',
  '',
  '## 1. Basics',
  'A is right; the claim is true.',
  '',
  '## Hands-On Activities',
  '### Activity 1: Build a dashboard',
  '1. Open the console',
  '2. Add a widget',
  '',
  '## Knowledge Check',
  '1. Which is right?',
  '2. Is the claim true?',
  '',
  '**Module Completion Checklist:**',
  '- [ ] Completed Activity 1: Build a dashboard',
  '',
].join('\n');
const REPORT_KEY = [
  'format: 1',
  'quiz: { attemptsAllowed: 1, passMark: 0.5, review: { show: answers, when: immediately } }',
  'questions:',
  '  - { id: kc-1, knowledgeCheck: 1, section: 1, type: single_choice, correct: a,',
  '      choices: [{ id: a, text: A }, { id: b, text: B }, { id: c, text: C }] }',
  '  - { id: kc-2, knowledgeCheck: 2, section: 1, type: true_false, correct: true }',
  '',
].join('\n');

describe('cohorts, rosters and instructor reports (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let instructorA: TestUser;
  let instructorB: TestUser;
  let lms: TestClient;
  let moduleId: string;
  let slug: string;
  let quizId: string;
  let steps: string[];

  const asAdmin = () => bearer(admin.token);
  const roster = (cohortId: string, members: object[], as: { token: string } = lms) =>
    request(t.server).put(`/v1/cohorts/${cohortId}/members`).set(bearer(as.token)).send({ members });
  const newCohort = async (name: string, as: { token: string } = admin) =>
    (
      await request(t.server)
        .post('/v1/cohorts')
        .set(bearer(as.token))
        .send({ name, moduleIds: [moduleId] })
        .expect(201)
    ).body.id as string;

  beforeAll(async () => {
    t = await createTestApp();
    const imported = await importModule(t, REPORT_MODULE, REPORT_KEY);
    ({ moduleId, slug, quizId } = imported);
    admin = imported.admin;
    const detail = (await request(t.server).get(`/v1/modules/${slug}`).set(asAdmin()).expect(200)).body;
    steps = detail.activities[0].steps.map((s: { id: string }) => s.id);
    instructorA = await createUser(t, ['instructor'], { externalId: 'lms-teacher-a' });
    instructorB = await createUser(t, ['instructor'], { externalId: 'lms-teacher-b' });
    lms = await createClient(t, ['users:write', 'cohorts:write']);
  });
  afterAll(() => t.close());

  it('syncs a roster by external id: adds (creating users), deactivates, reactivates, and is idempotent', async () => {
    const cohortId = await newCohort('Roster');
    const learners = [1, 2, 3].map((n) => ({
      externalId: `lms-l${n}`,
      email: `l${n}@roster.example`,
      displayName: `Learner ${n}`,
    }));
    const teacher = { externalId: 'lms-teacher-a', role: 'instructor' };
    const first = await roster(cohortId, [...learners, teacher]).expect(200);
    expect(first.body).toMatchObject({
      added: ['lms-l1', 'lms-l2', 'lms-l3', 'lms-teacher-a'],
      createdUsers: ['lms-l1', 'lms-l2', 'lms-l3'],
      unchanged: 0,
    });
    const again = await roster(cohortId, [...learners, teacher]).expect(200);
    expect(again.body).toMatchObject({ added: [], reactivated: [], deactivated: [], createdUsers: [], unchanged: 4 });

    const without3 = await roster(cohortId, [learners[0], learners[1], teacher]).expect(200);
    expect(without3.body).toMatchObject({ deactivated: ['lms-l3'], unchanged: 3 });
    const back = await roster(cohortId, [...learners, teacher]).expect(200);
    expect(back.body).toMatchObject({ reactivated: ['lms-l3'], unchanged: 3, createdUsers: [] });

    const members = await request(t.server)
      .get(`/v1/cohorts/${cohortId}/members?status=active`)
      .set(asAdmin())
      .expect(200);
    expect(members.body.items).toHaveLength(4);
    const users = await t.app
      .get(DataSource)
      .query("SELECT count(*)::int AS n FROM users WHERE external_id LIKE 'lms-l%'");
    expect(users[0].n).toBe(3);
  });

  it('refuses unknown people from a caller that may not create users, writing nothing', async () => {
    const cohortId = await newCohort('Strict');
    const cohortOnly = await createClient(t, ['cohorts:write']);
    const res = await roster(
      cohortId,
      [{ externalId: 'lms-stranger', email: 's@x.example', displayName: 'S' }],
      cohortOnly,
    ).expect(422);
    expect(res.body).toMatchObject({ type: '/problems/unknown-roster-members', unknownExternalIds: ['lms-stranger'] });
    const members = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM cohort_members WHERE cohort_id = $1', [cohortId]);
    expect(members[0].n).toBe(0);
  });

  describe('reports', () => {
    let cohortA: string;
    let cohortB: string;
    const learner: Record<string, TestUser> = {};

    async function takeQuiz(user: TestUser, answers: { kc1: string; kc2: boolean }) {
      const attempt = (
        await request(t.server).post(`/v1/quizzes/${quizId}/attempts`).set(bearer(user.token)).send({}).expect(201)
      ).body;
      const responses = attempt.questions.map((q: { questionVersionId: string; question: { type: string } }) => ({
        questionVersionId: q.questionVersionId,
        response:
          q.question.type === 'single_choice'
            ? { type: 'single_choice', choiceId: answers.kc1 }
            : { type: 'true_false', value: answers.kc2 },
      }));
      await request(t.server)
        .put(`/v1/attempts/${attempt.id}/responses`)
        .set(bearer(user.token))
        .send({ responses })
        .expect(200);
      await request(t.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(user.token)).send({}).expect(200);
    }
    const tick = (user: TestUser, stepId: string) =>
      request(t.server).put(`/v1/users/me/steps/${stepId}`).set(bearer(user.token)).send({ done: true }).expect(200);

    beforeAll(async () => {
      cohortA = await newCohort('Cohort A');
      cohortB = await newCohort('Cohort B');
      for (const name of ['ada', 'ben', 'cy', 'dee', 'eve']) {
        learner[name] = await createUser(t, ['learner'], { externalId: `rep-${name}` });
      }
      await roster(cohortA, [
        ...Object.keys(learner).map((name) => ({ externalId: `rep-${name}` })),
        { externalId: 'lms-teacher-a', role: 'instructor' },
      ]).expect(200);
      await roster(cohortB, [{ externalId: 'lms-teacher-b', role: 'instructor' }]).expect(200);

      // ada: everything, both right → completed, 1.0. ben: one step, one right → 0.5, passed.
      // cy: both wrong → 0, no attempts left → failed. eve: nothing → not started.
      await tick(learner.ada, steps[0]);
      await tick(learner.ada, steps[1]);
      await takeQuiz(learner.ada, { kc1: 'a', kc2: true });
      await tick(learner.ben, steps[0]);
      await takeQuiz(learner.ben, { kc1: 'a', kc2: false });
      await takeQuiz(learner.cy, { kc1: 'b', kc2: false });
      // dee: a month ago, one step and both right → in progress, passed, stuck.
      const clock = jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() - 30 * 86_400_000));
      await tick(learner.dee, steps[0]);
      await takeQuiz(learner.dee, { kc1: 'a', kc2: true });
      clock.mockRestore();
    });

    const progress = (as: { token: string }, cohortId: string, query = '') =>
      request(t.server).get(`/v1/cohorts/${cohortId}/progress?module=${slug}${query}`).set(bearer(as.token));

    it('summarises the cohort as a recomputation by hand says', async () => {
      const res = await progress(instructorA, cohortA).expect(200);
      expect(res.body.summary).toEqual({
        learners: 5,
        counts: { not_started: 1, in_progress: 3, completed: 1, failed: 1, stuck: 1 },
        completionRate: 0.2,
        passRate: 0.6,
        meanScore: 0.625, // (1 + 0.5 + 0 + 1) / 4
        medianScore: 0.75, // of 0, 0.5, 1, 1
        histogram: [1, 0, 0, 0, 0, 1, 0, 0, 0, 2],
        activities: [expect.objectContaining({ number: 1, completed: 1, rate: 0.2 })],
      });
      const byName = Object.fromEntries(res.body.items.map((row: { externalId: string }) => [row.externalId, row]));
      expect(byName['rep-ada']).toMatchObject({
        status: 'completed',
        percentage: 100,
        stepsDone: 2,
        itemsDone: 1,
        attemptsUsed: 1,
        countedScore: 1,
        passed: true,
      });
      expect(byName['rep-cy']).toMatchObject({ status: 'in_progress', failed: true, countedScore: 0, passed: false });
      expect(byName['rep-dee']).toMatchObject({ status: 'in_progress', stuck: true, stepsDone: 1 });
      expect(byName['rep-eve']).toMatchObject({
        status: 'not_started',
        percentage: 0,
        attemptsUsed: 0,
        countedScore: null,
      });
    });

    it('filters, sorts and pages', async () => {
      const ids = (res: request.Response) => res.body.items.map((row: { externalId: string }) => row.externalId);
      expect(ids(await progress(instructorA, cohortA, '&status=failed').expect(200))).toEqual(['rep-cy']);
      expect(ids(await progress(instructorA, cohortA, '&status=stuck').expect(200))).toEqual(['rep-dee']);
      expect(ids(await progress(instructorA, cohortA, '&status=not_started').expect(200))).toEqual(['rep-eve']);
      const byScore = ids(await progress(instructorA, cohortA, '&sort=score&order=desc').expect(200));
      expect(byScore.slice(2)).toEqual(['rep-ben', 'rep-cy', 'rep-eve']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await progress(
          instructorA,
          cohortA,
          `&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        ).expect(200);
        seen.push(...ids(page));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(['rep-ada', 'rep-ben', 'rep-cy', 'rep-dee', 'rep-eve']);
      await progress(instructorA, cohortA, '&sort=password').expect(400);
    });

    it('finds learners by name or email (case-insensitive, wildcards literal), and pages within the search', async () => {
      const rename = (user: TestUser, displayName: string) =>
        request(t.server).patch('/v1/users/me').set(bearer(user.token)).send({ displayName }).expect(200);
      await rename(learner.ada, 'Ada Lovelace');
      await rename(learner.ben, 'Benjamin LOVE');
      await rename(learner.cy, 'Cy 100%');
      const ids = (res: request.Response) => res.body.items.map((row: { externalId: string }) => row.externalId);
      const search = (q: string, more = '') => progress(instructorA, cohortA, `&q=${encodeURIComponent(q)}${more}`);

      expect(ids(await search('love').expect(200))).toEqual(['rep-ada', 'rep-ben']);
      expect(ids(await search('LoVe', '&status=completed').expect(200))).toEqual(['rep-ada']);
      expect(ids(await search('%').expect(200))).toEqual(['rep-cy']);
      expect(ids(await search('_').expect(200))).toEqual([]);
      expect(ids(await search(learner.eve.email.split('@')[0].toUpperCase()).expect(200))).toEqual(['rep-eve']);
      // The summary is the cohort's, whatever the search.
      expect((await search('love').expect(200)).body.summary.learners).toBe(5);

      const first = await search('love', '&limit=1').expect(200);
      expect(ids(first)).toEqual(['rep-ada']);
      const second = await search('love', `&limit=1&cursor=${first.body.nextCursor}`).expect(200);
      expect(ids(second)).toEqual(['rep-ben']);
      expect(second.body.nextCursor).toBeNull();
      // A cursor belongs to the list it came from: not another search, status or sort.
      await search('cy', `&limit=1&cursor=${first.body.nextCursor}`).expect(400);
      await progress(instructorA, cohortA, `&limit=1&cursor=${first.body.nextCursor}`).expect(400);
      await search('love', `&limit=1&sort=score&cursor=${first.body.nextCursor}`).expect(400);

      const csv = await request(t.server)
        .get(`/v1/cohorts/${cohortA}/progress.csv?module=${slug}&q=love`)
        .set(bearer(instructorA.token))
        .expect(200);
      expect(parse<{ external_id: string }>(csv.text, { columns: true }).map((row) => row.external_id)).toEqual([
        'rep-ada',
        'rep-ben',
      ]);
      await search('').expect(400);
      await search('x'.repeat(101)).expect(400);
    });

    it('exports the progress table as CSV that parses back to the JSON rows', async () => {
      const json = (await progress(instructorA, cohortA, '&limit=100').expect(200)).body.items;
      const csv = await request(t.server)
        .get(`/v1/cohorts/${cohortA}/progress.csv?module=${slug}`)
        .set(bearer(instructorA.token))
        .expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const records = parse<Record<string, string>>(csv.text, { columns: true });
      expect(Object.keys(records[0])).toEqual([
        'user_id',
        'external_id',
        'display_name',
        'status',
        'failed',
        'stuck',
        'percentage',
        'steps_done',
        'items_done',
        'attempts_used',
        'late_attempts',
        'accommodated',
        'counted_score',
        'passed',
        'last_activity_at',
        'completed_at',
      ]);
      expect(
        records.map((r) => ({
          userId: r.user_id,
          externalId: r.external_id,
          displayName: r.display_name,
          status: r.status,
          failed: r.failed === 'true',
          stuck: r.stuck === 'true',
          percentage: Number(r.percentage),
          stepsDone: Number(r.steps_done),
          itemsDone: Number(r.items_done),
          attemptsUsed: Number(r.attempts_used),
          lateAttempts: Number(r.late_attempts),
          accommodated: r.accommodated === 'true',
          countedScore: r.counted_score === '' ? null : Number(r.counted_score),
          passed: r.passed === '' ? null : r.passed === 'true',
          lastActivityAt: r.last_activity_at || null,
          completedAt: r.completed_at || null,
        })),
      ).toEqual(json);
      const negotiated = await progress(instructorA, cohortA).set('Accept', 'text/csv').expect(200);
      expect(negotiated.text).toBe(csv.text);
    });

    it('exports every response as CSV', async () => {
      const csv = await request(t.server).get(`/v1/cohorts/${cohortA}/responses.csv`).set(asAdmin()).expect(200);
      const records = parse<Record<string, string>>(csv.text, { columns: true });
      expect(records).toHaveLength(4 * 2);
      expect(
        records
          .filter((r) => r.question_key === 'kc-2' && r.score === '1')
          .map((r) => r.external_id)
          .sort(),
      ).toEqual(['rep-ada', 'rep-dee']);
      expect(
        JSON.parse(records.find((r) => r.external_id === 'rep-cy' && r.question_key === 'kc-1')!.response),
      ).toEqual({ type: 'single_choice', choiceId: 'b' });
    });

    it('quotes cells a spreadsheet would run as formulas', async () => {
      await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(learner.eve.token))
        .send({ displayName: '=HYPERLINK("http://evil.example","click")' })
        .expect(200);
      const csv = await request(t.server)
        .get(`/v1/cohorts/${cohortA}/progress.csv?module=${slug}`)
        .set(bearer(instructorA.token))
        .expect(200);
      const records = parse<Record<string, string>>(csv.text, { columns: true });
      expect(records.find((r) => r.external_id === 'rep-eve')!.display_name).toBe(
        '\'=HYPERLINK("http://evil.example","click")',
      );
      await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(learner.eve.token))
        .send({ displayName: 'Eve' })
        .expect(200);
    });

    it('analyses items as worked out by hand', async () => {
      const res = await request(t.server)
        .get(`/v1/cohorts/${cohortA}/quizzes/${quizId}/item-analysis`)
        .set(bearer(instructorA.token))
        .expect(200);
      // Totals ada 2, ben 1, cy 0, dee 2; g = ⌈27·4/100⌉ = 2: lower {cy, ben}, upper {ada, dee}.
      expect(res.body.learners).toBe(4);
      expect(res.body.quiz).toEqual({
        mean: 1.25,
        standardDeviation: 0.8292,
        cronbachAlpha: 0.7273,
        alphaOmittedReason: null,
        sharedQuestions: 2,
        maxScore: 2,
      });
      const [kc1, kc2] = res.body.items;
      expect(kc1).toMatchObject({
        questionKey: 'kc-1',
        responses: 4,
        facility: 0.75,
        discrimination: 0.5,
        blankShare: 0,
      });
      expect(kc1.choices).toEqual([
        { id: 'a', text: 'A', share: 0.75 },
        { id: 'b', text: 'B', share: 0.25 },
        { id: 'c', text: 'C', share: 0 },
      ]);
      expect(kc2).toMatchObject({ questionKey: 'kc-2', facility: 0.5, discrimination: 1 });
      // The SQL aggregation agrees with the pure implementation over the same response matrix.
      const { rows, choices } = await itemAnalysisInput(t.app.get(DataSource).manager, cohortA, quizId, 'highest');
      const { cohortId: _cohort, quizId: _quiz, ...fromSql } = res.body;
      expect(fromSql).toEqual(JSON.parse(JSON.stringify(analyseItems(rows, choices))));
    });

    it('keeps instructors to their cohorts (404) and learners out of every report (403)', async () => {
      for (const path of [
        `/v1/cohorts/${cohortB}`,
        `/v1/cohorts/${cohortB}/progress?module=${slug}`,
        `/v1/cohorts/${cohortB}/progress.csv?module=${slug}`,
        `/v1/cohorts/${cohortB}/responses.csv`,
        `/v1/cohorts/${cohortB}/quizzes/${quizId}/item-analysis`,
        `/v1/cohorts/${cohortB}/members`,
      ]) {
        await request(t.server).get(path).set(bearer(instructorA.token)).expect(404);
        await request(t.server).get(path).set(bearer(instructorB.token)).expect(200);
      }
      // Membership decides whom an instructor may see: instructors cannot change it, even for their own cohort.
      await roster(cohortA, [], instructorA).expect(403);
      await request(t.server)
        .post(`/v1/cohorts/${cohortA}/members`)
        .set(bearer(instructorA.token))
        .send({ userId: admin.id })
        .expect(403);
      for (const path of [
        `/v1/cohorts/${cohortA}/progress?module=${slug}`,
        `/v1/cohorts/${cohortA}/quizzes/${quizId}/item-analysis`,
        `/v1/cohorts/${cohortA}/responses.csv`,
        '/v1/cohorts',
      ]) {
        await request(t.server).get(path).set(bearer(learner.ada.token)).expect(403);
      }
      const mine = await request(t.server)
        .get('/v1/cohorts?role=instructor')
        .set(bearer(instructorA.token))
        .expect(200);
      expect(mine.body.items.map((c: { name: string }) => c.name).sort()).toEqual(['Cohort A', 'Roster']);
      expect(mine.body.items.find((c: { name: string }) => c.name === 'Cohort A')).toMatchObject({
        learners: 5,
        modules: [expect.objectContaining({ moduleId, completed: 1, completionRate: 0.2, passRate: 0.6 })],
      });
    });

    it('lets an instructor of the cohort read its learners’ attempts and progress, and no one else’s', async () => {
      await request(t.server)
        .get(`/v1/users/${learner.ada.id}/modules/${slug}/progress`)
        .set(bearer(instructorA.token))
        .expect(200);
      await request(t.server)
        .get(`/v1/users/${learner.ada.id}/modules/${slug}/progress`)
        .set(bearer(instructorB.token))
        .expect(404);
      await request(t.server).get(`/v1/users/${learner.ada.id}/attempts`).set(bearer(instructorA.token)).expect(200);
    });

    it('runs a fixed number of statements whatever the cohort’s size', async () => {
      const analysis = () =>
        request(t.server)
          .get(`/v1/cohorts/${cohortA}/quizzes/${quizId}/item-analysis`)
          .set(bearer(instructorA.token))
          .expect(200);
      const countQueries = async () => {
        // Cold: the item analysis is computed (as after any change to its inputs), then served as kept.
        await t.app.get(DataSource).query('DELETE FROM item_analysis_cache WHERE cohort_id = $1', [cohortA]);
        // Who the caller is, looked up now (it is kept for seconds), so that neither count includes it.
        await request(t.server).get(`/v1/cohorts/${cohortA}`).set(bearer(instructorA.token)).expect(200);
        const spy = jest.spyOn(Client.prototype, 'query');
        // A machine client's read: a person's also prepares the item analysis in the background (below).
        await progress(lms, cohortA).expect(200);
        await analysis();
        const computed = spy.mock.calls.length;
        await analysis();
        const kept = spy.mock.calls.length - computed;
        spy.mockRestore();
        return { computed, kept };
      };
      const before = await countQueries();
      const more = await Promise.all(
        Array.from({ length: 12 }, (_, i) => createUser(t, ['learner'], { externalId: `more-${i}` })),
      );
      await roster(cohortA, [
        ...Object.keys(learner).map((name) => ({ externalId: `rep-${name}` })),
        ...more.map((_, i) => ({ externalId: `more-${i}` })),
        { externalId: 'lms-teacher-a', role: 'instructor' },
      ]).expect(200);
      expect(await countQueries()).toEqual(before);
      expect(before.computed).toBeLessThan(20);
      // The kept analysis: access (the cohort, the membership, the quiz), the stamp with the kept row, the texts.
      expect(before.kept).toBe(5);
    });

    it('prepares the item analysis in the background when a person reads the dashboard', async () => {
      const db = t.app.get(DataSource);
      const kept = async () =>
        (await db.query('SELECT 1 FROM item_analysis_cache WHERE cohort_id = $1', [cohortA])).length > 0;
      const readDashboard = async (at: Date) => {
        await db.query('DELETE FROM item_analysis_cache WHERE cohort_id = $1', [cohortA]);
        const clock = jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(at);
        await progress(instructorA, cohortA).expect(200);
        clock.mockRestore();
      };
      // Past the once-in-30-seconds of earlier tests' reads, a person's read prepares it.
      const later = new Date(Date.now() + 3_600_000);
      await readDashboard(later);
      // Nothing to wait for in the response: the analysis is kept a moment later (2 s).
      while (!(await kept())) await new Promise((resolve) => setTimeout(resolve, 10));
      // Earlier tests' reads may have been what kept it: let every preparation asked for so far be done.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      // Another read within the 30 seconds does not prepare again: its stamp would be read for nothing.
      await readDashboard(new Date(later.getTime() + 20_000));
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(await kept()).toBe(false);
      await readDashboard(new Date(later.getTime() + 40_000));
      while (!(await kept())) await new Promise((resolve) => setTimeout(resolve, 10));
      const spy = jest.spyOn(Client.prototype, 'query');
      const res = await request(t.server)
        .get(`/v1/cohorts/${cohortA}/quizzes/${quizId}/item-analysis`)
        .set(bearer(instructorA.token))
        .expect(200);
      const aggregates = spy.mock.calls.filter(([sql]) => typeof sql === 'string' && sql.includes('attempt_rows AS'));
      spy.mockRestore();
      expect(aggregates).toEqual([]);
      const { rows, choices } = await itemAnalysisInput(db.manager, cohortA, quizId, 'highest');
      const { cohortId: _cohort, quizId: _quiz, ...served } = res.body;
      expect(served).toEqual(JSON.parse(JSON.stringify(analyseItems(rows, choices))));
    });

    it('analyses items as the pure implementation does on awkward data, whatever the grading method', async () => {
      const db = t.app.get(DataSource);
      const cohortId = await newCohort('Awkward');
      const people = await Promise.all(
        [0, 1, 2, 3, 4, 5, 6, 7].map((n) => createUser(t, ['learner'], { externalId: `awk-${n}` })),
      );
      await roster(cohortId, [
        ...people.map((_, n) => ({ externalId: `awk-${n}` })),
        { externalId: 'lms-teacher-a', role: 'instructor' },
      ]).expect(200);
      const [kc1, kc2] = (
        await db.query('SELECT current_version_id AS id FROM questions WHERE quiz_id = $1 ORDER BY key', [quizId])
      ).map((q: { id: string }) => q.id);
      // A later version of kc-2, worth 2 points.
      const [{ id: kc2b }] = await db.query(
        `INSERT INTO question_versions (question_id, version, definition, content_hash)
         SELECT question_id, version + 1, definition || '{"points": 2}', md5(content_hash) FROM question_versions
          WHERE id = $1 RETURNING id`,
        [kc2],
      );
      type Row = [version: string, response: object | null, auto: number | null, max: number | null, manual?: number];
      const attempt = async (who: number, number: number, state: string, scaled: number | null, rows: Row[]) => {
        const [{ id }] = await db.query(
          `INSERT INTO attempts (quiz_id, user_id, number, state, started_at, question_order, choice_order, score_scaled)
           VALUES ($1, $2, $3, $4, now(), '[]', '{}', $5) RETURNING id`,
          [quizId, people[who].id, number, state, scaled],
        );
        for (const [version, response, auto, max, manual] of rows) {
          await db.query(
            `INSERT INTO attempt_responses (attempt_id, question_version_id, response, auto_score, manual_score, max_score)
             VALUES ($1, $2, $3, $4, $5, $6)`,
            [id, version, response && JSON.stringify(response), auto, manual ?? null, max],
          );
        }
      };
      const single = (choiceId: string) => ({ type: 'single_choice', choiceId });
      const multiple = (...choiceIds: (string | number | null)[]) => ({ type: 'multiple_choice', choiceIds });
      const tf = (value: boolean) => ({ type: 'true_false', value });
      // Which attempt counts depends on the method: 0 did better the second time, 1 worse.
      await attempt(0, 1, 'graded', 0.5, [
        [kc1, single('b'), 0, 1],
        [kc2, tf(true), 1, 1],
      ]);
      await attempt(0, 2, 'graded', 1, [
        [kc1, single('a'), 1, 1],
        [kc2, tf(true), 1, 1],
      ]);
      await attempt(1, 1, 'graded', 1, [
        [kc1, single('a'), 1, 1],
        [kc2, tf(true), 1, 1],
      ]);
      // Repeated, unlisted, null and numeric ids; an instructor's override.
      await attempt(1, 2, 'graded', 0.25, [
        [kc1, multiple('b', 'b', 'zz', null, 7), 0, 1],
        [kc2, tf(false), 0, 1, 0.5],
      ]);
      await attempt(2, 1, 'graded', 0.5, [
        [kc1, null, 0, 1],
        [kc2, tf(true), 1, 1],
      ]); // blank
      await attempt(3, 1, 'submitted', null, [
        [kc1, single('c'), 0, 1],
        [kc2, tf(true), null, 1],
      ]); // still to grade
      await attempt(4, 1, 'graded', 0.6667, [
        [kc1, single('a'), 1, 1],
        [kc2b, tf(true), 1, 2],
      ]); // the later version
      await attempt(5, 1, 'graded', 1, [[kc1, single('a'), 1, 1]]); // no row for kc-2
      // Worth nothing, so left out.
      await attempt(6, 1, 'graded', 0.5, [
        [kc1, single('b'), 0, 1],
        [kc2, tf(true), 1, 1],
        [kc2b, tf(false), 0, 0],
      ]);
      await attempt(7, 1, 'pending_grading', null, [
        [kc1, single('a'), 1, 1],
        [kc2, tf(true), null, 1],
      ]);
      await attempt(7, 2, 'in_progress', null, [[kc1, single('b'), null, null]]);

      const [{ settings }] = await db.query('SELECT settings FROM quizzes WHERE id = $1', [quizId]);
      const analyse = async (method: GradingMethod) => {
        await db.query(
          `UPDATE quizzes SET settings = jsonb_set(settings, '{gradingMethod}', to_jsonb($2::text)) WHERE id = $1`,
          [quizId, method],
        );
        const res = await request(t.server)
          .get(`/v1/cohorts/${cohortId}/quizzes/${quizId}/item-analysis`)
          .set(bearer(instructorA.token))
          .expect(200);
        const { rows, choices } = await itemAnalysisInput(db.manager, cohortId, quizId, method);
        const { cohortId: _cohort, quizId: _quiz, ...fromSql } = res.body;
        expect(fromSql).toEqual(JSON.parse(JSON.stringify(analyseItems(rows, choices))));
        return fromSql;
      };
      try {
        for (const method of ['highest', 'latest', 'first', 'average'] as const) {
          const analysis = await analyse(method);
          expect(analysis.learners).toBe(7);
          // Learner 5 was not shown kc-2, so kc-1 is the only question every counted attempt shared.
          expect(analysis.quiz).toMatchObject({
            sharedQuestions: 1,
            cronbachAlpha: null,
            alphaOmittedReason: 'only one question was shown in every counted attempt; alpha needs two',
          });
          expect(analysis.items.map((item: { shown: number }) => item.shown)).toEqual([7, 6]);
        }
        // Shown kc-2 as well, learner 5 shares both questions with the others: alpha is defined.
        const [fifth] = await db.query(`SELECT id FROM attempts WHERE user_id = $1`, [people[5].id]);
        await db.query(
          `INSERT INTO attempt_responses (attempt_id, question_version_id, response, auto_score, max_score)
           VALUES ($1, $2, '{"type":"true_false","value":false}', 0, 1)`,
          [fifth.id, kc2],
        );
        for (const method of ['highest', 'latest', 'first', 'average'] as const) {
          const analysis = await analyse(method);
          expect(analysis.quiz).toMatchObject({ sharedQuestions: 2, alphaOmittedReason: null });
          expect(analysis.quiz.cronbachAlpha).not.toBeNull();
        }
        // The stored blank flag and chosen ids follow every write.
        await db.query(`UPDATE attempt_responses SET response = '{"type":"single_choice","choiceId":"c"}'
                         WHERE response IS NULL`);
        await db.query(`UPDATE attempt_responses SET response = '{"type":"multiple_choice","choiceIds":["c","a"]}'
                         WHERE response ->> 'type' = 'multiple_choice'`);
        expect((await analyse('highest')).items[0].blankShare).toBe(0);
        // Each attempt now lacks one of the two questions: none is complete, so no totals, groups or alpha.
        await db.query(
          `DELETE FROM attempt_responses r USING attempts a
            WHERE a.id = r.attempt_id AND a.user_id = ANY($1::uuid[])
              AND r.question_version_id = CASE WHEN a.user_id = $2 THEN $3::uuid ELSE $4::uuid END`,
          [people.map((p) => p.id), people[4].id, kc1, kc2],
        );
        const none = await analyse('latest');
        expect(none.quiz).toMatchObject({ mean: null, standardDeviation: null, cronbachAlpha: null });
        expect(none.items.map((item: { discrimination: number | null }) => item.discrimination)).toEqual([null, null]);
      } finally {
        await db.query('UPDATE quizzes SET settings = $2 WHERE id = $1', [quizId, settings]);
      }
    });
  });
});
