import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { TokenService } from '../src/auth/token.service';
import { createTestApp, type TestApp } from './support/app';
import { registerPlatform } from './support/lti-tool';
import { importModule, MODULE5_ANSWERS, MODULE5_MARKDOWN, MODULE5_SLUG } from './support/content';
import { bearer, createUser, type TestUser } from './support/identity';
import {
  LIS_ROLES,
  startTestPlatform,
  type TestLaunch,
  type TestMember,
  type TestPlatform,
} from './support/lti-platform';

/**
 * Rosters from the LMS (issue 17, NRPS 2.0): an instructor's launch and POST /v1/cohorts/{id}/lti-roster-sync
 * read the course's membership container page by page and bring the cohort's roster in step with it.
 */
describe('LTI rosters by NRPS (e2e)', () => {
  const COURSE = 'course-nrps';
  let t: TestApp;
  let platform: TestPlatform;
  let admin: TestUser;
  let origin: string;
  let cohortId: string;
  let handAdded: TestUser;
  const db = () => t.app.get(DataSource);

  const launch = (user: TestLaunch['user'], roles: string[], overrides: Partial<TestLaunch> = {}): TestLaunch => ({
    user,
    roles,
    context: { id: COURSE, title: 'Roster course' },
    resourceLink: { id: 'link-nrps', title: 'Module 5 knowledge check' },
    custom: { module: MODULE5_SLUG },
    targetLinkUri: `${origin}/lti/launch`,
    nrps: true,
    ...overrides,
  });

  /** Login, the platform's authorization, the id_token posted back: the launch a browser makes. */
  async function launchAs(prepared: TestLaunch) {
    const login = await request(t.server)
      .post('/lti/login')
      .type('form')
      .send(platform.prepareLaunch(prepared).loginParameters)
      .expect(302);
    const posted = await platform.authenticate(login.headers.location);
    return request(t.server).post('/lti/launch').type('form').send(posted.fields);
  }

  const teacher = { sub: 'nrps-teacher', name: 'Grace Hopper', email: 'grace@nrps.example.edu' };
  const instructorToken = async () => {
    const [row] = await db().query(
      `SELECT u.id, u.roles FROM lti_identities i JOIN users u ON u.id = i.user_id WHERE i.sub = $1`,
      [teacher.sub],
    );
    return t.app.get(TokenService).signAccessToken({ kind: 'user', id: row.id, roles: row.roles }).token;
  };

  const syncRequests = () => platform.requests.filter((r) => r.path.startsWith(`/contexts/${COURSE}/memberships`));
  const auditCount = async () =>
    Number(
      (
        await db().query(
          `SELECT count(*) AS n FROM audit_events WHERE action = 'cohort.roster_synced' AND target_id = $1`,
          [cohortId],
        )
      )[0].n,
    );
  const rosterEvents = (): Promise<{ data: { added: { id: string }[]; removed: { id: string }[] } }[]> =>
    db().query(`SELECT data FROM events WHERE type = 'cohort.roster_changed' AND data->>'cohortId' = $1 ORDER BY seq`, [
      cohortId,
    ]);
  /** Every membership of the cohort, by the platform's user id (or the e-mail of a member from elsewhere). */
  async function roster(): Promise<Record<string, { role: string; status: string; email: string }>> {
    const rows = await db().query(
      `SELECT coalesce(i.sub, u.email) AS key, m.role, m.status, u.email
         FROM cohort_members m JOIN users u ON u.id = m.user_id
         LEFT JOIN lti_identities i ON i.user_id = m.user_id
        WHERE m.cohort_id = $1`,
      [cohortId],
    );
    return Object.fromEntries(
      rows.map((row: { key: string; role: string; status: string; email: string }) => [
        row.key,
        { role: row.role, status: row.status, email: row.email },
      ]),
    );
  }

  async function eventually(check: () => boolean | Promise<boolean>, what: string) {
    const until = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const members = (): TestMember[] => [
    { user_id: teacher.sub, roles: [LIS_ROLES.instructor], status: 'Active', name: teacher.name },
    // No status: Active (NRPS 2.0).
    { user_id: 'nrps-ada', roles: [LIS_ROLES.learner], name: 'Ada Lovelace', email: 'Ada@NRPS.example.edu' },
    { user_id: 'nrps-alan', roles: [LIS_ROLES.learner], status: 'Active', given_name: 'Alan', family_name: 'Turing' },
    { user_id: 'nrps-ta', roles: [LIS_ROLES.teachingAssistant], status: 'Active', name: 'Tess Assistant' },
    // Unknown here and not in the course: no user is made.
    { user_id: 'nrps-gone', roles: [LIS_ROLES.learner], status: 'Inactive', name: 'Gone Before' },
    // Was in the cohort (launched), now deleted from the course.
    { user_id: 'nrps-old', roles: [LIS_ROLES.learner], status: 'Deleted', name: 'Old Learner' },
    { user_id: 'nrps-paused', roles: [LIS_ROLES.learner], status: 'Inactive', name: 'Paused Learner' },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    // Two members a page: the roster of seven comes in four pages.
    platform = await startTestPlatform({ toolJwksUrl: () => `${origin}/lti/jwks`, pageSize: 2 });
    platform.setRedirectUris(`${origin}/lti/launch`);
    admin = await createUser(t, ['admin']);
    await importModule(t, MODULE5_MARKDOWN, MODULE5_ANSWERS);
    await registerPlatform(t, admin, platform);

    // Learners' launches: no sync (only an instructor's launch brings the roster in).
    for (const sub of ['nrps-old', 'nrps-paused']) {
      expect((await launchAs(launch({ sub, name: sub }, [LIS_ROLES.learner]))).status).toBe(303);
    }
    [{ cohort_id: cohortId }] = await db().query(`SELECT cohort_id FROM lti_contexts WHERE context_id = $1`, [COURSE]);
    // A member added here by hand, whom the LMS does not know.
    handAdded = await createUser(t, ['learner']);
    await request(t.server)
      .post(`/v1/cohorts/${cohortId}/members`)
      .set(bearer(admin.token))
      .send({ userId: handAdded.id })
      .expect(201);
    // An account here already holds the e-mail the platform gives Alan.
    const holder = await createUser(t, ['learner']);
    platform.setMembers(COURSE, [
      ...members().map((member) => (member.user_id === 'nrps-alan' ? { ...member, email: holder.email } : member)),
    ]);
    expect(syncRequests()).toHaveLength(0);
  });
  afterAll(async () => {
    await platform?.close();
    await t?.close();
  });

  it('an instructor’s launch brings the course’s roster in, every page, after the launch has answered', async () => {
    const eventsBefore = (await rosterEvents()).length;
    // A slow first page: the launch must not wait for it.
    platform.answerNext({ delayMs: 1_500 }, { path: `/contexts/${COURSE}/memberships` });
    const started = Date.now();
    const response = await launchAs(launch(teacher, [LIS_ROLES.instructor]));
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/teach/cohorts/${cohortId}`);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await auditCount()).toBe(0);
    await eventually(async () => (await auditCount()) === 1, 'the roster sync after the launch');

    expect(syncRequests().length).toBe(4);
    const now = await roster();
    expect(now[teacher.sub]).toMatchObject({ role: 'instructor', status: 'active' });
    expect(now['nrps-ada']).toEqual({ role: 'learner', status: 'active', email: 'ada@nrps.example.edu' });
    expect(now['nrps-alan']).toMatchObject({ role: 'learner', status: 'active' });
    expect(now['nrps-alan'].email).toMatch(/@lti\.invalid$/);
    expect(now['nrps-ta']).toMatchObject({ role: 'instructor', status: 'active' });
    expect(now['nrps-old']).toMatchObject({ role: 'learner', status: 'inactive' });
    expect(now['nrps-paused']).toMatchObject({ status: 'inactive' });
    expect(now['nrps-gone']).toBeUndefined();
    expect(now[handAdded.email]).toMatchObject({ status: 'active' });

    // Users made as a launch makes them: external id = the platform's id, never an admin.
    const made = await db().query(
      `SELECT i.sub, u.external_id, u.display_name, u.roles FROM lti_identities i JOIN users u ON u.id = i.user_id
        WHERE i.sub = ANY($1) ORDER BY i.sub`,
      [['nrps-ada', 'nrps-alan', 'nrps-gone', 'nrps-ta']],
    );
    expect(made).toEqual([
      { sub: 'nrps-ada', external_id: 'nrps-ada', display_name: 'Ada Lovelace', roles: ['learner'] },
      { sub: 'nrps-alan', external_id: 'nrps-alan', display_name: 'Alan Turing', roles: ['learner'] },
      { sub: 'nrps-ta', external_id: 'nrps-ta', display_name: 'Tess Assistant', roles: ['instructor'] },
    ]);

    const events = (await rosterEvents()).slice(eventsBefore);
    // The instructor's own launch emits none (it names learners only); the sync one.
    expect(events).toHaveLength(1);
    const ids = async (subs: string[]) =>
      (await db().query(`SELECT user_id FROM lti_identities WHERE sub = ANY($1) ORDER BY user_id`, [subs])).map(
        (row: { user_id: string }) => row.user_id,
      );
    expect(events[0].data.added.map((user) => user.id).sort()).toEqual(await ids(['nrps-ada', 'nrps-alan', 'nrps-ta']));
    expect(events[0].data.removed.map((user) => user.id).sort()).toEqual(await ids(['nrps-old', 'nrps-paused']));
    const [audit] = await db().query(
      `SELECT actor_type, after FROM audit_events WHERE action = 'cohort.roster_synced' AND target_id = $1`,
      [cohortId],
    );
    expect(audit).toMatchObject({
      actor_type: 'system',
      after: { via: 'lti', trigger: 'launch', added: 3, deactivated: 2, createdUsers: 3, platformTotal: 7 },
    });
  });

  it('a second sync changes nothing and says so: no event, no audit entry', async () => {
    const eventsBefore = (await rosterEvents()).length;
    const token = await instructorToken();
    const response = await request(t.server)
      .post(`/v1/cohorts/${cohortId}/lti-roster-sync`)
      .set(bearer(token))
      .expect(200);
    expect(response.body).toEqual({
      added: 0,
      reactivated: 0,
      deactivated: 0,
      roleChanged: 0,
      unchanged: 7,
      createdUsers: 0,
      platformTotal: 7,
    });
    expect(await rosterEvents()).toHaveLength(eventsBefore);
    expect(await auditCount()).toBe(1);
  });

  it('on demand: a learner back in the course is reactivated, one who left it made inactive, the hand-added member stays', async () => {
    platform.setMembers(
      COURSE,
      members()
        .filter((member) => member.user_id !== 'nrps-ada')
        .map((member) => (member.user_id === 'nrps-paused' ? { ...member, status: 'Active' as const } : member)),
    );
    const eventsBefore = (await rosterEvents()).length;
    const response = await request(t.server)
      .post(`/v1/cohorts/${cohortId}/lti-roster-sync`)
      .set(bearer(admin.token))
      .expect(200);
    expect(response.body).toMatchObject({
      added: 0,
      reactivated: 1,
      deactivated: 1,
      createdUsers: 0,
      platformTotal: 6,
    });
    const now = await roster();
    expect(now['nrps-paused'].status).toBe('active');
    expect(now['nrps-ada'].status).toBe('inactive');
    expect(now[handAdded.email].status).toBe('active');
    const events = (await rosterEvents()).slice(eventsBefore);
    expect(events).toHaveLength(1);
    expect(events[0].data.added).toHaveLength(1);
    expect(events[0].data.removed).toHaveLength(1);
    expect(await auditCount()).toBe(2);
  });

  it('answers 502 with the platform’s answer when the platform is down, and changes nothing', async () => {
    platform.setMembers(COURSE, []);
    const before = await roster();
    const eventsBefore = (await rosterEvents()).length;
    platform.down(true);
    try {
      const response = await request(t.server)
        .post(`/v1/cohorts/${cohortId}/lti-roster-sync`)
        .set(bearer(admin.token))
        .expect(502);
      expect(response.body).toMatchObject({
        status: 502,
        type: '/problems/upstream-failed',
        platformStatus: 503,
        platformAnswer: 'down for maintenance',
      });
    } finally {
      platform.down(false);
    }
    // A roster that never ends is no roster: refused whole rather than synced in part.
    platform.setMembers(COURSE, [], { paging: 'repeat-self' });
    const looping = await request(t.server)
      .post(`/v1/cohorts/${cohortId}/lti-roster-sync`)
      .set(bearer(admin.token))
      .expect(502);
    expect(looping.body).toMatchObject({ platformStatus: null, platformAnswer: expect.stringMatching(/repeats/) });
    platform.setMembers(COURSE, []);
    expect(await roster()).toEqual(before);
    expect(await rosterEvents()).toHaveLength(eventsBefore);
  });

  it('refuses a learner (403), an instructor of another cohort (404), and a cohort that is no LMS course (409)', async () => {
    const learner = await createUser(t, ['learner']);
    await request(t.server).post(`/v1/cohorts/${cohortId}/lti-roster-sync`).set(bearer(learner.token)).expect(403);
    const [ada] = await db().query(
      `SELECT u.id, u.roles FROM lti_identities i JOIN users u ON u.id = i.user_id WHERE i.sub = 'nrps-ada'`,
    );
    const adaToken = t.app.get(TokenService).signAccessToken({ kind: 'user', id: ada.id, roles: ada.roles }).token;
    await request(t.server).post(`/v1/cohorts/${cohortId}/lti-roster-sync`).set(bearer(adaToken)).expect(403);

    const stranger = await createUser(t, ['instructor']);
    await request(t.server).post(`/v1/cohorts/${cohortId}/lti-roster-sync`).set(bearer(stranger.token)).expect(404);

    const plain = await request(t.server)
      .post('/v1/cohorts')
      .set(bearer(admin.token))
      .send({ name: 'Taught here only' })
      .expect(201);
    const refused = await request(t.server)
      .post(`/v1/cohorts/${plain.body.id}/lti-roster-sync`)
      .set(bearer(admin.token))
      .expect(409);
    expect(refused.body).toMatchObject({ type: '/problems/no-lti-roster', detail: expect.stringMatching(/LMS/) });
  });

  it('a failed sync never fails an instructor’s launch, and changes nothing', async () => {
    platform.setMembers(COURSE, []);
    const before = await roster();
    const eventsBefore = (await rosterEvents()).length;
    const asked = syncRequests().length;
    platform.answerNext({ status: 500, body: 'lms exploded' }, { path: `/contexts/${COURSE}/memberships` });
    const response = await launchAs(launch(teacher, [LIS_ROLES.instructor]));
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/teach/cohorts/${cohortId}`);
    await eventually(() => syncRequests().length > asked, 'the sync’s call to the platform');
    // The failed sync has nothing left to do; give its logging a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await roster()).toEqual(before);
    expect(await rosterEvents()).toHaveLength(eventsBefore);
  });

  it('a course whose launches never offered NRPS answers 409, and its instructor’s launch does not call the platform', async () => {
    const requestsBefore = platform.requests.filter((r) => r.path.includes('/memberships')).length;
    const response = await launchAs(
      launch(teacher, [LIS_ROLES.instructor], { context: { id: 'course-no-nrps', title: 'No roster' }, nrps: false }),
    );
    expect(response.status).toBe(303);
    const [{ cohort_id: other }] = await db().query(`SELECT cohort_id FROM lti_contexts WHERE context_id = $1`, [
      'course-no-nrps',
    ]);
    const refused = await request(t.server)
      .post(`/v1/cohorts/${other}/lti-roster-sync`)
      .set(bearer(await instructorToken()))
      .expect(409);
    expect(refused.body.detail).toMatch(/memberships URL/);
    expect(platform.requests.filter((r) => r.path.includes('/memberships'))).toHaveLength(requestsBefore);
  });
});
