import fc from 'fast-check';

/**
 * fast-check arbitraries from the schemas of an OpenAPI 3.0 document: values a
 * schema accepts (`valid`), and values it should refuse or that sit at its edges
 * (`invalid`). Covers the subset our generated document uses ($ref into
 * components, allOf/oneOf/anyOf, enums, nullable, string formats and lengths,
 * number ranges, arrays with limits, objects with required properties).
 */

export interface SchemaObject {
  $ref?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  pattern?: string;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  default?: unknown;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: SchemaObject;
}

export interface OperationObject {
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, { schema: SchemaObject }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  operation: OperationObject;
  /** `POST /v1/attempts/{id}/submit`: how failures name it, and FUZZ_OPERATION selects it. */
  name: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      method,
      path,
      operation: item[method],
      name: `${method.toUpperCase()} ${path}`,
    })),
  );
}

export interface ArbitraryOptions {
  /**
   * Values of the API's own (real ids, answer shapes, credentials) mixed in with the
   * schema's random ones, so requests get past "not found" into the handlers. Keyed by
   * `Schema.property`, `property` or a component name (the whole object).
   */
  hints?: Record<string, fc.Arbitrary<unknown>>;
  /** Longest random string where a schema sets no maxLength. */
  maxStringLength?: number;
  /** Longest valid array where a schema sets no maxItems (or a large one). */
  maxArrayLength?: number;
  /** Size of the "huge" strings of invalid values; keep the body under its limit. */
  hugeStringLength?: number;
}

/** Characters that break naive code: controls, bidi overrides, zero-width, combining marks, astral, lone surrogates. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202eevil\u202c',
  '\u200b\u200d\ufeff',
  'e\u0301\u0301\u0301',
  '\ud83d\ude00\ud83c\udff3\ufe0f\u200d\ud83c\udf08',
  '\ud800',
  'x\udfff',
  '\r\n\t\u000b\u000c',
  '\u2028\u2029',
  'ǅǈǋ İı ß ﬁ',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  "'; DROP TABLE users; --",
  '%00%2e%2e%2f',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '{{7*7}}${7*7}',
  '__proto__',
  'constructor',
];

const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', ''] as const;

/** A string that is no UUID but looks close to one. */
const notUuid = fc.oneof(
  fc.constantFrom(
    '00000000-0000-0000-0000-00000000000',
    '00000000-0000-0000-0000-0000000000000',
    'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz',
    '{00000000-0000-4000-8000-000000000000}',
    '00000000000040008000000000000000',
    'not-a-uuid',
  ),
  fc.string({ maxLength: 40 }),
);

export class SchemaArbitraries {
  private readonly schemas: Record<string, SchemaObject>;
  private readonly hints: Record<string, fc.Arbitrary<unknown>>;
  private readonly maxString: number;
  private readonly maxArray: number;
  private readonly huge: number;

  constructor(document: OpenApiDocument, options: ArbitraryOptions = {}) {
    this.schemas = document.components?.schemas ?? {};
    this.hints = options.hints ?? {};
    this.maxString = options.maxStringLength ?? 40;
    this.maxArray = options.maxArrayLength ?? 5;
    this.huge = options.hugeStringLength ?? 256 * 1024;
  }

  /** Follows `$ref`s into components; a reference cycle or a missing component throws. */
  resolve(schema: SchemaObject, seen: string[] = []): { schema: SchemaObject; name?: string } {
    if (!schema.$ref) return { schema };
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    if (seen.includes(name)) throw new Error(`$ref cycle through ${[...seen, name].join(' → ')}`);
    const target = this.schemas[name];
    if (!target) throw new Error(`no component schema ${schema.$ref}`);
    const resolved = this.resolve(target, [...seen, name]);
    return { schema: resolved.schema, name: resolved.name ?? name };
  }

  /** Values the schema accepts. `at` names the property (for hints). */
  valid(input: SchemaObject, at: { owner?: string; property?: string } = {}, depth = 0): fc.Arbitrary<unknown> {
    const { schema, name } = this.resolve(input);
    const hint = this.hintFor(name, at);
    const generated = this.validOf(schema, name, depth);
    const withHint = hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: generated }) : generated;
    return schema.nullable
      ? fc.oneof({ weight: 5, arbitrary: withHint }, { weight: 1, arbitrary: fc.constant(null) })
      : withHint;
  }

  /** Values the schema should refuse, or that probe its edges: wrong types, out of range, odd text, nulls. */
  invalid(input: SchemaObject, depth = 0): fc.Arbitrary<unknown> {
    const { schema, name } = this.resolve(input);
    const variants: fc.Arbitrary<unknown>[] = [this.wrongType(schema), fc.constantFrom(...ODD_STRINGS)];
    if (!schema.nullable) variants.push(fc.constant(null));
    if (schema.enum) variants.push(this.notInEnum(schema.enum));
    if (schema.allOf || schema.oneOf || schema.anyOf) {
      variants.push(
        ...[...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].map((s) =>
          this.invalid(s, depth + 1),
        ),
      );
    }
    switch (schema.type) {
      case 'string':
        variants.push(...this.invalidStrings(schema));
        break;
      case 'number':
      case 'integer':
        variants.push(this.invalidNumber(schema));
        break;
      case 'array':
        variants.push(...this.invalidArrays(schema, depth));
        break;
      case 'object':
        variants.push(...this.invalidObjects(schema, name, depth));
        break;
      default:
        break;
    }
    return fc.oneof(...variants);
  }

  private hintFor(component: string | undefined, at: { owner?: string; property?: string }) {
    if (component && this.hints[component]) return this.hints[component];
    if (at.owner && at.property && this.hints[`${at.owner}.${at.property}`])
      return this.hints[`${at.owner}.${at.property}`];
    if (at.property && this.hints[at.property]) return this.hints[at.property];
    return undefined;
  }

  private validOf(schema: SchemaObject, name: string | undefined, depth: number): fc.Arbitrary<unknown> {
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.allOf) return this.validAllOf(schema.allOf, depth);
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives) return fc.oneof(...alternatives.map((s) => this.valid(s, {}, depth + 1)));
    switch (schema.type) {
      case 'string':
        return this.validString(schema);
      case 'integer':
        return fc.integer({ min: clampInt(schema.minimum, -1e6), max: clampInt(schema.maximum, 1e6) });
      case 'number':
        return this.validNumber(schema);
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const items = this.valid(schema.items ?? {}, {}, depth + 1);
        const length = {
          minLength: schema.minItems ?? 0,
          maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? this.maxArray, this.maxArray)),
        };
        return schema.uniqueItems
          ? fc.uniqueArray(items, { ...length, selector: (item) => JSON.stringify(item) })
          : fc.array(items, length);
      }
      case 'object':
        return this.validObject(schema, name, depth);
      default:
        // No type: anything JSON can carry.
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  private validAllOf(parts: SchemaObject[], depth: number): fc.Arbitrary<unknown> {
    const merged: SchemaObject = { type: 'object', properties: {}, required: [] };
    for (const part of parts) {
      const { schema } = this.resolve(part);
      if (schema.type !== 'object' && !schema.properties) return this.valid(part, {}, depth + 1);
      Object.assign(merged.properties!, schema.properties);
      merged.required!.push(...(schema.required ?? []));
    }
    return this.validObject(merged, undefined, depth);
  }

  private validString(schema: SchemaObject): fc.Arbitrary<string> {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.max(minLength, schema.maxLength ?? this.maxString);
    const fits = (value: string) => value.length >= minLength && value.length <= maxLength;
    if (schema.pattern) {
      return fc
        .stringMatching(new RegExp(schema.pattern))
        .map((value) => fitLength(value, minLength, maxLength))
        .filter((value) => new RegExp(schema.pattern!).test(value));
    }
    switch (schema.format) {
      case 'uuid':
        return fc.uuid();
      case 'date-time':
        return fc
          .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
          .map((date) => date.toISOString());
      case 'date':
        return fc
          .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
          .map((date) => date.toISOString().slice(0, 10));
      case 'email':
        return fc.emailAddress().filter(fits);
      case 'uri':
      case 'url':
        return fc.webUrl().filter(fits);
      default:
        // Any Unicode text (ASCII most of the time), but no NUL: the API refuses NUL everywhere, so it is an invalid value.
        return fc
          .oneof(
            {
              weight: 2,
              arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength: minLength + this.maxString }),
            },
            { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: minLength + this.maxString }) },
          )
          .map((value) => fitLength(value.replaceAll('\u0000', ' '), minLength, maxLength));
    }
  }

  private validNumber(schema: SchemaObject): fc.Arbitrary<number> {
    const min = schema.minimum ?? -1e6;
    const max = schema.maximum ?? 1e6;
    return fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) },
      { weight: 1, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) },
    );
  }

  private validObject(schema: SchemaObject, name: string | undefined, depth: number): fc.Arbitrary<unknown> {
    const properties = schema.properties ?? {};
    const keys = Object.keys(properties);
    if (keys.length === 0) {
      return schema.additionalProperties === false
        ? fc.constant({})
        : fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
    }
    const model = Object.fromEntries(
      keys.map((key) => [key, this.valid(properties[key], { owner: name, property: key }, depth + 1)]),
    );
    const required = (schema.required ?? []).filter((key) => keys.includes(key));
    return fc.record(model, { requiredKeys: required });
  }

  private wrongType(schema: SchemaObject): fc.Arbitrary<unknown> {
    const others: fc.Arbitrary<unknown>[] = [];
    if (schema.type !== 'string') others.push(fc.string({ maxLength: 12 }));
    if (schema.type !== 'number' && schema.type !== 'integer') others.push(fc.integer(), fc.constant(1.5));
    if (schema.type !== 'boolean') others.push(fc.boolean());
    if (schema.type !== 'array') others.push(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }));
    if (schema.type !== 'object')
      others.push(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }));
    return fc.oneof(...others);
  }

  private notInEnum(values: unknown[]): fc.Arbitrary<unknown> {
    const strings = values.filter((v): v is string => typeof v === 'string');
    return fc
      .oneof(
        fc.string({ maxLength: 12 }).filter((value) => !values.includes(value)),
        ...(strings.length > 0
          ? [
              fc.constantFrom(...strings).map((value) => value.toUpperCase()),
              fc.constantFrom(...strings).map((value) => ` ${value}`),
              fc.constant(strings.join(',')),
              fc.constant(strings),
            ]
          : []),
      )
      .filter((value) => !values.includes(value));
  }

  private invalidStrings(schema: SchemaObject): fc.Arbitrary<unknown>[] {
    const variants: fc.Arbitrary<unknown>[] = [
      // Huge text, within the body limit: plain, and astral characters (two UTF-16 units each).
      fc.integer({ min: 1_000, max: this.huge }).map((length) => 'x'.repeat(length)),
      fc.integer({ min: 100, max: this.huge / 8 }).map((length) => '\ud83d\ude00'.repeat(length)),
      fc.string({ unit: 'binary', maxLength: 60 }),
    ];
    if (schema.maxLength !== undefined) {
      variants.push(fc.integer({ min: schema.maxLength + 1, max: schema.maxLength + 50 }).map((n) => 'y'.repeat(n)));
      // Long in code points but within the limit in UTF-16 units, and the reverse.
      variants.push(fc.constant('\ud83d\ude00'.repeat(Math.ceil((schema.maxLength + 1) / 2))));
    }
    if (schema.minLength !== undefined && schema.minLength > 0) {
      variants.push(fc.string({ maxLength: schema.minLength - 1 }));
    }
    if (schema.format === 'uuid') variants.push(notUuid);
    if (schema.pattern) {
      const pattern = new RegExp(schema.pattern);
      variants.push(fc.string({ unit: 'grapheme', maxLength: 20 }).filter((value) => !pattern.test(value)));
    }
    if (schema.format === 'date-time' || schema.format === 'date') {
      variants.push(
        fc.constantFrom(
          '2024-02-30T00:00:00Z',
          '+275760-09-13T00:00:00.001Z',
          '-271821-04-19T23:59:59.999Z',
          '0000-00-00T00:00:00Z',
          'yesterday',
          '2024-01-01',
          '2024-W01-1',
          '20240101T000000Z',
          '2024-001T00:00:00Z',
          '2024-01-01T00:00:00',
          '2016-12-31T23:59:60Z',
          '1e20',
        ),
      );
    }
    if (schema.format === 'email') {
      variants.push(fc.constantFrom('a@', '@b', 'a@b@c', 'ada lovelace@example.com', `${'a'.repeat(300)}@x.example`));
    }
    return variants;
  }

  private invalidNumber(schema: SchemaObject): fc.Arbitrary<unknown> {
    const edges: unknown[] = [
      -0,
      1e308,
      -1e308,
      Number.MAX_SAFE_INTEGER + 2,
      2 ** 63,
      1e-320,
      0.1 + 0.2,
      '1',
      '',
      true,
    ];
    if (schema.minimum !== undefined) edges.push(schema.minimum - 1, schema.minimum - 1e-9);
    if (schema.maximum !== undefined) edges.push(schema.maximum + 1, schema.maximum + 1e-9);
    if (schema.type === 'integer') edges.push(1.5);
    return fc.oneof(fc.constantFrom(...edges), fc.double(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 }));
  }

  private invalidArrays(schema: SchemaObject, depth: number): fc.Arbitrary<unknown>[] {
    const items = schema.items ?? {};
    const variants: fc.Arbitrary<unknown>[] = [
      fc.array(this.invalid(items, depth + 1), { minLength: 1, maxLength: 3 }),
      fc
        .tuple(fc.array(this.valid(items, {}, depth + 1), { maxLength: 2 }), this.invalid(items, depth + 1))
        .map(([good, bad]) => [...good, bad]),
      fc.constant([null]),
    ];
    if ((schema.minItems ?? 0) > 0) variants.push(fc.constant([]));
    if (schema.uniqueItems) variants.push(this.valid(items, {}, depth + 1).map((item) => [item, item]));
    // Past maxItems, where that stays a reasonable request (rosters allow 50,000).
    if (schema.maxItems !== undefined && schema.maxItems < 1_000) {
      const max = schema.maxItems;
      variants.push(this.valid(items, {}, depth + 1).map((item) => Array.from({ length: max + 1 }, () => item)));
    }
    return variants;
  }

  private invalidObjects(schema: SchemaObject, name: string | undefined, depth: number): fc.Arbitrary<unknown>[] {
    const properties = schema.properties ?? {};
    const keys = Object.keys(properties);
    const valid = this.validObject(schema, name, depth) as fc.Arbitrary<Record<string, unknown>>;
    const variants: fc.Arbitrary<unknown>[] = [
      // An extra property (the API forbids unknown ones) and prototype-polluting names.
      fc
        .tuple(
          valid,
          fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...RESERVED_KEYS)),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .filter(([, key]) => !keys.includes(key))
        .map(([object, key, value]) => withKey(object, key, value)),
      // Nested past the API's depth limit (32).
      fc.integer({ min: 30, max: 40 }).map((levels) => nested(levels)),
    ];
    const required = (schema.required ?? []).filter((key) => keys.includes(key));
    if (required.length > 0) {
      variants.push(
        fc.tuple(valid, fc.constantFrom(...required)).map(([object, key]) => {
          const copy = { ...object };
          delete copy[key];
          return copy;
        }),
      );
    }
    if (keys.length > 0 && depth < 4) {
      // One property wrong, the rest right.
      variants.push(
        fc
          .constantFrom(...keys)
          .chain((key) => fc.tuple(fc.constant(key), valid, this.invalid(properties[key], depth + 1)))
          .map(([key, object, bad]) => withKey(object, key, bad)),
      );
    }
    return variants;
  }
}

/** Sets a key even when it is `__proto__`, as JSON.parse on the server would see it. */
function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

/** Cuts or pads to [min, max] code points (what class-validator's lengths count), keeping surrogate pairs whole. */
function fitLength(value: string, min: number, max: number): string {
  const points = Array.from(value).slice(0, max);
  while (points.length < min) points.push('a');
  return points.join('');
}

function clampInt(value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : Number.isInteger(value) ? value : Math.round(value);
}
