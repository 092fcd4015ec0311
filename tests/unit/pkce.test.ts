import { describe, expect, it } from 'vitest';
import { authorizeUrl, codeChallenge, randomToken, tokenRequestBody } from '../../web/src/pkce.ts';

/** The consoles' hosted sign-in: authorization code flow with PKCE (RFC 7636), pure helpers. */
describe('PKCE helpers', () => {
  it('derive the S256 challenge of RFC 7636 Appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it.each([
    [16, 22],
    [32, 43],
    [48, 64],
  ])('make random base64url values: %i bytes → %i characters, never the same twice', (bytes, length) => {
    const a = randomToken(bytes);
    const b = randomToken(bytes);
    expect(a).toMatch(new RegExp(`^[A-Za-z0-9_-]{${length}}$`));
    expect(a).not.toBe(b);
  });

  it('keep verifiers within RFC 7636’s 43–128 characters at the size the console uses', () => {
    expect(randomToken(48).length).toBeGreaterThanOrEqual(43);
    expect(randomToken(48).length).toBeLessThanOrEqual(128);
  });

  it('build the authorize URL with the code flow, state and S256 challenge, keeping its own query', () => {
    const url = new URL(
      authorizeUrl({
        authorizeUrl: 'https://id.example.gov.cn/realms/zs/protocol/openid-connect/auth?kc_locale=zh-CN',
        clientId: 'console',
        redirectUri: 'https://console.example.gov.cn/',
        state: 'st',
        challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      kc_locale: 'zh-CN',
      response_type: 'code',
      client_id: 'console',
      redirect_uri: 'https://console.example.gov.cn/',
      scope: 'openid email',
      state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
  });

  it('redeem the code with the verifier and no client secret', () => {
    const body = tokenRequestBody({ clientId: 'c', code: 'k', redirectUri: 'https://x/', verifier: 'v' });
    expect(body.toString()).toBe(
      'grant_type=authorization_code&client_id=c&code=k&redirect_uri=https%3A%2F%2Fx%2F&code_verifier=v',
    );
  });
});
