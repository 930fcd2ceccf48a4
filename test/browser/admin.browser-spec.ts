import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from '../support/content';
import { createUser, passwordGrant, type TestUser } from '../support/identity';
import { checkAccessibility } from './support/accessibility';
import {
  ADDED_STEP,
  clientGrant,
  fileOf,
  findUser,
  listClients,
  readModule,
  stepTexts,
  withDuplicateActivity,
  withStepAdded,
} from './support/admin';
import { screenshot } from './support/artifacts';
import { launchChromium, openPage, type PageProblems } from './support/browser';
import { signIn, visit, waitForFirstRender } from './support/pages';
import { type BrowserServer, startServer } from './support/server';

jest.setTimeout(60_000);

/**
 * Issue 16's admin path: an admin imports Module 5 from its files with a dry
 * run first, re-imports a changed version (nothing written until Apply),
 * sees a bad file's problems by line, registers a machine client (its secret
 * shown once) and creates a user. The steps share one page, in order, as a
 * person would go; instructors and learners are refused the admin pages.
 */
describe('an admin imports modules and manages users and clients (browser)', () => {
  let server: BrowserServer;
  let browser: Browser;
  let admin: TestUser;
  let page: Page;
  let context: BrowserContext;
  let problems: PageProblems;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchChromium()]);
    admin = await createUser(server, ['admin']);
    ({ page, context, problems } = await openPage(browser, server.baseUrl));
  });
  afterEach(() => problems.assertNone());
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const moduleInput = () => page.getByLabel('Module (Markdown)');
  const keyInput = () => page.getByLabel('Answer key (optional)');
  const checkButton = () => page.getByRole('button', { name: 'Check (dry run)' });
  const applyButton = () => page.getByRole('button', { name: 'Apply', exact: true });
  const result = () => page.locator('#import-result');
  const importResponse = (dryRun: boolean) =>
    page.waitForResponse(
      (r) =>
        r.url().endsWith('/v1/modules/import') &&
        r.request().method() === 'POST' &&
        (r.request().postDataJSON() as { dryRun: boolean }).dryRun === dryRun,
    );

  it('signs an admin in onto /admin, the modules page with the import form', async () => {
    await signIn(page, admin);
    await waitForFirstRender(page, 'admin-modules');
    expect(new URL(page.url()).pathname).toBe('/admin');
    await page.getByRole('heading', { level: 1, name: /modules/i }).waitFor();
    await page.getByRole('table', { name: 'Modules by number' }).waitFor();
    await page.getByText(/each at most 512 KiB/).waitFor();
    expect(await applyButton().isDisabled()).toBe(true);
    await checkAccessibility(page, 'admin-modules-empty');
  });

  it('imports Module 5: the dry run says what would be added and writes nothing; Apply imports it', async () => {
    await moduleInput().setInputFiles(fileOf('05_Module.md', MODULE5_MARKDOWN, 'text/markdown'));
    await keyInput().setInputFiles(fileOf('05_Module.answers.yaml', MODULE5_ANSWERS));
    const dryRun = importResponse(true);
    await checkButton().click();
    expect((await dryRun).status()).toBe(200);
    await result()
      .getByText(/Dry run: Module 5: .* would be created\. Nothing was written\./)
      .waitFor();
    expect(await result().locator('#import-added summary').innerText()).toMatch(/^Would be added: \d{2,}$/);
    expect(await readModule(server, MODULE5_SLUG, admin.token)).toBeNull();

    await eventuallyEnabled(applyButton());
    const applied = importResponse(false);
    await applyButton().click();
    expect((await applied).status()).toBe(200);
    await result()
      .getByText(/Imported: Module 5: .* was created\./)
      .waitFor();
    const stored = await readModule(server, MODULE5_SLUG, admin.token);
    expect(stepTexts(stored, 1)).toHaveLength(4);
    // The list shows it without a reload; Apply waits for the next dry run.
    await page.getByRole('table', { name: 'Modules by number' }).getByRole('cell', { name: MODULE5_SLUG }).waitFor();
    expect(await applyButton().isDisabled()).toBe(true);
    await checkAccessibility(page, 'admin-modules');
    await screenshot(page, 'admin-modules');
  });

  it('re-imports a changed Module 5: the dry run shows the added step and nothing changes until Apply', async () => {
    const changed = withStepAdded(MODULE5_MARKDOWN);
    await moduleInput().setInputFiles(fileOf('05_Module.md', changed, 'text/markdown'));
    const dryRun = importResponse(true);
    await checkButton().click();
    expect((await dryRun).status()).toBe(200);
    await result()
      .getByText(/Dry run: Module 5: .* would be updated\. Nothing was written\./)
      .waitFor();
    const added = result().locator('#import-added');
    expect(await added.locator('summary').innerText()).toBe('Would be added: 1');
    expect(await added.getByRole('listitem').allInnerTexts()).toEqual(['Step activity-1-step-5']);
    expect(await result().locator('#import-retired').innerText()).toBe('Would be retired: 0');
    await checkAccessibility(page, 'admin-import-dry-run');
    await screenshot(page, 'admin-import-dry-run');
    expect(stepTexts(await readModule(server, MODULE5_SLUG, admin.token), 1)).not.toContain(ADDED_STEP);

    // Choosing another file takes back the approval: only the files checked can be applied.
    await eventuallyEnabled(applyButton());
    await moduleInput().setInputFiles(fileOf('05_Module.md', MODULE5_MARKDOWN, 'text/markdown'));
    expect(await applyButton().isDisabled()).toBe(true);
    await moduleInput().setInputFiles(fileOf('05_Module.md', changed, 'text/markdown'));
    await checkButton().click();
    await result()
      .getByText(/would be updated/)
      .waitFor();
    expect(stepTexts(await readModule(server, MODULE5_SLUG, admin.token), 1)).toHaveLength(4);

    await eventuallyEnabled(applyButton());
    const applied = importResponse(false);
    await applyButton().click();
    expect((await applied).status()).toBe(200);
    await result()
      .getByText(/Imported: Module 5: .* was updated\./)
      .waitFor();
    expect(await result().locator('#import-added summary').innerText()).toBe('Added: 1');
    expect(stepTexts(await readModule(server, MODULE5_SLUG, admin.token), 1)).toEqual([
      'Create CloudTrail trail',
      'Configure S3 bucket for logs',
      'Enable log file validation',
      'Test trail functionality',
      ADDED_STEP,
    ]);
  });

  it('shows a bad file’s problems in words with their lines, and offers no Apply', async () => {
    // The refused import is a 422, which Chromium logs as a console error.
    problems.allow(/status of 422/);
    await moduleInput().setInputFiles(
      fileOf('05_Module.md', withDuplicateActivity(withStepAdded(MODULE5_MARKDOWN)), 'text/markdown'),
    );
    const dryRun = importResponse(true);
    await checkButton().click();
    expect((await dryRun).status()).toBe(422);
    await result()
      .getByText(/has \d+ errors?; nothing was imported/)
      .waitFor();
    const table = result().getByRole('table', { name: 'Problems in the files' });
    const row = table.getByRole('row').filter({ hasText: /Activity 1/ });
    expect(await row.count()).toBe(1);
    const [file, line, severity, message] = await row.getByRole('cell').allInnerTexts();
    expect({ file, severity }).toEqual({ file: 'Module', severity: 'error' });
    expect(Number(line)).toBeGreaterThan(380);
    expect(message).toMatch(/Activity 1 .*twice/);
    expect(await applyButton().isDisabled()).toBe(true);
    await checkAccessibility(page, 'admin-import-rejected');
    await screenshot(page, 'admin-import-rejected');

    // A file over the API's limit is refused before anything is sent.
    let sent = false;
    const onRequest = (r: { url(): string }) => {
      if (r.url().endsWith('/v1/modules/import')) sent = true;
    };
    page.on('request', onRequest);
    await moduleInput().setInputFiles(fileOf('huge.md', 'x'.repeat(600 * 1024), 'text/markdown'));
    await checkButton().click();
    await result()
      .getByText(/huge\.md is 600 KiB; each file may be at most 512 KiB/)
      .waitFor();
    page.off('request', onRequest);
    expect(sent).toBe(false);
    expect(await applyButton().isDisabled()).toBe(true);
  });

  it('registers a machine client, shows its secret once, and revokes it after a confirmation', async () => {
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Machine clients' })
      .click();
    await page.waitForURL((u) => u.pathname === '/admin/clients');
    await waitForFirstRender(page, 'admin-clients');
    await page.getByText('No clients.').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Moodle test');
    await page.getByRole('checkbox', { name: /progress:read/ }).check();
    await page.getByRole('checkbox', { name: /users:write/ }).check();
    await page.getByRole('button', { name: 'Register client' }).click();
    const secretBox = page.getByRole('region', { name: 'New client’s secret' });
    await secretBox.getByText(/it will not be shown again/).waitFor();
    const clientId = await secretBox.locator('#new-client-id').innerText();
    const secret = await secretBox.locator('#new-client-secret').innerText();
    expect(secret.length).toBeGreaterThan(20);
    expect((await clientGrant(server, clientId, secret)).status).toBe(200);
    const table = page.getByRole('table', { name: 'Machine clients, newest first' });
    const clientRow = table.getByRole('row').filter({ hasText: 'Moodle test' });
    await clientRow.waitFor();
    expect((await clientRow.getByRole('cell').nth(2).innerText()).split(', ').sort()).toEqual([
      'progress:read',
      'users:write',
    ]);
    await checkAccessibility(page, 'admin-clients');
    await screenshot(page, 'admin-clients');

    await page.reload();
    await waitForFirstRender(page, 'admin-clients');
    await table.getByRole('cell', { name: clientId }).waitFor();
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: 'Revoke Moodle test' }).click();
    const confirm = page.getByRole('group', { name: 'Confirm revoking Moodle test' });
    await confirm.getByText(/Its tokens stop working/).waitFor();
    const [client] = await listClients(server, admin.token);
    expect(client.revokedAt).toBeNull();
    await confirm.getByRole('button', { name: 'Yes, revoke' }).click();
    await table
      .getByRole('row')
      .filter({ hasText: 'Moodle test' })
      .getByText(/^Revoked /)
      .waitFor();
    expect((await listClients(server, admin.token))[0].revokedAt).not.toBeNull();
    expect((await clientGrant(server, clientId, secret)).status).toBe(401);
    await checkAccessibility(page, 'admin-clients-revoked');
  });

  it('creates a user with an initial password it never shows back, finds them and changes their roles', async () => {
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/users');
    await waitForFirstRender(page, 'admin-users');
    const table = page.getByRole('table', { name: 'Users, newest first' });
    await table.getByRole('cell', { name: admin.email }).waitFor();

    const email = `ada-${Date.now()}@test.example`;
    const password = 'correct-horse-battery';
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Display name').fill('Ada Lovelace');
    await page.getByLabel('Initial password (optional)').fill(password);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText(`Created Ada Lovelace (${email}) as Learner, with the initial password you chose.`).waitFor();
    expect(await page.getByLabel('Initial password (optional)').inputValue()).toBe('');
    expect(await page.content()).not.toContain(password);
    await table.getByRole('row').filter({ hasText: email }).waitFor();
    expect((await findUser(server, email, admin.token)).roles).toEqual(['learner']);
    expect((await passwordGrant(server, email, password)).status).toBe(200);

    await page.getByLabel('Email (exact)').fill(email);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText('Showing 1 user.').waitFor();
    const row = table.getByRole('row').filter({ hasText: email });
    await row.getByText('Change roles').click();
    await row.getByRole('checkbox', { name: 'Instructor' }).check();
    await row.getByRole('button', { name: 'Save roles' }).click();
    await row.getByText('Saved: Learner, Instructor.').waitFor();
    expect((await findUser(server, email, admin.token)).roles.sort()).toEqual(['instructor', 'learner']);
    await checkAccessibility(page, 'admin-users');
    await screenshot(page, 'admin-users');
  });

  it.each([
    ['an instructor', 'instructor' as const],
    ['a learner', 'learner' as const],
  ])('answers 404 to %s on the admin pages, and calls no admin route', async (_who, role) => {
    const person = await createUser(server, [role]);
    const other = await openPage(browser, server.baseUrl);
    other.problems.allow(/status of 404/);
    const adminCalls: string[] = [];
    other.page.on('request', (r) => {
      if (/\/v1\/(users(\?|$)|clients|modules\/import)/.test(r.url())) adminCalls.push(r.url());
    });
    try {
      await signIn(other.page, person);
      for (const path of ['/admin', '/admin/users', '/admin/clients']) {
        const response = await visit(other.page, path, 'admin-not-found');
        expect(response?.status()).toBe(404);
        await other.page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
        expect(await other.page.getByRole('navigation', { name: 'Main' }).innerText()).not.toMatch(/Administration/);
      }
      await checkAccessibility(other.page, `admin-not-found-${role}`);
      expect(adminCalls).toEqual([]);
      other.problems.assertNone();
    } finally {
      await other.context.close();
    }
  });
});

async function eventuallyEnabled(button: ReturnType<Page['getByRole']>) {
  const until = Date.now() + 5_000;
  while (await button.isDisabled()) {
    if (Date.now() > until) throw new Error('the button stayed disabled');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
