import * as z from 'zod';
import { env } from '../shared/env.ts';
import { type RouteDef, routes } from './routes.ts';
import { ProblemSchema } from './schemas/common.ts';

/**
 * The OpenAPI 3.1 document, generated from the one route table and its zod schemas (`z.toJSONSchema`);
 * schemas with `.meta({ id })` become components. Served publicly by `GET /openapi.json`.
 */
type Json = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request or failed validation (`errors[]` names each field)',
  401: 'No or invalid bearer token',
  403: 'Your role may not use this route',
  404: 'Not found, or not yours',
  409: 'Conflicts with the current state (wrong stage, duplicate, stale version)',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'Well-formed but unacceptable (e.g. Idempotency-Key reused with another body)',
  429: 'Throttled: slow down and retry',
  500: 'Unexpected error (logged)',
  503: 'A backing service is unavailable; nothing changed, retry shortly',
};

/** Which problem responses a route can produce. */
export function errorStatuses(route: RouteDef): number[] {
  const statuses = [400, 429, 500, 503];
  const protectedRoute = Array.isArray(route.auth);
  if (protectedRoute) statuses.push(401, 403);
  if (route.auth === 'optional') statuses.push(401);
  if (route.request?.params || protectedRoute) statuses.push(404);
  if (route.method !== 'GET') statuses.push(409);
  if (route.request?.body) statuses.push(413, 415);
  if (route.idempotent || route.request?.body) statuses.push(422);
  return [...new Set(statuses)].sort((a, b) => a - b);
}

/** Converts one zod schema; named sub-schemas move to `components` and are referenced. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  const defs = (converted.$defs ?? {}) as Record<string, Json>;
  delete converted.$defs;
  delete converted.$schema;
  for (const [id, def] of Object.entries(defs)) {
    if (!(id in components)) components[id] = rewriteRefs(def);
  }
  return rewriteRefs(converted) as Json;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === '$ref' && typeof v === 'string'
          ? v.replace(/^#\/\$defs\//, '#/components/schemas/')
          : rewriteRefs(v);
    }
    return out;
  }
  return value;
}

/** OpenAPI parameters from an object schema (path or query). */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query', components: Json): Json[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input', components);
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

/** Builds the document for every route in the table (`/dev/*` routes are never in it). */
export function buildOpenApi(): Json {
  const components: Json = {};
  toSchema(ProblemSchema, 'output', components);
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const responses: Json = {};
    for (const [status, r] of Object.entries(route.responses)) {
      responses[status] = {
        description: r.description,
        ...(r.schema
          ? { content: { 'application/json': { schema: toSchema(r.schema, 'output', components) } } }
          : {}),
      };
    }
    for (const status of errorStatuses(route)) {
      responses[String(status)] = {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: PROBLEM_REF } },
      };
    }
    const params = [
      ...parameters(route.request?.params, 'path', components),
      ...parameters(route.request?.query, 'query', components),
      ...(route.idempotent
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description:
                'Optional. A repeat with the same key and body within 24 h returns the first response (header `idempotent-replayed: true`); the same key with another body → 422.',
              schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' },
            },
          ]
        : []),
    ];
    const operation: Json = {
      operationId: route.id,
      summary: route.summary,
      tags: [...route.tags],
      // optional: anonymous or with a token (`{}` is the OpenAPI way to say "no security" as one option).
      security:
        route.auth === 'public'
          ? []
          : route.auth === 'optional'
            ? [{}, { bearerJwt: [] }]
            : [{ bearerJwt: [] }],
      ...(Array.isArray(route.auth) ? { 'x-roles': [...route.auth] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(route.request?.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.request.body, 'input', components) } },
            },
          }
        : {}),
      responses,
    };
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, Json>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Zhongshan AI Enablement Platform management API',
      version: safeVersion(),
      description:
        'Implements the Zhongshan AI Enablement Platform Management Measures (中山市人工智能赋能平台管理办法). Errors are RFC 9457 problem+json.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Cognito (or the local issuer) ID token; roles from the `cognito:groups` claim.',
        },
      },
    },
    security: [{ bearerJwt: [] }],
  };
}

function safeVersion(): string {
  try {
    return env().APP_VERSION;
  } catch {
    return process.env.APP_VERSION ?? '0.1.0';
  }
}
