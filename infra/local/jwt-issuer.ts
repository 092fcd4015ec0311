import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import { ROLES, type Role } from '../../functions/shared/roles.ts';

/**
 * The local token issuer: it stands in for the Cognito user pool, and its `verify` stands in for the
 * HTTP API's JWT authorizer.
 *
 * - One RS256 key pair, generated on first start and kept in `<DATA_DIR>/issuer/signing-key.json`,
 *   so tokens survive a restart; the public half is served as a JWKS.
 * - Issuer `<base url>/local-issuer` (stable across restarts on the same address), audience
 *   `zs-ai-platform-local`.
 * - Tokens look like Cognito ID tokens: `sub`, `cognito:groups` (array; omitted when empty, as Cognito
 *   does), `cognito:username`, `email`, `token_use:'id'`, `auth_time`, `iat`, `exp`, `jti`.
 *
 * Time: token validity (`iat`, `exp`, `nbf`) uses the real wall clock, never the business clock that
 * `POST /dev/clock` moves. A token is a credential, not a business fact: moving the clock a month
 * ahead to test a deadline must not log everyone out, exactly as in AWS, where the authorizer's time
 * is real time whatever the application believes the date to be.
 */

export const LOCAL_AUDIENCE = 'zs-ai-platform-local';
/** API Gateway accepts only RSA signatures; the local authorizer accepts exactly RS256. */
export const TOKEN_ALGORITHM = 'RS256';
const DEFAULT_LIFETIME_SECONDS = 3600;
const MAX_LIFETIME_SECONDS = 7 * 24 * 3600;

/** The issuer of the local runtime listening at `baseUrl` (e.g. `http://127.0.0.1:3000`). */
export const issuerFor = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, '')}/local-issuer`;

/** Body of `POST /dev/token`. */
export const TokenRequestSchema = z
  .object({
    sub: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9@._:+-]+$/, 'letters, digits and @ . _ : + - only'),
    groups: z
      .array(z.enum(ROLES, { error: `one of ${ROLES.join(', ')}` }))
      .max(ROLES.length)
      .describe('Cognito groups, i.e. the roles of the API contract'),
    email: z.email().max(254).optional(),
    expiresInSeconds: z.number().int().min(1).max(MAX_LIFETIME_SECONDS).optional(),
  })
  .strict();
export type TokenRequest = z.infer<typeof TokenRequestSchema>;

export interface IssuedToken {
  readonly token: string;
  /** ISO instant (wall clock). */
  readonly expiresAt: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A token the authorizer refuses; `reason` says why, in the words API Gateway uses where it has them. */
export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

interface StoredKey {
  readonly kid: string;
  readonly createdAt: string;
  readonly privateJwk: JWK;
}

const PRIVATE_FIELDS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'key_ops', 'ext'] as const;

function publicPart(jwk: JWK, kid: string): JWK {
  const pub: JWK = { ...jwk };
  for (const field of PRIVATE_FIELDS) delete (pub as Record<string, unknown>)[field];
  return { ...pub, kid, alg: TOKEN_ALGORITHM, use: 'sig' };
}

async function loadOrCreateKey(dir: string): Promise<StoredKey> {
  const file = path.join(dir, 'signing-key.json');
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Partial<StoredKey>;
    if (typeof stored.kid === 'string' && stored.privateJwk && typeof stored.privateJwk === 'object') {
      return stored as StoredKey;
    }
    throw new Error(`${file} is not a signing key written by the local issuer; delete it to get a new key.`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true, modulusLength: 2048 });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  const stored: StoredKey = { kid, createdAt: new Date().toISOString(), privateJwk };
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return stored;
}

const reasonOf = (e: unknown): string => {
  if (e instanceof TokenRejectedError) return e.message;
  if (e instanceof errors.JWTExpired) return 'the token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return 'the token was not issued by the expected issuer';
    if (e.claim === 'nbf') return 'the token is not valid yet (nbf)';
    if (e.claim === 'iat') return 'the token was issued in the future (iat)';
    if (e.reason === 'missing') return `the token has no "${e.claim}" claim`;
    return `the token's "${e.claim}" claim is invalid`;
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'the signature does not verify';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'unsupported signing algorithm: only RS256 is accepted';
  if (e instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token (kid)';
  if (e instanceof errors.JOSEError) return `the token is malformed (${e.code})`;
  return 'the token is malformed';
};

/** How many verified tokens `verify` remembers. */
const VERIFIED_CACHE_SIZE = 1000;

export class LocalJwtIssuer {
  private readonly publicJwk: JWK;
  /**
   * Tokens that passed `verify`, with their claims (issue 8: the RSA signature check was the largest
   * local-only cost of an authenticated request). Only the time-dependent checks can change for a given
   * token string under this issuer's fixed key, so a hit re-checks `exp` and `nbf` against `now` and
   * anything else goes through the full verification (and its error message) again. Bounded; oldest out.
   */
  private readonly verified = new Map<string, Record<string, unknown>>();

  private constructor(
    readonly issuer: string,
    readonly audience: string,
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    privateJwk: JWK,
  ) {
    this.publicJwk = publicPart(privateJwk, kid);
  }

  /**
   * Opens the issuer whose key lives in `dir` (created with a new key pair on first use).
   * Art. 4: every decision of the office is recorded with who made it; locally, "who" is this token's `sub`.
   */
  static async open(opts: { dir: string; issuer: string; audience?: string }): Promise<LocalJwtIssuer> {
    const stored = await loadOrCreateKey(opts.dir);
    const privateKey = await importJWK(stored.privateJwk, TOKEN_ALGORITHM);
    const publicKey = await importJWK(publicPart(stored.privateJwk, stored.kid), TOKEN_ALGORITHM);
    if (!(privateKey instanceof CryptoKey) || !(publicKey instanceof CryptoKey)) {
      throw new Error('The local issuer key could not be imported as an RSA key.');
    }
    return new LocalJwtIssuer(
      opts.issuer,
      opts.audience ?? LOCAL_AUDIENCE,
      stored.kid,
      privateKey,
      publicKey,
      stored.privateJwk,
    );
  }

  /** The public keys, as `GET /.well-known/jwks.json` serves them. */
  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** OpenID discovery document, so standard tools can find the JWKS from the issuer URL. */
  openIdConfiguration(jwksUri: string): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: jwksUri,
      id_token_signing_alg_values_supported: [TOKEN_ALGORITHM],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['sub', 'email', 'cognito:groups', 'cognito:username', 'token_use'],
    };
  }

  /** Signs a Cognito-like ID token for `sub` in `groups` (the roles of the API contract). */
  async sign(request: TokenRequest, now: Date = new Date()): Promise<IssuedToken> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + (request.expiresInSeconds ?? DEFAULT_LIFETIME_SECONDS);
    const groups: Role[] = [...new Set(request.groups)];
    const claims: JWTPayload & Record<string, unknown> = {
      ...(groups.length ? { 'cognito:groups': groups } : {}),
      'cognito:username': request.sub,
      ...(request.email ? { email: request.email, email_verified: true } : {}),
      token_use: 'id',
      auth_time: iat,
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setSubject(request.sub)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return {
      token,
      expiresAt: new Date(exp * 1000).toISOString(),
      claims: { ...claims, sub: request.sub, iss: this.issuer, aud: this.audience, iat, exp },
    };
  }

  /**
   * Verifies a bearer token as API Gateway's JWT authorizer does: RS256 only (no `none`, no HMAC),
   * a `kid` of this issuer's JWKS, a valid signature, `iss`, `aud` (or `client_id` when there is no
   * `aud`), `exp` (required) and `nbf`. Returns the claims; throws `TokenRejectedError` with the reason.
   */
  async verify(token: string, now: Date = new Date()): Promise<Record<string, unknown>> {
    const known = this.verified.get(token);
    if (known) {
      const at = Math.floor(now.getTime() / 1000);
      const { exp, nbf } = known;
      if (typeof exp === 'number' && exp > at && (typeof nbf !== 'number' || nbf <= at)) return { ...known };
      this.verified.delete(token);
    }
    const claims = await this.verifyFully(token, now);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, claims);
    return { ...claims };
  }

  private async verifyFully(token: string, now: Date): Promise<Record<string, unknown>> {
    try {
      if (token.split('.').length !== 3) throw new TokenRejectedError('the token is not a signed JWT');
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw new TokenRejectedError('the token header cannot be decoded');
      }
      if (header.alg !== TOKEN_ALGORITHM) {
        throw new TokenRejectedError(
          `unsupported signing algorithm "${String(header.alg)}": only ${TOKEN_ALGORITHM} is accepted`,
        );
      }
      if (typeof header.kid !== 'string' || !header.kid) throw new TokenRejectedError('the token has no kid');
      if (header.kid !== this.kid)
        throw new TokenRejectedError('no key of the issuer matches the token (kid)');
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [TOKEN_ALGORITHM],
        issuer: this.issuer,
        currentDate: now,
        requiredClaims: ['exp'],
      });
      const aud = payload.aud;
      const audiences = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
      const audienceOk =
        audiences.length > 0 ? audiences.includes(this.audience) : payload.client_id === this.audience;
      if (!audienceOk) throw new TokenRejectedError('the token is not for this API (aud)');
      return { ...payload };
    } catch (e) {
      throw new TokenRejectedError(reasonOf(e));
    }
  }
}
