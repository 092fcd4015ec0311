/**
 * OAuth 2.0 authorization code flow with PKCE (RFC 7636) for the hosted sign-in: the console is a public
 * client (no secret can be kept in a static site), so each sign-in proves it is the same browser that
 * started it with a one-time verifier, and a `state` value ties the answer to the request. Pure helpers
 * over Web Crypto, so they run (and are tested) in Node as in the browser.
 */
const base64Url = (bytes: Uint8Array): string => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** A fresh random value of `bytes` bytes, base64url (32 bytes → 43 characters, RFC 7636 §4.1). */
export const randomToken = (bytes = 32): string => base64Url(crypto.getRandomValues(new Uint8Array(bytes)));

/** `code_challenge` = BASE64URL(SHA-256(verifier)) (method S256). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export interface AuthorizeRequest {
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly challenge: string;
  readonly scope?: string;
}

/** The authorize URL the browser is sent to. */
export function authorizeUrl(req: AuthorizeRequest): string {
  const url = new URL(req.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', req.clientId);
  url.searchParams.set('redirect_uri', req.redirectUri);
  url.searchParams.set('scope', req.scope ?? 'openid email');
  url.searchParams.set('state', req.state);
  url.searchParams.set('code_challenge', req.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/** The form body of the token request that redeems `code` with the verifier. */
export function tokenRequestBody(p: {
  clientId: string;
  code: string;
  redirectUri: string;
  verifier: string;
}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: p.clientId,
    code: p.code,
    redirect_uri: p.redirectUri,
    code_verifier: p.verifier,
  });
}
