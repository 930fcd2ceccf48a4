import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { MODULE5_ANSWERS_ALL_QUESTIONS, MODULE5_MARKDOWN } from '../support/content';
import { bearer, type TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { eventually, launchChromium, openPage, type PageProblems } from './support/browser';
import {
  type AttemptView,
  type Course,
  courseWith,
  createLearner,
  readAttempt,
  withTimeLimit,
} from './support/fixtures';
import {
  answerByKeyboard,
  ESSAY_TEXT,
  type Expected,
  questionBox,
  savedResponses,
  timerSeconds,
  waitForSaved,
} from './support/quiz';
import { signIn, waitForFirstRender } from './support/pages';
import { type BrowserServer, startServer } from './support/server';

const TIME_LIMIT_MINUTES = 30;
// 42 questions by keyboard, each step a test: longer than an API test.
jest.setTimeout(90_000);

/**
 * Issue 16's learner path on Module 5 as the seeds hold it: the modules list,
 * every step ticked on the module page and kept over a reload, the knowledge
 * check (every question, 30-minute limit) answered by keyboard only with a
 * reload in the middle, the submit confirmation, the review, and a second
 * attempt one question per screen. The steps share one page, in order, as a
 * person would go.
 */
describe('a learner takes Module 5 (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let learner: TestUser;
  let course: Course;
  let page: Page;
  let context: BrowserContext;
  let problems: PageProblems;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    learner = await createLearner(server);
    course = await courseWith(
      server,
      MODULE5_MARKDOWN,
      withTimeLimit(MODULE5_ANSWERS_ALL_QUESTIONS, TIME_LIMIT_MINUTES),
      [learner],
    );
    ({ page, context, problems } = await openPage(browser, server.baseUrl));
  });
  afterEach(() => problems.assertNone());
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const moduleProgress = async () =>
    (
      await request(server.server)
        .get(`/v1/users/me/modules/${course.slug}/progress`)
        .set(bearer(learner.token))
        .expect(200)
    ).body as { activities: { steps: { id: string; done: boolean }[] }[] };

  it('lists Module 5 on the learner’s modules page', async () => {
    await signIn(page, learner);
    await waitForFirstRender(page, 'learner-modules');
    expect(new URL(page.url()).pathname).toBe('/learn');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByRole('link', { name: /Module 5/ }).waitFor();
    await checkAccessibility(page, 'learner-modules');
    await screenshot(page, 'learner-modules');
  });

  it('ticks every step of every activity on the module page, and the ticks are kept', async () => {
    await page.getByRole('link', { name: /Module 5/ }).click();
    await page.waitForURL((u) => u.pathname === `/learn/modules/${course.slug}`);
    await waitForFirstRender(page, 'learner-module');
    await page.getByRole('heading', { level: 1, name: /Module 5/ }).waitFor();

    const stepCount = (await moduleProgress()).activities.reduce((n, a) => n + a.steps.length, 0);
    expect(stepCount).toBeGreaterThan(0);
    const steps = page.getByRole('region', { name: 'Activities' }).getByRole('checkbox');
    expect(await steps.count()).toBe(stepCount);
    for (let i = 0; i < stepCount; i++) {
      const saved = page.waitForResponse(
        (r) => r.request().method() === 'PUT' && r.url().includes('/v1/users/me/steps/'),
      );
      await steps.nth(i).check();
      expect((await saved).status()).toBe(200);
    }
    expect((await moduleProgress()).activities.every((a) => a.steps.every((s) => s.done))).toBe(true);

    await page.reload();
    await waitForFirstRender(page, 'learner-module');
    for (let i = 0; i < stepCount; i++) expect(await steps.nth(i).isChecked()).toBe(true);
    await checkAccessibility(page, 'learner-module');
    await screenshot(page, 'learner-module');
  });

  let attempt: AttemptView;
  const expected = new Map<string, Expected>();

  it('starts the knowledge check from the module page and answers half of it by keyboard, saved as it goes', async () => {
    await page.getByRole('link', { name: 'Start or resume the knowledge check' }).click();
    await page.waitForURL((u) => u.pathname === `/learn/modules/${course.slug}/quiz`);
    await waitForFirstRender(page, 'learner-quiz-start');
    await checkAccessibility(page, 'learner-quiz-start');
    await page.getByRole('button', { name: 'Start attempt 1' }).press('Enter');
    await page.waitForURL((u) => u.pathname.startsWith('/learn/attempts/'));
    await waitForFirstRender(page, 'learner-quiz');
    attempt = await readAttempt(server, new URL(page.url()).pathname.split('/').pop()!, learner.token);
    expect(attempt.state).toBe('in_progress');
    expect(await page.locator('fieldset.question').count()).toBe(attempt.questions.length);

    // Every question is a group named by its prompt.
    for (const q of attempt.questions) {
      await page.getByRole('group', { name: q.question.prompt }).first().waitFor();
    }
    const half = Math.ceil(attempt.questions.length / 2);
    for (const q of attempt.questions.slice(0, half))
      expected.set(q.questionVersionId, await answerByKeyboard(page, q));
    await waitForSaved(page);
    const saved = savedResponses(await readAttempt(server, attempt.id, learner.token));
    for (const [id, response] of expected) expect(saved.get(id)).toEqual(response);
    await checkAccessibility(page, 'learner-quiz');
    await screenshot(page, 'learner-quiz');
  });

  it('finds the answers and the time left intact after a reload', async () => {
    const before = await timerSeconds(page);
    await page.reload();
    await waitForFirstRender(page, 'learner-quiz-reloaded');
    const after = await timerSeconds(page);
    // The deadline is the server's: a reload neither restarts nor stops the clock.
    expect(after).toBeLessThanOrEqual(before);
    expect(before - after).toBeLessThan(10);
    const serverLeft = (Date.parse(attempt.deadlineAt!) - Date.now()) / 1000;
    expect(Math.abs(after - serverLeft)).toBeLessThan(5);
    expect(serverLeft).toBeLessThan(TIME_LIMIT_MINUTES * 60);

    for (const q of attempt.questions) {
      const want = expected.get(q.questionVersionId);
      if (!want) continue;
      const box = questionBox(page, q);
      if (want.type === 'short_text' || want.type === 'numeric') {
        expect(await box.getByLabel(/Your answer/).inputValue()).toBe(
          String(want.type === 'numeric' ? want.value : want.text),
        );
      } else if (want.type === 'essay') {
        expect(await box.getByLabel('Your answer').inputValue()).toBe(ESSAY_TEXT);
      } else if (want.type === 'single_choice' || want.type === 'true_false') {
        expect(await box.locator('input:checked').count()).toBe(1);
      } else if (want.type === 'multiple_choice') {
        expect(await box.locator('input:checked').count()).toBe((want.choiceIds as string[]).length);
      } else if (want.type === 'ordering') {
        const texts = await box.locator('ol.ordering .order-text').allTextContents();
        const items = q.question as unknown as { items: { id: string; text: string }[] };
        expect(texts).toEqual((want.order as string[]).map((id) => items.items.find((i) => i.id === id)!.text));
      } else if (want.type === 'matching') {
        const values = await box
          .locator('select')
          .evaluateAll((els) => els.map((el) => (el as unknown as { value: string }).value));
        expect(values).toEqual(Object.values(want.pairs as Record<string, string>));
      }
    }
  });

  it('lists the unanswered questions before submitting, then shows the review with the attempts left', async () => {
    const rest = attempt.questions.slice(expected.size);
    const skipped = rest.at(-1)!;
    for (const q of rest.slice(0, -1)) expected.set(q.questionVersionId, await answerByKeyboard(page, q));
    await waitForSaved(page);

    await page.getByRole('button', { name: 'Submit answers…' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Submit your answers?' });
    await dialog.waitFor();
    expect(await dialog.getByRole('listitem').allTextContents()).toEqual([
      `Question ${skipped.position}: ${skipped.question.prompt}`,
    ]);
    await checkAccessibility(page, 'learner-quiz-submit-dialog');
    await screenshot(page, 'learner-quiz-submit-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    expected.set(skipped.questionVersionId, await answerByKeyboard(page, skipped));
    await waitForSaved(page);
    await page.getByRole('button', { name: 'Submit answers…' }).press('Enter');
    await dialog
      .getByText(`You answered ${attempt.questions.length} of ${attempt.questions.length} questions`)
      .waitFor();
    expect(await dialog.getByRole('listitem').count()).toBe(0);
    // Focus starts on Submit: Enter submits.
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { level: 1, name: 'Attempt 1: results' }).waitFor();
    const finished = await readAttempt(server, attempt.id, learner.token);
    expect(finished.state).not.toBe('in_progress');
    expect(savedResponses(finished)).toEqual(new Map([...expected].map(([id, r]) => [id, r])));
    await page.getByText('Attempts used: 1; left: 2').waitFor();
    // The essay is shown as the learner wrote it: its markup as text, never run.
    await page.locator('.answer-text', { hasText: ESSAY_TEXT }).first().waitFor();
    expect(await page.evaluate(() => (globalThis as { __essayRan?: boolean }).__essayRan)).toBeUndefined();
    // Review policy "answers, immediately": every question says whether it was right.
    expect(await page.locator('.review-question').count()).toBe(attempt.questions.length);
    expect(await page.locator('.review-question .verdict').count()).toBe(attempt.questions.length);

    await page.reload();
    await waitForFirstRender(page, 'learner-review');
    await page.getByRole('heading', { level: 1, name: 'Attempt 1: results' }).waitFor();
    await checkAccessibility(page, 'learner-review');
    await screenshot(page, 'learner-review');
  });

  it('takes a second attempt one question per screen, and a reload keeps the question shown', async () => {
    await page.getByRole('link', { name: 'Back to the knowledge check' }).click();
    await waitForFirstRender(page, 'learner-quiz-start');
    await page.getByRole('button', { name: 'Start attempt 2' }).press('Enter');
    await page.waitForURL((u) => u.pathname.startsWith('/learn/attempts/') && !u.pathname.endsWith(attempt.id));
    await waitForFirstRender(page, 'learner-quiz');
    await page.getByLabel('One question per screen').check();
    const visible = page.locator('fieldset.question:visible');
    expect(await visible.count()).toBe(1);
    await page.getByRole('button', { name: 'Next question' }).press('Enter');
    await page.getByText(/^Question 2 of \d+$/).waitFor();
    const second = await visible.getAttribute('data-question');
    await page.reload();
    await waitForFirstRender(page, 'learner-quiz-one-per-screen');
    expect(await page.locator('fieldset.question:visible').getAttribute('data-question')).toBe(second);
    await checkAccessibility(page, 'learner-quiz-one-per-screen');
    await screenshot(page, 'learner-quiz-one-per-screen');
  });

  it('orders by dragging too: an item dropped on another takes its place, and the order is saved', async () => {
    await page.getByLabel('All questions on one page').check();
    const second = await readAttempt(server, new URL(page.url()).pathname.split('/').pop()!, learner.token);
    const q = second.questions.find((x) => x.question.type === 'ordering')!;
    const items = (q.question as unknown as { items: { id: string; text: string }[] }).items;
    const box = questionBox(page, q);
    const rows = box.locator('ol.ordering li');
    await rows.nth(2).dragTo(rows.nth(0));
    const order = [items[2], items[0], items[1], ...items.slice(3)];
    await eventually(
      async () =>
        JSON.stringify(await box.locator('ol.ordering .order-text').allTextContents()) ===
        JSON.stringify(order.map((i) => i.text)),
      'the dragged item at the top',
    );
    await waitForSaved(page);
    const saved = savedResponses(await readAttempt(server, second.id, learner.token));
    expect(saved.get(q.questionVersionId)).toEqual({ type: 'ordering', order: order.map((i) => i.id) });
  });
});
