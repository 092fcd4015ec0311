import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/api/routes.ts';
import { ROLES } from '../../functions/shared/roles.ts';
import {
  client,
  type RunningRuntime,
  removeDataDir,
  signWithRuntimeKey,
  spawnRuntime,
  startRuntime,
} from './support/runtime.ts';

/**
 * The local runtime as a user meets it: `npm start` in a child process, driven over HTTP. Health, the
 * OpenAPI document, tokens for every role, the JWT authorizer against forged tokens, a clear failure
 * when a port is taken, and a clean exit on Ctrl-C.
 */

let rt: RunningRuntime;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  rt = await startRuntime();
  api = client(rt.url);
});

afterAll(async () => {
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
});

describe('the local runtime', () => {
  it('prints where everything is and how to get a token for each role', () => {
    // Assess
    const out = rt.output();
    expect(out).toContain(`API            ${rt.url}`);
    expect(out).toContain(rt.dataDir);
    for (const role of ROLES) expect(out).toContain(`"groups":["${role}"]`);
    expect(out).toMatch(new RegExp(`READY ${rt.url.replace(/[.:/]/g, '\\$&')}\\n?$`));
  });

  it('answers GET /health', async () => {
    // Act
    const res = await api.get('/health');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', stage: 'local' });
  });

  it('serves an OpenAPI document listing every route of the route table, and no /dev route', async () => {
    // Act
    const res = await api.get<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    }>('/openapi.json');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1/);
    for (const r of routes) {
      expect(res.body.paths[r.path]?.[r.method.toLowerCase()]?.operationId, `${r.method} ${r.path}`).toBe(
        r.id,
      );
    }
    expect(Object.keys(res.body.paths).filter((p) => p.startsWith('/dev'))).toEqual([]);
  });

  it.each(ROLES)('issues a %s token that the API accepts and the route roles judge', async (role) => {
    // Prepare
    const token = await api.token(`${role}-e2e`, [role]);

    // Act
    const inbox = await api.get('/v1/tasks', token);

    // Assess
    expect(decodeJwt(token)).toMatchObject({ sub: `${role}-e2e`, 'cognito:groups': [role], token_use: 'id' });
    const staffInbox = routes.find((r) => r.id === 'listTasks')?.auth as readonly string[];
    expect(inbox.status).toBe(staffInbox.includes(role) ? 200 : 403);
  });

  describe('refuses forged tokens on a protected route with 401', () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    const good = (): Record<string, unknown> => ({
      sub: 'mallory',
      'cognito:groups': ['officer'],
      iss: `${rt.url}/local-issuer`,
      aud: 'zs-ai-platform-local',
      iat: now(),
      exp: now() + 600,
    });
    const cases: [string, () => Promise<string>][] = [
      [
        'signed with another key',
        async () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          const key = await importPKCS8(
            privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
            'RS256',
          );
          const jwks = (await api.get<{ keys: { kid: string }[] }>('/.well-known/jwks.json')).body;
          return new SignJWT(good())
            .setProtectedHeader({ alg: 'RS256', kid: jwks.keys[0]?.kid ?? 'x' })
            .sign(key);
        },
      ],
      [
        'with alg none',
        async () =>
          `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
            JSON.stringify(good()),
          ).toString('base64url')}.`,
      ],
      ['expired', () => signWithRuntimeKey(rt.dataDir, { ...good(), iat: now() - 7200, exp: now() - 3600 })],
      [
        'from another issuer',
        () => signWithRuntimeKey(rt.dataDir, { ...good(), iss: 'https://evil.example/' }),
      ],
      ['for another audience', () => signWithRuntimeKey(rt.dataDir, { ...good(), aud: 'another-app' })],
    ];

    it.each(cases)('a token %s', async (_what, forge) => {
      // Prepare
      const forged = await forge();
      const genuine = await signWithRuntimeKey(rt.dataDir, good());

      // Act
      const refused = await api.get('/v1/tasks', forged);
      const accepted = await api.get('/v1/tasks', genuine);

      // Assess
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
      expect(accepted.status).toBe(200);
    });
  });

  it('answers unknown routes with 404 and known paths with a wrong method with 405', async () => {
    // Act
    const unknown = await api.get('/v1/nothing-here');
    const wrong = await api.call('DELETE', '/v1/organisations');

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('refuses to start a second runtime on a port in use, naming the port and the setting', async () => {
    // Prepare
    const dataDir = `${rt.dataDir}-second`;

    // Act
    const second = spawnRuntime({ dataDir, ports: rt.ports });
    const failure = await second.ready.then(
      () => undefined,
      (e: Error) => e.message,
    );
    const code = await new Promise<number | null>((resolve) =>
      second.child.exitCode !== null ? resolve(second.child.exitCode) : second.child.once('exit', resolve),
    );
    removeDataDir(dataDir);

    // Assess
    expect(code).toBe(1);
    expect(failure).toContain(`Port ${rt.ports.http} (the local API) is already in use`);
    expect(failure).toContain(`PORT=${rt.ports.http + 1} npm start`);
  });

  it('fails with a clear message and an install hint when Java is missing', async () => {
    // Prepare
    const dataDir = `${rt.dataDir}-nojava`;
    const ports = { http: rt.ports.http + 1, dynamo: rt.ports.dynamo + 1, s3: rt.ports.s3 + 1 };

    // Act
    const started = spawnRuntime({ dataDir, ports, env: { PATH: path.dirname(process.execPath) } });
    const failure = await started.ready.then(
      () => undefined,
      (e: Error) => e.message,
    );
    removeDataDir(dataDir);

    // Assess
    expect(started.child.exitCode).toBe(1);
    expect(failure).toContain('Java is not installed');
    expect(failure).toContain('openjdk-17-jre-headless');
  });

  it('stops cleanly on Ctrl-C (SIGINT) with exit code 0', async () => {
    // Act
    const ended = await rt.stop('SIGINT');

    // Assess
    expect(ended).toEqual({ code: 0, signal: null });
    expect(rt.output()).toContain('Stopped. Data kept in');
    await expect(fetch(`${rt.url}/health`)).rejects.toThrow();
  });
});
