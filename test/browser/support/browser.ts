import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { PageGlobals } from './in-page';
import { markMainHeading } from './pages';

/** Debian's chromium (installed by .ci/run); no browser is ever downloaded. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Chromium's sandbox refuses to start as root (CI runs as root).
    args: ['--no-sandbox', ...extraArgs],
  });
}

/** What went wrong in a page: console errors, uncaught exceptions and CSP violation reports. */
export interface PageProblems {
  /** Every problem so far, as a line each. */
  readonly problems: string[];
  /**
   * Problems this test provokes on purpose (a 401 from a wrong password, the 404 of a page it may not
   * see): the matching lines are not failures. Chromium logs every 4xx response as a console error.
   */
  allow(pattern: RegExp): void;
  /** Fails with the list of problems not allowed; clears them. */
  assertNone(): void;
}

/** A page whose problems are collected; a new context each, so no cookie is shared between pages. */
export async function openPage(
  browser: Browser,
  baseUrl: string,
): Promise<{ page: Page; context: BrowserContext; problems: PageProblems }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
  // A page that works answers in well under a second; a missing element fails the test in seconds, not jest's 30.
  context.setDefaultTimeout(5_000);
  context.setDefaultNavigationTimeout(10_000);
  const page = await context.newPage();
  const problems = await collectProblems(page);
  await markMainHeading(page);
  return { page, context, problems };
}

export async function collectProblems(page: Page): Promise<PageProblems> {
  const problems: string[] = [];
  const allowed: RegExp[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    // The browser asks for /favicon.ico by itself; no page asked for it.
    if (new URL(where || 'about:blank').pathname === '/favicon.ico') return;
    problems.push(`console error: ${message.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception: ${error.stack ?? error.message}`));
  // The report reaches Node through a binding, not a script the page loads: the CSP allows none.
  await page.exposeBinding('__reportCspViolation', (_source, report: string) => {
    problems.push(`CSP violation: ${report}`);
  });
  await page.addInitScript(() => {
    const page = globalThis as unknown as PageGlobals;
    page.document.addEventListener('securitypolicyviolation', (event) => {
      void page.__reportCspViolation?.(
        `${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} in ${event.documentURI}`,
      );
    });
  });
  return {
    problems,
    allow: (pattern) => allowed.push(pattern),
    assertNone() {
      const unexpected = problems.splice(0).filter((line) => !allowed.some((pattern) => pattern.test(line)));
      if (unexpected.length > 0) {
        const error = new Error(`The page reported ${unexpected.length} problem(s):\n  ${unexpected.join('\n  ')}`);
        error.stack = error.message;
        throw error;
      }
    },
  };
}

/** Resolves once `check` returns true (polled every 25 ms), or fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
