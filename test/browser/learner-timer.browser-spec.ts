import type { Browser, BrowserContext, Page } from 'playwright-core';
import { smallAnswerKey, smallModule } from '../support/content';
import type { TestUser } from '../support/identity';
import { launchChromium, openPage, type PageProblems } from './support/browser';
import { type Course, courseWith, createLearner, readAttempt } from './support/fixtures';
import { signIn } from './support/pages';
import { timerSeconds } from './support/quiz';
import { type BrowserServer, startServer } from './support/server';

const LIMIT_MINUTES = 10;

/**
 * The countdown's end: a warning at five minutes and at one, then the page
 * submits what was answered by itself. The page's clock is moved forward
 * (playwright's clock); the server's stays real, so the submit arrives
 * before its deadline as a learner's does when the clocks agree.
 */
describe('the countdown runs out (browser)', () => {
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
    course = await courseWith(server, smallModule(9), smallAnswerKey({ timeLimitMinutes: LIMIT_MINUTES }), [learner]);
    ({ page, context, problems } = await openPage(browser, server.baseUrl));
    await signIn(page, learner);
    // From here the page's clock is playwright's (which fakes performance.now too: no first-render marks).
    await page.clock.install();
  });
  afterEach(() => problems.assertNone());
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('warns at five minutes and at one, then submits the answers given', async () => {
    await page.goto(`/learn/modules/${course.slug}/quiz`);
    await page.getByRole('button', { name: 'Start attempt 1' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/learn/attempts/'));
    const attemptId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('timer').waitFor();
    expect(await timerSeconds(page)).toBeGreaterThan(LIMIT_MINUTES * 60 - 10);

    await page
      .getByRole('group', { name: /Is the sky blue/ })
      .getByLabel('True')
      .check();
    await page.getByRole('status').filter({ hasText: 'All answers saved.' }).waitFor();

    await page.clock.fastForward('05:05');
    await page.getByText('5 minutes left.').waitFor({ state: 'attached' });
    expect(await timerSeconds(page)).toBeLessThanOrEqual(5 * 60);
    await page.clock.fastForward('04:00');
    await page.getByText('1 minute left.').waitFor({ state: 'attached' });
    await page.clock.fastForward('01:05');

    await page.getByRole('alert').getByText('Time is up: your answers were submitted.').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Attempt 1: results' }).waitFor();
    const attempt = await readAttempt(server, attemptId, learner.token);
    expect(attempt.state).not.toBe('in_progress');
    const trueFalse = attempt.questions.find((q) => q.question.type === 'true_false')!;
    expect(trueFalse.response).toEqual({ type: 'true_false', value: true });
  });
});
