import type { Principal } from '../shared/roles.ts';

/** Art. 4: every decision is recorded with who made it and why. The append-only audit event. */
export interface AuditEvent {
  readonly at: string;
  readonly actor: { readonly sub: string; readonly roles: readonly string[] };
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly detail: Record<string, unknown>;
}

/** The actor recorded for scheduled jobs and workflow steps (not a person). */
export const SYSTEM_ACTOR = { sub: 'system', roles: [] as string[] } as const;

export const actorOf = (p: Principal): AuditEvent['actor'] => ({ sub: p.sub, roles: [...p.roles] });

/** Builds an audit event at `now`. */
export function auditEvent(
  now: Date,
  actor: AuditEvent['actor'],
  action: string,
  entityType: string,
  entityId: string,
  detail: Record<string, unknown> = {},
): AuditEvent {
  return { at: now.toISOString(), actor, action, entityType, entityId, detail };
}
