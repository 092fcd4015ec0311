import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z } from 'zod';
import { type RouteDef, type RouteGroup, routeKey } from '../api/route-types.ts';
import { clock } from './clock.ts';
import {
  AppError,
  ConflictError,
  type FieldError,
  ForbiddenError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  toProblem,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
} from './errors.ts';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyContext,
  IdempotencyRaceError,
  type IdempotencyRecord,
  requestHash,
} from './idempotency.ts';
import { logger, metrics } from './powertools.ts';
import { type Principal, parseGroupsClaim } from './roles.ts';

/**
 * The handler factory every route group uses (DESIGN "handlers"): middy with the header normaliser,
 * a JSON body parser, authentication and route roles, zod validation, Idempotency-Key, Powertools
 * logger/metrics, and one error mapper that turns everything thrown into problem+json
 * (API contract "errors": a 4xx always says what to fix; never 500 for bad input).
 */
export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;
/** A group's handler, with the route keys it serves (tests compare them with the whole route table). */
export type GroupHandler = ApiHandler & { readonly routeKeys: readonly string[] };

export interface ApiRequest<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> {
  /** The caller; always set on protected routes, absent on public ones. */
  readonly principal?: Principal;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly requestId: string;
  readonly route: RouteDef;
  /** Set on `idempotent` routes when the caller sent an Idempotency-Key. */
  readonly idempotency?: IdempotencyContext;
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** A non-JSON body sent as is (e.g. a CSV export); set its `content-type` in `headers`. */
  readonly text?: string;
}

/** A protected route's request: the principal is always set. */
export type AuthedRequest<P = Record<string, string>, Q = Record<string, unknown>, B = unknown> = ApiRequest<
  P,
  Q,
  B
> & {
  readonly principal: Principal;
};

/**
 * A route implementation. Declared with method syntax so an implementation may narrow its request type
 * to its route's schemas (the factory has validated them before the call).
 */
type Bivariant<T> = { bivarianceHack(req: T): Promise<ApiResponse> }['bivarianceHack'];
export type Implementation = Bivariant<ApiRequest>;

/** Reads an unexpired idempotency record (the registry implements it). */
export type IdempotencyLookup = (
  scope: string,
  key: string,
  now: Date,
) => Promise<IdempotencyRecord | undefined>;

/** Verifies the bearer token an optional-auth route was sent, if any (`optionalPrincipal`). */
export type OptionalAuth = (
  headers: Readonly<Record<string, string | undefined>>,
) => Promise<Principal | undefined>;

export interface HttpHandlerOptions {
  /** Needed when the group has `idempotent` routes. */
  readonly idempotency?: IdempotencyLookup;
  /**
   * Needed when the group has `optional`-auth routes (`optionalPrincipal` from optional-auth.ts). Passed
   * in, not imported here, so only those groups bundle the JWT library (issue 8, bundle size).
   */
  readonly optionalAuth?: OptionalAuth;
}

/** Request bodies above this are refused with 413 (API Gateway's own limit is 10 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_TYPE = 'application/json';
const PROBLEM_TYPE = 'application/problem+json';
/** Replay look-ups a repeat makes while its first request is still in flight (20, 40, 80 ms apart). */
const IDEMPOTENCY_RACE_ATTEMPTS = 3;

/**
 * Builds `handler` for one route group: dispatches on `event.routeKey` to `implementations[route.id]`.
 * Every route of the group must have an implementation (checked at load). `routeList` is the route
 * module(s) that hold the group's routes (e.g. `spineRoutes`), not the whole table (`routes.ts`): a
 * function then bundles and loads only its own routes and schemas (issue 8, bundle size). That the
 * list holds every route of the group is checked against the whole table by the unit tests.
 */
export function routeGroupHandler(
  group: RouteGroup,
  routeList: readonly RouteDef[],
  implementations: Readonly<Record<string, Implementation>>,
  options: HttpHandlerOptions = {},
): GroupHandler {
  const groupRoutes = routeList.filter((r) => r.group === group);
  const byKey = new Map(groupRoutes.map((r) => [routeKey(r), r]));
  for (const r of groupRoutes) {
    if (!implementations[r.id]) throw new Error(`route ${routeKey(r)} (${r.id}) has no implementation`);
    if (r.idempotent && !options.idempotency)
      throw new Error(`route ${r.id} is idempotent: pass options.idempotency`);
    if (r.auth === 'optional' && !options.optionalAuth)
      throw new Error(`route ${r.id} has optional auth: pass options.optionalAuth`);
  }

  const core = async (event: ApiEvent): Promise<ApiResult> => {
    const route = byKey.get(event.routeKey);
    if (!route) throw new AppError(404, 'ROUTE_NOT_FOUND', 'Not found', `No route ${event.routeKey}.`);
    const implementation = implementations[route.id] as Implementation;
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    const principal =
      route.auth === 'optional'
        ? await (options.optionalAuth as OptionalAuth)(headers)
        : authenticate(route, event);
    const params = validate(route.request?.params, event.pathParameters ?? {}, 'params');
    const query = validate(route.request?.query, event.queryStringParameters ?? {}, 'query');
    const body = route.request?.body ? validate(route.request.body, parseBody(event), 'body') : undefined;

    const idemKey = route.idempotent ? headers[IDEMPOTENCY_HEADER] : undefined;
    let idempotency: IdempotencyContext | undefined;
    if (idemKey !== undefined && principal && options.idempotency) {
      if (!IDEMPOTENCY_KEY_PATTERN.test(idemKey)) {
        throw new ValidationError('Idempotency-Key must be 1–128 characters of A-Z, a-z, 0-9, - and _.', [
          { path: 'headers.idempotency-key', message: 'invalid format' },
        ]);
      }
      idempotency = {
        scope: principal.sub,
        key: idemKey,
        routeKey: routeKey(route),
        requestHash: requestHash(routeKey(route), params, body),
      };
      const replay = await replayIfKnown(options.idempotency, idempotency);
      if (replay) return replay;
    }
    const req: ApiRequest = {
      ...(principal ? { principal } : {}),
      params: params as Record<string, string>,
      query: query as Record<string, unknown>,
      body,
      headers,
      requestId: event.requestContext?.requestId ?? 'local',
      route,
      ...(idempotency ? { idempotency } : {}),
    };
    // A repeat racing its first request: replay the first response once it has committed; if the first
    // failed instead, this request takes its own course.
    for (let attempt = 0; ; attempt += 1) {
      try {
        return toResult(await implementation(req));
      } catch (e) {
        if (!(e instanceof IdempotencyRaceError && idempotency && options.idempotency)) throw e;
        const replay = await replayIfKnown(options.idempotency, idempotency);
        if (replay) return replay;
        if (attempt >= IDEMPOTENCY_RACE_ATTEMPTS) {
          throw new ConflictError(
            'IDEMPOTENCY_KEY_IN_USE',
            'A request with this Idempotency-Key, or another change to the same records, is still in progress; retry shortly.',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      }
    }
  };

  const handler = middy<ApiEvent, ApiResult>()
    .use(httpHeaderNormalizer())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .use(problemResponses(byKey))
    .handler(core) as unknown as ApiHandler;
  return Object.assign(handler, { routeKeys: [...byKey.keys()] });
}

async function replayIfKnown(
  lookup: IdempotencyLookup,
  ctx: IdempotencyContext,
): Promise<ApiResult | undefined> {
  const record = await lookup(ctx.scope, ctx.key, clock.now());
  if (!record) return undefined;
  if (record.requestHash !== ctx.requestHash || record.routeKey !== ctx.routeKey) {
    throw new UnprocessableError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request; use a new key for a new request.',
    );
  }
  return toResult({ ...record.response, headers: { 'idempotent-replayed': 'true' } });
}

/** No principal on a protected route → 401; a role outside the route's roles → 403. */
export function authenticate(route: RouteDef, event: ApiEvent): Principal | undefined {
  // Public and optional-auth routes have no authorizer; optional ones verify a sent token themselves.
  if (!Array.isArray(route.auth)) return undefined;
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || !sub) throw new UnauthorizedError();
  const roles = parseGroupsClaim(claims?.['cognito:groups']);
  const email = claims?.email;
  const allowed: readonly string[] = route.auth;
  if (!roles.some((r) => allowed.includes(r))) {
    throw new ForbiddenError(
      `${routeKey(route)} is for ${allowed.join(', ')}; your roles: ${roles.length ? roles.join(', ') : 'none'}.`,
    );
  }
  return { sub, roles, ...(typeof email === 'string' ? { email } : {}) };
}

/** Body parsing: JSON only (415 otherwise), at most 1 MB (413), well-formed (400 MALFORMED_JSON). */
export function parseBody(event: ApiEvent): unknown {
  const raw = event.body;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const headers = (event.headers ?? {}) as Record<string, string | undefined>;
  const contentType = (headers['content-type'] ?? headers['Content-Type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (!contentType || (contentType !== JSON_TYPE && !/^application\/[a-z0-9.+-]+\+json$/.test(contentType))) {
    throw new AppError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Unsupported media type',
      `Send the body as JSON with Content-Type: application/json (got ${contentType || 'none'}).`,
    );
  }
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`The body is ${size} bytes; the limit is ${MAX_BODY_BYTES} bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ValidationError(`The body is not valid JSON: ${(e as Error).message}`, [], 'MALFORMED_JSON');
  }
}

/** zod validation → 400 VALIDATION_FAILED with `errors:[{path,message}]`. */
export function validate(
  schema: z.ZodType | undefined,
  value: unknown,
  where: 'params' | 'query' | 'body',
): unknown {
  if (!schema) return where === 'body' ? value : {};
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [where, ...issue.path.map(String)].join('.');
    return keys.length
      ? { path, message: `unknown field(s): ${keys.join(', ')}` }
      : {
          path,
          message: value === undefined && where === 'body' ? 'a JSON body is required' : issue.message,
        };
  });
  const summary = errors
    .slice(0, 3)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');
  throw new ValidationError(`Fix these fields: ${summary}${errors.length > 3 ? '; …' : ''}`, errors);
}

function toResult(res: ApiResponse): ApiResult {
  if (res.text !== undefined) return { statusCode: res.status, headers: { ...res.headers }, body: res.text };
  const noBody = res.status === 204 || res.body === undefined;
  return {
    statusCode: res.status,
    headers: { ...(noBody ? {} : { 'content-type': JSON_TYPE }), ...res.headers },
    ...(noBody ? {} : { body: JSON.stringify(res.body) }),
  };
}

const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'TooManyRequestsException',
  'LimitExceededException',
]);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
]);

/** AWS SDK connectivity and throttling errors: nothing was changed, the caller may retry (503). */
export function isServiceUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    name?: string;
    code?: string;
    errors?: unknown[];
    $metadata?: { httpStatusCode?: number };
  };
  if (e.name && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.some(isServiceUnavailable)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/** Maps anything thrown to a problem+json response; unknown errors are logged and become 500. */
export function errorToResult(error: unknown, instance?: string): ApiResult {
  let mapped: unknown = error;
  if (!(error instanceof AppError) && isServiceUnavailable(error)) mapped = new ServiceUnavailableError();
  const problem = toProblem(mapped, instance);
  if (problem.status === 500) {
    logger.error('request failed', { error: error instanceof Error ? error : String(error), instance });
  } else if (mapped !== error) {
    logger.warn('backing service unavailable', {
      error: error instanceof Error ? error : String(error),
      instance,
    });
  }
  return {
    statusCode: problem.status,
    headers: {
      'content-type': PROBLEM_TYPE,
      ...(problem.status === 503 ? { 'retry-after': '1' } : {}),
    },
    body: JSON.stringify(problem),
  };
}

/**
 * One metric per route outcome, e.g. `createOrganisation.2xx`, `createOrganisation.4xx`. Named rather than
 * dimensioned, so concurrent requests in one process (the local server) never share a dimension set.
 */
function outcomeMetric(routes: ReadonlyMap<string, RouteDef>, event: ApiEvent, status: number): void {
  const id = routes.get(event.routeKey)?.id ?? 'unknownRoute';
  metrics.addMetric(`${id}.${Math.floor(status / 100)}xx`, MetricUnit.Count, 1);
}

/** The error mapper (last error handler) and the per-route outcome metric. */
function problemResponses(routes: ReadonlyMap<string, RouteDef>): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    after: (request) => {
      outcomeMetric(routes, request.event, request.response?.statusCode ?? 200);
    },
    onError: (request) => {
      request.response = errorToResult(request.error, request.event.rawPath);
      outcomeMetric(routes, request.event, request.response.statusCode ?? 500);
    },
  };
}
