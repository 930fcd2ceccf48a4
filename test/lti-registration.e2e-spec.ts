import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/app';
import { importModule, MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from './support/content';
import {
  DYNAMIC_REGISTRATION_CLAIMS,
  LIS_ROLES,
  SERVICE_SCOPES,
  startTestPlatform,
  type TestLaunch,
  type TestPlatform,
} from './support/lti-platform';

/**
 * LTI Dynamic Registration 1.0 (issue 17): the course system opens `/lti/register` with its OpenID
 * configuration URL and a one-time token; the tool registers itself there and keeps the platform.
 */
describe('LTI Dynamic Registration (e2e)', () => {
  let t: TestApp;
  let origin: string;
  const platforms: TestPlatform[] = [];
  const db = () => t.app.get(DataSource);

  /** A platform of its own per test: a registration changes what the platform and the tool hold. */
  async function newPlatform(options: { clientId?: string; deploymentId?: string; tokenAudience?: string } = {}) {
    const platform = await startTestPlatform({ toolJwksUrl: () => `${origin}/lti/jwks`, ...options });
    platforms.push(platform);
    return platform;
  }

  /** What the LMS admin's browser opens: the tool's registration URL with the platform's two parameters. */
  function registerAt(platform: TestPlatform, token: string | null = platform.issueRegistrationToken()) {
    return request(t.server)
      .get('/lti/register')
      .query({
        openid_configuration: platform.openidConfigurationUrl,
        ...(token === null ? {} : { registration_token: token }),
      });
  }

  /** A refusal is a page in plain words (the status, the words, no stack), and the log says why. */
  function expectRefusal(response: request.Response, status: number, words: RegExp, why?: RegExp) {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toMatch(words);
    expect(response.text).not.toMatch(/at .*\.ts:\d+|Error:/);
    if (why) expect(warnings.mock.calls.map(([message]) => String(message)).join('\n')).toMatch(why);
  }
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    warnings = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(() => warnings.mockRestore());

  const storedPlatforms = (issuer: string) =>
    db().query<{ id: string; client_id: string; deployment_ids: string[]; token_audience: string | null }[]>(
      `SELECT id, client_id, deployment_ids, token_audience FROM lti_platforms WHERE issuer = $1`,
      [issuer],
    );

  beforeAll(async () => {
    t = await createTestApp();
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
  });
  afterAll(async () => {
    await Promise.all(platforms.map((platform) => platform.close()));
    await t?.close();
  });

  it('registers in one visit: the tool’s configuration to the platform, the platform here, and a launch works', async () => {
    const platform = await newPlatform({ clientId: 'dyn-client-1', deploymentId: 'dyn-deployment-1' });
    const token = platform.issueRegistrationToken();
    const response = await registerAt(platform, token);

    expect(response.status).toBe(200);
    expect(response.text).toContain('The tool is registered with test at 127.0.0.1');
    const [registration] = platform.registrations;
    expect(registration).toMatchObject({ accepted: true, status: 200 });
    expect(registration.headers.authorization).toBe(`Bearer ${token}`);
    expect(registration.headers['content-type']).toMatch(/^application\/json/);
    expect(registration.body).toEqual({
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${origin}/lti/login`,
      redirect_uris: [`${origin}/lti/launch`],
      client_name: 'Assessment',
      jwks_uri: `${origin}/lti/jwks`,
      token_endpoint_auth_method: 'private_key_jwt',
      scope: [
        SERVICE_SCOPES.lineItem,
        SERVICE_SCOPES.score,
        SERVICE_SCOPES.resultReadOnly,
        SERVICE_SCOPES.contextMembershipReadOnly,
      ].join(' '),
      [DYNAMIC_REGISTRATION_CLAIMS.toolConfiguration]: {
        domain: new URL(origin).host,
        target_link_uri: `${origin}/lti/launch`,
        description: expect.any(String),
        claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
        messages: [
          { type: 'LtiResourceLinkRequest', target_link_uri: `${origin}/lti/launch`, label: 'Assessment' },
          {
            type: 'LtiDeepLinkingRequest',
            target_link_uri: `${origin}/lti/launch`,
            label: expect.any(String),
            placements: ['ContentArea'],
          },
        ],
      },
    });

    const [stored] = await storedPlatforms(platform.issuer);
    expect(stored).toMatchObject({
      client_id: 'dyn-client-1',
      deployment_ids: ['dyn-deployment-1'],
      token_audience: null,
    });
    const audit = await db().query(`SELECT action, actor_type FROM audit_events WHERE target_id = $1`, [stored.id]);
    expect(audit).toEqual([{ action: 'lti.platform_registered', actor_type: 'system' }]);

    // The platform now knows the tool's launch URL, and the tool the platform: a learner's launch lands.
    const { response: launched } = await launchAs(platform, {
      user: { sub: 'dyn-user-1', name: 'Grace Hopper' },
      roles: [LIS_ROLES.learner],
      context: { id: 'dyn-course-1', title: 'Registered course' },
      resourceLink: { id: 'dyn-link-1' },
      custom: { module: MODULE5_SLUG },
      targetLinkUri: `${origin}/lti/launch`,
    });
    expect(launched.status).toBe(303);
    expect(launched.headers.location).toBe(`/learn/modules/${MODULE5_SLUG}`);
  });

  it('answers a page that closes itself by the spec’s postMessage, from a static script under a CSP with no inline script', async () => {
    const platform = await newPlatform();
    const response = await registerAt(platform).expect(200);
    expect(response.text).toContain('<script type="module" src="/assets/lti-register-close.js"></script>');
    expect(response.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const policy = response.headers['content-security-policy'];
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain(`frame-ancestors ${platform.url}`);

    const script = await request(t.server).get('/assets/lti-register-close.js').expect(200);
    expect(script.text).toContain(
      "(window.opener || window.parent).postMessage({ subject: 'org.imsglobal.lti.close' }, '*')",
    );
  });

  it('keeps the platform’s authorization_server as the audience of client assertions', async () => {
    const platform = await newPlatform({ tokenAudience: 'https://auth.lms.example.edu/token' });
    await registerAt(platform).expect(200);
    const [stored] = await storedPlatforms(platform.issuer);
    expect(stored.token_audience).toBe('https://auth.lms.example.edu/token');
  });

  describe('refusals, as pages in plain words, with nothing registered', () => {
    it('a configuration whose issuer is not a prefix of its URL', async () => {
      const platform = await newPlatform();
      platform.setOpenidConfiguration({ issuer: 'https://lms.example.edu' });
      expectRefusal(
        await registerAt(platform),
        400,
        /configuration is not one this tool can register with/,
        /names the issuer https:\/\/lms\.example\.edu/,
      );
      const lookalike = await newPlatform();
      // A string prefix that is another host: 127.0.0.1:port is not 127.0.0.1:port0.
      lookalike.setOpenidConfiguration({ issuer: lookalike.url.slice(0, -1) });
      expectRefusal(
        await registerAt(lookalike),
        400,
        /configuration is not one this tool can register with/,
        /not a prefix of its URL/,
      );
      expect([...platform.registrations, ...lookalike.registrations]).toEqual([]);
      expect(await storedPlatforms(platform.issuer)).toEqual([]);
    });

    it('a configuration without a registration_endpoint', async () => {
      const platform = await newPlatform();
      platform.setOpenidConfiguration({ registration_endpoint: undefined });
      expectRefusal(
        await registerAt(platform),
        400,
        /configuration is not one this tool can register with/,
        /has no registration_endpoint/,
      );
      expect(await storedPlatforms(platform.issuer)).toEqual([]);
    });

    it('a platform that does not sign id_tokens with RS256', async () => {
      const platform = await newPlatform();
      platform.setOpenidConfiguration({ id_token_signing_alg_values_supported: ['ES256'] });
      expectRefusal(
        await registerAt(platform),
        400,
        /configuration is not one this tool can register with/,
        /does not include RS256/,
      );
      expect(platform.registrations).toEqual([]);
      expect(await storedPlatforms(platform.issuer)).toEqual([]);
    });

    it('a configuration without the LTI platform claim', async () => {
      const platform = await newPlatform();
      platform.setOpenidConfiguration({ [DYNAMIC_REGISTRATION_CLAIMS.platformConfiguration]: undefined });
      expectRefusal(
        await registerAt(platform),
        400,
        /configuration is not one this tool can register with/,
        /no https:\/\/purl\.imsglobal\.org\/spec\/lti-platform-configuration claim/,
      );
      expect(platform.registrations).toEqual([]);
    });

    it('a platform answering 4xx to the registration, in its own words', async () => {
      const platform = await newPlatform();
      platform.answerNext(
        {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            error: 'invalid_client_metadata',
            error_description: 'tools from this domain are not allowed',
          }),
        },
        { path: '/register', method: 'POST' },
      );
      expectRefusal(
        await registerAt(platform),
        400,
        /The course system refused the registration: tools from this domain are not allowed/,
      );
      expect(await storedPlatforms(platform.issuer)).toEqual([]);
    });

    it('a registration answered without a deployment id: nothing kept, and the page says to register by hand', async () => {
      const platform = await newPlatform();
      platform.answerNext(
        {
          status: 201,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ client_id: 'no-deployment', application_type: 'web' }),
        },
        { path: '/register', method: 'POST' },
      );
      expectRefusal(await registerAt(platform), 400, /without a deployment/, /has no deployment_id/);
      expect(await storedPlatforms(platform.issuer)).toEqual([]);
    });

    it('a registration without the platform’s token, or with one used already: the platform refuses it', async () => {
      const platform = await newPlatform();
      expectRefusal(await registerAt(platform, null), 400, /refused the registration/, /answered 401/);
      expectRefusal(await registerAt(platform, ''), 400, /refused the registration/, /answered 401/);
      expect(platform.registrations[0]).toMatchObject({ status: 401, accepted: false });
      expect(platform.registrations.map((received) => received.headers.authorization)).toEqual([undefined, undefined]);
      const token = platform.issueRegistrationToken();
      await registerAt(platform, token).expect(200);
      expectRefusal(await registerAt(platform, token), 400, /refused the registration/);
      expect(await storedPlatforms(platform.issuer)).toHaveLength(1);
    });

    it('a platform already registered under the same client id', async () => {
      const platform = await newPlatform({ clientId: 'dyn-client-twice' });
      await registerAt(platform).expect(200);
      expectRefusal(
        await registerAt(platform),
        400,
        /already registered/,
        /client dyn-client-twice already registered/,
      );
      expect(await storedPlatforms(platform.issuer)).toHaveLength(1);
    });

    it('a visit without the platform’s parameters', async () => {
      const response = await request(t.server).get('/lti/register');
      expectRefusal(response, 400, /Open this address from your course system/);
    });

    it('a configuration URL the tool may not call (http to another host outside production)', async () => {
      const response = await request(t.server)
        .get('/lti/register')
        .query({ openid_configuration: 'http://lms.example.edu/.well-known/openid-configuration' });
      expectRefusal(
        response,
        400,
        /configuration is not one this tool can register with/,
        /openid_configuration .* must be https/,
      );
    });
  });

  it('registers nothing on a HEAD request (a link checker, a prefetch)', async () => {
    const platform = await newPlatform({ clientId: 'dyn-client-head' });
    await request(t.server)
      .head('/lti/register')
      .query({
        openid_configuration: platform.openidConfigurationUrl,
        registration_token: platform.issueRegistrationToken(),
      })
      .expect(204);
    expect(platform.requests).toEqual([]);
    expect(await storedPlatforms(platform.issuer)).toEqual([]);
  });

  it('answers 404 as a page when LTI_DYNAMIC_REGISTRATION is off, and calls no platform', async () => {
    const off = await createTestApp({ LTI_DYNAMIC_REGISTRATION: 'false' });
    try {
      const platform = await newPlatform();
      const response = await request(off.server)
        .get('/lti/register')
        .query({ openid_configuration: platform.openidConfigurationUrl, registration_token: 'x' });
      expectRefusal(response, 404, /This page does not exist/, /dynamic registration is off/);
      expect(platform.requests).toEqual([]);
    } finally {
      await off.close();
    }
  });

  /** The whole launch as a browser makes it (test/lti-launch.e2e-spec.ts): login, authorization, the form posted back. */
  async function launchAs(platform: TestPlatform, launch: TestLaunch) {
    const prepared = platform.prepareLaunch(launch);
    const login = await request(t.server).post('/lti/login').type('form').send(prepared.loginParameters);
    expect(login.status).toBe(302);
    const posted = await platform.authenticate(login.headers.location);
    expect(posted.action).toBe(`${origin}/lti/launch`);
    const response = await request(t.server).post('/lti/launch').type('form').send(posted.fields);
    return { response, fields: posted.fields };
  }
});
