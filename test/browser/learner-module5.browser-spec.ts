import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { MODULE5_ANSWERS_ALL_QUESTIONS, MODULE5_MARKDOWN } from '../support/content';
import { bearer, type TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { launchChromium, openPage, type PageProblems } from './support/browser';
import { type Course, courseWith, createLearner, withTimeLimit } from './support/fixtures';
import { signIn, waitForFirstRender } from './support/pages';
import { type BrowserServer, startServer } from './support/server';

const TIME_LIMIT_MINUTES = 30;
// 42 questions by keyboard, each step a test: longer than an API test.
jest.setTimeout(90_000);

/**
 * Issue 16's learner path on Module 5 as the seeds hold it, the part the pages
 * have so far: the modules list and every step ticked on the module page, kept
 * over a reload. The knowledge check by keyboard, the submit and the review
 * follow when the quiz and review pages exist. The steps share one page, in
 * order, as a person would go.
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
});
