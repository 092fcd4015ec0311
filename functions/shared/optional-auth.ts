import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { env } from './env.ts';
import { UnauthorizedError } from './errors.ts';
import { type Principal, parseGroupsClaim } from './roles.ts';

/**
 * Optional authentication (`auth: 'optional'` routes, e.g. `GET /v1/calls`): neither API Gateway nor the
 * local server checks a token there, so the handler verifies a sent `Authorization: Bearer` token itself,
 * exactly as the JWT authorizer would — the issuer's JWKS (`JWKS_URL`, default `<JWT_ISSUER>/.well-known/jwks.json`),
 * RS256, `iss` = `JWT_ISSUER`, `aud` = `JWT_AUDIENCE` (or `client_id` when there is no `aud`, as Cognito
 * access tokens carry it), `exp` required. No header → anonymous; a header with a bad token → 401, never
 * a silent fall-back to anonymous.
 */
let cachedKeys: { url: string; keys: JWTVerifyGetKey } | undefined;

function keySet(url: string): JWTVerifyGetKey {
  if (cachedKeys?.url !== url) cachedKeys = { url, keys: createRemoteJWKSet(new URL(url)) };
  return cachedKeys.keys;
}

/** Tests: forget the cached key set (e.g. after pointing JWKS_URL elsewhere). */
export function resetOptionalAuth(): void {
  cachedKeys = undefined;
}

const refused = (reason: string) => new UnauthorizedError(`The bearer token was refused: ${reason}.`);

function reasonOf(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'the token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `the token's "${e.claim}" claim is invalid`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'only RS256 is accepted';
  if (e instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token (kid)';
  if (e instanceof errors.JOSEError) return `the token is malformed (${e.code})`;
  return 'the token cannot be verified';
}

/** The bearer token of an `Authorization` header (any case); `undefined` when there is no header. */
export function bearerOf(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const raw = headers.authorization ?? headers.Authorization;
  if (raw === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(raw.trim());
  if (!m?.[1]) throw refused('send it as "Authorization: Bearer <token>"');
  return m[1];
}

/**
 * The caller of an optional-auth route: `undefined` without an Authorization header, the principal for a
 * valid token, 401 UNAUTHORIZED for anything else (including a missing issuer configuration).
 */
export async function optionalPrincipal(
  headers: Readonly<Record<string, string | undefined>>,
): Promise<Principal | undefined> {
  const token = bearerOf(headers);
  if (token === undefined) return undefined;
  const { JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWKS_URL } = env();
  if (!issuer || !audience) throw refused('this deployment has no token issuer configured');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      keySet(JWKS_URL ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`),
      {
        algorithms: ['RS256'],
        issuer,
        requiredClaims: ['exp', 'sub'],
      },
    ));
  } catch (e) {
    throw refused(reasonOf(e));
  }
  const aud = payload.aud;
  const audiences = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
  const audienceOk = audiences.length ? audiences.includes(audience) : payload.client_id === audience;
  if (!audienceOk) throw refused('the token is not for this API (aud)');
  const sub = payload.sub;
  if (typeof sub !== 'string' || !sub) throw refused('the token has no "sub" claim');
  const email = payload.email;
  return {
    sub,
    roles: parseGroupsClaim(payload['cognito:groups']),
    ...(typeof email === 'string' ? { email } : {}),
  };
}
