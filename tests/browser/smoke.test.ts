import { describe, expect, it } from 'vitest';
import { newPage, signIn, useConsoleRuntime } from './support/browser.ts';

/** The consoles load in a real browser, in Chinese first, switch to English, and sign in by role. */
const env = useConsoleRuntime();

describe('the consoles', () => {
  it('serve the public portal in Chinese at /, with an English switch', async () => {
    const { page, context } = await newPage(env.browser);
    await page.goto(`${env.rt.url}/`);
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('公众门户');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('Public portal');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });

  it('sign an officer in through the local role picker and refuse the applicant portal to them', async () => {
    const { page, context } = await newPage(env.browser, { lang: 'en' });
    await signIn(page, env.rt.url, 'officer', 'officer-smoke');
    expect(page.url()).toContain('#/staff');
    await expect.poll(() => page.locator('.who').textContent()).toContain('officer-smoke');
    await page.goto(`${env.rt.url}/console/#/apply`);
    await expect.poll(() => page.locator('main').textContent()).toContain('Your role cannot open this page');
    await context.close();
  });
});

/**
 * The deployed sign-in path (Cognito hosted UI / the China stage's OIDC issuer): the same build with a
 * `config.json` of mode `oidc`, here pointing at the runtime's stand-in (`/dev/authorize`,
 * `/dev/oauth2/token`), so the authorization code flow with PKCE runs end to end in the browser.
 */
describe('the hosted sign-in (authorization code + PKCE)', () => {
  const hostedConfig = () => ({
    apiUrl: '',
    auth: {
      mode: 'oidc',
      authorizeUrl: `${env.rt.url}/dev/authorize`,
      tokenUrl: `${env.rt.url}/dev/oauth2/token`,
      clientId: 'zs-ai-platform-local',
    },
  });

  async function hostedPage() {
    const opened = await newPage(env.browser, { lang: 'en' });
    await opened.page.route('**/console/config.json', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify(hostedConfig()) }),
    );
    return opened;
  }

  it('sends the browser to the issuer with a challenge, redeems the code and signs the approver in', async () => {
    const { page, context } = await hostedPage();
    await page.goto(`${env.rt.url}/console/#/sign-in`);
    const tokenRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/dev/oauth2/token')) tokenRequests.push(r.postData() ?? '');
    });
    await page.getByRole('button', { name: 'Continue to the sign-in page' }).click();
    await page.waitForURL(/\/dev\/authorize\?/);
    const asked = new URL(page.url()).searchParams;
    expect(asked.get('response_type')).toBe('code');
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.get('redirect_uri')).toBe(`${env.rt.url}/console/`);
    await page.getByLabel('角色 / Role').selectOption('approver');
    await page.getByLabel('用户 / User').fill('approver-hosted');
    await page.getByRole('button', { name: '登录 / Sign in' }).click();
    await expect.poll(() => page.locator('.who').textContent()).toContain('approver-hosted');
    expect(page.url()).toBe(`${env.rt.url}/console/#/`); // the code is gone from the address bar
    // The token request carried the verifier (no secret), and the token works on the API.
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]);
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(form.has('client_secret')).toBe(false);
    await page.goto(`${env.rt.url}/console/#/staff`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Inbox');
    await expect.poll(() => page.locator('main').textContent()).not.toContain('Sign in');
    await context.close();
  });

  it('refuses an answer this tab did not ask for, and a code redeemed without its verifier', async () => {
    const { page, context } = await hostedPage();
    // A forged redirect straight to the console: no pending sign-in in this tab → nothing is started.
    await page.goto(`${env.rt.url}/console/?code=forged&state=forged`);
    await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('does not belong');
    expect(page.url()).toBe(`${env.rt.url}/console/#/sign-in`);
    expect(await page.locator('.who').count()).toBe(0);
    await context.close();

    // A real code, redeemed with the wrong verifier, then (used) with the right one: both refused.
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
    const redirect = `${env.rt.url}/console/`;
    const authorize = await fetch(`${env.rt.url}/dev/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        response_type: 'code',
        client_id: 'zs-ai-platform-local',
        redirect_uri: redirect,
        state: 's1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        role: 'officer',
        sub: 'officer-hosted',
      }),
    });
    expect(authorize.status).toBe(302);
    const back = new URL(authorize.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe('s1');
    const redeem = (verifier: string) =>
      fetch(`${env.rt.url}/dev/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'zs-ai-platform-local',
          code: back.searchParams.get('code') ?? '',
          redirect_uri: redirect,
          code_verifier: verifier,
        }),
      });
    const wrong = await redeem('not-the-verifier-not-the-verifier-not-the-verifier');
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    // Codes are good once: a failed redemption used it up.
    const replay = await redeem('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(replay.status).toBe(400);
    // Only back to a console on this machine.
    const elsewhere = await fetch(
      `${env.rt.url}/dev/authorize?response_type=code&client_id=zs-ai-platform-local&redirect_uri=${encodeURIComponent('https://evil.example/')}&code_challenge=${challenge}&code_challenge_method=S256`,
    );
    expect(elsewhere.status).toBe(400);
  });
});
