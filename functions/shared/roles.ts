/** The six roles of the API contract; they arrive as Cognito groups (`cognito:groups`). */
export const ROLES = ['applicant', 'officer', 'expert', 'approver', 'observer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Office staff: Art. 4, every decision of the office is made by one of these. */
export const STAFF: readonly Role[] = ['officer', 'approver', 'admin'];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** The authenticated caller as the handlers see it, after the JWT authorizer. */
export interface Principal {
  /** Stable subject id (`sub` claim). */
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly email?: string;
}

/**
 * Parses the `cognito:groups` claim. API Gateway's JWT authorizer hands array claims to Lambda
 * as a string such as `[officer approver]`; a raw JWT carries a JSON array. Both are accepted;
 * unknown group names are dropped.
 */
export function parseGroupsClaim(claim: unknown): Role[] {
  let names: string[] = [];
  if (Array.isArray(claim)) names = claim.map(String);
  else if (typeof claim === 'string') {
    const trimmed = claim.trim();
    if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
      const inner = trimmed.slice(1, -1).trim();
      try {
        const parsed: unknown = JSON.parse(trimmed);
        names = Array.isArray(parsed) ? parsed.map(String) : [];
      } catch {
        names = inner.length ? inner.split(/[\s,]+/) : [];
      }
    } else if (trimmed.length) names = trimmed.split(/[\s,]+/);
  }
  return [...new Set(names.filter(isRole))];
}
