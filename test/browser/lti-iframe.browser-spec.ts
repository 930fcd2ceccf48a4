import request from 'supertest';
import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { importModule, MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from '../support/content';
import { bearer, type TestUser } from '../support/identity';
import { LIS_ROLES, startTestPlatform, type TestLaunch, type TestPlatform } from '../support/lti-platform';
import { registerPlatform } from '../support/lti-tool';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { launchChromium, openPage } from './support/browser';
import { signIn, visit } from './support/pages';
import { type BrowserServer, startServer } from './support/server';
import { instructorOf } from './support/teach';

/**
 * An LTI launch as a learner makes it: from a course page of the test LMS that embeds the tool in an
 * iframe on another site (the LMS on 127.0.0.1, the tool on localhost), through the LMS's client-side
 * storage (postMessage, no third-party cookie needed for the login), onto the module page, signed in by
 * the partitioned session cookie; then the score the LMS got, as the instructor's gradebook page shows it.
 */
describe('LTI launch in an LMS iframe (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let platform: TestPlatform;
  let admin: TestUser;
  let platformId: string;
  /** The tool as the iframe reaches it: another site than the LMS's. */
  let toolOrigin: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ toolJwksUrl: () => `${server.baseUrl}/lti/jwks` });
    [server, browser] = await Promise.all([
      startServer({ FRAME_ANCESTORS: platform.url, WEBHOOK_POLL_INTERVAL_MS: '200' }),
      // The tool's frame goes from one site to another and back (the LMS's authorization, the tool's launch): with
      // site isolation each hop swaps the frame's process, and under load the driver was seen to lose the frame
      // (the page rendered, the locator never saw it). One process model is enough for what this test checks:
      // cookies and storage are still partitioned by site.
      launchChromium(['--disable-site-isolation-trials']),
    ]);
    toolOrigin = server.baseUrl.replace('127.0.0.1', 'localhost');
    platform.setRedirectUris(`${toolOrigin}/lti/launch`);
    ({ admin } = await importModule(server, MODULE5_MARKDOWN, MODULE5_ANSWERS));
    platformId = await registerPlatform(server, admin, platform);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await platform?.close();
  });

  const launch: () => TestLaunch = () => ({
    user: { sub: 'iframe-learner', name: 'Grace Hopper', email: 'grace@lms.example.edu' },
    roles: [LIS_ROLES.learner],
    context: { id: 'course-iframe', title: 'Cloud Security (iframe)' },
    resourceLink: { id: 'link-iframe', title: 'Module 5 knowledge check' },
    custom: { module: MODULE5_SLUG },
    targetLinkUri: `${toolOrigin}/lti/launch`,
    ags: true,
  });

  it('lands a learner on the module, through the LMS’s client-side storage, and starts the knowledge check', async () => {
    const prepared = platform.prepareLaunch(launch());
    const loginUrl = `${toolOrigin}/lti/login?${new URLSearchParams({ ...prepared.loginParameters, lti_storage_target: '_parent' }).toString()}`;
    const { page, context, problems } = await openPage(browser, platform.url);
    await page.goto(platform.coursePageUrl(loginUrl));
    const tool = page.frameLocator('iframe[name="tool"]');
    await tool
      .getByRole('heading', { level: 1, name: /Module 5/ })
      .waitFor({ timeout: 15_000 })
      .catch(async (error: Error) => {
        // Where the launch stopped, for whoever reads the failure: the frame's address and words.
        const frame = page.frame({ name: 'tool' });
        const words = await frame?.innerText('body').catch(() => '(unreadable)');
        const log = await page.evaluate(() =>
          JSON.stringify((globalThis as { ltiStorageLog?: unknown }).ltiStorageLog),
        );
        throw new Error(
          `${error.message}\nthe tool's frame is at ${frame?.url()}, saying: ${words}\nstorage log: ${log}`,
        );
      });

    // The login put one secret, the launch read it back; both from the tool's origin, under the same key.
    const log = await page.evaluate(() => (globalThis as unknown as { ltiStorageLog: string[][] }).ltiStorageLog);
    expect(log.map(([subject, origin]) => [subject, origin])).toEqual([
      ['lti.put_data', toolOrigin],
      ['lti.get_data', toolOrigin],
    ]);
    expect(log[0][2]).toBe(log[1][2]);
    const view = await request(server.server)
      .get(`/v1/lti/platforms/${platformId}`)
      .set(bearer(admin.token))
      .expect(200);
    expect(view.body.requiresClientStorage).toBe(true);

    // Signed in inside the iframe: the session cookie (SameSite=None, partitioned) works on the next pages.
    await tool.getByRole('link', { name: 'Start or resume the knowledge check' }).click();
    await tool.getByRole('button', { name: 'Start attempt 1' }).press('Enter');
    await tool.getByRole('button', { name: 'Submit answers…' }).waitFor();
    await screenshot(page, 'lti-iframe-quiz');

    // attempt.started reaches the LMS's gradebook by AGS: Started, nothing graded yet.
    for (let waited = 0; platform.scores.length === 0 && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(platform.scores.map((score) => score.body)).toEqual([
      expect.objectContaining({ activityProgress: 'Started', gradingProgress: 'NotReady' }),
    ]);
    problems.assertNone();
    await context.close();
  });

  it('shows the instructor what the LMS was sent, free of serious accessibility problems', async () => {
    const [cohort] = await server.app
      .get(DataSource)
      .query<{ cohort_id: string }[]>(`SELECT cohort_id FROM lti_contexts WHERE context_id = 'course-iframe'`);
    const instructor = await instructorOf(server, cohort.cohort_id, admin.token);
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    await signIn(page, instructor);
    await visit(page, `/teach/cohorts/${cohort.cohort_id}/gradebook`, 'gradebook');
    const row = page.getByRole('row', { name: /Grace Hopper/ });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/Sent: the LMS took it/);
    await checkAccessibility(page, 'teach-gradebook');
    await screenshot(page, 'teach-gradebook');
    problems.assertNone();
    await context.close();
  });
});
