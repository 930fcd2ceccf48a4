/**
 * The migrated template each e2e file is cloned from, named after the database
 * of DATABASE_URL so that suites run side by side on one server (two checkouts,
 * each with a database of its own) never drop each other's template.
 */
export function templateDatabaseFor(serverUrl: string): string {
  const name = decodeURIComponent(new URL(serverUrl).pathname.slice(1)) || 'postgres';
  return `${name
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase()
    .slice(0, 40)}_test_template`;
}
/** Set by global setup: where the migrated embedded template was saved. */
export const EMBEDDED_TEMPLATE_ENV = 'ASSESSMENT_TEST_EMBEDDED_TEMPLATE';

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
