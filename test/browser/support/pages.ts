import type { Page, Response } from 'playwright-core';
import { recordFirstRender } from './artifacts';
import type { PageGlobals } from './in-page';

const HEADING_MARK = 'main-heading-visible';

/**
 * Marks (performance.mark) the moment the page's main heading (`main h1`)
 * is first in the DOM and visible, whoever rendered it: the server's HTML or
 * the client. Installed before any script of the page runs.
 */
export async function markMainHeading(page: Page) {
  await page.addInitScript((markName: string) => {
    const { document, performance, MutationObserver } = globalThis as unknown as PageGlobals;
    const observer = new MutationObserver(() => {
      const heading = document.querySelector('main h1');
      if (!heading || !heading.checkVisibility()) return;
      observer.disconnect();
      if (performance.getEntriesByName(markName).length === 0) performance.mark(markName);
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  }, HEADING_MARK);
}

/**
 * Opens `path`, waits for its main heading and records the first render
 * time (navigation start → heading visible) as `name` in timings.json.
 */
export async function visit(page: Page, path: string, name: string): Promise<Response | null> {
  const response = await page.goto(path);
  await waitForFirstRender(page, name);
  return response;
}

/** After a navigation the test caused (a click, a reload): waits for the heading and records the time. */
export async function waitForFirstRender(page: Page, name: string) {
  await page.locator('main h1').first().waitFor({ state: 'visible' });
  const firstRenderMs = await page.evaluate((markName: string) => {
    const { performance } = globalThis as unknown as PageGlobals;
    const mark = performance.getEntriesByName(markName)[0];
    return mark ? Math.round(mark.startTime) : null;
  }, HEADING_MARK);
  if (firstRenderMs === null)
    throw new Error(`no ${HEADING_MARK} mark on ${page.url()} (markMainHeading not installed?)`);
  recordFirstRender({ page: name, path: new URL(page.url()).pathname, firstRenderMs });
}

export interface Credentials {
  email: string;
  password: string;
}

/** Signs in through the sign-in page, as a person would; resolves on the page it lands on. */
export async function signIn(page: Page, user: Credentials) {
  await visit(page, '/sign-in', 'sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
}
