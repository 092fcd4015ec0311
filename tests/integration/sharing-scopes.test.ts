import '../support/quiet-logs.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../functions/adapters/registry.ts';
import { type Evaluation, evaluationKeys } from '../../functions/core/evaluations.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
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

/**
 * Art. 11 on DynamoDB Local through the real handlers: observers read a platform's self-evaluation report
 * (`reports`) and its voucher business (`vouchers`) only while the data owner's consent covering the scope
 * is valid today (Asia/Shanghai); each platform below has one kind of consent. Every read is audited with
 * the consents it used.
 */
const { handler: operations } = await import('../../functions/api/operations.ts');
const { handler: evaluation } = await import('../../functions/api/evaluation.ts');

// 2026-03-10 10:00 in Shanghai.
const NOW = '2026-03-10T02:00:00.000Z';
const YESTERDAY = '2026-03-09T02:00:00.000Z';
const buyer: Caller = { sub: 'sharing-buyer', roles: ['applicant'] };

/** Which consent each platform's data owner recorded, and whether observers may see its data today. */
const CASES = [
  {
    name: 'yesterday',
    scope: ['reports', 'vouchers'],
    validUntil: '2026-03-09',
    at: YESTERDAY,
    shared: false,
  },
  { name: 'today', scope: ['reports', 'vouchers'], validUntil: '2026-03-10', at: NOW, shared: true },
  { name: 'tomorrow', scope: ['reports', 'vouchers'], validUntil: '2026-03-11', at: NOW, shared: true },
  { name: 'wrongscope', scope: ['evidence'], validUntil: '2026-12-31', at: NOW, shared: false },
  { name: 'none', scope: [], validUntil: '', at: NOW, shared: false },
] as const;
const platforms = new Map<string, VoucherPlatform>();
const consentIds = new Map<string, string>();
let programmeId = '';

async function send(
  handler: typeof operations,
  routeKey: string,
  caller: Caller,
  opts: Record<string, unknown>,
) {
  const res = await handler(apiEvent(routeKey, { caller, ...opts }), lambdaContext());
  return { status: res.statusCode, body: jsonBody<Record<string, unknown>>(res) };
}

/** A published evaluation with a submitted report, as the sign-off leaves it. */
async function publishedEvaluation(platformId: string): Promise<void> {
  const e: Evaluation = {
    id: `e-2026-${platformId}`,
    year: 2026,
    platformId,
    orgId: 'org',
    hostName: `平台${platformId}`,
    status: 'published',
    executionName: `eval-2026-${platformId}`,
    reportDeadline: '2026-02-28T15:59:59.999Z',
    report: {
      enterprisesServed: 35,
      partnerCount: 4,
      cases: 6,
      vouchersIssued: 12,
      vouchersSettled: 9,
      narrative: '全年服务制造企业 35 家',
      evidenceIds: ['ev-annual'],
    },
    reportSubmittedAt: '2026-02-20T02:00:00.000Z',
    reportSubmittedBy: 'host',
    evidenceManifest: [{ evidenceId: 'ev-annual', kind: 'annual-report', sha256: 'b'.repeat(64) } as never],
    score: 92,
    grade: 'excellent',
    publishedAt: '2026-03-01T02:00:00.000Z',
    createdAt: '2026-01-05T02:00:00.000Z',
    updatedAt: '2026-03-01T02:00:00.000Z',
    version: 6,
  };
  await registry().transact({
    ops: [
      { kind: 'put', item: { ...evaluationKeys.evaluation(2026, platformId), type: 'evaluation', ...e } },
    ],
  });
}

beforeAll(async () => {
  await useLocalServices('sharingscopes');
  setClock(new Date(NOW), 'fixed');
  await enterprise(buyer);
  const programme = await api('POST /v1/voucher-programmes', officer, {
    body: {
      name: '2026 年算力券（共享测试）',
      budgetCny: 1_000_000,
      validFrom: '2026-03-01T00:00:00+08:00',
      validUntil: '2026-12-31T23:59:59.999+08:00',
    },
  });
  expect(programme.status).toBe(201);
  programmeId = String(programme.body.id);
  for (const c of CASES) {
    setClock(new Date(NOW), 'fixed');
    const p = await voucherPlatform(`share${c.name}`, NOW);
    platforms.set(c.name, p);
    await publishedEvaluation(p.id);
    const allocated = await api('POST /v1/voucher-programmes/{id}/allocations', officer, {
      params: { id: programmeId },
      body: { platformId: p.id, quotaCny: 100_000 },
    });
    expect(allocated.status).toBe(201);
    const claim = await api('POST /v1/platforms/{platformId}/voucher-claims', buyer, {
      params: { platformId: p.id },
      body: { programmeId, requestedCny: 10_000, purpose: '模型训练' },
    });
    expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    const issued = await api('POST /v1/voucher-claims/{id}/decision', p.host, {
      params: { id: String(claim.body.id) },
      body: { decision: 'issue', faceValueCny: 10_000 },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const redeemed = await api('POST /v1/vouchers/{code}/redemptions', p.host, {
      params: { code: String((issued.body.voucher as { code: string }).code) },
      body: {
        supplierUscc: p.supplierUscc,
        serviceId: 'gpu',
        contractNo: `HT-${c.name}`,
        contractAmountCny: 100_000,
        subsidyCny: 10_000,
        evidenceIds: [...p.evidenceIds],
      },
    });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(201);
    if (!c.validUntil) continue;
    // A consent is recorded from its first day: "valid until yesterday" was recorded yesterday.
    setClock(new Date(c.at), 'fixed');
    const consent = await send(operations, 'POST /v1/platforms/{platformId}/sharing-consents', p.host, {
      params: { platformId: p.id },
      body: { dataOwner: '中山某制造企业', scope: c.scope, validUntil: c.validUntil },
    });
    expect(consent.status, JSON.stringify(consent.body)).toBe(201);
    consentIds.set(c.name, String(consent.body.id));
  }
  setClock(new Date(NOW), 'fixed');
}, 60_000);
afterAll(() => setClock(undefined));

describe('reports: the self-evaluation report under consent', () => {
  it.each(CASES)('consent $name → an observer sees the report: $shared', async (c) => {
    // Prepare
    const p = platforms.get(c.name) as VoucherPlatform;
    // Act
    const res = await send(evaluation, 'GET /v1/evaluation-cycles/{year}/platforms/{platformId}', observer, {
      params: { year: '2026', platformId: p.id },
    });
    const staff = await send(
      evaluation,
      'GET /v1/evaluation-cycles/{year}/platforms/{platformId}',
      approver,
      {
        params: { year: '2026', platformId: p.id },
      },
    );
    // Assess: the grade is evaluation data observers always see; the report and the ledger figures are shared data
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'published', grade: 'excellent', score: 92 });
    expect(res.body.report !== undefined).toBe(c.shared);
    expect(res.body.evidenceManifest !== undefined).toBe(c.shared);
    expect(res.body.ledgerFigures !== undefined).toBe(c.shared);
    expect(res.body.withheld).toEqual(c.shared ? [] : ['reports', 'vouchers']);
    expect(res.body).not.toHaveProperty('reportSubmittedBy');
    expect(staff.body).toMatchObject({
      report: { narrative: '全年服务制造企业 35 家' },
      ledgerFigures: { enterprisesServed: 1 },
    });
    const audit = (await registry().listAudit(`e-2026-${p.id}`, 20)).items.filter(
      (a) => a.action === 'observer.accessed',
    );
    expect(audit).toHaveLength(1);
    const consentId = consentIds.get(c.name);
    expect(audit[0]?.detail).toMatchObject({
      route: 'getEvaluation',
      shared: c.shared
        ? [
            { scope: 'reports', consentId },
            { scope: 'vouchers', consentId },
          ]
        : [],
    });
  });
});

describe('vouchers: the programme’s report, ledger and redemptions under consent', () => {
  it('an observer sees the voucher business of the platforms whose consent is valid today only; all audited', async () => {
    // Prepare
    const ids = (shared: boolean) =>
      CASES.filter((c) => c.shared === shared).map((c) => (platforms.get(c.name) as VoucherPlatform).id);
    const sharedIds = ids(true);
    const withheldIds = ids(false);
    // Act
    const report = await api('GET /v1/voucher-programmes/{id}/report', observer, {
      params: { id: programmeId },
    });
    const ledger = await api('GET /v1/voucher-programmes/{id}/ledger', observer, {
      params: { id: programmeId },
      query: { limit: '100' },
    });
    const redemptions = await api('GET /v1/voucher-programmes/{id}/redemptions', observer, {
      params: { id: programmeId },
      query: { limit: '100' },
    });
    const staffReport = await api('GET /v1/voucher-programmes/{id}/report', approver, {
      params: { id: programmeId },
    });
    // Assess: the report — totals are the programme's own budget accounting, per platform only the shared
    expect(report.status).toBe(200);
    const r = report.body as {
      totals: Record<string, number>;
      balanced: boolean;
      platforms: { platformId: string }[];
      enterprisesServed: { platformId: string }[];
      withheld: { scope: string; platforms: { platformId: string; allocatedCny: number }[] };
    };
    expect(r.totals).toEqual((staffReport.body as { totals: unknown }).totals);
    expect(r.totals).toMatchObject({ budgetCny: 1_000_000, unallocatedCny: 500_000, redeemedCny: 50_000 });
    expect(r.balanced).toBe(true);
    expect(r.platforms.map((p) => p.platformId).sort()).toEqual([...sharedIds].sort());
    expect([...new Set(r.enterprisesServed.map((s) => s.platformId))].sort()).toEqual([...sharedIds].sort());
    expect(r.withheld.scope).toBe('vouchers');
    expect(r.withheld.platforms.map((p) => p.platformId).sort()).toEqual([...withheldIds].sort());
    expect(r.withheld.platforms.every((p) => p.allocatedCny === 100_000)).toBe(true);
    expect((staffReport.body.platforms as unknown[]).length).toBe(CASES.length);
    // the ledger — the budget and the allocations always; issues and redemptions of shared platforms only
    const entries = ledger.body.items as { kind: string; platformId?: string }[];
    expect(entries.filter((e) => e.kind === 'allocation')).toHaveLength(CASES.length);
    const business = entries.filter((e) => !['budget', 'allocation'].includes(e.kind));
    expect([...new Set(business.map((e) => e.platformId))].sort()).toEqual([...sharedIds].sort());
    expect(business.map((e) => e.kind)).toEqual(expect.arrayContaining(['issue', 'redemption']));
    expect((ledger.body.withheld as { platformIds: string[] }).platformIds.sort()).toEqual(
      [...withheldIds].sort(),
    );
    // the redemptions — only the shared platforms'
    const items = redemptions.body.items as { platformId: string }[];
    expect(items.map((x) => x.platformId).sort()).toEqual([...sharedIds].sort());
    expect((redemptions.body.withheld as { platformIds: string[] }).platformIds.sort()).toEqual(
      [...withheldIds].sort(),
    );
    // every observer read audited with the consents it used; the approver's read is not an observer's
    const audit = (await registry().listAudit(programmeId, 50)).items.filter(
      (a) => a.action === 'observer.accessed',
    );
    expect(audit.map((a) => a.detail.route).sort()).toEqual([
      'getVoucherReport',
      'listVoucherLedger',
      'listVoucherRedemptions',
    ]);
    for (const a of audit) {
      expect(a.actor.sub).toBe(observer.sub);
      expect(
        (a.detail.shared as { platformId: string; consentId: string }[])
          .map((s) => `${s.platformId}:${s.consentId}`)
          .sort(),
      ).toEqual(
        CASES.filter((c) => c.shared)
          .map((c) => `${(platforms.get(c.name) as VoucherPlatform).id}:${consentIds.get(c.name)}`)
          .sort(),
      );
    }
  });
});
