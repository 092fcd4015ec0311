import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import type { EvidenceManifestEntry } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent } from './audit.ts';
import { shanghaiDate } from './calendar.ts';
import type { NotificationInput } from './notifications.ts';
import type { Organisation } from './organisations.ts';
import type { VerifiedPlatformEvidence } from './platform-evidence.ts';
import {
  assertPlatformActive,
  hostedPlatform,
  type Platform,
  type PlatformRepo,
  platformAccess,
} from './platforms.ts';
import type { Clock, IdSource } from './ports.ts';
import { auditObserverRead, type SharingRepo, STAFF } from './sharing.ts';

/**
 * Art. 10: a change of host organisation, service content or target tasks needs the office's approval
 * (change requests: the host files, an officer approves or rejects; an approved change updates the
 * registry record and the old values stay in the platform's history); renaming, bankruptcy and
 * restructuring must be notified in advance (advance notifications; a late one is refused and flagged
 * to staff).
 */
export const CHANGE_KINDS = ['host_organisation', 'service_content', 'target_tasks'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export const CHANGE_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];
export const ADVANCE_NOTICE_KINDS = ['rename', 'bankruptcy', 'restructuring'] as const;
export type AdvanceNoticeKind = (typeof ADVANCE_NOTICE_KINDS)[number];

export type Proposed =
  | { readonly kind: 'host_organisation'; readonly proposed: { readonly orgId: string } }
  | { readonly kind: 'service_content'; readonly proposed: { readonly services: readonly string[] } }
  | { readonly kind: 'target_tasks'; readonly proposed: { readonly tasks: readonly string[] } };

export type ChangeRequestInput = Proposed & {
  readonly description: string;
  readonly evidenceIds?: readonly string[];
};

export interface ChangeRequest {
  readonly id: string;
  readonly platformId: string;
  /** The platform's host organisation name when the request was filed (lists need no extra read). */
  readonly hostName?: string;
  readonly kind: ChangeKind;
  readonly description: string;
  readonly proposed: Record<string, unknown>;
  /** The registry values the request would replace, as they were when it was filed. */
  readonly current: Record<string, unknown>;
  readonly evidenceManifest: readonly EvidenceManifestEntry[];
  readonly status: ChangeStatus;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly opinion?: string;
  readonly version: number;
}

/** One entry of a platform's history: the registry values a change replaced (Art. 10). */
export interface HistoryEntry {
  readonly at: string;
  readonly kind: string;
  readonly changeRequestId?: string;
  readonly previous: Record<string, unknown>;
  readonly next: Record<string, unknown>;
  readonly actor: string;
  /** The platform version the change produced (orders entries of the same instant). */
  readonly platformVersion: number;
}

export interface AdvanceNotice {
  readonly id: string;
  readonly platformId: string;
  readonly kind: AdvanceNoticeKind;
  readonly effectiveDate: string;
  readonly description: string;
  readonly filedBy: string;
  readonly filedAt: string;
}

/** An approved change as the store commits it: the request, the platform, its history, all at once. */
export interface ChangeDecision {
  readonly before: ChangeRequest;
  readonly after: ChangeRequest;
  /** Approval only: the platform read (its version is the lock), the fields set, the history entry. */
  readonly apply?: {
    readonly platform: Platform;
    readonly set: Record<string, unknown>;
    readonly history: HistoryEntry;
  };
  readonly notifications: readonly NotificationInput[];
  readonly audit: readonly AuditEvent[];
}

export interface ChangeRepo {
  /**
   * One transaction: the platform is active (→ 409 PLATFORM_NOT_ACTIVE), the one-pending-per-kind guard
   * (→ 409 CHANGE_PENDING), the request, notifications, audit, idempotency.
   */
  create(
    cr: ChangeRequest,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void>;
  get(id: string): Promise<ChangeRequest | undefined>;
  listByPlatform(
    platformId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ChangeRequest[]; nextCursor?: string }>;
  /** One transaction (request and platform version-checked → 409 STALE_VERSION); releases the guard. */
  decide(d: ChangeDecision): Promise<void>;
  history(
    platformId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: HistoryEntry[]; nextCursor?: string }>;
  /** One transaction: the notice (platform active), notifications, audit, idempotency. */
  fileAdvanceNotice(
    notice: AdvanceNotice,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void>;
  /** One transaction: the staff alert and the audit event of a late notification (nothing else). */
  flagLateNotice(notifications: readonly NotificationInput[], audit: AuditEvent): Promise<void>;
  listAdvanceNotices(platformId: string): Promise<AdvanceNotice[]>;
}

/** Every platform's change requests by status (the staff inbox), newest first. */
export interface ChangeInbox {
  listByStatus(
    status: ChangeStatus,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ChangeRequest[]; nextCursor?: string }>;
}

export interface ChangeDeps {
  readonly platforms: Pick<PlatformRepo, 'get' | 'hostMembers'>;
  readonly changes: ChangeRepo;
  readonly orgs: { get(id: string): Promise<Organisation | undefined> };
  readonly evidence: VerifiedPlatformEvidence;
  readonly sharing: Pick<SharingRepo, 'record'>;
  readonly clock: Clock;
  readonly ids: IdSource;
}

/** The registry fields each kind of change replaces (service content = the platform's capabilities). */
export function currentValues(platform: Platform, kind: ChangeKind): Record<string, unknown> {
  const p = platform as Platform & { targetTasks?: readonly string[] };
  switch (kind) {
    case 'host_organisation':
      return { orgId: p.orgId, hostName: p.hostName, uscc: p.uscc };
    case 'service_content':
      return { capabilities: [...p.capabilities] };
    case 'target_tasks':
      return { targetTasks: [...(p.targetTasks ?? [])] };
  }
}

/** The registry fields an approved change sets. */
function nextValues(input: Proposed, org?: Organisation): Record<string, unknown> {
  switch (input.kind) {
    case 'host_organisation':
      if (!org) throw new Error('host organisation change without the organisation');
      return { orgId: org.id, hostName: org.name, uscc: org.uscc };
    case 'service_content':
      return { capabilities: [...input.proposed.services] };
    case 'target_tasks':
      return { targetTasks: [...input.proposed.tasks] };
  }
}

/** Art. 10: the proposed host must be a registered organisation other than the current host. */
async function proposedOrganisation(
  deps: Pick<ChangeDeps, 'orgs'>,
  platform: Platform,
  input: Proposed,
): Promise<Organisation | undefined> {
  if (input.kind !== 'host_organisation') return undefined;
  const org = await deps.orgs.get(input.proposed.orgId);
  if (!org) {
    throw new ValidationError(`No registered organisation ${input.proposed.orgId}.`, [
      { path: 'body.proposed.orgId', message: 'the id of a registered organisation' },
    ]);
  }
  if (org.id === platform.orgId) {
    throw new ValidationError('The proposed host organisation is already the host.', [
      { path: 'body.proposed.orgId', message: 'a different organisation' },
    ]);
  }
  return org;
}

const toOfficers = (n: Omit<NotificationInput, 'recipient'>): NotificationInput => ({
  ...n,
  recipient: { role: 'officer' },
});

/**
 * `POST /v1/platforms/{platformId}/change-requests` (Art. 10): a host member proposes a change with
 * reasons and verified evidence → 201 pending; officers are told. 409 PLATFORM_NOT_ACTIVE on a revoked or
 * expired platform; 409 CHANGE_PENDING while a request of the same kind awaits a decision.
 */
export async function fileChangeRequest(
  deps: ChangeDeps,
  principal: Principal,
  platformId: string,
  input: ChangeRequestInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: ChangeRequest }> {
  const platform = await hostedPlatform(deps.platforms, principal, platformId);
  assertPlatformActive(platform);
  await proposedOrganisation(deps, platform, input);
  const evidenceManifest = input.evidenceIds?.length
    ? await deps.evidence(platformId, input.evidenceIds)
    : [];
  const now = deps.clock.now();
  const at = now.toISOString();
  const cr: ChangeRequest = {
    id: deps.ids.next(),
    platformId,
    hostName: platform.hostName,
    kind: input.kind,
    description: input.description,
    proposed: { ...input.proposed },
    current: currentValues(platform, input.kind),
    evidenceManifest,
    status: 'pending',
    requestedBy: principal.sub,
    createdAt: at,
    version: 1,
  };
  await deps.changes.create(
    cr,
    [
      toOfficers({
        event: 'change_request.filed',
        entityType: 'change_request',
        entityId: cr.id,
        title: `平台“${platform.hostName}”提交变更申请（${cr.kind}），请审核 / Platform “${platform.hostName}” requests a ${cr.kind} change; please decide.`,
        detail: { platformId, kind: cr.kind },
        at,
      }),
    ],
    auditEvent(now, actorOf(principal), 'change_request.filed', 'platform', platformId, {
      changeRequestId: cr.id,
      kind: cr.kind,
      proposed: cr.proposed,
      evidence: evidenceManifest,
    }),
    idempotency ? { ...idempotency, response: { status: 201, body: cr }, at: now } : undefined,
  );
  return { status: 201, body: cr };
}

/**
 * `POST /v1/change-requests/{id}/decision` (Art. 10): an officer approves or rejects a pending request.
 * Approval applies `proposed` to the registry record in the same transaction, appends the replaced
 * values to the platform's history and tells the host; 409 REQUEST_DECIDED when already decided,
 * PLATFORM_NOT_ACTIVE when the platform was revoked or expired meanwhile, STALE_VERSION on a race.
 */
export async function decideChangeRequest(
  deps: ChangeDeps,
  principal: Principal,
  id: string,
  input: { decision: 'approve' | 'reject'; opinion: string; version?: number },
): Promise<ChangeRequest> {
  const cr = await deps.changes.get(id);
  if (!cr) throw new NotFoundError('change request', id);
  if (cr.status !== 'pending') {
    throw new ConflictError('REQUEST_DECIDED', `Change request ${id} was already ${cr.status}.`);
  }
  if (input.version !== undefined && input.version !== cr.version) {
    throw new ConflictError('STALE_VERSION', `Change request ${id} changed since you read it; reload it.`);
  }
  const platform = await deps.platforms.get(cr.platformId);
  if (!platform) throw new NotFoundError('platform', cr.platformId);
  const now = deps.clock.now();
  const at = now.toISOString();
  const status: ChangeStatus = input.decision === 'approve' ? 'approved' : 'rejected';
  const after: ChangeRequest = {
    ...cr,
    status,
    decidedAt: at,
    decidedBy: principal.sub,
    opinion: input.opinion,
    version: cr.version + 1,
  };
  let apply: ChangeDecision['apply'];
  const audit: AuditEvent[] = [
    auditEvent(now, actorOf(principal), `change_request.${status}`, 'change_request', id, {
      platformId: cr.platformId,
      kind: cr.kind,
      opinion: input.opinion,
    }),
  ];
  if (status === 'approved') {
    assertPlatformActive(platform);
    const proposed = { kind: cr.kind, proposed: cr.proposed } as Proposed;
    const org = await proposedOrganisation(deps, platform, proposed);
    const next = nextValues(proposed, org);
    const history: HistoryEntry = {
      at,
      kind: cr.kind,
      changeRequestId: id,
      previous: currentValues(platform, cr.kind),
      next,
      actor: principal.sub,
      platformVersion: platform.version + 1,
    };
    apply = { platform, set: { ...next, updatedAt: at }, history };
    audit.push(
      auditEvent(now, actorOf(principal), 'platform.changed', 'platform', cr.platformId, {
        changeRequestId: id,
        kind: cr.kind,
        previous: history.previous,
        next,
      }),
    );
  }
  const hostNotice: Omit<NotificationInput, 'recipient'> = {
    event: `change_request.${status}`,
    entityType: 'change_request',
    entityId: id,
    title:
      status === 'approved'
        ? `变更申请已批准 / Your change request (${cr.kind}) was approved.`
        : `变更申请未获批准 / Your change request (${cr.kind}) was rejected: ${input.opinion}`,
    detail: { platformId: cr.platformId, kind: cr.kind },
    at,
  };
  await deps.changes.decide({
    before: cr,
    after,
    ...(apply ? { apply } : {}),
    notifications: [{ ...hostNotice, recipient: { sub: cr.requestedBy } }],
    audit,
  });
  return after;
}

/** `GET /v1/platforms/{platformId}/change-requests`: host members and staff, newest first. */
export async function listChangeRequests(
  deps: ChangeDeps,
  principal: Principal,
  platformId: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: ChangeRequest[]; nextCursor?: string }> {
  await platformAccess(deps.platforms, principal, platformId, STAFF);
  return deps.changes.listByPlatform(platformId, query.limit, query.cursor);
}

/**
 * `GET /v1/change-requests?status=` (Art. 10): staff see every platform's change requests of one status
 * (default `pending`: the office's inbox), newest first; one query whatever the registry's size.
 */
export async function listChangeRequestsByStatus(
  deps: { readonly changes: ChangeInbox },
  query: { status: ChangeStatus; limit: number; cursor?: string },
): Promise<{ items: ChangeRequest[]; nextCursor?: string }> {
  return deps.changes.listByStatus(query.status, query.limit, query.cursor);
}

/** `GET /v1/platforms/{platformId}/history`: host members, staff, observers (audited), oldest first. */
export async function platformHistory(
  deps: ChangeDeps,
  principal: Principal,
  platformId: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: HistoryEntry[]; nextCursor?: string }> {
  await platformAccess(deps.platforms, principal, platformId, [...STAFF, 'observer']);
  await auditObserverRead(deps, principal, 'getPlatformHistory', 'platform', platformId);
  return deps.changes.history(platformId, query.limit, query.cursor);
}

/** Art. 10 "in advance": the effective date must be after today in Asia/Shanghai. */
export const isInAdvance = (effectiveDate: string, now: Date): boolean => effectiveDate > shanghaiDate(now);

/**
 * `POST /v1/platforms/{platformId}/notifications` (Art. 10): a host member notifies a renaming,
 * bankruptcy or restructuring before it takes effect → 201, listed on the platform, officers told.
 * A late one (effective today or earlier, Asia/Shanghai) is refused with 409 NOT_IN_ADVANCE after the
 * flag (officers alerted, audit `platform.late_notification`) is committed in its own transaction.
 */
export async function fileAdvanceNotice(
  deps: ChangeDeps,
  principal: Principal,
  platformId: string,
  input: { kind: AdvanceNoticeKind; effectiveDate: string; description: string },
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: AdvanceNotice }> {
  const platform = await hostedPlatform(deps.platforms, principal, platformId);
  assertPlatformActive(platform);
  const now = deps.clock.now();
  const at = now.toISOString();
  const today = shanghaiDate(now);
  if (!isInAdvance(input.effectiveDate, now)) {
    await deps.changes.flagLateNotice(
      [
        toOfficers({
          event: 'platform.late_notification',
          entityType: 'platform',
          entityId: platformId,
          title: `平台“${platform.hostName}”未提前报告${input.kind}（生效日 ${input.effectiveDate}） / Platform “${platform.hostName}” notified a ${input.kind} effective ${input.effectiveDate}, not in advance.`,
          detail: { kind: input.kind, effectiveDate: input.effectiveDate, today },
          at,
          dedupeKey: `platform.late_notification#${platformId}#${input.kind}#${input.effectiveDate}`,
        }),
      ],
      auditEvent(now, actorOf(principal), 'platform.late_notification', 'platform', platformId, {
        kind: input.kind,
        effectiveDate: input.effectiveDate,
        today,
        description: input.description,
      }),
    );
    throw new ConflictError(
      'NOT_IN_ADVANCE',
      `A ${input.kind} must be notified before it takes effect: ${input.effectiveDate} is not after today (${today}, Asia/Shanghai). The office has been informed.`,
      { today, effectiveDate: input.effectiveDate },
    );
  }
  const notice: AdvanceNotice = {
    id: deps.ids.next(),
    platformId,
    kind: input.kind,
    effectiveDate: input.effectiveDate,
    description: input.description,
    filedBy: principal.sub,
    filedAt: at,
  };
  await deps.changes.fileAdvanceNotice(
    notice,
    [
      toOfficers({
        event: 'platform.advance_notification',
        entityType: 'platform',
        entityId: platformId,
        title: `平台“${platform.hostName}”报告${notice.kind}，生效日 ${notice.effectiveDate} / Platform “${platform.hostName}” notified a ${notice.kind} effective ${notice.effectiveDate}.`,
        detail: { noticeId: notice.id, kind: notice.kind, effectiveDate: notice.effectiveDate },
        at,
        dedupeKey: `platform.advance_notification#${notice.id}`,
      }),
    ],
    auditEvent(now, actorOf(principal), 'platform.advance_notification', 'platform', platformId, {
      noticeId: notice.id,
      kind: notice.kind,
      effectiveDate: notice.effectiveDate,
    }),
    idempotency ? { ...idempotency, response: { status: 201, body: notice }, at: now } : undefined,
  );
  return { status: 201, body: notice };
}

/** `GET /v1/platforms/{platformId}/notifications`: host members, staff, observers (audited). */
export async function listAdvanceNotices(
  deps: ChangeDeps,
  principal: Principal,
  platformId: string,
): Promise<AdvanceNotice[]> {
  await platformAccess(deps.platforms, principal, platformId, [...STAFF, 'observer']);
  await auditObserverRead(deps, principal, 'listAdvanceNotices', 'platform', platformId);
  return deps.changes.listAdvanceNotices(platformId);
}
