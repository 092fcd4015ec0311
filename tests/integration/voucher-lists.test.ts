import '../support/quiet-logs.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCounter } from '../../bench/support/dynamo-counter.ts';
import { dynamoClient } from '../../functions/adapters/aws-clients.ts';
import { setClock } from '../../functions/shared/clock.ts';
import type { Caller } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';
import {
  vouchersApi as api,
  enterprise,
  observer,
  officer,
  type VoucherPlatform,
  voucherPlatform,
} from './support/voucher-world.ts';

/**
 * The two voucher lists the portals need (issue 7), through the real handlers on DynamoDB Local:
 * - `GET /v1/public/voucher-programmes`: anyone sees the programmes open for claims now with their
 *   published rules only, the soonest to close first, in one query whatever the number of ended ones;
 * - `GET /v1/platforms/{platformId}/redemptions`: a platform's host (and staff) see its redemptions with
 *   their settlement state, newest first; another platform's host gets 404.
 */
const NOW = '2026-06-01T02:00:00.000Z';
const at = (iso: string) => setClock(new Date(iso), 'fixed');
const day = 86_400_000;
const shift = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

const PUBLIC_FIELDS = [
  'faceValue',
  'id',
  'maxSubsidyRatio',
  'name',
  'perEnterpriseAnnualCapCny',
  'validFrom',
  'validUntil',
  'voucherValidityDays',
];

let counter: DynamoCounter;
let A: VoucherPlatform;
let B: VoucherPlatform;
const buyer: Caller = { sub: 'list-buyer', roles: ['applicant'] };

async function programme(name: string, validFrom: string, validUntil: string, over = {}): Promise<string> {
  const res = await api('POST /v1/voucher-programmes', officer, {
    body: { name, budgetCny: 1_000_000, validFrom, validUntil, ...over },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return String(res.body.id);
}

type PublicPage = { items: Record<string, unknown>[]; nextCursor?: string };
const publicList = async (query: Record<string, string> = {}) => {
  const res = await api('GET /v1/public/voucher-programmes', undefined, { query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as PublicPage;
};

beforeAll(async () => {
  await useLocalServices('voucher-lists');
  counter = new DynamoCounter().attach(dynamoClient());
  counter.pause();
  at(NOW);
  A = await voucherPlatform('LA', NOW);
  B = await voucherPlatform('LB', NOW);
  await enterprise(buyer);
});
afterAll(() => setClock(undefined));

describe('GET /v1/public/voucher-programmes', () => {
  const open = { late: '', soon: '', middle: '' };

  it('lists the programmes open now, the soonest to close first, with their published rules only', async () => {
    // Prepare: two ended, one not yet started, three open (created in another order than they close).
    await programme('已结束一', shift(-100 * day), shift(-50 * day));
    await programme('已结束二', shift(-30 * day), shift(-1));
    await programme('尚未开始', shift(10 * day), shift(200 * day));
    open.late = await programme('年度算力券', shift(-10 * day), shift(300 * day), {
      maxSubsidyRatio: 0.25,
      perEnterpriseAnnualCapCny: 300_000,
      faceValue: { minCny: 5_000, maxCny: 100_000 },
      voucherValidityDays: 90,
    });
    open.soon = await programme('季度算力券', shift(-1 * day), shift(20 * day));
    open.middle = await programme('半年算力券', NOW, shift(100 * day));

    // Act
    const page = await publicList();

    // Assess: open ones only (validFrom = now counts), by their end; the rules, nothing of the budget.
    expect(page.items.map((p) => p.id)).toEqual([open.soon, open.middle, open.late]);
    for (const p of page.items) expect(Object.keys(p).sort()).toEqual(PUBLIC_FIELDS);
    expect(page.items[2]).toEqual({
      id: open.late,
      name: '年度算力券',
      validFrom: shift(-10 * day),
      validUntil: shift(300 * day),
      maxSubsidyRatio: 0.25,
      perEnterpriseAnnualCapCny: 300_000,
      faceValue: { minCny: 5_000, maxCny: 100_000 },
      voucherValidityDays: 90,
    });
    expect(page.items[0]).toMatchObject({
      maxSubsidyRatio: 0.3,
      perEnterpriseAnnualCapCny: 500_000,
      faceValue: { minCny: 1_000, maxCny: 200_000 },
    });
    expect(JSON.stringify(page)).not.toMatch(/budgetCny|unallocatedCny|createdBy|version/);
    expect(page.nextCursor).toBeUndefined();
  });

  it('pages with a cursor, and a cursor read before the clock moved still works (ended ones drop out)', async () => {
    // Act
    const first = await publicList({ limit: '1' });
    const second = await publicList({ limit: '1', cursor: String(first.nextCursor) });
    // The clock passes the end of every programme but the late one; the cursor points before "now".
    at(shift(250 * day));
    const later = await publicList({ limit: '1', cursor: String(first.nextCursor) });
    const fresh = await publicList();
    const forged = await api('GET /v1/public/voucher-programmes', undefined, {
      query: { cursor: Buffer.from('{"pk":"VPROG#x","sk":"PROGRAMME"}').toString('base64url') },
    });
    at(NOW);

    // Assess
    expect(first.items.map((p) => p.id)).toEqual([open.soon]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(second.items.map((p) => p.id)).toEqual([open.middle]);
    expect(later.items.map((p) => p.id)).toEqual([open.late]);
    expect(fresh.items.map((p) => p.id)).toEqual([open.late]);
    expect([forged.status, forged.body.code]).toEqual([400, 'INVALID_CURSOR']);
  });

  it('includes a programme at the very instant it ends and not a millisecond later', async () => {
    // Act
    at(shift(20 * day));
    const atEnd = await publicList();
    at(shift(20 * day + 1));
    const after = await publicList();
    at(NOW);

    // Assess
    expect(atEnd.items.map((p) => p.id)).toContain(open.soon);
    expect(after.items.map((p) => p.id)).not.toContain(open.soon);
  });

  it('costs one query whatever the number of ended programmes', async () => {
    // Prepare
    const measure = async () => (await counter.measure(() => publicList({ limit: '25' }))).cost;
    const before = await measure();
    counter.pause();
    for (let i = 0; i < 4; i += 1)
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          programme(`已结束 ${i}-${j}`, shift(-400 * day), shift(-(10 + i * 10 + j) * day)),
        ),
      );

    // Act
    const after = await measure();
    const page = await publicList();

    // Assess: one Query before and after 40 more ended programmes, reading no more.
    expect(before.requests).toBe(1);
    expect(before.byOperation.Query?.requests).toBe(1);
    expect(after.requests).toBe(1);
    expect(after.readUnits).toBe(before.readUnits);
    expect(after.items).toBe(before.items);
    expect(page.items.map((p) => p.id)).toEqual([open.soon, open.middle, open.late]);
  });
});

describe('GET /v1/platforms/{platformId}/redemptions', () => {
  let programmeId = '';
  const ids = { first: '', other: '', second: '', third: '' };

  async function issueAndRedeem(p: VoucherPlatform, contractNo: string, subsidyCny: number) {
    const claim = await api('POST /v1/platforms/{platformId}/voucher-claims', buyer, {
      params: { platformId: p.id },
      body: { programmeId, requestedCny: 20_000, purpose: '模型训练' },
    });
    expect(claim.status, JSON.stringify(claim.body)).toBe(201);
    const issued = await api('POST /v1/voucher-claims/{id}/decision', p.host, {
      params: { id: String(claim.body.id) },
      body: { decision: 'issue', faceValueCny: 20_000 },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const code = (issued.body.voucher as { code: string }).code;
    const r = await api('POST /v1/vouchers/{code}/redemptions', p.host, {
      params: { code },
      body: {
        supplierUscc: p.supplierUscc,
        serviceId: 'gpu',
        contractNo,
        contractAmountCny: 100_000,
        subsidyCny,
        evidenceIds: [...p.evidenceIds],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return String(r.body.id);
  }

  type RedemptionPage = {
    items: { id: string; platformId: string; status: string; opinion?: string; subsidyCny: number }[];
    nextCursor?: string;
  };
  const list = async (caller: Caller, platformId: string, query: Record<string, string> = {}) =>
    api('GET /v1/platforms/{platformId}/redemptions', caller, { params: { platformId }, query });

  beforeAll(async () => {
    at(NOW);
    programmeId = await programme('核销列表', shift(-day), shift(200 * day));
    for (const p of [A, B]) {
      const res = await api('POST /v1/voucher-programmes/{id}/allocations', officer, {
        params: { id: programmeId },
        body: { platformId: p.id, quotaCny: 200_000 },
      });
      expect(res.status).toBe(201);
    }
    // Filed one after another (the list is newest first).
    at(shift(1_000));
    ids.first = await issueAndRedeem(A, 'LA-001', 5_000);
    at(shift(2_000));
    ids.other = await issueAndRedeem(B, 'LB-001', 4_000);
    at(shift(3_000));
    ids.second = await issueAndRedeem(A, 'LA-002', 6_000);
    at(shift(4_000));
    ids.third = await issueAndRedeem(A, 'LA-003', 7_000);
  });

  it('shows a host its platform’s redemptions, newest first, pending settlement', async () => {
    // Act
    const res = await list(A.host, A.id);

    // Assess
    expect(res.status).toBe(200);
    const page = res.body as unknown as RedemptionPage;
    expect(page.items.map((r) => r.id)).toEqual([ids.third, ids.second, ids.first]);
    expect(page.items.every((r) => r.platformId === A.id && r.status === 'pending_settlement')).toBe(true);
    expect(page.items.map((r) => r.subsidyCny)).toEqual([7_000, 6_000, 5_000]);
    const other = (await list(B.host, B.id)).body as unknown as RedemptionPage;
    expect(other.items.map((r) => r.id)).toEqual([ids.other]);
  });

  it('shows the settlement the office decided: settled, or rejected with its opinion', async () => {
    // Prepare
    const approve = await api('POST /v1/redemptions/{id}/settlement', officer, {
      params: { id: ids.first },
      body: { decision: 'approve', opinion: '材料齐全，同意拨付' },
    });
    const reject = await api('POST /v1/redemptions/{id}/settlement', officer, {
      params: { id: ids.second },
      body: { decision: 'reject', opinion: '发票抬头与合同不符' },
    });
    expect([approve.status, reject.status]).toEqual([200, 200]);

    // Act
    const page = (await list(A.host, A.id)).body as unknown as RedemptionPage;

    // Assess
    const byId = new Map(page.items.map((r) => [r.id, r]));
    expect(byId.get(ids.first)).toMatchObject({ status: 'settled', opinion: '材料齐全，同意拨付' });
    expect(byId.get(ids.second)).toMatchObject({
      status: 'settlement_rejected',
      opinion: '发票抬头与合同不符',
    });
    expect(byId.get(ids.third)?.status).toBe('pending_settlement');
    expect(page.items.map((r) => r.id)).toEqual([ids.third, ids.second, ids.first]);
  });

  it('pages with a cursor only this platform’s list accepts', async () => {
    // Act
    const first = (await list(A.host, A.id, { limit: '2' })).body as unknown as RedemptionPage;
    const rest = (await list(A.host, A.id, { limit: '2', cursor: String(first.nextCursor) }))
      .body as unknown as RedemptionPage;
    const elsewhere = await list(B.host, B.id, { cursor: String(first.nextCursor) });

    // Assess
    expect(first.items.map((r) => r.id)).toEqual([ids.third, ids.second]);
    expect(rest.items.map((r) => r.id)).toEqual([ids.first]);
    expect(rest.nextCursor).toBeUndefined();
    expect([elsewhere.status, elsewhere.body.code]).toEqual([400, 'INVALID_CURSOR']);
  });

  it('404 for another platform’s host, an enterprise and an unknown platform; staff read it; observers may not', async () => {
    // Act
    const otherHost = await list(B.host, A.id);
    const enterpriseCaller = await list(buyer, A.id);
    const unknown = await list(A.host, 'p-none');
    const staff = await Promise.all(
      (['officer', 'approver', 'admin'] as const).map((role) =>
        list({ sub: `list-${role}`, roles: [role] }, A.id),
      ),
    );
    const watcher = await list(observer, A.id);
    const anonymous = await api('GET /v1/platforms/{platformId}/redemptions', undefined, {
      params: { platformId: A.id },
    });

    // Assess
    expect(otherHost.status).toBe(404);
    expect(JSON.stringify(otherHost.body)).not.toContain('LA-00');
    expect(enterpriseCaller.status).toBe(404);
    expect(unknown.status).toBe(404);
    for (const s of staff) {
      expect(s.status).toBe(200);
      expect((s.body as unknown as RedemptionPage).items).toHaveLength(3);
    }
    expect(watcher.status).toBe(403);
    expect(anonymous.status).toBe(401);
  });

  it('costs the same requests whatever the number of other platforms’ redemptions', async () => {
    // Prepare
    const measure = async () => (await counter.measure(() => list(A.host, A.id, { limit: '2' }))).cost;
    const before = await measure();
    counter.pause();
    at(shift(10_000));
    await issueAndRedeem(B, 'LB-002', 4_000);
    await issueAndRedeem(B, 'LB-003', 4_000);

    // Act
    const after = await measure();

    // Assess: the platform, its host members, one Query of its own index partition.
    expect(before.byOperation.Query?.requests).toBe(1);
    expect(after.requests).toBe(before.requests);
    expect(after.readUnits).toBe(before.readUnits);
  });
});
