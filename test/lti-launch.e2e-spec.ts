import { Logger } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/app';
import { importModule, MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from './support/content';
import { bearer, createUser, type TestUser } from './support/identity';
import {
  hmacJwt,
  LIS_ROLES,
  LTI_CLAIMS,
  parseAutoPostForm,
  type TestLaunch,
  type TestPlatform,
  unsignedJwt,
} from './support/lti-platform';
import { launchAs as launchLti, ltiLogin, registerTestPlatform, sessionCookieOf } from './support/lti-tool';

/**
 * LTI 1.3 launches (issue 17) against a test platform on loopback: registration, the tool's keys, the OIDC
 * login, the launch and what it makes here, deep linking, and every refusal the specifications call for.
 */
describe('LTI 1.3 launches (e2e)', () => {
  let t: TestApp;
  let platform: TestPlatform;
  let admin: TestUser;
  let origin: string;
  const db = () => t.app.get(DataSource);
  let linkCount = 0;

  const learnerLaunch = (overrides: Partial<TestLaunch> = {}): TestLaunch => ({
    user: { sub: 'lms-user-1', name: 'Ada Lovelace', email: 'ada@lms.example.edu' },
    roles: [LIS_ROLES.learner],
    context: { id: 'course-101', title: 'Cloud Security 101' },
    resourceLink: { id: 'link-module-5', title: 'Module 5 knowledge check' },
    custom: { module: MODULE5_SLUG },
    targetLinkUri: `${origin}/lti/launch`,
    ...overrides,
  });

  const login = (launch: TestLaunch) => ltiLogin(t, platform, launch);

  /** The whole launch as a browser makes it; the form goes back to the tool's launch URL. */
  async function launchAs(launch: TestLaunch) {
    const launched = await launchLti(t, platform, launch);
    expect(launched.action).toBe(`${origin}/lti/launch`);
    return launched;
  }

  /** A launch whose id_token the test makes itself from the platform's claims (for refusals). */
  async function craftedLaunch(
    launch: TestLaunch,
    alter: (claims: Record<string, unknown>) => Record<string, unknown> = (claims) => claims,
    sign: (claims: Record<string, unknown>) => Promise<string> = (claims) => platform.signIdToken(claims),
  ) {
    const authorization = await login(launch);
    const nonce = authorization.searchParams.get('nonce')!;
    const state = authorization.searchParams.get('state')!;
    const idToken = await sign(alter({ ...platform.launchClaims(launch, nonce) }));
    return request(t.server).post('/lti/launch').type('form').send({ id_token: idToken, state });
  }

  const cookieOf = sessionCookieOf;

  let warnings: jest.SpyInstance | undefined;
  /** A refusal is a page in plain words: the status, the words, no stack, no session; and the log says why. */
  function expectRefusal(response: request.Response, status: number, words: RegExp, why?: RegExp) {
    if (why) {
      const logged = warnings!.mock.calls.map(([message]) => String(message));
      expect(logged.join('\n')).toMatch(why);
      warnings!.mockClear();
    }
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toMatch(words);
    expect(response.text).not.toMatch(/at .*\.ts:\d+|Error:/);
    expect(cookieOf(response)).toBeUndefined();
  }

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, ['admin']);
    ({ origin, platform } = await registerTestPlatform(t, admin));
    await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
  });
  afterAll(async () => {
    await platform?.close();
    await t?.close();
  });

  describe('registration', () => {
    const body = () => ({
      name: 'Another LMS',
      issuer: 'https://lms.example.edu',
      clientId: `client-${++linkCount}`,
      deploymentIds: ['1'],
      authorizationUrl: 'https://lms.example.edu/auth',
      tokenUrl: 'http://127.0.0.1:9/token',
      jwksUrl: 'http://127.0.0.1:9/jwks',
    });

    it('admins register, read, change and remove platforms; the pair issuer and client id is registered once', async () => {
      const created = await request(t.server)
        .post('/v1/lti/platforms')
        .set(bearer(admin.token))
        .send(body())
        .expect(201);
      expect(created.body).toMatchObject({ name: 'Another LMS', deploymentIds: ['1'], tokenAudience: null });
      const again = { ...body(), clientId: created.body.clientId };
      await request(t.server).post('/v1/lti/platforms').set(bearer(admin.token)).send(again).expect(409);
      await request(t.server)
        .patch(`/v1/lti/platforms/${created.body.id}`)
        .set(bearer(admin.token))
        .send({ deploymentIds: ['1', '2'], tokenAudience: 'https://lms.example.edu/token' })
        .expect(200)
        .expect((res) => expect(res.body).toMatchObject({ deploymentIds: ['1', '2'] }));
      const listed = await request(t.server).get('/v1/lti/platforms').set(bearer(admin.token)).expect(200);
      expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(created.body.id);
      await request(t.server).delete(`/v1/lti/platforms/${created.body.id}`).set(bearer(admin.token)).expect(204);
      await request(t.server).get(`/v1/lti/platforms/${created.body.id}`).set(bearer(admin.token)).expect(404);
      const audit = await db().query(`SELECT action FROM audit_events WHERE target_id = $1 ORDER BY created_at`, [
        created.body.id,
      ]);
      expect(audit.map((row: { action: string }) => row.action)).toEqual([
        'lti.platform_registered',
        'lti.platform_updated',
        'lti.platform_deleted',
      ]);
    });

    it('refuses URLs a platform may not have, and everyone but admins', async () => {
      const refused = await request(t.server)
        .post('/v1/lti/platforms')
        .set(bearer(admin.token))
        .send({ ...body(), jwksUrl: 'http://lms.example.edu/jwks', authorizationUrl: 'javascript:alert(1)' })
        .expect(400);
      expect(refused.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
        'authorizationUrl',
        'jwksUrl',
      ]);
      const instructor = await createUser(t, ['instructor']);
      await request(t.server).post('/v1/lti/platforms').set(bearer(instructor.token)).send(body()).expect(403);
      await request(t.server).get('/v1/lti/platforms').set(bearer(instructor.token)).expect(403);
    });

    it('tells an admin the URLs to type into the LMS', async () => {
      const tool = await request(t.server).get('/v1/lti/tool').set(bearer(admin.token)).expect(200);
      expect(tool.body).toEqual({
        loginUrl: `${origin}/lti/login`,
        launchUrl: `${origin}/lti/launch`,
        jwksUrl: `${origin}/lti/jwks`,
      });
    });
  });

  describe('keys', () => {
    it('publishes the public half only, with a kid, at both JWKS addresses; a rotation keeps the old key published', async () => {
      const first = await request(t.server).get('/lti/jwks').expect(200);
      expect(first.body.keys).toHaveLength(1);
      const [key] = first.body.keys;
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
      expect(typeof key.kid).toBe('string');
      expect(key).not.toHaveProperty('d');
      await request(t.server)
        .get('/.well-known/jwks.json')
        .expect(200)
        .expect((res) => expect(res.body).toEqual(first.body));
      const stored = await db().query(`SELECT private_key_ciphertext FROM lti_keys`);
      expect(stored[0].private_key_ciphertext).not.toMatch(/PRIVATE KEY/);

      const rotated = await request(t.server).post('/v1/lti/keys/rotate').set(bearer(admin.token)).expect(200);
      const after = await request(t.server).get('/lti/jwks').expect(200);
      expect(after.body.keys.map((jwk: { kid: string }) => jwk.kid)).toEqual([rotated.body.kid, key.kid]);
    });
  });

  describe('a learner’s launch', () => {
    it('makes the user, the cohort and the link on the first launch and lands on the module, in an iframe-ready session', async () => {
      const { response } = await launchAs(learnerLaunch());
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`/learn/modules/${MODULE5_SLUG}`);
      const cookie = cookieOf(response)!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/Secure/i);
      expect(cookie).toMatch(/SameSite=None/i);
      expect(cookie).toMatch(/Partitioned/i);

      const [user] = await db().query(
        `SELECT u.id, u.email, u.display_name, u.external_id, u.roles FROM lti_identities i
           JOIN users u ON u.id = i.user_id WHERE i.sub = 'lms-user-1'`,
      );
      expect(user).toMatchObject({
        email: 'ada@lms.example.edu',
        display_name: 'Ada Lovelace',
        external_id: 'lms-user-1',
        roles: ['learner'],
      });
      const [cohort] = await db().query(
        `SELECT c.id, c.name, c.module_ids FROM lti_contexts x JOIN cohorts c ON c.id = x.cohort_id
          WHERE x.context_id = 'course-101'`,
      );
      expect(cohort.name).toBe('Cloud Security 101');
      const [module] = await db().query(`SELECT id FROM modules WHERE slug = $1`, [MODULE5_SLUG]);
      expect(cohort.module_ids).toEqual([module.id]);
      const members = await db().query(`SELECT user_id, role, status FROM cohort_members WHERE cohort_id = $1`, [
        cohort.id,
      ]);
      expect(members).toEqual([{ user_id: user.id, role: 'learner', status: 'active' }]);

      // The session is the learner's: the session route, the API and the page all know them.
      const session = await request(t.server).get('/v1/auth/session').set('cookie', cookie.split(';')[0]).expect(200);
      expect(session.body.user).toMatchObject({ id: user.id, roles: ['learner'] });
      await request(t.server)
        .get(`/learn/modules/${MODULE5_SLUG}`)
        .set('cookie', cookie.split(';')[0])
        .expect(200)
        .expect('content-type', /html/);
      const [web] = await db().query(
        `SELECT via, expires_at - now() < interval '121 minutes' AS short FROM web_sessions WHERE user_id = $1`,
        [user.id],
      );
      expect(web).toEqual({ via: 'lti', short: true });
    });

    it('finds the same user, cohort and link on the next launch', async () => {
      const count = async () =>
        (
          await db().query(
            `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM cohorts)::int AS cohorts,
                    (SELECT count(*) FROM lti_resource_links)::int AS links`,
          )
        )[0];
      const before = await count();
      const { response } = await launchAs(learnerLaunch({ user: { sub: 'lms-user-1', name: 'Ada King' } }));
      expect(response.status).toBe(303);
      expect(await count()).toEqual(before);
      const [user] = await db().query(
        `SELECT u.display_name FROM lti_identities i JOIN users u ON u.id = i.user_id WHERE i.sub = 'lms-user-1'`,
      );
      expect(user.display_name).toBe('Ada King');
    });

    it('never takes over an account here by its e-mail', async () => {
      const existing = await createUser(t, ['admin']);
      const { response } = await launchAs(
        learnerLaunch({ user: { sub: 'lms-user-2', name: 'Mallory', email: existing.email } }),
      );
      expect(response.status).toBe(303);
      const [user] = await db().query(
        `SELECT u.id, u.email, u.roles FROM lti_identities i JOIN users u ON u.id = i.user_id WHERE i.sub = 'lms-user-2'`,
      );
      expect(user.id).not.toBe(existing.id);
      expect(user.email).toMatch(/@lti\.invalid$/);
      expect(user.roles).toEqual(['learner']);
    });
  });

  describe('beside a roster change of the same course', () => {
    /** Until a backend of this database waits for a lock (the launch, queued behind the test's transaction). */
    async function untilSomeoneWaits() {
      for (let tries = 0; tries < 100; tries++) {
        const [row] = await db().query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (row.n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the launch never waited for the roster change');
    }

    it('a launch that adds a module and a membership waits for a roster sync in flight, instead of deadlocking with it', async () => {
      const lockLaunch = (link: string) =>
        learnerLaunch({
          user: { sub: 'lock-learner', name: 'Lock Learner' },
          context: { id: 'course-lock', title: 'Lock course' },
          resourceLink: { id: link, title: 'Module 5' },
        });
      expect((await launchAs(lockLaunch('link-lock-1'))).response.status).toBe(303);
      const [course] = await db().query(
        `SELECT x.cohort_id, i.user_id FROM lti_contexts x, lti_identities i
          WHERE x.context_id = 'course-lock' AND i.sub = 'lock-learner'`,
      );
      // The next launch, of a new link to the module, writes both: the cohort lost the module and the learner
      // left the course meanwhile.
      await db().query(`UPDATE cohorts SET module_ids = '{}' WHERE id = $1`, [course.cohort_id]);
      await db().query(`UPDATE cohort_members SET status = 'inactive' WHERE cohort_id = $1 AND user_id = $2`, [
        course.cohort_id,
        course.user_id,
      ]);

      // A roster sync's transaction, as src/lti/lti-roster.service.ts makes it: the cohort first, then memberships.
      const sync = db().createQueryRunner();
      await sync.connect();
      try {
        await sync.startTransaction();
        await sync.query(`SELECT id FROM cohorts WHERE id = $1 FOR NO KEY UPDATE`, [course.cohort_id]);
        const launching = launchAs(lockLaunch('link-lock-2'));
        await untilSomeoneWaits();
        await sync.query(`UPDATE cohort_members SET updated_at = now() WHERE cohort_id = $1 AND user_id = $2`, [
          course.cohort_id,
          course.user_id,
        ]);
        await sync.commitTransaction();
        expect((await launching).response.status).toBe(303);
      } finally {
        if (sync.isTransactionActive) await sync.rollbackTransaction();
        await sync.release();
      }
      const [after] = await db().query(
        `SELECT c.module_ids, m.status FROM cohorts c JOIN cohort_members m ON m.cohort_id = c.id
          WHERE c.id = $1 AND m.user_id = $2`,
        [course.cohort_id, course.user_id],
      );
      const [module] = await db().query(`SELECT id FROM modules WHERE slug = $1`, [MODULE5_SLUG]);
      expect(after).toEqual({ module_ids: [module.id], status: 'active' });
    });
  });

  describe('an instructor’s launch', () => {
    it('lands on the cohort page as its instructor (a teaching assistant too); never an admin here', async () => {
      const { response } = await launchAs(
        learnerLaunch({
          user: { sub: 'lms-teacher-1', name: 'Grace Hopper', email: 'grace@lms.example.edu' },
          roles: [LIS_ROLES.teachingAssistant, LIS_ROLES.administrator],
        }),
      );
      expect(response.status).toBe(303);
      const [cohort] = await db().query(`SELECT cohort_id FROM lti_contexts WHERE context_id = 'course-101'`);
      expect(response.headers.location).toBe(`/teach/cohorts/${cohort.cohort_id}`);
      const cookie = cookieOf(response)!.split(';')[0];
      const session = await request(t.server).get('/v1/auth/session').set('cookie', cookie).expect(200);
      expect(session.body.user.roles).toEqual(['instructor']);
      // They teach the cohort: its report answers them.
      await request(t.server).get(`/v1/cohorts/${cohort.cohort_id}`).set('cookie', cookie).expect(200);
    });
  });

  describe('deep linking', () => {
    const deepLinkLaunch = (roles = [LIS_ROLES.instructor]): TestLaunch => ({
      messageType: 'LtiDeepLinkingRequest',
      user: { sub: 'lms-teacher-1', name: 'Grace Hopper' },
      roles,
      context: { id: 'course-101', title: 'Cloud Security 101' },
      targetLinkUri: `${origin}/lti/launch`,
      deepLinking: { data: 'opaque-platform-data' },
    });

    it('lets an instructor pick a module and returns a signed content item the platform accepts', async () => {
      const { response } = await launchAs(deepLinkLaunch());
      expect(response.status).toBe(303);
      const picker: string = response.headers.location;
      expect(picker).toMatch(/^\/lti\/deep-link\/[A-Za-z0-9_-]{43}$/);

      const page = await request(t.server).get(picker).expect(200);
      expect(page.text).toContain(`value="${MODULE5_SLUG}"`);
      const answered = await request(t.server).post(picker).type('form').send({ module: MODULE5_SLUG }).expect(200);
      expect(answered.headers['content-security-policy']).toContain(`form-action 'self' ${platform.url}`);
      const form = parseAutoPostForm(answered.text);
      expect(form.action).toBe(platform.deepLinkReturnUrl);

      const posted = await fetch(form.action, { method: 'POST', body: new URLSearchParams(form.fields) });
      expect(posted.ok).toBe(true);
      const received = platform.deepLinkResponses.at(-1)!;
      expect(received.error).toBeUndefined();
      expect(received.accepted).toBe(true);
      expect(received.claims?.[LTI_CLAIMS.deepLinkingData]).toBe('opaque-platform-data');
      expect(received.contentItems).toEqual([
        expect.objectContaining({
          type: 'ltiResourceLink',
          url: `${origin}/lti/launch`,
          custom: { module: MODULE5_SLUG },
          lineItem: expect.objectContaining({ scoreMaximum: 100, resourceId: `module:${MODULE5_SLUG}` }),
        }),
      ]);

      // Answered once: the picker is gone.
      expectRefusal(
        await request(t.server).post(picker).type('form').send({ module: MODULE5_SLUG }),
        404,
        /expired or was already answered/,
      );
    });

    it('is for instructors only', async () => {
      const { response } = await launchAs({
        ...deepLinkLaunch(),
        roles: [LIS_ROLES.learner],
        user: { sub: 'lms-user-1' },
      });
      expectRefusal(response, 403, /Only instructors/);
    });
  });

  describe('refusals', () => {
    beforeEach(() => {
      warnings = jest.spyOn(Logger.prototype, 'warn');
    });
    afterEach(() => warnings?.mockRestore());

    it('a replayed id_token (its state and nonce served once)', async () => {
      const { response, fields } = await launchAs(learnerLaunch());
      expect(response.status).toBe(303);
      expectRefusal(
        await request(t.server).post('/lti/launch').type('form').send(fields),
        400,
        /already used/,
        /LTI refused: state unknown, expired or used/,
      );
      // Nor with the state of a new login: the nonce is not that login's.
      const authorization = await login(learnerLaunch());
      const replay = await request(t.server)
        .post('/lti/launch')
        .type('form')
        .send({ id_token: fields.id_token, state: authorization.searchParams.get('state') });
      expectRefusal(replay, 400, /could not be checked/, /LTI refused: nonce mismatch/);
    });

    it('a wrong aud', async () => {
      expectRefusal(
        await craftedLaunch(learnerLaunch(), (claims) => ({ ...claims, aud: 'another-tool' })),
        400,
        /could not be checked/,
        /LTI refused: id_token refused: ERR_JWT_CLAIM_VALIDATION_FAILED .*"aud"/,
      );
    });

    it('an unknown kid that the JWKS also lacks', async () => {
      const stray = await platform.strayKey();
      const response = await craftedLaunch(learnerLaunch(), undefined, (claims) =>
        platform.signIdToken(claims, { key: stray, kid: 'not-in-the-jwks' }),
      );
      expectRefusal(response, 400, /could not be checked/, /LTI refused: no key in \S+ matches the id_token's kid/);
    });

    it('an expired token', async () => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      expectRefusal(
        await craftedLaunch(learnerLaunch(), (claims) => ({ ...claims, iat: past - 300, exp: past })),
        400,
        /expired/,
        /LTI refused: id_token expired/,
      );
    });

    it('alg: none', async () => {
      expectRefusal(
        await craftedLaunch(learnerLaunch(), undefined, (claims) => Promise.resolve(unsignedJwt(claims))),
        400,
        /could not be checked/,
        /LTI refused: id_token alg none refused/,
      );
    });

    it('an HS256 token signed with the platform’s public key', async () => {
      const response = await craftedLaunch(learnerLaunch(), undefined, (claims) =>
        Promise.resolve(hmacJwt(claims, platform.publicKeyPem, { kid: platform.publicJwk.kid })),
      );
      expectRefusal(response, 400, /could not be checked/, /LTI refused: id_token alg HS256 refused/);
    });

    it('an unknown deployment id', async () => {
      const response = await craftedLaunch(learnerLaunch(), (claims) => ({
        ...claims,
        [LTI_CLAIMS.deploymentId]: 'deployment-elsewhere',
      }));
      expectRefusal(
        response,
        400,
        /not set up for this part of your course system/,
        /LTI refused: unknown deployment deployment-elsewhere/,
      );
    });

    it('a state mismatch', async () => {
      const authorization = await login(learnerLaunch());
      const nonce = authorization.searchParams.get('nonce')!;
      const idToken = await platform.signIdToken(platform.launchClaims(learnerLaunch(), nonce));
      const response = await request(t.server)
        .post('/lti/launch')
        .type('form')
        .send({ id_token: idToken, state: 'x'.repeat(43) });
      expectRefusal(response, 400, /expired or was already used/, /LTI refused: state unknown, expired or used/);
    });

    it('a missing message_type', async () => {
      const response = await craftedLaunch(learnerLaunch(), (claims) => {
        const { [LTI_CLAIMS.messageType]: _dropped, ...rest } = claims;
        return rest;
      });
      expectRefusal(response, 400, /not one the tool understands/, /LTI refused: message_type undefined not served/);
    });

    it('a resource link whose module is gone', async () => {
      const { response } = await launchAs(
        learnerLaunch({ resourceLink: { id: 'link-gone' }, custom: { module: '99-a-module-never-imported' } }),
      );
      expectRefusal(
        response,
        404,
        /no longer available/,
        /LTI refused: resource link link-gone names module 99-a-module-never-imported, which does not exist/,
      );
    });

    it('a login from a platform that is not registered, or for a target elsewhere', async () => {
      const unknown = await request(t.server)
        .post('/lti/login')
        .type('form')
        .send({ iss: 'https://unknown.example.edu', login_hint: 'x', target_link_uri: `${origin}/lti/launch` });
      expectRefusal(unknown, 400, /not registered/);
      const foreign = await request(t.server)
        .get('/lti/login')
        .query({ iss: platform.issuer, login_hint: 'x', target_link_uri: 'https://evil.example/steal' });
      expectRefusal(foreign, 400, /somewhere other than this tool/);
    });

    it('the platform’s own error answer, in its words and escaped', async () => {
      const response = await request(t.server)
        .post('/lti/launch')
        .type('form')
        .send({ error: 'login_required', error_description: '<script>alert(1)</script>' });
      expectRefusal(response, 400, /refused the launch/);
      expect(response.text).not.toContain('<script>alert');
      expect(response.text).toContain('&lt;script&gt;');
    });
  });
});
