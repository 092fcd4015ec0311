import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { type HumanTask, type HumanTaskRepo, taskSubject } from './human-tasks.ts';
import type { Clock, IdSource, Workflows } from './ports.ts';
import { checkUscc, normaliseUscc, type UsccCheck } from './uscc.ts';

/**
 * Organisations (Art. 3, Art. 9(1)): an applicant registers its company; the unified social credit
 * code is checked, and a code that fails the check character or is registered outside Zhongshan is
 * accepted but waits for an officer's manual verification (workflow `uscc-verification`).
 */
export type VerificationStatus = 'not_required' | 'pending' | 'verified' | 'rejected';

export interface OrganisationInput {
  readonly name: string;
  readonly uscc: string;
  readonly registeredCapitalCny: number;
  readonly address: string;
  readonly legalRepresentative: string;
  readonly contact: { readonly name: string; readonly phone: string; readonly email: string };
}

export interface Organisation extends OrganisationInput {
  readonly id: string;
  readonly usccCheck: UsccCheck;
  readonly verification: {
    readonly status: VerificationStatus;
    readonly opinion?: string;
    readonly decidedAt?: string;
    readonly decidedBy?: string;
  };
  readonly memberSubs: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** The organisation as the API shows it (members are not listed). */
export type OrganisationView = Omit<Organisation, 'memberSubs' | 'createdBy'>;

export interface OrganisationRepo {
  /**
   * One transaction: the organisation, its USCC guard (→ 409 USCC_ALREADY_REGISTERED), the member guard
   * (→ 409 ALREADY_HAS_ORGANISATION), the audit event and the idempotency record.
   */
  create(org: Organisation, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  get(id: string): Promise<Organisation | undefined>;
  /**
   * One transaction: the verification decision (version `expectedVersion` → +1, else 409 STALE_VERSION),
   * the task completed (else 409 NOT_PENDING) and the audit event.
   */
  decideVerification(
    org: Organisation,
    expectedVersion: number,
    task: HumanTask,
    audit: AuditEvent,
  ): Promise<void>;
}

/** The `MEMBER#<sub>` guard: which organisation an applicant account belongs to (one at most). */
export interface OrganisationMembership {
  organisationIdOf(sub: string): Promise<string | undefined>;
}

export interface OrganisationDeps {
  readonly orgs: OrganisationRepo;
  readonly tasks: Pick<HumanTaskRepo, 'current'>;
  readonly workflows: () => Promise<Workflows>;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly onWorkflowError?: (error: unknown, context: Record<string, unknown>) => void;
}

export const USCC_VERIFICATION_WORKFLOW = 'uscc-verification';
export const verificationExecutionName = (orgId: string): string => `org-${orgId}`;

export function toOrganisationView(org: Organisation): OrganisationView {
  const { memberSubs: _m, createdBy: _c, ...view } = org;
  return view;
}

/** Staff who may see every organisation. */
const SEE_ALL = ['officer', 'approver'] as const;

export interface RegisterResult {
  readonly id: string;
  readonly usccCheck: UsccCheck;
  readonly verification: { readonly status: VerificationStatus };
}

/**
 * `POST /v1/organisations` (Art. 3, 9(1)): one organisation per applicant account, one per USCC.
 * A structurally invalid code → 400 naming the field; a failed check character or a region outside
 * Zhongshan → accepted, verification `pending`, workflow started with execution name `org-<id>`.
 */
export async function registerOrganisation(
  deps: OrganisationDeps,
  principal: Principal,
  input: OrganisationInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: RegisterResult }> {
  const uscc = normaliseUscc(input.uscc);
  const usccCheck = checkUscc(uscc);
  if (!usccCheck.valid) {
    throw new ValidationError(`uscc: ${usccCheck.problems.join('; ')}`, [
      { path: 'body.uscc', message: usccCheck.problems.join('; ') },
    ]);
  }
  const needsVerification = !usccCheck.checkDigitOk || !usccCheck.inZhongshan;
  const now = deps.clock.now();
  const at = now.toISOString();
  const org: Organisation = {
    ...input,
    uscc,
    id: deps.ids.next(),
    usccCheck,
    verification: { status: needsVerification ? 'pending' : 'not_required' },
    memberSubs: [principal.sub],
    createdBy: principal.sub,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const body: RegisterResult = { id: org.id, usccCheck, verification: { status: org.verification.status } };
  const audit = auditEvent(now, actorOf(principal), 'organisation.registered', 'organisation', org.id, {
    name: org.name,
    uscc,
    usccCheck,
    verification: org.verification.status,
  });
  await deps.orgs.create(
    org,
    audit,
    idempotency ? { ...idempotency, response: { status: 201, body }, at: now } : undefined,
  );
  if (needsVerification) await startVerification(deps, org.id);
  return { status: 201, body };
}

/**
 * Starts (or finds) the verification workflow; the name is derived from the organisation, so a repeat
 * cannot fork a second review. A failure after the commit is reported (`onWorkflowError`), not thrown:
 * the organisation is registered, and starting again with the same name is safe.
 */
export async function startVerification(deps: OrganisationDeps, orgId: string): Promise<void> {
  try {
    const engine = await deps.workflows();
    await engine.start(USCC_VERIFICATION_WORKFLOW, verificationExecutionName(orgId), { orgId });
  } catch (error) {
    deps.onWorkflowError?.(error, { orgId, workflow: USCC_VERIFICATION_WORKFLOW });
  }
}

/** `GET /v1/organisations/{orgId}`: members, officers and approvers; anyone else gets 404 (never 403). */
export async function getOrganisation(
  deps: Pick<OrganisationDeps, 'orgs'>,
  principal: Principal,
  orgId: string,
): Promise<OrganisationView> {
  const org = await deps.orgs.get(orgId);
  if (!org || !canSee(principal, org)) throw new NotFoundError('organisation', orgId);
  return toOrganisationView(org);
}

/**
 * `GET /v1/organisations/mine`: the organisation the caller's applicant account belongs to (the portal's
 * "my organisation"), as `GET /v1/organisations/{orgId}` shows it. 404 NO_ORGANISATION until the account
 * registered one with `POST /v1/organisations`. Two reads: the member guard, then the organisation.
 */
export async function getMyOrganisation(
  deps: { readonly orgs: Pick<OrganisationRepo, 'get'> & OrganisationMembership },
  principal: Principal,
): Promise<OrganisationView> {
  const orgId = await deps.orgs.organisationIdOf(principal.sub);
  const org = orgId ? await deps.orgs.get(orgId) : undefined;
  if (!org?.memberSubs.includes(principal.sub)) {
    throw new AppError(
      404,
      'NO_ORGANISATION',
      'No organisation yet',
      'Your account does not belong to an organisation yet: register your organisation first (POST /v1/organisations).',
    );
  }
  return toOrganisationView(org);
}

const canSee = (p: Principal, org: Organisation): boolean =>
  p.roles.some((r) => (SEE_ALL as readonly string[]).includes(r)) || org.memberSubs.includes(p.sub);

/**
 * `POST /v1/organisations/{orgId}/verification` (Art. 4, Art. 9(1)): an officer verifies or rejects a
 * pending organisation. One transaction with its audit event and the task's completion; optimistic
 * locking makes two racing officers end with one decision; then the waiting workflow is released.
 */
export async function decideVerification(
  deps: OrganisationDeps,
  principal: Principal,
  orgId: string,
  input: { decision: 'verified' | 'rejected'; opinion: string },
): Promise<OrganisationView> {
  const org = await deps.orgs.get(orgId);
  if (!org) throw new NotFoundError('organisation', orgId);
  if (org.verification.status !== 'pending') {
    throw new ConflictError(
      'NOT_PENDING',
      `Organisation ${orgId} is not waiting for verification (status ${org.verification.status}).`,
    );
  }
  const task = await deps.tasks.current('organisation', orgId);
  if (task?.status !== 'pending') {
    throw new ConflictError(
      'NOT_PENDING',
      `The verification task of organisation ${orgId} is not open yet (or no longer); try again shortly.`,
    );
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const decided: Organisation = {
    ...org,
    verification: { status: input.decision, opinion: input.opinion, decidedAt: at, decidedBy: principal.sub },
    updatedAt: at,
    version: org.version + 1,
  };
  const audit = auditEvent(
    now,
    actorOf(principal),
    'organisation.verification_decided',
    'organisation',
    orgId,
    {
      decision: input.decision,
      opinion: input.opinion,
      taskId: task.id,
      uscc: org.uscc,
    },
  );
  await deps.orgs.decideVerification(decided, org.version, task, audit);
  try {
    const engine = await deps.workflows();
    await engine.sendTaskSuccess(
      task.token,
      {
        decision: input.decision,
        opinion: input.opinion,
        decidedBy: principal.sub,
      },
      taskSubject(task),
    );
  } catch (error) {
    deps.onWorkflowError?.(error, { orgId, taskId: task.id, step: 'sendTaskSuccess' });
  }
  return toOrganisationView(decided);
}
