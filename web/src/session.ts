import { useEffect, useState } from 'preact/hooks';
import { currentConfig } from './config.ts';

/**
 * Who is signed in. Locally the sign-in page asks the local issuer (`POST /dev/token`) for a token of
 * the chosen role; in AWS the hosted sign-in page (Cognito, or the external OIDC issuer of the China
 * stage) returns tokens in the URL fragment. The token lives in sessionStorage: closing the tab signs out.
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

/** Hosted sign-in (Cognito / OIDC implicit flow): leaves the page; `completeHostedSignIn` reads the answer. */
export function startHostedSignIn(): void {
  const auth = currentConfig().auth;
  if (auth.mode === 'local') return;
  const url = new URL(auth.authorizeUrl);
  url.searchParams.set('client_id', auth.clientId);
  url.searchParams.set('response_type', 'token');
  url.searchParams.set('scope', 'openid email');
  url.searchParams.set('redirect_uri', `${location.origin}${location.pathname}`);
  location.assign(url.toString());
}

export function completeHostedSignIn(): void {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = fragment.get('id_token') ?? fragment.get('access_token');
  if (!token) return;
  session.set(sessionFromToken(token));
  history.replaceState(null, '', `${location.pathname}#/`);
}

export const hasRole = (s: Session | null, ...roles: Role[]): boolean =>
  Boolean(s?.roles.some((r) => roles.includes(r)));
