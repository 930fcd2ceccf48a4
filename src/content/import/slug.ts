// Only the Latin combining accents: other scripts (kana voicing marks, Indic vowel signs) need their marks.
const COMBINING_ACCENTS = /[\u0300-\u036f]/g;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{M}\p{N}]+/gu;
const EDGE_DASHES = /^-+|-+$/g;

/** `Monitoring, Logging & Incident Response` → `monitoring-logging-incident-response`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(COMBINING_ACCENTS, '')
    .toLowerCase()
    .replace(NOT_LETTER_OR_DIGIT, '-')
    .replace(EDGE_DASHES, '')
    .normalize('NFC');
}

/** `moduleSlug(5, 'Monitoring, Logging, and Incident Response')` → `05-monitoring-logging-and-incident-response`. */
export function moduleSlug(moduleNumber: number, title: string): string {
  const prefix = String(moduleNumber).padStart(2, '0');
  const titleSlug = slugify(title);
  return titleSlug ? `${prefix}-${titleSlug}` : prefix;
}
