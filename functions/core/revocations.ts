import { ConflictError, NotFoundError, StaleVersionError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import type { EvidenceManifestEntry } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import { endOfShanghaiDay, isCalendarDate } from './calendar.ts';
import type { DueItem } from './deadlines.ts';
import { type HumanTask, taskSubject } from './human-tasks.ts';
import type { NotificationInput } from './notifications.ts';
import { isHostMember, type Platform } from './platforms.ts';
import type { Clock, IdSource, WorkflowCallSubject } from './ports.ts';

/**
 * Revocation of a recognition (Art. 13) and the end of recognitions with the policy (Art. 14).
 *
 * Grounds (1) two consecutive unqualified years and (2)-overdue (the self-evaluation report was overdue
 * so the platform could not be evaluated) are detected by the system from the annual evaluations and put
 * before staff as candidates; staff open a case on any ground — the system grounds only when the facts
 * are established, the others (falsification, host terminated, serious violation, other) with a
 * description and evidence. The host is told and may respond until the response deadline; an approver
 * decides. A revoked platform leaves the public list and keeps its whole record and history, and the
 * office is told it may launch a new call (Art. 7).
 */
export const REVOCATION_GROUNDS = [
  'consecutive_unqualified',
  'overdue_report',
  'falsification',
  'host_terminated',
  'serious_violation',
  'other',
] as const;
export type RevocationGround = (typeof REVOCATION_GROUNDS)[number];

/** Grounds the system establishes itself from the evaluations (Art. 13(1), 13(2) overdue). */
export const SYSTEM_GROUNDS = ['consecutive_unqualified', 'overdue_report'] as const;
export type SystemGround = (typeof SYSTEM_GROUNDS)[number];
const isSystemGround = (g: RevocationGround): g is SystemGround =>
  (SYSTEM_GROUNDS as readonly string[]).includes(g);

/** awaiting_response → responded → revoked | dismissed (awaiting_response → revoked | dismissed after the deadline). */
export const REVOCATION_STATUSES = ['awaiting_response', 'responded', 'revoked', 'dismissed'] as const;
export type RevocationStatus = (typeof REVOCATION_STATUSES)[number];
export const OPEN_REVOCATION_STATUSES: readonly RevocationStatus[] = ['awaiting_response', 'responded'];

export const REVOCATION_DECISIONS = ['revoke', 'dismiss'] as const;
export type RevocationDecision = (typeof REVOCATION_DECISIONS)[number];

/** Due-index types of this module. */
export const REVOCATION_RESPONSE_DUE = 'revocation-response';
export const POLICY_END_DUE = 'policy-end';

/** The workflow error a running evaluation of a revoked platform is failed with. */
export const PLATFORM_REVOKED_ERROR = 'PlatformRevoked';

// ---------------------------------------------------------------------------------------------------
// Candidates (Art. 13(1), 13(2))

/** One year of a platform's annual evaluation as the evaluation module reports it (`gradesOf`). */
export interface GradeRecord {
  readonly year: number;
  /** `awaiting_report|report_submitted|graded|published|overdue|not_graded`. */
  readonly status: string;
  readonly grade?: string;
  readonly finalizedAt?: string;
  readonly reportDeadline?: string;
}

export interface CandidateFacts {
  /** The years the ground rests on (ascending). */
  readonly years: readonly number[];
  /** Those years' evaluations: status, grade, report deadline, when the grades were published. */
  readonly evaluations: readonly GradeRecord[];
  /** Art. 13(1): overdue years between the two unqualified ones (they do not break the run). */
  readonly bridgedOverdueYears?: readonly number[];
}

export interface Candidate {
  readonly platformId: string;
  readonly hostName?: string;
  readonly ground: SystemGround;
  readonly facts: CandidateFacts;
  /** An open revocation case of the platform, if any. */
  readonly openRevocationId?: string;
}

const isUnqualified = (g: GradeRecord): boolean => g.status === 'published' && g.grade === 'unqualified';
const isOverdue = (g: GradeRecord): boolean => g.status === 'overdue';

/**
 * Art. 13(1) and 13(2) (overdue): the system grounds a platform's evaluations establish.
 *
 * Reading of "unqualified in two consecutive years": two cycle years N−k and N whose published grade is
 * `unqualified`, with every year strictly between them an `overdue` evaluation (k ≥ 1). So
 * - unqualified, unqualified → a candidate (years N−1, N);
 * - unqualified, qualified, unqualified → not (a passing grade breaks the run: not "two of three");
 * - unqualified, (no evaluation that year), unqualified → not (a missing year breaks the run);
 * - unqualified, overdue, unqualified → a candidate: a platform cannot break a run by not reporting;
 *   the overdue year is itself ground (2) and is named in `bridgedOverdueYears`;
 * - unqualified, overdue → not ground (1) (one unqualified year), but ground (2) for the overdue year.
 * Only published grades count (a grade is the office's once the approver publishes it); `not_graded`
 * (e.g. revoked mid-cycle) and years still in progress break a run.
 * Ground (2): each year whose evaluation is `overdue`, latest first. Ground (1): the latest run only.
 */
export function candidatesFor(platformId: string, grades: readonly GradeRecord[]): Candidate[] {
  const byYear = new Map<number, GradeRecord>();
  for (const g of grades) byYear.set(g.year, g);
  const years = [...byYear.keys()].sort((a, b) => a - b);
  const out: Candidate[] = [];
  let run: CandidateFacts | undefined;
  for (const start of years) {
    const first = byYear.get(start);
    if (!first || !isUnqualified(first)) continue;
    const bridged: number[] = [];
    for (let y = start + 1; ; y += 1) {
      const g = byYear.get(y);
      if (!g) break;
      if (isUnqualified(g)) {
        run = {
          years: [start, y],
          evaluations: [first, ...bridged.map((b) => byYear.get(b) as GradeRecord), g],
          ...(bridged.length ? { bridgedOverdueYears: bridged } : {}),
        };
        break;
      }
      if (!isOverdue(g)) break;
      bridged.push(y);
    }
  }
  if (run) out.push({ platformId, ground: 'consecutive_unqualified', facts: run });
  for (const year of [...years].reverse()) {
    const g = byYear.get(year);
    if (g && isOverdue(g))
      out.push({ platformId, ground: 'overdue_report', facts: { years: [year], evaluations: [g] } });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Cases

export interface Revocation {
  readonly id: string;
  readonly platformId: string;
  readonly orgId: string;
  readonly hostName: string;
  readonly ground: RevocationGround;
  readonly description: string;
  /** System grounds: the facts found when the case was opened. */
  readonly facts?: CandidateFacts;
  readonly evidence: readonly EvidenceManifestEntry[];
  /** Instant (UTC ISO) until which the host may respond. */
  readonly responseDeadline: string;
  readonly status: RevocationStatus;
  readonly openedBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly response?: {
    readonly statement: string;
    readonly evidence: readonly EvidenceManifestEntry[];
    readonly by: string;
    readonly at: string;
  };
  readonly decision?: {
    readonly decision: RevocationDecision;
    readonly opinion: string;
    readonly by: string;
    readonly at: string;
  };
  readonly version: number;
}

export interface RevocationPage {
  readonly items: Revocation[];
  readonly nextCursor?: string;
}

/** What a revoke changes besides the case: the platform and the running evaluation steps. */
export interface RevokeEffects {
  readonly platform: Platform;
  readonly revokedAt: string;
  /** Art. 14: the policy end in force when the recognition ended (the platform's `validUntil` from now on). */
  readonly validUntil: string;
  /** Pending evaluation tasks of the platform: failed in the same transaction. */
  readonly tasks: readonly HumanTask[];
  readonly platformAudit: AuditEvent;
}

export interface RevocationRepo {
  get(id: string): Promise<Revocation | undefined>;
  /** The id of the platform's open case, if any. */
  openCaseOf(platformId: string): Promise<string | undefined>;
  /**
   * One transaction: the case, the platform's open-case guard (409 REVOCATION_ALREADY_OPEN when one
   * exists), the notifications, the audit event and the idempotency record.
   */
  create(
    rev: Revocation,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void>;
  /** One transaction: the case (version- and status-checked), notifications, audit. */
  update(
    before: Revocation,
    after: Revocation,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
    revoke?: RevokeEffects,
  ): Promise<void>;
  /** Newest first; all or by status. */
  list(status: RevocationStatus | undefined, limit: number, cursor?: string): Promise<RevocationPage>;
  /** Deadline step, conditional on `readDueSk`: drops the due entry, tells the approvers. False if done. */
  responsePeriodEnded(
    rev: Revocation,
    readDueSk: string,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<boolean>;
}

/** The platforms and the evaluation module as revocations read them. */
export interface RevocationPlatforms {
  get(id: string): Promise<Platform | undefined>;
  hostMembers(orgId: string): Promise<readonly string[]>;
  /** Active platforms (any validity), one page at a time. */
  listActive(limit: number, cursor?: string): Promise<{ items: Platform[]; nextCursor?: string }>;
}

export interface RevocationDeps {
  readonly revocations: RevocationRepo;
  readonly platforms: RevocationPlatforms;
  /** The evaluation module's `gradesOf(platformId)`. */
  readonly grades: (platformId: string) => Promise<readonly GradeRecord[]>;
  /** Platform evidence: the manifest of verified ids, or 422 naming unknown or unverified ones. */
  readonly evidence: (platformId: string, evidenceIds: readonly string[]) => Promise<EvidenceManifestEntry[]>;
  /** Pending human tasks of the platform's running evaluations (failed when it is revoked). */
  readonly evaluationTasks: (platformId: string) => Promise<readonly HumanTask[]>;
  /** Fails a workflow's waiting step (after the decision committed). */
  readonly failTask: (
    token: string,
    error: string,
    cause: string,
    about?: WorkflowCallSubject,
  ) => Promise<void>;
  /** Art. 14: the policy end date in force (a revoked platform keeps the validity it had when revoked). */
  readonly policyEndDate: () => Promise<string>;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly onError?: (error: unknown, context: Record<string, unknown>) => void;
}

const STAFF_VIEW = ['officer', 'approver', 'admin'];
const isStaff = (p: Principal): boolean => p.roles.some((r) => STAFF_VIEW.includes(r));

/**
 * `GET /v1/revocation-candidates` (Art. 13(1), 13(2) overdue): the system's candidates over the active
 * platforms, a page of platforms at a time (no Scan: the active-platform index, then each platform's
 * evaluations). A page may hold fewer candidates than `limit`; follow `nextCursor` to the end.
 */
export async function listCandidates(
  deps: Pick<RevocationDeps, 'platforms' | 'grades' | 'revocations'>,
  query: { limit: number; cursor?: string },
): Promise<{ items: Candidate[]; nextCursor?: string }> {
  const page = await deps.platforms.listActive(query.limit, query.cursor);
  const items: Candidate[] = [];
  for (const platform of page.items) {
    const found = candidatesFor(platform.id, await deps.grades(platform.id));
    if (!found.length) continue;
    const open = await deps.revocations.openCaseOf(platform.id);
    for (const c of found)
      items.push({ ...c, hostName: platform.hostName, ...(open ? { openRevocationId: open } : {}) });
  }
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

export interface OpenRevocationInput {
  readonly ground: RevocationGround;
  readonly description: string;
  readonly evidenceIds?: readonly string[];
  /** An ISO instant, or a calendar date (its end, 23:59:59.999 Asia/Shanghai). */
  readonly responseDeadline: string;
}

/** A deadline given as a calendar date ends at 23:59:59.999 Asia/Shanghai; an instant is taken as is. */
export function deadlineInstant(value: string): Date {
  return isCalendarDate(value) ? endOfShanghaiDay(value) : new Date(value);
}

const hostNotifications = (
  members: readonly string[],
  n: Omit<NotificationInput, 'recipient'>,
): NotificationInput[] => members.map((sub) => ({ ...n, recipient: { sub } }));

/**
 * `POST /v1/platforms/{platformId}/revocations` (Art. 13): an officer opens a case on a ground; system
 * grounds need the facts (409 GROUND_NOT_ESTABLISHED otherwise) and carry them; evidence must be the
 * platform's verified evidence (422); the response deadline must be ahead (400); one open case per
 * platform (409 REVOCATION_ALREADY_OPEN); a revoked or expired platform → 409 PLATFORM_NOT_ACTIVE.
 * The host's members are told, with the deadline.
 */
export async function openRevocation(
  deps: RevocationDeps,
  principal: Principal,
  platformId: string,
  input: OpenRevocationInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: Revocation }> {
  const platform = await deps.platforms.get(platformId);
  if (!platform) throw new NotFoundError('platform', platformId);
  const now = deps.clock.now();
  const deadline = deadlineInstant(input.responseDeadline);
  if (Number.isNaN(deadline.getTime()) || deadline.getTime() <= now.getTime()) {
    throw new ValidationError(`responseDeadline must be in the future (now ${now.toISOString()}).`, [
      { path: 'body.responseDeadline', message: 'must be after now' },
    ]);
  }
  assertActive(platform);
  let facts: CandidateFacts | undefined;
  if (isSystemGround(input.ground)) {
    const found = candidatesFor(platformId, await deps.grades(platformId)).find(
      (c) => c.ground === input.ground,
    );
    if (!found) {
      throw new ConflictError(
        'GROUND_NOT_ESTABLISHED',
        `The evaluations of platform ${platformId} do not establish ground ${input.ground} (Art. 13); choose another ground with evidence.`,
      );
    }
    facts = found.facts;
  }
  const evidence = input.evidenceIds?.length ? await deps.evidence(platformId, input.evidenceIds) : [];
  const existing = await deps.revocations.openCaseOf(platformId);
  if (existing) throw alreadyOpen(platformId, existing);
  const at = now.toISOString();
  const rev: Revocation = {
    id: deps.ids.next(),
    platformId,
    orgId: platform.orgId,
    hostName: platform.hostName,
    ground: input.ground,
    description: input.description,
    ...(facts ? { facts } : {}),
    evidence,
    responseDeadline: deadline.toISOString(),
    status: 'awaiting_response',
    openedBy: principal.sub,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const members = await deps.platforms.hostMembers(platform.orgId);
  const notifications = hostNotifications(members, {
    event: 'revocation.opened',
    entityType: 'revocation',
    entityId: rev.id,
    title: `平台资格撤销程序已启动，请于期限前陈述申辩 / Revocation proceedings opened: respond by ${rev.responseDeadline}`,
    detail: { platformId, ground: rev.ground, responseDeadline: rev.responseDeadline },
    at,
  });
  const audit = auditEvent(now, actorOf(principal), 'revocation.opened', 'revocation', rev.id, {
    platformId,
    ground: rev.ground,
    responseDeadline: rev.responseDeadline,
    evidence: evidence.map((e) => ({ evidenceId: e.evidenceId, sha256: e.sha256 })),
    ...(facts ? { years: facts.years } : {}),
  });
  await deps.revocations.create(
    rev,
    notifications,
    audit,
    idempotency ? { ...idempotency, response: { status: 201, body: rev }, at: now } : undefined,
  );
  return { status: 201, body: rev };
}

const alreadyOpen = (platformId: string, id: string) =>
  new ConflictError(
    'REVOCATION_ALREADY_OPEN',
    `Platform ${platformId} already has an open revocation case (${id}); decide it first.`,
    { revocationId: id },
  );

function assertActive(platform: Platform): void {
  const status: string = platform.status;
  if (status !== 'active') {
    throw new ConflictError(
      'PLATFORM_NOT_ACTIVE',
      `Platform ${platform.id} is ${status}; a revoked or expired platform accepts no changes.`,
      { platformStatus: status },
    );
  }
}

/** Reads a case the caller may see: staff, or a member of the platform's host organisation; else 404. */
async function visibleCase(deps: RevocationDeps, principal: Principal, id: string): Promise<Revocation> {
  const rev = await deps.revocations.get(id);
  if (!rev) throw new NotFoundError('revocation', id);
  if (isStaff(principal)) return rev;
  if (await isHostMember(deps.platforms, rev, principal)) return rev;
  throw new NotFoundError('revocation', id);
}

/** `GET /v1/revocations/{id}`: staff, or the host's members (their own case); anyone else 404. */
export function getRevocation(deps: RevocationDeps, principal: Principal, id: string): Promise<Revocation> {
  return visibleCase(deps, principal, id);
}

/** `GET /v1/revocations?status=` (staff): newest first. */
export function listRevocations(
  deps: Pick<RevocationDeps, 'revocations'>,
  query: { status?: RevocationStatus; limit: number; cursor?: string },
): Promise<RevocationPage> {
  return deps.revocations.list(query.status, query.limit, query.cursor);
}

/**
 * `POST /v1/revocations/{id}/response` (Art. 13): the host states its case once, with evidence, until the
 * response deadline (by the clock; 409 RESPONSE_DEADLINE_PASSED after it, 409 ALREADY_RESPONDED / case
 * decided otherwise). The approvers are told the case can be decided.
 */
export async function respondToRevocation(
  deps: RevocationDeps,
  principal: Principal,
  id: string,
  input: { statement: string; evidenceIds?: readonly string[] },
): Promise<Revocation> {
  const rev = await deps.revocations.get(id);
  if (!rev || !(await isHostMember(deps.platforms, rev, principal)))
    throw new NotFoundError('revocation', id);
  if (rev.status !== 'awaiting_response') {
    throw new ConflictError(
      rev.status === 'responded' ? 'ALREADY_RESPONDED' : 'REVOCATION_DECIDED',
      `Revocation ${id} is ${rev.status}; the host responds once, before the decision.`,
    );
  }
  const now = deps.clock.now();
  if (now.getTime() > Date.parse(rev.responseDeadline)) {
    throw new ConflictError(
      'RESPONSE_DEADLINE_PASSED',
      `The response deadline (${rev.responseDeadline}) has passed.`,
    );
  }
  const evidence = input.evidenceIds?.length ? await deps.evidence(rev.platformId, input.evidenceIds) : [];
  const at = now.toISOString();
  const after: Revocation = {
    ...rev,
    status: 'responded',
    response: { statement: input.statement, evidence, by: principal.sub, at },
    updatedAt: at,
    version: rev.version + 1,
  };
  await deps.revocations.update(
    rev,
    after,
    [
      {
        recipient: { role: 'approver' },
        event: 'revocation.responded',
        entityType: 'revocation',
        entityId: id,
        title: `平台已陈述申辩，可作出撤销决定 / The host responded: the revocation can be decided`,
        detail: { platformId: rev.platformId, ground: rev.ground },
        at,
      },
    ],
    auditEvent(now, actorOf(principal), 'revocation.responded', 'revocation', id, {
      platformId: rev.platformId,
      evidence: evidence.map((e) => ({ evidenceId: e.evidenceId, sha256: e.sha256 })),
    }),
  );
  return after;
}

/**
 * `POST /v1/revocations/{id}/decision` (Art. 13, Art. 7): an approver revokes or dismisses an open case.
 * Before the response deadline only once the host has responded (409 RESPONSE_PERIOD_OPEN). Revoke: the
 * platform becomes `revoked` (off the public list, record and history kept, `revokedAt`, the reason),
 * its pending evaluation steps fail with `PlatformRevoked`, the host is told and the officers are told
 * a new call may be launched (Art. 7). Optimistic locking: of two racing decisions one wins, one gets 409.
 */
export async function decideRevocation(
  deps: RevocationDeps,
  principal: Principal,
  id: string,
  input: { decision: RevocationDecision; opinion: string; version?: number },
): Promise<Revocation> {
  const rev = await deps.revocations.get(id);
  if (!rev) throw new NotFoundError('revocation', id);
  if (input.version !== undefined && input.version !== rev.version)
    throw new StaleVersionError(`Revocation ${id}`);
  if (!OPEN_REVOCATION_STATUSES.includes(rev.status)) {
    throw new ConflictError('REVOCATION_DECIDED', `Revocation ${id} is already ${rev.status}.`);
  }
  const now = deps.clock.now();
  if (rev.status === 'awaiting_response' && now.getTime() <= Date.parse(rev.responseDeadline)) {
    throw new ConflictError(
      'RESPONSE_PERIOD_OPEN',
      `The host may respond until ${rev.responseDeadline}; decide after it, or once the host has responded.`,
    );
  }
  const at = now.toISOString();
  const after: Revocation = {
    ...rev,
    status: input.decision === 'revoke' ? 'revoked' : 'dismissed',
    decision: { decision: input.decision, opinion: input.opinion, by: principal.sub, at },
    updatedAt: at,
    version: rev.version + 1,
  };
  const members = await deps.platforms.hostMembers(rev.orgId);
  const actor = actorOf(principal);
  const audit = auditEvent(now, actor, `revocation.${after.status}`, 'revocation', id, {
    platformId: rev.platformId,
    ground: rev.ground,
    decision: input.decision,
    opinion: input.opinion,
  });
  let effects: RevokeEffects | undefined;
  const notifications: NotificationInput[] = [];
  if (input.decision === 'revoke') {
    const platform = await deps.platforms.get(rev.platformId);
    if (!platform) throw new NotFoundError('platform', rev.platformId);
    assertActive(platform);
    const tasks = (await deps.evaluationTasks(rev.platformId)).filter((t) => t.status === 'pending');
    effects = {
      platform,
      revokedAt: at,
      validUntil: await deps.policyEndDate(),
      tasks,
      platformAudit: auditEvent(now, actor, 'platform.revoked', 'platform', platform.id, {
        revocationId: id,
        ground: rev.ground,
        opinion: input.opinion,
        failedTasks: tasks.map((t) => t.id),
      }),
    };
    notifications.push(
      ...hostNotifications(members, {
        event: 'revocation.revoked',
        entityType: 'revocation',
        entityId: id,
        title: `市级人工智能赋能平台资格已撤销 / The platform's recognition is revoked`,
        detail: { platformId: rev.platformId, ground: rev.ground, opinion: input.opinion },
        at,
      }),
      {
        recipient: { role: 'officer' },
        event: 'revocation.revoked',
        entityType: 'revocation',
        entityId: id,
        title: `${rev.hostName} 平台资格已撤销，可视需要重新启动认定 / Platform revoked: a new call may be launched (Art. 7)`,
        detail: { platformId: rev.platformId, ground: rev.ground, newCallMayOpen: true },
        at,
      },
    );
  } else {
    notifications.push(
      ...hostNotifications(members, {
        event: 'revocation.dismissed',
        entityType: 'revocation',
        entityId: id,
        title: `撤销程序已终止，平台资格保留 / Revocation dismissed: the recognition stands`,
        detail: { platformId: rev.platformId, opinion: input.opinion },
        at,
      }),
    );
  }
  await deps.revocations.update(rev, after, notifications, audit, effects);
  for (const task of effects?.tasks ?? []) {
    await deps
      .failTask(
        task.token,
        PLATFORM_REVOKED_ERROR,
        `Platform ${rev.platformId} was revoked (${id}).`,
        taskSubject(task),
      )
      .catch((error: unknown) => deps.onError?.(error, { revocationId: id, taskId: task.id }));
  }
  return after;
}

/**
 * Deadline action `revocation-response`: at the response deadline of a case still awaiting the host's
 * response, the approvers are told the case can now be decided. Conditional on the exact `dueSk`.
 */
export function revocationResponseAction(
  revocations: RevocationRepo,
): (entry: DueItem, now: Date) => Promise<boolean> {
  return async (entry, now) => {
    const rev = entry.item as unknown as Revocation;
    return revocations.responsePeriodEnded(
      rev,
      entry.dueSk,
      rev.status === 'awaiting_response'
        ? [
            {
              recipient: { role: 'approver' },
              event: 'revocation.response_period_ended',
              entityType: 'revocation',
              entityId: rev.id,
              title: `陈述申辩期限已届满，可作出撤销决定 / The response period ended: the revocation can be decided`,
              detail: { platformId: rev.platformId, responseDeadline: rev.responseDeadline },
              at: rev.responseDeadline,
            },
          ]
        : [],
      auditEvent(now, SYSTEM_ACTOR, 'revocation.response_period_ended', 'revocation', rev.id, {
        responseDeadline: rev.responseDeadline,
        responded: rev.status !== 'awaiting_response',
      }),
    );
  };
}

// ---------------------------------------------------------------------------------------------------
// Policy end (Art. 14)

/** Art. 14: recognitions end at the end of the policy end date, 23:59:59.999 Asia/Shanghai. */
export const policyEndInstant = (policyEndDate: string): Date => endOfShanghaiDay(policyEndDate);

/** The store side of the policy end: active platforms, and expiring them. */
export interface PolicyEndRepo {
  /**
   * A page of active platforms, whatever their stored `validUntil` (Art. 14: every recognition ends with
   * the policy; the stored date is the one they were recognised with, which an extension or a shortening
   * of the policy did not rewrite).
   */
  activePage(limit: number): Promise<Platform[]>;
  /**
   * One transaction per platform: `expired` (off the public list, `endedAt`, `validUntil` = the policy end
   * date it ended on), its audit event and the host's notifications; conditional on the platform still
   * being active (else `not_active`) AND on the policy-end entry still being the one read (`readDueSk`;
   * else `entry_moved`: an admin moved the policy end meanwhile, which stops the run).
   */
  expire(
    platform: Platform,
    end: { readonly endedAt: string; readonly policyEndDate: string; readonly readDueSk: string },
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<'expired' | 'not_active' | 'entry_moved'>;
  /** Drops the policy-end due entry, conditional on `readDueSk`; false if already done. */
  finish(readDueSk: string, audit: AuditEvent): Promise<boolean>;
  hostMembers(orgId: string): Promise<readonly string[]>;
}

/**
 * Deadline action `policy-end` (Art. 14): at the policy end date every active recognition ends — each
 * active platform becomes `expired` (paged, one audited transaction each, valid until that date) whatever
 * date it was recognised with; when none is left, the due entry is dropped (conditional on the exact
 * `dueSk`, so a second run at the same instant changes nothing). A run that hits its page cap leaves the
 * entry for the next run; a run whose entry was moved meanwhile (the policy extended) stops.
 */
export function policyEndAction(
  repo: PolicyEndRepo,
  options: { pageSize?: number; maxPages?: number } = {},
): (entry: DueItem, now: Date) => Promise<boolean> {
  const pageSize = options.pageSize ?? 25;
  const maxPages = options.maxPages ?? 20;
  return async (entry, now) => {
    const date = String(entry.item.policyEndDate ?? '');
    if (!isCalendarDate(date)) throw new Error(`policy-end entry without a policyEndDate: ${entry.dueSk}`);
    const at = now.toISOString();
    let changed = false;
    for (let pageNo = 0; pageNo < maxPages; pageNo += 1) {
      const page = await repo.activePage(pageSize);
      if (!page.length) {
        const done = await repo.finish(
          entry.dueSk,
          auditEvent(now, SYSTEM_ACTOR, 'policy.ended', 'policy', 'policy-end', { policyEndDate: date }),
        );
        return done || changed;
      }
      for (const platform of page) {
        const members = await repo.hostMembers(platform.orgId);
        const expired = await repo.expire(
          platform,
          { endedAt: at, policyEndDate: date, readDueSk: entry.dueSk },
          hostNotifications(members, {
            event: 'platform.expired',
            entityType: 'platform',
            entityId: platform.id,
            title: `政策期满，平台认定终止 / The policy ended: the recognition has ended (Art. 14)`,
            detail: { policyEndDate: date },
            at: policyEndInstant(date).toISOString(),
          }),
          auditEvent(now, SYSTEM_ACTOR, 'platform.expired', 'platform', platform.id, {
            policyEndDate: date,
            validUntil: date,
            recognisedValidUntil: platform.validUntil,
          }),
        );
        if (expired === 'entry_moved') return changed;
        changed ||= expired === 'expired';
      }
    }
    return changed;
  };
}
