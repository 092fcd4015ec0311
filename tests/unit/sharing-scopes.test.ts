import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import { type Evaluation, type EvaluationRepo, getEvaluation } from '../../functions/core/evaluations.ts';
import type { SharingConsent, SharingScope } from '../../functions/core/sharing.ts';
import {
  type LedgerEntry,
  listLedger,
  listRedemptions,
  type MonthCounter,
  type PlatformLedger,
  type Redemption,
  report,
  type VoucherDeps,
  type VoucherProgramme,
  type VoucherRepo,
} from '../../functions/core/vouchers.ts';
import { fixedClock } from '../../functions/shared/clock.ts';
import type { Principal } from '../../functions/shared/roles.ts';

/**
 * Art. 11: observers read a platform's business data only while the data owner's consent covering the
 * scope is valid (Asia/Shanghai days) — `reports` for the self-evaluation report's content, `vouchers` for
 * the platform's voucher business — and every such read is audited with the consent it used.
 */
// 2026-06-10 in Shanghai, its last millisecond: "today" is 2026-06-10.
const NOW = '2026-06-10T15:59:59.999Z';
const observer: Principal = { sub: 'obs', roles: ['observer'] };
const officer: Principal = { sub: 'off', roles: ['officer'] };
const host: Principal = { sub: 'host', roles: ['applicant'] };

const consent = (
  scope: SharingScope[],
  validUntil: string,
  id = 'c1',
  platformId = 'p1',
): SharingConsent => ({
  id,
  platformId,
  dataOwner: '数据所有方',
  scope,
  validUntil,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'host',
});

/** The consent cases every scope is checked against: valid until yesterday / today / tomorrow, wrong scope, none. */
const cases = (scope: SharingScope) =>
  [
    ['valid until yesterday', [consent([scope], '2026-06-09')], false],
    ['valid until today', [consent([scope], '2026-06-10')], true],
    ['valid until tomorrow', [consent([scope], '2026-06-11')], true],
    ['covering another scope only', [consent(['evidence'], '2026-12-31')], false],
    ['no consent', [], false],
  ] as const;

// ————— reports: the self-evaluation report's content —————

const evaluation = (over: Partial<Evaluation> = {}): Evaluation => ({
  id: 'e-2026-p1',
  year: 2026,
  platformId: 'p1',
  orgId: 'org-1',
  hostName: '中山甲科技有限公司',
  status: 'published',
  executionName: 'eval-2026-p1',
  reportDeadline: '2026-05-31T15:59:59.999Z',
  report: {
    enterprisesServed: 42,
    partnerCount: 3,
    cases: 5,
    vouchersIssued: 10,
    vouchersSettled: 8,
    narrative: '年度服务情况',
    evidenceIds: ['ev1'],
  },
  reportSubmittedAt: '2026-05-20T02:00:00.000Z',
  reportSubmittedBy: 'host',
  evidenceManifest: [{ evidenceId: 'ev1', kind: 'annual-report', sha256: 'a'.repeat(64) } as never],
  scores: { c: 90 },
  score: 90,
  bandGrade: 'excellent',
  grade: 'excellent',
  gradedBy: 'off',
  publishedAt: '2026-06-01T00:00:00.000Z',
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-06-01T00:00:00.000Z',
  version: 5,
  ...over,
});

function evaluationDeps(e: Evaluation, consents: readonly SharingConsent[]) {
  const audit: AuditEvent[] = [];
  const deps = {
    repo: {
      get: async (_y: number, id: string) => (id === e.platformId ? e : undefined),
    } as unknown as EvaluationRepo,
    platforms: {
      get: async () => ({ id: 'p1', orgId: 'org-1', status: 'active' }) as never,
      hostMembers: async () => ['host'],
      listActive: async () => ({ items: [] }),
    },
    sharing: { list: async () => [...consents], record: async (a: AuditEvent) => void audit.push(a) },
    clock: fixedClock(NOW),
  };
  return { deps, audit };
}
const ledger = async () => ({ enterprisesServed: 31, committedEnterprises: 30, meetsCommitment: true });

describe('reports: an observer sees the submitted report only under a valid consent', () => {
  it.each(cases('reports'))('%s → report shown: %s', async (_label, consents, shown) => {
    // Prepare
    const { deps, audit } = evaluationDeps(evaluation(), consents);
    // Act
    const view = await getEvaluation(deps, observer, 2026, 'p1', ledger);
    // Assess: status and the published grade always; the report's content only when shared
    expect(view).toMatchObject({ status: 'published', grade: 'excellent', score: 90 });
    expect(view.report !== undefined).toBe(shown);
    expect(view.evidenceManifest !== undefined).toBe(shown);
    expect(view.reportSubmittedAt !== undefined).toBe(shown);
    expect(view.withheld).toEqual(shown ? ['vouchers'] : ['reports', 'vouchers']);
    expect(view).not.toHaveProperty('ledgerFigures');
    expect(view).not.toHaveProperty('scores');
    expect(view).not.toHaveProperty('reportSubmittedBy');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'observer.accessed',
      actor: { sub: 'obs' },
      detail: {
        route: 'getEvaluation',
        platformId: 'p1',
        shared: shown ? [{ scope: 'reports', consentId: 'c1' }] : [],
        withheld: view.withheld,
      },
    });
  });

  it.each(cases('vouchers'))('vouchers %s → ledger figures shown: %s', async (_label, consents, shown) => {
    const { deps, audit } = evaluationDeps(evaluation(), consents);
    const view = await getEvaluation(deps, observer, 2026, 'p1', ledger);
    expect(view.ledgerFigures).toEqual(shown ? await ledger() : undefined);
    expect(view.report).toBeUndefined();
    expect(audit[0]?.detail).toMatchObject({ shared: shown ? [{ scope: 'vouchers', consentId: 'c1' }] : [] });
  });

  it('a draft report is not shown even under a consent (it is not submitted yet)', async () => {
    const draft = evaluation({
      status: 'awaiting_report',
      reportSubmittedAt: undefined,
      evidenceManifest: undefined,
      grade: undefined,
      score: undefined,
      publishedAt: undefined,
    });
    const { deps } = evaluationDeps(draft, [consent(['reports'], '2026-12-31')]);
    const view = await getEvaluation(deps, observer, 2026, 'p1');
    expect(view.report).toBeUndefined();
    expect(view.status).toBe('awaiting_report');
    expect(view.withheld).toEqual(['vouchers']);
  });

  it('an unpublished grade stays hidden from an observer even with both consents', async () => {
    const graded = evaluation({ status: 'graded', publishedAt: undefined });
    const { deps } = evaluationDeps(graded, [consent(['reports', 'vouchers'], '2026-12-31')]);
    const view = await getEvaluation(deps, observer, 2026, 'p1', ledger);
    expect(view.report).toBeDefined();
    expect(view.ledgerFigures).toBeDefined();
    expect(view.withheld).toEqual([]);
    expect(view.grade).toBeUndefined();
    expect(view.score).toBeUndefined();
  });

  it('staff and the host need no consent, are not recorded as observers and see the ledger figures', async () => {
    const { deps, audit } = evaluationDeps(evaluation(), []);
    for (const who of [officer, host, { sub: 'o2', roles: ['officer', 'observer'] } as Principal]) {
      const view = await getEvaluation(deps, who, 2026, 'p1', ledger);
      expect(view.report).toBeDefined();
      expect(view.ledgerFigures).toEqual(await ledger());
      expect(view.withheld).toBeUndefined();
    }
    expect(audit).toHaveLength(0);
  });
});

// ————— vouchers: a platform's voucher business in a programme's report, ledger and redemptions —————

const programme: VoucherProgramme = {
  id: 'vp1',
  name: '2026 算力券',
  budgetCny: 1_000_000,
  validFrom: '2026-03-01T00:00:00.000Z',
  validUntil: '2026-12-31T15:59:59.999Z',
  maxSubsidyRatio: 0.3,
  perEnterpriseAnnualCapCny: 500_000,
  faceValue: { min: 1_000, max: 200_000 } as never,
  voucherValidityDays: 180,
  unallocatedCny: 700_000,
  createdBy: 'off',
  createdAt: '2026-03-01T00:00:00.000Z',
  version: 1,
};
const ledgerOf = (platformId: string, allocated: number, issued: number): PlatformLedger => ({
  programmeId: 'vp1',
  platformId,
  allocatedCny: allocated,
  availableCny: allocated - issued,
  issuedCny: issued,
  redeemedCny: 0,
  settledCny: 0,
  expiredCny: 0,
});
const month = (platformId: string, allocated: number, issued: number): MonthCounter => ({
  platformId,
  month: '2026-04',
  figures: { allocationCny: allocated, issueCny: issued, issueCount: issued ? 1 : 0 },
});
const entry = (id: string, kind: LedgerEntry['kind'], platformId?: string): LedgerEntry => ({
  id,
  programmeId: 'vp1',
  at: '2026-04-01T00:00:00.000Z',
  kind,
  amountCny: 1_000,
  from: kind === 'budget' ? 'none' : kind === 'allocation' ? 'unallocated' : 'available',
  to: kind === 'budget' ? 'unallocated' : kind === 'allocation' ? 'available' : 'issued',
  ...(platformId ? { platformId } : {}),
  actor: 'x',
});
const redemption = (id: string, platformId: string) =>
  ({ id, platformId, programmeId: 'vp1', status: 'pending_settlement', subsidyCny: 1_000 }) as Redemption;

function voucherDeps(consents: readonly SharingConsent[]) {
  const audit: AuditEvent[] = [];
  const vouchers = {
    getProgramme: async (id: string) => (id === 'vp1' ? programme : undefined),
    listLedgers: async () => [ledgerOf('p1', 200_000, 50_000), ledgerOf('p2', 100_000, 20_000)],
    listMonths: async () => [month('p1', 200_000, 50_000), month('p2', 100_000, 20_000)],
    servedCount: async (platformId: string) => (platformId === 'p1' ? 31 : 4),
    listEntries: async () => ({
      items: [
        entry('l1', 'budget'),
        entry('l2', 'allocation', 'p1'),
        entry('l3', 'allocation', 'p2'),
        entry('l4', 'issue', 'p1'),
        entry('l5', 'issue', 'p2'),
      ],
      nextCursor: 'next',
    }),
    listRedemptions: async () => ({ items: [redemption('r1', 'p1'), redemption('r2', 'p2')] }),
  } as unknown as VoucherRepo;
  const deps = {
    vouchers,
    platforms: {
      get: async (id: string) =>
        ({ id, hostName: `平台${id}`, orgId: `org-${id}`, status: 'active' }) as never,
      hostMembers: async () => [],
    },
    sharing: {
      list: async (platformId: string) => consents.filter((c) => c.platformId === platformId),
      record: async (a: AuditEvent) => void audit.push(a),
    },
    clock: fixedClock(NOW),
  } as unknown as VoucherDeps;
  return { deps, audit };
}

describe('vouchers: an observer sees a platform’s voucher business only under a valid consent', () => {
  it.each(cases('vouchers'))('p1 %s → p1 shown: %s (p2 never consented)', async (_label, consents, shown) => {
    // Prepare
    const { deps, audit } = voucherDeps(consents);
    // Act
    const r = await report(deps, observer, 'vp1');
    const l = await listLedger(deps, observer, 'vp1', { limit: 10 });
    const red = await listRedemptions(deps, observer, 'vp1', { limit: 10 });
    // Assess: the programme's own budget accounting stays
    expect(r.totals).toMatchObject({ budgetCny: 1_000_000, unallocatedCny: 700_000, issuedCny: 70_000 });
    expect(r.balanced).toBe(true);
    expect(r.platforms.map((p) => p.platformId)).toEqual(shown ? ['p1'] : []);
    expect(new Set(r.enterprisesServed.map((s) => s.platformId))).toEqual(new Set(shown ? ['p1'] : []));
    expect(r.withheld).toEqual({
      scope: 'vouchers',
      platforms: [
        ...(shown ? [] : [{ platformId: 'p1', hostName: '平台p1', allocatedCny: 200_000 }]),
        { platformId: 'p2', hostName: '平台p2', allocatedCny: 100_000 },
      ],
    });
    // the budget and the allocations are the office's own movements; issues are the platforms' business
    expect(l.items.map((e) => e.id)).toEqual(shown ? ['l1', 'l2', 'l3', 'l4'] : ['l1', 'l2', 'l3']);
    expect(l.nextCursor).toBe('next');
    expect(l.withheld).toEqual({ scope: 'vouchers', platformIds: shown ? ['p2'] : ['p1', 'p2'] });
    expect(red.items.map((x) => x.id)).toEqual(shown ? ['r1'] : []);
    expect(red.withheld).toEqual({ scope: 'vouchers', platformIds: shown ? ['p2'] : ['p1', 'p2'] });
    // every read audited, with the consent it used
    expect(audit.map((a) => a.detail.route)).toEqual([
      'getVoucherReport',
      'listVoucherLedger',
      'listVoucherRedemptions',
    ]);
    for (const a of audit) {
      expect(a).toMatchObject({
        action: 'observer.accessed',
        entityType: 'voucher_programme',
        entityId: 'vp1',
      });
      expect(a.detail.shared).toEqual(shown ? [{ platformId: 'p1', consentId: 'c1' }] : []);
    }
  });

  it('staff see every platform, unfiltered and not recorded as observers', async () => {
    const { deps, audit } = voucherDeps([]);
    const r = await report(deps, officer, 'vp1');
    const l = await listLedger(deps, officer, 'vp1', { limit: 10 });
    const red = await listRedemptions(deps, { sub: 'a', roles: ['approver', 'observer'] }, 'vp1', {
      limit: 10,
    });
    expect(r.platforms.map((p) => p.platformId)).toEqual(['p1', 'p2']);
    expect(r.withheld).toBeUndefined();
    expect(l.items).toHaveLength(5);
    expect(l.withheld).toBeUndefined();
    expect(red.items).toHaveLength(2);
    expect(audit).toHaveLength(0);
  });

  it('an unknown programme is 404 before any consent is read or any read recorded', async () => {
    const { deps, audit } = voucherDeps([]);
    await expect(report(deps, observer, 'nope')).rejects.toMatchObject({ status: 404 });
    await expect(listLedger(deps, observer, 'nope', { limit: 10 })).rejects.toMatchObject({ status: 404 });
    expect(audit).toHaveLength(0);
  });
});
