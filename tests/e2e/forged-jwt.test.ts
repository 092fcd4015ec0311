import { generateKeyPairSync } from 'node:crypto';
import { exportSPKI, importJWK, importPKCS8, type JWK, SignJWT } from 'jose';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteDef, routeKey, routes } from '../../functions/api/routes.ts';
import { recordReliability } from '../support/reliability.ts';
import {
  client,
  type RunningRuntime,
  removeDataDir,
  signWithRuntimeKey,
  startRuntime,
} from './support/runtime.ts';

/**
 * Suite 2 of issue 5, forged tokens: against the running local runtime (`npm start`), every protected
 * route (the JWT authorizer) and every optional-auth route (verified in the handler) is sent each forgery —
 * another key, expired, `alg: none`, HS256 keyed with the issuer's public key, another issuer, another
 * audience, no `sub`, an unknown `kid`, garbage — and must answer 401 problem+json, never a 5xx and never
 * the route's data. `tests/e2e/platform.test.ts` shows the same forgeries refused on one route next to a
 * genuine token that is accepted; this suite extends them to the whole route table.
 */

let rt: RunningRuntime;
let api: ReturnType<typeof client>;
const forged = new Map<string, string>();
/** The same claims, genuinely signed: the control that shows each refusal is the forgery's doing. */
let genuine = '';
const statuses: Record<number, number> = {};
let fiveXX = 0;
let leaks = 0;
let requests = 0;

const guarded = routes.filter((r) => r.auth !== 'public');
const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The route's path with every parameter naming nothing (a fresh ULID; a year no cycle has). */
const pathOf = (route: RouteDef): string =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'year' ? '2099' : ulid()));

/** Each forgery, built once against the runtime's own issuer. */
async function forgeAll(): Promise<void> {
  const claims = (): Record<string, unknown> => ({
    sub: 'mallory',
    'cognito:groups': ['officer', 'approver', 'admin', 'applicant', 'expert', 'observer'],
    iss: `${rt.url}/local-issuer`,
    aud: 'zs-ai-platform-local',
    token_use: 'id',
    iat: now(),
    exp: now() + 600,
  });
  const jwks = (await api.get<{ keys: (JWK & { kid: string })[] }>('/.well-known/jwks.json')).body;
  const published = jwks.keys[0];
  if (!published) throw new Error('the runtime publishes no key');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256');
  const publicPem = await exportSPKI((await importJWK(published, 'RS256')) as CryptoKey);
  const { sub: _sub, ...noSub } = claims();
  const { exp: _exp, ...noExp } = claims();

  genuine = await signWithRuntimeKey(rt.dataDir, claims());
  forged.set(
    'signed with another key',
    await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: published.kid }).sign(otherKey),
  );
  forged.set(
    'expired',
    await signWithRuntimeKey(rt.dataDir, { ...claims(), iat: now() - 7200, exp: now() - 3600 }),
  );
  forged.set('alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`);
  forged.set(
    'alg none, kid kept',
    `${b64({ alg: 'none', typ: 'JWT', kid: published.kid })}.${b64(claims())}.`,
  );
  forged.set(
    'HS256 keyed with the public key',
    await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: published.kid })
      .sign(new TextEncoder().encode(publicPem)),
  );
  forged.set(
    'another issuer',
    await signWithRuntimeKey(rt.dataDir, { ...claims(), iss: 'https://evil.example/' }),
  );
  forged.set('another audience', await signWithRuntimeKey(rt.dataDir, { ...claims(), aud: 'another-app' }));
  forged.set('no sub', await signWithRuntimeKey(rt.dataDir, noSub));
  forged.set('no exp', await signWithRuntimeKey(rt.dataDir, noExp));
  forged.set(
    'unknown kid',
    await signWithRuntimeKey(rt.dataDir, claims(), { kid: 'not-a-key-of-this-issuer' }),
  );
  forged.set('garbage', 'not-a-jwt');
  forged.set('three garbage segments', 'aaaa.bbbb.cccc');
  forged.set('header of another type', `${b64(['alg', 'RS256'])}.${b64(claims())}.sig`);
  forged.set('huge', `${'a'.repeat(6000)}.${'b'.repeat(6000)}.${'c'.repeat(600)}`);
}

beforeAll(async () => {
  rt = await startRuntime();
  api = client(rt.url);
  await forgeAll();
});

afterAll(async () => {
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
  await recordReliability({
    suite: 'forged-jwt',
    tried: { forgedTokens: requests },
    fiveXX,
    leaks,
    lost: 0,
    halfWritten: 0,
    notes: `${forged.size} forgeries × ${guarded.length} protected and optional-auth routes over HTTP against the local runtime; statuses ${JSON.stringify(statuses)}`,
  });
});

describe('forged bearer tokens on every protected and optional-auth route', () => {
  it('covers every route that is not public', () => {
    expect(guarded.length).toBe(routes.filter((r) => Array.isArray(r.auth) || r.auth === 'optional').length);
    expect(guarded.some((r) => r.auth === 'optional')).toBe(true);
  });

  it('accepts the same claims genuinely signed (the control)', async () => {
    // Act
    const res = await api.get('/v1/tasks', genuine);

    // Assess
    expect(res.status).toBe(200);
  });

  it.each(guarded.map((r) => [routeKey(r), r] as const))(
    '%s → 401 for every forgery',
    async (_key, route) => {
      // Act: each forgery once, in parallel (every request is refused before any state is read).
      const results = await Promise.all(
        [...forged].map(async ([what, token]) => {
          const res = await api.call<Record<string, unknown>>(route.method, pathOf(route), {
            token,
            ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { body: {} } : {}),
          });
          return [what, res] as const;
        }),
      );

      // Assess: 401 problem+json, nothing else in the body.
      const misses = results.flatMap(([what, res]) => {
        requests += 1;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 500) fiveXX += 1;
        const keys = Object.keys(res.body).filter(
          (k) => !['type', 'title', 'status', 'detail', 'code', 'instance'].includes(k),
        );
        if (keys.length) leaks += 1;
        const ok =
          res.status === 401 &&
          res.body.code === 'UNAUTHORIZED' &&
          (res.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
          keys.length === 0;
        return ok ? [] : [`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`];
      });
      expect(misses).toEqual([]);
    },
  );
});
