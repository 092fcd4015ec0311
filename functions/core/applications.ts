import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal, Role } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import { type Call, callAcceptsSubmissions } from './calls.ts';
import { checkEligibility, type Eligibility } from './eligibility.ts';
import { type HumanTask, type HumanTaskRepo, taskSubject } from './human-tasks.ts';
import type { NotificationInput } from './notifications.ts';
import type { Organisation } from './organisations.ts';
import type { Clock, IdSource, WorkflowCallSubject, Workflows } from './ports.ts';
import {
  type ApplicationStatus,
  EDITABLE,
  type MemberKind,
  reviewExecutionName,
  WITHDRAWABLE,
} from './recognition-model.ts';

/**
 * Applications (Art. 8(1), Art. 9): an applicant company drafts an application to an open call, sees
 * at once which Art. 9 rules it fails, uploads the call's required evidence and submits it before the
 * call closes; submission starts the review workflow. Only the owner sees or changes it; staff see
 * all; an expert sees only the applications assigned to them; anyone else gets 404.
 */
export type { Eligibility, EligibilityFinding } from './eligibility.ts';

/** A consortium member (Art. 3) or partner institution (Art. 9(3)). */
export interface Party {
  readonly name: string;
  readonly uscc?: string;
  readonly kind: MemberKind;
}

/** What the applicant writes (POST/PATCH body). */
export interface ApplicationInput {
  readonly consortium: readonly Party[];
  readonly partners: readonly Party[];
  readonly registeredCapitalCny: number;
  readonly committedEnterprisesPerYear: number;
  readonly capabilities: readonly string[];
  readonly summary: string;
}

export interface Application extends ApplicationInput {
  readonly id: string;
  readonly callId: string;
  readonly orgId: string;
  /** The applicant account that created it: the owner. */
  readonly ownerSub: string;
  readonly orgName: string;
  readonly uscc: string;
  readonly status: ApplicationStatus;
  readonly eligibility: Eligibility;
  readonly submittedAt?: string;
  /** Set by the preliminary review's `return`: a resubmission must come before it. */
  readonly supplementDeadline?: string;
  readonly resubmittedAt?: string;
  readonly withdrawnAt?: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Evidence of an application: `pending_upload` → (`scanning` →) `verified` | `rejected`. */
export const EVIDENCE_STATUSES = ['pending_upload', 'scanning', 'verified', 'rejected'] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

/** Evidence of any kind may also be filed as `other`. */
export const OTHER_EVIDENCE_KIND = 'other';

/**
 * One evidence file, whatever it belongs to (an application's materials, a platform's evidence for
 * Art. 10 changes, Art. 12 reports or Art. 13 responses): the same declaration, checks and states.
 */
export interface EvidenceRecord {
  readonly evidenceId: string;
  readonly kind: string;
  /** Display label only (sanitised); the storage key is built by the server. */
  readonly fileName: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly status: EvidenceStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly uploadExpiresAt: string;
  readonly confirmedAt?: string;
  readonly verifiedAt?: string;
  readonly rejectedAt?: string;
  /** Why it was rejected: `mismatch`, `malware`, `scan_<status>`. */
  readonly rejection?: { readonly reason: string; readonly detail?: unknown };
  readonly version: number;
}

/** Evidence of an application (Art. 8(1)). */
export interface Evidence extends EvidenceRecord {
  readonly applicationId: string;
}

/** One entry of an evidence manifest: what a decision was based on. */
export interface EvidenceManifestEntry {
  readonly evidenceId: string;
  readonly kind: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** The evidence a decision is based on: the verified files, by id and SHA-256 (Art. 4, Art. 8). */
export function manifestOf(evidence: readonly EvidenceRecord[]): EvidenceManifestEntry[] {
  return evidence
    .filter((e) => e.status === 'verified')
    .map((e) => ({
      evidenceId: e.evidenceId,
      kind: e.kind,
      fileName: e.fileName,
      sha256: e.sha256,
      sizeBytes: e.sizeBytes,
    }));
}

// ---------------------------------------------------------------------------------------------------
// Ports

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface ListOptions {
  readonly status?: ApplicationStatus;
  readonly limit: number;
  readonly cursor?: string;
}

/** A change to an existing application, committed in one transaction with its audit event. */
export interface ApplicationChange {
  /** The application as read (its version is the optimistic lock). */
  readonly before: Application;
  /** The application after the change (status, fields). */
  readonly after: Application;
  /** Attributes to drop (e.g. `supplementDeadline`, the due entry). */
  readonly remove?: readonly string[];
  /** A pending human task the change completes or fails in the same transaction. */
  readonly finishTask?: { readonly task: HumanTask; readonly status: 'completed' | 'failed' };
  readonly notifications?: readonly NotificationInput[];
  readonly audit: AuditEvent;
}

export interface ApplicationRepo {
  /**
   * One transaction: the application, the one-per-organisation-per-call guard (→ 409 ALREADY_APPLIED),
   * the audit event and the idempotency record.
   */
  create(app: Application, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  get(id: string): Promise<Application | undefined>;
  /** One transaction (version-checked → 409 STALE_VERSION): the change, task, notifications, audit. */
  change(change: ApplicationChange): Promise<void>;
  listByCall(callId: string, opts: ListOptions): Promise<Page<Application>>;
  listByOwner(sub: string, opts: ListOptions & { readonly callId?: string }): Promise<Page<Application>>;
  listAssigned(
    expertId: string,
    opts: ListOptions & { readonly callId?: string },
  ): Promise<Page<Application>>;
  /** The expert record id of a user (`EXPERTUSER#<sub>`), if the user is an expert. */
  expertIdOf(sub: string): Promise<string | undefined>;
  /** True when `ASSIGN#<expertId>` exists under the application. */
  isAssigned(applicationId: string, expertId: string): Promise<boolean>;
  /** The organisation of an applicant account (`MEMBER#<sub>`). */
  organisationOf(sub: string): Promise<Organisation | undefined>;
  getOrganisation(id: string): Promise<Organisation | undefined>;
}

export interface EvidenceRepo {
  /** One transaction: the evidence item (only while the application is `draft`/`returned`), audit, idempotency. */
  create(ev: Evidence, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  get(applicationId: string, evidenceId: string): Promise<Evidence | undefined>;
  list(applicationId: string): Promise<Evidence[]>;
  /** One transaction (version-checked): the evidence change, notifications and audit. */
  change(
    before: Evidence,
    after: Evidence,
    audit: AuditEvent,
    notifications?: readonly NotificationInput[],
  ): Promise<void>;
  /** Appends an audit event alone (downloads). */
  record(audit: AuditEvent): Promise<void>;
}

/** The evidence bucket (`adapters/evidence-store.ts`). */
export interface EvidenceFiles {
  createUpload(
    ref: EvidenceFileRef,
    declared: { contentType: string; sizeBytes: number; sha256: string },
  ): Promise<{ upload: { url: string; fields: Record<string, string> }; expiresAt: string }>;
  /** Throws 422 EVIDENCE_MISMATCH (object deleted) or EVIDENCE_NOT_UPLOADED. */
  verifyUpload(
    ref: EvidenceFileRef,
    declared: { contentType: string; sizeBytes: number; sha256: string; uploadExpiresAt?: string },
  ): Promise<unknown>;
  downloadUrl(ref: EvidenceFileRef, fileName?: string): Promise<{ url: string; expiresAt: string }>;
  /** Deletes verified evidence (malware found). */
  deleteVerified(ref: EvidenceFileRef): Promise<void>;
}

export interface EvidenceFileRef {
  readonly scope: string;
  readonly ownerId: string;
  readonly evidenceId: string;
}

export const EVIDENCE_SCOPE = 'applications';
export const evidenceRef = (applicationId: string, evidenceId: string): EvidenceFileRef => ({
  scope: EVIDENCE_SCOPE,
  ownerId: applicationId,
  evidenceId,
});

/** The workflow engine as these use cases drive it. */
export interface ReviewWorkflows extends Workflows {
  sendTaskFailure(
    taskToken: string,
    error: string,
    cause: string,
    about?: WorkflowCallSubject,
  ): Promise<void>;
}

export interface ApplicationDeps {
  readonly apps: ApplicationRepo;
  readonly evidence: EvidenceRepo;
  readonly files: EvidenceFiles;
  readonly calls: { get(id: string): Promise<Call | undefined> };
  readonly tasks: Pick<HumanTaskRepo, 'current'>;
  readonly workflows: () => Promise<ReviewWorkflows>;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Stage setting `EVIDENCE_MALWARE_SCAN`: evidence counts only after a clean GuardDuty verdict. */
  readonly malwareScan: boolean;
  readonly onWorkflowError?: (error: unknown, context: Record<string, unknown>) => void;
}

export const REVIEW_WORKFLOW = 'review';
/** Entity type of the review workflow's human tasks (`TASKREF#application#<id>`). */
export const APPLICATION_ENTITY = 'application';

// ---------------------------------------------------------------------------------------------------
// Who sees what

const SEE_ALL: readonly Role[] = ['officer', 'approver'];
/** Evidence is visible to the office (Art. 11: private to the applicant and the office). */
const EVIDENCE_STAFF: readonly Role[] = ['officer', 'approver', 'admin'];

const has = (p: Principal, roles: readonly Role[]): boolean => p.roles.some((r) => roles.includes(r));

/**
 * Object authorisation: owner, staff (`staff` roles) or an assigned expert; anyone else → 404
 * (never 403, never the object's data).
 */
async function visible(
  deps: Pick<ApplicationDeps, 'apps'>,
  principal: Principal,
  id: string,
  staff: readonly Role[],
): Promise<Application> {
  const app = await deps.apps.get(id);
  if (!app) throw new NotFoundError('application', id);
  if (app.ownerSub === principal.sub || has(principal, staff)) return app;
  if (principal.roles.includes('expert')) {
    const expertId = await deps.apps.expertIdOf(principal.sub);
    if (expertId && (await deps.apps.isAssigned(id, expertId))) return app;
  }
  throw new NotFoundError('application', id);
}

/** The owner only (changes); anyone else → 404. */
async function owned(deps: Pick<ApplicationDeps, 'apps'>, principal: Principal, id: string) {
  const app = await deps.apps.get(id);
  if (!app || app.ownerSub !== principal.sub) throw new NotFoundError('application', id);
  return app;
}

// ---------------------------------------------------------------------------------------------------
// Applications

export interface CreateResult {
  readonly id: string;
  readonly status: 'draft';
  readonly eligibility: Eligibility;
  readonly version: number;
}

/**
 * `POST /v1/calls/{callId}/applications` (Art. 8(1), Art. 9): an applicant with an organisation
 * (else 409 NO_ORGANISATION) drafts an application while the call accepts submissions (else 409
 * CALL_NOT_OPEN / CALL_CLOSED); one per organisation per call (409 ALREADY_APPLIED). The Art. 9
 * findings come back at once.
 */
export async function createApplication(
  deps: ApplicationDeps,
  principal: Principal,
  callId: string,
  input: ApplicationInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: CreateResult }> {
  const org = await deps.apps.organisationOf(principal.sub);
  if (!org) {
    throw new ConflictError(
      'NO_ORGANISATION',
      'Register your organisation first (POST /v1/organisations); an application is made by an organisation.',
    );
  }
  assertParties(input, org.uscc);
  const call = await deps.calls.get(callId);
  if (!call || call.status === 'draft') throw new NotFoundError('call', callId);
  const now = deps.clock.now();
  const accepts = callAcceptsSubmissions(call, now);
  if (!accepts.ok) throw new ConflictError(accepts.code, accepts.message);
  const at = now.toISOString();
  const eligibility = checkEligibility(input, org);
  const app: Application = {
    ...normaliseInput(input),
    id: deps.ids.next(),
    callId,
    orgId: org.id,
    ownerSub: principal.sub,
    orgName: org.name,
    uscc: org.uscc,
    status: 'draft',
    eligibility,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const body: CreateResult = { id: app.id, status: 'draft', eligibility, version: app.version };
  const audit = auditEvent(now, actorOf(principal), 'application.created', 'application', app.id, {
    callId,
    orgId: org.id,
    eligibility,
  });
  await deps.apps.create(
    app,
    audit,
    idempotency ? { ...idempotency, response: { status: 201, body }, at: now } : undefined,
  );
  return { status: 201, body };
}

function normaliseInput(input: ApplicationInput): ApplicationInput {
  const party = (p: Party): Party => ({
    name: p.name,
    kind: p.kind,
    ...(p.uscc ? { uscc: p.uscc.trim().toUpperCase() } : {}),
  });
  return {
    consortium: input.consortium.map(party),
    partners: input.partners.map(party),
    registeredCapitalCny: input.registeredCapitalCny,
    committedEnterprisesPerYear: input.committedEnterprisesPerYear,
    capabilities: [...input.capabilities],
    summary: input.summary,
  };
}

/** Art. 3 / Art. 9(3): one party may not be named twice (by USCC) nor be the applicant itself. */
function partyErrors(input: Partial<ApplicationInput>, applicantUscc: string) {
  const errors: { path: string; message: string }[] = [];
  const seen = new Map<string, string>([[applicantUscc, 'the applicant']]);
  for (const list of ['consortium', 'partners'] as const) {
    (input[list] ?? []).forEach((p, i) => {
      const code = p.uscc?.trim().toUpperCase();
      if (!code) return;
      const first = seen.get(code);
      if (first)
        errors.push({ path: `body.${list}.${i}.uscc`, message: `${code} is already named as ${first}` });
      else seen.set(code, `${list}[${i}]`);
    });
  }
  return errors;
}

/** Throws 400 naming each duplicate party. */
export function assertParties(input: Partial<ApplicationInput>, applicantUscc: string): void {
  const errors = partyErrors(input, applicantUscc);
  if (errors.length) {
    throw new ValidationError(
      'A consortium member or partner institution is named twice (or is the applicant itself).',
      errors,
    );
  }
}

export type ApplicationPatch = Partial<ApplicationInput> & { readonly version?: number };

/**
 * `PATCH /v1/applications/{id}` (Art. 8(1)–(2)): the owner edits a `draft`, or a `returned` application
 * before its supplement deadline; eligibility is recomputed. `If-Match` / `version` (optional) must be
 * the current version (409 STALE_VERSION); concurrent edits are always version-checked.
 */
export async function patchApplication(
  deps: ApplicationDeps,
  principal: Principal,
  id: string,
  patch: ApplicationPatch,
  ifMatch?: number,
): Promise<Application> {
  const app = await owned(deps, principal, id);
  const expected = ifMatch ?? patch.version;
  if (expected !== undefined && expected !== app.version) {
    throw new ConflictError(
      'STALE_VERSION',
      `Application ${id} is at version ${app.version}, not ${expected}; reload it and try again.`,
    );
  }
  if (!EDITABLE.includes(app.status)) {
    throw new ConflictError(
      'NOT_EDITABLE',
      `Application ${id} is ${app.status}; only a draft or a returned application can be changed.`,
    );
  }
  const now = deps.clock.now();
  if (app.status === 'returned') assertBeforeSupplementDeadline(app, now);
  const { version: _v, ...fields } = patch;
  assertParties({ ...app, ...fields }, app.uscc);
  const org = await deps.apps.getOrganisation(app.orgId);
  if (!org) throw new NotFoundError('organisation', app.orgId);
  const merged = normaliseInput({ ...app, ...fields });
  const eligibility = checkEligibility(merged, org);
  const at = now.toISOString();
  const after: Application = { ...app, ...merged, eligibility, updatedAt: at, version: app.version + 1 };
  await deps.apps.change({
    before: app,
    after,
    audit: auditEvent(now, actorOf(principal), 'application.updated', 'application', id, {
      fields: Object.keys(fields),
      eligibility,
    }),
  });
  return after;
}

function assertBeforeSupplementDeadline(app: Application, now: Date): void {
  if (!app.supplementDeadline || now.getTime() >= Date.parse(app.supplementDeadline)) {
    throw new ConflictError(
      'SUPPLEMENT_DEADLINE_PASSED',
      `The supplement deadline of application ${app.id} (${app.supplementDeadline ?? 'none'}) has passed.`,
      { supplementDeadline: app.supplementDeadline },
    );
  }
}

/** `GET /v1/applications/{id}`: owner, officer, approver, an assigned expert; else 404. */
export async function getApplication(
  deps: Pick<ApplicationDeps, 'apps'>,
  principal: Principal,
  id: string,
): Promise<Application> {
  return visible(deps, principal, id, SEE_ALL);
}

/**
 * `GET /v1/applications?callId=&status=`: officers and approvers list a call's applications; an
 * applicant lists their own; an expert the applications assigned to them.
 */
export async function listApplications(
  deps: Pick<ApplicationDeps, 'apps'>,
  principal: Principal,
  query: { callId?: string; status?: ApplicationStatus; limit: number; cursor?: string },
): Promise<Page<Application>> {
  const opts = {
    limit: query.limit,
    ...(query.status ? { status: query.status } : {}),
    ...(query.cursor ? { cursor: query.cursor } : {}),
  };
  if (has(principal, SEE_ALL)) {
    if (!query.callId) {
      throw new ValidationError('Staff list the applications of one call: pass callId.', [
        { path: 'query.callId', message: 'required for officers and approvers' },
      ]);
    }
    return deps.apps.listByCall(query.callId, opts);
  }
  const withCall = { ...opts, ...(query.callId ? { callId: query.callId } : {}) };
  if (principal.roles.includes('expert')) {
    const expertId = await deps.apps.expertIdOf(principal.sub);
    if (expertId) return deps.apps.listAssigned(expertId, withCall);
    if (!principal.roles.includes('applicant')) return { items: [] };
  }
  return deps.apps.listByOwner(principal.sub, withCall);
}

/** Kinds of the call's required evidence that have no verified file yet. */
function missingEvidence(call: Call, evidence: readonly Evidence[]): string[] {
  const verified = new Set(evidence.filter((e) => e.status === 'verified').map((e) => e.kind));
  return call.requiredEvidence.filter((r) => r.required && !verified.has(r.kind)).map((r) => r.kind);
}

/**
 * `POST /v1/applications/{id}/submit` (Art. 8(1)–(2), Art. 9). From `draft`: only while the call
 * accepts submissions (a second after `closesAt` → 409 CALL_CLOSED), only when eligible (409
 * NOT_ELIGIBLE with the failures) and with every required evidence kind verified (409 EVIDENCE_MISSING
 * naming the kinds) → `submitted`, officers notified, review workflow started (`app-<id>`). From
 * `returned`: only before the supplement deadline (409 SUPPLEMENT_DEADLINE_PASSED) → back to
 * `preliminary_review`, completing the pending `supplement` task.
 */
export async function submitApplication(
  deps: ApplicationDeps,
  principal: Principal,
  id: string,
): Promise<Application> {
  const app = await owned(deps, principal, id);
  if (app.status !== 'draft' && app.status !== 'returned') {
    throw new ConflictError(
      'NOT_SUBMITTABLE',
      `Application ${id} is ${app.status}; only a draft or a returned application can be submitted.`,
    );
  }
  const now = deps.clock.now();
  const call = await deps.calls.get(app.callId);
  if (!call) throw new NotFoundError('call', app.callId);
  if (app.status === 'draft') {
    const accepts = callAcceptsSubmissions(call, now);
    if (!accepts.ok) throw new ConflictError(accepts.code, accepts.message);
  } else assertBeforeSupplementDeadline(app, now);

  const org = await deps.apps.getOrganisation(app.orgId);
  if (!org) throw new NotFoundError('organisation', app.orgId);
  const eligibility = checkEligibility(app, org);
  if (!eligibility.eligible) {
    throw new ConflictError(
      'NOT_ELIGIBLE',
      `Application ${id} fails Art. 9: ${eligibility.failures.map((f) => f.rule).join(', ')}.`,
      { failures: eligibility.failures },
    );
  }
  const evidence = await deps.evidence.list(id);
  const missing = missingEvidence(call, evidence);
  if (missing.length) {
    throw new ConflictError(
      'EVIDENCE_MISSING',
      `Required evidence is not verified yet: ${missing.join(', ')}. Upload and confirm each before submitting.`,
      { missingKinds: missing },
    );
  }
  const at = now.toISOString();
  const manifest = manifestOf(evidence);
  const resubmission = app.status === 'returned';
  const task = resubmission ? await pendingTask(deps, id, 'supplement') : undefined;
  if (resubmission && !task) {
    throw new ConflictError(
      'NOT_PENDING',
      `The supplement step of application ${id} is not open yet (or no longer); try again shortly.`,
    );
  }
  const after: Application = {
    ...app,
    status: resubmission ? 'preliminary_review' : 'submitted',
    eligibility,
    ...(resubmission ? { resubmittedAt: at } : { submittedAt: at }),
    updatedAt: at,
    version: app.version + 1,
  };
  const action = resubmission ? 'application.resubmitted' : 'application.submitted';
  await deps.apps.change({
    before: app,
    after,
    ...(resubmission ? { remove: ['duePk', 'dueSk'] } : {}),
    ...(task ? { finishTask: { task, status: 'completed' as const } } : {}),
    notifications: [
      {
        recipient: { role: 'officer' },
        event: action,
        entityType: 'application',
        entityId: id,
        title: resubmission
          ? `申报材料已补正，待初审：${app.orgName} / Supplemented application awaits preliminary review: ${app.orgName}`
          : `新的申报待初审：${app.orgName} / New application awaits preliminary review: ${app.orgName}`,
        detail: { callId: app.callId, applicationId: id },
        at,
        dedupeKey: `${action}#${id}#${after.version}`,
      },
    ],
    audit: auditEvent(now, actorOf(principal), action, 'application', id, {
      callId: app.callId,
      eligibility,
      evidenceManifest: manifest,
      ...(task ? { taskId: task.id } : {}),
    }),
  });
  try {
    const engine = await deps.workflows();
    if (task) await engine.sendTaskSuccess(task.token, { resubmitted: true }, taskSubject(task));
    else
      await engine.start(REVIEW_WORKFLOW, reviewExecutionName(id), { applicationId: id, callId: app.callId });
  } catch (error) {
    deps.onWorkflowError?.(error, { applicationId: id, step: task ? 'sendTaskSuccess' : 'start' });
  }
  return after;
}

async function pendingTask(
  deps: Pick<ApplicationDeps, 'tasks'>,
  id: string,
  kind?: string,
): Promise<HumanTask | undefined> {
  const task = await deps.tasks.current(APPLICATION_ENTITY, id);
  if (task?.status !== 'pending') return undefined;
  return kind && task.kind !== kind ? undefined : task;
}

/**
 * `POST /v1/applications/{id}/withdraw` (Art. 8(4)): the owner withdraws before publication (statuses
 * in WITHDRAWABLE, else 409 NOT_WITHDRAWABLE). The pending human step is failed with `Withdrawn`, which
 * ends the review workflow; officers are told when the review had begun.
 */
export async function withdrawApplication(
  deps: ApplicationDeps,
  principal: Principal,
  id: string,
  reason?: string,
): Promise<Application> {
  const app = await owned(deps, principal, id);
  if (!WITHDRAWABLE.includes(app.status)) {
    throw new ConflictError(
      'NOT_WITHDRAWABLE',
      `Application ${id} is ${app.status}; it can be withdrawn only before publication.`,
    );
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const task = app.status === 'draft' ? undefined : await pendingTask(deps, id);
  const after: Application = {
    ...app,
    status: 'withdrawn',
    withdrawnAt: at,
    updatedAt: at,
    version: app.version + 1,
  };
  await deps.apps.change({
    before: app,
    after,
    remove: ['duePk', 'dueSk'],
    ...(task ? { finishTask: { task, status: 'failed' as const } } : {}),
    notifications:
      app.status === 'draft'
        ? []
        : [
            {
              recipient: { role: 'officer' },
              event: 'application.withdrawn',
              entityType: 'application',
              entityId: id,
              title: `申报单位已撤回申报：${app.orgName} / Application withdrawn: ${app.orgName}`,
              detail: { callId: app.callId, applicationId: id, previousStatus: app.status },
              at,
            },
          ],
    audit: auditEvent(now, actorOf(principal), 'application.withdrawn', 'application', id, {
      previousStatus: app.status,
      ...(reason ? { reason } : {}),
      ...(task ? { taskId: task.id, taskKind: task.kind } : {}),
    }),
  });
  if (task) {
    try {
      const engine = await deps.workflows();
      await engine.sendTaskFailure(
        task.token,
        'Withdrawn',
        'The applicant withdrew the application.',
        taskSubject(task),
      );
    } catch (error) {
      deps.onWorkflowError?.(error, { applicationId: id, taskId: task.id, step: 'sendTaskFailure' });
    }
  }
  return after;
}

// ---------------------------------------------------------------------------------------------------
// Evidence

/**
 * Control characters (and bidirectional overrides such as U+202E, which make `fdp.exe` read as
 * `exe.pdf`), path separators and dot-runs out; at most 120 characters; never empty.
 */
export function sanitiseFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.\s]+/, '')
    .trim();
  const chars = [...cleaned];
  const short = chars.length > 120 ? chars.slice(0, 120).join('') : cleaned;
  return short || 'file';
}

export interface EvidenceDeclarationInput {
  readonly kind: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** What `declareEvidence` returns: the new record (`pending_upload`) and the 201 body. */
export interface DeclaredEvidence {
  readonly record: EvidenceRecord;
  readonly body: {
    evidenceId: string;
    upload: { url: string; fields: Record<string, string> };
    expiresAt: string;
  };
}

/**
 * Shared by every kind of evidence: a new id, a presigned POST to the server-built key `ref(id)` (400
 * when the declared type or size is not allowed) and the `pending_upload` record to store.
 */
export async function declareEvidence(
  deps: Pick<ApplicationDeps, 'files' | 'clock' | 'ids'>,
  principal: Principal,
  input: EvidenceDeclarationInput,
  ref: (evidenceId: string) => EvidenceFileRef,
): Promise<DeclaredEvidence> {
  const evidenceId = deps.ids.next();
  const declared = { contentType: input.contentType, sizeBytes: input.sizeBytes, sha256: input.sha256 };
  const ticket = await deps.files.createUpload(ref(evidenceId), declared);
  const record: EvidenceRecord = {
    evidenceId,
    kind: input.kind,
    fileName: sanitiseFileName(input.fileName),
    ...declared,
    status: 'pending_upload',
    createdAt: deps.clock.now().toISOString(),
    createdBy: principal.sub,
    uploadExpiresAt: ticket.expiresAt,
    version: 1,
  };
  return { record, body: { evidenceId, upload: ticket.upload, expiresAt: ticket.expiresAt } };
}

/**
 * Shared by every kind of evidence: checks the stored object against the declaration. A mismatch →
 * `onRejected(after, now, checks)` stores the `rejected` record (with its audit) and the 422 is
 * rethrown; a match → the `verified` (or, when the stage scans for malware, `scanning`) record for the
 * caller to store with its audit.
 */
export async function checkUploadedEvidence<T extends EvidenceRecord>(
  deps: Pick<ApplicationDeps, 'files' | 'clock' | 'malwareScan'>,
  ref: EvidenceFileRef,
  ev: T,
  onRejected: (after: T, now: Date, checks: unknown) => Promise<void>,
): Promise<T> {
  const declared = {
    contentType: ev.contentType,
    sizeBytes: ev.sizeBytes,
    sha256: ev.sha256,
    uploadExpiresAt: ev.uploadExpiresAt,
  };
  try {
    await deps.files.verifyUpload(ref, declared);
  } catch (error) {
    const e = error as { code?: string; errors?: unknown };
    if (e.code === 'EVIDENCE_MISMATCH') {
      const now = deps.clock.now();
      await onRejected(
        {
          ...ev,
          status: 'rejected',
          rejectedAt: now.toISOString(),
          rejection: { reason: 'mismatch', detail: e.errors },
          version: ev.version + 1,
        },
        now,
        e.errors,
      );
    }
    throw error;
  }
  const at = deps.clock.now().toISOString();
  return deps.malwareScan
    ? { ...ev, status: 'scanning', confirmedAt: at, version: ev.version + 1 }
    : { ...ev, status: 'verified', confirmedAt: at, verifiedAt: at, version: ev.version + 1 };
}

/** 409 EVIDENCE_REJECTED for evidence whose file failed a check (it must be declared again). */
export function assertNotRejected(ev: EvidenceRecord): void {
  if (ev.status === 'rejected') {
    throw new ConflictError(
      'EVIDENCE_REJECTED',
      `Evidence ${ev.evidenceId} was rejected (${ev.rejection?.reason ?? 'unknown'}); declare the file again.`,
    );
  }
}

/** 409 EVIDENCE_NOT_VERIFIED: only verified evidence can be downloaded or referenced. */
export function assertVerified(ev: EvidenceRecord): void {
  if (ev.status !== 'verified') {
    throw new ConflictError(
      'EVIDENCE_NOT_VERIFIED',
      `Evidence ${ev.evidenceId} is ${ev.status}; only verified evidence can be downloaded.`,
    );
  }
}

/**
 * `POST /v1/applications/{id}/evidence` (Art. 8(1) materials): the owner declares one file of a kind
 * the call requires (or `other`) while the application is `draft`/`returned` → a presigned POST to a
 * server-built key; allowed types and the size cap are in its policy and checked here first (400).
 */
export async function createEvidenceUpload(
  deps: ApplicationDeps,
  principal: Principal,
  applicationId: string,
  input: EvidenceDeclarationInput,
  idempotency?: IdempotencyContext,
): Promise<{
  status: 201;
  body: { evidenceId: string; upload: { url: string; fields: Record<string, string> }; expiresAt: string };
}> {
  const app = await owned(deps, principal, applicationId);
  if (!EDITABLE.includes(app.status)) {
    throw new ConflictError(
      'NOT_EDITABLE',
      `Application ${applicationId} is ${app.status}; evidence can be added to a draft or a returned application only.`,
    );
  }
  const now = deps.clock.now();
  if (app.status === 'returned') assertBeforeSupplementDeadline(app, now);
  const call = await deps.calls.get(app.callId);
  if (!call) throw new NotFoundError('call', app.callId);
  const kinds = [...call.requiredEvidence.map((r) => r.kind), OTHER_EVIDENCE_KIND];
  if (!kinds.includes(input.kind)) {
    throw new ValidationError(`kind must be one of the call's evidence kinds: ${kinds.join(', ')}.`, [
      { path: 'body.kind', message: `one of ${kinds.join(', ')}` },
    ]);
  }
  const { record, body } = await declareEvidence(deps, principal, input, (evidenceId) =>
    evidenceRef(applicationId, evidenceId),
  );
  const ev: Evidence = { ...record, applicationId };
  await deps.evidence.create(
    ev,
    auditEvent(now, actorOf(principal), 'evidence.upload_requested', 'application', applicationId, {
      evidenceId: ev.evidenceId,
      kind: ev.kind,
      fileName: ev.fileName,
      contentType: ev.contentType,
      sizeBytes: ev.sizeBytes,
      sha256: ev.sha256,
    }),
    idempotency ? { ...idempotency, response: { status: 201, body }, at: now } : undefined,
  );
  return { status: 201, body };
}

/**
 * `POST /v1/applications/{id}/evidence/{evidenceId}/confirm`: the server checks the stored object's
 * size, SHA-256 and file signature. A mismatch → 422 EVIDENCE_MISMATCH, the object deleted and the
 * evidence `rejected` (audited). A match → `verified`, or `scanning` when the stage scans for malware
 * (it counts only once GuardDuty's verdict is clean). Confirming again returns the current status.
 */
export async function confirmEvidence(
  deps: ApplicationDeps,
  principal: Principal,
  applicationId: string,
  evidenceId: string,
): Promise<Evidence> {
  const app = await owned(deps, principal, applicationId);
  const ev = await deps.evidence.get(applicationId, evidenceId);
  if (!ev) throw new NotFoundError('evidence', evidenceId);
  if (ev.status === 'verified' || ev.status === 'scanning') return ev;
  assertNotRejected(ev);
  if (!EDITABLE.includes(app.status)) {
    throw new ConflictError('NOT_EDITABLE', `Application ${applicationId} is ${app.status}.`);
  }
  const after = await checkUploadedEvidence(
    deps,
    evidenceRef(applicationId, evidenceId),
    ev,
    (rejected, at, checks) =>
      deps.evidence.change(
        ev,
        rejected,
        auditEvent(at, actorOf(principal), 'evidence.rejected', 'application', applicationId, {
          evidenceId,
          reason: 'mismatch',
          checks,
        }),
      ),
  );
  const now = deps.clock.now();
  await deps.evidence.change(
    ev,
    after,
    auditEvent(
      now,
      actorOf(principal),
      deps.malwareScan ? 'evidence.confirmed' : 'evidence.verified',
      'application',
      applicationId,
      { evidenceId, kind: ev.kind, sha256: ev.sha256, sizeBytes: ev.sizeBytes, status: after.status },
    ),
  );
  return after;
}

/** `GET /v1/applications/{id}/evidence`: owner, staff, an assigned expert. */
export async function listEvidence(
  deps: Pick<ApplicationDeps, 'apps' | 'evidence'>,
  principal: Principal,
  applicationId: string,
): Promise<Evidence[]> {
  await visible(deps, principal, applicationId, EVIDENCE_STAFF);
  return deps.evidence.list(applicationId);
}

/**
 * `GET /v1/applications/{id}/evidence/{evidenceId}/download` (Art. 11: every access to evidence is
 * logged): a short presigned GET of verified evidence; the download is audited with who asked.
 */
export async function downloadEvidence(
  deps: ApplicationDeps,
  principal: Principal,
  applicationId: string,
  evidenceId: string,
): Promise<{ url: string; expiresAt: string }> {
  await visible(deps, principal, applicationId, EVIDENCE_STAFF);
  const ev = await deps.evidence.get(applicationId, evidenceId);
  if (!ev) throw new NotFoundError('evidence', evidenceId);
  assertVerified(ev);
  const link = await deps.files.downloadUrl(evidenceRef(applicationId, evidenceId), ev.fileName);
  const now = deps.clock.now();
  await deps.evidence.record(
    auditEvent(now, actorOf(principal), 'evidence.downloaded', 'application', applicationId, {
      evidenceId,
      kind: ev.kind,
      sha256: ev.sha256,
      expiresAt: link.expiresAt,
    }),
  );
  return link;
}

// ---------------------------------------------------------------------------------------------------
// Malware scan results (GuardDuty Malware Protection for S3)

export type ScanVerdict = 'NO_THREATS_FOUND' | 'THREATS_FOUND' | 'UNSUPPORTED' | 'ACCESS_DENIED' | 'FAILED';

/** Thrown while the confirmation that put evidence into `scanning` has not committed yet (retry later). */
export class EvidenceNotScanningYetError extends Error {
  override name = 'EvidenceNotScanningYetError';
}

/**
 * Applies GuardDuty's verdict to evidence in `scanning`: NO_THREATS_FOUND → `verified` (now it counts);
 * anything else → `rejected`, the object deleted (THREATS_FOUND) and the owner told to upload again.
 * Returns false when the evidence is unknown or already decided (a repeated event changes nothing).
 */
export async function applyScanResult(
  deps: Pick<ApplicationDeps, 'apps' | 'evidence' | 'files' | 'clock'>,
  applicationId: string,
  evidenceId: string,
  verdict: ScanVerdict | string,
  threats: readonly string[] = [],
): Promise<boolean> {
  const ev = await deps.evidence.get(applicationId, evidenceId);
  if (!ev) return false;
  if (ev.status === 'pending_upload') {
    throw new EvidenceNotScanningYetError(`evidence ${evidenceId} is not confirmed yet`);
  }
  if (ev.status !== 'scanning') return false;
  const now = deps.clock.now();
  const at = now.toISOString();
  if (verdict === 'NO_THREATS_FOUND') {
    await deps.evidence.change(
      ev,
      { ...ev, status: 'verified', verifiedAt: at, version: ev.version + 1 },
      auditEvent(now, SYSTEM_ACTOR, 'evidence.verified', 'application', applicationId, {
        evidenceId,
        sha256: ev.sha256,
        scan: verdict,
      }),
    );
    return true;
  }
  const reason = verdict === 'THREATS_FOUND' ? 'malware' : `scan_${verdict.toLowerCase()}`;
  if (verdict === 'THREATS_FOUND') await deps.files.deleteVerified(evidenceRef(applicationId, evidenceId));
  const app = await deps.apps.get(applicationId);
  await deps.evidence.change(
    ev,
    {
      ...ev,
      status: 'rejected',
      rejectedAt: at,
      rejection: { reason, detail: { verdict, threats } },
      version: ev.version + 1,
    },
    auditEvent(now, SYSTEM_ACTOR, 'evidence.rejected', 'application', applicationId, {
      evidenceId,
      reason,
      verdict,
      threats,
    }),
    app
      ? [
          {
            recipient: { sub: app.ownerSub },
            event: 'evidence.rejected',
            entityType: 'application',
            entityId: applicationId,
            title:
              verdict === 'THREATS_FOUND'
                ? `证明材料“${ev.fileName}”检出恶意代码，已删除，请重新上传 / Evidence “${ev.fileName}” contained malware and was deleted; upload a clean file.`
                : `证明材料“${ev.fileName}”无法完成安全扫描，请重新上传 / Evidence “${ev.fileName}” could not be scanned; upload it again.`,
            detail: { evidenceId, verdict },
            at,
            dedupeKey: `evidence.rejected#${evidenceId}`,
          },
        ]
      : [],
  );
  return true;
}
