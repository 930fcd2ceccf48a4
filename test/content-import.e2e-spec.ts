import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/app';
import { allPages, bearer, createClient, createUser, type TestClient, type TestUser } from './support/identity';

const SEEDS = join(__dirname, '../seeds/modules');
const MODULE_5 = readFileSync(join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.md'), 'utf8');
const KEY_5 = readFileSync(join(SEEDS, '05_Monitoring_Logging_and_Incident_Response.answers.yaml'), 'utf8');
const SLUG_5 = '05-monitoring-logging-and-incident-response';
const CONTENT_TABLES = [
  'modules',
  'activities',
  'activity_steps',
  'checklist_items',
  'quizzes',
  'questions',
  'question_versions',
  'audit_events',
];
const SECRET_FIELDS = [
  'correct',
  'accepted',
  'explanation',
  'feedback',
  'pairs',
  'correctOrder',
  'answer',
  'tolerance',
  'rubric',
  'keywordGroups',
  'definition',
  'section',
  'subsection',
];

/** Module 5's file under another number, so each test has a module of its own. */
const moduleNumbered = (n: number) => MODULE_5.replace('# Module 5: Monitoring', `# Module ${n}: Monitoring`);
const slugOf = (n: number) => `${String(n).padStart(2, '0')}-monitoring-logging-and-incident-response`;
/** Module 5 without Activity 8 and the checklist item that names it. */
const withoutActivity8 = (markdown: string) =>
  markdown.replace(/### Activity 8:[\s\S]*?(?=\n---)/, '').replace(/- \[ \] Completed Activity 8:.*\n/, '');

function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, member]) => [key, ...keysDeep(member)]);
}

describe('module import and reading (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let instructor: TestUser;
  let learner: TestUser;
  let author: TestClient;
  let lms: TestClient;

  const db = () => t.app.get(DataSource);
  const importAs = (token: string, body: Record<string, unknown>) =>
    request(t.server).post('/v1/modules/import').set(bearer(token)).send(body);
  const importModule5 = (body: Record<string, unknown> = {}) =>
    importAs(admin.token, { markdown: MODULE_5, answerKey: KEY_5, ...body });

  /** Every row of every content table, by count and digest: equal snapshots mean nothing was written. */
  async function snapshot(): Promise<Record<string, { count: number; digest: string }>> {
    const result: Record<string, { count: number; digest: string }> = {};
    for (const table of CONTENT_TABLES) {
      const [row] = await db().query<{ count: number; digest: string }[]>(
        `SELECT count(*)::int AS count, md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS digest FROM ${table} t`,
      );
      result[table] = row;
    }
    return result;
  }

  beforeAll(async () => {
    t = await createTestApp();
    [admin, instructor, learner, author, lms] = await Promise.all([
      createUser(t, ['admin']),
      createUser(t, ['instructor']),
      createUser(t, ['learner']),
      createClient(t, ['content:write']),
      createClient(t, ['progress:read']),
    ]);
  });
  afterAll(() => t.close());

  describe('Module 5', () => {
    it('imports through the API as an admin, and reads back as the must-show says', async () => {
      const res = await importModule5().expect(200);
      expect(res.body).toMatchObject({
        module: { slug: SLUG_5, number: 5, title: 'Monitoring, Logging, and Incident Response' },
        status: 'created',
        dryRun: false,
        ungradedKnowledgeCheck: [],
      });
      expect(res.body.module.id).toMatch(/^[0-9a-f-]{36}$/);

      const module = await request(t.server).get(`/v1/modules/${SLUG_5}`).set(bearer(learner.token)).expect(200);
      expect(module.body.objectives).toHaveLength(4);
      expect(module.body.sections).toHaveLength(9);
      expect(module.body.activities).toHaveLength(8);
      for (const activity of module.body.activities) expect(activity.steps).toHaveLength(4);
      expect(module.body.checklistItems).toHaveLength(11);
      const linked = module.body.checklistItems.filter((item: { activity: unknown }) => item.activity !== null);
      expect(linked).toHaveLength(8);
      expect(linked[2]).toMatchObject({
        key: 'completed-activity-3-set-up-aws-config',
        activity: { id: module.body.activities[2].id, number: 3, title: 'Set Up AWS Config' },
        requiresVerification: false,
      });
      expect(module.body.knowledgeCheck).toMatchObject({
        knowledgeCheckQuestions: 6,
        bankQuestions: 36,
        questionCount: 42,
        settings: { attemptsAllowed: 3, passMark: 0.7, gradingMethod: 'highest' },
      });
      expect(module.body.knowledgeCheck.bankQuestions).toBeGreaterThanOrEqual(24);

      const byId = await request(t.server)
        .get(`/v1/modules/${res.body.module.id}`)
        .set(bearer(learner.token))
        .expect(200);
      expect(byId.body.slug).toBe(SLUG_5);
    });

    it('records the import in the audit trail, in the same transaction', async () => {
      const [event] = await db().query<{ actor_type: string; actor_id: string; after: Record<string, unknown> }[]>(
        `SELECT actor_type, actor_id, after FROM audit_events WHERE action = 'module.imported' AND target_type = 'module' AND after->>'slug' = $1`,
        [SLUG_5],
      );
      expect(event).toMatchObject({ actor_type: 'user', actor_id: admin.id });
      expect(event.after).toMatchObject({ status: 'created', added: 2 + 8 + 32 + 11 + 42, retired: 0 });
    });

    it('re-imports an unchanged file (as a client with content:write) without writing anything', async () => {
      const before = await snapshot();
      const res = await importAs(author.token, { markdown: MODULE_5, answerKey: KEY_5 }).expect(200);
      expect(res.body.status).toBe('unchanged');
      expect(res.body.changes).toEqual({ added: [], changed: [], retired: [], unchanged: 1 + 1 + 8 + 32 + 11 + 42 });
      expect(await snapshot()).toEqual(before);
    });

    it('makes exactly one new version when one question’s key changes; the old version stays', async () => {
      const changedKey = KEY_5.replace(/(- id: kc-1\b[\s\S]*?\n {4}correct: )a/, '$1b');
      const before = await snapshot();
      const res = await importModule5({ answerKey: changedKey }).expect(200);
      expect(res.body.status).toBe('updated');
      expect(res.body.changes.changed).toEqual([{ kind: 'question', key: 'kc-1', fields: ['definition'] }]);
      expect(res.body.changes.added).toEqual([]);
      expect(res.body.changes.retired).toEqual([]);

      const after = await snapshot();
      expect(after.question_versions.count).toBe(before.question_versions.count + 1);
      for (const table of ['activities', 'activity_steps', 'checklist_items', 'questions', 'quizzes']) {
        expect([table, after[table].count]).toEqual([table, before[table].count]);
      }
      const versions = await db().query<unknown[]>(
        `SELECT v.version, v.definition->>'correct' AS correct, v.id = q.current_version_id AS current
           FROM question_versions v JOIN questions q ON q.id = v.question_id
          WHERE q.key = 'kc-1' AND q.quiz_id = (SELECT id FROM quizzes WHERE module_id = $1) ORDER BY v.version`,
        [res.body.module.id],
      );
      expect(versions).toEqual([
        { version: 1, correct: 'a', current: false },
        { version: 2, correct: 'b', current: true },
      ]);

      const quiz = await request(t.server)
        .get(`/v1/modules/${SLUG_5}/quiz?include=answers`)
        .set(bearer(instructor.token))
        .expect(200);
      expect(quiz.body.questions[0]).toMatchObject({ key: 'kc-1', version: 2, definition: { correct: 'b' } });
      // Back to the original key: a third version, not a return to the first.
      const back = await importModule5().expect(200);
      expect(back.body.changes.changed).toEqual([{ kind: 'question', key: 'kc-1', fields: ['definition'] }]);
    });
  });

  it('retires an activity removed from the file, hides it, keeps the row, and reinstates it', async () => {
    const markdown = moduleNumbered(15);
    await importAs(admin.token, { markdown, answerKey: KEY_5 }).expect(200);
    const res = await importAs(admin.token, { markdown: withoutActivity8(markdown), answerKey: KEY_5 }).expect(200);
    expect(res.body.status).toBe('updated');
    expect(res.body.changes.retired.map((item: { kind: string; key: string }) => `${item.kind}:${item.key}`)).toEqual([
      'activity:activity-8',
      'step:activity-8-step-1',
      'step:activity-8-step-2',
      'step:activity-8-step-3',
      'step:activity-8-step-4',
      'checklist_item:completed-activity-8-create-automated-security-responses',
    ]);
    const [row] = await db().query<{ retired_at: Date | null }[]>(
      `SELECT retired_at FROM activities WHERE module_id = $1 AND key = 'activity-8'`,
      [res.body.module.id],
    );
    expect(row.retired_at).toBeInstanceOf(Date);

    const module = await request(t.server)
      .get(`/v1/modules/${slugOf(15)}`)
      .set(bearer(learner.token))
      .expect(200);
    expect(module.body.activities.map((a: { number: number }) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(module.body.checklistItems).toHaveLength(10);

    const back = await importAs(admin.token, { markdown, answerKey: KEY_5 }).expect(200);
    expect(back.body.changes.added).toEqual([]);
    expect(back.body.changes.changed).toContainEqual({ kind: 'activity', key: 'activity-8', fields: ['reinstated'] });
    const [{ count }] = await db().query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM activities WHERE module_id = $1`,
      [res.body.module.id],
    );
    expect(count).toBe(8);
  });

  it('answers 422 listing the problems of a bad file with their lines, writing nothing', async () => {
    const bad = MODULE_5.replace('# Module 5: Monitoring, Logging, and Incident Response', 'Monitoring notes').replace(
      '### Activity 2: Create CloudWatch Alarms',
      '### Activity 1: Create CloudWatch Alarms',
    );
    const before = await snapshot();
    const res = await importAs(admin.token, { markdown: bad, answerKey: KEY_5 }).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: '/problems/module-import-rejected', status: 422 });
    const line = MODULE_5.split('\n').findIndex((text) => text.startsWith('### Activity 2:')) + 1;
    expect(res.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'module', severity: 'error', code: 'missing-title', line: 1 }),
        expect.objectContaining({ source: 'module', severity: 'error', code: 'duplicate-activity-number', line }),
      ]),
    );

    const badKey = KEY_5.replace(/(- id: kc-2\b[\s\S]*?\n {4}correct: )a/, '$1z');
    const keyRes = await importAs(admin.token, { markdown: MODULE_5, answerKey: badKey }).expect(422);
    const keyLine = badKey.split('\n').findIndex((text) => text === '    correct: z') + 1;
    expect(keyRes.body.problems).toContainEqual(
      expect.objectContaining({
        source: 'answer-key',
        code: 'unknown-reference',
        path: 'questions[1].correct',
        line: keyLine,
      }),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers 422, not 500, for module and activity numbers no integer column holds', async () => {
    const before = await snapshot();
    const huge = MODULE_5.replace('# Module 5:', '# Module 2147483648:').replace(
      '### Activity 2: Create CloudWatch Alarms',
      '### Activity 99999999999: Create CloudWatch Alarms',
    );
    const res = await importAs(admin.token, { markdown: huge }).expect(422);
    expect(res.body.problems.filter((p: { code: string }) => p.code === 'number-too-large')).toHaveLength(2);
    expect(await snapshot()).toEqual(before);
  });

  it('imports a module without an answer key, its knowledge check as essays, and says so', async () => {
    const res = await importAs(admin.token, { markdown: moduleNumbered(25) }).expect(200);
    expect(res.body.ungradedKnowledgeCheck).toEqual([1, 2, 3, 4, 5, 6]);
    expect(res.body.warnings).toContainEqual(expect.objectContaining({ code: 'no-answer-key', severity: 'warning' }));
    const quiz = await request(t.server)
      .get(`/v1/modules/${slugOf(25)}/quiz?include=answers`)
      .set(bearer(admin.token))
      .expect(200);
    expect(quiz.body.questions.map((q: { type: string }) => q.type)).toEqual(Array(6).fill('essay'));
    expect(quiz.body.questions[0]).toMatchObject({ prompt: 'What is CloudTrail used for?', points: 1, section: null });
    const module = await request(t.server)
      .get(`/v1/modules/${slugOf(25)}`)
      .set(bearer(learner.token))
      .expect(200);
    expect(module.body.knowledgeCheck).toMatchObject({ knowledgeCheckQuestions: 6, bankQuestions: 0 });
  });

  it('writes nothing in a dry run, new module or changed one', async () => {
    const before = await snapshot();
    const fresh = await importAs(admin.token, { markdown: moduleNumbered(35), answerKey: KEY_5, dryRun: true });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ status: 'created', dryRun: true, module: { id: null, slug: slugOf(35) } });
    const changed = await importModule5({ markdown: withoutActivity8(MODULE_5), dryRun: true }).expect(200);
    expect(changed.body).toMatchObject({ status: 'updated', dryRun: true });
    expect(changed.body.changes.retired).toHaveLength(6);
    expect(await snapshot()).toEqual(before);
    await request(t.server)
      .get(`/v1/modules/${slugOf(35)}`)
      .set(bearer(admin.token))
      .expect(404);
  });

  describe('who sees what', () => {
    it('refuses the import to learners, instructors and clients without content:write', async () => {
      for (const token of [learner.token, instructor.token, lms.token]) {
        const res = await importAs(token, { markdown: MODULE_5 }).expect(403);
        expect(res.body.type).toBe('/problems/forbidden');
      }
      await request(t.server).post('/v1/modules/import').send({ markdown: MODULE_5 }).expect(401);
    });

    it('lets learners and reading clients read modules and quizzes, without a single secret', async () => {
      for (const token of [learner.token, lms.token]) {
        await request(t.server).get('/v1/modules').set(bearer(token)).expect(200);
        await request(t.server).get(`/v1/modules/${SLUG_5}`).set(bearer(token)).expect(200);
        const quiz = await request(t.server).get(`/v1/modules/${SLUG_5}/quiz`).set(bearer(token)).expect(200);
        expect(quiz.body.questions).toHaveLength(42);
        expect(keysDeep(quiz.body).filter((key) => SECRET_FIELDS.includes(key))).toEqual([]);
        const types = new Set(quiz.body.questions.map((q: { type: string }) => q.type));
        expect([...types].sort()).toEqual([
          'essay',
          'matching',
          'multiple_choice',
          'numeric',
          'ordering',
          'short_text',
          'single_choice',
          'true_false',
        ]);
        const kc1 = quiz.body.questions[0];
        expect(kc1).toMatchObject({ key: 'kc-1', origin: 'knowledge_check', knowledgeCheckNumber: 1 });
        expect(kc1.choices.map((c: { id: string }) => c.id)).toEqual(['a', 'b', 'c', 'd']);
      }
    });

    it('answers 403 to a learner or reading client asking for the answers', async () => {
      for (const token of [learner.token, lms.token]) {
        const res = await request(t.server)
          .get(`/v1/modules/${SLUG_5}/quiz?include=answers`)
          .set(bearer(token))
          .expect(403);
        expect(res.body.type).toBe('/problems/forbidden');
      }
      await request(t.server).get(`/v1/modules/${SLUG_5}/quiz?include=everything`).set(bearer(admin.token)).expect(400);
    });

    it('gives instructors, admins and authoring clients the full definitions', async () => {
      for (const token of [instructor.token, admin.token, author.token]) {
        const quiz = await request(t.server)
          .get(`/v1/modules/${SLUG_5}/quiz?include=answers`)
          .set(bearer(token))
          .expect(200);
        const question = quiz.body.questions.find((q: { key: string }) => q.key === 'cloudtrail-log-format');
        expect(question).toMatchObject({ section: 1, definition: { type: 'short_text', accepted: expect.any(Array) } });
        expect(quiz.body.questions[0].definition.explanation).toMatch(/CloudTrail/);
      }
    });

    it('answers 404 for a module that does not exist, by slug or id', async () => {
      await request(t.server).get('/v1/modules/99-nothing').set(bearer(learner.token)).expect(404);
      await request(t.server)
        .get('/v1/modules/00000000-0000-4000-8000-000000000000/quiz')
        .set(bearer(learner.token))
        .expect(404);
    });
  });

  it('pages through modules by number with an opaque cursor', async () => {
    const seen = (await allPages<{ number: number }>(t, '/v1/modules', learner.token, 1)).map((m) => m.number);
    expect(seen).toEqual([5, 15, 25]);
    await request(t.server).get('/v1/modules?cursor=garbage').set(bearer(learner.token)).expect(400);
  });

  it('refuses a Markdown file over 512 KiB with 400, naming the field', async () => {
    const huge = `${MODULE_5}\n${'x'.repeat(520 * 1024)}\n`;
    const res = await importAs(admin.token, { markdown: huge }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'markdown', messages: [expect.stringMatching(/512 KiB/)] }]);
  });

  it('makes one module and one version per question from parallel imports of one file', async () => {
    const markdown = moduleNumbered(45);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => importAs(admin.token, { markdown, answerKey: KEY_5 })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(results.map((r) => r.body.status).sort()).toEqual([
      'created',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);

    const changedKey = KEY_5.replace(/(- id: kc-4\b[\s\S]*?\n {4}correct: )a/, '$1b');
    const again = await Promise.all(
      Array.from({ length: 5 }, () => importAs(admin.token, { markdown, answerKey: changedKey })),
    );
    expect(again.map((r) => r.body.status).sort()).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'updated',
    ]);

    const [{ modules }] = await db().query<{ modules: number }[]>(
      `SELECT count(*)::int AS modules FROM modules WHERE slug = $1`,
      [slugOf(45)],
    );
    expect(modules).toBe(1);
    const versions = await db().query<{ versions: number; distinct_versions: number }[]>(
      `SELECT count(*)::int AS versions, count(DISTINCT (v.question_id, v.version))::int AS distinct_versions
         FROM question_versions v JOIN questions q ON q.id = v.question_id JOIN quizzes z ON z.id = q.quiz_id
         JOIN modules m ON m.id = z.module_id WHERE m.slug = $1`,
      [slugOf(45)],
    );
    expect(versions).toEqual([{ versions: 43, distinct_versions: 43 }]);
  });
});
