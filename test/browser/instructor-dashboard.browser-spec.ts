import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { eventually, launchChromium, openPage, type PageProblems } from './support/browser';
import { type Course, courseWith, createLearner } from './support/fixtures';
import { signIn, visit, waitForFirstRender } from './support/pages';
import { type BrowserServer, startServer } from './support/server';
import { instructorOf, rename, stepIds, TEACH_KEY, TEACH_MODULE, takeQuiz, tick } from './support/teach';

const NAMES = [
  'Ada Lovelace',
  'Ben Okafor',
  'Chloé Dubois',
  'Dev Patel',
  'Eli Nguyen',
  'Fatima Rossi',
  'Gus Tanaka',
  'Hana Silva',
  'Ivan Müller',
  'Jo Kowalski',
  'Kai Smith',
  'Lea García',
] as const;
type Name = (typeof NAMES)[number];
// Two of three right (kc-3 wrong): 0.67, passed. One of three (kc-3 right only): 0.33, failed (one attempt).
const STRONG = { kc1: 'a', kc2: true, kc3: true } as const;
const WEAK = { kc1: 'b', kc2: false, kc3: false } as const;

/**
 * Issue 16's instructor path on the pages: their cohorts, a cohort's module
 * at a glance (status bar, rates, the histogram of submitted attempts,
 * activities), the learners' table searched, filtered and paged through the
 * API's cursor, the CSV download with the session cookie, a learner's page,
 * item analysis with its flag; and a learner kept out (404). One page, in
 * order, as a person would go.
 */
describe('an instructor reads a cohort (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let course: Course;
  let instructor: TestUser;
  const learner = {} as Record<Name, TestUser>;
  const attemptOf = {} as Partial<Record<Name, string>>;
  let page: Page;
  let context: BrowserContext;
  let problems: PageProblems;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    for (const name of NAMES) {
      learner[name] = await createLearner(server);
      await rename(server, learner[name], name);
    }
    course = await courseWith(server, TEACH_MODULE, TEACH_KEY, Object.values(learner));
    instructor = await instructorOf(server, course.cohortId, course.admin.token);
    const steps = await stepIds(server, course.slug, course.admin.token);
    // Ada: every step and a pass → completed. Ben, Chloé, Dev: a pass. Eli, Fatima, Gus: failed.
    // Hana: one step a month ago → stuck. Ivan, Jo, Kai, Lea: not started.
    for (const step of steps) await tick(server, learner['Ada Lovelace'], step);
    for (const name of ['Ada Lovelace', 'Ben Okafor', 'Chloé Dubois', 'Dev Patel'] as const)
      attemptOf[name] = await takeQuiz(server, learner[name], course.quizId, STRONG);
    for (const name of ['Eli Nguyen', 'Fatima Rossi', 'Gus Tanaka'] as const)
      attemptOf[name] = await takeQuiz(server, learner[name], course.quizId, WEAK);
    await tick(server, learner['Hana Silva'], steps[0], 30);
    ({ page, context, problems } = await openPage(browser, server.baseUrl));
  });
  afterEach(() => problems.assertNone());
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const dashboard = () => `/teach/cohorts/${course.cohortId}`;
  const learnersTable = () => page.locator('table.teach-learners');
  const rowNames = () => learnersTable().locator('tbody th a').allInnerTexts();
  const liveStatus = () => page.locator('.teach-table-status');
  /** Waits for the table to show a page other than `before` (the status line says which). */
  async function tableChanged(change: () => Promise<unknown>) {
    const before = await liveStatus().innerText();
    const caption = await learnersTable().locator('caption').innerText();
    await change();
    await eventually(
      async () =>
        (await liveStatus().innerText()) !== before ||
        (await learnersTable().locator('caption').innerText()) !== caption,
      'the learners’ table to change',
    );
  }
  const histogramCounts = async () =>
    (
      await page
        .locator('svg.teach-histogram rect.bar')
        .evaluateAll((bars) => bars.map((b) => b.getAttribute('data-count')))
    ).map(Number);

  it('lands on /teach and lists the cohort the instructor teaches', async () => {
    await signIn(page, instructor);
    await waitForFirstRender(page, 'instructor-cohorts');
    expect(new URL(page.url()).pathname).toBe('/teach');
    await page.getByRole('heading', { level: 1, name: 'My cohorts' }).waitFor();
    const link = page.getByRole('link', { name: `Cohort of ${course.slug}` });
    expect(await link.getAttribute('href')).toBe(`${dashboard()}?module=${course.slug}`);
    await checkAccessibility(page, 'instructor-cohorts');
    await screenshot(page, 'instructor-cohorts');
  });

  it('opens the dashboard: counts by status, rates, and the histogram of the submitted attempts', async () => {
    await page.getByRole('link', { name: `Cohort of ${course.slug}` }).click();
    await page.waitForURL((u) => u.pathname === dashboard());
    await waitForFirstRender(page, 'instructor-dashboard');
    await page.getByRole('heading', { level: 1, name: /Module 7: Cohort Reports/ }).waitFor();

    const legend = await page.locator('ul.teach-legend').innerText();
    expect(legend).toContain('Not started: 4');
    expect(legend).toContain('In progress: 7');
    expect(legend).toContain('Completed: 1');
    expect(legend).toContain('failed (no attempts left): 3');
    expect(legend).toContain('stuck (in progress, no activity for 7 days): 1');
    const bar = page.getByRole('img', { name: /Learners by status, of 12/ });
    expect(await bar.locator('rect').count()).toBe(3);
    const figures = await page.locator('dl.teach-figures').innerText();
    expect(figures).toMatch(/Completion rate\s+8%/);
    expect(figures).toMatch(/Pass rate\s+33%/);

    // 4 learners at 2/3 (bin 60–69 %), 3 at 1/3 (bin 30–39 %): ten bars, as the text alternative says.
    expect(await histogramCounts()).toEqual([0, 0, 0, 3, 0, 0, 4, 0, 0, 0]);
    const histogram = page.getByRole('img', { name: /Score histogram/ });
    expect(await histogram.getAttribute('aria-label')).toContain('30–39%: 3');
    expect(await histogram.getAttribute('aria-label')).toContain('60–69%: 4');
    await page.getByText('As a table').click();
    const bins = page.locator('table.teach-histogram-table tbody tr');
    expect(await bins.count()).toBe(10);
    expect(await bins.nth(6).innerText()).toMatch(/60–69%\s+4/);

    const activities = await page.getByRole('region', { name: 'Activities' }).innerText();
    expect(activities).toMatch(/1\. Read a report\s+1\s+8%/);
    expect(await rowNames()).toEqual([...NAMES].sort((a, b) => a.localeCompare(b)));
    await checkAccessibility(page, 'instructor-dashboard');
    await screenshot(page, 'instructor-dashboard');
  });

  it('finds a learner by name and filters the table by status, stuck included', async () => {
    await tableChanged(async () => {
      await page.getByLabel('Search by name or email').fill('LOVELACE');
      await page.getByRole('button', { name: 'Search' }).click();
    });
    expect(await rowNames()).toEqual(['Ada Lovelace']);
    expect(await liveStatus().innerText()).toContain('matching “LOVELACE”');

    await tableChanged(async () => {
      await page.getByLabel('Search by name or email').fill('');
      await page.getByRole('button', { name: 'Search' }).click();
    });
    await tableChanged(() => page.getByLabel('Status', { exact: true }).selectOption('stuck'));
    expect(await rowNames()).toEqual(['Hana Silva']);
    await tableChanged(() => page.getByLabel('Status', { exact: true }).selectOption('failed'));
    expect(await rowNames()).toEqual(['Eli Nguyen', 'Fatima Rossi', 'Gus Tanaka']);
    // Filter and search together; the URL keeps them for a reload.
    await tableChanged(async () => {
      await page.getByLabel('Search by name or email').fill('ross');
      await page.getByRole('button', { name: 'Search' }).click();
    });
    expect(await rowNames()).toEqual(['Fatima Rossi']);
    expect(new URL(page.url()).searchParams.get('status')).toBe('failed');
    await page.reload();
    await waitForFirstRender(page, 'instructor-dashboard');
    expect(await rowNames()).toEqual(['Fatima Rossi']);
    await checkAccessibility(page, 'instructor-dashboard-filtered');

    await visit(page, dashboard(), 'instructor-dashboard');
    await tableChanged(() => page.getByLabel('Sort by').selectOption('score'));
    await tableChanged(() => page.getByLabel('Order').selectOption('desc'));
    const byScore = await rowNames();
    expect(byScore.slice(0, 4).sort()).toEqual(['Ada Lovelace', 'Ben Okafor', 'Chloé Dubois', 'Dev Patel']);
    expect(byScore.slice(4, 7).sort()).toEqual(['Eli Nguyen', 'Fatima Rossi', 'Gus Tanaka']);
  });

  it('pages through the learners with the API’s cursor, never the whole cohort', async () => {
    await visit(page, dashboard(), 'instructor-dashboard');
    const asked: URL[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === `/v1/cohorts/${course.cohortId}/progress`) asked.push(url);
    });
    await tableChanged(() => page.getByLabel('Rows per page').selectOption('10'));
    const first = await rowNames();
    expect(first).toHaveLength(10);
    const previous = page.getByRole('button', { name: 'Previous page' });
    const next = page.getByRole('button', { name: 'Next page' });
    expect(await previous.isDisabled()).toBe(true);

    await tableChanged(() => next.click());
    const second = await rowNames();
    expect(second).toHaveLength(2);
    expect(await next.isDisabled()).toBe(true);
    expect(new Set([...first, ...second])).toEqual(new Set(NAMES));
    expect(await liveStatus().innerText()).toContain('Page 2: learners 11–12');

    await tableChanged(() => previous.click());
    expect(await rowNames()).toEqual(first);
    expect(asked.length).toBe(3);
    expect(asked.every((u) => u.searchParams.get('limit') === '10')).toBe(true);
    expect(asked[1].searchParams.get('cursor')).toBeTruthy();
    expect(asked[2].searchParams.get('cursor')).toBeNull();
  });

  it('downloads the progress table as CSV through a plain link, with the session cookie', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Progress (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('progress.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^user_id,/);
    expect(lines).toHaveLength(1 + NAMES.length);
    expect(csv).toContain('Ada Lovelace');

    const [responses] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Every response (CSV)' }).click(),
    ]);
    expect(
      readFileSync(await responses.path(), 'utf8')
        .trim()
        .split(/\r?\n/).length,
    ).toBeGreaterThan(1);
  });

  it('opens a learner’s page from the table: their progress and attempts, each linking to the attempt', async () => {
    await tableChanged(async () => {
      await page.getByLabel('Search by name or email').fill('okafor');
      await page.getByRole('button', { name: 'Search' }).click();
    });
    await page.getByRole('link', { name: 'Ben Okafor' }).click();
    await page.waitForURL((u) => u.pathname === `${dashboard()}/learners/${learner['Ben Okafor'].id}`);
    await waitForFirstRender(page, 'instructor-learner');
    await page.getByRole('heading', { level: 1, name: /Ben Okafor: Module 7/ }).waitFor();
    const progress = await page.getByRole('region', { name: 'Progress' }).innerText();
    expect(progress).toMatch(/Status\s+In progress/);
    expect(progress).toMatch(/Score that counts\s+67% \(passed\)/);
    const attempt = page.getByRole('link', { name: 'Attempt 1' });
    expect(await attempt.getAttribute('href')).toBe(`/teach/attempts/${attemptOf['Ben Okafor']}`);
    expect(await page.getByRole('region', { name: 'Attempts' }).innerText()).toMatch(/Graded|Submitted/);
    await checkAccessibility(page, 'instructor-learner');
    await screenshot(page, 'instructor-learner');
  });

  it('shows the histogram change when another learner submits', async () => {
    attemptOf['Lea García'] = await takeQuiz(server, learner['Lea García'], course.quizId, WEAK);
    await visit(page, dashboard(), 'instructor-dashboard');
    expect(await histogramCounts()).toEqual([0, 0, 0, 4, 0, 0, 4, 0, 0, 0]);
    expect(await page.locator('ul.teach-legend').innerText()).toContain('Not started: 3');
  });

  it('analyses the knowledge check per question, flagging negative discrimination in words', async () => {
    const link = page.getByRole('link', { name: 'Item analysis of the knowledge check' });
    await link.waitFor();
    await link.click();
    await page.waitForURL((u) => u.pathname === `${dashboard()}/quizzes/${course.quizId}/items`);
    await waitForFirstRender(page, 'instructor-item-analysis');
    await page.getByRole('heading', { level: 1, name: /Item analysis/ }).waitFor();
    const rows = page.locator('table.teach-items tbody tr');
    expect(await rows.count()).toBe(3);
    const row = (key: string) => rows.filter({ has: page.locator('.teach-key', { hasText: key }) });
    // The strong learners got kc-3 wrong and the weak ones right: discrimination −1.
    expect(await row('kc-3').innerText()).toMatch(/-1\.00\s+⚑ Negative discrimination/);
    expect(await row('kc-1').innerText()).not.toContain('Negative discrimination');
    expect(await row('kc-1').innerText()).toContain('Which letter is right?');
    expect(await page.getByText(/1 question\(s\) flagged for negative discrimination.*kc-3/).count()).toBe(1);
    // Choice shares as bars: A by the four strong learners, B by the four weak, C by none.
    const kc1 = await row('kc-1').innerText();
    expect(kc1).toMatch(/50%\s+Letter A/);
    expect(kc1).toMatch(/50%\s+Letter B/);
    expect(kc1).toMatch(/0%\s+Letter C/);
    const widths = await row('kc-1')
      .locator('.teach-bar-fill')
      .evaluateAll((bars) => bars.map((b) => (b as unknown as { style: { width: string } }).style.width));
    expect(widths.slice(-3)).toEqual(['50%', '50%', '0%']);
    await checkAccessibility(page, 'instructor-item-analysis');
    await screenshot(page, 'instructor-item-analysis');
  });

  it('answers a learner 404 on /teach and on the cohort’s dashboard', async () => {
    const own = await openPage(browser, server.baseUrl);
    own.problems.allow(/status of 404/);
    try {
      await signIn(own.page, learner['Ben Okafor']);
      for (const path of ['/teach', dashboard()]) {
        const response = await visit(own.page, path, 'instructor-page-as-learner');
        expect(response?.status()).toBe(404);
        await own.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
        expect(await own.page.locator('main').innerText()).not.toContain('Cohort of');
      }
      await checkAccessibility(own.page, 'instructor-page-as-learner');
      await screenshot(own.page, 'instructor-page-as-learner');
      own.problems.assertNone();
    } finally {
      await own.context.close();
    }
  });
});
