import type { Browser, BrowserContext, Page } from 'playwright-core';
import { smallAnswerKey, smallModule } from '../support/content';
import type { TestUser } from '../support/identity';
import { launchChromium, openPage, type PageProblems } from './support/browser';
import { type Course, courseWith, createLearner, readAttempt } from './support/fixtures';
import { signIn, visit } from './support/pages';
import { type BrowserServer, startServer } from './support/server';

const RESPONSES = '**/v1/attempts/*/responses';

/**
 * Autosave when the network or the server fails: the page says the answer is
 * not saved, tries again by itself, and says so when it is; an error another
 * try cannot fix stops saving and says what to do. The failures are made by
 * intercepting the page's own requests (playwright's routing), the server
 * stays real.
 */
describe('autosave through network errors (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let learner: TestUser;
  let course: Course;
  let page: Page;
  let context: BrowserContext;
  let problems: PageProblems;
  let attemptId: string;

  const essay = () => page.getByRole('group', { name: /Describe the basics/ }).getByLabel('Your answer');
  const status = () => page.getByRole('status').filter({ hasText: /saved|Saving|Not saved/i });
  const savedEssay = async () => {
    const attempt = await readAttempt(server, attemptId, learner.token);
    return attempt.questions.find((q) => q.question.type === 'essay')!.response;
  };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    learner = await createLearner(server);
    course = await courseWith(server, smallModule(9), smallAnswerKey(), [learner]);
    ({ page, context, problems } = await openPage(browser, server.baseUrl));
    // The failures below are made on purpose; Chromium logs each as a console error.
    problems.allow(/ERR_INTERNET_DISCONNECTED|status of 503|status of 409/);
    await signIn(page, learner);
    await visit(page, `/learn/modules/${course.slug}/quiz`, 'learner-quiz-start');
    await page.getByRole('button', { name: 'Start attempt 1' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/learn/attempts/'));
    attemptId = new URL(page.url()).pathname.split('/').pop()!;
    await essay().waitFor();
  });
  afterEach(async () => {
    await page.unroute(RESPONSES);
    problems.assertNone();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('keeps an answer typed while offline and saves it once the network is back', async () => {
    let failures = 0;
    await page.route(RESPONSES, async (route) => {
      if (failures < 2) {
        failures += 1;
        return route.abort('internetdisconnected');
      }
      return route.continue();
    });
    await essay().fill('Written while the network was down');
    await status().getByText('Not saved: no connection to the server. Trying again in 1 s.').waitFor();
    expect(await savedEssay()).toBeNull();
    // Two failures, then the third try (after 1 s, then 2 s) goes through.
    await status().getByText('All answers saved.').waitFor({ timeout: 8_000 });
    expect(failures).toBe(2);
    expect(await savedEssay()).toEqual({ type: 'essay', text: 'Written while the network was down' });
  });

  it('retries after a server error, sending the newest text', async () => {
    let failed = false;
    await page.route(RESPONSES, async (route) => {
      if (!failed) {
        failed = true;
        return route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"title":"Unavailable"}' });
      }
      return route.continue();
    });
    await essay().fill('First version');
    await status()
      .getByText(/Not saved: the server answered 503/)
      .waitFor();
    await essay().fill('Second version, typed during the wait');
    await status().getByText('All answers saved.').waitFor({ timeout: 8_000 });
    expect(await savedEssay()).toEqual({ type: 'essay', text: 'Second version, typed during the wait' });
  });

  it('stops and says so when the attempt can no longer take answers', async () => {
    await page.route(RESPONSES, (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/problem+json',
        body: JSON.stringify({ title: 'Conflict', detail: 'The attempt is closed' }),
      }),
    );
    await essay().fill('Too late');
    await status().getByText('Not saved: The attempt is closed').waitFor();
    await page.getByRole('alert').getByRole('link', { name: 'Reload the attempt' }).waitFor();
    expect(await savedEssay()).toEqual({ type: 'essay', text: 'Second version, typed during the wait' });
  });
});
