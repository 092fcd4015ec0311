import '../support/quiet-logs.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { ROUTE_GROUPS, type RouteDef, routeKey, routes } from '../../functions/api/routes.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { resetOptionalAuth } from '../../functions/shared/optional-auth.ts';
import { ROLES, type Role } from '../../functions/shared/roles.ts';
import { LocalJwtIssuer } from '../../infra/local/jwt-issuer.ts';
import { apiEvent, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

/**
 * The authorisation matrix, generated from the route table and run through the real group handlers on
 * DynamoDB Local (the start of issue 5's matrix). For every route × every role and no token:
 * - a protected route: no token → 401; a role outside `route.auth` → 403;
 * - public and optional-auth routes: never 401 or 403 (optional ones get a real bearer token);
 * - an allowed caller on a route naming an object by id that does not exist → 404 or 400;
 * - nothing answers 5xx.
 * The route-level check lives in `functions/shared/http.ts` (`authenticate`); object checks in the use cases.
 */
type ApiHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;
type Caller = Role | 'no token';
const CALLERS: readonly Caller[] = ['no token', ...ROLES];

const handlers = new Map<string, ApiHandler>();
let issuer: LocalJwtIssuer;
let jwks: http.Server;
let issuerDir = '';
const tokens = new Map<Role, string>();

/** A value for a path parameter that names nothing: a fresh ULID; a year no cycle has. */
const randomParam = (name: string): string => (name === 'year' ? '2099' : ulid());
const paramsOf = (route: RouteDef): Record<string, string> =>
  Object.fromEntries(
    [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => [name, randomParam(name)]),
  );
/**
 * A route that names a stored object by id (`{id}`, `{callId}`, …): with a random id it must answer 404
 * (or 400). A `{year}` alone names no stored object (e.g. the calendar of any year exists).
 */
const namesObject = (route: RouteDef): boolean => /\{(id|\w+Id)\}/.test(route.path);
const sendsBody = (route: RouteDef): boolean => ['POST', 'PUT', 'PATCH'].includes(route.method);

/** What the contract requires of `caller` on `route`: a description, and whether `status` meets it. */
function expectation(route: RouteDef, caller: Caller): { want: string; ok: (status: number) => boolean } {
  if (Array.isArray(route.auth)) {
    if (caller === 'no token') return { want: '401', ok: (s) => s === 401 };
    if (!(route.auth as readonly Role[]).includes(caller)) return { want: '403', ok: (s) => s === 403 };
  }
  if (namesObject(route)) return { want: '404 or 400', ok: (s) => s === 404 || s === 400 };
  return { want: 'below 500, not 401/403', ok: (s) => s < 500 && s !== 401 && s !== 403 };
}

async function call(route: RouteDef, caller: Caller): Promise<{ status: number; code?: string }> {
  const handler = handlers.get(route.group);
  if (!handler) throw new Error(`no handler for ${route.group}`);
  const role = caller === 'no token' ? undefined : caller;
  const token = role ? tokens.get(role) : undefined;
  const event = apiEvent(routeKey(route), {
    params: paramsOf(route),
    ...(sendsBody(route) ? { body: {} } : {}),
    // Protected routes: the authorizer's claims; public and optional routes: the bearer token itself.
    ...(role && Array.isArray(route.auth) ? { caller: { sub: `${role}-authz`, roles: [role] } } : {}),
    ...(token && !Array.isArray(route.auth) ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  const res = (await handler(event, lambdaContext(`api-${route.group}`))) as {
    statusCode: number;
    body?: string;
    headers?: Record<string, string>;
  };
  // Problems are JSON; a successful export is CSV.
  const json = /json/.test(res.headers?.['content-type'] ?? res.headers?.['Content-Type'] ?? '');
  const body = json && res.body ? jsonBody<{ code?: string }>(res) : undefined;
  return { status: res.statusCode, ...(body?.code ? { code: body.code } : {}) };
}

beforeAll(async () => {
  await useLocalServices('route-authz', { bucket: true });
  setWorkflowEngine(new RecordingWorkflowEngine());
  issuerDir = mkdtempSync(path.join(tmpdir(), 'route-authz-issuer-'));
  issuer = await LocalJwtIssuer.open({ dir: issuerDir, issuer: 'http://issuer.test/local-issuer' });
  jwks = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(issuer.jwks()));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
  });
  resetEnv();
  resetOptionalAuth();
  for (const role of ROLES) {
    tokens.set(role, (await issuer.sign({ sub: `${role}-authz`, groups: [role] })).token);
  }
  for (const group of ROUTE_GROUPS) {
    const mod = (await import(new URL(`../../functions/api/${group}.ts`, import.meta.url).href)) as {
      handler: ApiHandler;
    };
    handlers.set(group, mod.handler);
  }
});
afterAll(async () => {
  setWorkflowEngine(undefined);
  setClock(undefined);
  await new Promise((resolve) => jwks.close(resolve));
  rmSync(issuerDir, { recursive: true, force: true });
});

describe('authorisation matrix (every route × every role and no token)', () => {
  it('covers every route of the table with a loaded group handler', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect([...handlers.keys()].sort()).toEqual([...ROUTE_GROUPS].sort());
  });

  it.each(routes.map((r) => [routeKey(r), r] as const))('%s', async (_key, route) => {
    // Act: every caller, in parallel (each request is independent).
    const results = await Promise.all(
      CALLERS.map(async (caller) => [caller, await call(route, caller)] as const),
    );
    // Assess: one line per caller that misses its expectation.
    const misses = results.flatMap(([caller, { status, code }]) => {
      const { want, ok } = expectation(route, caller);
      return ok(status) ? [] : [`${caller}: got ${status}${code ? ` ${code}` : ''}, want ${want}`];
    });
    expect(misses).toEqual([]);
  });
});
