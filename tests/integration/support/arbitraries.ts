import fc from 'fast-check';
import { z } from 'zod';
import { MAX_BODY_BYTES } from '../../../functions/shared/http.ts';

/**
 * fast-check arbitraries for issue 5's bad-input suite: valid-looking shapes derived from a route's zod
 * schemas (through their JSON Schema, `z.toJSONSchema`), then mutated into something the schema refuses —
 * wrong types, missing and extra fields, boundary numbers, NaN/Infinity strings, hostile strings (unicode
 * edge cases, path traversal, control characters, huge values) — plus raw bodies no parser should choke
 * on (≥ 1 MB, 1000 levels deep, malformed JSON, a wrong content type).
 */

/** The kinds of bad input the suite counts (its `tried` figures). */
export type BadKind =
  | 'wrongType'
  | 'missingField'
  | 'extraField'
  | 'boundaryNumber'
  | 'hostileString'
  | 'wholeBody'
  | 'hostileParam'
  | 'hostileQuery'
  | 'hugeBody'
  | 'deepNesting'
  | 'malformedJson'
  | 'wrongContentType';

/** A JSON Schema node, as much of it as `z.toJSONSchema` emits for the route schemas. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
}

/** Strings that have broken parsers, key builders, loggers and file systems elsewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uDBFFy',
  '\u202Eevil.exe\u202Dtxt',
  '\u200B\u200C\u200D\uFEFF',
  'שלום مرحبا',
  '🇨🇳👨‍👩‍👧‍👦',
  'Z\u0351\u0360\u0357\u036A\u0313\u036A\u036F',
  '../../../../etc/passwd',
  '..\\..\\windows\\system32',
  '%2e%2e%2f%2e%2e%2f',
  '/absolute/path',
  'file:///etc/passwd',
  'a/../../b',
  'line\r\nInjected-Header: 1',
  '\t\b\f\u001b[31m',
  '\u0085\u2028\u2029',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '0x1F',
  '9007199254740993',
  'true',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  '{"$ne":null}',
  "' OR '1'='1' --",
  '<script>alert(1)</script>',
  '$'.concat('{jndi:ldap://x}'),
  '{{7*7}}',
  'USER#admin',
  'PK#|SK#',
  '#',
  'ＡＢＣ',
  'İı',
  'a'.repeat(2048),
  '中'.repeat(5000),
];

/** A hostile string: a known bad one, or random text over the whole UTF-16 range (lone surrogates included). */
export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        maxLength: 32,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.string({
        unit: fc.constantFrom('.', '/', '\\', '%', '\u0000', '\n', 'a'),
        maxLength: 24,
      }),
    },
  );

/** Numbers at and beyond every usual boundary (JSON-representable; Infinity/NaN go as strings or raw text). */
export const BOUNDARY_NUMBERS: readonly number[] = [
  -1,
  0,
  -0,
  0.5,
  -0.000001,
  2 ** 31,
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  1e308,
  -1e308,
  Number.MIN_VALUE,
];

/** Any JSON value; `notType` excludes values of one JSON type (to make a wrong type). */
export const jsonValueOfAnotherType = (notType: string | undefined): fc.Arbitrary<unknown> => {
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['string', hostileString()],
    ['number', fc.constantFrom(...BOUNDARY_NUMBERS)],
    ['integer', fc.constantFrom(...BOUNDARY_NUMBERS)],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })],
  ];
  const others = all.filter(([t]) =>
    notType === 'number' || notType === 'integer' ? t !== 'number' && t !== 'integer' : t !== notType,
  );
  return fc.oneof(...others.map(([, a]) => a));
};

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  if (s.enum?.length) return typeof s.enum[0];
  if (s.const !== undefined) return typeof s.const;
  const alt = s.anyOf ?? s.oneOf ?? s.allOf;
  return alt?.length ? typeOf(alt[0] as JsonSchema) : undefined;
}

const isoDate = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A value of the shape `s` describes (best effort: refinements zod adds beyond JSON Schema may not hold). */
export function shapeOf(s: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return fc.oneof(...alt.map((a) => shapeOf(a, depth + 1)));
  if (s.allOf?.length) return shapeOf(s.allOf[0] as JsonSchema, depth + 1);
  switch (typeOf(s)) {
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const entries = Object.fromEntries(
        Object.entries(props).map(([k, v]) => [k, depth > 6 ? fc.constant('x') : shapeOf(v, depth + 1)]),
      );
      return fc.record(entries, {
        requiredKeys: Object.keys(props).filter((k) => required.has(k)),
      });
    }
    case 'array':
      return fc.array(s.items && depth <= 6 ? shapeOf(s.items, depth + 1) : fc.string(), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)),
      });
    case 'integer':
    case 'number': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : min + 1000);
      return fc.integer({
        min: Math.ceil(min),
        max: Math.max(Math.ceil(min), Math.floor(Math.min(max, 2 ** 31))),
      });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string': {
      if (s.format === 'date-time') return isoDate;
      if (s.format === 'date') return isoDate.map((d) => d.slice(0, 10));
      if (s.format === 'email') return fc.emailAddress();
      if (s.pattern) {
        try {
          return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 64));
        } catch {
          return fc.constant('x');
        }
      }
      const minLength = s.minLength ?? 0;
      return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 16, 16)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** A JSON path inside a value and the schema node that describes it. */
interface Spot {
  readonly path: readonly (string | number)[];
  readonly schema: JsonSchema;
  readonly parent?: JsonSchema;
}

function resolve(s: JsonSchema, value: unknown): JsonSchema {
  const alt = s.anyOf ?? s.oneOf;
  if (!alt?.length) return s;
  return (
    alt.find(
      (a) => typeOf(a) === (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value),
    ) ?? s
  );
}

/** Every spot of `value` the schema describes (the root included). */
function spotsOf(s: JsonSchema, value: unknown, path: (string | number)[] = [], parent?: JsonSchema): Spot[] {
  const here = resolve(s, value);
  const spots: Spot[] = [{ path, schema: here, ...(parent ? { parent } : {}) }];
  if (value && typeof value === 'object' && !Array.isArray(value) && here.properties) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = here.properties[k];
      if (child) spots.push(...spotsOf(child, v, [...path, k], here));
    }
  }
  if (Array.isArray(value) && here.items) {
    for (const [i, v] of value.entries())
      spots.push(...spotsOf(here.items as JsonSchema, v, [...path, i], here));
  }
  return spots;
}

function setAt(root: unknown, path: readonly (string | number)[], next: unknown | typeof REMOVE): unknown {
  if (path.length === 0) return next === REMOVE ? undefined : next;
  const copy: unknown = structuredClone(root);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (next === REMOVE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = next;
  return copy;
}
const REMOVE = Symbol('remove');

/** A mutation the suite applies to a valid-looking value, and what it is counted as. */
export interface Mutated {
  readonly kind: BadKind;
  readonly value: unknown;
  readonly where: string;
}

/** One mutation of `value` at one of its spots. */
function mutate(s: JsonSchema, value: unknown): fc.Arbitrary<Mutated> {
  const spots = spotsOf(s, value);
  return fc.constantFrom(...spots).chain((spot) => {
    const where = spot.path.join('.') || '(root)';
    const options: fc.Arbitrary<Mutated>[] = [
      jsonValueOfAnotherType(typeOf(spot.schema)).map((v) => ({
        kind: spot.path.length ? 'wrongType' : 'wholeBody',
        value: setAt(value, spot.path, v),
        where,
      })),
    ];
    const t = typeOf(spot.schema);
    if (t === 'object') {
      options.push(
        fc.tuple(hostileString(), fc.jsonValue({ maxDepth: 1 })).map(([k, v]) => {
          const key = k && !(spot.schema.properties && k in spot.schema.properties) ? k : 'unexpectedField';
          const target = spot.path.length
            ? setAt(value, spot.path, { ...(readAt(value, spot.path) as object), [key]: v })
            : { ...(value as object), [key]: v };
          return { kind: 'extraField' as const, value: target, where: `${where}.${key.slice(0, 20)}` };
        }),
      );
      for (const req of spot.schema.required ?? []) {
        options.push(
          fc.constant({
            kind: 'missingField' as const,
            value: setAt(value, [...spot.path, req], REMOVE),
            where: `${where}.${req}`,
          }),
        );
      }
    }
    if (t === 'number' || t === 'integer') {
      const edges = [
        ...BOUNDARY_NUMBERS,
        ...(spot.schema.minimum !== undefined ? [spot.schema.minimum - 1, spot.schema.minimum - 0.5] : []),
        ...(spot.schema.maximum !== undefined ? [spot.schema.maximum + 1, spot.schema.maximum + 0.5] : []),
      ];
      options.push(
        fc
          .oneof(
            fc.constantFrom(...edges),
            fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '12abc', ' 1'),
          )
          .map((v) => ({
            kind: 'boundaryNumber' as const,
            value: setAt(value, spot.path, v),
            where,
          })),
      );
    }
    if (t === 'string') {
      options.push(
        hostileString().map((v) => ({
          kind: 'hostileString' as const,
          value: setAt(value, spot.path, v),
          where,
        })),
      );
      if (spot.schema.maxLength !== undefined)
        options.push(
          fc.constant({
            kind: 'hostileString' as const,
            value: setAt(value, spot.path, 'x'.repeat(spot.schema.maxLength + 1)),
            where,
          }),
        );
    }
    if (t === 'array') {
      options.push(
        fc.constant({
          kind: 'boundaryNumber' as const,
          value: setAt(
            value,
            spot.path,
            Array.from(
              { length: (spot.schema.maxItems ?? 1000) + 1 },
              () => readAt(value, [...spot.path, 0]) ?? 'x',
            ),
          ),
          where: `${where}[maxItems+1]`,
        }),
      );
    }
    return fc.oneof(...options);
  });
}

function readAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown> | undefined)?.[key];
  return node;
}

/** JSON Schema of a zod schema as the request sees it (input side). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  return inlineRefs(root, root.$defs ?? {}, 0) as JsonSchema;
}

/** Replaces `{ $ref: '#/$defs/X' }` by X (schemas with an `.meta({ id })` are emitted as refs). */
function inlineRefs(node: unknown, defs: Record<string, JsonSchema>, depth: number): unknown {
  if (Array.isArray(node)) return node.map((n) => inlineRefs(n, defs, depth));
  if (!node || typeof node !== 'object') return node;
  const { $ref, $defs: _defs, ...rest } = node as Record<string, unknown>;
  const target = typeof $ref === 'string' ? defs[$ref.replace('#/$defs/', '')] : undefined;
  if (target && depth < 8) return inlineRefs({ ...target, ...rest }, defs, depth + 1);
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, inlineRefs(v, defs, depth)]));
}

/**
 * A value `schema` refuses: a valid-looking value with one mutation (filtered so zod does refuse it; a
 * mutation that happens to stay valid — an optional field removed — is dropped, not counted).
 */
export function refusedBy(schema: z.ZodType): fc.Arbitrary<Mutated> {
  const js = jsonSchemaOf(schema);
  return shapeOf(js)
    .chain((base) => mutate(js, base))
    .filter((m) => !schema.safeParse(m.value).success);
}

/** Path parameter values an IdParam refuses or that name nothing: traversal, control characters, unicode. */
export const hostileParam = (): fc.Arbitrary<string> =>
  fc.oneof(
    hostileString(),
    fc.constantFrom('..', '.', '%00', 'a'.repeat(65), '01ARZ3NDEKTSV4RRFFQ69G5FAV/..'),
  );

/** A raw body of ≥ 1 MB (valid JSON, so only its size is wrong): must be 413. */
export function hugeBody(extraBytes = 1): string {
  const filler = 'x'.repeat(MAX_BODY_BYTES + extraBytes);
  return JSON.stringify({ filler });
}

/** A JSON body nested `levels` deep (arrays or objects). */
export function deepBody(levels: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(levels)}${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** Raw texts that are not JSON (or JSON numbers JavaScript cannot hold). */
export const MALFORMED_JSON: readonly string[] = [
  '{',
  '{"a":}',
  "{'single':'quotes'}",
  '{"a":1,}',
  '\uFEFF{"bom":true}',
  'NaN',
  '{"n": 1e309}',
  '{"__proto__": {"polluted": true}}',
  '\u0000',
  '[1, 2',
  '{"a":"\\ud800"}',
];
