import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../src/audit/audit-event.entity';
import type { QuestionDefinition } from '../src/content/question.types';
import { ModuleProgress } from '../src/progress/entities/module-progress.entity';
import { StepMark } from '../src/progress/entities/step-mark.entity';
import { ProgressService } from '../src/progress/progress.service';
import { SYSTEM_CALLER } from '../src/auth/access.types';
import { createTestApp, type TestApp } from './support/app';
import {
  importModule,
  keyResponse,
  MODULE5_ANSWERS,
  MODULE5_MARKDOWN,
  MODULE5_SLUG,
  questionDefinitions,
} from './support/content';
import { bearer, createClient, createUser, type TestUser } from './support/identity';

interface ModuleDetail {
  id: string;
  activities: { number: number; title: string; steps: { id: string }[] }[];
  checklistItems: { id: string; text: string; activity: { id: string } | null }[];
  knowledgeCheck: { quizId: string };
}

describe('activity checklists and module completion (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let module5: ModuleDetail;
  let definitions: Map<string, QuestionDefinition>;

  const progressOf = (user: { token: string }, who = 'me') =>
    request(t.server).get(`/v1/users/${who}/modules/${MODULE5_SLUG}/progress`).set(bearer(user.token));
  const tickStep = (user: { token: string }, stepId: string, done = true, who = 'me') =>
    request(t.server).put(`/v1/users/${who}/steps/${stepId}`).set(bearer(user.token)).send({ done });
  const tickItem = (user: { token: string }, itemId: string, done = true, who = 'me') =>
    request(t.server).put(`/v1/users/${who}/checklist/${itemId}`).set(bearer(user.token)).send({ done });
  const allSteps = () => module5.activities.flatMap((activity) => activity.steps.map((step) => step.id));
  const unlinkedItems = () => module5.checklistItems.filter((item) => !item.activity);

  /** The stored progress row must always equal a fresh evaluation from the facts. */
  async function expectRowMatchesFacts(user: TestUser) {
    const fresh = (await progressOf(user).expect(200)).body;
    const row = await t.app
      .get(DataSource)
      .getRepository(ModuleProgress)
      .findOneBy({ userId: user.id, moduleId: module5.id });
    expect(row).toMatchObject({
      status: fresh.status,
      percentage: fresh.percentage,
      stepsDone: fresh.activities.reduce((n: number, a: { stepsDone: number }) => n + a.stepsDone, 0),
      itemsDone: fresh.checklist.filter((i: { done: boolean }) => i.done).length,
      attemptsUsed: fresh.knowledgeCheck.attemptsUsed,
      activitiesDone: fresh.activities
        .filter((a: { stepsDone: number; stepsTotal: number }) => a.stepsDone === a.stepsTotal)
        .map((a: { id: string }) => a.id),
      countedScore: fresh.knowledgeCheck.countedScore,
      passed: fresh.knowledgeCheck.passed,
    });
    return fresh;
  }

  async function passKnowledgeCheck(user: TestUser) {
    const attempt = (
      await request(t.server)
        .post(`/v1/quizzes/${module5.knowledgeCheck.quizId}/attempts`)
        .set(bearer(user.token))
        .send({})
        .expect(201)
    ).body;
    const responses = attempt.questions.map((q: { questionVersionId: string }) => ({
      questionVersionId: q.questionVersionId,
      response: keyResponse(definitions.get(q.questionVersionId)!),
    }));
    await request(t.server)
      .put(`/v1/attempts/${attempt.id}/responses`)
      .set(bearer(user.token))
      .send({ responses })
      .expect(200);
    const submitted = (
      await request(t.server).post(`/v1/attempts/${attempt.id}/submit`).set(bearer(user.token)).send({}).expect(200)
    ).body;
    const essays = submitted.questions.filter((q: { question: { type: string } }) => q.question.type === 'essay');
    if (essays.length > 0) {
      await request(t.server)
        .post(`/v1/attempts/${attempt.id}/grades`)
        .set(bearer(admin.token))
        .send({
          grades: essays.map((q: { questionVersionId: string }) => ({
            questionVersionId: q.questionVersionId,
            score: definitions.get(q.questionVersionId)!.points,
            reason: 'Full marks',
          })),
        })
        .expect(200);
    }
  }

  beforeAll(async () => {
    t = await createTestApp();
    const imported = await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
    admin = imported.admin;
    module5 = (await request(t.server).get(`/v1/modules/${MODULE5_SLUG}`).set(bearer(admin.token)).expect(200)).body;
    definitions = await questionDefinitions(t, MODULE5_SLUG, admin.token);
  });
  afterAll(() => t.close());

  it('completes Module 5 from 32 steps, 3 items and a passed knowledge check, naming what is missing until then', async () => {
    const learner = await createUser(t, ['learner']);
    const before = (await progressOf(learner).expect(200)).body;
    // Nothing happened yet, so there is no row to keep up to date.
    expect(await t.app.get(DataSource).getRepository(ModuleProgress).findOneBy({ userId: learner.id })).toBeNull();
    expect(before).toMatchObject({ status: 'not_started', percentage: 0, completedAt: null });
    expect(before.unmet).toHaveLength(8 + 3 + 1);
    expect(before.xapi).toEqual({ completion: false });
    expect(before.lti.activityProgress).toBe('Initialized');

    for (const stepId of allSteps()) await tickStep(learner, stepId).expect(200);
    const stepsDone = await expectRowMatchesFacts(learner);
    expect(stepsDone.status).toBe('in_progress');
    const linked = stepsDone.checklist.filter((item: { activityId: string | null }) => item.activityId);
    expect(linked).toHaveLength(8);
    expect(linked.every((item: { done: boolean; doneAt: string | null }) => item.done && item.doneAt)).toBe(true);
    // Exactly the three unlinked items and the knowledge check are missing, in words.
    expect(stepsDone.unmet).toHaveLength(4);
    for (const item of unlinkedItems()) expect(stepsDone.unmet.join('\n')).toContain(item.text);
    expect(stepsDone.unmet.join('\n')).toMatch(/knowledge check/i);

    for (const item of unlinkedItems()) await tickItem(learner, item.id).expect(200);
    const itemsDone = await expectRowMatchesFacts(learner);
    expect(itemsDone.unmet).toEqual([expect.stringMatching(/knowledge check/i)]);
    expect(itemsDone.completedAt).toBeNull();

    await passKnowledgeCheck(learner);
    const done = await expectRowMatchesFacts(learner);
    expect(done).toMatchObject({ status: 'completed', percentage: 100, unmet: [] });
    expect(done.completedAt).toEqual(expect.any(String));
    expect(done.xapi).toEqual({ completion: true, success: true, score: { scaled: 1 } });
    expect(done.lti).toEqual({ activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    const events = await t.app
      .get(DataSource)
      .getRepository(AuditEvent)
      .find({ where: { action: 'module.completed', targetId: module5.id } });
    expect(events.filter((e) => (e.after as { userId: string }).userId === learner.id)).toHaveLength(1);

    // Un-ticking afterwards moves the status back and says so; the first completion time stays.
    await tickStep(learner, allSteps()[5], false).expect(200);
    const undone = await expectRowMatchesFacts(learner);
    expect(undone).toMatchObject({ status: 'in_progress', completedAt: done.completedAt });
    expect(undone.unmet).toEqual([expect.stringContaining(module5.activities[1].title)]);
    const lost = await t.app
      .get(DataSource)
      .getRepository(AuditEvent)
      .findBy({ action: 'module.completion_lost', targetId: module5.id });
    expect(lost.filter((e) => (e.after as { userId: string }).userId === learner.id)).toHaveLength(1);
    await tickStep(learner, allSteps()[5]).expect(200);
    const again = await expectRowMatchesFacts(learner);
    expect(again).toMatchObject({ status: 'completed', completedAt: done.completedAt });
  });

  it('does not let a learner tick an item that follows an activity', async () => {
    const learner = await createUser(t, ['learner']);
    const linked = module5.checklistItems.find((item) => item.activity)!;
    const res = await tickItem(learner, linked.id).expect(409);
    expect(res.body.type).toBe('/problems/checklist-item-follows-activity');
  });

  it('keeps progress to its learner; clients read with progress:read and tick only with attempts:write', async () => {
    const [a, b] = await Promise.all([createUser(t, ['learner']), createUser(t, ['learner'])]);
    await tickStep(a, allSteps()[0]).expect(200);
    await progressOf(b, a.id).expect(404);
    await tickStep(b, allSteps()[1], true, a.id).expect(404);
    await tickItem(b, unlinkedItems()[0].id, true, a.id).expect(404);
    await request(t.server).get(`/v1/users/${a.id}/progress`).set(bearer(b.token)).expect(404);

    const reader = await createClient(t, ['progress:read']);
    const read = await progressOf(reader, a.id).expect(200);
    expect(read.body.activities[0].stepsDone).toBe(1);
    await tickStep(reader, allSteps()[1], true, a.id).expect(403);
    const writer = await createClient(t, ['attempts:write']);
    await tickStep(writer, allSteps()[1], true, a.id).expect(200);
    const course = await request(t.server).get('/v1/users/me/progress').set(bearer(a.token)).expect(200);
    expect(course.body.modules.map((m: { module: { slug: string } }) => m.module.slug)).toContain(MODULE5_SLUG);
  });

  it('records one fact for 20 parallel ticks of one step, with a correct progress row', async () => {
    const learner = await createUser(t, ['learner']);
    const stepId = allSteps()[3];
    const results = await Promise.all(Array.from({ length: 20 }, () => tickStep(learner, stepId)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const facts = await t.app.get(DataSource).getRepository(StepMark).findBy({ userId: learner.id });
    expect(facts).toHaveLength(1);
    const fresh = await expectRowMatchesFacts(learner);
    expect(fresh.activities[0].stepsDone).toBe(1);
  });

  it('keeps the first who and when on a repeated tick', async () => {
    const learner = await createUser(t, ['learner']);
    const stepId = allSteps()[7];
    await tickStep(learner, stepId).expect(200);
    const first = await t.app.get(DataSource).getRepository(StepMark).findOneByOrFail({ userId: learner.id, stepId });
    await tickStep(learner, stepId).expect(200);
    const second = await t.app.get(DataSource).getRepository(StepMark).findOneByOrFail({ userId: learner.id, stepId });
    expect(second.markedAt).toEqual(first.markedAt);
  });
});

describe('checklist items an instructor must verify (e2e)', () => {
  it('counts a ticked item only once an instructor has verified it', async () => {
    const t = await createTestApp();
    try {
      const markdown = [
        '# Module 3: Verified Work',
        '',
        '## 1. Basics',
        'Text.',
        '',
        '## Hands-On Activities',
        '### Activity 1: Build it',
        '1. Build',
        '',
        '## Knowledge Check',
        '1. What did you build?',
        '',
        '**Module Completion Checklist:**',
        '- [ ] Completed Activity 1: Build it',
        '- [ ] Presented the result to the class',
        '',
      ].join('\n');
      const key = [
        'format: 1',
        'completion:',
        '  checklist: all',
        '  knowledgeCheck: none',
        '  requireVerification: [presented-the-result-to-the-class]',
        'questions: []',
        '',
      ].join('\n');
      const { slug, admin } = await importModule(t, markdown, key);
      const detail = (await request(t.server).get(`/v1/modules/${slug}`).set(bearer(admin.token)).expect(200)).body;
      const step = detail.activities[0].steps[0].id as string;
      const item = detail.checklistItems.find((i: { activity: unknown }) => !i.activity).id as string;
      const learner = await createUser(t, ['learner']);
      const progress = () =>
        request(t.server).get(`/v1/users/me/modules/${slug}/progress`).set(bearer(learner.token)).expect(200);

      await request(t.server)
        .put(`/v1/users/me/steps/${step}`)
        .set(bearer(learner.token))
        .send({ done: true })
        .expect(200);
      await request(t.server)
        .put(`/v1/users/${learner.id}/checklist/${item}/verification`)
        .set(bearer(admin.token))
        .send({ verified: true })
        .expect(409);
      await request(t.server)
        .put(`/v1/users/me/checklist/${item}`)
        .set(bearer(learner.token))
        .send({ done: true, evidence: 'Slides at https://example.com/slides' })
        .expect(200);
      const waiting = (await progress()).body;
      expect(waiting.status).toBe('in_progress');
      expect(waiting.unmet).toEqual([expect.stringMatching(/verify/i)]);
      // A learner cannot verify their own work.
      await request(t.server)
        .put(`/v1/users/me/checklist/${item}/verification`)
        .set(bearer(learner.token))
        .send({ verified: true })
        .expect(403);
      await request(t.server)
        .put(`/v1/users/${learner.id}/checklist/${item}/verification`)
        .set(bearer(admin.token))
        .send({ verified: true })
        .expect(200);
      expect((await progress()).body).toMatchObject({ status: 'completed', unmet: [] });
    } finally {
      await t.close();
    }
  });
});

describe('progress rows when a module is re-imported (e2e)', () => {
  it('recomputes every learner’s row as their own refresh would, and audits lost completions', async () => {
    const t = await createTestApp();
    try {
      const markdown = (extraStep: boolean) =>
        [
          '# Module 4: Two Activities',
          '',
          '## 1. Basics',
          'Text.',
          '',
          '## Hands-On Activities',
          '### Activity 1: Plan it',
          '1. Write the plan',
          '2. Review the plan',
          '',
          '### Activity 2: Do it',
          '1. Do the work',
          ...(extraStep ? ['2. Write down what you learned'] : []),
          '',
          '## Knowledge Check',
          '1. What did you plan?',
          '',
          '**Module Completion Checklist:**',
          '- [ ] Completed Activity 1: Plan it',
          '- [ ] Completed Activity 2: Do it',
          '- [ ] Told a colleague',
          '',
        ].join('\n');
      const key = ['format: 1', 'completion:', '  checklist: all', '  knowledgeCheck: none', 'questions: []', ''].join(
        '\n',
      );
      const { slug, moduleId, admin } = await importModule(t, markdown(false), key);
      const detail = (await request(t.server).get(`/v1/modules/${slug}`).set(bearer(admin.token)).expect(200)).body;
      const steps = (detail as ModuleDetail).activities.flatMap((activity) => activity.steps.map((step) => step.id));
      const told = (detail as ModuleDetail).checklistItems.find((item) => !item.activity)!.id;
      const tick = (learner: TestUser, path: string) =>
        request(t.server).put(`/v1/users/me/${path}`).set(bearer(learner.token)).send({ done: true }).expect(200);

      // Everything done; half the steps; only the unlinked item; nothing at all (no row).
      const [done, half, itemOnly, idle] = await Promise.all([1, 2, 3, 4].map(() => createUser(t, ['learner'])));
      for (const step of steps) await tick(done, `steps/${step}`);
      await tick(done, `checklist/${told}`);
      for (const step of steps.slice(0, 2)) await tick(half, `steps/${step}`);
      await tick(itemOnly, `checklist/${told}`);
      const progress = t.app.get(DataSource).getRepository(ModuleProgress);
      expect((await progress.findOneByOrFail({ userId: done.id, moduleId })).status).toBe('completed');

      // A new step in activity 2: the learner who had everything no longer has.
      await importModule(t, markdown(true), key);
      const rows = async () =>
        (await progress.find({ where: { moduleId }, order: { userId: 'ASC' } })).map(
          ({ updatedAt: _updatedAt, ...row }) => row,
        );
      const afterImport = await rows();
      expect(afterImport.map((row) => row.userId)).toEqual([done.id, half.id, itemOnly.id].sort());
      expect(afterImport.find((row) => row.userId === done.id)).toMatchObject({
        status: 'in_progress',
        stepsDone: 3,
        stepsTotal: 4,
        completedAt: expect.any(Date),
      });
      const lost = await t.app
        .get(DataSource)
        .getRepository(AuditEvent)
        .findBy({ action: 'module.completion_lost', targetId: moduleId });
      expect(lost.map((event) => (event.after as { userId: string }).userId)).toEqual([done.id]);

      // Each learner's own refresh, one at a time, writes the very same rows.
      await t.app.get(DataSource).transaction(async (manager) => {
        for (const learner of [done, half, itemOnly]) {
          await t.app.get(ProgressService).refresh(manager, SYSTEM_CALLER, learner.id, moduleId);
        }
      });
      expect(await rows()).toEqual(afterImport);
      expect(await progress.findOneBy({ userId: idle.id, moduleId })).toBeNull();

      // While the module's rows are recomputed, a learner's own write in it waits, even one without a row yet.
      const runner = t.app.get(DataSource).createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      let answered = false;
      let ticked: Promise<request.Response> | undefined;
      try {
        await t.app.get(ProgressService).refreshLearners(runner.manager, SYSTEM_CALLER, moduleId, [done.id]);
        ticked = tick(idle, `steps/${steps[0]}`).then((response) => {
          answered = true;
          return response;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(answered).toBe(false);
      } finally {
        await runner.commitTransaction();
        await runner.release();
      }
      await ticked;
      expect(await progress.findOneByOrFail({ userId: idle.id, moduleId })).toMatchObject({
        stepsDone: 1,
        stepsTotal: 4,
      });
    } finally {
      await t.close();
    }
  });
});
