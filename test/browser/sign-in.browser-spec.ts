import type { Browser } from 'playwright-core';
import type { TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import { launchChromium, openPage } from './support/browser';
import { createLearner } from './support/fixtures';
import { signIn, visit, waitForFirstRender } from './support/pages';
import { type BrowserServer, startServer } from './support/server';

/** The directives of a Content-Security-Policy header, by name. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name.toLowerCase(), values]),
  );
}

describe('sign-in and sign-out (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let learner: TestUser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    learner = await createLearner(server);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a labelled sign-in form, free of serious accessibility problems, under a strict CSP', async () => {
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    const response = await visit(page, '/sign-in', 'sign-in');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);

    const policy = response?.headers()['content-security-policy'] ?? '';
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    const csp = directives(policy);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);

    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').waitFor();
    await page.getByLabel('Password').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await checkAccessibility(page, 'sign-in');
    await screenshot(page, 'sign-in');
    problems.assertNone();
    await context.close();
  });

  it('says the password is wrong, and stays on the sign-in page', async () => {
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    // Chromium logs the 401 of the refused sign-in as a console error; that one is expected.
    problems.allow(/status of 401 .*\/v1\/auth\/session/);
    await visit(page, '/sign-in', 'sign-in');
    await page.getByLabel('Email').fill(learner.email);
    await page.getByLabel('Password').fill(`${learner.password}-wrong`);
    const refused = page.waitForResponse(
      (r) => r.url().endsWith('/v1/auth/session') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await refused).status()).toBe(401);

    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/wrong|incorrect|invalid/i);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await checkAccessibility(page, 'sign-in-wrong-password');
    await screenshot(page, 'sign-in-wrong-password');
    problems.assertNone();
    await context.close();
  });

  it('sends a signed-out visitor to the sign-in page, back where they were going after signing in', async () => {
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    const response = await page.goto('/learn');
    expect(response?.request().redirectedFrom()?.url()).toBe(`${server.baseUrl}/learn`);
    const url = new URL(page.url());
    expect(url.pathname).toBe('/sign-in');
    expect(url.searchParams.get('next')).toBe('/learn');
    await waitForFirstRender(page, 'sign-in');
    problems.assertNone();
    await context.close();
  });

  it('signs in with the right password onto /learn; signing out returns to /sign-in and /learn then asks to sign in', async () => {
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    await signIn(page, learner);
    expect(new URL(page.url()).pathname).toBe('/learn');
    await waitForFirstRender(page, 'learner-modules');
    const cookie = (await context.cookies()).find((c) => c.name === 'session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    await waitForFirstRender(page, 'sign-in');
    expect((await context.cookies()).find((c) => c.name === 'session')).toBeUndefined();

    await page.goto('/learn');
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    problems.assertNone();
    await context.close();
  });
});
