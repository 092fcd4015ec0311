import { createHash } from 'node:crypto';

/**
 * `Idempotency-Key` (API contract: "every POST that creates something accepts an Idempotency-Key
 * header; a repeat with the same key and body returns the first response"). The record is keyed by
 * caller + key, stored in the same transaction as the creation and expires after 24 h.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** What a creating use case needs to store the record with its own transaction. */
export interface IdempotencyContext {
  /** The caller (`sub`); keys are per caller. */
  readonly scope: string;
  readonly key: string;
  readonly routeKey: string;
  /** SHA-256 of the route, path parameters and canonical body. */
  readonly requestHash: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The record a use case hands to its repository transaction. */
export interface IdempotencyWrite extends IdempotencyContext {
  readonly response: StoredResponse;
  readonly at: Date;
}

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly routeKey: string;
  readonly response: StoredResponse;
  /** Epoch seconds (the table's TTL attribute). */
  readonly expiresAt: number;
}

/** Raised by a repository when another request with the same key committed first; the caller replays it. */
export class IdempotencyRaceError extends Error {
  override name = 'IdempotencyRaceError';
}

/** JSON with object keys sorted, so the same body always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Fingerprint of a request: same route, parameters and body ⇒ same hash. */
export function requestHash(routeKey: string, params: unknown, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ routeKey, params: params ?? {}, body: body ?? null }))
    .digest('hex');
}
