import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { fetch } from 'undici';
import {
  AgsClient,
  CLIENT_ASSERTION_TYPE,
  NrpsClient,
  PlatformCallError,
  PlatformTokens,
  SCOPES,
  type PlatformRef,
  type Score,
  type ToolSigner,
} from '../src/lti/platform-clients';
import {
  hmacJwt,
  LIS_ROLES,
  LTI_CLAIMS,
  parseAutoPostForm,
  startTestPlatform,
  type TestMember,
  type TestPlatform,
  unsignedJwt,
} from './support/lti-platform';

/*
 * The tool's calls to a platform (tokens, AGS, NRPS) against the test platform on loopback, and the
 * test platform's own checks. No database: everything here is HTTP between loopback servers.
 */

interface ToolKeys {
  signer: ToolSigner;
  /** Signs claims as they are, for assertions the tool would never make. */
  signRaw(claims: Record<string, unknown>): Promise<string>;
  jwksUrl: string;
  close(): Promise<void>;
}

/** The tool's key and a tiny server publishing its JWKS, as main's `/lti/jwks` will. */
async function startToolKeys(): Promise<ToolKeys> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = `tool-${randomUUID()}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const signRaw = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
  return {
    signer: {
      async sign(payload, { audience, expiresInSeconds }) {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT(payload)
          .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
          .setIssuedAt(typeof payload.iat === 'number' ? payload.iat : now)
          .setAudience(audience)
          .setExpirationTime(now + expiresInSeconds)
          .sign(privateKey);
      },
    },
    signRaw,
    jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let tool: ToolKeys;
let platform: TestPlatform;
let ref: PlatformRef;

beforeAll(async () => {
  tool = await startToolKeys();
  platform = await startTestPlatform({ toolJwksUrl: tool.jwksUrl, pageSize: 10 });
  ref = { id: 'platform-1', issuer: platform.issuer, clientId: platform.clientId, tokenUrl: platform.tokenUrl };
});

afterAll(async () => {
  await platform.close();
  await tool.close();
});

afterEach(() => {
  platform.down(false);
});

const score = (overrides: Partial<Score> = {}): Score => ({
  userId: 'learner-1',
  scoreGiven: 8,
  scoreMaximum: 10,
  activityProgress: 'Completed',
  gradingProgress: 'FullyGraded',
  timestamp: new Date().toISOString(),
  comment: 'Well done',
  ...overrides,
});

/** A line item of its own for each test, so timestamps and counts do not mix. */
function freshLineItem(contextId = 'course-1') {
  return platform.addLineItem(contextId, {
    label: 'Module 5 knowledge check',
    scoreMaximum: 10,
    resourceLinkId: `link-${randomUUID()}`,
    resourceId: 'module-5',
  });
}

const tokenRequestsSince = (before: number) => platform.tokenRequests.slice(before);

describe('PlatformTokens', () => {
  it('gets a token with a client assertion the platform verifies against the tool JWKS', async () => {
    const before = platform.tokenRequests.length;
    const tokens = new PlatformTokens(tool.signer);
    const token = await tokens.token(ref, [SCOPES.score, SCOPES.lineItem]);

    expect(token).toEqual(expect.any(String));
    const [request] = tokenRequestsSince(before);
    expect(request).toMatchObject({ accepted: true, scopes: [SCOPES.lineItem, SCOPES.score].sort() });
    const assertion = request.assertion!;
    expect(assertion).toMatchObject({ iss: ref.clientId, sub: ref.clientId, aud: platform.tokenUrl });
    expect(assertion.jti).toEqual(expect.any(String));
    expect(assertion.exp! - assertion.iat!).toBeLessThanOrEqual(300);
    const body = new URLSearchParams(platform.requests.filter((r) => r.path === '/token').at(-1)!.body);
    expect(body.get('grant_type')).toBe('client_credentials');
    expect(body.get('client_assertion_type')).toBe(CLIENT_ASSERTION_TYPE);
  });

  it('caches the token per platform and scopes, and callers at once share one request', async () => {
    const before = platform.tokenRequests.length;
    const tokens = new PlatformTokens(tool.signer);
    const first = await Promise.all([1, 2, 3].map(() => tokens.token(ref, [SCOPES.score])));
    const again = await tokens.token(ref, [SCOPES.score, SCOPES.score]);

    expect(new Set([...first, again]).size).toBe(1);
    expect(tokenRequestsSince(before)).toHaveLength(1);
    await tokens.token(ref, [SCOPES.contextMembershipReadOnly]);
    expect(tokenRequestsSince(before)).toHaveLength(2);
  });

  it('asks again once the token is within a minute of expiring', async () => {
    const short = await startTestPlatform({ toolJwksUrl: tool.jwksUrl, tokenLifetimeSeconds: 120 });
    try {
      let now = Date.now();
      const tokens = new PlatformTokens(tool.signer, {}, () => now);
      const shortRef = { ...ref, id: 'short', issuer: short.issuer, tokenUrl: short.tokenUrl };
      await tokens.token(shortRef, [SCOPES.score]);
      now += 59_000;
      await tokens.token(shortRef, [SCOPES.score]);
      expect(short.tokenRequests).toHaveLength(1);
      now += 2_000;
      await tokens.token(shortRef, [SCOPES.score]);
      expect(short.tokenRequests).toHaveLength(2);
    } finally {
      await short.close();
    }
  });

  it('throws a final PlatformCallError when the platform refuses the assertion (aud it does not expect)', async () => {
    const tokens = new PlatformTokens(tool.signer);
    const wrongAudience = { ...ref, id: 'wrong-aud', tokenAudience: 'https://elsewhere.example/token' };

    const error = await tokens.token(wrongAudience, [SCOPES.score]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PlatformCallError);
    expect((error as PlatformCallError).outcome).toMatchObject({ kind: 'final', status: 400 });
    expect((error as PlatformCallError).outcome.excerpt).toContain('invalid_client');
  });

  it('refuses a token answer that is not a bearer token as final, without keeping its body', async () => {
    platform.answerNext(
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"access_token":"s3cret","token_type":"mac"}',
      },
      { path: '/token' },
    );
    const error = await new PlatformTokens(tool.signer).token(ref, [SCOPES.score]).catch((caught: unknown) => caught);
    expect((error as PlatformCallError).outcome).toEqual({
      kind: 'final',
      status: 200,
      excerpt: 'token answer is not a Bearer token',
    });
  });

  it('throws a retry PlatformCallError when the token endpoint is down', async () => {
    platform.down(true, { retryAfterSeconds: 30 });
    const error = await new PlatformTokens(tool.signer).token(ref, [SCOPES.score]).catch((caught: unknown) => caught);
    expect((error as PlatformCallError).outcome).toEqual({
      kind: 'retry',
      status: 503,
      excerpt: 'down for maintenance',
      retryAfterSeconds: 30,
    });
  });
});

describe('AgsClient', () => {
  it('finds the line item of a resource link, following Link next across pages', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    // A platform that ignores the filters (some do): the one sought is on page 3 of 10 a page.
    for (let n = 0; n < 25; n++) {
      platform.addLineItem('course-paging', { label: `Other ${n}`, scoreMaximum: 5, resourceLinkId: `other-${n}` });
    }
    const wanted = platform.addLineItem('course-paging', {
      label: 'Module 5',
      scoreMaximum: 10,
      resourceLinkId: 'link-paging',
      resourceId: 'module-5',
    });
    platform.filterLineItems(false);
    const requestsBefore = platform.requests.length;

    try {
      // A line items URL with a query of its own, which must be kept.
      const url = await ags.findOrCreateLineItem(ref, `${platform.lineItemsUrl('course-paging')}?type=graded`, {
        resourceLinkId: 'link-paging',
        resourceId: 'module-5',
        label: 'Module 5',
        scoreMaximum: 10,
      });

      expect(url).toBe(wanted.id);
    } finally {
      platform.filterLineItems(true);
    }
    const gets = platform.requests.slice(requestsBefore).filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(3);
    expect(gets[0].path).toContain('type=graded');
    expect(gets[0].path).toContain('resource_link_id=link-paging');
    expect(gets[0].path).toContain('resource_id=module-5');
    expect(gets[2].path).toContain('offset=20');
    for (const get of gets) expect(get.headers.accept).toBe('application/vnd.ims.lis.v2.lineitemcontainer+json');
  });

  it('finds an existing line item in one request when the platform filters', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    const existing = freshLineItem('course-filtered');
    const requestsBefore = platform.requests.length;

    const url = await ags.findOrCreateLineItem(ref, platform.lineItemsUrl('course-filtered'), {
      resourceLinkId: existing.resourceLinkId!,
      resourceId: 'module-5',
      label: 'ignored',
      scoreMaximum: 10,
    });

    expect(url).toBe(existing.id);
    const calls = platform.requests.slice(requestsBefore).filter((r) => r.path.startsWith('/contexts/'));
    expect(calls.map((r) => r.method)).toEqual(['GET']);
  });

  it('creates the line item when the container has none, with the line item media type, then finds it', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    const resourceLinkId = `link-${randomUUID()}`;
    const item = { resourceLinkId, resourceId: 'module-5', label: 'Module 5 check', scoreMaximum: 12, tag: 'quiz' };
    const requestsBefore = platform.requests.length;

    const created = await ags.findOrCreateLineItem(ref, platform.lineItemsUrl('course-2'), item);
    const found = await ags.findOrCreateLineItem(ref, platform.lineItemsUrl('course-2'), item);

    expect(found).toBe(created);
    expect(platform.lineItems.find((candidate) => candidate.id === created)).toMatchObject({
      contextId: 'course-2',
      label: 'Module 5 check',
      scoreMaximum: 12,
      resourceLinkId,
      resourceId: 'module-5',
      tag: 'quiz',
    });
    const post = platform.requests
      .slice(requestsBefore)
      .find((r) => r.method === 'POST' && r.path.endsWith('/lineitems'))!;
    expect(post.headers['content-type']).toBe('application/vnd.ims.lis.v2.lineitem+json');
    expect(
      platform.requests.slice(requestsBefore).filter((r) => r.method === 'POST' && r.path.endsWith('/lineitems')),
    ).toHaveLength(1);
  });

  it('posts a score with the score media type and fields, which the platform keeps', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    const lineItem = freshLineItem();
    const sent = score({ userId: 'learner-42' });

    const outcome = await ags.postScore(ref, lineItem.id, sent);

    expect(outcome).toEqual({ kind: 'ok', status: 204, excerpt: '' });
    const received = platform.scores.at(-1)!;
    expect(received).toMatchObject({
      lineItemId: lineItem.id,
      accepted: true,
      contentType: 'application/vnd.ims.lis.v1.score+json',
    });
    expect(received.body).toEqual({ ...sent });
    expect(platform.resultOf(lineItem.id, 'learner-42')).toEqual({ ...sent });
  });

  it('posts to /scores before the line item URL query string', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    const lineItem = freshLineItem();
    const requestsBefore = platform.requests.length;

    const outcome = await ags.postScore(
      ref,
      `${lineItem.id}?source=launch`,
      score({
        scoreGiven: undefined,
        scoreMaximum: undefined,
        gradingProgress: 'NotReady',
        activityProgress: 'Started',
        comment: undefined,
      }),
    );

    expect(outcome.kind).toBe('ok');
    const post = platform.requests.slice(requestsBefore).find((r) => r.path.includes('/scores'))!;
    expect(post.path).toBe(`${new URL(lineItem.id).pathname}/scores?source=launch`);
    expect(JSON.parse(post.body)).toEqual({
      userId: 'learner-1',
      activityProgress: 'Started',
      gradingProgress: 'NotReady',
      timestamp: expect.any(String),
    });
  });

  it('uses one token for several calls', async () => {
    const before = platform.tokenRequests.length;
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    const lineItem = freshLineItem();
    const start = Date.now();
    for (let n = 0; n < 3; n++) {
      const outcome = await ags.postScore(ref, lineItem.id, score({ timestamp: new Date(start + n).toISOString() }));
      expect(outcome.kind).toBe('ok');
    }
    expect(tokenRequestsSince(before)).toHaveLength(1);
  });

  it('after a 401, forgets the token, gets a new one and sends again', async () => {
    const before = platform.tokenRequests.length;
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    const lineItem = freshLineItem();
    expect((await ags.postScore(ref, lineItem.id, score({ timestamp: '2026-01-01T00:00:00.100Z' }))).kind).toBe('ok');
    platform.revokeTokens();

    const outcome = await ags.postScore(ref, lineItem.id, score({ timestamp: '2026-01-01T00:00:00.200Z' }));

    expect(outcome.kind).toBe('ok');
    expect(tokenRequestsSince(before)).toHaveLength(2);
    expect(platform.resultOf(lineItem.id, 'learner-1')?.timestamp).toBe('2026-01-01T00:00:00.200Z');
  });

  it('callers refused at once with the same revoked token get one new token between them', async () => {
    const tokens = new PlatformTokens(tool.signer);
    const ags = new AgsClient(tokens);
    const lineItems = [freshLineItem(), freshLineItem(), freshLineItem()];
    await tokens.token(ref, [SCOPES.score]);
    platform.revokeTokens();
    const before = platform.tokenRequests.length;

    const outcomes = await Promise.all(lineItems.map((item) => ags.postScore(ref, item.id, score())));

    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['ok', 'ok', 'ok']);
    expect(tokenRequestsSince(before)).toHaveLength(1);
  });

  it('the platform refuses a score older than the one it has (409, final) and keeps the newer', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer));
    const lineItem = freshLineItem();
    await ags.postScore(ref, lineItem.id, score({ scoreGiven: 9, timestamp: '2026-03-01T10:00:00.500Z' }));

    const older = await ags.postScore(
      ref,
      lineItem.id,
      score({ scoreGiven: 2, timestamp: '2026-03-01T10:00:00.499Z' }),
    );
    const same = await ags.postScore(
      ref,
      lineItem.id,
      score({ scoreGiven: 3, timestamp: '2026-03-01T11:00:00.500+01:00' }),
    );

    expect(older).toMatchObject({ kind: 'final', status: 409 });
    expect(same).toMatchObject({ kind: 'final', status: 409 });
    expect(platform.resultOf(lineItem.id, 'learner-1')).toMatchObject({ scoreGiven: 9 });
    expect(platform.scores.filter((s) => s.lineItemId === lineItem.id).map((s) => s.accepted)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('sorts the platform’s failures into retry and final', async () => {
    const tokens = new PlatformTokens(tool.signer);
    const ags = new AgsClient(tokens);
    const lineItem = freshLineItem();
    await tokens.token(ref, [SCOPES.score]);
    const scores = /\/scores$/;
    let at = Date.parse('2026-05-01T00:00:00.000Z');
    const post = () => ags.postScore(ref, lineItem.id, score({ timestamp: new Date((at += 1000)).toISOString() }));

    platform.down(true);
    expect(await post()).toEqual({ kind: 'retry', status: 503, excerpt: 'down for maintenance' });
    platform.down(false);

    platform.answerNext({ status: 429, headers: { 'retry-after': '120' }, body: 'slow down' }, { path: scores });
    expect(await post()).toEqual({ kind: 'retry', status: 429, excerpt: 'slow down', retryAfterSeconds: 120 });

    platform.answerNext({ status: 400, body: '{"error":"invalid_request"}' }, { path: scores });
    expect(await post()).toEqual({ kind: 'final', status: 400, excerpt: '{"error":"invalid_request"}' });

    platform.answerNext({ reset: true }, { path: scores });
    expect(await post()).toMatchObject({ kind: 'retry', status: null, excerpt: expect.stringMatching(/^no answer: /) });

    platform.down(true, { reset: true });
    expect(await post()).toMatchObject({ kind: 'retry', status: null });
    platform.down(false);

    expect(await post()).toMatchObject({ kind: 'ok', status: 204 });
  });

  it('gives up on a slow platform after the timeout: retry', async () => {
    const tokens = new PlatformTokens(tool.signer, { timeoutMs: 300 });
    const ags = new AgsClient(tokens, { timeoutMs: 300 });
    const lineItem = freshLineItem();
    platform.answerNext({ delayMs: 1_500 }, { path: /\/scores$/ });

    const started = Date.now();
    const outcome = await ags.postScore(ref, lineItem.id, score());

    expect(outcome).toEqual({ kind: 'retry', status: null, excerpt: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it('refuses URLs the predicate does not allow, without sending', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer), { allowUrl: (url) => url.protocol === 'https:' });
    const requestsBefore = platform.requests.length;
    const outcome = await ags.postScore(ref, freshLineItem().id, score());
    expect(outcome).toMatchObject({ kind: 'final', status: null, excerpt: expect.stringContaining('not allowed') });
    expect(platform.requests.length).toBe(requestsBefore + 1); // the token endpoint (its own predicate: the default)
  });

  it('refuses a body over the byte cap as final', async () => {
    const ags = new AgsClient(new PlatformTokens(tool.signer), { maxBodyBytes: 1_000 });
    platform.answerNext(
      { status: 200, body: `[${'"x",'.repeat(1_000)}"x"]` },
      { path: '/contexts/course-big/lineitems' },
    );
    const error = await ags
      .findOrCreateLineItem(ref, platform.lineItemsUrl('course-big'), {
        resourceLinkId: 'l',
        resourceId: 'r',
        label: 'L',
        scoreMaximum: 1,
      })
      .catch((caught: unknown) => caught);
    expect((error as PlatformCallError).outcome).toMatchObject({
      kind: 'final',
      excerpt: 'answer over 1000 bytes, not read',
    });
  });
});

describe('NrpsClient', () => {
  const roster = (count: number): TestMember[] =>
    Array.from({ length: count }, (_, n) => ({
      user_id: `user-${n}`,
      roles: [n === 0 ? LIS_ROLES.instructor : LIS_ROLES.learner],
      name: `Person ${n}`,
      given_name: 'Person',
      family_name: String(n),
      email: `person${n}@example.com`,
      // NRPS 2.0: an absent status means Active.
      ...(n % 3 === 0 ? {} : { status: n % 3 === 1 ? ('Inactive' as const) : ('Deleted' as const) }),
    }));

  it('reads every member over 3 pages by Link next, an absent status being Active', async () => {
    platform.setMembers('course-roster', roster(25));
    const nrps = new NrpsClient(new PlatformTokens(tool.signer));
    const requestsBefore = platform.requests.length;

    const members = await nrps.members(ref, platform.membershipsUrl('course-roster'));

    expect(members).toHaveLength(25);
    expect(members[0]).toEqual({
      userId: 'user-0',
      status: 'Active',
      roles: [LIS_ROLES.instructor],
      name: 'Person 0',
      givenName: 'Person',
      familyName: '0',
      email: 'person0@example.com',
    });
    expect(members.slice(0, 3).map((member) => member.status)).toEqual(['Active', 'Inactive', 'Deleted']);
    const pages = platform.requests.slice(requestsBefore).filter((r) => r.path.includes('/memberships'));
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(page.headers.accept).toBe('application/vnd.ims.lti-nrps.v2.membershipcontainer+json');
    }
  });

  it('stops a platform whose next link never ends, at the page cap', async () => {
    platform.setMembers('course-endless', roster(3), { paging: 'endless' });
    const nrps = new NrpsClient(new PlatformTokens(tool.signer));
    const requestsBefore = platform.requests.length;

    const error = await nrps
      .members(ref, platform.membershipsUrl('course-endless'), { maxPages: 5 })
      .catch((caught: unknown) => caught);

    expect((error as PlatformCallError).outcome).toEqual({
      kind: 'final',
      status: null,
      excerpt: 'memberships: more than 5 pages',
    });
    expect(platform.requests.slice(requestsBefore).filter((r) => r.path.includes('/memberships'))).toHaveLength(5);
  });

  it('stops at once on a next link that repeats, and at the member cap', async () => {
    platform.setMembers('course-loop', roster(25), { paging: 'repeat-self' });
    platform.setMembers('course-many', roster(25));
    const nrps = new NrpsClient(new PlatformTokens(tool.signer));

    const loop = await nrps.members(ref, platform.membershipsUrl('course-loop')).catch((caught: unknown) => caught);
    const many = await nrps
      .members(ref, platform.membershipsUrl('course-many'), { maxMembers: 15 })
      .catch((caught: unknown) => caught);

    expect((loop as PlatformCallError).outcome).toMatchObject({
      kind: 'final',
      excerpt: expect.stringContaining('repeats'),
    });
    expect((many as PlatformCallError).outcome).toMatchObject({
      kind: 'final',
      excerpt: 'memberships: more than 15 members',
    });
  });
});

describe('the test platform', () => {
  /** A client assertion as the tool would make it, with these claims changed. */
  const assertion = (overrides: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return tool.signRaw({
      iss: platform.clientId,
      sub: platform.clientId,
      aud: platform.tokenUrl,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      ...overrides,
    });
  };
  const requestToken = async (clientAssertion: string) => {
    const response = await fetch(platform.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: CLIENT_ASSERTION_TYPE,
        client_assertion: clientAssertion,
        scope: SCOPES.score,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  it('grants a token for a good assertion', async () => {
    expect(await requestToken(await assertion())).toMatchObject({ status: 200, body: { token_type: 'Bearer' } });
  });

  it('refuses a client assertion with the wrong aud', async () => {
    const answer = await requestToken(await assertion({ aud: 'https://elsewhere.example/token' }));
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(answer.body.error_description).toMatch(/aud/);
  });

  it('refuses an expired client assertion', async () => {
    const now = Math.floor(Date.now() / 1000);
    const answer = await requestToken(await assertion({ iat: now - 900, exp: now - 600 }));
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(answer.body.error_description).toMatch(/exp/);
  });

  it('refuses a reused jti', async () => {
    const reused = await assertion({ jti: 'once-only' });
    expect((await requestToken(reused)).status).toBe(200);
    const answer = await requestToken(reused);
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    expect(answer.body.error_description).toMatch(/jti once-only was used before/);
  });

  it('refuses an assertion signed by a key the tool JWKS lacks, and a wrong iss', async () => {
    const stray = await platform.strayKey();
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ iss: platform.clientId, sub: platform.clientId, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-in-the-jwks' })
      .setAudience(platform.tokenUrl)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(stray);
    expect((await requestToken(forged)).body.error).toBe('invalid_client');
    expect((await requestToken(await assertion({ iss: 'someone-else' }))).body.error).toBe('invalid_client');
  });

  it('builds the forgeries a correct id_token verifier must refuse', async () => {
    const jwks = createRemoteJWKSet(new URL(platform.jwksUrl));
    const verify = (token: string) => jwtVerify(token, jwks, { issuer: platform.issuer, audience: platform.clientId });
    const claims = platform.launchClaims(
      { user: { sub: 'forged' }, roles: [LIS_ROLES.learner], targetLinkUri: 'https://tool.example/lti/launch' },
      'nonce-forged',
    );

    await expect(verify(await platform.signIdToken(claims))).resolves.toBeDefined();
    await expect(verify(unsignedJwt(claims))).rejects.toThrow();
    await expect(verify(hmacJwt(claims, platform.publicKeyPem, { kid: platform.publicJwk.kid }))).rejects.toThrow();
    await expect(
      verify(await platform.signIdToken(claims, { key: await platform.strayKey(), kid: 'unknown-kid' })),
    ).rejects.toThrow();
    await expect(verify(await platform.signIdToken(claims, { key: await platform.strayKey() }))).rejects.toThrow();
    expect(unsignedJwt(claims).split('.')).toHaveLength(3);
  });

  it('answers a prepared launch with an auto-posted, signed LTI 1.3 id_token', async () => {
    const launchUrl = 'https://tool.example/lti/launch';
    platform.setRedirectUris(launchUrl);
    const prepared = platform.prepareLaunch({
      user: { sub: 'learner-sub-1', name: 'Ada Lovelace', email: 'ada@example.com' },
      roles: [LIS_ROLES.learner],
      context: { id: 'course-9', title: 'Statistics', label: 'STAT' },
      resourceLink: { id: 'link-9', title: 'Module 5' },
      custom: { module: '5' },
      targetLinkUri: launchUrl,
      ags: true,
      nrps: true,
    });
    const authorize = new URL(platform.authorizeUrl);
    for (const [name, value] of Object.entries({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: launchUrl,
      login_hint: prepared.loginHint,
      lti_message_hint: prepared.ltiMessageHint,
      state: 'state-1',
      nonce: 'nonce-1',
    })) {
      authorize.searchParams.set(name, value);
    }

    const form = await platform.authenticate(authorize.toString());

    expect(form.action).toBe(launchUrl);
    expect(form.fields.state).toBe('state-1');
    const { payload, protectedHeader } = await jwtVerify(
      form.fields.id_token,
      createRemoteJWKSet(new URL(platform.jwksUrl)),
      {
        issuer: platform.issuer,
        audience: platform.clientId,
      },
    );
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: platform.publicJwk.kid });
    expect(payload).toMatchObject({
      sub: 'learner-sub-1',
      azp: platform.clientId,
      nonce: 'nonce-1',
      [LTI_CLAIMS.messageType]: 'LtiResourceLinkRequest',
      [LTI_CLAIMS.version]: '1.3.0',
      [LTI_CLAIMS.deploymentId]: platform.deploymentId,
      [LTI_CLAIMS.resourceLink]: { id: 'link-9', title: 'Module 5' },
      [LTI_CLAIMS.roles]: [LIS_ROLES.learner],
      [LTI_CLAIMS.custom]: { module: '5' },
      [LTI_CLAIMS.ags]: { lineitems: platform.lineItemsUrl('course-9') },
      [LTI_CLAIMS.nrps]: { context_memberships_url: platform.membershipsUrl('course-9') },
    });
  });

  it('refuses an authentication request to an unregistered redirect URI, and posts errors back otherwise', async () => {
    platform.setRedirectUris('https://tool.example/lti/launch');
    const prepared = platform.prepareLaunch({ user: { sub: 's' }, roles: [], targetLinkUri: 'https://tool.example/x' });
    const parameters = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      login_hint: prepared.loginHint,
      lti_message_hint: prepared.ltiMessageHint,
      state: 'st',
      nonce: 'n',
    };
    const elsewhere = await fetch(platform.authorizeUrl, {
      method: 'POST',
      body: new URLSearchParams({ ...parameters, redirect_uri: 'https://evil.example/' }),
    });
    expect(elsewhere.status).toBe(400);

    const wrongMode = await fetch(platform.authorizeUrl, {
      method: 'POST',
      body: new URLSearchParams({
        ...parameters,
        redirect_uri: 'https://tool.example/lti/launch',
        response_mode: 'query',
      }),
    });
    expect(parseAutoPostForm(await wrongMode.text()).fields).toEqual({
      error: 'invalid_request',
      error_description: 'response_mode must be form_post',
      state: 'st',
    });
  });

  it('sends a deep linking request and accepts only a response echoing its data', async () => {
    const launchUrl = 'https://tool.example/lti/launch';
    platform.setRedirectUris(launchUrl);
    const prepared = platform.prepareLaunch({
      messageType: 'LtiDeepLinkingRequest',
      user: { sub: 'teacher-sub-1' },
      roles: [LIS_ROLES.instructor],
      context: { id: 'course-9' },
      resourceLink: { id: 'not-for-deep-linking' },
      targetLinkUri: launchUrl,
      deepLinking: { data: 'dl-data-1' },
    });
    const authorize = new URL(platform.authorizeUrl);
    authorize.search = new URLSearchParams({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: launchUrl,
      login_hint: prepared.loginHint,
      lti_message_hint: prepared.ltiMessageHint,
      state: 'state-dl',
      nonce: 'nonce-dl',
    }).toString();

    const { fields } = await platform.authenticate(authorize.toString());
    const { payload } = await jwtVerify(fields.id_token, createRemoteJWKSet(new URL(platform.jwksUrl)));
    expect(payload[LTI_CLAIMS.messageType]).toBe('LtiDeepLinkingRequest');
    expect(payload[LTI_CLAIMS.resourceLink]).toBeUndefined();
    expect(payload[LTI_CLAIMS.deepLinkingSettings]).toEqual({
      deep_link_return_url: platform.deepLinkReturnUrl,
      accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['iframe', 'window'],
      accept_multiple: true,
      accept_lineitem: true,
      auto_create: true,
      data: 'dl-data-1',
    });

    const now = Math.floor(Date.now() / 1000);
    const response = (data: string) =>
      tool.signRaw({
        iss: platform.clientId,
        aud: platform.issuer,
        iat: now,
        exp: now + 300,
        nonce: randomUUID(),
        [LTI_CLAIMS.messageType]: 'LtiDeepLinkingResponse',
        [LTI_CLAIMS.version]: '1.3.0',
        [LTI_CLAIMS.deploymentId]: platform.deploymentId,
        [LTI_CLAIMS.deepLinkingData]: data,
        [LTI_CLAIMS.deepLinkingContentItems]: [],
      });
    const post = async (jwt: string) =>
      (await fetch(platform.deepLinkReturnUrl, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) })).status;
    expect(await post(await response('dl-data-1'))).toBe(200);
    expect(await post(await response('forged'))).toBe(400);
    expect(platform.deepLinkResponses.at(-1)?.error).toMatch(/data/);
  });

  it('accepts a deep linking response the tool signed, and refuses one for another audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const response = (aud: string) =>
      tool.signRaw({
        iss: platform.clientId,
        aud,
        iat: now,
        exp: now + 300,
        nonce: randomUUID(),
        [LTI_CLAIMS.messageType]: 'LtiDeepLinkingResponse',
        [LTI_CLAIMS.version]: '1.3.0',
        [LTI_CLAIMS.deploymentId]: platform.deploymentId,
        [LTI_CLAIMS.deepLinkingContentItems]: [
          {
            type: 'ltiResourceLink',
            title: 'Module 5 knowledge check',
            lineItem: { scoreMaximum: 10, label: 'Module 5', resourceId: 'module-5' },
            custom: { module: '5' },
          },
        ],
      });
    const post = async (jwt: string) =>
      (await fetch(platform.deepLinkReturnUrl, { method: 'POST', body: new URLSearchParams({ JWT: jwt }) })).status;

    expect(await post(await response(platform.issuer))).toBe(200);
    expect(await post(await response('https://other-platform.example'))).toBe(400);
    expect(platform.deepLinkResponses.slice(-2).map((r) => r.accepted)).toEqual([true, false]);
    expect(platform.deepLinkResponses.at(-2)?.contentItems[0]).toMatchObject({ type: 'ltiResourceLink' });
  });
});
