import request from 'supertest';
import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { importModule, MODULE5_ANSWERS, MODULE5_MARKDOWN } from '../support/content';
import { bearer, createUser, type TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { launchChromium, openPage } from './support/browser';
import { createLearner } from './support/fixtures';
import { signIn, visit } from './support/pages';
import { type BrowserServer, startServer } from './support/server';
import { instructorOf, stepIds, TEACH_KEY, TEACH_MODULE, takeQuiz, tick } from './support/teach';

const USERS_PAGE = 50;

/**
 * A cohort on two modules (its dashboard lets the instructor switch between them, each with its own
 * numbers), and the admin's users list longer than one page ("Show more" follows the API's cursor).
 */
describe('a cohort on several modules, and lists longer than a page (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let admin: TestUser;
  let cohortId: string;
  let instructor: TestUser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    const module5 = await importModule(server, MODULE5_MARKDOWN, MODULE5_ANSWERS);
    const module7 = await importModule(server, TEACH_MODULE, TEACH_KEY);
    admin = module5.admin;
    const learners = [await createLearner(server), await createLearner(server)];
    const cohort = await request(server.server)
      .post('/v1/cohorts')
      .set(bearer(admin.token))
      .send({ name: 'Two modules', moduleIds: [module5.moduleId, module7.moduleId] })
      .expect(201);
    cohortId = cohort.body.id;
    for (const learner of learners) {
      await request(server.server)
        .post(`/v1/cohorts/${cohortId}/members`)
        .set(bearer(admin.token))
        .send({ userId: learner.id, role: 'learner' })
        .expect(201);
    }
    instructor = await instructorOf(server, cohortId, admin.token);
    // Module 7: the first learner does everything and passes. Module 5: nobody has begun.
    for (const step of await stepIds(server, module7.slug, admin.token)) await tick(server, learners[0], step);
    await takeQuiz(server, learners[0], module7.quizId, { kc1: 'a', kc2: true, kc3: false });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('switches the dashboard between the cohort’s modules, each with its own numbers', async () => {
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    await signIn(page, instructor);
    await visit(page, `/teach/cohorts/${cohortId}`, 'teach-cohort-two-modules');
    const nav = page.getByRole('navigation', { name: 'Modules of the cohort' });
    const links = nav.getByRole('link');
    expect(await links.allInnerTexts()).toEqual([
      'Module 5: Monitoring, Logging, and Incident Response',
      'Module 7: Cohort Reports',
    ]);
    const statusBar = page.getByRole('img', { name: /^Learners by status/ });

    // None named: the first module, marked as the current one.
    await page
      .getByRole('heading', { level: 1, name: 'Two modules: Module 5: Monitoring, Logging, and Incident Response' })
      .waitFor();
    expect(await links.first().getAttribute('aria-current')).toBe('page');
    expect(await statusBar.getAttribute('aria-label')).toBe(
      'Learners by status, of 2: Not started: 2, In progress: 0, Completed: 0',
    );
    await checkAccessibility(page, 'teach-cohort-two-modules');
    await screenshot(page, 'teach-cohort-two-modules');

    await links.nth(1).click();
    await page.getByRole('heading', { level: 1, name: 'Two modules: Module 7: Cohort Reports' }).waitFor();
    expect(new URL(page.url()).searchParams.get('module')).toMatch(/^07-/);
    expect(await links.nth(1).getAttribute('aria-current')).toBe('page');
    expect(await links.first().getAttribute('aria-current')).toBeNull();
    expect(await statusBar.getAttribute('aria-label')).toBe(
      'Learners by status, of 2: Not started: 1, In progress: 0, Completed: 1',
    );
    problems.assertNone();
    await context.close();
  });

  it('shows the admin fifty users, then the rest with “Show more”', async () => {
    for (let i = 0; i < USERS_PAGE + 5; i++) await createUser(server, ['learner']);
    const [{ total }] = await server.app
      .get(DataSource)
      .query<{ total: number }[]>(`SELECT count(*)::int AS total FROM users WHERE deleted_at IS NULL`);
    expect(total).toBeGreaterThan(USERS_PAGE);

    const { page, context, problems } = await openPage(browser, server.baseUrl);
    await signIn(page, admin);
    await visit(page, '/admin/users', 'admin-users');
    const rows = page.getByRole('table', { name: 'Users, newest first' }).locator('tbody tr');
    await page.getByText(`Showing ${USERS_PAGE} users; there are more.`).waitFor();
    expect(await rows.count()).toBe(USERS_PAGE);

    await page.getByRole('button', { name: 'Show more' }).click();
    await page.getByText(`Showing ${total} users.`).waitFor();
    expect(await rows.count()).toBe(total);
    expect(await page.getByRole('button', { name: 'Show more' }).isHidden()).toBe(true);
    // Each user once: the second page starts where the first ended.
    const emails = await rows.locator('td:nth-child(2)').allInnerTexts();
    expect(new Set(emails).size).toBe(total);
    await checkAccessibility(page, 'admin-users-all');
    problems.assertNone();
    await context.close();
  });
});
