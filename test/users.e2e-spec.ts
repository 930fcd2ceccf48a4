import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../src/audit/audit-event.entity';
import { AuditService } from '../src/audit/audit.service';
import { User } from '../src/users/user.entity';
import { createTestApp, type TestApp } from './support/app';
import { allPages, bearer, createClient, createUser, passwordGrant, type TestUser } from './support/identity';

describe('users and access control (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let learnerA: TestUser;
  let learnerB: TestUser;
  let instructor: TestUser;

  const audit = (targetId: string) =>
    t.app
      .get(DataSource)
      .getRepository(AuditEvent)
      .find({ where: { targetId }, order: { createdAt: 'ASC' } });
  const stored = (id: string) => t.app.get(DataSource).getRepository(User).findOneByOrFail({ id });

  beforeAll(async () => {
    t = await createTestApp();
    [admin, learnerA, learnerB, instructor] = await Promise.all([
      createUser(t, ['admin']),
      createUser(t, ['learner']),
      createUser(t, ['learner']),
      createUser(t, ['instructor']),
    ]);
  });
  afterAll(() => t.close());

  describe('mass assignment', () => {
    it.each([
      ['roles', { roles: ['admin'] }],
      ['id', { id: '00000000-0000-4000-8000-000000000000' }],
      ['email', { email: 'someone-else@test.example' }],
    ])('refuses a learner who sends %s about themselves with 400, changing nothing', async (field, body) => {
      const before = await stored(learnerA.id);
      const res = await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(learnerA.token))
        .send({ displayName: 'Sneaky', ...body })
        .expect(400);
      expect(res.body.errors).toEqual([{ field, messages: [expect.stringMatching(/should not exist/)] }]);
      const after = await stored(learnerA.id);
      expect(after).toEqual(before);
    });

    it('lets a learner change their own name and, with the current password, their password', async () => {
      const me = await createUser(t, ['learner']);
      await request(t.server).patch('/v1/users/me').set(bearer(me.token)).send({ displayName: 'New Name' }).expect(200);
      await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(me.token))
        .send({ password: 'a-brand-new-password', currentPassword: 'wrong' })
        .expect(400);
      await request(t.server)
        .patch('/v1/users/me')
        .set(bearer(me.token))
        .send({ password: 'a-brand-new-password', currentPassword: me.password })
        .expect(200);
      await passwordGrant(t, me.email, 'a-brand-new-password').expect(200);
      const events = await audit(me.id);
      expect(events.map((e) => e.action)).toEqual(['user.created', 'user.updated', 'user.updated']);
      expect(JSON.stringify(events)).not.toMatch(/argon2|a-brand-new-password/);
    });
  });

  describe('function level', () => {
    it.each([
      ['POST', '/v1/users'],
      ['GET', '/v1/users'],
      ['PATCH', '/v1/users/00000000-0000-4000-8000-000000000000'],
      ['DELETE', '/v1/users/00000000-0000-4000-8000-000000000000'],
      ['PUT', '/v1/users/by-external-id/lms-1'],
      ['POST', '/v1/clients'],
      ['GET', '/v1/clients'],
    ])('gives a learner 403 on %s %s', async (method, path) => {
      const res = await request(t.server)[method.toLowerCase() as 'get'](path).set(bearer(learnerA.token)).send({});
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('/problems/forbidden');
    });

    it('gives a client without users:write 403 on user writes, and lets one with it write', async () => {
      const reader = await createClient(t, ['users:read', 'progress:read']);
      const body = { email: 'from-lms@test.example', displayName: 'From LMS', roles: ['learner'] };
      await request(t.server).post('/v1/users').set(bearer(reader.token)).send(body).expect(403);
      await request(t.server)
        .put('/v1/users/by-external-id/lms-42')
        .set(bearer(reader.token))
        .send({ email: 'lms42@test.example', displayName: 'x' })
        .expect(403);
      const writer = await createClient(t, ['users:write']);
      await request(t.server).post('/v1/users').set(bearer(writer.token)).send(body).expect(201);
    });

    it('keeps machine clients from making admins, setting passwords or touching admins', async () => {
      const lms = await createClient(t, ['users:write', 'users:read']);
      const asAdmin = await request(t.server)
        .post('/v1/users')
        .set(bearer(lms.token))
        .send({ email: 'boss@test.example', displayName: 'Boss', roles: ['admin'], password: 'a-long-password-1' })
        .expect(400);
      expect(asAdmin.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['password', 'roles']);
      await request(t.server)
        .patch(`/v1/users/${learnerA.id}`)
        .set(bearer(lms.token))
        .send({ roles: ['admin'] })
        .expect(400);
      await request(t.server)
        .patch(`/v1/users/${admin.id}`)
        .set(bearer(lms.token))
        .send({ displayName: 'x' })
        .expect(404);
      await request(t.server).delete(`/v1/users/${admin.id}`).set(bearer(lms.token)).expect(404);
      expect((await stored(admin.id)).roles).toEqual(['admin']);
    });

    it('writes nothing when the audit event cannot be written: one transaction', async () => {
      const failing = jest
        .spyOn(t.app.get(AuditService), 'record')
        .mockRejectedValueOnce(new Error('audit store down'));
      await request(t.server)
        .post('/v1/users')
        .set(bearer(admin.token))
        .send({ email: 'unaudited@test.example', displayName: 'Nobody', roles: ['learner'] })
        .expect(500);
      failing.mockRestore();
      expect(await t.app.get(DataSource).getRepository(User).countBy({ email: 'unaudited@test.example' })).toBe(0);
    });

    it('answers 401 without a token', async () => {
      await request(t.server).get('/v1/users/me').expect(401);
      await request(t.server).get('/v1/users').expect(401);
    });
  });

  describe('object level', () => {
    it('gives learner B a 404 for learner A’s record, as for a user that does not exist', async () => {
      const res = await request(t.server).get(`/v1/users/${learnerA.id}`).set(bearer(learnerB.token)).expect(404);
      const missing = await request(t.server)
        .get('/v1/users/00000000-0000-4000-8000-000000000000')
        .set(bearer(learnerB.token))
        .expect(404);
      expect(res.body.detail).toBe(missing.body.detail);
      await request(t.server).get(`/v1/users/${learnerB.id}`).set(bearer(learnerB.token)).expect(200);
      await request(t.server).get('/v1/users/not-a-uuid').set(bearer(learnerB.token)).expect(404);
    });

    it('gives an instructor 404 for a learner they do not teach', async () => {
      await request(t.server).get(`/v1/users/${learnerA.id}`).set(bearer(instructor.token)).expect(404);
    });

    it('lets an admin and a client with users:read read anyone', async () => {
      const client = await createClient(t, ['users:read']);
      await request(t.server).get(`/v1/users/${learnerA.id}`).set(bearer(admin.token)).expect(200);
      await request(t.server).get(`/v1/users/${learnerA.id}`).set(bearer(client.token)).expect(200);
      await request(t.server).get('/v1/users/me').set(bearer(client.token)).expect(403);
    });
  });

  describe('admin endpoints', () => {
    it('creates a user with an audit event carrying the request id, in the same transaction', async () => {
      const res = await request(t.server)
        .post('/v1/users')
        .set(bearer(admin.token))
        .set('X-Request-Id', 'create-user-1')
        .send({ email: 'New.Person@Test.Example', displayName: ' New Person ', roles: ['learner', 'instructor'] })
        .expect(201);
      expect(res.body).toMatchObject({ email: 'new.person@test.example', displayName: 'New Person' });
      expect(res.body.passwordHash).toBeUndefined();
      const [event] = await audit(res.body.id);
      expect(event).toMatchObject({
        actorType: 'user',
        actorId: admin.id,
        action: 'user.created',
        targetType: 'user',
        requestId: 'create-user-1',
        before: null,
      });
      expect(event.after).toMatchObject({ email: 'new.person@test.example', roles: ['learner', 'instructor'] });

      const duplicate = await request(t.server)
        .post('/v1/users')
        .set(bearer(admin.token))
        .send({ email: 'new.person@test.example', displayName: 'Again', roles: ['learner'] })
        .expect(409);
      expect(duplicate.body.detail).toMatch(/email/);
    });

    it('lists every field at fault in a bad create', async () => {
      const res = await request(t.server)
        .post('/v1/users')
        .set(bearer(admin.token))
        .send({ email: 'nope', displayName: '', roles: ['emperor'], password: 'short' })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'displayName',
        'email',
        'password',
        'roles',
      ]);
    });

    it('changes roles, recording before and after', async () => {
      const target = await createUser(t, ['learner']);
      await request(t.server)
        .patch(`/v1/users/${target.id}`)
        .set(bearer(admin.token))
        .send({ roles: ['learner', 'instructor'] })
        .expect(200);
      const events = await audit(target.id);
      expect(events.at(-1)).toMatchObject({
        action: 'user.updated',
        before: expect.objectContaining({ roles: ['learner'] }),
        after: expect.objectContaining({ roles: ['learner', 'instructor'] }),
      });
      // The change takes effect on the next request, without a new token.
      const me = await request(t.server).get('/v1/users/me').set(bearer(target.token)).expect(200);
      expect(me.body.roles).toEqual(['learner', 'instructor']);
    });

    it('upserts by external id idempotently, for LMS roster sync', async () => {
      const client = await createClient(t, ['users:write']);
      const body = { email: 'roster-7@test.example', displayName: 'Roster Seven' };
      const first = await request(t.server)
        .put('/v1/users/by-external-id/lms-7')
        .set(bearer(client.token))
        .send(body)
        .expect(200);
      expect(first.body).toMatchObject({ created: true, user: { externalId: 'lms-7', roles: ['learner'] } });
      const again = await request(t.server)
        .put('/v1/users/by-external-id/lms-7')
        .set(bearer(client.token))
        .send(body)
        .expect(200);
      expect(again.body).toMatchObject({ created: false, user: { id: first.body.user.id } });
      const renamed = await request(t.server)
        .put('/v1/users/by-external-id/lms-7')
        .set(bearer(client.token))
        .send({ ...body, displayName: 'Roster 7' })
        .expect(200);
      expect(renamed.body.user.displayName).toBe('Roster 7');
      expect((await audit(first.body.user.id)).map((e) => [e.action, e.actorType])).toEqual([
        ['user.created', 'client'],
        ['user.updated', 'client'],
      ]);
    });

    it('makes one user from parallel upserts of one external id', async () => {
      const client = await createClient(t, ['users:write']);
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(t.server)
            .put('/v1/users/by-external-id/lms-race')
            .set(bearer(client.token))
            .send({ email: 'race@test.example', displayName: 'Race' }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(results.filter((r) => r.body.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.body.user.id)).size).toBe(1);
    });

    it('pages through users with an opaque cursor, newest first, without repeats', async () => {
      const seen = (await allPages<{ id: string }>(t, '/v1/users', admin.token, 3)).map((user) => user.id);
      expect(new Set(seen).size).toBe(seen.length);
      const total = await t.app.get(DataSource).getRepository(User).count();
      expect(seen).toHaveLength(total);
      await request(t.server).get('/v1/users?cursor=garbage').set(bearer(admin.token)).expect(400);
      await request(t.server).get('/v1/users?limit=1000').set(bearer(admin.token)).expect(400);
    });

    it('pages through users created within the same millisecond without skipping one', async () => {
      // Microseconds apart, as a bulk roster sync creates them: the cursor holds milliseconds only.
      const ids: string[] = await t.app
        .get(DataSource)
        .query(
          `INSERT INTO users (email, display_name, roles, created_at)
         SELECT 'same-ms-' || g || '@example.com', 'Same ms ' || g, ARRAY['learner'],
                timestamptz '2031-01-01 00:00:00.123' + g * interval '1 microsecond'
           FROM generate_series(100, 700, 100) g
         RETURNING id`,
        )
        .then((rows: { id: string }[]) => rows.map((row) => row.id));
      const seen = (await allPages<{ id: string }>(t, '/v1/users', admin.token, 2)).map((user) => user.id);
      expect(seen.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
      expect(new Set(seen).size).toBe(seen.length);
    });
  });
});
