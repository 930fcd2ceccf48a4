import request from 'supertest';
import { createTestApp, type TestApp } from './support/app';
import { importModule, MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from './support/content';
import { bearer, createUser, type TestUser } from './support/identity';
import { LIS_ROLES, parseAutoPostForm, type TestLaunch, type TestPlatform } from './support/lti-platform';
import { registerTestPlatform, sessionCookieOf } from './support/lti-tool';

/** The data attributes of the element web/static/lti-storage.js works from. */
function storageStep(html: string): Record<string, string> {
  const element = /<[a-z]+\b[^>]*\bdata-lti-storage="[^"]*"[^>]*>/i.exec(html);
  if (!element) throw new Error(`no data-lti-storage element in the page:\n${html}`);
  const attributes: Record<string, string> = {};
  for (const [, name, value] of element[0].matchAll(/\bdata-([a-z-]+)="([^"]*)"/g)) {
    attributes[name] = value.replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return attributes;
}

/**
 * LTI client-side storage (1EdTech "OIDC Login with LTI Client Side postMessages"): when the platform names
 * an `lti_storage_target`, the login page puts a secret in the platform's storage and the launch must bring
 * it back from the same browser. The browser half (the postMessage exchange in an LMS's iframe) is
 * test/browser/lti-iframe.browser-spec.ts; this file checks what the tool's routes accept and refuse.
 */
describe('LTI client-side storage (e2e)', () => {
  let t: TestApp;
  let platform: TestPlatform;
  let platformId: string;
  let admin: TestUser;
  let origin: string;

  const launch = (sub: string): TestLaunch => ({
    user: { sub, name: `Learner ${sub}` },
    roles: [LIS_ROLES.learner],
    context: { id: 'course-storage', title: 'Storage course' },
    resourceLink: { id: 'link-storage', title: 'Module 5' },
    custom: { module: MODULE5_SLUG },
    targetLinkUri: `${origin}/lti/launch`,
  });

  /** The login with `lti_storage_target`, as an LMS that keeps the storage sends it. */
  async function storageLogin(sub: string, target = '_parent') {
    const prepared = platform.prepareLaunch(launch(sub));
    const response = await request(t.server)
      .post('/lti/login')
      .type('form')
      .send({ ...prepared.loginParameters, lti_storage_target: target });
    return response;
  }

  /** The storage login, the platform's authorization, and the form it posts back to the tool. */
  async function toLaunchForm(sub: string) {
    const login = await storageLogin(sub);
    expect(login.status).toBe(200);
    const put = storageStep(login.text);
    const posted = await platform.authenticate(put.next);
    return { put, fields: posted.fields };
  }

  const platformView = () =>
    request(t.server).get(`/v1/lti/platforms/${platformId}`).set(bearer(admin.token)).expect(200);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, ['admin']);
    ({ origin, platform, platformId } = await registerTestPlatform(t, admin));
    await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
  });
  afterAll(async () => {
    await platform?.close();
    await t?.close();
  });

  it('the login page puts a secret in the named frame, for the platform’s origin only, then goes to its authorization URL', async () => {
    const response = await storageLogin('storage-1', 'lti_storage_frame');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(response.text).toContain('src="/assets/lti-storage.js"');
    const step = storageStep(response.text);
    expect(step).toMatchObject({ 'lti-storage': 'put', target: 'lti_storage_frame', origin: platform.url });
    const next = new URL(step.next);
    expect(`${next.origin}${next.pathname}`).toBe(platform.authorizeUrl);
    expect(step.key).toBe(`assessment-lti-login-${next.searchParams.get('state')}`);
    expect(step.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The secret is not the state, nor the nonce: only the platform's storage and the tool's hash know it.
    expect([next.searchParams.get('state'), next.searchParams.get('nonce')]).not.toContain(step.value);
  });

  it('a launch reads the secret back first, then lands with it; the platform then requires the storage', async () => {
    expect((await platformView()).body.requiresClientStorage).toBe(false);
    const { put, fields } = await toLaunchForm('storage-2');

    const check = await request(t.server).post('/lti/launch').type('form').send(fields).expect(200);
    expect(sessionCookieOf(check)).toBeUndefined();
    const get = storageStep(check.text);
    expect(get).toMatchObject({ 'lti-storage': 'get', target: '_parent', origin: platform.url, key: put.key });
    const form = parseAutoPostForm(check.text);
    expect(form.action).toBe('/lti/launch');
    expect(form.fields).toEqual({ id_token: fields.id_token, state: fields.state, lti_storage_binding: '' });

    // What the script posts once the platform's storage answered with the secret.
    const landed = await request(t.server)
      .post('/lti/launch')
      .type('form')
      .send({ ...form.fields, lti_storage_binding: put.value })
      .expect(303);
    expect(landed.headers.location).toBe(`/learn/modules/${MODULE5_SLUG}`);
    expect(sessionCookieOf(landed)).toMatch(/SameSite=None/i);
    expect((await platformView()).body.requiresClientStorage).toBe(true);
  });

  it('refuses a launch whose browser’s storage held another secret, or none (a login forged in another browser)', async () => {
    for (const binding of ['unavailable', 'x'.repeat(43)]) {
      const { fields } = await toLaunchForm(`storage-forged-${binding.length}`);
      const refused = await request(t.server)
        .post('/lti/launch')
        .type('form')
        .send({ ...fields, lti_storage_binding: binding });
      expect(refused.status).toBe(400);
      expect(refused.text).toMatch(/could not be confirmed in this browser/);
      expect(sessionCookieOf(refused)).toBeUndefined();
      // The login is used up: the right secret cannot follow a wrong one.
      await request(t.server).post('/lti/launch').type('form').send(fields).expect(400);
    }
  });

  it('once required, refuses a login without the storage (a downgrade), until an admin clears it', async () => {
    await request(t.server)
      .patch(`/v1/lti/platforms/${platformId}`)
      .set(bearer(admin.token))
      .send({ requiresClientStorage: true })
      .expect(200);
    const prepared = platform.prepareLaunch(launch('storage-3'));
    const refused = await request(t.server).post('/lti/login').type('form').send(prepared.loginParameters);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/did not offer its sign-in storage/);

    const cleared = await request(t.server)
      .patch(`/v1/lti/platforms/${platformId}`)
      .set(bearer(admin.token))
      .send({ requiresClientStorage: false })
      .expect(200);
    expect(cleared.body.requiresClientStorage).toBe(false);
    const login = await request(t.server).post('/lti/login').type('form').send(prepared.loginParameters).expect(302);
    const posted = await platform.authenticate(login.headers.location);
    // A login without the storage launches as before, in one post.
    await request(t.server).post('/lti/launch').type('form').send(posted.fields).expect(303);
  });
});
