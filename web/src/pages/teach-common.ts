import { statusInWords } from '../status.js';
import type { ProgressRow } from '../teach-types.js';

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element; attributes through setAttribute, text only through text nodes. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.append(document.createTextNode(text));
  return el;
}

/** 0.4567 → "46%"; null → "—". */
export function percent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined) return '—';
  return `${(share * 100).toFixed(digits)}%`;
}

export function number2(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(2);
}

export function dateText(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

/** The status of a learner's row in words, with the overlapping flags. */
export function rowStatus(row: ProgressRow): string {
  const flags = [row.failed ? 'failed' : null, row.stuck ? 'stuck' : null].filter(Boolean);
  return flags.length ? `${statusInWords(row.status)} (${flags.join(', ')})` : statusInWords(row.status);
}

export const REPORT_STATUS_WORDS: Record<string, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  completed: 'Completed',
  failed: 'Failed (no attempts left)',
  stuck: 'Stuck (no activity for 7 days)',
};

export const SORT_WORDS: Record<string, string> = {
  name: 'Name',
  status: 'Status',
  percentage: 'Percentage',
  score: 'Score',
  lastActivity: 'Last activity',
  completedAt: 'Completed at',
};

/** A small horizontal bar, its width set through the CSSOM (the CSP refuses style attributes in markup). */
export function shareBar(share: number | null, label: string): HTMLElement {
  const outer = document.createElement('span');
  outer.className = 'teach-bar';
  outer.setAttribute('aria-hidden', 'true');
  outer.title = label;
  const inner = document.createElement('span');
  inner.className = 'teach-bar-fill';
  inner.style.width = `${Math.max(0, Math.min(1, share ?? 0)) * 100}%`;
  outer.append(inner);
  return outer;
}

export const cohortPath = (cohortId: string) => `/teach/cohorts/${encodeURIComponent(cohortId)}`;
