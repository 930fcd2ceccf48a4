import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { checkAccessibility } from './support/accessibility';
import { screenshot } from './support/artifacts';
import type { PageGlobals } from './support/in-page';
import { eventually, launchChromium, openPage } from './support/browser';
import { type BrowserServer, startServer } from './support/server';

/** The harness the page tests stand on: a real server, chromium, and checkers that do fail. */
describe('browser test harness', () => {
  let server: BrowserServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('drives chromium against the real server listening on 127.0.0.1', async () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    const live = await page.goto('/health/live');
    expect(live?.status()).toBe(200);
    expect(await live?.json()).toMatchObject({ status: 'ok' });

    await page.goto('/docs');
    await page
      .getByRole('heading', { name: /Assessment API/ })
      .first()
      .waitFor();
    const file = await screenshot(page, 'harness-api-docs');
    expect(existsSync(file)).toBe(true);
    problems.assertNone();
    await context.close();
  });

  it('fails a page with a serious accessibility violation, naming the rule and the element', async () => {
    const { page, context } = await openPage(browser, server.baseUrl);
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1>' +
        '<img id="unlabelled" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button id="empty"></button></main></body></html>',
    );
    await expect(checkAccessibility(page, 'harness-bad-page')).rejects.toThrow(/image-alt[\s\S]*#unlabelled/);
    await expect(checkAccessibility(page, 'harness-bad-page')).rejects.toThrow(/button-name[\s\S]*#empty/);

    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Good</title></head><body><main><h1>Good</h1>' +
        '<button>Go</button></main></body></html>',
    );
    const results = await checkAccessibility(page, 'harness-good-page');
    expect(results.testEngine.name).toBe('axe-core');
    await context.close();
  });

  it('collects console errors, uncaught exceptions and CSP violations, and lets a test allow what it provokes', async () => {
    const { page, context, problems } = await openPage(browser, server.baseUrl);
    // A page of the server's origin under the pages' policy, with what that policy must refuse.
    await page.route(`${server.baseUrl}/harness-csp`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: { 'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'" },
        body: '<!doctype html><html lang="en"><title>t</title><main><h1>CSP</h1><script>window.ran = true</script></main></html>',
      }),
    );
    await page.goto('/harness-csp');
    await eventually(
      () => problems.problems.some((line) => line.startsWith('CSP violation: script-src')),
      'the CSP report',
    );
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).ran)).toBeUndefined();
    expect(() => problems.assertNone()).toThrow(/CSP violation: script-src/);

    await page.evaluate(() => {
      const { console, setTimeout } = globalThis as unknown as PageGlobals;
      console.error('something broke');
      setTimeout(() => {
        throw new Error('thrown later');
      });
    });
    await eventually(() => problems.problems.length === 2, 'two problems');
    expect(() => problems.assertNone()).toThrow(
      /console error: something broke[\s\S]*uncaught exception: Error: thrown later/,
    );

    problems.allow(/expected in this test/);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).console.error('expected in this test'));
    await eventually(() => problems.problems.length === 1, 'the allowed problem');
    expect(() => problems.assertNone()).not.toThrow();
    await context.close();
  });
});
