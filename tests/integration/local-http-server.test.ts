import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RouteDef } from '../../functions/api/routes.ts';
import { clock, setClock } from '../../functions/shared/clock.ts';
import { createLocalHttpServer, type LocalHttpServer } from '../../infra/local/http-server.ts';
import { issuerFor, LOCAL_AUDIENCE, LocalJwtIssuer } from '../../infra/local/jwt-issuer.ts';
import { LocalScheduler } from '../../infra/local/scheduler.ts';
import { freePort } from '../../infra/local/services.ts';

/**
 * The local HTTP API in process: payload 2.0 events as API Gateway builds them, the JWT authorizer
 * (forged tokens never reach a handler), result mapping, limits, CORS and the dev routes. Handlers
 * are stand-ins that record the event, so these tests pin the gateway's behaviour, not the functions'.
 */

const route = (
  r: Partial<RouteDef> & Pick<RouteDef, 'id' | 'method' | 'path' | 'group' | 'auth'>,
): RouteDef => ({
  summary: r.id,
  tags: ['test'],
  responses: { 200: { description: 'ok' } },
  ...r,
});

const testRoutes: RouteDef[] = [
  route({ id: 'pub', method: 'GET', path: '/t/public', group: 'system', auth: 'public' }),
  route({
    id: 'getItem',
    method: 'GET',
    path: '/t/items/{itemId}',
    group: 'organisations',
    auth: ['officer'],
  }),
  route({
    id: 'putItem',
    method: 'POST',
    path: '/t/items/{itemId}',
    group: 'organisations',
    auth: ['officer'],
  }),
  route({ id: 'special', method: 'GET', path: '/t/items/special', group: 'organisations', auth: 'public' }),
  route({ id: 'file', method: 'GET', path: '/t/files/{key+}', group: 'tasks', auth: 'public' }),
  route({ id: 'result', method: 'POST', path: '/t/result', group: 'audit', auth: 'public' }),
];

let dir: string;
let issuer: LocalJwtIssuer;
let api: LocalHttpServer;
let url: string;
const events: APIGatewayProxyEventV2WithJWTAuthorizer[] = [];
let nextResult: (event: APIGatewayProxyEventV2WithJWTAuthorizer) => unknown = () => ({
  statusCode: 200,
  body: '{}',
});
let jobRuns = 0;

async function token(groups: string[], extra: { sub?: string; email?: string } = {}): Promise<string> {
  const issued = await issuer.sign({
    sub: extra.sub ?? 'officer-1',
    groups: groups as ('officer' | 'approver')[],
    ...(extra.email ? { email: extra.email } : {}),
  });
  return issued.token;
}

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'zs-http-'));
  // The issuer is named after the URL, so the port is chosen first (as the runtime does for PORT=0).
  const port = await freePort();
  issuer = await LocalJwtIssuer.open({
    dir: path.join(dir, 'issuer'),
    issuer: issuerFor(`http://127.0.0.1:${port}`),
  });
  const scheduler = new LocalScheduler({
    everyMs: 0,
    jobs: {
      deadlines: async () => {
        jobRuns += 1;
        return { now: clock.now().toISOString(), examined: 0, acted: 0, runs: jobRuns };
      },
      broken: async () => {
        throw new Error('the job broke');
      },
    },
    log: () => {},
  });
  api = createLocalHttpServer({
    issuer,
    routes: testRoutes,
    scheduler,
    log: () => {},
    loadGroupHandler: async () => async (event: unknown) => {
      const e = event as APIGatewayProxyEventV2WithJWTAuthorizer;
      events.push(e);
      return nextResult(e);
    },
  });
  url = await api.listen(port, '127.0.0.1');
});

beforeEach(() => {
  events.length = 0;
  nextResult = () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"ok":true}',
  });
});

afterAll(async () => {
  setClock(undefined);
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('payload format 2.0 events', () => {
  it('builds the event of a protected route as API Gateway does', async () => {
    // Prepare
    const bearer = await token(['officer', 'approver'], { email: 'o@example.com' });

    // Act
    const res = await fetch(`${url}/t/items/a%20b?x=1&x=2&y=%E4%B8%AD&flag`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        'X-Custom': 'Value',
        cookie: 'a=1; b=2',
        'user-agent': 'e2e-agent',
      },
      body: JSON.stringify({ hello: '中山' }),
    });

    // Assess
    expect(res.status).toBe(200);
    const event = events[0];
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /t/items/{itemId}',
      rawPath: '/t/items/a%20b',
      rawQueryString: 'x=1&x=2&y=%E4%B8%AD&flag',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: '中', flag: '' },
      pathParameters: { itemId: 'a b' },
      body: '{"hello":"中山"}',
      isBase64Encoded: false,
    });
    expect(event?.headers['x-custom']).toBe('Value');
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.requestContext).toMatchObject({
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      stage: '$default',
      routeKey: 'POST /t/items/{itemId}',
      http: {
        method: 'POST',
        path: '/t/items/a%20b',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'e2e-agent',
      },
    });
    expect(event?.requestContext.requestId).toBe(res.headers.get('apigw-requestid'));
    expect(event?.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof event?.requestContext.timeEpoch).toBe('number');
    const jwt = event?.requestContext.authorizer.jwt;
    expect(jwt?.scopes).toBeNull();
    expect(jwt?.claims).toMatchObject({
      sub: 'officer-1',
      'cognito:groups': '[officer approver]',
      email: 'o@example.com',
      email_verified: 'true',
      token_use: 'id',
      iss: issuer.issuer,
      aud: LOCAL_AUDIENCE,
    });
    expect(jwt?.claims.exp).toMatch(/^\d+$/);
  });

  it('base64-encodes binary bodies and leaves out what a GET does not have', async () => {
    // Prepare
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);

    // Act
    await fetch(`${url}/t/result`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
    await fetch(`${url}/t/public`);

    // Assess
    expect(events[0]).toMatchObject({ isBase64Encoded: true, body: png.toString('base64') });
    expect(events[1]?.body).toBeUndefined();
    expect(events[1]?.queryStringParameters).toBeUndefined();
    expect(events[1]?.pathParameters).toBeUndefined();
    expect(events[1]?.isBase64Encoded).toBe(false);
  });

  it('gives public routes no authorizer context even when a token is sent', async () => {
    // Act
    const res = await fetch(`${url}/t/public`, {
      headers: { authorization: `Bearer ${await token(['officer'])}` },
    });

    // Assess
    expect(res.status).toBe(200);
    expect('authorizer' in (events[0]?.requestContext ?? {})).toBe(false);
  });

  it('matches literal segments before parameters and greedy {key+} paths', async () => {
    // Act
    await fetch(`${url}/t/items/special`);
    await fetch(`${url}/t/files/a/b/c.pdf`);

    // Assess
    expect(events.map((e) => e.routeKey)).toEqual(['GET /t/items/special', 'GET /t/files/{key+}']);
    expect(events[1]?.pathParameters).toEqual({ key: 'a/b/c.pdf' });
  });
});

describe('JWT authorizer', () => {
  const forged: [string, () => Promise<string>, RegExp][] = [
    [
      'signed with another key',
      async () => {
        const other = await LocalJwtIssuer.open({
          dir: path.join(dir, 'other-issuer'),
          issuer: issuer.issuer,
        });
        return (await other.sign({ sub: 'x', groups: ['officer'] })).token;
      },
      /kid|signature/,
    ],
    [
      'with alg none',
      async () =>
        `${b64url({ alg: 'none', typ: 'JWT', kid: issuer.jwks().keys[0]?.kid })}.${b64url({
          sub: 'x',
          'cognito:groups': ['officer'],
          iss: issuer.issuer,
          aud: LOCAL_AUDIENCE,
          exp: Math.floor(Date.now() / 1000) + 600,
        })}.`,
      /algorithm "none"/,
    ],
    [
      'signed with HS256',
      async () =>
        new SignJWT({ 'cognito:groups': ['officer'] })
          .setProtectedHeader({ alg: 'HS256', kid: issuer.jwks().keys[0]?.kid ?? 'k' })
          .setSubject('x')
          .setIssuer(issuer.issuer)
          .setAudience(LOCAL_AUDIENCE)
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough-32b')),
      /algorithm "HS256"/,
    ],
    [
      'expired',
      async () =>
        (await issuer.sign({ sub: 'x', groups: ['officer'] }, new Date(Date.now() - 7_200_000))).token,
      /expired/,
    ],
    [
      'from another issuer',
      async () => {
        const other = await LocalJwtIssuer.open({
          dir: path.join(dir, 'issuer'),
          issuer: 'https://evil.example/local-issuer',
        });
        return (await other.sign({ sub: 'x', groups: ['officer'] })).token;
      },
      /issuer/,
    ],
    [
      'for another audience',
      async () => {
        const other = await LocalJwtIssuer.open({
          dir: path.join(dir, 'issuer'),
          issuer: issuer.issuer,
          audience: 'other-app',
        });
        return (await other.sign({ sub: 'x', groups: ['officer'] })).token;
      },
      /audience|aud/,
    ],
    [
      'signed by a foreign RSA key under our kid',
      async () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        return new SignJWT({ 'cognito:groups': ['officer'] })
          .setProtectedHeader({ alg: 'RS256', kid: issuer.jwks().keys[0]?.kid ?? 'k' })
          .setSubject('x')
          .setIssuer(issuer.issuer)
          .setAudience(LOCAL_AUDIENCE)
          .setExpirationTime('10m')
          .sign(await importPKCS8(pem, 'RS256'));
      },
      /signature/,
    ],
    ['that is not a JWT', async () => 'not-a-jwt', /not a signed JWT/],
  ];

  it.each(forged)('refuses a token %s with 401 before the handler runs', async (_what, make, reason) => {
    // Act
    const res = await fetch(`${url}/t/items/1`, { headers: { authorization: `Bearer ${await make()}` } });
    const body = (await res.json()) as { code: string; detail: string; status: number };

    // Assess
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    expect(body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(body.detail).toMatch(reason);
    expect(events).toHaveLength(0);
  });

  it('refuses a missing token with 401 and accepts a raw token without the Bearer prefix', async () => {
    // Act
    const missing = await fetch(`${url}/t/items/1`);
    const raw = await fetch(`${url}/t/items/1`, { headers: { authorization: await token(['officer']) } });

    // Assess
    expect(missing.status).toBe(401);
    expect(raw.status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('passes a valid token of any role to the handler, which checks roles itself', async () => {
    // Act
    const res = await fetch(`${url}/t/items/1`, { headers: { authorization: `Bearer ${await token([])}` } });

    // Assess
    expect(res.status).toBe(200);
    expect(events[0]?.requestContext.authorizer.jwt.claims['cognito:groups']).toBeUndefined();
  });

  it('keeps tokens valid when the business clock moves', async () => {
    // Prepare
    const bearer = await token(['officer']);
    setClock(new Date('2031-01-01T00:00:00Z'));

    // Act
    const res = await fetch(`${url}/t/items/1`, { headers: { authorization: `Bearer ${bearer}` } });
    setClock(undefined);

    // Assess
    expect(res.status).toBe(200);
  });
});

describe('responses', () => {
  it('maps a structured result: status, headers, cookies, base64 body', async () => {
    // Prepare
    nextResult = () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/octet-stream', 'X-Count': 3 },
      cookies: ['s=1; HttpOnly', 't=2'],
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });

    // Act
    const res = await fetch(`${url}/t/result`, { method: 'POST' });

    // Assess
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-count')).toBe('3');
    expect(res.headers.getSetCookie()).toEqual(['s=1; HttpOnly', 't=2']);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
  });

  it('turns a plain object result into a 200 JSON response', async () => {
    // Prepare
    nextResult = () => ({ answer: 42 });

    // Act
    const res = await fetch(`${url}/t/result`, { method: 'POST' });

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ answer: 42 });
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('handler bug');
      },
    ],
    ['returns a malformed result', () => ({ statusCode: 'two hundred' })],
  ])('answers 500 problem+json when the handler %s', async (_what, result) => {
    // Prepare
    nextResult = result;

    // Act
    const res = await fetch(`${url}/t/result`, { method: 'POST' });

    // Assess
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
  });

  it('answers unknown paths with 404 ROUTE_NOT_FOUND and wrong methods with 405 and Allow', async () => {
    // Act
    const missing = await fetch(`${url}/t/nothing`);
    const wrong = await fetch(`${url}/t/items/1`, { method: 'DELETE' });

    // Assess
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(events).toHaveLength(0);
  });

  it('refuses bodies over 10 MB with 413 before any handler runs', async () => {
    // Act
    const res = await fetch(`${url}/t/result`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });

    // Assess
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(events).toHaveLength(0);
  });

  it('accepts a body of exactly 10 MB', async () => {
    // Act
    const res = await fetch(`${url}/t/result`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(10 * 1024 * 1024, 0x61),
    });

    // Assess
    expect(res.status).toBe(200);
    expect(events[0]?.body?.length).toBe(10 * 1024 * 1024);
  });
});

describe('CORS for consoles on localhost', () => {
  it('answers a preflight from a localhost origin', async () => {
    // Act
    const res = await fetch(`${url}/t/items/1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

    // Assess
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(events).toHaveLength(0);
  });

  it('adds CORS headers for localhost origins only', async () => {
    // Act
    const local = await fetch(`${url}/t/public`, { headers: { origin: 'http://127.0.0.1:8080' } });
    const foreign = await fetch(`${url}/t/public`, { headers: { origin: 'https://evil.example' } });

    // Assess
    expect(local.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('dev routes', () => {
  it('issues tokens that the authorizer accepts, and serves the JWKS', async () => {
    // Act
    const res = await fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        sub: 'approver-7',
        groups: ['approver'],
        email: 'a7@example.com',
        expiresInSeconds: 120,
      }),
    });
    const issued = (await res.json()) as { token: string; expiresAt: string };
    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    const verified = await issuer.verify(issued.token);

    // Assess
    expect(res.status).toBe(200);
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);
    expect(verified).toMatchObject({
      sub: 'approver-7',
      'cognito:groups': ['approver'],
      email: 'a7@example.com',
    });
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]?.d).toBeUndefined();
  });

  it.each([
    [{ sub: 'x', groups: ['superuser'] }, 'body.groups.0'],
    [{ groups: ['officer'] }, 'body.sub'],
    [{ sub: 'x', groups: ['officer'], role: 'admin' }, 'body'],
    [{ sub: 'x', groups: ['officer'], expiresInSeconds: 0 }, 'body.expiresInSeconds'],
  ])('refuses an invalid token request %j with 400 naming %s', async (body, errorPath) => {
    // Act
    const res = await fetch(`${url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };

    // Assess
    expect(res.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.path)).toContain(errorPath);
  });

  it('sets, reads and resets the business clock', async () => {
    // Act
    const set = await fetch(`${url}/dev/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: '2026-06-01T09:00:00+08:00', mode: 'fixed' }),
    });
    const read = (await (await fetch(`${url}/dev/clock`)).json()) as { now: string; mode: string };
    const inHandlers = clock.now().toISOString();
    const reset = (await (await fetch(`${url}/dev/clock`, { method: 'DELETE' })).json()) as { mode: string };
    const bad = await fetch(`${url}/dev/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ now: 'tomorrow' }),
    });

    // Assess
    expect(set.status).toBe(200);
    expect(read).toMatchObject({ now: '2026-06-01T01:00:00.000Z', mode: 'fixed' });
    expect(inHandlers).toBe('2026-06-01T01:00:00.000Z');
    expect(reset.mode).toBe('real');
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1_000);
    expect(bad.status).toBe(400);
  });

  it('runs a scheduled job on demand and reports unknown or failing jobs', async () => {
    // Act
    const ran = await fetch(`${url}/dev/jobs/deadlines/run`, { method: 'POST' });
    const unknown = await fetch(`${url}/dev/jobs/nothing/run`, { method: 'POST' });
    const broken = await fetch(`${url}/dev/jobs/broken/run`, { method: 'POST' });
    const wrongMethod = await fetch(`${url}/dev/jobs/deadlines/run`);

    // Assess
    expect(ran.status).toBe(200);
    expect(await ran.json()).toMatchObject({ examined: 0, acted: 0 });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(broken.status).toBe(500);
    expect(await broken.json()).toMatchObject({ code: 'JOB_FAILED', detail: 'broken failed: the job broke' });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('shutdown', () => {
  it('finishes a request in flight, then refuses new connections', async () => {
    // Prepare
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = (): void => {};
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    nextResult = async () => {
      entered();
      await held;
      return { statusCode: 200, body: 'finished' };
    };
    const inFlight = fetch(`${url}/t/result`, { method: 'POST' });
    await inHandler;

    // Act
    const closing = api.close(10_000);
    release();
    const res = await inFlight;
    const body = await res.text();
    await closing;
    const after = fetch(`${url}/t/public`);

    // Assess
    expect(res.status).toBe(200);
    expect(body).toBe('finished');
    await expect(after).rejects.toThrow();
  });
});
