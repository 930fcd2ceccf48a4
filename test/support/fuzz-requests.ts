import fc from 'fast-check';
import type { Operation, ParameterObject, SchemaArbitraries } from './openapi-arbitraries';

/**
 * Whole HTTP requests for one operation of the OpenAPI document, valid or invalid,
 * as plain data (so fast-check can print a counterexample): path parameters from
 * pools of real ids mixed with random ones and garbage, query and header parameters
 * and the body from their schemas.
 */
export interface FuzzRequest {
  method: Operation['method'] | 'options';
  /** Path and query, already percent-encoded (or deliberately not). */
  url: string;
  headers: Record<string, string>;
  /** `oversize`: the text is a JSON string of that many characters, built when sent (so a failure prints short). */
  body?: { contentType: string; text: string; oversize?: number };
  /** The Authorization header the "bogus token" caller sends with this request. */
  bogusAuthorization: string;
}

export type Kind = 'valid' | 'invalid';

export interface RequestSources {
  schemas: SchemaArbitraries;
  /** Real values for a path parameter of this operation (ids of fixtures the run may use). */
  pathPool(operation: Operation, parameter: string): readonly string[];
  bogusAuthorizations: readonly string[];
  /** Largest body the app accepts (the invalid bodies go past it now and then). */
  bodyLimitBytes: number;
}

/** Percent-encodes for a URL; a lone surrogate (which encodeURIComponent refuses) becomes bytes no UTF-8 decoder accepts. */
export function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value
      .replace(/[\ud800-\udfff]/g, '\u0001')
      .split('\u0001')
      .map(encodeURIComponent)
      .join('%ED%A0%80');
  }
}

/** Path segments written raw: broken escapes, traversal, encoded NUL, too long for a header line. */
const RAW_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%00',
  '..',
  '.',
  '%2e%2e',
  'a%2Fb',
  '%F0%9F%98%80',
  'me',
  'ME',
  'null',
  '0',
  '-1',
  '1e3',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'x'.repeat(101),
  'x'.repeat(5_000),
  'x'.repeat(20_000),
];

/** Header values Node.js will send: tab, visible ASCII and Latin-1. */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
    ),
    maxLength,
  });

const serialise = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');

export function requestArbitrary(operation: Operation, kind: Kind, sources: RequestSources): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.operation.parameters ?? [];
  const pathNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  const path = fc
    .tuple(...pathNames.map((name) => pathValue(operation, name, kind, sources)))
    .map((values) => pathNames.reduce((url, name, index) => url.replace(`{${name}}`, values[index]), operation.path));
  const query = queryString(
    parameters.filter((p) => p.in === 'query'),
    kind,
    sources,
  );
  const headers = headerValues(
    parameters.filter((p) => p.in === 'header'),
    kind,
  );
  return fc
    .record({
      path,
      query,
      headers,
      body: bodyArbitrary(operation, kind, sources),
      bogusAuthorization: fc.constantFrom(...sources.bogusAuthorizations),
    })
    .map(({ path: url, query: search, headers: head, body, bogusAuthorization }) => ({
      method: operation.method,
      url: search ? `${url}?${search}` : url,
      headers: head,
      ...(body ? { body } : {}),
      bogusAuthorization,
    }));
}

function pathValue(operation: Operation, name: string, kind: Kind, sources: RequestSources): fc.Arbitrary<string> {
  const pool = sources.pathPool(operation, name);
  const real = pool.length > 0 ? fc.constantFrom(...pool) : fc.uuid();
  if (kind === 'valid') {
    return fc.oneof({ weight: 5, arbitrary: real }, { weight: 1, arbitrary: fc.uuid() }).map(encodeSegment);
  }
  return fc.oneof(
    { weight: 1, arbitrary: real.map(encodeSegment) },
    // Real ids in capitals, with a suffix, or cut short: near misses of values that exist.
    { weight: 1, arbitrary: real.map((id) => encodeSegment(id.toUpperCase())) },
    { weight: 1, arbitrary: real.map((id) => encodeSegment(`${id}x`)) },
    { weight: 1, arbitrary: real.map((id) => encodeSegment(id.slice(0, -1))) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeSegment) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(encodeSegment) },
  );
}

function queryString(parameters: ParameterObject[], kind: Kind, sources: RequestSources): fc.Arbitrary<string> {
  const pairs = parameters.map((parameter) => {
    const schema = parameter.schema ?? { type: 'string' as const };
    const valid = sources.schemas.valid(schema, { property: parameter.name });
    const value =
      kind === 'valid'
        ? valid
        : fc.oneof({ weight: 1, arbitrary: valid }, { weight: 2, arbitrary: sources.schemas.invalid(schema) });
    const present = parameter.required
      ? value.map((v) => [v])
      : fc.option(value, { nil: undefined, freq: 2 }).map((v) => (v === undefined ? [] : [v]));
    // Invalid requests repeat a parameter now and then (`?limit=1&limit=2` parses to an array).
    const repeated =
      kind === 'invalid'
        ? fc.oneof({ weight: 4, arbitrary: present }, { weight: 1, arbitrary: fc.tuple(value, value) })
        : present;
    return repeated.map((values: unknown[]) =>
      values.map((v) => `${encodeURIComponent(parameter.name)}=${encodeSegment(serialise(v))}`),
    );
  });
  const unknown =
    kind === 'invalid'
      ? fc.option(
          fc
            .tuple(
              fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor[prototype]', 'a[b]')),
              fc.string({ maxLength: 8 }),
            )
            .map(([key, value]) => [`${encodeSegment(key)}=${encodeSegment(value)}`]),
          { nil: undefined },
        )
      : fc.constant(undefined);
  return fc.tuple(fc.tuple(...pairs), unknown).map(([known, extra]) => [...known.flat(), ...(extra ?? [])].join('&'));
}

function headerValues(parameters: ParameterObject[], kind: Kind): fc.Arbitrary<Record<string, string>> {
  const entries = parameters.map((parameter) => {
    const name = parameter.name.toLowerCase();
    const valid =
      name === 'accept'
        ? fc.constantFrom(
            'application/json',
            'text/csv',
            '*/*',
            'application/problem+json',
            'text/csv, application/json;q=0.5',
          )
        : fc.oneof(
            // A few keys over and over, so that requests replay (same body) and conflict (another body).
            fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3'),
            fc.uuid(),
            headerText(60).filter((v) => /^[\x21-\x7e]+$/.test(v)),
          );
    const value =
      kind === 'valid'
        ? valid
        : fc.oneof(
            valid,
            headerText(40),
            fc.integer({ min: 256, max: 4_000 }).map((n) => 'k'.repeat(n)),
            fc.constant(''),
          );
    const present = parameter.required ? value : fc.option(value, { nil: undefined });
    return present.map((v) => [parameter.name, v] as const);
  });
  return fc
    .tuple(...entries)
    .map((pairs) =>
      Object.fromEntries(pairs.filter((pair): pair is readonly [string, string] => pair[1] !== undefined)),
    );
}

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '[1,]',
  'nul',
  '{"a":1}{"b":2}',
  '\ufeff{}',
  '',
  '"just a string"',
  '{"a":1e999}',
  '{"__proto__":{"admin":true}}',
];

function bodyArbitrary(
  operation: Operation,
  kind: Kind,
  sources: RequestSources,
): fc.Arbitrary<FuzzRequest['body'] | undefined> {
  const content = operation.operation.requestBody?.content ?? {};
  const types = Object.keys(content);
  if (types.length === 0) {
    if (kind === 'valid') return fc.constant(undefined);
    // A body where none is expected.
    return fc.option(
      fc
        .jsonValue({ maxDepth: 2 })
        .map((value) => ({ contentType: 'application/json', text: JSON.stringify(value) ?? 'null' })),
      { nil: undefined, freq: 3 },
    );
  }
  const encoded = fc.constantFrom(...types).chain((type) => {
    const schema = content[type].schema;
    const value =
      kind === 'valid'
        ? sources.schemas.valid(schema)
        : fc.oneof(
            { weight: 1, arbitrary: sources.schemas.valid(schema) },
            { weight: 4, arbitrary: sources.schemas.invalid(schema) },
          );
    return value.map((v) => encodeBody(type, v));
  });
  if (kind === 'valid') return encoded;
  return fc.oneof(
    { weight: 12, arbitrary: encoded },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...MALFORMED_JSON).map((text) => ({ contentType: 'application/json', text })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'text/plain',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            'application/json; charset=iso-8859-1',
            'application/octet-stream',
            'application/vnd.api+json',
            'nonsense',
          ),
          fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''),
          ),
        )
        .map(([contentType, text]) => ({ contentType, text })),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
    // Past the body limit: 413, still a problem.
    {
      weight: 1,
      arbitrary: fc.constant({ contentType: 'application/json', text: '', oversize: sources.bodyLimitBytes + 1 }),
    },
  );
}

function encodeBody(type: string, value: unknown): NonNullable<FuzzRequest['body']> {
  if (type === 'application/x-www-form-urlencoded') {
    const form =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value).flatMap(([key, v]) =>
            (Array.isArray(v) ? v : [v]).map((item) => `${encodeSegment(key)}=${encodeSegment(serialise(item))}`),
          )
        : [encodeSegment(serialise(value))];
    return { contentType: type, text: form.join('&') };
  }
  return { contentType: type, text: JSON.stringify(value) ?? 'null' };
}

/** The bytes to send for a body. */
export function bodyText(body: NonNullable<FuzzRequest['body']>): string {
  return body.oversize === undefined ? body.text : JSON.stringify('z'.repeat(body.oversize));
}

/** Paths no operation has (and a few real ones the document leaves out, such as /metrics). */
const UNDOCUMENTED_PATHS = [
  '/',
  '/v1',
  '/v1/',
  '/v2/users',
  '/V1/users',
  '/v1//users',
  '/v1/users/me/extra',
  '/v1/nothing-here',
  '/v1/modules/x/quiz/extra',
  '/%2e%2e/v1/users',
  '/v1/users/%2e%2e/clients',
  '/v1/users/..%2f..%2fclients',
  '/metrics',
  '/health',
  '/health/live/x',
];

/**
 * Requests off the document: a documented path with a method it does not list (405 or 404), or a
 * path no route has. Each is still answered, and as a problem when it is an error.
 */
export function undocumentedRequestArbitrary(
  operations: readonly Operation[],
  bogusAuthorizations: readonly string[],
): fc.Arbitrary<FuzzRequest> {
  const methods = ['get', 'post', 'put', 'patch', 'delete', 'options'] as const;
  const documented = new Set(operations.map((operation) => `${operation.method} ${operation.path}`));
  const templates = [...new Set(operations.map((operation) => operation.path))];
  const missing = templates.flatMap((path) =>
    methods.filter((method) => !documented.has(`${method} ${path}`)).map((method) => ({ method, path })),
  );
  const fill = (path: string) =>
    fc
      .array(fc.oneof(fc.uuid(), fc.constantFrom('me', 'x')), { minLength: 8, maxLength: 8 })
      .map((values) => path.replace(/\{\w+\}/g, () => values.shift() ?? 'x'));
  const target = fc.oneof(
    fc.constantFrom(...missing).chain(({ method, path }) => fill(path).map((url) => ({ method, url }))),
    fc
      .tuple(fc.constantFrom(...methods), fc.constantFrom(...UNDOCUMENTED_PATHS))
      .map(([method, url]) => ({ method, url })),
  );
  return fc
    .record({
      target,
      body: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      bogusAuthorization: fc.constantFrom(...bogusAuthorizations),
    })
    .map(({ target: { method, url }, body, bogusAuthorization }) => ({
      method,
      url,
      headers: {},
      ...(body === undefined || method === 'get' || method === 'options'
        ? {}
        : { body: { contentType: 'application/json', text: JSON.stringify(body) ?? 'null' } }),
      bogusAuthorization,
    }));
}
