import { useEffect, useState } from 'preact/hooks';
import { currentConfig } from './config.ts';
import { authorizeUrl, codeChallenge, randomToken, tokenRequestBody } from './pkce.ts';

/**
 * Who is signed in. Locally the sign-in page asks the local issuer (`POST /dev/token`) for a token of
 * the chosen role; in AWS the hosted sign-in page (Cognito, or the external OIDC issuer of the China
 * stage) returns an authorization code that is redeemed with PKCE (`pkce.ts`). The token lives in sessionStorage: closing the tab signs out.
 */
export type Role = 'applicant' | 'officer' | 'expert' | 'approver' | 'admin' | 'observer';
export const ROLES: readonly Role[] = ['applicant', 'officer', 'expert', 'approver', 'admin', 'observer'];

export interface Session {
  readonly token: string;
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly expiresAt: number;
}

const KEY = 'zs-console-session';

function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = atob(
    part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<
    string,
    unknown
  >;
}

export function sessionFromToken(token: string): Session {
  const c = claimsOf(token);
  const groups = c['cognito:groups'] ?? c.groups ?? [];
  const list = Array.isArray(groups)
    ? groups
    : String(groups)
        .replace(/[[\]]/g, '')
        .split(/[\s,]+/);
  return {
    token,
    sub: String(c.sub ?? ''),
    roles: list.filter((g): g is Role => (ROLES as readonly string[]).includes(String(g))),
    expiresAt: Number(c.exp ?? 0) * 1000,
  };
}

type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as Session) : null;
    return s && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export const session = {
  value: load(),
  set(next: Session | null): void {
    this.value = next;
    if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
    else sessionStorage.removeItem(KEY);
    for (const l of listeners) l(next);
  },
};

export function useSession(): Session | null {
  const [s, setS] = useState(session.value);
  useEffect(() => {
    listeners.add(setS);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

/** Local sign-in: a token of the chosen role from the local issuer (never deployed). */
export async function signInLocally(sub: string, role: Role): Promise<Session> {
  const res = await fetch(`${currentConfig().apiUrl}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub, groups: [role] }),
  });
  if (!res.ok) throw new Error(`The local issuer refused: ${res.status}`);
  const { token } = (await res.json()) as { token: string };
  const s = sessionFromToken(token);
  session.set(s);
  return s;
}

const PENDING_KEY = 'zs-console-sign-in';

/** Where the hosted sign-in returns to: the console's own page, without query or fragment. */
const redirectUri = (): string => `${location.origin}${location.pathname}`;

/**
 * Hosted sign-in (Cognito hosted UI / external OIDC issuer), authorization code flow with PKCE: a fresh
 * verifier and state are kept in sessionStorage (this tab only), the browser leaves for the authorize
 * page, and `completeHostedSignIn` redeems the code when it comes back.
 */
export async function startHostedSignIn(): Promise<void> {
  const auth = currentConfig().auth;
  if (auth.mode === 'local') return;
  const verifier = randomToken(48);
  const state = randomToken(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, redirectUri: redirectUri() }));
  location.assign(
    authorizeUrl({
      authorizeUrl: auth.authorizeUrl,
      clientId: auth.clientId,
      redirectUri: redirectUri(),
      state,
      challenge: await codeChallenge(verifier),
    }),
  );
}

/** Why the last hosted sign-in failed (shown on the sign-in page), if it did. */
export let hostedSignInProblem: string | undefined;

/**
 * On load: when the URL carries the authorize answer (`?code&state`, or `?error`), checks the state
 * against this tab's pending sign-in, redeems the code at the token endpoint with the verifier, and
 * starts the session with the ID token (it carries `cognito:groups`). The answer is removed from the
 * address bar either way; a stale or foreign answer starts nothing.
 */
export async function completeHostedSignIn(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return;
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', `${location.pathname}#/sign-in`);
  const auth = currentConfig().auth;
  try {
    if (error) throw new Error(`${error}: ${params.get('error_description') ?? ''}`.trim());
    const pending = raw
      ? (JSON.parse(raw) as { verifier: string; state: string; redirectUri: string })
      : null;
    if (!pending || pending.state !== params.get('state')) {
      throw new Error('The sign-in answer does not belong to a sign-in started in this tab; sign in again.');
    }
    if (auth.mode === 'local') throw new Error('This console signs in locally.');
    const res = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: tokenRequestBody({
        clientId: auth.clientId,
        code: code ?? '',
        redirectUri: pending.redirectUri,
        verifier: pending.verifier,
      }),
    });
    const body = (await res.json().catch(() => ({}))) as {
      id_token?: string;
      access_token?: string;
      error?: string;
      error_description?: string;
    };
    const token = body.id_token ?? body.access_token;
    if (!res.ok || !token) {
      throw new Error(
        `The sign-in was refused (${body.error ?? res.status}): ${body.error_description ?? ''}`,
      );
    }
    session.set(sessionFromToken(token));
    hostedSignInProblem = undefined;
    history.replaceState(null, '', `${location.pathname}#/`);
  } catch (e) {
    hostedSignInProblem = (e as Error).message;
  }
}

export const hasRole = (s: Session | null, ...roles: Role[]): boolean =>
  Boolean(s?.roles.some((r) => roles.includes(r)));
