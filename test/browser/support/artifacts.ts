import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Kept after the run (CI uploads it); git ignores it. */
export const ARTIFACTS_DIR = join(__dirname, '..', '..', '..', 'test-artifacts');
const SCREENSHOTS = join(ARTIFACTS_DIR, 'screenshots');
/** One file per test file: workers write side by side, the global teardown merges them. */
const TIMING_PARTS = join(ARTIFACTS_DIR, 'timings');

/** A full-page screenshot named after the page, e.g. `learner-module-page`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  // An artefact, not an assertion: a loaded machine may take longer than the pages' 5 s to paint a long page.
  await page.screenshot({ path, fullPage: true, timeout: 30_000 });
  return path;
}

export interface FirstRender {
  page: string;
  path: string;
  /** From navigation start to the page's main heading visible, in milliseconds. */
  firstRenderMs: number;
}

const renders: FirstRender[] = [];

/** Keeps a page's first render time for test-artifacts/timings.json (a report, not an assertion). */
export function recordFirstRender(render: FirstRender) {
  renders.push(render);
  mkdirSync(TIMING_PARTS, { recursive: true });
  const file = (expect.getState().testPath ?? 'unknown').replace(/[^a-z0-9-]+/gi, '-').slice(-120);
  writeFileSync(join(TIMING_PARTS, `${file}.json`), JSON.stringify(renders, null, 2));
}

/** Merges every test file's timings into test-artifacts/timings.json. */
export function writeTimingsReport() {
  let parts: string[];
  try {
    parts = readdirSync(TIMING_PARTS).filter((name) => name.endsWith('.json'));
  } catch {
    return;
  }
  const all = parts.flatMap((name) => JSON.parse(readFileSync(join(TIMING_PARTS, name), 'utf8')) as FirstRender[]);
  all.sort((a, b) => a.page.localeCompare(b.page));
  writeFileSync(
    join(ARTIFACTS_DIR, 'timings.json'),
    JSON.stringify({ measured: new Date().toISOString(), budgetMs: 300, pages: all }, null, 2) + '\n',
  );
}
