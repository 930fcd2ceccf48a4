import type { ParsedSection } from './module.types';

/** A content section as kept in `modules.sections`: without source lines, so moving text down a file changes nothing. */
export interface StoredSection {
  number: number;
  title: string;
  markdown: string;
  subsections: { title: string; markdown: string }[];
}

export function toStoredSections(sections: ParsedSection[]): StoredSection[] {
  return sections.map(({ number, title, markdown, subsections }) => ({
    number,
    title,
    markdown,
    subsections: subsections.map((sub) => ({ title: sub.title, markdown: sub.markdown })),
  }));
}
