import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../shared/errors.ts';
import type { IdempotencyContext, IdempotencyWrite } from '../shared/idempotency.ts';
import type { Principal } from '../shared/roles.ts';
import type { EvidenceManifestEntry } from './applications.ts';
import { type AuditEvent, actorOf, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import { shanghaiDate } from './calendar.ts';
import type { CatalogueLookup } from './catalogue-model.ts';
import type { DueItem } from './deadlines.ts';
import type { NotificationInput } from './notifications.ts';
import type { Organisation } from './organisations.ts';
import type { VerifiedPlatformEvidence } from './platform-evidence.ts';
import {
  assertPlatformActive,
  isHostMember,
  type Platform,
  type PlatformRepo,
  platformAccess,
} from './platforms.ts';
import type { Clock, IdSource } from './ports.ts';
import {
  consentsCovering,
  isObserverOnly,
  observerAccess,
  type SharingConsent,
  type SharingRepo,
} from './sharing.ts';
import {
  DEFAULT_COMMITTED_ENTERPRISES_PER_YEAR,
  type FaceValueRule,
  faceValueProblem,
  isProgrammeOpen,
  isVoucherExpired,
  MAX_LEDGER_ATTEMPTS,
  meetsCommitment,
  normaliseContractNo,
  programmeProblems,
  programmeRules,
  relatedParty,
  shanghaiMonth,
  shanghaiYear,
  subsidyProblem,
  voucherCode,
  voucherExpiry,
  withinAnnualCap,
} from './voucher-rules.ts';

/**
 * The compute voucher ledger (算力券, Art. 6(3)): the office funds a programme and allocates quota to
 * platforms; an enterprise claims a voucher through a platform, which issues it; the enterprise redeems it
 * against a compute purchase from a supplier in the platform's catalogue; the office settles the payout;
 * unredeemed vouchers expire. Every movement of money is a ledger entry between buckets, written in the
 * same transaction as the change it records, so at every instant
 *   budget = unallocated + Σ over platforms (available + issued + redeemed + settled + expired).
 */
export const LEDGER_BUCKETS = [
  'unallocated',
  'available',
  'issued',
  'redeemed',
  'settled',
  'expired',
] as const;
export type Bucket = (typeof LEDGER_BUCKETS)[number];
export const MOVEMENT_KINDS = [
  'budget',
  'allocation',
  'issue',
  'redemption',
  'return',
  'settlement',
  'settlement_rejected',
  'expiry',
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export const CLAIM_STATUSES = ['pending', 'issued', 'rejected'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export const VOUCHER_STATUSES = ['issued', 'redeemed', 'settled', 'settlement_rejected', 'expired'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];
export const REDEMPTION_STATUSES = ['pending_settlement', 'settled', 'settlement_rejected'] as const;
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number];

/** The due-index type of a voucher's expiry (the deadline job's action key). */
export const VOUCHER_EXPIRY = 'voucher-expiry';

export interface VoucherProgramme {
  readonly id: string;
  readonly name: string;
  readonly budgetCny: number;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly maxSubsidyRatio: number;
  readonly perEnterpriseAnnualCapCny: number;
  readonly faceValue: FaceValueRule;
  readonly voucherValidityDays: number;
  /** The budget not yet allocated to a platform (a counter moved atomically). */
  readonly unallocatedCny: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly version: number;
}

/** One platform's buckets in one programme (the counter item the ledger moves atomically). */
export interface PlatformLedger {
  readonly programmeId: string;
  readonly platformId: string;
  /** Σ allocations (top-ups included): not a bucket, the quota received. */
  readonly allocatedCny: number;
  readonly availableCny: number;
  readonly issuedCny: number;
  readonly redeemedCny: number;
  readonly settledCny: number;
  readonly expiredCny: number;
}

/** Per platform and month (Asia/Shanghai) of the movement: amounts and counts by kind. */
export interface MonthCounter {
  readonly platformId: string;
  readonly month: string;
  /** `<kind>Cny` and `<kind>Count` per movement kind (see `monthFields`). */
  readonly figures: Readonly<Record<string, number>>;
}

export interface IssuedVoucher {
  readonly code: string;
  readonly faceValueCny: number;
  readonly expiresAt: string;
}

export interface VoucherClaim {
  readonly id: string;
  readonly programmeId: string;
  readonly platformId: string;
  readonly orgId: string;
  readonly orgName: string;
  readonly orgUscc: string;
  readonly requestedCny: number;
  readonly purpose: string;
  readonly status: ClaimStatus;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly reason?: string;
  readonly voucher?: IssuedVoucher;
  readonly version: number;
}

export interface Voucher extends IssuedVoucher {
  readonly claimId: string;
  readonly programmeId: string;
  readonly platformId: string;
  readonly orgId: string;
  readonly orgUscc: string;
  readonly issuedAt: string;
  /** The calendar year (Asia/Shanghai) of issue: the enterprise's annual cap this voucher counts in. */
  readonly capYear: number;
  readonly status: VoucherStatus;
  readonly redemptionId?: string;
  readonly version: number;
}

export interface Redemption {
  readonly id: string;
  readonly code: string;
  readonly programmeId: string;
  readonly platformId: string;
  readonly orgId: string;
  readonly buyerUscc: string;
  readonly supplierUscc: string;
  readonly serviceId: string;
  readonly contractNo: string;
  /** `normaliseContractNo(contractNo)`: the double-subsidy guard's key. */
  readonly contractKey: string;
  readonly contractAmountCny: number;
  readonly subsidyCny: number;
  readonly faceValueCny: number;
  /** face − subsidy: returned to the platform's available quota at redemption. */
  readonly returnedCny: number;
  readonly evidenceManifest: readonly EvidenceManifestEntry[];
  readonly status: RedemptionStatus;
  readonly filedBy: string;
  readonly filedAt: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly opinion?: string;
  readonly version: number;
}

/** One ledger entry: `amountCny` moved `from` → `to` (`none` → `unallocated` for the budget itself). */
export interface LedgerEntry {
  readonly id: string;
  readonly programmeId: string;
  readonly at: string;
  readonly kind: MovementKind;
  readonly amountCny: number;
  readonly from: Bucket | 'none';
  readonly to: Bucket;
  readonly platformId?: string;
  readonly code?: string;
  readonly redemptionId?: string;
  readonly actor: string;
}

/** A movement as a use case plans it: the store turns it into bucket, month-counter and entry writes. */
export interface Movement {
  readonly entry: LedgerEntry;
  /** Asia/Shanghai month of the movement (report counters). */
  readonly month: string;
  /** Whether the month counter counts it (`<kind>Count` + 1). */
  readonly counted: boolean;
}

export interface IssuePlan {
  readonly claim: VoucherClaim;
  readonly after: VoucherClaim;
  readonly voucher: Voucher;
  readonly annualCapCny: number;
  readonly movements: readonly Movement[];
  readonly notifications: readonly NotificationInput[];
  readonly audit: readonly AuditEvent[];
}

export interface RedeemPlan {
  readonly voucher: Voucher;
  readonly redemption: Redemption;
  /** Whether the (platform, year, enterprise) marker is new: counts one more enterprise served. */
  readonly servedYear: number;
  readonly firstServed: boolean;
  readonly movements: readonly Movement[];
  readonly notifications: readonly NotificationInput[];
  readonly audit: readonly AuditEvent[];
  readonly idempotency?: IdempotencyWrite;
}

export interface SettlePlan {
  readonly before: Redemption;
  readonly after: Redemption;
  readonly voucher: Voucher;
  readonly movements: readonly Movement[];
  readonly notifications: readonly NotificationInput[];
  readonly audit: readonly AuditEvent[];
}

export interface ExpirePlan {
  readonly voucher: Voucher;
  readonly readDueSk: string;
  readonly movements: readonly Movement[];
  readonly audit: AuditEvent;
}

type Page<T> = { items: T[]; nextCursor?: string };

export interface VoucherRepo {
  /** Programme item (unallocated = budget) and its `budget` entry. */
  createProgramme(
    p: VoucherProgramme,
    movement: Movement,
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void>;
  getProgramme(id: string): Promise<VoucherProgramme | undefined>;
  listProgrammes(limit: number, cursor?: string): Promise<Page<VoucherProgramme>>;
  /**
   * Programmes open at `now` (validFrom ≤ now ≤ validUntil), the soonest to close first: one query of
   * the programmes not yet ended (an index by `validUntil`), never the ended ones; a page may hold fewer
   * than `limit` (programmes not yet started are read and left out) and still carry `nextCursor`.
   */
  listOpenProgrammes(now: Date, limit: number, cursor?: string): Promise<Page<VoucherProgramme>>;
  /** unallocated −q (never below 0 → 409 BUDGET_EXCEEDED), the platform's allocated and available +q. */
  allocate(
    programme: VoucherProgramme,
    movement: Movement,
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void>;
  getLedger(programmeId: string, platformId: string): Promise<PlatformLedger | undefined>;
  listLedgers(programmeId: string): Promise<PlatformLedger[]>;
  listMonths(programmeId: string): Promise<MonthCounter[]>;
  createClaim(claim: VoucherClaim, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void>;
  getClaim(id: string): Promise<VoucherClaim | undefined>;
  listClaimsByPlatform(platformId: string, limit: number, cursor?: string): Promise<Page<VoucherClaim>>;
  listClaimsByOrg(orgId: string, limit: number, cursor?: string): Promise<Page<VoucherClaim>>;
  /**
   * One transaction: claim (version) → issued, the voucher (code new, else CONCURRENT_UPDATE), available
   * ≥ face (→ 409 QUOTA_EXHAUSTED), the enterprise's annual counter ≤ cap (→ 409 ANNUAL_CAP_EXCEEDED),
   * month counters, ledger entries, audit.
   */
  issue(plan: IssuePlan): Promise<void>;
  rejectClaim(
    before: VoucherClaim,
    after: VoucherClaim,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<void>;
  getVoucher(code: string): Promise<Voucher | undefined>;
  isServed(platformId: string, year: number, orgId: string): Promise<boolean>;
  /**
   * One transaction: voucher issued → redeemed (else VOUCHER_STATE_CHANGED), the contract guard (new,
   * else 409 CONTRACT_ALREADY_SUBSIDISED), buckets, the annual counter released by the unused part, the
   * served marker and count, the redemption, entries, audit, idempotency.
   */
  redeem(plan: RedeemPlan): Promise<void>;
  getRedemption(id: string): Promise<Redemption | undefined>;
  listRedemptions(programmeId: string, limit: number, cursor?: string): Promise<Page<Redemption>>;
  /** A platform's redemptions, newest first (all programmes). */
  listRedemptionsByPlatform(platformId: string, limit: number, cursor?: string): Promise<Page<Redemption>>;
  /** One transaction: redemption (version) decided, the voucher, buckets, guard released on reject, entries. */
  settle(plan: SettlePlan): Promise<void>;
  /** One transaction, once: voucher issued → expired on the exact due entry read; false when already done. */
  expire(plan: ExpirePlan): Promise<boolean>;
  /** The programme's ledger entries, oldest first. */
  listEntries(programmeId: string, limit: number, cursor?: string): Promise<Page<LedgerEntry>>;
  /** Distinct enterprises with a redemption through the platform in the year (all programmes). */
  servedCount(platformId: string, year: number): Promise<number>;
}

export interface VoucherDeps {
  readonly vouchers: VoucherRepo;
  readonly platforms: Pick<PlatformRepo, 'get' | 'hostMembers'>;
  readonly orgs: {
    get(id: string): Promise<Organisation | undefined>;
    /** The organisation the account belongs to (one per applicant account). */
    ofMember(sub: string): Promise<Organisation | undefined>;
  };
  readonly catalogue: CatalogueLookup;
  readonly evidence: VerifiedPlatformEvidence;
  /**
   * Art. 11: observers see a platform's voucher business (its buckets, month figures, enterprises served,
   * ledger movements, redemptions) only under the data owner's valid consent covering `vouchers`; their
   * reads are audited here.
   */
  readonly sharing: Pick<SharingRepo, 'list' | 'record'>;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Random bytes for voucher codes (crypto in production, seeded in tests). */
  readonly random: (bytes: number) => Uint8Array;
  /** Waits before the next attempt after a lost race (jittered backoff in production). */
  readonly pause?: (attempt: number) => Promise<void>;
}

const STAFF_READ = ['officer', 'approver', 'admin', 'observer'];
const has = (p: Principal, roles: readonly string[]) => p.roles.some((r) => roles.includes(r));

/** Retries a use case's read-decide-write after a lost race (CONCURRENT_UPDATE), re-reading each time. */
async function withRetries<T>(deps: VoucherDeps, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (e) {
      const retryable = e instanceof ConflictError && e.code === 'CONCURRENT_UPDATE';
      if (!retryable || n >= MAX_LEDGER_ATTEMPTS) throw e;
      await deps.pause?.(n);
    }
  }
}

function movement(
  deps: VoucherDeps,
  now: Date,
  actor: string,
  m: Omit<LedgerEntry, 'id' | 'at' | 'actor'>,
  counted = true,
): Movement {
  return {
    entry: { id: deps.ids.next(), at: now.toISOString(), actor, ...m },
    month: shanghaiMonth(now),
    counted,
  };
}

const withIdem = <B>(idem: IdempotencyContext | undefined, status: number, body: B, now: Date) =>
  idem ? { ...idem, response: { status, body }, at: now } : undefined;

// -------------------------------------------------------------------------------------------------
// Programmes and allocations (the office)

export interface ProgrammeInput {
  readonly name: string;
  readonly budgetCny: number;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly maxSubsidyRatio?: number;
  readonly perEnterpriseAnnualCapCny?: number;
  readonly faceValue?: FaceValueRule;
  readonly voucherValidityDays?: number;
}

/** `POST /v1/voucher-programmes` (officer): the budget starts unallocated; defaults from voucher-rules. */
export async function createProgramme(
  deps: VoucherDeps,
  principal: Principal,
  input: ProgrammeInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: VoucherProgramme }> {
  const rules = programmeRules(input);
  const problems = programmeProblems({ ...input, rules });
  if (problems.length) throw new ValidationError('The programme is not consistent.', problems);
  const now = deps.clock.now();
  const at = now.toISOString();
  const programme: VoucherProgramme = {
    id: deps.ids.next(),
    name: input.name,
    budgetCny: input.budgetCny,
    validFrom: new Date(input.validFrom).toISOString(),
    validUntil: new Date(input.validUntil).toISOString(),
    ...rules,
    unallocatedCny: input.budgetCny,
    createdBy: principal.sub,
    createdAt: at,
    version: 1,
  };
  await deps.vouchers.createProgramme(
    programme,
    movement(
      deps,
      now,
      principal.sub,
      {
        programmeId: programme.id,
        kind: 'budget',
        amountCny: input.budgetCny,
        from: 'none',
        to: 'unallocated',
      },
      false,
    ),
    auditEvent(now, actorOf(principal), 'voucher_programme.created', 'voucher_programme', programme.id, {
      name: programme.name,
      budgetCny: programme.budgetCny,
      validFrom: programme.validFrom,
      validUntil: programme.validUntil,
      rules,
    }),
    withIdem(idempotency, 201, programme, now),
  );
  return { status: 201, body: programme };
}

export async function getProgramme(deps: VoucherDeps, id: string): Promise<VoucherProgramme> {
  const p = await deps.vouchers.getProgramme(id);
  if (!p) throw new NotFoundError('voucher programme', id);
  return p;
}

export const listProgrammes = (deps: VoucherDeps, q: { limit: number; cursor?: string }) =>
  deps.vouchers.listProgrammes(q.limit, q.cursor);

/**
 * What anyone may know of a programme (its published rules): not its budget, unallocated money, quotas,
 * ledger figures or who created it.
 */
export interface PublicVoucherProgramme {
  readonly id: string;
  readonly name: string;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly maxSubsidyRatio: number;
  readonly perEnterpriseAnnualCapCny: number;
  readonly faceValue: FaceValueRule;
  readonly voucherValidityDays: number;
}

export const toPublicProgramme = (p: VoucherProgramme): PublicVoucherProgramme => ({
  id: p.id,
  name: p.name,
  validFrom: p.validFrom,
  validUntil: p.validUntil,
  maxSubsidyRatio: p.maxSubsidyRatio,
  perEnterpriseAnnualCapCny: p.perEnterpriseAnnualCapCny,
  faceValue: { minCny: p.faceValue.minCny, maxCny: p.faceValue.maxCny },
  voucherValidityDays: p.voucherValidityDays,
});

/**
 * `GET /v1/public/voucher-programmes` (anyone): the programmes open for claims now — the same test a claim
 * meets (`isProgrammeOpen`: validFrom ≤ now ≤ validUntil) — the soonest to close first, with their
 * published rules only.
 */
export async function listOpenProgrammes(
  deps: Pick<VoucherDeps, 'vouchers' | 'clock'>,
  q: { limit: number; cursor?: string },
): Promise<Page<PublicVoucherProgramme>> {
  const now = deps.clock.now();
  const page = await deps.vouchers.listOpenProgrammes(now, q.limit, q.cursor);
  return {
    items: page.items.filter((p) => isProgrammeOpen(p, now)).map(toPublicProgramme),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

/**
 * `POST /v1/voucher-programmes/{id}/allocations` (officer): quota to an active platform, never more than
 * the unallocated budget (a conditional atomic counter); a second allocation tops the platform up.
 */
export async function allocate(
  deps: VoucherDeps,
  principal: Principal,
  programmeId: string,
  input: { platformId: string; quotaCny: number },
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: PlatformLedger }> {
  const programme = await getProgramme(deps, programmeId);
  const platform = await deps.platforms.get(input.platformId);
  if (!platform)
    throw new UnprocessableError('PLATFORM_UNKNOWN', `No platform ${input.platformId} is in the registry.`, [
      { path: 'body.platformId', message: 'unknown platform' },
    ]);
  assertPlatformActive(platform);
  const now = deps.clock.now();
  if (now.getTime() > Date.parse(programme.validUntil))
    throw new ConflictError('PROGRAMME_CLOSED', `Programme ${programmeId} ended at ${programme.validUntil}.`);
  if (input.quotaCny > programme.unallocatedCny) throw budgetExceeded(programme.unallocatedCny);
  return withRetries(deps, async () => {
    const current = (await deps.vouchers.getProgramme(programmeId)) ?? programme;
    const m = movement(deps, now, principal.sub, {
      programmeId,
      kind: 'allocation',
      amountCny: input.quotaCny,
      from: 'unallocated',
      to: 'available',
      platformId: input.platformId,
    });
    const before = await deps.vouchers.getLedger(programmeId, input.platformId);
    const after: PlatformLedger = {
      ...(before ?? emptyLedger(programmeId, input.platformId)),
      allocatedCny: (before?.allocatedCny ?? 0) + input.quotaCny,
      availableCny: (before?.availableCny ?? 0) + input.quotaCny,
    };
    await deps.vouchers.allocate(
      current,
      m,
      auditEvent(now, actorOf(principal), 'voucher_programme.allocated', 'voucher_programme', programmeId, {
        platformId: input.platformId,
        quotaCny: input.quotaCny,
        topUp: before !== undefined,
      }),
      withIdem(idempotency, 201, after, now),
    );
    return { status: 201 as const, body: after };
  });
}

export const budgetExceeded = (unallocated?: number) =>
  new ConflictError(
    'BUDGET_EXCEEDED',
    `The allocation exceeds the programme's unallocated budget${unallocated === undefined ? '' : ` (CNY ${unallocated})`}.`,
  );

export const emptyLedger = (programmeId: string, platformId: string): PlatformLedger => ({
  programmeId,
  platformId,
  allocatedCny: 0,
  availableCny: 0,
  issuedCny: 0,
  redeemedCny: 0,
  settledCny: 0,
  expiredCny: 0,
});

// -------------------------------------------------------------------------------------------------
// Claims and issue (enterprise, platform host)

/**
 * An enterprise in the sense of Art. 6(3): a registered organisation whose USCC check passed — either
 * at once (`not_required`: valid check character, registered in Zhongshan) or by an officer's manual
 * verification (`verified`). `pending` and `rejected` may not claim.
 */
export function assertEnterprise(org: Organisation | undefined): Organisation {
  if (!org)
    throw new ConflictError(
      'ORGANISATION_REQUIRED',
      'Register your organisation (POST /v1/organisations) before claiming a compute voucher.',
    );
  const status = org.verification.status;
  const ok = status === 'verified' || (status === 'not_required' && org.usccCheck.valid);
  if (!ok)
    throw new ConflictError(
      'ENTERPRISE_NOT_VERIFIED',
      `Your organisation's unified social credit code is not verified (status ${status}); vouchers go to verified enterprises only.`,
      { verificationStatus: status },
    );
  return org;
}

/** `POST /v1/platforms/{platformId}/voucher-claims` (an enterprise's member) → 201 pending. */
export async function createClaim(
  deps: VoucherDeps,
  principal: Principal,
  platformId: string,
  input: { programmeId: string; requestedCny: number; purpose: string },
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: VoucherClaim }> {
  const platform = await deps.platforms.get(platformId);
  if (!platform) throw new NotFoundError('platform', platformId);
  assertPlatformActive(platform);
  const org = assertEnterprise(await deps.orgs.ofMember(principal.sub));
  const programme = await deps.vouchers.getProgramme(input.programmeId);
  if (!programme) throw new NotFoundError('voucher programme', input.programmeId);
  const now = deps.clock.now();
  if (!isProgrammeOpen(programme, now))
    throw new ConflictError(
      'PROGRAMME_CLOSED',
      `Programme ${programme.id} accepts claims from ${programme.validFrom} to ${programme.validUntil}.`,
    );
  if (!(await deps.vouchers.getLedger(programme.id, platformId)))
    throw new ConflictError(
      'NOT_ALLOCATED',
      `Programme ${programme.id} has allocated no quota to platform ${platformId}; claim through an allocated platform.`,
    );
  if (input.requestedCny < programme.faceValue.minCny)
    throw new UnprocessableError(
      'FACE_VALUE_OUT_OF_RANGE',
      `Request at least CNY ${programme.faceValue.minCny} (the programme's smallest voucher).`,
      [{ path: 'body.requestedCny', message: `at least ${programme.faceValue.minCny}` }],
    );
  const claim: VoucherClaim = {
    id: deps.ids.next(),
    programmeId: programme.id,
    platformId,
    orgId: org.id,
    orgName: org.name,
    orgUscc: org.uscc,
    requestedCny: input.requestedCny,
    purpose: input.purpose,
    status: 'pending',
    createdBy: principal.sub,
    createdAt: now.toISOString(),
    version: 1,
  };
  await deps.vouchers.createClaim(
    claim,
    auditEvent(now, actorOf(principal), 'voucher_claim.filed', 'voucher_claim', claim.id, {
      programmeId: claim.programmeId,
      platformId,
      orgId: org.id,
      requestedCny: claim.requestedCny,
    }),
    withIdem(idempotency, 201, claim, now),
  );
  return { status: 201, body: claim };
}

/** `GET /v1/voucher-claims`: the caller's organisation's claims, newest first (none without one). */
export async function listMyClaims(
  deps: VoucherDeps,
  principal: Principal,
  q: { limit: number; cursor?: string },
): Promise<Page<VoucherClaim>> {
  const org = await deps.orgs.ofMember(principal.sub);
  if (!org) return { items: [] };
  return deps.vouchers.listClaimsByOrg(org.id, q.limit, q.cursor);
}

/** The platform of a host route: a host member, else 404 (staff too when `staff` allows them). */
async function hostPlatform(
  deps: VoucherDeps,
  principal: Principal,
  platformId: string,
  what: string,
  id: string,
  staff: readonly string[] = [],
): Promise<Platform> {
  const platform = await deps.platforms.get(platformId);
  if (!platform) throw new NotFoundError(what, id);
  if (has(principal, staff)) return platform;
  if (!(await isHostMember(deps.platforms, platform, principal))) throw new NotFoundError(what, id);
  return platform;
}

/** `GET /v1/platforms/{platformId}/voucher-claims`: host members and staff, newest first. */
export async function listPlatformClaims(
  deps: VoucherDeps,
  principal: Principal,
  platformId: string,
  q: { limit: number; cursor?: string },
): Promise<Page<VoucherClaim>> {
  await hostPlatform(deps, principal, platformId, 'platform', platformId, STAFF_READ);
  return deps.vouchers.listClaimsByPlatform(platformId, q.limit, q.cursor);
}

/**
 * `POST /v1/voucher-claims/{id}/decision` (host member of the claim's platform): `issue` puts a voucher
 * with a fresh code; quota, the enterprise's annual cap and the claim's state are all checked in the
 * one transaction that moves face value available → issued. `reject` needs a reason.
 */
export async function decideClaim(
  deps: VoucherDeps,
  principal: Principal,
  claimId: string,
  input: { decision: 'issue' | 'reject'; faceValueCny?: number; reason?: string },
): Promise<VoucherClaim> {
  return withRetries(deps, async () => {
    const claim = await deps.vouchers.getClaim(claimId);
    if (!claim) throw new NotFoundError('voucher claim', claimId);
    const platform = await hostPlatform(deps, principal, claim.platformId, 'voucher claim', claimId);
    if (claim.status !== 'pending')
      throw new ConflictError('CLAIM_DECIDED', `Voucher claim ${claimId} was already ${claim.status}.`);
    const now = deps.clock.now();
    const at = now.toISOString();
    if (input.decision === 'reject') {
      if (!input.reason?.trim())
        throw new ValidationError('Say why the claim is rejected.', [
          { path: 'body.reason', message: 'required to reject' },
        ]);
      const after: VoucherClaim = {
        ...claim,
        status: 'rejected',
        decidedAt: at,
        decidedBy: principal.sub,
        reason: input.reason,
        version: claim.version + 1,
      };
      await deps.vouchers.rejectClaim(
        claim,
        after,
        [
          {
            recipient: { sub: claim.createdBy },
            event: 'voucher_claim.rejected',
            entityType: 'voucher_claim',
            entityId: claimId,
            title: `算力券申领未获通过 / Your compute voucher claim was rejected: ${input.reason}`,
            detail: { platformId: claim.platformId, programmeId: claim.programmeId },
            at,
          },
        ],
        auditEvent(now, actorOf(principal), 'voucher_claim.rejected', 'voucher_claim', claimId, {
          reason: input.reason,
        }),
      );
      return after;
    }
    assertPlatformActive(platform);
    const programme = await getProgramme(deps, claim.programmeId);
    if (!isProgrammeOpen(programme, now))
      throw new ConflictError('PROGRAMME_CLOSED', `Programme ${programme.id} is not open (${at}).`);
    const face = input.faceValueCny ?? Math.min(claim.requestedCny, programme.faceValue.maxCny);
    const problem = faceValueProblem(face, claim.requestedCny, programme.faceValue);
    if (problem)
      throw new UnprocessableError('FACE_VALUE_OUT_OF_RANGE', `Cannot issue: ${problem}.`, [
        { path: 'body.faceValueCny', message: problem },
      ]);
    if (!withinAnnualCap(0, face, programme.perEnterpriseAnnualCapCny)) throw annualCapExceeded(programme);
    const expiresAt = voucherExpiry(now, programme.voucherValidityDays, programme.validUntil);
    if (Date.parse(expiresAt) <= now.getTime())
      throw new ConflictError(
        'PROGRAMME_CLOSED',
        `Programme ${programme.id} ends now; no voucher can be issued.`,
      );
    const code = voucherCode(deps.random(12));
    const voucher: Voucher = {
      code,
      faceValueCny: face,
      expiresAt,
      claimId,
      programmeId: programme.id,
      platformId: claim.platformId,
      orgId: claim.orgId,
      orgUscc: claim.orgUscc,
      issuedAt: at,
      capYear: shanghaiYear(now),
      status: 'issued',
      version: 1,
    };
    const after: VoucherClaim = {
      ...claim,
      status: 'issued',
      decidedAt: at,
      decidedBy: principal.sub,
      ...(input.reason ? { reason: input.reason } : {}),
      voucher: { code, faceValueCny: face, expiresAt },
      version: claim.version + 1,
    };
    await deps.vouchers.issue({
      claim,
      after,
      voucher,
      annualCapCny: programme.perEnterpriseAnnualCapCny,
      notifications: [
        {
          recipient: { sub: claim.createdBy },
          event: 'voucher_claim.issued',
          entityType: 'voucher_claim',
          entityId: claimId,
          title: `算力券已发放：${code}，面值 ${face} 元，有效期至 ${expiresAt} / Your compute voucher ${code} (CNY ${face}) was issued, valid until ${expiresAt}.`,
          detail: { code, faceValueCny: face, expiresAt, platformId: claim.platformId },
          at,
        },
      ],
      movements: [
        movement(deps, now, principal.sub, {
          programmeId: programme.id,
          kind: 'issue',
          amountCny: face,
          from: 'available',
          to: 'issued',
          platformId: claim.platformId,
          code,
        }),
      ],
      audit: [
        auditEvent(now, actorOf(principal), 'voucher_claim.issued', 'voucher_claim', claimId, {
          code,
          faceValueCny: face,
          expiresAt,
        }),
        auditEvent(now, actorOf(principal), 'voucher.issued', 'voucher', code, {
          claimId,
          programmeId: programme.id,
          platformId: claim.platformId,
          orgId: claim.orgId,
          faceValueCny: face,
          expiresAt,
        }),
      ],
    });
    return after;
  });
}

export const annualCapExceeded = (p: Pick<VoucherProgramme, 'perEnterpriseAnnualCapCny'>) =>
  new ConflictError(
    'ANNUAL_CAP_EXCEEDED',
    `The enterprise would hold more than CNY ${p.perEnterpriseAnnualCapCny} of vouchers this year (Asia/Shanghai); issue a smaller face value or none.`,
  );
export const quotaExhausted = () =>
  new ConflictError(
    'QUOTA_EXHAUSTED',
    "The platform's available quota in this programme does not cover this face value; ask the office for a top-up.",
  );

// -------------------------------------------------------------------------------------------------
// Redemption (platform host) and settlement (office)

/** The 409 a voucher in this state gets when someone tries to redeem it. */
export function voucherNotRedeemable(v: Voucher, now: Date): ConflictError | undefined {
  if (v.status === 'expired' || (v.status === 'issued' && isVoucherExpired(v.expiresAt, now)))
    return new ConflictError('VOUCHER_EXPIRED', `Voucher ${v.code} expired at ${v.expiresAt}.`, {
      expiresAt: v.expiresAt,
    });
  if (v.status !== 'issued')
    return new ConflictError(
      'VOUCHER_ALREADY_REDEEMED',
      `Voucher ${v.code} was already used (status ${v.status}).`,
      { voucherStatus: v.status },
    );
  return undefined;
}

export interface RedemptionInput {
  readonly supplierUscc: string;
  readonly serviceId: string;
  readonly contractNo: string;
  readonly contractAmountCny: number;
  readonly subsidyCny: number;
  readonly evidenceIds: readonly string[];
}

/**
 * `POST /v1/vouchers/{code}/redemptions` (host member of the issuing platform): supervision refuses
 * related parties, a contract subsidised before, caps exceeded, expired or used vouchers and suppliers
 * outside the platform's compute catalogue; the unused face value returns to the platform's quota.
 */
export async function redeem(
  deps: VoucherDeps,
  principal: Principal,
  code: string,
  input: RedemptionInput,
  idempotency?: IdempotencyContext,
): Promise<{ status: 201; body: Redemption }> {
  return withRetries(deps, async () => {
    const voucher = await deps.vouchers.getVoucher(code);
    if (!voucher) throw new NotFoundError('voucher', code);
    const platform = await hostPlatform(deps, principal, voucher.platformId, 'voucher', code);
    const now = deps.clock.now();
    const state = voucherNotRedeemable(voucher, now);
    if (state) throw state;
    const programme = await getProgramme(deps, voucher.programmeId);
    const supplierUscc = input.supplierUscc.toUpperCase();
    const related = relatedParty(voucher.orgUscc, supplierUscc, [consortiumGroup(platform)]);
    if (related)
      throw new ConflictError(
        'RELATED_PARTY',
        related === 'same_organisation'
          ? 'The supplier is the buyer itself; a voucher cannot subsidise a purchase from oneself.'
          : `The buyer and the supplier both belong to platform ${platform.id}'s consortium (related parties).`,
        { relation: related },
      );
    const service = await deps.catalogue.getService(platform.id, input.serviceId);
    if (
      !service ||
      service.hidden ||
      service.category !== 'compute' ||
      service.providerUscc?.toUpperCase() !== supplierUscc
    )
      throw new UnprocessableError(
        'SUPPLIER_NOT_IN_CATALOGUE',
        `Service ${input.serviceId} is not a visible compute service of platform ${platform.id} supplied by ${supplierUscc}.`,
        [{ path: 'body.serviceId', message: 'not a compute service of this supplier in the catalogue' }],
      );
    const capProblem = subsidyProblem(
      input.subsidyCny,
      voucher.faceValueCny,
      input.contractAmountCny,
      programme.maxSubsidyRatio,
    );
    if (capProblem)
      throw new UnprocessableError('SUBSIDY_CAP_EXCEEDED', `Cannot redeem: ${capProblem}.`, [
        { path: 'body.subsidyCny', message: capProblem },
      ]);
    const manifest = await deps.evidence(platform.id, input.evidenceIds);
    if (manifest.length === 0)
      throw new UnprocessableError(
        'SETTLEMENT_EVIDENCE_MISSING',
        'Reference the verified contract, invoice and payment evidence of the purchase.',
        [{ path: 'body.evidenceIds', message: 'at least one verified evidence file' }],
      );
    const at = now.toISOString();
    const returned = voucher.faceValueCny - input.subsidyCny;
    const redemption: Redemption = {
      id: deps.ids.next(),
      code,
      programmeId: voucher.programmeId,
      platformId: voucher.platformId,
      orgId: voucher.orgId,
      buyerUscc: voucher.orgUscc,
      supplierUscc,
      serviceId: input.serviceId,
      contractNo: input.contractNo,
      contractKey: normaliseContractNo(input.contractNo),
      contractAmountCny: input.contractAmountCny,
      subsidyCny: input.subsidyCny,
      faceValueCny: voucher.faceValueCny,
      returnedCny: returned,
      evidenceManifest: manifest,
      status: 'pending_settlement',
      filedBy: principal.sub,
      filedAt: at,
      version: 1,
    };
    if (!redemption.contractKey)
      throw new ValidationError('The contract number has no letters or digits.', [
        { path: 'body.contractNo', message: 'letters or digits required' },
      ]);
    const year = shanghaiYear(now);
    const base = { programmeId: voucher.programmeId, platformId: voucher.platformId, code };
    const movements: Movement[] = [
      movement(deps, now, principal.sub, {
        ...base,
        kind: 'redemption',
        amountCny: input.subsidyCny,
        from: 'issued',
        to: 'redeemed',
        redemptionId: redemption.id,
      }),
    ];
    if (returned > 0)
      movements.push(
        movement(
          deps,
          now,
          principal.sub,
          {
            ...base,
            kind: 'return',
            amountCny: returned,
            from: 'issued',
            to: 'available',
            redemptionId: redemption.id,
          },
          false,
        ),
      );
    const served = await deps.vouchers.isServed(voucher.platformId, year, voucher.orgId);
    await deps.vouchers.redeem({
      voucher,
      redemption,
      servedYear: year,
      firstServed: !served,
      movements,
      notifications: [
        {
          recipient: { role: 'officer' },
          event: 'redemption.filed',
          entityType: 'redemption',
          entityId: redemption.id,
          title: `算力券兑付待审核：${code}，补贴 ${input.subsidyCny} 元 / A voucher redemption (${code}, subsidy CNY ${input.subsidyCny}) awaits settlement.`,
          detail: { code, programmeId: voucher.programmeId, platformId: voucher.platformId },
          at,
        },
      ],
      audit: [
        auditEvent(now, actorOf(principal), 'voucher.redeemed', 'voucher', code, {
          redemptionId: redemption.id,
          subsidyCny: input.subsidyCny,
          returnedCny: returned,
        }),
        auditEvent(now, actorOf(principal), 'redemption.filed', 'redemption', redemption.id, {
          code,
          supplierUscc,
          serviceId: input.serviceId,
          contractNo: input.contractNo,
          contractAmountCny: input.contractAmountCny,
          subsidyCny: input.subsidyCny,
          evidence: manifest.map((e) => ({ evidenceId: e.evidenceId, kind: e.kind, sha256: e.sha256 })),
        }),
      ],
      ...(idempotency
        ? { idempotency: { ...idempotency, response: { status: 201, body: redemption }, at: now } }
        : {}),
    });
    return { status: 201 as const, body: redemption };
  }).catch(async (e: unknown) => {
    // The voucher changed between the read and the write (redeemed or expired meanwhile): say which.
    if (e instanceof ConflictError && e.code === 'VOUCHER_STATE_CHANGED') {
      const now = deps.clock.now();
      const v = await deps.vouchers.getVoucher(code);
      throw (v && voucherNotRedeemable(v, now)) ?? e;
    }
    throw e;
  });
}

/** The issuing platform's group: its host and the consortium members that have a USCC. */
export const consortiumGroup = (p: Platform): string[] => [
  p.uscc,
  ...(p.consortium ?? []).flatMap((m) => (m.uscc ? [m.uscc] : [])),
];

export async function getRedemption(deps: VoucherDeps, id: string): Promise<Redemption> {
  const r = await deps.vouchers.getRedemption(id);
  if (!r) throw new NotFoundError('redemption', id);
  return r;
}

/**
 * Art. 11 in the programme-wide reads (report, ledger, redemptions): what each platform has shared. The
 * office's own budget data — the programme, its totals, the budget and the allocations it decided — is not
 * the platforms' data and stays visible; a platform's voucher business is shown to an observer only while
 * the data owner's consent covering `vouchers` is valid today (Asia/Shanghai). Undefined: the caller is
 * not an observer (staff see everything).
 */
export interface VoucherSharing {
  readonly shared: ReadonlyMap<string, SharingConsent>;
  readonly withheld: readonly string[];
}

/** Withheld from observers without a consent: the platform’s business (voucher issues and what follows). */
const OFFICE_MOVEMENTS: readonly MovementKind[] = ['budget', 'allocation'];

async function voucherSharing(
  deps: Pick<VoucherDeps, 'sharing' | 'clock'>,
  principal: Principal,
  platformIds: readonly string[],
): Promise<VoucherSharing | undefined> {
  if (!isObserverOnly(principal)) return undefined;
  const ids = [...new Set(platformIds)];
  const shared = await consentsCovering(deps.sharing, ids, 'vouchers', shanghaiDate(deps.clock.now()));
  return { shared, withheld: ids.filter((id) => !shared.has(id)) };
}

/** The audit event of an observer's programme-wide read: which platforms' data it showed, under which consent. */
async function auditVoucherRead(
  deps: Pick<VoucherDeps, 'sharing' | 'clock'>,
  principal: Principal,
  route: string,
  programmeId: string,
  sharing: VoucherSharing | undefined,
): Promise<void> {
  if (!sharing) return;
  await deps.sharing.record(
    observerAccess(deps.clock.now(), principal, route, 'voucher_programme', programmeId, {
      scope: 'vouchers',
      shared: [...sharing.shared].map(([platformId, c]) => ({ platformId, consentId: c.id })),
      withheldPlatformIds: sharing.withheld,
    }),
  );
}

const withheldOf = (sharing: VoucherSharing | undefined) =>
  sharing?.withheld.length
    ? { withheld: { scope: 'vouchers' as const, platformIds: [...sharing.withheld] } }
    : {};

/**
 * `GET /v1/voucher-programmes/{id}/redemptions` (staff, observers): newest first; what awaits settlement.
 * An observer sees the redemptions of platforms whose `vouchers` consent is valid; the others are left out
 * and named in `withheld` (Art. 11), so a page may hold fewer than `limit` items and still carry `nextCursor`.
 */
export async function listRedemptions(
  deps: VoucherDeps,
  principal: Principal,
  programmeId: string,
  q: { limit: number; cursor?: string },
): Promise<Page<Redemption> & { withheld?: { scope: 'vouchers'; platformIds: string[] } }> {
  await getProgramme(deps, programmeId);
  const page = await deps.vouchers.listRedemptions(programmeId, q.limit, q.cursor);
  const sharing = await voucherSharing(
    deps,
    principal,
    page.items.map((r) => r.platformId),
  );
  await auditVoucherRead(deps, principal, 'listVoucherRedemptions', programmeId, sharing);
  return {
    items: sharing ? page.items.filter((r) => sharing.shared.has(r.platformId)) : page.items,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    ...withheldOf(sharing),
  };
}

/**
 * `GET /v1/voucher-programmes/{id}/ledger` (supervisors): every movement, oldest first. An observer sees
 * the office's own movements (the budget, the allocations) and a platform's issues, redemptions, returns,
 * settlements and expiries only under its valid `vouchers` consent; the platforms left out are named in
 * `withheld` (Art. 11).
 */
export async function listLedger(
  deps: VoucherDeps,
  principal: Principal,
  programmeId: string,
  q: { limit: number; cursor?: string },
): Promise<Page<LedgerEntry> & { withheld?: { scope: 'vouchers'; platformIds: string[] } }> {
  await getProgramme(deps, programmeId);
  const page = await deps.vouchers.listEntries(programmeId, q.limit, q.cursor);
  const business = (e: LedgerEntry) => e.platformId !== undefined && !OFFICE_MOVEMENTS.includes(e.kind);
  const sharing = await voucherSharing(
    deps,
    principal,
    page.items.filter(business).map((e) => e.platformId as string),
  );
  await auditVoucherRead(deps, principal, 'listVoucherLedger', programmeId, sharing);
  return {
    items: sharing
      ? page.items.filter((e) => !business(e) || sharing.shared.has(e.platformId as string))
      : page.items,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    ...withheldOf(sharing),
  };
}

const PLATFORM_REDEMPTION_STAFF = ['officer', 'approver', 'admin'];

/**
 * `GET /v1/platforms/{platformId}/redemptions` (host members; officers, approvers, admins): the platform's
 * redemptions of all programmes, newest first, with their settlement state. A host member of another
 * platform (and an unknown id) → 404. Observers are not on the route: a programme's redemptions
 * (`listRedemptions`) are where they read them under consent.
 */
export async function listPlatformRedemptions(
  deps: VoucherDeps,
  principal: Principal,
  platformId: string,
  q: { limit: number; cursor?: string },
): Promise<Page<Redemption>> {
  await platformAccess(deps.platforms, principal, platformId, PLATFORM_REDEMPTION_STAFF);
  return deps.vouchers.listRedemptionsByPlatform(platformId, q.limit, q.cursor);
}

/**
 * `POST /v1/redemptions/{id}/settlement` (officer). Approve: the subsidy moves redeemed → settled (payout
 * approved). Reject: the subsidy returns to the platform's available quota, the voucher ends as
 * `settlement_rejected`, the enterprise's annual cap is released by the subsidy, and the contract guard is
 * released so the same contract can be filed again, correctly, with another voucher.
 */
export async function settle(
  deps: VoucherDeps,
  principal: Principal,
  id: string,
  input: { decision: 'approve' | 'reject'; opinion: string },
): Promise<Redemption> {
  return withRetries(deps, async () => {
    const before = await getRedemption(deps, id);
    if (before.status !== 'pending_settlement')
      throw new ConflictError('REDEMPTION_SETTLED', `Redemption ${id} was already ${before.status}.`);
    const voucher = await deps.vouchers.getVoucher(before.code);
    if (!voucher) throw new NotFoundError('voucher', before.code);
    const now = deps.clock.now();
    const approve = input.decision === 'approve';
    const after: Redemption = {
      ...before,
      status: approve ? 'settled' : 'settlement_rejected',
      decidedAt: now.toISOString(),
      decidedBy: principal.sub,
      opinion: input.opinion,
      version: before.version + 1,
    };
    const base = {
      programmeId: before.programmeId,
      platformId: before.platformId,
      code: before.code,
      redemptionId: id,
      amountCny: before.subsidyCny,
    };
    await deps.vouchers.settle({
      before,
      after,
      voucher,
      notifications: [
        {
          recipient: { sub: before.filedBy },
          event: `redemption.${after.status}`,
          entityType: 'redemption',
          entityId: id,
          title: approve
            ? `算力券兑付已批准 / The settlement of voucher ${before.code} was approved.`
            : `算力券兑付未获批准 / The settlement of voucher ${before.code} was rejected: ${input.opinion}`,
          detail: { code: before.code, subsidyCny: before.subsidyCny },
          at: now.toISOString(),
        },
      ],
      movements: [
        movement(
          deps,
          now,
          principal.sub,
          approve
            ? { ...base, kind: 'settlement', from: 'redeemed', to: 'settled' }
            : { ...base, kind: 'settlement_rejected', from: 'redeemed', to: 'available' },
        ),
      ],
      audit: [
        auditEvent(now, actorOf(principal), `redemption.${after.status}`, 'redemption', id, {
          code: before.code,
          subsidyCny: before.subsidyCny,
          opinion: input.opinion,
        }),
        auditEvent(now, actorOf(principal), `voucher.${after.status}`, 'voucher', before.code, {
          redemptionId: id,
        }),
      ],
    });
    return after;
  });
}

// -------------------------------------------------------------------------------------------------
// Expiry (deadline job)

/** The deadline job's action: an issued voucher expires at `expiresAt` — face value issued → expired, once. */
export function voucherExpiryAction(
  deps: Pick<VoucherDeps, 'vouchers' | 'ids'>,
): (entry: DueItem, now: Date) => Promise<boolean> {
  return async (entry, now) => {
    const v = fromItem(entry.item);
    if (v.status !== 'issued') return false;
    const m: Movement = {
      entry: {
        id: deps.ids.next(),
        programmeId: v.programmeId,
        at: now.toISOString(),
        kind: 'expiry',
        amountCny: v.faceValueCny,
        from: 'issued',
        to: 'expired',
        platformId: v.platformId,
        code: v.code,
        actor: SYSTEM_ACTOR.sub,
      },
      month: shanghaiMonth(now),
      counted: true,
    };
    return deps.vouchers.expire({
      voucher: v,
      readDueSk: entry.dueSk,
      movements: [m],
      audit: auditEvent(now, SYSTEM_ACTOR, 'voucher.expired', 'voucher', v.code, {
        expiresAt: v.expiresAt,
        faceValueCny: v.faceValueCny,
        platformId: v.platformId,
      }),
    });
  };
}

/** The voucher in a due item (the store keeps `expiresAt` as `voucherExpiresAt`: the table's TTL is `expiresAt`). */
function fromItem(item: Record<string, unknown>): Voucher {
  return { ...(item as unknown as Voucher), expiresAt: String(item.voucherExpiresAt ?? item.expiresAt) };
}

// -------------------------------------------------------------------------------------------------
// Report (office)

export interface MonthFigures {
  readonly month: string;
  readonly allocatedCny: number;
  readonly issuedCny: number;
  readonly issuedCount: number;
  readonly redeemedCny: number;
  readonly redeemedCount: number;
  readonly returnedCny: number;
  readonly settledCny: number;
  readonly settledCount: number;
  readonly settlementRejectedCny: number;
  readonly settlementRejectedCount: number;
  readonly expiredCny: number;
  readonly expiredCount: number;
}

type Buckets = Omit<PlatformLedger, 'programmeId' | 'platformId'>;

export interface VoucherReport {
  readonly programmeId: string;
  readonly name: string;
  readonly generatedAt: string;
  readonly totals: {
    readonly budgetCny: number;
    readonly unallocatedCny: number;
    readonly availableCny: number;
    readonly issuedCny: number;
    readonly redeemedCny: number;
    readonly settledCny: number;
    readonly expiredCny: number;
    /** unallocated + available + issued + redeemed + settled + expired: must equal the budget. */
    readonly sumCny: number;
  };
  readonly balanced: boolean;
  readonly platforms: readonly {
    readonly platformId: string;
    readonly hostName?: string;
    readonly buckets: Buckets;
    /** The buckets recomputed from the month counters of the movements. */
    readonly recomputed: Buckets;
    readonly balanced: boolean;
    readonly months: readonly MonthFigures[];
  }[];
  readonly enterprisesServed: readonly {
    readonly platformId: string;
    readonly year: number;
    readonly count: number;
    readonly committed: number;
    readonly meetsCommitment: boolean;
  }[];
  /** Observers only (Art. 11): the platforms whose voucher business is left out for want of a valid consent. */
  readonly withheld?: {
    readonly scope: 'vouchers';
    readonly platforms: readonly { platformId: string; hostName?: string; allocatedCny: number }[];
  };
}

const num = (c: MonthCounter, field: string): number => c.figures[field] ?? 0;

export function monthFigures(c: MonthCounter): MonthFigures {
  return {
    month: c.month,
    allocatedCny: num(c, 'allocationCny'),
    issuedCny: num(c, 'issueCny'),
    issuedCount: num(c, 'issueCount'),
    redeemedCny: num(c, 'redemptionCny'),
    redeemedCount: num(c, 'redemptionCount'),
    returnedCny: num(c, 'returnCny'),
    settledCny: num(c, 'settlementCny'),
    settledCount: num(c, 'settlementCount'),
    settlementRejectedCny: num(c, 'settlement_rejectedCny'),
    settlementRejectedCount: num(c, 'settlement_rejectedCount'),
    expiredCny: num(c, 'expiryCny'),
    expiredCount: num(c, 'expiryCount'),
  };
}

/** The buckets implied by a platform's movements (summed per month): an independent check of the counters. */
export function bucketsFromMonths(months: readonly MonthFigures[]): Buckets {
  const s = (f: keyof MonthFigures) => months.reduce((a, m) => a + Number(m[f]), 0);
  const issuedOut = s('redeemedCny') + s('returnedCny') + s('expiredCny');
  return {
    allocatedCny: s('allocatedCny'),
    availableCny: s('allocatedCny') - s('issuedCny') + s('returnedCny') + s('settlementRejectedCny'),
    issuedCny: s('issuedCny') - issuedOut,
    redeemedCny: s('redeemedCny') - s('settledCny') - s('settlementRejectedCny'),
    settledCny: s('settledCny'),
    expiredCny: s('expiredCny'),
  };
}

const sameBuckets = (a: Buckets, b: Buckets) =>
  (Object.keys(a) as (keyof Buckets)[]).every((k) => a[k] === b[k]);

/** Years (Asia/Shanghai) a programme spans, bounded. */
export function programmeYears(p: Pick<VoucherProgramme, 'validFrom' | 'validUntil'>): number[] {
  const from = shanghaiYear(new Date(p.validFrom));
  const until = shanghaiYear(new Date(p.validUntil));
  const out: number[] = [];
  for (let y = from; y <= until && out.length < MAX_REPORT_YEARS; y += 1) out.push(y);
  return out;
}
/** A report covers at most this many calendar years of enterprises served (programmes are shorter). */
export const MAX_REPORT_YEARS = 10;

/**
 * `GET /v1/voucher-programmes/{id}/report` (officer, approver, observer): buckets per platform and in
 * total, month figures, and the distinct enterprises served per platform and year. It reads the counter
 * items only — O(platforms × months) — and recomputes every bucket from the month counters of the
 * movements (`balanced` is false when they disagree or the buckets do not add up to the budget).
 */
export async function report(
  deps: VoucherDeps,
  principal: Principal,
  programmeId: string,
): Promise<VoucherReport> {
  const programme = await getProgramme(deps, programmeId);
  const [ledgers, months] = await Promise.all([
    deps.vouchers.listLedgers(programmeId),
    deps.vouchers.listMonths(programmeId),
  ]);
  const years = programmeYears(programme);
  const platforms = await Promise.all(
    ledgers.map(async (l) => {
      const own = months
        .filter((m) => m.platformId === l.platformId)
        .map(monthFigures)
        .sort((a, b) => a.month.localeCompare(b.month));
      const { programmeId: _p, platformId: _q, ...buckets } = l;
      const recomputed = bucketsFromMonths(own);
      const platform = await deps.platforms.get(l.platformId);
      return {
        platformId: l.platformId,
        ...(platform ? { hostName: platform.hostName } : {}),
        buckets,
        recomputed,
        balanced: sameBuckets(buckets, recomputed),
        months: own,
        platform,
      };
    }),
  );
  const served = await Promise.all(
    platforms.flatMap((p) =>
      years.map(async (year) => {
        const count = await deps.vouchers.servedCount(p.platformId, year);
        const committed = committedOf(p.platform);
        return {
          platformId: p.platformId,
          year,
          count,
          committed,
          meetsCommitment: meetsCommitment(count, committed),
        };
      }),
    ),
  );
  const sum = (k: keyof Buckets) => platforms.reduce((a, p) => a + p.buckets[k], 0);
  const totals = {
    budgetCny: programme.budgetCny,
    unallocatedCny: programme.unallocatedCny,
    availableCny: sum('availableCny'),
    issuedCny: sum('issuedCny'),
    redeemedCny: sum('redeemedCny'),
    settledCny: sum('settledCny'),
    expiredCny: sum('expiredCny'),
    sumCny: 0,
  };
  totals.sumCny =
    totals.unallocatedCny +
    totals.availableCny +
    totals.issuedCny +
    totals.redeemedCny +
    totals.settledCny +
    totals.expiredCny;
  const allocatedByMonths = platforms.reduce((a, p) => a + p.recomputed.allocatedCny, 0);
  const balanced =
    totals.sumCny === programme.budgetCny &&
    programme.budgetCny - allocatedByMonths === programme.unallocatedCny &&
    platforms.every((p) => p.balanced);
  // Art. 11: the totals and `balanced` are the programme's own budget accounting (the office's data); each
  // platform's buckets, months and enterprises served are its business, shown to an observer only under
  // its valid `vouchers` consent. A platform left out keeps its name and the quota the office allocated.
  const sharing = await voucherSharing(
    deps,
    principal,
    platforms.map((p) => p.platformId),
  );
  await auditVoucherRead(deps, principal, 'getVoucherReport', programmeId, sharing);
  const visible = (platformId: string) => !sharing || sharing.shared.has(platformId);
  const withheld = platforms.filter((p) => !visible(p.platformId));
  return {
    programmeId,
    name: programme.name,
    generatedAt: deps.clock.now().toISOString(),
    totals,
    balanced,
    platforms: platforms.filter((p) => visible(p.platformId)).map(({ platform: _x, ...p }) => p),
    enterprisesServed: served.filter((s) => visible(s.platformId)),
    ...(withheld.length
      ? {
          withheld: {
            scope: 'vouchers' as const,
            platforms: withheld.map((p) => ({
              platformId: p.platformId,
              ...(p.hostName ? { hostName: p.hostName } : {}),
              allocatedCny: p.buckets.allocatedCny,
            })),
          },
        }
      : {}),
  };
}

/** Art. 9(4): the platform's own commitment when its record carries one, else the measures' 30. */
export const committedOf = (p: Platform | undefined): number => {
  const own = (p as { committedEnterprisesPerYear?: unknown } | undefined)?.committedEnterprisesPerYear;
  return typeof own === 'number' && own > 0 ? own : DEFAULT_COMMITTED_ENTERPRISES_PER_YEAR;
};

/**
 * For the annual self-evaluation (Art. 12) and the Art. 9(4) check: the distinct enterprises that
 * redeemed a voucher through the platform in the calendar year (Asia/Shanghai), over all programmes.
 */
export async function enterprisesServed(
  deps: Pick<VoucherDeps, 'vouchers' | 'platforms'>,
  platformId: string,
  year: number,
): Promise<{ count: number; committed: number; meetsCommitment: boolean }> {
  const [count, platform] = await Promise.all([
    deps.vouchers.servedCount(platformId, year),
    deps.platforms.get(platformId),
  ]);
  const committed = committedOf(platform);
  return { count, committed, meetsCommitment: meetsCommitment(count, committed) };
}

/** Month counter field names of a movement kind (`<kind>Cny`, `<kind>Count`). */
export const monthFields = (kind: MovementKind) => ({ cny: `${kind}Cny`, count: `${kind}Count` });
