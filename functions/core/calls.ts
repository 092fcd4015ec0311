import { ConflictError, type FieldError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import { type Principal, STAFF } from '../shared/roles.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import { MAX_NOTICE_LENGTH, type NoticeUnit } from './calendar.ts';
import type { DueItem } from './deadlines.ts';
import type { Clock, IdSource } from './ports.ts';
import type { CallStatus } from './recognition-model.ts';

/**
 * Calls for recognition (Art. 7–8): the office drafts a call with its conditions, required materials,
 * scoring criteria and notice period, publishes it, and it opens at `opensAt` and closes at `closesAt`
 * by itself (the deadline job). Every rule that depends on the call's state is decided by its instants,
 * never by whether the job already ran: one second after `closesAt` the call is closed.
 */
export interface RequiredEvidence {
  /** kebab- or snake-case id, unique within the call. */
  readonly kind: string;
  readonly title: string;
  readonly required: boolean;
}

export interface ScoringCriterion {
  readonly key: string;
  readonly title: string;
  readonly weight: number;
  readonly max: number;
}

export interface NoticePeriodSetting {
  readonly length: number;
  readonly unit: NoticeUnit;
}

export interface CallInput {
  readonly title: string;
  readonly description: string;
  readonly opensAt: string;
  readonly closesAt: string;
  readonly requiredEvidence: readonly RequiredEvidence[];
  readonly scoringCriteria: readonly ScoringCriterion[];
  readonly noticePeriod: NoticePeriodSetting;
}

export interface Call extends CallInput {
  readonly id: string;
  /** The stored status; what callers see is `effectiveCallStatus` (decided by the instants). */
  readonly status: CallStatus;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly publishedAt?: string;
  readonly publishedBy?: string;
  readonly openedAt?: string;
  readonly closedAt?: string;
  readonly version: number;
}

export interface CallRepo {
  /** One transaction: the call, its audit event, the idempotency record. */
  create(call: Call, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  get(id: string): Promise<Call | undefined>;
  /** One transaction: draft → published (version `expectedVersion`), its due entry and audit event. */
  publish(
    call: Call,
    expectedVersion: number,
    dueAt: string,
    dueType: CallDueType,
    audit: AuditEvent,
  ): Promise<void>;
  /** Newest first; `published` only, or every call (staff). */
  list(
    scope: 'published' | 'all',
    limit: number,
    cursor?: string,
  ): Promise<{ items: Call[]; nextCursor?: string }>;
  /**
   * Deadline step, conditional on the exact `readDueSk` still being on the call: sets `status`, moves the
   * due entry to `next` (or drops it), appends the audit event. False when it was already done.
   */
  advance(
    call: Call,
    readDueSk: string,
    status: CallStatus,
    set: Record<string, unknown>,
    next: { at: string; type: CallDueType } | undefined,
    audit: AuditEvent,
  ): Promise<boolean>;
}

export type CallDueType = 'call-open' | 'call-close';

export interface CallDeps {
  readonly calls: CallRepo;
  readonly clock: Clock;
  readonly ids: IdSource;
}

const ID_RE = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Art. 8: the rules a call must satisfy before it is stored (the zod schema has checked shapes).
 * Returns every problem, each naming the field.
 */
export function validateCallInput(input: CallInput): FieldError[] {
  const errors: FieldError[] = [];
  const opens = ISO_RE.test(input.opensAt) ? Date.parse(input.opensAt) : Number.NaN;
  const closes = ISO_RE.test(input.closesAt) ? Date.parse(input.closesAt) : Number.NaN;
  if (Number.isNaN(opens)) errors.push({ path: 'body.opensAt', message: 'an ISO 8601 instant with offset' });
  if (Number.isNaN(closes))
    errors.push({ path: 'body.closesAt', message: 'an ISO 8601 instant with offset' });
  if (!Number.isNaN(opens) && !Number.isNaN(closes) && closes <= opens) {
    errors.push({ path: 'body.closesAt', message: 'must be after opensAt' });
  }
  const kinds = new Set<string>();
  input.requiredEvidence.forEach((e, i) => {
    if (!ID_RE.test(e.kind))
      errors.push({
        path: `body.requiredEvidence.${i}.kind`,
        message: 'a kebab- or snake-case id: lower-case letters and digits joined by - or _',
      });
    if (kinds.has(e.kind))
      errors.push({ path: `body.requiredEvidence.${i}.kind`, message: `duplicate kind '${e.kind}'` });
    kinds.add(e.kind);
  });
  if (input.scoringCriteria.length === 0)
    errors.push({ path: 'body.scoringCriteria', message: 'at least one criterion' });
  const keys = new Set<string>();
  input.scoringCriteria.forEach((c, i) => {
    if (!ID_RE.test(c.key))
      errors.push({
        path: `body.scoringCriteria.${i}.key`,
        message: 'a kebab- or snake-case id: lower-case letters and digits joined by - or _',
      });
    if (keys.has(c.key))
      errors.push({ path: `body.scoringCriteria.${i}.key`, message: `duplicate key '${c.key}'` });
    keys.add(c.key);
    if (!(c.weight > 0)) errors.push({ path: `body.scoringCriteria.${i}.weight`, message: 'must be > 0' });
    if (!(c.max > 0)) errors.push({ path: `body.scoringCriteria.${i}.max`, message: 'must be > 0' });
  });
  const { length, unit } = input.noticePeriod;
  if (!Number.isInteger(length) || length < 1 || length > MAX_NOTICE_LENGTH)
    errors.push({ path: 'body.noticePeriod.length', message: `an integer from 1 to ${MAX_NOTICE_LENGTH}` });
  if (unit !== 'working_days' && unit !== 'calendar_days')
    errors.push({ path: 'body.noticePeriod.unit', message: 'working_days or calendar_days' });
  return errors;
}

/**
 * The status callers see (Art. 8(1)): a published call is `scheduled` before `opensAt`, `open` until
 * `closesAt` (exclusive), then `closed` — whether or not the deadline job has run yet.
 */
export function effectiveCallStatus(
  call: Pick<Call, 'status' | 'opensAt' | 'closesAt'>,
  now: Date,
): CallStatus {
  if (call.status === 'draft') return 'draft';
  const t = now.getTime();
  if (t >= Date.parse(call.closesAt)) return 'closed';
  if (t < Date.parse(call.opensAt)) return 'scheduled';
  return 'open';
}

export type SubmissionCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'CALL_NOT_OPEN' | 'CALL_CLOSED'; readonly message: string };

/**
 * Art. 8(1): applicants submit within the deadline. Decided by the instants: open from `opensAt`
 * (inclusive) to `closesAt` (exclusive); a submission one second after `closesAt` is refused.
 */
export function callAcceptsSubmissions(call: Call, now: Date): SubmissionCheck {
  const status = effectiveCallStatus(call, now);
  if (status === 'open') return { ok: true };
  if (status === 'closed') {
    return {
      ok: false,
      code: 'CALL_CLOSED',
      message: `Call ${call.id} closed at ${call.closesAt}; submissions are no longer accepted.`,
    };
  }
  return {
    ok: false,
    code: 'CALL_NOT_OPEN',
    message:
      status === 'draft'
        ? `Call ${call.id} is not published.`
        : `Call ${call.id} opens at ${call.opensAt}; submissions are accepted from then until ${call.closesAt}.`,
  };
}

/** The call as the API shows it: status derived from the instants. */
export type CallView = Omit<Call, 'createdBy' | 'publishedBy'> & { readonly status: CallStatus };

/** The call as everyone sees it (who created or published it stays in the audit log). */
export function toCallView(call: Call, now: Date): CallView {
  const { createdBy: _c, publishedBy: _p, ...rest } = call;
  return { ...rest, status: effectiveCallStatus(call, now) };
}

const isStaff = (p: Principal | undefined): boolean => !!p?.roles.some((r) => STAFF.includes(r));

/** `POST /v1/calls` (Art. 7–8): an officer drafts a call. */
export async function createCall(
  deps: CallDeps,
  principal: Principal,
  input: CallInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: { id: string; status: 'draft' } }> {
  const errors = validateCallInput(input);
  if (errors.length) {
    throw new ValidationError(
      `Fix these fields: ${errors
        .slice(0, 3)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')}${errors.length > 3 ? '; …' : ''}`,
      errors,
    );
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const call: Call = {
    ...input,
    opensAt: new Date(input.opensAt).toISOString(),
    closesAt: new Date(input.closesAt).toISOString(),
    id: deps.ids.next(),
    status: 'draft',
    createdBy: principal.sub,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const body = { id: call.id, status: 'draft' as const };
  const audit = auditEvent(now, actorOf(principal), 'call.created', 'call', call.id, {
    title: call.title,
    opensAt: call.opensAt,
    closesAt: call.closesAt,
    noticePeriod: call.noticePeriod,
    requiredEvidence: call.requiredEvidence.map((e) => e.kind),
    scoringCriteria: call.scoringCriteria.map((c) => ({ key: c.key, weight: c.weight, max: c.max })),
  });
  await deps.calls.create(
    call,
    audit,
    idempotency ? { ...idempotency, response: { status: 201, body }, at: now } : undefined,
  );
  return { status: 201, body };
}

/**
 * `POST /v1/calls/{callId}/publish` (Art. 8): a draft whose `closesAt` is still ahead becomes
 * `scheduled` (before `opensAt`; due `call-open` at opensAt) or `open` (due `call-close` at closesAt).
 */
export async function publishCall(deps: CallDeps, principal: Principal, callId: string): Promise<CallView> {
  const call = await deps.calls.get(callId);
  if (!call) throw new NotFoundError('call', callId);
  if (call.status !== 'draft') {
    throw new ConflictError('CALL_NOT_DRAFT', `Call ${callId} is already published (status ${call.status}).`);
  }
  const now = deps.clock.now();
  if (now.getTime() >= Date.parse(call.closesAt)) {
    throw new ConflictError(
      'CALL_DEADLINE_PASSED',
      `Call ${callId} closes at ${call.closesAt}, which has passed; create a call with a later closesAt.`,
    );
  }
  const at = now.toISOString();
  const scheduled = now.getTime() < Date.parse(call.opensAt);
  const published: Call = {
    ...call,
    status: scheduled ? 'scheduled' : 'open',
    publishedAt: at,
    publishedBy: principal.sub,
    ...(scheduled ? {} : { openedAt: at }),
    updatedAt: at,
    version: call.version + 1,
  };
  const dueType: CallDueType = scheduled ? 'call-open' : 'call-close';
  const dueAt = scheduled ? call.opensAt : call.closesAt;
  const audit = auditEvent(now, actorOf(principal), 'call.published', 'call', callId, {
    status: published.status,
    opensAt: call.opensAt,
    closesAt: call.closesAt,
  });
  await deps.calls.publish(published, call.version, dueAt, dueType, audit);
  return toCallView(published, now);
}

/** `GET /v1/calls/{callId}`: published calls for everyone; drafts for staff only (others: 404). */
export async function getCall(
  deps: Pick<CallDeps, 'calls' | 'clock'>,
  principal: Principal | undefined,
  callId: string,
): Promise<CallView> {
  const call = await deps.calls.get(callId);
  const staff = isStaff(principal);
  if (!call || (call.status === 'draft' && !staff)) throw new NotFoundError('call', callId);
  return toCallView(call, deps.clock.now());
}

/** `GET /v1/calls`: newest first; anonymous callers and applicants see published calls, staff see all. */
export async function listCalls(
  deps: Pick<CallDeps, 'calls' | 'clock'>,
  principal: Principal | undefined,
  query: { limit: number; cursor?: string; status?: CallStatus },
): Promise<{ items: CallView[]; nextCursor?: string }> {
  const staff = isStaff(principal);
  if (query.status === 'draft' && !staff) return { items: [] };
  const scope = staff && (!query.status || query.status === 'draft') ? 'all' : 'published';
  const page = await deps.calls.list(scope, query.limit, query.cursor);
  const now = deps.clock.now();
  const items = page.items
    .map((c) => toCallView(c, now))
    .filter((c) => !query.status || c.status === query.status);
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/**
 * Deadline actions `call-open` (at opensAt) and `call-close` (at closesAt), Art. 8(1). Conditional on the
 * exact due entry read, so a second run changes nothing; audited `call.opened` / `call.closed`.
 */
export function callDeadlineActions(
  calls: CallRepo,
): Record<CallDueType, (entry: DueItem, now: Date) => Promise<boolean>> {
  const fromItem = (entry: DueItem): Call => entry.item as unknown as Call;
  return {
    'call-open': async (entry, now) => {
      const call = fromItem(entry);
      if (call.status !== 'scheduled') return false;
      const at = now.toISOString();
      return calls.advance(
        call,
        entry.dueSk,
        'open',
        { openedAt: at },
        { at: call.closesAt, type: 'call-close' },
        auditEvent(now, SYSTEM_ACTOR, 'call.opened', 'call', call.id, {
          opensAt: call.opensAt,
          closesAt: call.closesAt,
        }),
      );
    },
    'call-close': async (entry, now) => {
      const call = fromItem(entry);
      if (call.status !== 'open') return false;
      const at = now.toISOString();
      return calls.advance(
        call,
        entry.dueSk,
        'closed',
        { closedAt: at },
        undefined,
        auditEvent(now, SYSTEM_ACTOR, 'call.closed', 'call', call.id, { closesAt: call.closesAt }),
      );
    },
  };
}
