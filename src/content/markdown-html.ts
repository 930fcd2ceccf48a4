import { toHtml } from 'hast-util-to-html';
import { defaultSchema, sanitize } from 'hast-util-sanitize';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toHast } from 'mdast-util-to-hast';
import { gfm } from 'micromark-extension-gfm';
import type { StoredSection } from './stored-section';

/**
 * A module's Markdown as HTML that is safe to insert into a page: raw HTML in
 * the Markdown is dropped (never passed through), and the result is cleaned
 * with hast-util-sanitize's GitHub-like schema (no script, style, iframe or
 * event handler; links and images only with http(s), mailto or relative
 * URLs). Module text is untrusted: whoever may import a module must not be
 * able to run script in a learner's page.
 */
export function markdownToSafeHtml(markdown: string): string {
  if (!markdown) return '';
  const tree = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const hast = toHast(tree, { allowDangerousHtml: false });
  return toHtml(sanitize(hast, { ...defaultSchema, clobberPrefix: 'md-' }));
}

export interface SectionWithHtml extends StoredSection {
  html: string;
  subsections: { title: string; markdown: string; html: string }[];
}

const rendered = new Map<string, SectionWithHtml[]>();
const KEEP = 64;

/** The sections with their HTML, rendered once per module version (`key`: its id and update time). */
export function sectionsWithHtml(key: string, sections: StoredSection[]): SectionWithHtml[] {
  const hit = rendered.get(key);
  if (hit) return hit;
  const result = sections.map((section) => ({
    ...section,
    html: markdownToSafeHtml(section.markdown),
    subsections: section.subsections.map((sub) => ({ ...sub, html: markdownToSafeHtml(sub.markdown) })),
  }));
  if (rendered.size >= KEEP) rendered.delete(rendered.keys().next().value as string);
  rendered.set(key, result);
  return result;
}
