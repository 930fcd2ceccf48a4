import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR } from './artifacts';
import type { PageGlobals } from './in-page';

let axeSource: string | undefined;

/**
 * Runs axe-core in the page and fails on any serious or critical violation,
 * listing each with the elements it found. axe's source goes in through
 * page.evaluate (the debugging protocol), not a <script> tag: the pages' CSP
 * refuses injected scripts, as it should.
 */
export async function checkAccessibility(page: Page, name: string): Promise<AxeResults> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => (globalThis as unknown as PageGlobals).axe !== undefined);
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).axe!.run({ resultTypes: ['violations'] }),
  );
  const dir = join(ARTIFACTS_DIR, 'axe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.json`), JSON.stringify(results.violations, null, 2));

  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    const error = new Error(
      `axe: ${serious.length} serious or critical violation(s) on ${name}:\n${serious.map(describe).join('\n')}`,
    );
    error.stack = error.message;
    throw error;
  }
  return results;
}

function describe(violation: Result): string {
  const nodes = violation.nodes
    .slice(0, 5)
    .map((node) => `      ${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s*\n\s*/g, '; ')}`);
  const more = violation.nodes.length > 5 ? [`      … and ${violation.nodes.length - 5} more`] : [];
  return [`  [${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})`, ...nodes, ...more].join(
    '\n',
  );
}
