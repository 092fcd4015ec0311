import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { issuerFor, LocalJwtIssuer } from '../../infra/local/jwt-issuer.ts';

/** The local issuer's key lives in the data folder, so tokens survive a restart of the runtime. */

const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-issuer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LocalJwtIssuer', () => {
  it('keeps its key across restarts: a token issued before verifies after', async () => {
    // Prepare
    const keyDir = path.join(dir, 'restart');
    const first = await LocalJwtIssuer.open({ dir: keyDir, issuer: issuerFor('http://127.0.0.1:3000/') });
    const issued = await first.sign({ sub: 'officer-1', groups: ['officer'] });

    // Act
    const second = await LocalJwtIssuer.open({ dir: keyDir, issuer: issuerFor('http://127.0.0.1:3000') });
    const claims = await second.verify(issued.token);

    // Assess
    expect(second.issuer).toBe('http://127.0.0.1:3000/local-issuer');
    expect(second.jwks()).toEqual(first.jwks());
    expect(claims).toMatchObject({ sub: 'officer-1', 'cognito:groups': ['officer'], token_use: 'id' });
    expect(statSync(path.join(keyDir, 'signing-key.json')).mode & 0o077).toBe(0);
  });

  it('makes a new key in a new data folder, which does not accept the old tokens', async () => {
    // Prepare
    const a = await LocalJwtIssuer.open({ dir: path.join(dir, 'a'), issuer: 'http://x/local-issuer' });
    const b = await LocalJwtIssuer.open({ dir: path.join(dir, 'b'), issuer: 'http://x/local-issuer' });
    const issued = await a.sign({ sub: 'u', groups: [] });

    // Act
    const verifying = b.verify(issued.token);

    // Assess
    expect(a.jwks().keys[0]?.kid).not.toBe(b.jwks().keys[0]?.kid);
    await expect(verifying).rejects.toMatchObject({ name: 'TokenRejectedError' });
  });

  it('issues Cognito-like ID tokens: groups omitted when empty, 1 h by default', async () => {
    // Prepare
    const issuer = await LocalJwtIssuer.open({
      dir: path.join(dir, 'claims'),
      issuer: 'http://x/local-issuer',
    });
    const now = new Date();

    // Act
    const plain = await issuer.sign({ sub: 'nobody', groups: [] }, now);
    const claims = await issuer.verify(plain.token);

    // Assess
    expect(claims['cognito:groups']).toBeUndefined();
    expect(claims).toMatchObject({
      sub: 'nobody',
      'cognito:username': 'nobody',
      token_use: 'id',
      aud: 'zs-ai-platform-local',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(plain.expiresAt).toBe(new Date((Math.floor(now.getTime() / 1000) + 3600) * 1000).toISOString());
  });

  it.each([
    [
      'is not valid yet (nbf)',
      (t: SignJWT) => t.setNotBefore(Math.floor(Date.now() / 1000) + 600).setExpirationTime('1h'),
      /nbf/,
    ],
    ['has no exp', (t: SignJWT) => t, /"exp"/],
  ])('refuses a token that %s, even when signed with its own key', async (_what, shape, reason) => {
    // Prepare
    const keyDir = path.join(dir, 'own-key');
    const issuer = await LocalJwtIssuer.open({ dir: keyDir, issuer: 'http://x/local-issuer' });
    const stored = JSON.parse(readFileSync(path.join(keyDir, 'signing-key.json'), 'utf8')) as {
      kid: string;
      privateJwk: JWK;
    };
    const key = await importJWK(stored.privateJwk, 'RS256');
    const token = await shape(
      new SignJWT({ 'cognito:groups': ['officer'] })
        .setProtectedHeader({ alg: 'RS256', kid: stored.kid })
        .setSubject('u')
        .setIssuer(issuer.issuer)
        .setAudience(issuer.audience)
        .setIssuedAt(),
    ).sign(key);

    // Act
    const verifying = issuer.verify(token);

    // Assess
    await expect(verifying).rejects.toThrow(reason);
  });

  it('remembers a verified token only while it is valid: after its exp it is refused, as on first use', async () => {
    // Prepare
    const issuer = await LocalJwtIssuer.open({
      dir: path.join(dir, 'cache'),
      issuer: 'http://x/local-issuer',
    });
    const now = new Date();
    const issued = await issuer.sign({ sub: 'u', groups: ['officer'], expiresInSeconds: 60 }, now);
    const first = await issuer.verify(issued.token, now);

    // Act
    const again = await issuer.verify(issued.token, new Date(now.getTime() + 30_000));
    again.sub = 'someone-else';
    const afterwards = await issuer.verify(issued.token, new Date(now.getTime() + 30_000));
    // Each refusal is caught where it is made: a rejection left waiting for a later `await` is an
    // unhandled rejection for the runner when it settles first.
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    const expired = await refusal(issuer.verify(issued.token, new Date(now.getTime() + 61_000)));
    const tampered = await refusal(issuer.verify(`${issued.token.slice(0, -2)}xx`, now));

    // Assess
    expect(afterwards).toEqual(first);
    expect(expired).toMatchObject({ name: 'TokenRejectedError', message: expect.stringMatching(/exp/) });
    expect(tampered).toMatchObject({ name: 'TokenRejectedError' });
  });
});
