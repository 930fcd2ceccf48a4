import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  committedDocumentConformance,
  formatViolations,
  OpenApiConformance,
  type ObservedResponse,
} from './support/openapi-conformance';

/**
 * The checker every e2e response goes through (test/support/app.ts) must not
 * pass everything: here it meets drift on purpose, in a tiny document and in
 * the committed one.
 */
const tiny = {
  openapi: '3.0.0',
  info: { title: 'tiny', version: '1' },
  paths: {
    '/v1/users/me': {
      get: { operationId: 'me', responses: { '200': { description: '', content: json('#/components/schemas/User') } } },
    },
    '/v1/users/{id}': {
      get: {
        operationId: 'user',
        responses: {
          '200': { description: '', content: json('#/components/schemas/User') },
          '404': { description: '', content: problem() },
          '4XX': { description: '', content: problem() },
        },
      },
      delete: { operationId: 'remove', responses: { '204': { description: 'Gone' } } },
    },
    '/v1/users/{id}/export.csv': {
      get: { operationId: 'export', responses: { '200': { description: '', content: { 'text/csv': {} } } } },
    },
  },
  components: {
    schemas: {
      User: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          name: { type: 'string' },
          age: { type: 'integer', minimum: 0 },
          manager: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/Ref' }] },
          note: { type: 'string', nullable: true },
        },
        required: ['id', 'name', 'manager'],
      },
      Ref: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
      Problem: {
        type: 'object',
        properties: { status: { type: 'number' }, title: { type: 'string' } },
        required: ['status', 'title'],
      },
    },
  },
};

function json(ref: string) {
  return { 'application/json': { schema: { $ref: ref } } };
}
function problem() {
  return { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
}

const ID = '0b6f5c9e-3f0a-4c55-9d8e-2b1d6c7f8a90';
const user = { id: ID, name: 'Ada', age: 36, manager: null };
const checker = new OpenApiConformance(tiny, {
  unmatchedProblem: '#/components/schemas/Problem',
  closedObjects: true,
  explicitStatuses: [404, 409],
  exempt: [{ path: /^\/docs/, reason: 'documentation' }],
});

function answer(url: string, status: number, body?: unknown, extra: Partial<ObservedResponse> = {}): ObservedResponse {
  return {
    method: 'GET',
    url,
    status,
    contentType: status >= 400 ? 'application/problem+json' : 'application/json; charset=utf-8',
    body: body === undefined ? undefined : JSON.stringify(body),
    ...extra,
  };
}

const messages = (response: ObservedResponse) => checker.check(response).map((v) => v.message);

describe('OpenAPI conformance checker', () => {
  it('passes a response the document declares', () => {
    expect(checker.check(answer(`/v1/users/${ID}?expand=all`, 200, user))).toEqual([]);
    expect(checker.check(answer('/v1/users/me', 200, { ...user, manager: { id: ID }, note: 'x' }))).toEqual([]);
    expect(checker.check(answer(`/v1/users/${ID}`, 404, { status: 404, title: 'Not Found' }))).toEqual([]);
    expect(
      checker.check(answer(`/v1/users/${ID}`, 204, undefined, { method: 'DELETE', contentType: undefined })),
    ).toEqual([]);
  });

  it('refuses an undeclared status, naming the operation', () => {
    const [violation, ...rest] = checker.check(answer('/v1/users/me', 500, { status: 500, title: 'x' }));
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ operation: 'GET /v1/users/me (me)', request: 'GET /v1/users/me', status: 500 });
    expect(violation.message).toBe('status 500 is not declared (declared: 200)');
  });

  it('refuses a status that must be declared by code when only a range covers it', () => {
    expect(messages(answer(`/v1/users/${ID}`, 400, { status: 400, title: 'Bad Request' }))).toEqual([]);
    expect(messages(answer(`/v1/users/${ID}`, 409, { status: 409, title: 'Conflict' }))).toEqual([
      'status 409 is covered only by "4XX"; the operation must declare it itself',
    ]);
  });

  it('refuses a body missing a required field, with its path in the document', () => {
    const { name: _name, ...nameless } = user;
    expect(messages(answer('/v1/users/me', 200, nameless))).toEqual([
      "body must have required property 'name' (#/components/schemas/User/required)",
    ]);
  });

  it('refuses a value of the wrong type or format, deep inside a $ref', () => {
    expect(messages(answer('/v1/users/me', 200, { ...user, age: '36', manager: { id: 'not-a-uuid' } }))).toEqual([
      'body/age must be integer (#/components/schemas/User/properties/age/type)',
      'body/manager/id must match format "uuid" (#/components/schemas/Ref/properties/id/format)',
    ]);
  });

  it('takes null only where the document says nullable', () => {
    expect(messages(answer('/v1/users/me', 200, { ...user, note: null }))).toEqual([]);
    expect(messages(answer('/v1/users/me', 200, { ...user, name: null }))).toEqual([
      'body/name must be string (#/components/schemas/User/properties/name/type)',
    ]);
  });

  it('refuses a field the document does not name', () => {
    expect(messages(answer('/v1/users/me', 200, { ...user, passwordHash: 'x' }))).toEqual([
      'body must NOT have additional properties: passwordHash (#/components/schemas/User/additionalProperties)',
    ]);
  });

  it('refuses an undeclared content type, a body that is not JSON, a body where none is declared', () => {
    expect(messages(answer('/v1/users/me', 200, user, { contentType: 'text/html' }))).toEqual([
      'content type text/html is not declared (declared: application/json)',
    ]);
    expect(messages(answer('/v1/users/me', 200, undefined, { body: '{"id":' }))).toEqual([
      'the body is not valid JSON although it is sent as application/json',
    ]);
    expect(messages(answer(`/v1/users/${ID}`, 204, undefined, { method: 'DELETE', body: 'x' }))).toEqual([
      'a body (application/json) is sent where the document declares none',
    ]);
  });

  it('checks a streamed body for its status and content type only', () => {
    const csv = (contentType: string) =>
      answer(`/v1/users/${ID}/export.csv`, 200, undefined, { contentType, streamed: true });
    expect(messages(csv('text/csv; charset=utf-8'))).toEqual([]);
    expect(messages(csv('application/octet-stream'))).toEqual([
      'content type application/octet-stream is not declared (declared: text/csv)',
    ]);
  });

  it('prefers a literal path segment to a template, and matches the method', () => {
    expect(checker.check(answer('/v1/users/me', 404, { status: 404, title: 'Not Found' }))[0].operation).toBe(
      'GET /v1/users/me (me)',
    );
    expect(checker.check(answer('/v1/users/me', 200, user, { method: 'DELETE' }))[0].operation).toBe(
      'DELETE /v1/users/{id} (remove)',
    );
  });

  it('lets a request that matches no operation only be refused with a problem; exempt routes pass', () => {
    expect(messages(answer('/nope', 404, { status: 404, title: 'Not Found' }))).toEqual([]);
    expect(messages(answer('/nope', 200, {}))).toEqual([
      'status 200 answers a request that no operation in the document matches',
    ]);
    expect(messages(answer('/nope', 404, { status: 404 }))).toEqual([
      "body must have required property 'title' (#/components/schemas/Problem/required)",
    ]);
    expect(messages(answer('/docs/swagger-ui.css', 200, undefined, { contentType: 'text/css' }))).toEqual([]);
  });

  it('lists each violation on a line of its own, with the test that caused it when another fails', () => {
    const found = checker.check(answer('/v1/users/me', 500, {}));
    expect(formatViolations([{ ...found[0], test: 'a test' }], 'a test')).toBe(
      [
        '1 response(s) differ from openapi.json (see test/support/openapi-conformance.ts).',
        'Fix the decorators or DTOs in src, or the API, then run `npm run openapi:generate`:',
        '  1. GET /v1/users/me answered 500; GET /v1/users/me (me): status 500 is not declared (declared: 200)',
      ].join('\n'),
    );
    expect(formatViolations(found, 'a later test')).toContain('(sent during a beforeAll or afterAll hook)');
  });
});

describe('the committed openapi.json', () => {
  const document = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8'));
  const committed = committedDocumentConformance();

  it('compiles every JSON response schema', () => {
    expect(committed.compileAll()).toBeGreaterThan(100);
  });

  it('gives every JSON response a schema that constrains its body', () => {
    const permissive: string[] = [];
    type Content = Record<string, { schema?: Record<string, unknown> }>;
    type Item = Record<string, { responses?: Record<string, { content?: Content }> }>;
    for (const [path, item] of Object.entries<Item>(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            const schema = media.schema ?? {};
            const constrains = ['$ref', 'type', 'allOf', 'anyOf', 'oneOf', 'enum'].some((k) => k in schema);
            if (type.endsWith('json') && !constrains) permissive.push(`${method.toUpperCase()} ${path} ${status}`);
          }
        }
      }
    }
    expect(permissive).toEqual([]);
  });

  it('catches a user body with a field missing, of the wrong type, or unknown', () => {
    const body = {
      id: ID,
      externalId: null,
      email: 'ada@example.com',
      displayName: 'Ada',
      roles: ['learner'],
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    };
    const check = (sent: unknown) =>
      committed.check(answer('/v1/users/me', 200, sent)).map((v) => `${v.operation}: ${v.message}`);
    expect(check(body)).toEqual([]);
    const { email: _email, ...emailless } = body;
    expect(check({ ...emailless, roles: ['root'], createdAt: 'yesterday', secret: 1 })).toEqual([
      "GET /v1/users/me (Users_me): body must have required property 'email' (#/components/schemas/UserResponseDto/required)",
      'GET /v1/users/me (Users_me): body must NOT have additional properties: secret (#/components/schemas/UserResponseDto/additionalProperties)',
      'GET /v1/users/me (Users_me): body/roles/0 must be equal to one of the allowed values ["learner","instructor","admin"] (#/components/schemas/UserResponseDto/properties/roles/items/enum)',
      'GET /v1/users/me (Users_me): body/createdAt must match format "date-time" (#/components/schemas/UserResponseDto/properties/createdAt/format)',
    ]);
  });
});
