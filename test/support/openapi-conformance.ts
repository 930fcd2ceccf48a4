import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import addFormats from 'ajv-formats';

/**
 * Checks HTTP responses against an OpenAPI 3 document: the operation exists,
 * the status is declared (exactly, as a range such as `4XX`, or `default`),
 * the content type is declared, and a JSON body matches its schema (ajv).
 * The e2e tests run every response of the app through it (see app.ts), so
 * the committed openapi.json cannot drift from what the API sends.
 */

/** What the checker needs to know of one response. */
export interface ObservedResponse {
  method: string;
  /** The request URL as sent; the query is ignored. */
  url: string;
  status: number;
  /** The Content-Type header, if any. */
  contentType?: string;
  /** The body as sent, or `undefined` when none was sent or it was streamed (then only status and type are checked). */
  body?: string | Buffer;
  streamed?: boolean;
}

export interface Violation {
  /** `GET /v1/users/{id} (Users_get)`, or the request itself when no operation matches. */
  operation: string;
  request: string;
  status: number;
  message: string;
}

export interface Exemption {
  /** Matched against the path, without the query. */
  path: RegExp;
  reason: string;
}

export interface ConformanceOptions {
  /** Routes the document does not describe on purpose, each with the reason. */
  exempt?: Exemption[];
  /**
   * A request no operation matches may only be refused, with this problem
   * schema (a `#/components/schemas/...` reference) as `application/problem+json`.
   * Without it, any answer to such a request is a violation.
   */
  unmatchedProblem?: string;
  /**
   * Treat objects that list `properties` and say nothing of
   * `additionalProperties` as closed: a field the document does not name is
   * drift too. Schemas that are members of a multi-part `allOf` stay open.
   */
  closedObjects?: boolean;
  /**
   * Statuses that carry a meaning of the operation's own (not found, conflict,
   * rate limited...): the operation must declare them by code; a range such
   * as `4XX` or `default` does not stand for them.
   */
  explicitStatuses?: number[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface MediaType {
  schema?: JsonObject;
}

interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
  $ref?: string;
}

interface Operation {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}

interface Document {
  openapi: string;
  paths?: Record<string, Record<string, Operation | Json>>;
  components?: { schemas?: Record<string, JsonObject>; responses?: Record<string, ResponseObject> };
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  literals: number;
  operation: Operation;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SCHEMA_PREFIX = '#/components/schemas/';
const ROOT_ID = 'https://openapi.invalid/components';
/** OpenAPI 3.0 annotations that are not JSON Schema keywords; they carry no validation. */
const OPENAPI_ANNOTATIONS = ['example', 'xml', 'externalDocs', 'discriminator'];
const PROBLEM_TYPE = 'application/problem+json';

export class OpenApiConformance {
  private readonly routes: Route[];
  private readonly ajv: AjvCore;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly openObjects: Set<string>;
  /** Where each normalised schema node comes from in the document, for error messages. */
  private readonly origins = new WeakMap<object, string>();
  private readonly is30: boolean;

  constructor(
    private readonly document: Document,
    private readonly options: ConformanceOptions = {},
  ) {
    if (!/^3\.[01]\./.test(document.openapi)) throw new Error(`OpenAPI ${document.openapi} is not supported`);
    this.is30 = document.openapi.startsWith('3.0.');
    this.routes = compileRoutes(document);
    this.openObjects = options.closedObjects ? allOfMembers(document) : new Set();

    // verbose: errors carry the schema node that failed, which `origins` names.
    const ajvOptions: Options = { allErrors: true, verbose: true, strict: true, strictTypes: false };
    this.ajv = this.is30 ? new Ajv(ajvOptions) : new Ajv2020(ajvOptions);
    addFormats(this.ajv);
    this.ajv.addVocabulary(OPENAPI_ANNOTATIONS);
    const schemas = document.components?.schemas ?? {};
    const defs = Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [name, this.normalise(schema, `${SCHEMA_PREFIX}${name}`, name)]),
    );
    this.ajv.addSchema({ $id: ROOT_ID, $defs: defs });
  }

  /** Every way the response departs from the document; empty when it conforms. */
  check(response: ObservedResponse): Violation[] {
    const path = response.url.split('?')[0];
    const request = `${response.method.toUpperCase()} ${path}`;
    if (this.options.exempt?.some((e) => e.path.test(path))) return [];

    const route = this.findRoute(response.method, path);
    if (!route) return this.checkUnmatched(response, request);

    const id = route.operation.operationId ? ` (${route.operation.operationId})` : '';
    const operation = `${route.method.toUpperCase()} ${route.template}${id}`;
    const fail = (message: string): Violation => ({ operation, request, status: response.status, message });

    const declared = route.operation.responses ?? {};
    const key = responseKey(declared, response.status);
    if (!key) {
      const list = Object.keys(declared).join(', ') || 'none';
      return [fail(`status ${response.status} is not declared (declared: ${list})`)];
    }
    if (key !== String(response.status) && this.options.explicitStatuses?.includes(response.status)) {
      return [fail(`status ${response.status} is covered only by "${key}"; the operation must declare it itself`)];
    }
    const at = `#/paths/${pointerEscape(route.template)}/${route.method}/responses/${key}`;
    const head = response.method.toLowerCase() === 'head';
    return this.checkContent(response, this.resolveResponse(declared[key]), at, head).map(fail);
  }

  /**
   * Compiles every response schema of the document now rather than when a
   * response first needs it, so that a schema ajv cannot take (an unknown
   * keyword or format) shows at once. Returns how many were compiled.
   */
  compileAll(): number {
    let count = 0;
    for (const route of this.routes) {
      for (const [key, declared] of Object.entries(route.operation.responses ?? {})) {
        const at = `#/paths/${pointerEscape(route.template)}/${route.method}/responses/${key}`;
        for (const [type, media] of Object.entries(this.resolveResponse(declared).content ?? {})) {
          if (!media.schema || !isJson(type.toLowerCase())) continue;
          this.validator(`${at}/content/${pointerEscape(type)}/schema`, media.schema);
          count += 1;
        }
      }
    }
    return count;
  }

  /** The content type and body of a response against one declared response, `at` naming it in the document. */
  private checkContent(response: ObservedResponse, declared: ResponseObject, at: string, head = false): string[] {
    const content = declared.content ?? {};
    const declaredTypes = Object.keys(content);
    const mediaType = response.contentType?.split(';')[0].trim().toLowerCase();
    const hasBody = response.streamed === true || (response.body !== undefined && response.body.length > 0);
    if (declaredTypes.length === 0) {
      return hasBody ? [`a body (${mediaType ?? 'no content type'}) is sent where the document declares none`] : [];
    }
    if (!mediaType) return [`no Content-Type is sent (declared: ${declaredTypes.join(', ')})`];
    const declaredType = matchMediaType(declaredTypes, mediaType);
    if (!declaredType) return [`content type ${mediaType} is not declared (declared: ${declaredTypes.join(', ')})`];
    // A streamed body (a file, a CSV download) or a non-JSON one: status and type are what can be checked.
    if (head || response.streamed || !isJson(mediaType)) return [];
    if (!hasBody) return [`no body is sent where the document declares ${declaredType}`];

    let body: unknown;
    try {
      body = JSON.parse(response.body!.toString());
    } catch {
      return [`the body is not valid JSON although it is sent as ${mediaType}`];
    }
    const schema = content[declaredType].schema;
    if (!schema) return [];
    const validate = this.validator(`${at}/content/${pointerEscape(declaredType)}/schema`, schema);
    if (validate(body)) return [];
    return this.describeErrors(validate.errors ?? []);
  }

  private checkUnmatched(response: ObservedResponse, request: string): Violation[] {
    const problem = this.options.unmatchedProblem;
    const fail = (message: string): Violation => ({
      operation: 'no operation in the document',
      request,
      status: response.status,
      message,
    });
    if (!problem) return [fail('no operation in the document matches this request')];
    if (response.status < 400 || response.status >= 500) {
      return [fail(`status ${response.status} answers a request that no operation in the document matches`)];
    }
    const declared: ResponseObject = { content: { [PROBLEM_TYPE]: { schema: { $ref: problem } } } };
    return this.checkContent(response, declared, '#/x-unmatched').map(fail);
  }

  /** The operation for a method and a concrete path; a literal segment wins over a template, as in OpenAPI and the router. */
  private findRoute(method: string, path: string): Route | undefined {
    const wanted = method.toLowerCase() === 'head' ? ['head', 'get'] : [method.toLowerCase()];
    const candidates = this.routes.filter((r) => wanted.includes(r.method) && r.pattern.test(path));
    candidates.sort(
      (a, b) => a.params - b.params || b.literals - a.literals || wanted.indexOf(a.method) - wanted.indexOf(b.method),
    );
    return candidates[0];
  }

  private resolveResponse(response: ResponseObject): ResponseObject {
    const ref = response.$ref;
    if (!ref) return response;
    const resolved = this.document.components?.responses?.[ref.replace('#/components/responses/', '')];
    if (!resolved) throw new Error(`${ref} is not in the document`);
    return resolved;
  }

  private validator(at: string, schema: JsonObject): ValidateFunction {
    let validate = this.validators.get(at);
    if (!validate) {
      validate = this.ajv.compile(this.normalise(schema, at));
      this.validators.set(at, validate);
    }
    return validate;
  }

  /**
   * An OpenAPI schema as JSON Schema: `$ref`s point into the registered
   * components, 3.0's `nullable` and boolean exclusive bounds become their
   * JSON Schema forms, and objects are closed when asked for.
   */
  private normalise(schema: JsonObject, at: string, componentName?: string): JsonObject {
    const walk = (node: Json, pointer: string, component?: string): Json => {
      if (Array.isArray(node)) return node.map((item, i) => walk(item, `${pointer}/${i}`));
      if (node === null || typeof node !== 'object') return node;
      let out: JsonObject = {};
      for (const [keyword, value] of Object.entries(node)) {
        const here = `${pointer}/${pointerEscape(keyword)}`;
        if (keyword === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_PREFIX)) {
          out.$ref = `${ROOT_ID}#/$defs/${value.slice(SCHEMA_PREFIX.length)}`;
        } else if (keyword === 'properties' || keyword === 'patternProperties' || keyword === '$defs') {
          out[keyword] = Object.fromEntries(
            Object.entries(value as JsonObject).map(([name, sub]) => [
              name,
              walk(sub, `${here}/${pointerEscape(name)}`),
            ]),
          );
        } else if (SUBSCHEMA_KEYWORDS.has(keyword) && typeof value !== 'boolean') {
          out[keyword] = walk(value, here);
        } else {
          out[keyword] = value;
        }
      }
      if (this.is30) out = exclusiveBoundsAsNumbers(out);
      const composed = out.allOf !== undefined || out.anyOf !== undefined || out.oneOf !== undefined;
      if (this.options.closedObjects && out.properties !== undefined && out.additionalProperties === undefined) {
        if (!composed && !(component && this.openObjects.has(component))) out.additionalProperties = false;
      }
      this.origins.set(out, pointer);
      if (this.is30 && out.nullable !== undefined) {
        const { nullable, ...rest } = out;
        this.origins.set(rest, pointer);
        // OpenAPI 3.0: `nullable: true` admits null as well, whatever else the schema says.
        if (nullable !== true) return rest;
        const wrapper = { if: { type: 'null' }, else: rest };
        this.origins.set(wrapper, pointer);
        return wrapper;
      }
      return out;
    };
    return walk(schema, at, componentName) as JsonObject;
  }

  /** ajv's errors as `body/items/0/email must match format "email" (#/components/schemas/UserDto/properties/email/format)`. */
  private describeErrors(errors: ErrorObject[]): string[] {
    // A failed `else` of a nullable schema is explained by the errors inside it.
    const meaningful = errors.filter((e) => e.keyword !== 'if' || errors.length === 1);
    return meaningful.map((error) => {
      const params = error.params as Record<string, unknown>;
      const detail =
        error.keyword === 'additionalProperties'
          ? `: ${String(params.additionalProperty)}`
          : error.keyword === 'enum'
            ? ` ${JSON.stringify(params.allowedValues)}`
            : '';
      const origin = this.origins.get(error.parentSchema as object);
      const where = origin ? `${origin}/${error.keyword}` : error.schemaPath;
      return `body${error.instancePath} ${error.message ?? error.keyword}${detail} (${where})`;
    });
  }
}

/** OpenAPI 3.0 (JSON Schema draft 4) writes exclusive bounds as booleans beside `minimum`/`maximum`. */
function exclusiveBoundsAsNumbers(schema: JsonObject): JsonObject {
  const out = { ...schema };
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive]) {
      out[exclusive] = out[bound];
      delete out[bound];
    } else {
      delete out[exclusive];
    }
  }
  return out;
}

function pointerEscape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Keywords whose value is a schema or a list of schemas (JSON Schema draft 7 and 2020-12). */
const SUBSCHEMA_KEYWORDS = new Set([
  'items',
  'additionalItems',
  'prefixItems',
  'contains',
  'additionalProperties',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'not',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
]);

function compileRoutes(document: Document): Route[] {
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(document.paths ?? {})) {
    let params = 0;
    const source = template.replace(/\{[^}]+\}|[^{]+/g, (part) => {
      if (part.startsWith('{')) {
        params += 1;
        return '[^/]+';
      }
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    });
    const literals = template.replace(/\{[^}]+\}/g, '').length;
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (operation)
        routes.push({ method, template, pattern: new RegExp(`^${source}/?$`), params, literals, operation });
    }
  }
  return routes;
}

/** Component schemas that take part in a multi-part `allOf`: closing them would refuse the other parts' fields. */
function allOfMembers(document: Document): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const allOf = (node as { allOf?: unknown }).allOf;
    if (Array.isArray(allOf) && allOf.length > 1) {
      for (const member of allOf as { $ref?: string }[]) {
        if (member.$ref?.startsWith(SCHEMA_PREFIX)) names.add(member.$ref.slice(SCHEMA_PREFIX.length));
      }
    }
    Object.values(node).forEach(walk);
  };
  walk(document);
  return names;
}

/** The declared response for a status: the exact code, then its range (`4XX`), then `default` (OpenAPI 3). */
function responseKey(declared: Record<string, unknown>, status: number): string | undefined {
  const range = `${String(status)[0]}XX`;
  return [String(status), range, range.toLowerCase(), 'default'].find((key) => key in declared);
}

/** The declared media type a sent one falls under: exact, then `type/*`, then `*\/*`. */
function matchMediaType(declared: string[], sent: string): string | undefined {
  const normalised = declared.map((d) => d.split(';')[0].trim().toLowerCase());
  const index = [sent, `${sent.split('/')[0]}/*`, '*/*'].map((m) => normalised.indexOf(m)).find((i) => i >= 0);
  return index === undefined ? undefined : declared[index];
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/**
 * One violation per line, for a test failure; `test` names the test that
 * caused it when that is not the one failing (a request made in a hook).
 */
export function formatViolations(violations: (Violation & { test?: string })[], failingTest?: string): string {
  const lines = violations.map((v, i) => {
    const during =
      v.test === failingTest ? '' : `\n     (sent during ${v.test ? `"${v.test}"` : 'a beforeAll or afterAll hook'})`;
    return `  ${i + 1}. ${v.request} answered ${v.status}; ${v.operation}: ${v.message}${during}`;
  });
  return [
    `${violations.length} response(s) differ from openapi.json (see test/support/openapi-conformance.ts).`,
    'Fix the decorators or DTOs in src, or the API, then run `npm run openapi:generate`:',
    ...lines,
  ].join('\n');
}

/**
 * Routes the committed document leaves out on purpose: the documentation
 * itself (the Swagger UI and its assets, the document in JSON and YAML),
 * which SwaggerModule serves beside the API, and the pages for people.
 */
export const UNDOCUMENTED_ROUTES: Exemption[] = [
  { path: /^\/docs(\/.*)?$/, reason: 'the Swagger UI and its assets' },
  { path: /^\/openapi\.(json|yaml)$/, reason: 'the OpenAPI document itself' },
  { path: /^\/((sign-in|learn|teach|admin)(\/.*)?)?$/, reason: 'the pages (HTML, src/pages), beside the API' },
  { path: /^\/assets\/.*$/, reason: 'the pages\u2019 scripts and styles' },
  {
    path: /^\/lti\/(login|launch|register|deep-link\/[^/]+)$/,
    reason:
      'the LTI browser flow (form posts, redirects and HTML pages, src/lti/lti.controller.ts) and dynamic registration',
  },
];

let committed: OpenApiConformance | undefined;

/** The checker for the committed openapi.json, loaded and compiled once per test file. */
export function committedDocumentConformance(): OpenApiConformance {
  committed ??= new OpenApiConformance(
    JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8')) as Document,
    {
      exempt: UNDOCUMENTED_ROUTES,
      unmatchedProblem: '#/components/schemas/ProblemDetails',
      closedObjects: true,
      explicitStatuses: [401, 403, 404, 409, 422, 429],
    },
  );
  return committed;
}
