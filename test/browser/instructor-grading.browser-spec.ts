import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import {
  importModule,
  MODULE5_ANSWERS_ALL_QUESTIONS,
  MODULE5_MARKDOWN,
  smallAnswerKey,
  smallModule,
} from '../support/content';
import { bearer, createUser, type TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { eventually, launchChromium, openPage, type PageProblems } from './support/browser';
import { type Course, courseWith, createLearner } from './support/fixtures';
import { binOf, cohortHistogram, gradingQueue, staffAttempt, submitAttempt, teachCohort } from './support/grading';
import type { PageGlobals } from './support/in-page';
import { signIn, visit } from './support/pages';
import { type BrowserServer, startServer } from './support/server';

jest.setTimeout(60_000);

/** The learner's essay: markup and a script that must reach the grader as text, never run. */
const ESSAY =
  'Contain first: revoke the keys.\n<script>window.__essayScriptRan = true</script>' +
  '<img src="/nowhere.png" onerror="window.__essayScriptRan = true">';
const COMMENT = 'Contains and revokes, but no forensics or review';

/**
 * Issue 16's instructor path on Module 5 (all 42 questions: 53 points, essays of 4 and 3): a learner
 * submits with everything right but the essays (the 4-point one written, the 3-point one blank); the
 * instructor grades the essay on the grading page with a comment (2 of 4: 48/53, bin 9), then on the
 * attempt page overrides a 2-point ordering question to 0 with a reason (46/53, bin 8), and the
 * cohort's histogram follows each step.
 */
describe('an instructor grades and overrides (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let learner: TestUser;
  let instructor: TestUser;
  let course: Course;
  let attemptId: string;
  let page: Page;
  let context: BrowserContext;
  let problems: PageProblems;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    learner = await createLearner(server);
    instructor = await createUser(server, ['instructor']);
    course = await courseWith(server, MODULE5_MARKDOWN, MODULE5_ANSWERS_ALL_QUESTIONS, [learner]);
    await teachCohort(server, course, instructor);
    const submitted = await submitAttempt(server, course, learner, (essay) => (essay.points === 4 ? ESSAY : null));
    expect(submitted.state).toBe('pending_grading');
    attemptId = submitted.attemptId;
    ({ page, context, problems } = await openPage(browser, server.baseUrl));
  });
  afterEach(() => problems.assertNone());
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const gradingPath = () => `/teach/cohorts/${course.cohortId}/grading`;

  /** The histogram's bars as the cohort's dashboard draws them (the counts of its 10 bins). */
  const dashboardHistogram = async () => {
    await visit(page, `/teach/cohorts/${course.cohortId}`, 'instructor-dashboard');
    const bars = page.locator('svg.teach-histogram rect.bar');
    await bars.nth(9).waitFor({ state: 'attached' });
    return (await bars.evaluateAll((all) => all.map((b) => b.getAttribute('data-count')))).map(Number);
  };

  it('shows the waiting essay with its prompt, the answer as text and the rubric', async () => {
    expect(await cohortHistogram(server, course)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    await signIn(page, instructor);
    await visit(page, gradingPath(), 'instructor-grading');
    await page.getByRole('heading', { level: 1, name: /Grading/ }).waitFor();
    const items = page.getByRole('list', { name: 'Answers waiting' }).getByRole('listitem');
    expect(await items.count()).toBe(1);
    const item = items.first();
    await item.getByText(/UnauthorizedAPICall/).waitFor();
    await item.getByText(/One point each, up to four/).waitFor();
    // The script and the markup are text on the page: no element made of them, nothing run.
    const answer = item.locator('.grading-answer');
    expect(await answer.textContent()).toBe(ESSAY);
    expect(await answer.locator('script, img').count()).toBe(0);
    expect(
      await page.evaluate(
        () => (globalThis as unknown as PageGlobals & { __essayScriptRan?: boolean }).__essayScriptRan,
      ),
    ).toBeUndefined();
    await checkAccessibility(page, 'instructor-grading');
    await screenshot(page, 'instructor-grading');
  });

  it('refuses a score above the maximum without calling the API', async () => {
    const item = page.getByRole('list', { name: 'Answers waiting' }).getByRole('listitem').first();
    await item.getByLabel('Score (0 to 4)').fill('5');
    await item.getByLabel(/Comment/).fill(COMMENT);
    let posted = false;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/grades')) posted = true;
    });
    await item.getByRole('button', { name: 'Grade' }).click();
    await item
      .getByRole('status')
      .getByText(/must be a number from 0 to 4/)
      .waitFor();
    expect(posted).toBe(false);
    expect((await staffAttempt(server, attemptId, course.admin.token)).state).toBe('pending_grading');
  });

  it('grades the essay with a comment: the queue empties, the attempt’s score and the histogram change', async () => {
    const item = page.getByRole('list', { name: 'Answers waiting' }).getByRole('listitem').first();
    await item.getByLabel('Score (0 to 4)').fill('2');
    await item.getByLabel(/Comment/).fill(COMMENT);
    const graded = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/grades'));
    await item.getByRole('button', { name: 'Grade' }).click();
    const response = await graded;
    expect(response.status()).toBe(200);
    expect(response.request().postDataJSON()).toMatchObject({ grades: [{ score: 2, reason: COMMENT }] });
    await page.getByText('Nothing is waiting to be graded.').waitFor();
    await page
      .getByRole('status')
      .getByText(/Graded .* 2 of 4\. Attempt 1 now: 48 of 53 points/)
      .waitFor();
    expect(await page.getByRole('list', { name: 'Answers waiting' }).getByRole('listitem').count()).toBe(0);

    const attempt = await staffAttempt(server, attemptId, course.admin.token);
    expect(attempt.state).toBe('graded');
    expect(attempt.score).toMatchObject({ raw: 48, max: 53, pending: 0 });
    expect(await gradingQueue(server, course, instructor.token)).toEqual([]);
    const histogram = await cohortHistogram(server, course);
    expect(binOf(48 / 53)).toBe(9);
    expect(histogram).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // The instructor sees it on the cohort's dashboard too.
    expect(await dashboardHistogram()).toEqual(histogram);

    // Kept over a reload: the queue stays empty.
    await visit(page, gradingPath(), 'instructor-grading');
    await page.getByText('Nothing is waiting to be graded.').waitFor();
    await checkAccessibility(page, 'instructor-grading-empty');
  });

  it('overrides a question’s score with a reason on the attempt page; the total and the histogram change', async () => {
    const before = await staffAttempt(server, attemptId, course.admin.token);
    const ordering = before.questions.find((q) => q.question.type === 'ordering')!;
    await visit(page, `/teach/attempts/${attemptId}?cohort=${course.cohortId}`, 'instructor-attempt');
    await page.getByRole('heading', { level: 1, name: /Attempt 1 by/ }).waitFor();
    expect(await page.getByRole('link', { name: /Back to/ }).getAttribute('href')).toBe(
      `/teach/cohorts/${course.cohortId}/learners/${learner.id}`,
    );
    const total = page.locator('#attempt-total');
    expect(await total.textContent()).toBe('Total: 48 of 53 points (91%), passed.');
    // The essay shows as graded, its answer as text.
    const essayQuestion = before.questions.find((q) => q.question.type === 'essay' && q.question.points === 4)!;
    const essaySection = page.getByRole('region', { name: `Question ${essayQuestion.position} (essay)` });
    expect(await essaySection.locator('.grading-answer').textContent()).toBe(ESSAY);
    await essaySection.getByText('Score: 2 of 4, partly correct.').waitFor();

    const section = page.getByRole('region', { name: `Question ${ordering.position} (ordering)` });
    await section.getByText('Score: 2 of 2, correct.').waitFor();
    // The form is folded away until asked for, so that 42 questions stay readable.
    expect(await section.getByLabel('New score (0 to 2)').isVisible()).toBe(false);
    await section.getByText('Change this score').click();
    await section.getByLabel('New score (0 to 2)').fill('0');
    // A reason is required: without one nothing is sent.
    await section.getByRole('button', { name: 'Override score' }).click();
    await section
      .getByRole('status')
      .getByText(/give a reason/)
      .waitFor();
    expect((await staffAttempt(server, attemptId, course.admin.token)).score?.raw).toBe(48);

    await section.getByLabel('Reason for the change').fill('The last two steps are in the wrong order');
    const saved = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/grades'));
    await section.getByRole('button', { name: 'Override score' }).click();
    expect((await saved).status()).toBe(200);
    await eventually(
      async () => (await total.textContent()) === 'Total: 46 of 53 points (87%), passed.',
      'the new total on the page',
    );
    await section.getByText('Score: 0 of 2, incorrect.').waitFor();
    await section
      .getByRole('status')
      .getByText(/Saved: question \d+ now 0\./)
      .waitFor();

    const after = await staffAttempt(server, attemptId, course.admin.token);
    expect(after.score).toMatchObject({ raw: 46, max: 53 });
    expect(binOf(46 / 53)).toBe(8);
    expect(await cohortHistogram(server, course)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    await checkAccessibility(page, 'instructor-attempt');
    await screenshot(page, 'instructor-attempt');
    expect(await dashboardHistogram()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('links back to the learner only when the cohort is known', async () => {
    await visit(page, `/teach/attempts/${attemptId}`, 'instructor-attempt');
    await page.getByRole('heading', { level: 1, name: /Attempt 1 by/ }).waitFor();
    expect(await page.getByRole('link', { name: /Back to/ }).count()).toBe(0);
    await checkAccessibility(page, 'instructor-attempt-no-cohort');
  });

  it('filters the queue by quiz when the cohort covers several modules', async () => {
    // A second module whose essay (kc-3) the key leaves ungraded: no rubric.
    const small = await importModule(server, smallModule(9), smallAnswerKey());
    await request(server.server)
      .patch(`/v1/cohorts/${course.cohortId}`)
      .set(bearer(course.admin.token))
      .send({ moduleIds: [course.moduleId, small.moduleId] })
      .expect(200);
    const submitted = await submitAttempt(
      server,
      { ...course, ...small, cohortId: course.cohortId },
      learner,
      () => 'On the small module',
    );
    expect(submitted.state).toBe('pending_grading');

    await visit(page, gradingPath(), 'instructor-grading');
    const items = page.getByRole('list', { name: 'Answers waiting' }).getByRole('listitem');
    expect(await items.count()).toBe(1);
    await items.first().getByText('On the small module').waitFor();
    await items.first().getByText('The answer key gives none.').waitFor();
    await items
      .first()
      .getByText(/Module 9\./)
      .waitFor();

    const options = await page.getByLabel('Quiz').locator('option').allTextContents();
    expect(options).toEqual(['All quizzes', expect.stringMatching(/^Module 5: /), 'Module 9: Test Module']);
    await page.getByLabel('Quiz').selectOption({ value: course.quizId });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL((u) => u.searchParams.get('quiz') === course.quizId);
    await page.getByText('Nothing is waiting to be graded.').waitFor();
    await page.getByLabel('Quiz').selectOption({ value: small.quizId });
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL((u) => u.searchParams.get('quiz') === small.quizId);
    await page.getByText('On the small module').waitFor();
    await checkAccessibility(page, 'instructor-grading-filtered');
  });

  it('answers 404 to a learner on the grading and attempt pages', async () => {
    const asLearner = await openPage(browser, server.baseUrl);
    try {
      // Chromium logs the page's 404 as a console error.
      asLearner.problems.allow(/status of 404/);
      await signIn(asLearner.page, learner);
      for (const [path, name] of [
        [gradingPath(), 'learner-on-grading'],
        [`/teach/attempts/${attemptId}?cohort=${course.cohortId}`, 'learner-on-attempt'],
      ] as const) {
        const response = await visit(asLearner.page, path, name);
        expect(response?.status()).toBe(404);
        await asLearner.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
        expect(await asLearner.page.getByRole('textbox').count()).toBe(0);
        expect(await asLearner.page.getByText(/UnauthorizedAPICall|One point each/).count()).toBe(0);
        await checkAccessibility(asLearner.page, name);
      }
      asLearner.problems.assertNone();
    } finally {
      await asLearner.context.close();
    }
  });
});
