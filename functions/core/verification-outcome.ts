import { type AuditEvent, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import type { Organisation } from './organisations.ts';
import type { Clock } from './ports.ts';

/**
 * After the manual USCC verification (Art. 9(1)) the applicant is told the outcome; if the workflow
 * fails, the failure is recorded for the office. Both are idempotent (keyed by organisation / execution).
 */
export interface VerificationOutcomeRepo {
  getOrganisation(id: string): Promise<Organisation | undefined>;
  /** Stores the notification for the organisation's members with its audit event; false if it exists already. */
  notifyMembers(
    org: Organisation,
    notification: Record<string, unknown>,
    audit: AuditEvent,
  ): Promise<boolean>;
  /** Stores the failure record of an execution with its audit event; false if it exists already. */
  recordWorkflowFailure(
    executionName: string,
    failure: Record<string, unknown>,
    audit: AuditEvent,
  ): Promise<boolean>;
}

export async function notifyVerificationOutcome(
  deps: { repo: VerificationOutcomeRepo; clock: Clock },
  orgId: string,
  decision: Record<string, unknown>,
): Promise<{ notified: boolean }> {
  const org = await deps.repo.getOrganisation(orgId);
  if (!org) throw new Error(`organisation ${orgId} not found`);
  const now = deps.clock.now();
  const notification = {
    event: 'organisation.verification_outcome',
    orgId,
    status: org.verification.status,
    decision: decision.decision,
    opinion: decision.opinion,
    at: now.toISOString(),
  };
  const notified = await deps.repo.notifyMembers(
    org,
    notification,
    auditEvent(now, SYSTEM_ACTOR, 'organisation.verification_notified', 'organisation', orgId, {
      status: org.verification.status,
      recipients: org.memberSubs.length,
    }),
  );
  return { notified };
}

export async function recordVerificationFailure(
  deps: { repo: VerificationOutcomeRepo; clock: Clock },
  orgId: string,
  executionName: string,
  error: unknown,
): Promise<{ recorded: boolean }> {
  const now = deps.clock.now();
  const failure = { orgId, executionName, error: error ?? null, at: now.toISOString() };
  const recorded = await deps.repo.recordWorkflowFailure(
    executionName,
    failure,
    auditEvent(now, SYSTEM_ACTOR, 'workflow.failed', 'organisation', orgId, {
      executionName,
      error: error ?? null,
    }),
  );
  return { recorded };
}
