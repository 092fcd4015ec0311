import '../support/quiet-logs.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../functions/adapters/registry.ts';
import { DynamoVoucherStore } from '../../functions/adapters/voucher-store.ts';
import { setClock } from '../../functions/shared/clock.ts';
import type { Caller } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';
import {
  vouchersApi as api,
  approver,
  enterprise,
  observer,
  officer,
  type VoucherPlatform,
  voucherPlatform,
} from './support/voucher-world.ts';

/** The compute voucher ledger (Art. 6(3)) through the real handlers on DynamoDB Local. */
const NOW = '2026-03-10T02:00:00.000Z';
let A: VoucherPlatform;
let B: VoucherPlatform;
let programmeId = '';
const e1: Caller = { sub: 'enterprise-1', roles: ['applicant'] };
const e2: Caller = { sub: 'enterprise-2', roles: ['applicant'] };
let e1Uscc = '';

async function claimAndIssue(who: Caller, p: VoucherPlatform, cny: number, face = cny) {
  const claim = await api('POST /v1/platforms/{platformId}/voucher-claims', who, {
    params: { platformId: p.id },
    body: { programmeId, requestedCny: cny, purpose: '模型训练' },
  });
  expect(claim.status, JSON.stringify(claim.body)).toBe(201);
  const issued = await api('POST /v1/voucher-claims/{id}/decision', p.host, {
    params: { id: String(claim.body.id) },
    body: { decision: 'issue', faceValueCny: face },
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  return issued.body.voucher as { code: string; faceValueCny: number; expiresAt: string };
}

const redemption = (p: VoucherPlatform, over: Record<string, unknown> = {}) => ({
  supplierUscc: p.supplierUscc,
  serviceId: 'gpu',
  contractNo: `HT-${Math.random().toString(36).slice(2, 10)}`,
  contractAmountCny: 100_000,
  subsidyCny: 20_000,
  evidenceIds: [...p.evidenceIds],
  ...over,
});

/** The supervision report as the approver reads it (observers see only consented platforms: sharing-scopes.test.ts). */
async function report() {
  const r = await api('GET /v1/voucher-programmes/{id}/report', approver, { params: { id: programmeId } });
  expect(r.status).toBe(200);
  return r.body as {
    balanced: boolean;
    totals: Record<
      'unallocatedCny' | 'availableCny' | 'issuedCny' | 'redeemedCny' | 'settledCny' | 'expiredCny',
      number
    >;
    platforms: { platformId: string; buckets: Record<string, number>; months: Record<string, unknown>[] }[];
    enterprisesServed: { platformId: string; year: number; count: number; meetsCommitment: boolean }[];
  };
}

beforeAll(async () => {
  await useLocalServices('vouchers');
  setClock(new Date(NOW), 'fixed');
  A = await voucherPlatform('A', NOW);
  B = await voucherPlatform('B', NOW);
  e1Uscc = (await enterprise(e1)).uscc;
  await enterprise(e2);
});
afterAll(() => setClock(undefined));

describe('programmes and allocations', () => {
  it('creates a programme with the documented defaults, lists it and refuses an inconsistent one', async () => {
    // Act
    const created = await api('POST /v1/voucher-programmes', officer, {
      body: {
        name: '2026 年算力券',
        budgetCny: 500_000,
        validFrom: '2026-03-01T00:00:00+08:00',
        validUntil: '2026-12-31T23:59:59.999+08:00',
      },
    });
    const bad = await api('POST /v1/voucher-programmes', officer, {
      body: {
        name: 'x',
        budgetCny: 500_000,
        validFrom: '2026-03-01T00:00:00Z',
        validUntil: '2026-02-01T00:00:00Z',
      },
    });
    programmeId = String(created.body.id);
    const list = await api('GET /v1/voucher-programmes', observer);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      budgetCny: 500_000,
      unallocatedCny: 500_000,
      maxSubsidyRatio: 0.3,
      faceValue: { minCny: 1_000, maxCny: 200_000 },
      voucherValidityDays: 180,
    });
    expect(bad.status).toBe(400);
    expect((list.body.items as { id: string }[]).map((p) => p.id)).toContain(programmeId);
  });

  it('allocates quota, tops it up, and never beyond the unallocated budget', async () => {
    // Act
    const a = await api('POST /v1/voucher-programmes/{id}/allocations', officer, {
      params: { id: programmeId },
      body: { platformId: A.id, quotaCny: 200_000 },
    });
    const b = await api('POST /v1/voucher-programmes/{id}/allocations', officer, {
      params: { id: programmeId },
      body: { platformId: B.id, quotaCny: 100_000 },
    });
    const topUp = await api('POST /v1/voucher-programmes/{id}/allocations', officer, {
      params: { id: programmeId },
      body: { platformId: A.id, quotaCny: 100_000 },
    });
    const over = await api('POST /v1/voucher-programmes/{id}/allocations', officer, {
      params: { id: programmeId },
      body: { platformId: B.id, quotaCny: 100_001 },
    });
    const unknown = await api('POST /v1/voucher-programmes/{id}/allocations', officer, {
      params: { id: programmeId },
      body: { platformId: 'p-none', quotaCny: 1 },
    });
    const programme = await api('GET /v1/voucher-programmes/{id}', officer, { params: { id: programmeId } });

    // Assess
    expect([a.status, b.status, topUp.status]).toEqual([201, 201, 201]);
    expect(topUp.body).toMatchObject({ allocatedCny: 300_000, availableCny: 300_000 });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('BUDGET_EXCEEDED');
    expect(unknown.body.code).toBe('PLATFORM_UNKNOWN');
    expect(programme.body.unallocatedCny).toBe(100_000);
  });
});

describe('claims and issue', () => {
  it('refuses a claim without an organisation, on an unallocated platform, and a decision by another host (404)', async () => {
    // Prepare
    const stranger: Caller = { sub: 'no-org', roles: ['applicant'] };
    const C = await voucherPlatform('C', NOW);

    // Act
    const noOrg = await api('POST /v1/platforms/{platformId}/voucher-claims', stranger, {
      params: { platformId: A.id },
      body: { programmeId, requestedCny: 10_000, purpose: 'x' },
    });
    const notAllocated = await api('POST /v1/platforms/{platformId}/voucher-claims', e1, {
      params: { platformId: C.id },
      body: { programmeId, requestedCny: 10_000, purpose: 'x' },
    });
    const tooSmall = await api('POST /v1/platforms/{platformId}/voucher-claims', e1, {
      params: { platformId: A.id },
      body: { programmeId, requestedCny: 999, purpose: 'x' },
    });
    const claim = await api('POST /v1/platforms/{platformId}/voucher-claims', e1, {
      params: { platformId: A.id },
      body: { programmeId, requestedCny: 10_000, purpose: 'x' },
    });
    const byOtherHost = await api('POST /v1/voucher-claims/{id}/decision', B.host, {
      params: { id: String(claim.body.id) },
      body: { decision: 'issue' },
    });
    const otherHostList = await api('GET /v1/platforms/{platformId}/voucher-claims', B.host, {
      params: { platformId: A.id },
    });
    const rejectNoReason = await api('POST /v1/voucher-claims/{id}/decision', A.host, {
      params: { id: String(claim.body.id) },
      body: { decision: 'reject' },
    });
    const rejected = await api('POST /v1/voucher-claims/{id}/decision', A.host, {
      params: { id: String(claim.body.id) },
      body: { decision: 'reject', reason: '用途不符' },
    });
    const again = await api('POST /v1/voucher-claims/{id}/decision', A.host, {
      params: { id: String(claim.body.id) },
      body: { decision: 'issue' },
    });

    // Assess
    expect(noOrg.body.code).toBe('ORGANISATION_REQUIRED');
    expect(notAllocated.body.code).toBe('NOT_ALLOCATED');
    expect(tooSmall.body.code).toBe('FACE_VALUE_OUT_OF_RANGE');
    expect(claim.status).toBe(201);
    expect(byOtherHost.status).toBe(404);
    expect(otherHostList.status).toBe(404);
    expect(rejectNoReason.status).toBe(400);
    expect(rejected.body.status).toBe('rejected');
    expect(again.body.code).toBe('CLAIM_DECIDED');
  });

  it('issues a voucher with a unique code, face value within the rules, expiry, and audit events', async () => {
    // Act
    const v = await claimAndIssue(e1, A, 50_000);
    const tooBig = await api('POST /v1/platforms/{platformId}/voucher-claims', e1, {
      params: { platformId: A.id },
      body: { programmeId, requestedCny: 300_000, purpose: 'x' },
    });
    const over = await api('POST /v1/voucher-claims/{id}/decision', A.host, {
      params: { id: String(tooBig.body.id) },
      body: { decision: 'issue', faceValueCny: 200_001 },
    });
    const mine = await api('GET /v1/voucher-claims', e1);
    const audit = await registry().listAudit(v.code, 10);

    // Assess
    expect(v.code).toMatch(/^ZSV-[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(v.faceValueCny).toBe(50_000);
    expect(v.expiresAt).toBe('2026-09-06T02:00:00.000Z');
    expect(over.body.code).toBe('FACE_VALUE_OUT_OF_RANGE');
    expect(
      (mine.body.items as { voucher?: { code: string } }[]).some((c) => c.voucher?.code === v.code),
    ).toBe(true);
    expect(audit.items.map((e) => e.action)).toEqual(['voucher.issued']);
  });

  it('refuses an issue beyond the platform quota and beyond the enterprise annual cap', async () => {
    // Prepare: platform B has 100,000; e2 is capped at 500,000 a year in this programme.
    const claim = await api('POST /v1/platforms/{platformId}/voucher-claims', e2, {
      params: { platformId: B.id },
      body: { programmeId, requestedCny: 150_000, purpose: 'x' },
    });

    // Act
    const quota = await api('POST /v1/voucher-claims/{id}/decision', B.host, {
      params: { id: String(claim.body.id) },
      body: { decision: 'issue', faceValueCny: 100_001 },
    });
    const ledger = await report();

    // Assess
    expect(quota.status).toBe(409);
    expect(quota.body.code).toBe('QUOTA_EXHAUSTED');
    expect(ledger.platforms.find((p) => p.platformId === B.id)?.buckets.availableCny).toBe(100_000);
  });
});

describe('redemption refusals and settlement', () => {
  it('refuses related parties, foreign catalogue entries, caps, missing evidence; accepts a proper one once', async () => {
    // Prepare
    const v = await claimAndIssue(e2, A, 30_000);
    const redeem = (body: Record<string, unknown>, host = A.host, code = v.code) =>
      api('POST /v1/vouchers/{code}/redemptions', host, { params: { code }, body });

    // Act
    const self = await redeem(redemption(A, { supplierUscc: (await enterpriseUscc(e2)) ?? '' }));
    // The host organisation itself buys from its consortium member (both in platform A's group).
    const hostVoucher = await claimAndIssue(A.host, A, 10_000);
    const consortium = await redeem(
      redemption(A, { supplierUscc: A.consortiumUscc, serviceId: 'consortium-gpu', subsidyCny: 1_000 }),
      A.host,
      hostVoucher.code,
    );
    const hidden = await redeem(redemption(A, { serviceId: 'hidden-gpu' }));
    const model = await redeem(redemption(A, { serviceId: 'llm' }));
    const otherSupplier = await redeem(redemption(A, { supplierUscc: B.supplierUscc }));
    const overFace = await redeem(redemption(A, { subsidyCny: 30_001, contractAmountCny: 1_000_000 }));
    const overRatio = await redeem(redemption(A, { subsidyCny: 3_001, contractAmountCny: 10_000 }));
    const noEvidence = await redeem(redemption(A, { evidenceIds: ['ev-none'] }));
    const otherHost = await redeem(redemption(A), B.host);
    const ok = await redeem(
      redemption(A, { contractNo: 'HT-2026/001', subsidyCny: 3_000, contractAmountCny: 10_000 }),
    );
    const twice = await redeem(redemption(A));

    // Assess
    expect([self.status, self.body.code]).toEqual([409, 'RELATED_PARTY']);
    expect([consortium.status, consortium.body.code]).toEqual([409, 'RELATED_PARTY']);
    expect(hidden.body.code).toBe('SUPPLIER_NOT_IN_CATALOGUE');
    expect(model.body.code).toBe('SUPPLIER_NOT_IN_CATALOGUE');
    expect(otherSupplier.body.code).toBe('SUPPLIER_NOT_IN_CATALOGUE');
    expect([overFace.status, overFace.body.code]).toEqual([422, 'SUBSIDY_CAP_EXCEEDED']);
    expect(overRatio.body.code).toBe('SUBSIDY_CAP_EXCEEDED');
    expect(noEvidence.body.code).toBe('EVIDENCE_NOT_VERIFIED');
    expect(otherHost.status).toBe(404);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ status: 'pending_settlement', subsidyCny: 3_000, returnedCny: 27_000 });
    expect([twice.status, twice.body.code]).toEqual([409, 'VOUCHER_ALREADY_REDEEMED']);
    const officers = await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'NOTIFY#officer' },
    });
    expect(officers.items.filter((n) => n.entityId === ok.body.id).map((n) => n.event)).toEqual([
      'redemption.filed',
    ]);
  });

  it('refuses the same contract subsidised twice (normalised number, another voucher)', async () => {
    // Prepare
    const v1 = await claimAndIssue(e1, A, 10_000);
    const v2 = await claimAndIssue(e2, A, 10_000);
    const body = redemption(A, { contractNo: 'ZS-2026-777', subsidyCny: 1_000, contractAmountCny: 10_000 });

    // Act
    const first = await api('POST /v1/vouchers/{code}/redemptions', A.host, {
      params: { code: v1.code },
      body,
    });
    const second = await api('POST /v1/vouchers/{code}/redemptions', A.host, {
      params: { code: v2.code },
      body: { ...body, contractNo: 'zs 2026 777' },
    });
    const voucher = await new DynamoVoucherStore().getVoucher(v2.code);

    // Assess
    expect(first.status).toBe(201);
    expect([second.status, second.body.code]).toEqual([409, 'CONTRACT_ALREADY_SUBSIDISED']);
    expect(voucher?.status).toBe('issued');
  });

  it('settles: approve pays out, reject returns the subsidy and frees the contract for a corrected filing', async () => {
    // Prepare
    const v1 = await claimAndIssue(e1, B, 20_000);
    const v2 = await claimAndIssue(e1, B, 20_000);
    const body = redemption(B, { contractNo: 'B-1', subsidyCny: 15_000, contractAmountCny: 60_000 });
    const r1 = await api('POST /v1/vouchers/{code}/redemptions', B.host, { params: { code: v1.code }, body });
    const r2 = await api('POST /v1/vouchers/{code}/redemptions', B.host, {
      params: { code: v2.code },
      body: { ...body, contractNo: 'B-2' },
    });

    // Act
    const approve = await api('POST /v1/redemptions/{id}/settlement', officer, {
      params: { id: String(r1.body.id) },
      body: { decision: 'approve', opinion: '凭证齐全' },
    });
    const reject = await api('POST /v1/redemptions/{id}/settlement', officer, {
      params: { id: String(r2.body.id) },
      body: { decision: 'reject', opinion: '发票不符' },
    });
    const again = await api('POST /v1/redemptions/{id}/settlement', officer, {
      params: { id: String(r1.body.id) },
      body: { decision: 'reject', opinion: 'x' },
    });
    const v3 = await claimAndIssue(e1, B, 20_000);
    const corrected = await api('POST /v1/vouchers/{code}/redemptions', B.host, {
      params: { code: v3.code },
      body: { ...body, contractNo: 'B-2' },
    });
    const pending = await api('GET /v1/voucher-programmes/{id}/redemptions', officer, {
      params: { id: programmeId },
    });
    const audit = await registry().listAudit(String(r2.body.id), 10);

    // Assess
    expect(approve.body.status).toBe('settled');
    expect(reject.body.status).toBe('settlement_rejected');
    expect(again.body.code).toBe('REDEMPTION_SETTLED');
    expect(corrected.status).toBe(201);
    expect((pending.body.items as unknown[]).length).toBeGreaterThanOrEqual(4);
    expect((await new DynamoVoucherStore().getVoucher(v2.code))?.status).toBe('settlement_rejected');
    expect(audit.items.map((e) => e.action)).toEqual(['redemption.filed', 'redemption.settlement_rejected']);
  });
});

describe('expiry, the report and the ledger', () => {
  it('expires an issued voucher once at expiresAt; it cannot be redeemed after; the report balances', async () => {
    // Prepare
    const v = await claimAndIssue(e2, B, 5_000);
    const { handler: job } = await import('../../functions/jobs/deadlines.ts');

    // Act
    setClock(new Date(Date.parse(v.expiresAt) - 1), 'fixed');
    const before = await job();
    setClock(new Date(v.expiresAt), 'fixed');
    const first = await job();
    const second = await job();
    const late = await api('POST /v1/vouchers/{code}/redemptions', B.host, {
      params: { code: v.code },
      body: redemption(B, { subsidyCny: 1_000, contractAmountCny: 10_000 }),
    });
    const r = await report();
    const ledger = await api('GET /v1/voucher-programmes/{id}/ledger', approver, {
      params: { id: programmeId },
      query: { limit: '100' },
    });
    const unauth = await api('GET /v1/voucher-programmes/{id}/report', undefined, {
      params: { id: programmeId },
    });
    setClock(new Date(NOW), 'fixed');

    // Assess
    expect(before.byType['voucher-expiry']).toBeUndefined();
    // Every voucher issued at NOW expires at the same instant; none was expired twice.
    expect(first.byType['voucher-expiry']?.acted).toBeGreaterThanOrEqual(1);
    expect(first.byType['voucher-expiry']?.acted).toBe(first.byType['voucher-expiry']?.examined);
    expect((await new DynamoVoucherStore().getVoucher(v.code))?.status).toBe('expired');
    expect(second.byType['voucher-expiry']).toBeUndefined();
    expect([late.status, late.body.code]).toEqual([409, 'VOUCHER_EXPIRED']);
    expect(r.balanced).toBe(true);
    const t = r.totals;
    expect(
      t.unallocatedCny + t.availableCny + t.issuedCny + t.redeemedCny + t.settledCny + t.expiredCny,
    ).toBe(500_000);
    expect(t.expiredCny).toBeGreaterThanOrEqual(5_000);
    expect(t.settledCny).toBe(15_000);
    const served = r.enterprisesServed.find((s) => s.platformId === A.id && s.year === 2026);
    expect(served).toMatchObject({ count: 2, meetsCommitment: false });
    expect((ledger.body.items as { kind: string }[]).map((e) => e.kind)).toContain('expiry');
    expect(unauth.status).toBe(401);
  });
});

async function enterpriseUscc(who: Caller): Promise<string | undefined> {
  return (
    (await new DynamoVoucherStore().organisationOfMember(who.sub))?.uscc ?? (who === e1 ? e1Uscc : undefined)
  );
}
