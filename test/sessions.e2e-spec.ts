import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/app';
import { bearer, createUser, type TestUser } from './support/identity';

/** The pages' cookie sessions (issue 16): sign-in, CSRF on changes, sign-out, and who may open which page. */
describe('page sessions (e2e)', () => {
  let t: TestApp;
  let learner: TestUser;
  let instructor: TestUser;
  const db = () => t.app.get(DataSource);

  async function signIn(user: TestUser) {
    const response = await request(t.server)
      .post('/v1/auth/session')
      .set('host', 'localhost:3000')
      .send({ email: user.email, password: user.password })
      .expect(200);
    const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    const cookie = setCookie.find((line) => line.startsWith('session='))!;
    return {
      cookie: cookie.split(';')[0],
      setCookie: cookie,
      csrf: response.body.csrfToken as string,
      body: response.body,
    };
  }

  beforeAll(async () => {
    t = await createTestApp();
    learner = await createUser(t, ['learner']);
    instructor = await createUser(t, ['instructor']);
  });
  afterAll(() => t.close());

  it('signs in with email and password into an HttpOnly SameSite cookie; only the hash is stored', async () => {
    const session = await signIn(learner);
    expect(session.setCookie).toMatch(/HttpOnly/i);
    expect(session.setCookie).toMatch(/SameSite=Lax/i);
    expect(session.setCookie).not.toMatch(/Secure/i); // localhost: plain http allowed
    expect(session.body).toMatchObject({ user: { id: learner.id, email: learner.email, roles: ['learner'] } });
    const token = session.cookie.slice('session='.length);
    const stored = await db().query('SELECT token_hash FROM web_sessions WHERE user_id = $1', [learner.id]);
    expect(stored).toHaveLength(1);
    expect(stored[0].token_hash).not.toBe(token);

    // Outside localhost the cookie is Secure.
    const remote = await request(t.server)
      .post('/v1/auth/session')
      .set('host', 'quiz.example.edu')
      .send({ email: learner.email, password: learner.password })
      .expect(200);
    expect(String(remote.headers['set-cookie'])).toMatch(/Secure/i);

    await request(t.server)
      .post('/v1/auth/session')
      .send({ email: learner.email, password: 'wrong' })
      .expect(401)
      .expect((res) => expect(res.body.type).toBe('/problems/invalid-credentials'));
    // A cross-site form cannot sign anyone in: JSON only.
    await request(t.server)
      .post('/v1/auth/session')
      .type('form')
      .send({ email: learner.email, password: learner.password })
      .expect(400);
  });

  it('serves /v1 with the cookie as with a token, and refuses changes without the CSRF token', async () => {
    const { cookie, csrf } = await signIn(learner);
    const me = await request(t.server).get('/v1/users/me').set('cookie', cookie).expect(200);
    expect(me.body.id).toBe(learner.id);
    await request(t.server)
      .patch('/v1/users/me')
      .set('cookie', cookie)
      .send({ displayName: 'No token' })
      .expect(403)
      .expect((res) => expect(res.body.type).toBe('/problems/csrf'));
    await request(t.server)
      .patch('/v1/users/me')
      .set('cookie', cookie)
      .set('x-csrf-token', `${csrf.slice(0, -1)}x`)
      .send({ displayName: 'Wrong token' })
      .expect(403);
    await request(t.server)
      .patch('/v1/users/me')
      .set('cookie', cookie)
      .set('x-csrf-token', csrf)
      .send({ displayName: 'With token' })
      .expect(200);
    // Role checks are the same: a learner's cookie does not open staff routes.
    await request(t.server).get('/v1/users').set('cookie', cookie).expect(403);
    // A bearer token wins over a cookie (and needs no CSRF token).
    await request(t.server)
      .patch('/v1/users/me')
      .set('cookie', cookie)
      .set(bearer(learner.token))
      .send({ displayName: 'Bearer' })
      .expect(200);
    await request(t.server).get('/v1/users/me').set('cookie', 'session=not-a-session').expect(401);
  });

  it('signs out (with the CSRF token), after which neither the cookie nor the pages work', async () => {
    const { cookie, csrf } = await signIn(learner);
    const current = await request(t.server).get('/v1/auth/session').set('cookie', cookie).expect(200);
    expect(current.body.csrfToken).toBe(csrf);
    await request(t.server).delete('/v1/auth/session').set('cookie', cookie).expect(403);
    await request(t.server).delete('/v1/auth/session').set('cookie', cookie).set('x-csrf-token', csrf).expect(204);
    await request(t.server).get('/v1/auth/session').set('cookie', cookie).expect(401);
    await request(t.server).get('/v1/users/me').set('cookie', cookie).expect(401);
    const page = await request(t.server).get('/learn').set('cookie', cookie).expect(303);
    expect(page.headers.location).toBe('/sign-in?next=%2Flearn');
  });

  it('ends every session when the password changes', async () => {
    const user = await createUser(t, ['learner']);
    const { cookie, csrf } = await signIn(user);
    await request(t.server)
      .patch('/v1/users/me')
      .set('cookie', cookie)
      .set('x-csrf-token', csrf)
      .send({ password: 'a-new-password-of-enough-length', currentPassword: user.password })
      .expect(200);
    await request(t.server).get('/v1/users/me').set('cookie', cookie).expect(401);
  });

  it('opens pages by role with a strict CSP: learners get 404 on staff pages, signed-out visitors the sign-in', async () => {
    const signInPage = await request(t.server).get('/sign-in').expect(200);
    expect(signInPage.headers['content-type']).toMatch(/text\/html/);
    const csp = String(signInPage.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect((await request(t.server).get('/').expect(303)).headers.location).toBe('/sign-in');

    const asLearner = await signIn(learner);
    expect((await request(t.server).get('/').set('cookie', asLearner.cookie).expect(303)).headers.location).toBe(
      '/learn',
    );
    await request(t.server).get('/learn/modules/anything').set('cookie', asLearner.cookie).expect(200);
    await request(t.server).get('/teach').set('cookie', asLearner.cookie).expect(404);
    await request(t.server).get('/teach/cohorts/x').set('cookie', asLearner.cookie).expect(404);
    await request(t.server).get('/admin').set('cookie', asLearner.cookie).expect(404);

    const asInstructor = await signIn(instructor);
    expect((await request(t.server).get('/').set('cookie', asInstructor.cookie).expect(303)).headers.location).toBe(
      '/teach',
    );
    await request(t.server).get('/teach/cohorts/x').set('cookie', asInstructor.cookie).expect(200);
    await request(t.server).get('/admin').set('cookie', asInstructor.cookie).expect(404);
  });

  it('puts the session in each page it opens (data-session, escaped), as GET /v1/auth/session has it', async () => {
    const user = await createUser(t, ['learner']);
    const { cookie, csrf } = await signIn(user);
    await request(t.server)
      .patch('/v1/users/me')
      .set('cookie', cookie)
      .set('x-csrf-token', csrf)
      .send({ displayName: 'Ann "<b>bold</b>" & O\'Neil' })
      .expect(200);
    const current = (await request(t.server).get('/v1/auth/session').set('cookie', cookie).expect(200)).body;
    const embedded = (html: string) => {
      const value = /<main id="app"[^>]* data-session="([^"]*)"/.exec(html)?.[1];
      return value === undefined
        ? undefined
        : JSON.parse(value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))));
    };
    const page = await request(t.server).get('/learn/modules/anything').set('cookie', cookie).expect(200);
    expect(page.text).not.toContain('<b>');
    expect(embedded(page.text)).toEqual(current);
    // A staff page a learner may not open: the 404 shell, with the session for the header.
    const denied = await request(t.server).get('/teach').set('cookie', cookie).expect(404);
    expect(denied.text).toContain('data-status="404"');
    expect(embedded(denied.text)).toEqual(current);
    // Nobody signed in, nothing to carry.
    expect(embedded((await request(t.server).get('/sign-in').expect(200)).text)).toBeUndefined();
  });
});
