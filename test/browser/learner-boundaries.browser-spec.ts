import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { smallAnswerKey, smallModule } from '../support/content';
import { bearer, type TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { launchChromium, openPage, type PageProblems } from './support/browser';
import { type Course, courseWith, createLearner } from './support/fixtures';
import { signIn, visit } from './support/pages';
import { type BrowserServer, startServer } from './support/server';

const SCRIPT = '<script>window.__ran = true</script>';
const IMG = '<img src="x" onerror="window.__ran = true">';
const ANSWER = `My answer ${SCRIPT} ${IMG} ends here.`;

/** A module whose text, steps and questions carry markup meant to run in a learner's page. */
function hostileModule(): string {
  return smallModule(9)
    .replace('- Know the basics', `- Know the basics ${IMG}`)
    .replace('A is right and the sky is blue.', `A is right and the sky is blue.\n\n${SCRIPT}\n\nInline: \`${SCRIPT}\``)
    .replace('1. Step one', `1. Step one ${SCRIPT}`)
    .replace('3. Describe the basics in your own words.', `3. Describe the basics ${IMG} in your own words.`);
}

/**
 * What a learner must not reach or run through the pages: the staff pages
 * (404, as the API answers), another learner's attempt, and script carried by
 * a module's text or by an answer.
 */
describe('a learner’s boundaries in the pages (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let learner: TestUser;
  let other: TestUser;
  let course: Course;
  let page: Page;
  let context: BrowserContext;
  let problems: PageProblems;
  let othersAttempt: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    [learner, other] = await Promise.all([createLearner(server), createLearner(server)]);
    course = await courseWith(server, hostileModule(), smallAnswerKey({ when: 'immediately' }), [learner, other]);
    const started = await request(server.server)
      .post(`/v1/quizzes/${course.quizId}/attempts`)
      .set(bearer(other.token))
      .send({})
      .expect(201);
    othersAttempt = started.body.id as string;
    const essay = (started.body.questions as { questionVersionId: string; question: { type: string } }[]).find(
      (q) => q.question.type === 'essay',
    )!;
    await request(server.server)
      .put(`/v1/attempts/${othersAttempt}/responses`)
      .set(bearer(other.token))
      .send({
        responses: [
          {
            questionVersionId: essay.questionVersionId,
            response: { type: 'essay', text: 'Secret of the other learner' },
          },
        ],
      })
      .expect(200);
    ({ page, context, problems } = await openPage(browser, server.baseUrl));
    // Chromium logs every 4xx it receives as a console error; these tests provoke 404s on purpose.
    problems.allow(/status of 404/);
    await signIn(page, learner);
  });
  afterEach(() => problems.assertNone());
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it.each(['/teach', `/teach/cohorts/{cohort}`, '/admin', '/admin/users'])('answers 404 on %s', async (template) => {
    const path = template.replace('{cohort}', course.cohortId);
    const response = await visit(page, path, 'learner-not-found');
    expect(response?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    // The page says nothing of the cohort: no call for its data was made.
    expect(await page.locator('main').textContent()).not.toContain(course.cohortId);
  });

  it('does not show another learner’s attempt', async () => {
    const calls: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes(`/v1/attempts/${othersAttempt}`)) calls.push(r.status());
    });
    await visit(page, `/learn/attempts/${othersAttempt}`, 'learner-attempt-not-found');
    await page.getByRole('heading', { level: 1, name: 'Attempt not found' }).waitFor();
    expect(calls).toEqual([404]);
    expect(await page.locator('main').textContent()).not.toContain('Secret of the other learner');
    await checkAccessibility(page, 'learner-attempt-not-found');
  });

  it('shows markup in a module’s text, steps and questions as text, and never runs it', async () => {
    await visit(page, `/learn/modules/${course.slug}`, 'learner-module-hostile');
    await page.getByText(`Know the basics ${IMG}`).waitFor();
    await page.getByText(`Step 1: Step one ${SCRIPT}`).waitFor();
    // Inline code keeps its markup as text; raw HTML in the Markdown is dropped, not passed through.
    await page.locator('.section-text code', { hasText: SCRIPT }).waitFor();
    expect(await page.locator('main script, main img, main [onerror]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __ran?: boolean }).__ran)).toBeUndefined();
    await screenshot(page, 'learner-module-hostile');
  });

  it('shows markup in the learner’s own answer as text, while answering and in the review', async () => {
    await visit(page, `/learn/modules/${course.slug}/quiz`, 'learner-quiz-start');
    await page.getByRole('button', { name: 'Start attempt 1' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/learn/attempts/'));
    await page.locator('main h1').waitFor();
    const essay = page.getByRole('group', { name: /Describe the basics/ });
    await essay.getByText(`Describe the basics ${IMG} in your own words.`).waitFor();
    await essay.getByLabel('Your answer').fill(ANSWER);
    await page.getByRole('status').filter({ hasText: 'All answers saved.' }).waitFor();
    await page.getByRole('button', { name: 'Submit answers…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Attempt 1: results' }).waitFor();
    await page.locator('.answer-text', { hasText: ANSWER }).waitFor();
    await page.reload();
    await page.locator('.answer-text', { hasText: ANSWER }).waitFor();
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __ran?: boolean }).__ran)).toBeUndefined();
    // The essay waits for a person: the review says so.
    await page.getByText(/1 answer waits for a person to grade/).waitFor();
  });
});
