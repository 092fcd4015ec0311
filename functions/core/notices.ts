import { createHash } from 'node:crypto';
// The contract fixes planNotice's result as registry transaction ops (C adds them to its approval
// transaction), so this core module names the op type; it imports no adapter code.
import type { TxOp } from '../adapters/registry.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Principal } from '../shared/roles.ts';
import type { Application } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import {
  type CalendarSource,
  type CalendarWarning,
  loadCalendar,
  type NoticeUnit,
  noticePeriod,
  yearsAround,
} from './calendar.ts';
import type { Call } from './calls.ts';
import { dueKeys } from './deadlines.ts';
import { notificationItem } from './notifications.ts';
import type { Clock } from './ports.ts';
import { keys, type NoticeStatus, type ObjectionStatus, platformIdFor } from './recognition-model.ts';

/**
 * Public notices (Art. 8(4)): after internal review the proposed list is published for a period of the
 * call's length (working or calendar days, the first day counting); anyone may object in writing with
 * their real name (individuals) or seal (organisations), and the objector's identity stays confidential.
 * When the period ends, each listed application without an upheld (or still pending) objection becomes
 * a recognised platform; one with an upheld objection does not.
 */
export interface NoticeEntry {
  readonly applicationId: string;
  readonly orgName: string;
  readonly platformSummary: string;
}

export interface Notice {
  readonly id: string;
  readonly callId: string;
  readonly title: string;
  readonly entries: readonly NoticeEntry[];
  readonly startsAt: string;
  /** 23:59:59.999 Asia/Shanghai of the last day, as a UTC ISO instant. */
  readonly endsAt: string;
  readonly firstDay: string;
  readonly lastDay: string;
  readonly length: number;
  readonly unit: NoticeUnit;
  readonly status: NoticeStatus;
  readonly warnings: readonly CalendarWarning[];
  readonly approvedBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly closedAt?: string;
  readonly version: number;
}

/** One notice per call: approving the same list twice cannot open a second notice. */
export const noticeIdFor = (callId: string): string => `n-${callId}`;

/**
 * Per listed application, the notice keeps a tally of its objections (`NOTICE#<id>` / `ENTRY#<appId>`),
 * versioned: objections, resolutions and the close of the notice all update it, so they are serialised
 * per application (optimistic locking) and every decision reads the latest counts.
 */
export interface EntryTally {
  readonly noticeId: string;
  readonly applicationId: string;
  readonly pending: number;
  readonly upheld: number;
  readonly dismissed: number;
  /** Set by the notice close when objections were still pending: the resolution finishes it. */
  readonly awaiting?: boolean;
  readonly outcome?: 'recognised' | 'not_recognised';
  readonly version: number;
}

export const OBJECTOR_TYPES = ['individual', 'organisation'] as const;
export type ObjectorType = (typeof OBJECTOR_TYPES)[number];

export interface ObjectionInput {
  readonly applicationId: string;
  readonly objectorName: string;
  readonly objectorType: ObjectorType;
  readonly contact: string;
  readonly reason: string;
}

export interface Objection extends ObjectionInput {
  readonly id: string;
  readonly noticeId: string;
  readonly callId: string;
  /** The listed organisation the objection is about (from the notice; lists need no extra read). */
  readonly orgName?: string;
  readonly status: ObjectionStatus;
  readonly createdAt: string;
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
  readonly response?: string;
  readonly version: number;
}

export interface Platform {
  readonly id: string;
  readonly applicationId: string;
  readonly callId: string;
  readonly orgId: string;
  readonly hostName: string;
  readonly uscc: string;
  readonly summary: string;
  readonly capabilities: readonly string[];
  readonly consortium: Application['consortium'];
  readonly status: 'active';
  readonly recognisedAt: string;
  /**
   * Art. 14: recognitions end with the policy (its end date, Asia/Shanghai). Stored: the policy end at
   * recognition, then the date the recognition ended (policy end job, revocation). While the platform is
   * active, the policy end in force is its validity — reads apply it with `withPolicyEnd` (platforms.ts).
   */
  readonly validUntil: string;
  readonly noticeId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export const entryKey = (noticeId: string, applicationId: string) => ({
  pk: `NOTICE#${noticeId}`,
  sk: `ENTRY#${applicationId}`,
});

export interface PlanNoticeInput {
  readonly call: Call;
  readonly applications: readonly Application[];
  readonly now: Date;
  readonly approver: Principal;
}

export interface NoticePlan {
  readonly notice: Notice;
  readonly ops: TxOp[];
  readonly audit: AuditEvent[];
}

/** Notice items' list keys (public list, newest first) and due entry at `endsAt`. */
export function noticeItem(notice: Notice): Record<string, unknown> & { pk: string; sk: string } {
  return {
    ...keys.notice(notice.id),
    type: 'notice',
    ...notice,
    gsi1pk: 'NOTICES',
    gsi1sk: `${notice.startsAt}#${notice.id}`,
    ...(notice.status === 'open'
      ? dueKeys(noticeCloseAt(notice), 'notice-close', notice.id, DUE_SHARDS_FOR_NOTICES)
      : {}),
  };
}

/**
 * The notice closes at the first instant after its period (00:00 Asia/Shanghai the next day): an objection
 * at `endsAt` itself is still in time, so the close is not due before that instant has passed.
 */
export const noticeCloseAt = (notice: Pick<Notice, 'endsAt'>): string =>
  new Date(Date.parse(notice.endsAt) + 1).toISOString();

/** Must equal the table's DUE_SHARDS (adapters/table-schema.ts); core does not import adapters. */
export const DUE_SHARDS_FOR_NOTICES = 4;

/**
 * Art. 8(4): the public notice of an approved proposed list. Computes the period from the call's setting
 * with the working-day calendar (first day counts; ends 23:59:59.999 Asia/Shanghai of the last day) and
 * returns the ops that create the notice (with its `notice-close` due entry), one objection tally per
 * listed application, a notification to each applicant, and the audit event. The caller (the approval)
 * commits them in ONE transaction with each application's `statusOp(app, 'on_notice')`.
 */
export async function planNotice(
  deps: { readonly calendar: CalendarSource },
  input: PlanNoticeInput,
): Promise<NoticePlan> {
  const { call, applications, now, approver } = input;
  if (!applications.length) throw new ValidationError('A public notice lists at least one application.');
  const foreign = applications.find((a) => a.callId !== call.id);
  if (foreign) throw new Error(`application ${foreign.id} belongs to call ${foreign.callId}, not ${call.id}`);
  const calendar = await loadCalendar(deps.calendar, yearsAround(now));
  const period = noticePeriod(calendar, now, call.noticePeriod.length, call.noticePeriod.unit);
  const at = now.toISOString();
  const notice: Notice = {
    id: noticeIdFor(call.id),
    callId: call.id,
    title: `${call.title} 拟认定名单公示 / Public notice of the proposed list`,
    entries: applications.map((a) => ({
      applicationId: a.id,
      orgName: a.orgName,
      platformSummary: a.summary,
    })),
    startsAt: period.startsAt,
    endsAt: period.endsAt,
    firstDay: period.firstDay,
    lastDay: period.lastDay,
    length: call.noticePeriod.length,
    unit: call.noticePeriod.unit,
    status: 'open',
    warnings: period.warnings,
    approvedBy: approver.sub,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const ops: TxOp[] = [
    {
      kind: 'put',
      item: noticeItem(notice),
      ifNew: true,
      onConflict: () =>
        new ConflictError('NOTICE_EXISTS', `The public notice of call ${call.id} has already been opened.`),
    },
    ...applications.map(
      (a): TxOp => ({
        kind: 'put',
        item: {
          ...entryKey(notice.id, a.id),
          type: 'notice_entry',
          noticeId: notice.id,
          applicationId: a.id,
          pending: 0,
          upheld: 0,
          dismissed: 0,
          version: 1,
        },
        ifNew: true,
      }),
    ),
    ...applications.map(
      (a): TxOp => ({
        kind: 'put',
        item: notificationItem({
          recipient: { sub: a.ownerSub },
          event: 'notice.opened',
          entityType: 'application',
          entityId: a.id,
          title: `拟认定名单公示中 / Your application is on public notice until ${period.lastDay}`,
          detail: { noticeId: notice.id, startsAt: notice.startsAt, endsAt: notice.endsAt },
          at,
        }),
        ifNew: true,
      }),
    ),
  ];
  const audit = [
    auditEvent(now, actorOf(approver), 'notice.opened', 'notice', notice.id, {
      callId: call.id,
      applicationIds: applications.map((a) => a.id),
      startsAt: notice.startsAt,
      endsAt: notice.endsAt,
      firstDay: notice.firstDay,
      lastDay: notice.lastDay,
      length: notice.length,
      unit: notice.unit,
      warnings: notice.warnings,
    }),
  ];
  return { notice, ops, audit };
}

/** Ports of the notice use cases (implemented by adapters/notice-store.ts). */
export interface NoticeRepo {
  get(id: string): Promise<Notice | undefined>;
  list(limit: number, cursor?: string): Promise<{ items: Notice[]; nextCursor?: string }>;
  /** Strongly consistent: the notice's per-application tallies. */
  tallies(noticeId: string): Promise<EntryTally[]>;
  tally(noticeId: string, applicationId: string): Promise<EntryTally | undefined>;
  getObjection(id: string): Promise<Objection | undefined>;
  listObjections(
    noticeId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Objection[]; nextCursor?: string }>;
  /** One transaction: the objection (new), the tally (+1 pending, version-checked), officers notified, audit. */
  addObjection(objection: Objection, tally: EntryTally, audit: AuditEvent): Promise<void>;
  /**
   * One transaction: the objection resolved (pending, version-checked), the tally updated, and — when
   * `finish` is given — the application's outcome (status, platform), with audit events and notifications.
   */
  resolveObjection(
    objection: Objection,
    resolved: Objection,
    tally: EntryTally,
    nextTally: EntryTally,
    audit: AuditEvent,
    finish?: Finish,
  ): Promise<void>;
  /** One transaction: the tally's outcome or `awaiting` mark (version-checked) and, for an outcome, the application and platform. */
  decideEntry(
    tally: EntryTally,
    nextTally: EntryTally,
    finish: Finish | undefined,
    audit: AuditEvent,
  ): Promise<void>;
  /** Closes the notice if the due entry is still `readDueSk`; false when already done. */
  close(notice: Notice, readDueSk: string, at: string, audit: AuditEvent): Promise<boolean>;
}

/** Every notice's objections by status (the officers' inbox), newest first. */
export interface ObjectionInbox {
  listObjectionsByStatus(
    status: ObjectionStatus,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Objection[]; nextCursor?: string }>;
}

/** The application side of an outcome, committed with the tally. */
export interface Finish {
  readonly application: Application;
  readonly outcome: 'recognised' | 'not_recognised';
  readonly platform?: Platform;
  readonly at: string;
  readonly audit: AuditEvent;
}

/** Completes the application's `listing` task after an outcome is committed. */
export interface ListingTasks {
  complete(applicationId: string, output: { outcome: string; platformId?: string }): Promise<void>;
}

export interface NoticeDeps {
  readonly notices: NoticeRepo;
  readonly applications: { get(id: string): Promise<Application | undefined> };
  readonly listing: ListingTasks;
  readonly clock: Clock;
  /** Art. 14: the policy end date (YYYY-MM-DD) in force (the admin setting, else the stage default). */
  readonly policyEndDate: () => string | Promise<string>;
  readonly onError?: (error: unknown, context: Record<string, unknown>) => void;
}

/** What the public sees of a notice: the listed organisations, the period, status and the objection count. */
export interface PublicNoticeView {
  readonly id: string;
  readonly callId: string;
  readonly title: string;
  readonly entries: readonly NoticeEntry[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly firstDay: string;
  readonly lastDay: string;
  readonly length: number;
  readonly unit: NoticeUnit;
  readonly status: NoticeStatus;
  readonly objectionCount?: number;
}

/** Open by the clock: from `startsAt` to `endsAt` inclusive and not yet closed by the job. */
export function noticeAcceptsObjections(notice: Notice, now: Date): boolean {
  const t = now.getTime();
  return notice.status === 'open' && t >= Date.parse(notice.startsAt) && t <= Date.parse(notice.endsAt);
}

/** The status the public sees: `closed` from the instant after `endsAt`, even before the job ran. */
export const effectiveNoticeStatus = (notice: Notice, now: Date): NoticeStatus =>
  notice.status === 'closed' || now.getTime() > Date.parse(notice.endsAt) ? 'closed' : 'open';

export function toPublicNotice(notice: Notice, now: Date, objectionCount?: number): PublicNoticeView {
  return {
    id: notice.id,
    callId: notice.callId,
    title: notice.title,
    entries: notice.entries,
    startsAt: notice.startsAt,
    endsAt: notice.endsAt,
    firstDay: notice.firstDay,
    lastDay: notice.lastDay,
    length: notice.length,
    unit: notice.unit,
    status: effectiveNoticeStatus(notice, now),
    ...(objectionCount === undefined ? {} : { objectionCount }),
  };
}

/** `GET /v1/public/notices`: newest first, public fields only. */
export async function listPublicNotices(
  deps: Pick<NoticeDeps, 'notices' | 'clock'>,
  query: { limit: number; cursor?: string },
): Promise<{ items: PublicNoticeView[]; nextCursor?: string }> {
  const page = await deps.notices.list(query.limit, query.cursor);
  const now = deps.clock.now();
  return {
    items: page.items.map((n) => toPublicNotice(n, now)),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/** `GET /v1/public/notices/{noticeId}`: entries, period, status, objection count — never objector identities. */
export async function getPublicNotice(
  deps: Pick<NoticeDeps, 'notices' | 'clock'>,
  noticeId: string,
): Promise<PublicNoticeView> {
  const notice = await deps.notices.get(noticeId);
  if (!notice) throw new NotFoundError('notice', noticeId);
  const tallies = await deps.notices.tallies(noticeId);
  const count = tallies.reduce((n, t) => n + t.pending + t.upheld + t.dismissed, 0);
  return toPublicNotice(notice, deps.clock.now(), count);
}

/**
 * Objection ids derive from what was objected to and by whom: a repeated submission (a retry, a double
 * click) finds the same objection instead of filing a second one.
 */
export function objectionIdFor(noticeId: string, input: ObjectionInput): string {
  const canonical = JSON.stringify([
    noticeId,
    input.applicationId,
    input.objectorType,
    input.objectorName.trim(),
    input.contact.trim(),
    input.reason.trim(),
  ]);
  return `o${createHash('sha256').update(canonical).digest('hex').slice(0, 31)}`;
}

const MAX_TALLY_RETRIES = 4;

/**
 * `POST /v1/public/notices/{noticeId}/objections` (Art. 8(4)): anyone, during the period only (by the
 * clock: 409 NOTICE_NOT_OPEN before `startsAt` and after `endsAt`), about a listed application. Idempotent
 * by content. Officers are notified; the objector's identity is kept confidential.
 */
export async function fileObjection(
  deps: Pick<NoticeDeps, 'notices' | 'clock'>,
  noticeId: string,
  input: ObjectionInput,
): Promise<{ status: 201; body: { id: string; status: ObjectionStatus } }> {
  const notice = await deps.notices.get(noticeId);
  if (!notice) throw new NotFoundError('notice', noticeId);
  const now = deps.clock.now();
  if (!noticeAcceptsObjections(notice, now)) {
    throw new ConflictError(
      'NOTICE_NOT_OPEN',
      `Notice ${noticeId} accepts objections from ${notice.startsAt} to ${notice.endsAt} (${notice.firstDay}–${notice.lastDay}, Asia/Shanghai) only.`,
    );
  }
  const entry = notice.entries.find((e) => e.applicationId === input.applicationId);
  if (!entry) {
    throw new ValidationError(`Application ${input.applicationId} is not listed on notice ${noticeId}.`, [
      { path: 'body.applicationId', message: 'must be one of the applications the notice lists' },
    ]);
  }
  const id = objectionIdFor(noticeId, input);
  const existing = await deps.notices.getObjection(id);
  if (existing) return { status: 201, body: { id, status: existing.status } };
  const objection: Objection = {
    ...input,
    objectorName: input.objectorName.trim(),
    contact: input.contact.trim(),
    reason: input.reason.trim(),
    id,
    noticeId,
    callId: notice.callId,
    orgName: entry.orgName,
    status: 'pending',
    createdAt: now.toISOString(),
    version: 1,
  };
  // The identity stays out of the audit detail's public parts; officers read it on the objection itself.
  const audit = auditEvent(now, { sub: 'public', roles: [] }, 'objection.filed', 'notice', noticeId, {
    objectionId: id,
    applicationId: input.applicationId,
    objectorType: input.objectorType,
  });
  for (let attempt = 0; ; attempt += 1) {
    const tally = await deps.notices.tally(noticeId, input.applicationId);
    if (!tally) throw new Error(`notice ${noticeId} has no tally for ${input.applicationId}`);
    try {
      await deps.notices.addObjection(objection, tally, audit);
      return { status: 201, body: { id, status: 'pending' } };
    } catch (e) {
      if (e instanceof DuplicateObjection) {
        const again = await deps.notices.getObjection(id);
        return { status: 201, body: { id, status: again?.status ?? 'pending' } };
      }
      if (!(e instanceof ConflictError && e.code === 'STALE_VERSION') || attempt >= MAX_TALLY_RETRIES)
        throw e;
    }
  }
}

/** Raised by the repository when the objection already exists (a concurrent identical submission). */
export class DuplicateObjection extends Error {
  override name = 'DuplicateObjection';
}

/** `GET /v1/notices/{noticeId}/objections`: officers and approvers see everything, identities included. */
export async function listObjections(
  deps: Pick<NoticeDeps, 'notices'>,
  noticeId: string,
  query: { limit: number; cursor?: string },
): Promise<{ items: Objection[]; nextCursor?: string }> {
  const notice = await deps.notices.get(noticeId);
  if (!notice) throw new NotFoundError('notice', noticeId);
  return deps.notices.listObjections(noticeId, query.limit, query.cursor);
}

/**
 * `GET /v1/objections?status=` (Art. 8(4)): officers and approvers see every notice's objections of one
 * status (default `pending`: those waiting for a resolution), identities included, newest first; one query
 * whatever the registry's size.
 */
export async function listObjectionsByStatus(
  deps: { readonly notices: ObjectionInbox },
  query: { status: ObjectionStatus; limit: number; cursor?: string },
): Promise<{ items: Objection[]; nextCursor?: string }> {
  return deps.notices.listObjectionsByStatus(query.status, query.limit, query.cursor);
}

/** Art. 14: a platform recognised now is valid until the policy end date (Asia/Shanghai). */
export function platformFor(app: Application, noticeId: string, at: string, policyEndDate: string): Platform {
  return {
    id: platformIdFor(app.id),
    applicationId: app.id,
    callId: app.callId,
    orgId: app.orgId,
    hostName: app.orgName,
    uscc: app.uscc,
    summary: app.summary,
    capabilities: app.capabilities,
    consortium: app.consortium,
    status: 'active',
    recognisedAt: at,
    validUntil: policyEndDate,
    noticeId,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** The outcome of a tally whose objections are all resolved (Art. 8(4)). */
export const outcomeOf = (t: Pick<EntryTally, 'upheld'>): 'recognised' | 'not_recognised' =>
  t.upheld > 0 ? 'not_recognised' : 'recognised';

async function finishFor(
  deps: Pick<NoticeDeps, 'policyEndDate'>,
  app: Application,
  noticeId: string,
  outcome: 'recognised' | 'not_recognised',
  now: Date,
  actor: AuditEvent['actor'],
): Promise<Finish> {
  const at = now.toISOString();
  const platform =
    outcome === 'recognised' ? platformFor(app, noticeId, at, await deps.policyEndDate()) : undefined;
  return {
    application: app,
    outcome,
    ...(platform ? { platform } : {}),
    at,
    audit: auditEvent(now, actor, `application.${outcome}`, 'application', app.id, {
      noticeId,
      callId: app.callId,
      ...(platform ? { platformId: platform.id, validUntil: platform.validUntil } : {}),
    }),
  };
}

/**
 * `POST /v1/objections/{objectionId}/resolution` (Art. 8(4)): an officer upholds or dismisses a pending
 * objection (409 OBJECTION_NOT_PENDING otherwise; optimistic locking: of two racing officers one wins,
 * the other gets 409). When the notice has already closed and this was the application's last pending
 * objection, the application's outcome is decided in the same transaction.
 */
export async function resolveObjection(
  deps: NoticeDeps,
  principal: Principal,
  objectionId: string,
  input: { upheld: boolean; response: string },
): Promise<Objection> {
  const objection = await deps.notices.getObjection(objectionId);
  if (!objection) throw new NotFoundError('objection', objectionId);
  if (objection.status !== 'pending') {
    throw new ConflictError(
      'OBJECTION_NOT_PENDING',
      `Objection ${objectionId} has already been resolved (${objection.status}).`,
    );
  }
  const tally = await deps.notices.tally(objection.noticeId, objection.applicationId);
  if (!tally) throw new Error(`no tally for objection ${objectionId}`);
  const notice = await deps.notices.get(objection.noticeId);
  if (!notice) throw new Error(`no notice for objection ${objectionId}`);
  const now = deps.clock.now();
  const at = now.toISOString();
  const status: ObjectionStatus = input.upheld ? 'upheld' : 'dismissed';
  const resolved: Objection = {
    ...objection,
    status,
    response: input.response,
    resolvedAt: at,
    resolvedBy: principal.sub,
    version: objection.version + 1,
  };
  const nextTally: EntryTally = {
    ...tally,
    pending: Math.max(tally.pending - 1, 0),
    upheld: tally.upheld + (input.upheld ? 1 : 0),
    dismissed: tally.dismissed + (input.upheld ? 0 : 1),
  };
  let finish: Finish | undefined;
  if ((tally.awaiting || notice.status === 'closed') && !tally.outcome && nextTally.pending === 0) {
    const app = await deps.applications.get(objection.applicationId);
    if (app?.status === 'on_notice') {
      finish = await finishFor(deps, app, notice.id, outcomeOf(nextTally), now, actorOf(principal));
    }
  }
  const finalTally: EntryTally = finish
    ? { ...nextTally, outcome: finish.outcome, awaiting: false }
    : nextTally;
  const audit = auditEvent(now, actorOf(principal), 'objection.resolved', 'objection', objectionId, {
    noticeId: objection.noticeId,
    applicationId: objection.applicationId,
    upheld: input.upheld,
    response: input.response,
  });
  await deps.notices.resolveObjection(objection, resolved, tally, finalTally, audit, finish);
  if (finish) await completeListing(deps, finish);
  return resolved;
}

async function completeListing(deps: Pick<NoticeDeps, 'listing' | 'onError'>, finish: Finish): Promise<void> {
  try {
    await deps.listing.complete(finish.application.id, {
      outcome: finish.outcome,
      ...(finish.platform ? { platformId: finish.platform.id } : {}),
    });
  } catch (error) {
    deps.onError?.(error, { applicationId: finish.application.id, step: 'listing.sendTaskSuccess' });
  }
}

/**
 * Deadline action `notice-close` (Art. 8(4)), due just after `endsAt` (00:00 Asia/Shanghai the next day):
 * each listed application is decided in its own transaction — no upheld and none pending → `recognised` with its platform (valid until the policy end
 * date); upheld → `not_recognised`; pending → stays `on_notice`, marked awaiting, and the last resolution
 * decides it. Then the notice closes. Idempotent: decided entries are skipped, the close is conditional
 * on the exact due entry; an entry that failed (e.g. lost a race) leaves the notice open for the next run.
 */
export function noticeCloseAction(
  deps: NoticeDeps,
): (entry: { dueSk: string; item: Record<string, unknown> }, now: Date) => Promise<boolean> {
  return async (entry, now) => {
    const notice = entry.item as unknown as Notice;
    if (notice.status !== 'open') return false;
    const tallies = await deps.notices.tallies(notice.id);
    let acted = false;
    let failed = false;
    const finished: Finish[] = [];
    for (const tally of tallies) {
      if (tally.outcome || (tally.awaiting && tally.pending > 0)) continue;
      try {
        if (tally.pending > 0) {
          await deps.notices.decideEntry(
            tally,
            { ...tally, awaiting: true },
            undefined,
            auditEvent(now, SYSTEM_ACTOR, 'notice.entry_awaiting', 'notice', notice.id, {
              applicationId: tally.applicationId,
              pending: tally.pending,
            }),
          );
          acted = true;
          continue;
        }
        const app = await deps.applications.get(tally.applicationId);
        if (app?.status !== 'on_notice') {
          // Withdrawn (or otherwise gone) meanwhile: nothing to recognise.
          continue;
        }
        const finish = await finishFor(deps, app, notice.id, outcomeOf(tally), now, SYSTEM_ACTOR);
        await deps.notices.decideEntry(
          tally,
          { ...tally, outcome: finish.outcome, awaiting: false },
          finish,
          auditEvent(now, SYSTEM_ACTOR, 'notice.entry_decided', 'notice', notice.id, {
            applicationId: app.id,
            outcome: finish.outcome,
            upheld: tally.upheld,
            dismissed: tally.dismissed,
          }),
        );
        finished.push(finish);
        acted = true;
      } catch (error) {
        failed = true;
        deps.onError?.(error, { noticeId: notice.id, applicationId: tally.applicationId });
      }
    }
    if (!failed) {
      const closed = await deps.notices.close(
        notice,
        entry.dueSk,
        now.toISOString(),
        auditEvent(now, SYSTEM_ACTOR, 'notice.closed', 'notice', notice.id, {
          callId: notice.callId,
          endsAt: notice.endsAt,
          outcomes: Object.fromEntries(finished.map((f) => [f.application.id, f.outcome])),
        }),
      );
      acted = acted || closed;
    }
    for (const f of finished) await completeListing(deps, f);
    return acted;
  };
}
