import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../core/audit.ts';
import { dueKeys } from '../core/deadlines.ts';
import { type NotificationInput, notificationItem } from '../core/notifications.ts';
import type { Organisation } from '../core/organisations.ts';
import {
  annualCapExceeded,
  budgetExceeded,
  type ExpirePlan,
  type IssuePlan,
  type LedgerEntry,
  type MonthCounter,
  type Movement,
  monthFields,
  type PlatformLedger,
  quotaExhausted,
  type RedeemPlan,
  type Redemption,
  type SettlePlan,
  VOUCHER_EXPIRY,
  type Voucher,
  type VoucherClaim,
  type VoucherDeps,
  type VoucherProgramme,
  type VoucherRepo,
} from '../core/vouchers.ts';
import type { Clock } from '../shared/clock.ts';
import { ConflictError } from '../shared/errors.ts';
import type { IdempotencyWrite } from '../shared/idempotency.ts';
import { DynamoCatalogueStore } from './catalogue-store.ts';
import { ulidIds } from './ids.ts';
import { DynamoOrganisationStore, memberGuardKey, orgKey } from './organisation-store.ts';
import { platformActiveCheck, verifiedPlatformEvidence } from './platform-evidence-store.ts';
import { DynamoPlatformStore } from './platform-store.ts';
import {
  decodeCursor,
  encodeCursor,
  type Item,
  type Key,
  type Registry,
  registry,
  type TxOp,
} from './registry.ts';
import { DynamoSharingStore } from './sharing-store.ts';
import { DUE_SHARDS, GSI1, GSI2 } from './table-schema.ts';

/**
 * The compute voucher ledger (Art. 6(3)) in the registry table:
 * - `VPROG#<id>` / `PROGRAMME`: a programme with its `unallocatedCny` counter; gsi1 `VPROGS` (newest first),
 *   gsi2 `VPROGS#BY_END` / `<validUntil>#<id>` (the public list of open programmes reads from now on, so
 *   never the ended ones; the window is fixed at creation, so the keys never change);
 * - `VPROG#<id>` / `ALLOC#<platformId>`: a platform's buckets (allocated, available, issued, redeemed,
 *   settled, expired), moved with atomic ADD under conditions that keep every bucket ≥ 0;
 * - `VPROG#<id>` / `MONTH#<platformId>#<YYYY-MM>`: month counters (`<kind>Cny`, `<kind>Count`) — the report
 *   reads these, O(platforms × months);
 * - `VPROG#<id>` / `ENTCAP#<orgId>#<year>`: face value an enterprise holds in the programme that year;
 * - `VLEDGER#<programmeId>` / `<at>#<id>`: the ledger entries, time-ordered;
 * - `VCLAIM#<id>` / `CLAIM`: a claim; gsi1 `VCLAIMS#<platformId>`, gsi2 `VCLAIMS#ORG#<orgId>` (newest first);
 * - `VOUCHER#<code>` / `VOUCHER`: a voucher (the conditional put makes the code unique); while issued it
 *   carries the due-index keys of its expiry; `expiresAt` is stored as `voucherExpiresAt` because
 *   `expiresAt` is the table's TTL attribute;
 * - `VREDEMPTION#<id>` / `REDEMPTION`: a redemption; gsi1 `VREDEMPTIONS#<programmeId>`, gsi2
 *   `VREDEMPTIONS#PLATFORM#<platformId>` (both newest first);
 * - `VCONTRACT#<supplierUscc>#<normalised contract no>` / `GUARD`: the contract was subsidised;
 * - `VSERVED#<platformId>#<year>` / `ORG#<orgId>` and `/ COUNT`: distinct enterprises served.
 */
export const programmeKey = (id: string): Key => ({ pk: `VPROG#${id}`, sk: 'PROGRAMME' });
export const ledgerKey = (programmeId: string, platformId: string): Key => ({
  pk: `VPROG#${programmeId}`,
  sk: `ALLOC#${platformId}`,
});
export const monthKey = (programmeId: string, platformId: string, month: string): Key => ({
  pk: `VPROG#${programmeId}`,
  sk: `MONTH#${platformId}#${month}`,
});
export const capKey = (programmeId: string, orgId: string, year: number): Key => ({
  pk: `VPROG#${programmeId}`,
  sk: `ENTCAP#${orgId}#${year}`,
});
export const entryKey = (e: Pick<LedgerEntry, 'programmeId' | 'at' | 'id'>): Key => ({
  pk: `VLEDGER#${e.programmeId}`,
  sk: `${e.at}#${e.id}`,
});
/** gsi2 partition of the programmes by the end of their window (the public list of open programmes). */
const PROGRAMMES_BY_END = 'VPROGS#BY_END';
/** gsi2 partition of a platform's redemptions (the host's list). */
const platformRedemptionsPk = (platformId: string) => `VREDEMPTIONS#PLATFORM#${platformId}`;
export const claimKey = (id: string): Key => ({ pk: `VCLAIM#${id}`, sk: 'CLAIM' });
export const voucherKey = (code: string): Key => ({ pk: `VOUCHER#${code}`, sk: 'VOUCHER' });
export const redemptionKey = (id: string): Key => ({ pk: `VREDEMPTION#${id}`, sk: 'REDEMPTION' });
export const contractGuardKey = (supplierUscc: string, contractKey: string): Key => ({
  pk: `VCONTRACT#${supplierUscc}#${contractKey}`,
  sk: 'GUARD',
});
export const servedKey = (platformId: string, year: number, orgId: string): Key => ({
  pk: `VSERVED#${platformId}#${year}`,
  sk: `ORG#${orgId}`,
});
export const servedCountKey = (platformId: string, year: number): Key => ({
  pk: `VSERVED#${platformId}#${year}`,
  sk: 'COUNT',
});

const INTERNAL = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'duePk', 'dueSk'];
function strip<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of INTERNAL) delete copy[k];
  return copy as T;
}
const BUCKET_FIELDS = [
  'allocatedCny',
  'availableCny',
  'issuedCny',
  'redeemedCny',
  'settledCny',
  'expiredCny',
] as const;
function toLedger(item: Item): PlatformLedger {
  const out: Record<string, unknown> = {
    programmeId: String(item.programmeId),
    platformId: String(item.platformId),
  };
  for (const f of BUCKET_FIELDS) out[f] = Number(item[f] ?? 0);
  return out as unknown as PlatformLedger;
}
function toVoucher(item: Item): Voucher {
  const { voucherExpiresAt, ...rest } = strip<Record<string, unknown>>(item);
  return { ...rest, expiresAt: String(voucherExpiresAt) } as unknown as Voucher;
}
export function voucherItem(v: Voucher): Item & Key {
  const { expiresAt, ...rest } = v;
  return {
    ...voucherKey(v.code),
    type: 'voucher',
    ...rest,
    voucherExpiresAt: expiresAt,
    ...(v.status === 'issued' ? dueKeys(expiresAt, VOUCHER_EXPIRY, v.code, DUE_SHARDS) : {}),
  };
}

/** The enterprise's annual holding counter: its condition is the annual cap. */
const CONCURRENT = () =>
  new ConflictError(
    'CONCURRENT_UPDATE',
    'Someone else changed the same records at the same moment; reload and try again.',
  );

/**
 * The writes of a plan's movements: one update of the platform's bucket item (every bucket a movement
 * takes from must hold the amount: `onShort` when not), the programme's `unallocatedCny` for allocations,
 * one month counter per (platform, month), one ledger entry each.
 */
function movementOps(
  movements: readonly Movement[],
  onShort: () => Error,
  opts: { createLedger?: boolean } = {},
): TxOp[] {
  const ops: TxOp[] = [];
  const byLedger = new Map<
    string,
    { programmeId: string; platformId: string; add: Record<string, number> }
  >();
  const byMonth = new Map<
    string,
    { programmeId: string; platformId: string; month: string; add: Record<string, number> }
  >();
  let unallocated = 0;
  let programmeId = '';
  for (const m of movements) {
    const e = m.entry;
    programmeId = e.programmeId;
    ops.push({ kind: 'put', item: { ...entryKey(e), type: 'voucher-ledger-entry', ...e }, ifNew: true });
    if (e.from === 'unallocated') unallocated -= e.amountCny;
    if (!e.platformId) continue;
    const lk = `${e.programmeId}#${e.platformId}`;
    const l = byLedger.get(lk) ?? { programmeId: e.programmeId, platformId: e.platformId, add: {} };
    byLedger.set(lk, l);
    if (e.from !== 'none' && e.from !== 'unallocated')
      l.add[`${e.from}Cny`] = (l.add[`${e.from}Cny`] ?? 0) - e.amountCny;
    l.add[`${e.to}Cny`] = (l.add[`${e.to}Cny`] ?? 0) + e.amountCny;
    if (e.kind === 'allocation') l.add.allocatedCny = (l.add.allocatedCny ?? 0) + e.amountCny;
    const mk = `${lk}#${m.month}`;
    const c = byMonth.get(mk) ?? {
      programmeId: e.programmeId,
      platformId: e.platformId,
      month: m.month,
      add: {},
    };
    byMonth.set(mk, c);
    const f = monthFields(e.kind);
    c.add[f.cny] = (c.add[f.cny] ?? 0) + e.amountCny;
    if (m.counted) c.add[f.count] = (c.add[f.count] ?? 0) + 1;
  }
  if (unallocated < 0)
    ops.push({
      kind: 'update',
      key: programmeKey(programmeId),
      add: { unallocatedCny: unallocated },
      condition: {
        expression: '#u >= :need',
        names: { '#u': 'unallocatedCny' },
        values: { ':need': -unallocated },
      },
      onConflict: onShort,
    });
  for (const l of byLedger.values()) {
    const short = Object.entries(l.add).filter(([, d]) => d < 0);
    const expression = short.map((_, i) => `#n${i} >= :n${i}`).join(' AND ');
    ops.push({
      kind: 'update',
      key: ledgerKey(l.programmeId, l.platformId),
      set: { programmeId: l.programmeId, platformId: l.platformId, type: 'voucher-platform-ledger' },
      add: l.add,
      ...(opts.createLedger ? { upsert: true } : {}),
      ...(short.length
        ? {
            condition: {
              expression,
              names: Object.fromEntries(short.map(([k], i) => [`#n${i}`, k])),
              values: Object.fromEntries(short.map(([, d], i) => [`:n${i}`, -d])),
            },
            onConflict: onShort,
          }
        : {}),
    });
  }
  for (const c of byMonth.values())
    ops.push({
      kind: 'update',
      key: monthKey(c.programmeId, c.platformId, c.month),
      set: { type: 'voucher-month', programmeId: c.programmeId, platformId: c.platformId, month: c.month },
      add: c.add,
      upsert: true,
    });
  return ops;
}

/** The annual counter moved by `delta` (a release when negative: the counter never goes below 0). */
function capRelease(v: Voucher, amount: number): TxOp[] {
  if (amount <= 0) return [];
  return [
    {
      kind: 'update',
      key: capKey(v.programmeId, v.orgId, v.capYear),
      add: { heldCny: -amount },
      condition: { expression: '#h >= :a', names: { '#h': 'heldCny' }, values: { ':a': amount } },
    },
  ];
}

async function allPages<T>(
  reg: Registry,
  pk: string,
  prefix: string | undefined,
  map: (i: Item) => T,
): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await reg.query({
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :sk)' : 'pk = :pk',
      ExpressionAttributeValues: prefix ? { ':pk': pk, ':sk': prefix } : { ':pk': pk },
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    out.push(...res.items.map(map));
    start = res.lastKey;
  } while (start);
  return out;
}

class AlreadyDone extends Error {}

const notificationOps = (list: readonly NotificationInput[]): TxOp[] =>
  list.map((n): TxOp => ({ kind: 'put', item: notificationItem(n), ifNew: true }));

export class DynamoVoucherStore implements VoucherRepo {
  constructor(private readonly reg: Registry = registry()) {}

  async createProgramme(
    p: VoucherProgramme,
    movement: Movement,
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        {
          kind: 'put',
          item: {
            ...programmeKey(p.id),
            type: 'voucher-programme',
            ...p,
            gsi1pk: 'VPROGS',
            gsi1sk: `${p.createdAt}#${p.id}`,
            gsi2pk: PROGRAMMES_BY_END,
            gsi2sk: `${p.validUntil}#${p.id}`,
          },
          ifNew: true,
        },
        ...movementOps([movement], budgetExceeded),
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async getProgramme(id: string): Promise<VoucherProgramme | undefined> {
    const item = await this.reg.get(programmeKey(id));
    return item ? strip<VoucherProgramme>(item) : undefined;
  }

  listProgrammes(limit: number, cursor?: string) {
    return this.reg.newestFirstPage(GSI1, 'VPROGS', limit, cursor, (i) => strip<VoucherProgramme>(i));
  }

  async listOpenProgrammes(now: Date, limit: number, cursor?: string) {
    const from = now.toISOString();
    const start = cursor
      ? decodeCursor(
          cursor,
          (k) =>
            k.gsi2pk === PROGRAMMES_BY_END &&
            typeof k.gsi2sk === 'string' &&
            typeof k.pk === 'string' &&
            typeof k.sk === 'string' &&
            Object.keys(k).length === 4,
        )
      : undefined;
    // A cursor from before `now` points before the range: everything between it and now has ended, so
    // the page starts where the range does (DynamoDB refuses a start key outside the key condition).
    const inRange = start && String(start.gsi2sk) >= from ? start : undefined;
    const res = await this.reg.query({
      IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk AND #sk >= :now',
      FilterExpression: '#from <= :now',
      ExpressionAttributeNames: { '#pk': GSI2.partitionKey, '#sk': GSI2.sortKey, '#from': 'validFrom' },
      ExpressionAttributeValues: { ':pk': PROGRAMMES_BY_END, ':now': from },
      Limit: limit,
      ...(inRange ? { ExclusiveStartKey: inRange } : {}),
    });
    return {
      items: res.items.map((i) => strip<VoucherProgramme>(i)),
      ...(res.lastKey ? { nextCursor: encodeCursor(res.lastKey) } : {}),
    };
  }

  async allocate(
    _programme: VoucherProgramme,
    movement: Movement,
    audit: AuditEvent,
    idempotency?: IdempotencyWrite,
  ): Promise<void> {
    await this.reg.transact({
      ops: [
        // The platform must still be active when the quota lands.
        platformActiveCheck(String(movement.entry.platformId)),
        ...movementOps([movement], () => budgetExceeded(), { createLedger: true }),
      ],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async getLedger(programmeId: string, platformId: string): Promise<PlatformLedger | undefined> {
    const item = await this.reg.get(ledgerKey(programmeId, platformId));
    return item ? toLedger(item) : undefined;
  }

  listLedgers(programmeId: string): Promise<PlatformLedger[]> {
    return allPages(this.reg, `VPROG#${programmeId}`, 'ALLOC#', toLedger);
  }

  listMonths(programmeId: string): Promise<MonthCounter[]> {
    return allPages(this.reg, `VPROG#${programmeId}`, 'MONTH#', (i) => ({
      platformId: String(i.platformId),
      month: String(i.month),
      figures: Object.fromEntries(
        Object.entries(i).filter(
          ([k, v]) => (k.endsWith('Cny') || k.endsWith('Count')) && typeof v === 'number',
        ),
      ) as Record<string, number>,
    }));
  }

  async createClaim(claim: VoucherClaim, audit: AuditEvent, idempotency?: IdempotencyWrite): Promise<void> {
    await this.reg.transact({
      ops: [{ kind: 'put', item: claimItem(claim), ifNew: true }],
      audit: [audit],
      ...(idempotency ? { idempotency } : {}),
    });
  }

  async getClaim(id: string): Promise<VoucherClaim | undefined> {
    const item = await this.reg.get(claimKey(id));
    return item ? strip<VoucherClaim>(item) : undefined;
  }

  listClaimsByPlatform(platformId: string, limit: number, cursor?: string) {
    return this.reg.newestFirstPage(GSI1, `VCLAIMS#${platformId}`, limit, cursor, (i) =>
      strip<VoucherClaim>(i),
    );
  }

  listClaimsByOrg(orgId: string, limit: number, cursor?: string) {
    return this.reg.newestFirstPage(GSI2, `VCLAIMS#ORG#${orgId}`, limit, cursor, (i) =>
      strip<VoucherClaim>(i),
    );
  }

  async issue(plan: IssuePlan): Promise<void> {
    const v = plan.voucher;
    const face = v.faceValueCny;
    await this.reg.transact({
      ops: [
        claimUpdate(plan.claim, plan.after),
        // A code collision (60 random bits: rare) is a lost race: the use case retries with a new code.
        { kind: 'put', item: voucherItem(v), ifNew: true, onConflict: CONCURRENT },
        {
          kind: 'update',
          key: capKey(v.programmeId, v.orgId, v.capYear),
          set: { type: 'voucher-annual-cap', orgId: v.orgId, year: v.capYear },
          add: { heldCny: face },
          upsert: true,
          condition: {
            expression: 'attribute_not_exists(#h) OR #h <= :limit',
            names: { '#h': 'heldCny' },
            values: { ':limit': plan.annualCapCny - face },
          },
          onConflict: () => annualCapExceeded({ perEnterpriseAnnualCapCny: plan.annualCapCny }),
        },
        ...movementOps(plan.movements, quotaExhausted),
        ...notificationOps(plan.notifications),
      ],
      audit: plan.audit,
    });
  }

  async rejectClaim(
    before: VoucherClaim,
    after: VoucherClaim,
    notifications: readonly NotificationInput[],
    audit: AuditEvent,
  ): Promise<void> {
    await this.reg.transact({
      ops: [claimUpdate(before, after), ...notificationOps(notifications)],
      audit: [audit],
    });
  }

  async getVoucher(code: string): Promise<Voucher | undefined> {
    const item = await this.reg.get(voucherKey(code));
    return item ? toVoucher(item) : undefined;
  }

  async isServed(platformId: string, year: number, orgId: string): Promise<boolean> {
    return (await this.reg.get(servedKey(platformId, year, orgId))) !== undefined;
  }

  async redeem(plan: RedeemPlan): Promise<void> {
    const v = plan.voucher;
    const r = plan.redemption;
    const served: TxOp[] = plan.firstServed
      ? [
          // Another redemption of the same enterprise may mark it first: a lost race, retried.
          {
            kind: 'put',
            item: {
              ...servedKey(r.platformId, plan.servedYear, r.orgId),
              type: 'voucher-served',
              platformId: r.platformId,
              year: plan.servedYear,
              orgId: r.orgId,
              firstAt: r.filedAt,
            },
            ifNew: true,
            onConflict: CONCURRENT,
          },
          {
            kind: 'update',
            key: servedCountKey(r.platformId, plan.servedYear),
            set: { type: 'voucher-served-count', platformId: r.platformId, year: plan.servedYear },
            add: { enterprises: 1 },
            upsert: true,
          },
        ]
      : [];
    await this.reg.transact({
      ops: [
        {
          kind: 'update',
          key: voucherKey(v.code),
          set: { status: 'redeemed', redemptionId: r.id },
          remove: ['duePk', 'dueSk'],
          expectVersion: v.version,
          condition: {
            expression: '#st = :issued',
            names: { '#st': 'status' },
            values: { ':issued': 'issued' },
          },
          onConflict: () =>
            new ConflictError('VOUCHER_STATE_CHANGED', `Voucher ${v.code} changed meanwhile.`),
        },
        {
          kind: 'put',
          item: {
            ...contractGuardKey(r.supplierUscc, r.contractKey),
            type: 'guard',
            redemptionId: r.id,
            code: r.code,
            contractNo: r.contractNo,
          },
          ifNew: true,
          onConflict: () =>
            new ConflictError(
              'CONTRACT_ALREADY_SUBSIDISED',
              `Contract ${r.contractNo} of supplier ${r.supplierUscc} was already subsidised by a voucher; a contract is subsidised once.`,
            ),
        },
        {
          kind: 'put',
          item: {
            ...redemptionKey(r.id),
            type: 'voucher-redemption',
            ...r,
            gsi1pk: `VREDEMPTIONS#${r.programmeId}`,
            gsi1sk: `${r.filedAt}#${r.id}`,
            gsi2pk: platformRedemptionsPk(r.platformId),
            gsi2sk: `${r.filedAt}#${r.id}`,
          },
          ifNew: true,
        },
        ...capRelease(v, r.returnedCny),
        ...served,
        ...movementOps(plan.movements, () => new ConflictError('VOUCHER_STATE_CHANGED', 'ledger moved')),
        ...notificationOps(plan.notifications),
      ],
      audit: plan.audit,
      ...(plan.idempotency ? { idempotency: plan.idempotency } : {}),
    });
  }

  async getRedemption(id: string): Promise<Redemption | undefined> {
    const item = await this.reg.get(redemptionKey(id));
    return item ? strip<Redemption>(item) : undefined;
  }

  listRedemptions(programmeId: string, limit: number, cursor?: string) {
    return this.reg.newestFirstPage(GSI1, `VREDEMPTIONS#${programmeId}`, limit, cursor, (i) =>
      strip<Redemption>(i),
    );
  }

  listRedemptionsByPlatform(platformId: string, limit: number, cursor?: string) {
    return this.reg.newestFirstPage(GSI2, platformRedemptionsPk(platformId), limit, cursor, (i) =>
      strip<Redemption>(i),
    );
  }

  async settle(plan: SettlePlan): Promise<void> {
    const { before, after, voucher } = plan;
    const rejected = after.status === 'settlement_rejected';
    const { id: _i, version: _v, ...fields } = after;
    await this.reg.transact({
      ops: [
        {
          kind: 'update',
          key: redemptionKey(before.id),
          set: fields,
          expectVersion: before.version,
          condition: {
            expression: '#st = :pending',
            names: { '#st': 'status' },
            values: { ':pending': 'pending_settlement' },
          },
          onConflict: () =>
            new ConflictError(
              'REDEMPTION_SETTLED',
              `Redemption ${before.id} was decided meanwhile; reload it.`,
            ),
        },
        {
          kind: 'update',
          key: voucherKey(voucher.code),
          set: { status: after.status },
          condition: {
            expression: '#st = :redeemed',
            names: { '#st': 'status' },
            values: { ':redeemed': 'redeemed' },
          },
        },
        ...(rejected
          ? [
              { kind: 'delete', key: contractGuardKey(before.supplierUscc, before.contractKey) } as TxOp,
              ...capRelease(voucher, before.subsidyCny),
            ]
          : []),
        ...movementOps(plan.movements, () => new ConflictError('REDEMPTION_SETTLED', 'ledger moved')),
        ...notificationOps(plan.notifications),
      ],
      audit: plan.audit,
    });
  }

  async expire(plan: ExpirePlan): Promise<boolean> {
    const v = plan.voucher;
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: voucherKey(v.code),
            set: { status: 'expired', expiredAt: plan.audit.at },
            remove: ['duePk', 'dueSk'],
            condition: {
              expression: '#dueSk = :read AND #st = :issued',
              names: { '#dueSk': 'dueSk', '#st': 'status' },
              values: { ':read': plan.readDueSk, ':issued': 'issued' },
            },
            onConflict: () => new AlreadyDone(),
          },
          ...capRelease(v, v.faceValueCny),
          ...movementOps(plan.movements, () => new Error(`ledger of voucher ${v.code} is short`)),
        ],
        audit: [plan.audit],
      });
      return true;
    } catch (e) {
      if (e instanceof AlreadyDone) return false;
      throw e;
    }
  }

  async listEntries(programmeId: string, limit: number, cursor?: string) {
    const pk = `VLEDGER#${programmeId}`;
    const start = cursor
      ? decodeCursor(cursor, (k) => k.pk === pk && typeof k.sk === 'string' && Object.keys(k).length === 2)
      : undefined;
    const res = await this.reg.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      Limit: limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    return {
      items: res.items.map((i) => strip<LedgerEntry>(i)),
      ...(res.lastKey && res.items.length === limit ? { nextCursor: encodeCursor(res.lastKey) } : {}),
    };
  }

  async servedCount(platformId: string, year: number): Promise<number> {
    const item = await this.reg.get(servedCountKey(platformId, year));
    return Number(item?.enterprises ?? 0);
  }

  /** The organisation an account belongs to (its member guard), for "the caller's enterprise". */
  async organisationOfMember(sub: string): Promise<Organisation | undefined> {
    const guard = await this.reg.get(memberGuardKey(sub));
    if (!guard || typeof guard.orgId !== 'string') return undefined;
    const org = await this.reg.get(orgKey(guard.orgId));
    return org ? strip<Organisation>(org) : undefined;
  }

  /** All ledger entries of a programme, oldest first (audits and tests recompute the buckets from them). */
  ledgerEntries(programmeId: string): Promise<LedgerEntry[]> {
    return allPages(this.reg, `VLEDGER#${programmeId}`, undefined, (i) => strip<LedgerEntry>(i));
  }
}

function claimItem(c: VoucherClaim): Item & Key {
  return {
    ...claimKey(c.id),
    type: 'voucher-claim',
    ...c,
    gsi1pk: `VCLAIMS#${c.platformId}`,
    gsi1sk: `${c.createdAt}#${c.id}`,
    gsi2pk: `VCLAIMS#ORG#${c.orgId}`,
    gsi2sk: `${c.createdAt}#${c.id}`,
  };
}

function claimUpdate(before: VoucherClaim, after: VoucherClaim): TxOp {
  const { id: _i, version: _v, ...fields } = after;
  return {
    kind: 'update',
    key: claimKey(before.id),
    set: fields,
    expectVersion: before.version,
    condition: {
      expression: '#st = :pending',
      names: { '#st': 'status' },
      values: { ':pending': 'pending' },
    },
    onConflict: () => new ConflictError('CLAIM_DECIDED', `Voucher claim ${before.id} was decided meanwhile.`),
  };
}

/**
 * The voucher use cases' dependencies on the real adapters: codes from the crypto random source, a
 * jittered exponential backoff between attempts after a lost race (so concurrent issues against one
 * platform's quota spread out instead of colliding again).
 */
export function dynamoVoucherDeps(clock: Clock, reg: Registry = registry()): VoucherDeps {
  const store = new DynamoVoucherStore(reg);
  const orgs = new DynamoOrganisationStore(reg);
  return {
    vouchers: store,
    platforms: new DynamoPlatformStore(reg, orgs),
    orgs: { get: (id) => orgs.get(id), ofMember: (sub) => store.organisationOfMember(sub) },
    catalogue: new DynamoCatalogueStore(reg),
    evidence: (platformId, ids) => verifiedPlatformEvidence(platformId, ids, reg),
    sharing: new DynamoSharingStore(reg),
    clock,
    ids: ulidIds,
    random: (n) => new Uint8Array(randomBytes(n)),
    pause: (attempt) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)),
      ),
  };
}
/** Backoff after the n-th lost race: up to base × 2ⁿ ms, at most the cap (full jitter). */
const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 200;
