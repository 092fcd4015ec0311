import { createHash, randomBytes } from 'node:crypto';
import { ROLES, type Role } from '../../functions/shared/roles.ts';
import { jsonReply, type Reply } from './http-replies.ts';
import { LOCAL_AUDIENCE, type LocalJwtIssuer } from './jwt-issuer.ts';

/**
 * The local stand-in for the hosted sign-in (Cognito's hosted UI / the China stage's OIDC issuer), so
 * the consoles' deployed sign-in path — the authorization code flow with PKCE in `web/src/session.ts`
 * — runs and is tested on one machine:
 *
 * - `GET /dev/authorize?response_type=code&client_id&redirect_uri&state&code_challenge&code_challenge_method=S256`
 *   shows a page with the role picker (there are no passwords locally);
 * - `POST /dev/authorize` (that page's form) redirects to `redirect_uri?code&state`;
 * - `POST /dev/oauth2/token` (form: grant_type=authorization_code, code, client_id, redirect_uri,
 *   code_verifier) checks the verifier against the challenge and answers `{ id_token, access_token, … }`
 *   or an OAuth error (`invalid_grant`, `invalid_request`) as RFC 6749 §5.2 has it.
 *
 * Codes live in memory for five minutes and are good once, like Cognito's.
 */
const CODE_LIFETIME_MS = 5 * 60_000;

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly sub: string;
  readonly role: Role;
  readonly expiresAt: number;
}

const html = (status: number, body: string): Reply => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  body: Buffer.from(
    `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>本地登录 / Local sign-in</title><body style="font-family:sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem">${body}</body></html>`,
  ),
});

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const oauthError = (error: string, description: string): Reply =>
  jsonReply(400, { error, error_description: description }, { 'cache-control': 'no-store' });

/** Only back to a console served by this machine (a loopback name or the runtime's own host). */
function allowedRedirect(uri: string, ownHost: string): boolean {
  try {
    const u = new URL(uri);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      ['127.0.0.1', 'localhost', '[::1]', ownHost].includes(u.hostname) &&
      !u.hash
    );
  } catch {
    return false;
  }
}

export type DevSignIn = (
  method: string,
  path: string,
  query: URLSearchParams,
  body: Buffer,
) => Promise<Reply | undefined>;

export function createDevSignIn(issuer: LocalJwtIssuer): DevSignIn {
  const codes = new Map<string, PendingCode>();
  const ownHost = new URL(issuer.issuer).hostname;

  /** The authorize request's parameters, checked; a string says what is wrong. */
  const authorizeParams = (p: URLSearchParams) => {
    const clientId = p.get('client_id') ?? '';
    const redirectUri = p.get('redirect_uri') ?? '';
    const challenge = p.get('code_challenge') ?? '';
    if (p.get('response_type') !== 'code') return 'response_type must be code';
    if (clientId !== LOCAL_AUDIENCE) return `client_id must be ${LOCAL_AUDIENCE}`;
    if (!allowedRedirect(redirectUri, ownHost)) return 'redirect_uri must be a console on this machine';
    if (p.get('code_challenge_method') !== 'S256') return 'code_challenge_method must be S256';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge))
      return 'code_challenge must be a base64url SHA-256 (43 characters)';
    return { clientId, redirectUri, challenge, state: p.get('state') ?? '' };
  };

  return async (method, path, query, body) => {
    if (path === '/dev/authorize' && method === 'GET') {
      const p = authorizeParams(query);
      if (typeof p === 'string') return html(400, `<h1>Sign-in request refused</h1><p>${escapeHtml(p)}</p>`);
      const hidden = [
        'response_type',
        'client_id',
        'redirect_uri',
        'state',
        'code_challenge',
        'code_challenge_method',
      ]
        .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(query.get(k) ?? '')}">`)
        .join('');
      const options = ROLES.map((r) => `<option value="${r}">${r}</option>`).join('');
      return html(
        200,
        `<h1>本地登录 / Local sign-in</h1><p>Stands in for the hosted sign-in page of the deployed system.</p>` +
          `<form method="post" action="/dev/authorize">${hidden}` +
          `<p><label for="role">角色 / Role</label><br><select id="role" name="role">${options}</select></p>` +
          `<p><label for="sub">用户 / User</label><br><input id="sub" name="sub" required pattern="[A-Za-z0-9@._:+\\-]+"></p>` +
          `<p><button type="submit">登录 / Sign in</button></p></form>`,
      );
    }
    if (path === '/dev/authorize' && method === 'POST') {
      const form = new URLSearchParams(body.toString('utf8'));
      const p = authorizeParams(form);
      if (typeof p === 'string') return html(400, `<h1>Sign-in request refused</h1><p>${escapeHtml(p)}</p>`);
      const role = form.get('role') as Role;
      const sub = (form.get('sub') ?? '').trim();
      if (!ROLES.includes(role) || !/^[A-Za-z0-9@._:+-]{1,128}$/.test(sub)) {
        return html(
          400,
          '<h1>Sign-in refused</h1><p>Choose a role and a user name (letters, digits, @ . _ : + -).</p>',
        );
      }
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { ...p, sub, role, expiresAt: Date.now() + CODE_LIFETIME_MS });
      const back = new URL(p.redirectUri);
      back.searchParams.set('code', code);
      if (p.state) back.searchParams.set('state', p.state);
      return { status: 302, headers: { location: back.toString(), 'cache-control': 'no-store' } };
    }
    if (path === '/dev/oauth2/token') {
      if (method !== 'POST') return oauthError('invalid_request', 'POST the token request.');
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('grant_type') !== 'authorization_code') {
        return oauthError('unsupported_grant_type', 'grant_type must be authorization_code');
      }
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // good once, whatever follows
      if (!pending || pending.expiresAt < Date.now()) {
        return oauthError('invalid_grant', 'The code is unknown, used or expired.');
      }
      if (form.get('client_id') !== pending.clientId || form.get('redirect_uri') !== pending.redirectUri) {
        return oauthError('invalid_grant', 'client_id or redirect_uri differ from the authorize request.');
      }
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== pending.challenge) {
        return oauthError('invalid_grant', 'The code_verifier does not match the code_challenge.');
      }
      const issued = await issuer.sign({ sub: pending.sub, groups: [pending.role] });
      return jsonReply(
        200,
        {
          id_token: issued.token,
          access_token: issued.token,
          token_type: 'Bearer',
          expires_in: Math.round((Date.parse(issued.expiresAt) - Date.now()) / 1000),
        },
        { 'cache-control': 'no-store' },
      );
    }
    return undefined;
  };
}
