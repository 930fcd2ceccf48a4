/** How the e2e suite reaches PostgreSQL, decided once in global setup. */
export const TEMPLATE_DATABASE = 'assessment_test_template';
/** Set by global setup: where the migrated embedded template was saved. */
export const EMBEDDED_TEMPLATE_ENV = 'ASSESSMENT_TEST_EMBEDDED_TEMPLATE';

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
