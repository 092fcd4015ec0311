import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoCatalogueStore, SHOWCASE_READ_BUDGET } from '../../functions/adapters/catalogue-store.ts';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { encodeCursor, registry } from '../../functions/adapters/registry.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { keys } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

/** Art. 6(1), (2), (6): catalogue, case library, staff hiding and the public showcase, on DynamoDB Local. */
const { handler } = await import('../../functions/api/services.ts');
const { handler: ops } = await import('../../functions/api/operations.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');
const { handler: notifications } = await import('../../functions/api/notifications.ts');

const NOW = '2026-06-10T04:00:00.000Z';
let seq = 0;
const next = () => ++seq;
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const observer: Caller = { sub: 'observer-1', roles: ['observer'] };

type Res = { statusCode: number; body?: string };
const call = (
  routeKey: string,
  caller: Caller | undefined,
  opts: Record<string, unknown> = {},
): Promise<Res> =>
  handler(apiEvent(routeKey, { ...(caller ? { caller } : {}), ...opts }), lambdaContext()) as Promise<Res>;

const PUT_SERVICE = 'PUT /v1/platforms/{platformId}/services/{serviceId}';
const DELETE_SERVICE = 'DELETE /v1/platforms/{platformId}/services/{serviceId}';
const LIST_SERVICES = 'GET /v1/platforms/{platformId}/services';
const SERVICE_VISIBILITY = 'POST /v1/platforms/{platformId}/services/{serviceId}/visibility';
const PUT_CASE = 'PUT /v1/platforms/{platformId}/cases/{caseId}';
const DELETE_CASE = 'DELETE /v1/platforms/{platformId}/cases/{caseId}';
const LIST_CASES = 'GET /v1/platforms/{platformId}/cases';
const CASE_VISIBILITY = 'POST /v1/platforms/{platformId}/cases/{caseId}/visibility';
const PROFILE = 'GET /v1/public/platforms/{platformId}';
const PUBLIC_SERVICES = 'GET /v1/public/services';
const PUBLIC_CASES = 'GET /v1/public/cases';

const SUPPLIER = withCheckChar('91442000MA4UPP001');
const service = (over: Record<string, unknown> = {}) => ({
  category: 'compute',
  name: 'A100 GPU 算力租用',
  provider: '中山算力供应有限公司',
  providerUscc: SUPPLIER,
  unit: 'GPU card-hour',
  priceRangeCny: { min: 8, max: 15 },
  available: true,
  ...over,
});
const aCase = (over: Record<string, unknown> = {}) => ({
  title: '注塑工厂视觉质检',
  sector: '智能制造',
  customerType: 'enterprise',
  outcome: '缺陷检出率提升至 99.5%',
  ...over,
});

async function organisation(me: Caller): Promise<string> {
  const uscc = withCheckChar(`91442000MA${String(600000 + next()).padStart(6, '0')}X`.slice(0, 17));
  const res = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller: me,
      body: {
        name: `中山展示${next()}有限公司`,
        uscc,
        registeredCapitalCny: 60_000_000,
        address: '广东省中山市东区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: 'l@example.cn' },
      },
    }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(201);
  return jsonBody<{ id: string }>(res).id;
}

/** A host account, its organisation and a recognised, active platform (as the notice close writes it). */
async function recognisedPlatform() {
  const host: Caller = { sub: `host-${next()}`, roles: ['applicant'] };
  const orgId = await organisation(host);
  const id = `p-show${next()}`;
  const platform = {
    id,
    applicationId: `a${id}`,
    callId: 'c1',
    orgId,
    hostName: `平台${id}`,
    uscc: withCheckChar('91442000MA4H00001'),
    summary: '算力与模型服务',
    capabilities: ['算力'],
    consortium: [],
    status: 'active',
    recognisedAt: NOW,
    validUntil: '2027-12-31',
    noticeId: 'n1',
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
  } as Platform;
  await registry().transact({ ops: [{ kind: 'put', item: platformItem(platform), ifNew: true }] });
  return { host, id, orgId };
}

/** Marks a platform revoked, as the revocation decision does (status and list key). */
async function revoke(platformId: string): Promise<void> {
  await registry().transact({
    ops: [
      {
        kind: 'update',
        key: keys.platform(platformId),
        set: { status: 'revoked', gsi1pk: 'PLATFORMS#revoked' },
      },
    ],
  });
}

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x42), Buffer.from('\n%%EOF\n')]);
const PDF_SHA = createHash('sha256').update(PDF).digest('hex');

async function platformEvidence(host: Caller, platformId: string, confirm: boolean): Promise<string> {
  const res = await ops(
    apiEvent('POST /v1/platforms/{platformId}/evidence', {
      caller: host,
      params: { platformId },
      body: {
        kind: 'case_media',
        fileName: '现场照片.pdf',
        contentType: 'application/pdf',
        sizeBytes: PDF.length,
        sha256: PDF_SHA,
      },
    }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(201);
  const ticket = jsonBody<{ evidenceId: string; upload: { url: string; fields: Record<string, string> } }>(
    res,
  );
  if (!confirm) return ticket.evidenceId;
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'x.pdf');
  expect((await fetch(ticket.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  const confirmed = await ops(
    apiEvent('POST /v1/platforms/{platformId}/evidence/{evidenceId}/confirm', {
      caller: host,
      params: { platformId, evidenceId: ticket.evidenceId },
    }),
    lambdaContext(),
  );
  expect(confirmed.statusCode).toBe(200);
  return ticket.evidenceId;
}

const auditActions = async (platformId: string) =>
  (await registry().listAudit(platformId, 100)).items.map((e) => e.action);

type PageOf<T> = { items: T[]; nextCursor?: string };
type PublicItem = { platformId: string; serviceId?: string; caseId?: string; name?: string };

/** Every page of a public list (following nextCursor), with the number of requests it took. */
async function allPages(
  route: string,
  query: Record<string, string>,
): Promise<{ items: PublicItem[]; pages: number }> {
  const items: PublicItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await call(route, undefined, { query: { ...query, ...(cursor ? { cursor } : {}) } });
    expect(res.statusCode).toBe(200);
    const page = jsonBody<PageOf<PublicItem>>(res);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 50);
  return { items, pages };
}

beforeAll(async () => {
  await useLocalServices('services', { bucket: true });
});
beforeEach(() => setClock(new Date(NOW), 'fixed'));
afterAll(() => setClock(undefined));

describe('service catalogue (Art. 6(1)): host CRUD', () => {
  it('creates (201), replaces (200) with optimistic locking, lists and deletes (204), each audited', async () => {
    const { host, id } = await recognisedPlatform();
    const params = { platformId: id, serviceId: 'gpu-a100' };
    // Act
    const created = await call(PUT_SERVICE, host, { params, body: service() });
    const replaced = await call(PUT_SERVICE, host, {
      params,
      body: service({ priceRangeCny: { min: 9, max: 16 }, version: 1 }),
    });
    const stale = await call(PUT_SERVICE, host, { params, body: service(), headers: { 'If-Match': '"1"' } });
    const ifMatchMissing = await call(PUT_SERVICE, host, {
      params: { platformId: id, serviceId: 'nope' },
      body: service(),
      headers: { 'If-Match': '1' },
    });
    const listed = await call(LIST_SERVICES, host, { params: { platformId: id } });
    const removed = await call(DELETE_SERVICE, host, { params });
    const again = await call(DELETE_SERVICE, host, { params });
    // Assess
    expect(created.statusCode).toBe(201);
    expect(jsonBody(created)).toMatchObject({
      platformId: id,
      serviceId: 'gpu-a100',
      providerUscc: SUPPLIER,
      version: 1,
    });
    expect(replaced.statusCode).toBe(200);
    expect(jsonBody(replaced)).toMatchObject({ priceRangeCny: { min: 9, max: 16 }, version: 2 });
    expect(stale.statusCode).toBe(409);
    expect(jsonBody(stale).code).toBe('STALE_VERSION');
    expect(ifMatchMissing.statusCode).toBe(409);
    expect(jsonBody<PageOf<{ serviceId: string; version: number }>>(listed).items).toEqual([
      expect.objectContaining({ serviceId: 'gpu-a100', version: 2 }),
    ]);
    expect(removed.statusCode).toBe(204);
    expect(again.statusCode).toBe(404);
    expect(await new DynamoCatalogueStore().getService(id, 'gpu-a100')).toBeUndefined();
    expect(await auditActions(id)).toEqual([
      'catalogue.service_created',
      'catalogue.service_updated',
      'catalogue.service_deleted',
    ]);
  });

  it('refuses a price range with min > max, negative or fractional prices and an invalid supplier USCC (400)', async () => {
    const { host, id } = await recognisedPlatform();
    const params = { platformId: id, serviceId: 's1' };
    const bad = [
      service({ priceRangeCny: { min: 16, max: 15 } }),
      service({ priceRangeCny: { min: -1, max: 15 } }),
      service({ priceRangeCny: { min: 1.5, max: 15 } }),
      service({ providerUscc: `${SUPPLIER.slice(0, 17)}${SUPPLIER.endsWith('0') ? '1' : '0'}` }),
      service({ name: '' }),
      service({ category: 'consulting' }),
    ];
    for (const body of bad) {
      // Act
      const res = await call(PUT_SERVICE, host, { params, body });
      // Assess
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    const edge = await call(PUT_SERVICE, host, {
      params,
      body: service({ priceRangeCny: { min: 0, max: 0 } }),
    });
    expect(edge.statusCode).toBe(201);
  });

  it('hides the catalogue from everyone else: another host 404, staff 403 on writes, observers read (audited)', async () => {
    const a = await recognisedPlatform();
    const b = await recognisedPlatform();
    await call(PUT_SERVICE, a.host, { params: { platformId: a.id, serviceId: 's1' }, body: service() });
    // Act
    const otherPut = await call(PUT_SERVICE, b.host, {
      params: { platformId: a.id, serviceId: 's2' },
      body: service(),
    });
    const otherList = await call(LIST_SERVICES, b.host, { params: { platformId: a.id } });
    const otherDelete = await call(DELETE_SERVICE, b.host, { params: { platformId: a.id, serviceId: 's1' } });
    const officerPut = await call(PUT_SERVICE, officer, {
      params: { platformId: a.id, serviceId: 's3' },
      body: service(),
    });
    const staffList = await call(LIST_SERVICES, officer, { params: { platformId: a.id } });
    const observerList = await call(LIST_SERVICES, observer, { params: { platformId: a.id } });
    // Assess
    expect([otherPut.statusCode, otherList.statusCode, otherDelete.statusCode]).toEqual([404, 404, 404]);
    expect(officerPut.statusCode).toBe(403);
    expect(staffList.statusCode).toBe(200);
    expect(observerList.statusCode).toBe(200);
    expect(await auditActions(a.id)).toContain('observer.accessed');
    expect(await new DynamoCatalogueStore().getService(a.id, 's1')).toBeDefined();
  });

  it('refuses changes on a revoked platform (409 PLATFORM_NOT_ACTIVE)', async () => {
    const { host, id } = await recognisedPlatform();
    await call(PUT_SERVICE, host, { params: { platformId: id, serviceId: 's1' }, body: service() });
    await revoke(id);
    // Act
    const put = await call(PUT_SERVICE, host, {
      params: { platformId: id, serviceId: 's2' },
      body: service(),
    });
    const del = await call(DELETE_SERVICE, host, { params: { platformId: id, serviceId: 's1' } });
    const putCase = await call(PUT_CASE, host, { params: { platformId: id, caseId: 'c1' }, body: aCase() });
    // Assess
    for (const res of [put, del, putCase]) {
      expect(res.statusCode).toBe(409);
      expect(jsonBody(res).code).toBe('PLATFORM_NOT_ACTIVE');
    }
  });
});

describe('case library (Art. 6(2))', () => {
  it('records verified evidence as media, refuses unverified evidence (422) and shows media without hashes publicly', async () => {
    const { host, id } = await recognisedPlatform();
    const verified = await platformEvidence(host, id, true);
    const declared = await platformEvidence(host, id, false);
    const params = { platformId: id, caseId: 'case-1' };
    // Act
    const refused = await call(PUT_CASE, host, { params, body: aCase({ evidenceIds: [declared] }) });
    const created = await call(PUT_CASE, host, { params, body: aCase({ evidenceIds: [verified] }) });
    const publicList = await call(PUBLIC_CASES, undefined, { query: { platformId: id } });
    const hostList = await call(LIST_CASES, host, { params: { platformId: id } });
    // Assess
    expect(refused.statusCode).toBe(422);
    expect(jsonBody(refused).code).toBe('EVIDENCE_NOT_VERIFIED');
    expect(created.statusCode).toBe(201);
    expect(jsonBody(created).media).toEqual([
      expect.objectContaining({ evidenceId: verified, sha256: PDF_SHA }),
    ]);
    expect(jsonBody<PageOf<unknown>>(hostList).items).toHaveLength(1);
    expect(publicList.body).not.toContain(PDF_SHA);
    expect(jsonBody<PageOf<{ media: unknown[] }>>(publicList).items[0]?.media).toEqual([
      { evidenceId: verified, kind: 'case_media', fileName: '现场照片.pdf' },
    ]);
    expect(await auditActions(id)).toContain('catalogue.case_created');
  });

  it('deletes a case (204, audited); unknown case 404', async () => {
    const { host, id } = await recognisedPlatform();
    await call(PUT_CASE, host, { params: { platformId: id, caseId: 'c1' }, body: aCase() });
    // Act
    const removed = await call(DELETE_CASE, host, { params: { platformId: id, caseId: 'c1' } });
    const missing = await call(DELETE_CASE, host, { params: { platformId: id, caseId: 'c1' } });
    // Assess
    expect(removed.statusCode).toBe(204);
    expect(missing.statusCode).toBe(404);
    expect(await auditActions(id)).toContain('catalogue.case_deleted');
  });
});

describe('staff hiding', () => {
  it('hides with a reason (host told, audited), keeps it hidden through host edits, and shows it again', async () => {
    const { host, id } = await recognisedPlatform();
    const params = { platformId: id, serviceId: 'gpu' };
    await call(PUT_SERVICE, host, { params, body: service() });
    await call(PUT_CASE, host, { params: { platformId: id, caseId: 'c1' }, body: aCase() });
    const publicNames = async () =>
      (await allPages(PUBLIC_SERVICES, { platformId: id })).items.map((i) => i.serviceId);
    // Act
    const noReason = await call(SERVICE_VISIBILITY, officer, { params, body: { hidden: true } });
    const hidden = await call(SERVICE_VISIBILITY, officer, {
      params,
      body: { hidden: true, reason: '价格待核实' },
    });
    const whileHidden = await publicNames();
    const byCategory = await allPages(PUBLIC_SERVICES, { category: 'compute' });
    const edited = await call(PUT_SERVICE, host, { params, body: service({ name: 'A100 新价格' }) });
    const looked = await new DynamoCatalogueStore().getService(id, 'gpu');
    const hostView = jsonBody<PageOf<{ hidden?: { reason: string } }>>(
      await call(LIST_SERVICES, host, { params: { platformId: id } }),
    );
    const shown = await call(SERVICE_VISIBILITY, officer, { params, body: { hidden: false } });
    const afterShown = await publicNames();
    const caseHidden = await call(CASE_VISIBILITY, officer, {
      params: { platformId: id, caseId: 'c1' },
      body: { hidden: true, reason: '材料不实' },
    });
    const cases = await allPages(PUBLIC_CASES, { platformId: id });
    const told = await notifications(apiEvent('GET /v1/notifications', { caller: host }), lambdaContext());
    // Assess
    expect(noReason.statusCode).toBe(400);
    expect(hidden.statusCode).toBe(200);
    expect(jsonBody(hidden).hidden).toMatchObject({ reason: '价格待核实', by: officer.sub });
    expect(whileHidden).toEqual([]);
    expect(byCategory.items.filter((i) => i.platformId === id)).toEqual([]);
    expect(jsonBody(edited).hidden).toMatchObject({ reason: '价格待核实' });
    // The voucher ledger's lookup sees hidden items too.
    expect(looked?.hidden?.reason).toBe('价格待核实');
    expect(hostView.items[0]?.hidden?.reason).toBe('价格待核实');
    expect(jsonBody(shown).hidden).toBeUndefined();
    expect(afterShown).toEqual(['gpu']);
    expect(caseHidden.statusCode).toBe(200);
    expect(cases.items).toEqual([]);
    const events = jsonBody<{ items: { event: string }[] }>(told).items.map((n) => n.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'catalogue.service_hidden',
        'catalogue.service_shown',
        'catalogue.case_hidden',
      ]),
    );
    expect(await auditActions(id)).toEqual(
      expect.arrayContaining([
        'catalogue.service_hidden',
        'catalogue.service_shown',
        'catalogue.case_hidden',
      ]),
    );
  });
});

describe('public showcase (Art. 6(6))', () => {
  it('lists, filters and searches visible items of active platforms only', async () => {
    const a = await recognisedPlatform();
    const b = await recognisedPlatform();
    await call(PUT_SERVICE, a.host, { params: { platformId: a.id, serviceId: 'gpu' }, body: service() });
    await call(PUT_SERVICE, a.host, {
      params: { platformId: a.id, serviceId: 'llm' },
      body: service({ category: 'model', name: '通用大模型 API 订阅', unit: 'million tokens' }),
    });
    await call(PUT_SERVICE, b.host, {
      params: { platformId: b.id, serviceId: 'mes' },
      body: service({ category: 'industrial_software', name: 'MES 工业软件', unit: 'seat-year' }),
    });
    await call(PUT_CASE, a.host, { params: { platformId: a.id, caseId: 'c1' }, body: aCase() });
    await call(PUT_CASE, b.host, {
      params: { platformId: b.id, caseId: 'c2' },
      body: aCase({ title: '政务大模型问答', sector: '政务服务', customerType: 'government' }),
    });
    // Act
    const models = await allPages(PUBLIC_SERVICES, { category: 'model' });
    const searchGpu = await allPages(PUBLIC_SERVICES, { q: '  gpu ' });
    const searchB = await allPages(PUBLIC_SERVICES, { q: 'mes', platformId: b.id });
    const sector = await allPages(PUBLIC_CASES, { sector: ' 智能制造 ' });
    const caseSearch = await allPages(PUBLIC_CASES, { q: '问答' });
    const profile = await call(PROFILE, undefined, { params: { platformId: a.id } });
    await revoke(b.id);
    const afterRevocation = await allPages(PUBLIC_SERVICES, {});
    const casesAfter = await allPages(PUBLIC_CASES, {});
    const revokedProfile = await call(PROFILE, undefined, { params: { platformId: b.id } });
    // Assess
    expect(models.items.map((i) => i.serviceId)).toContain('llm');
    expect(models.items.map((i) => i.serviceId)).not.toContain('gpu');
    expect(searchGpu.items.filter((i) => i.platformId === a.id).map((i) => i.serviceId)).toEqual(['gpu']);
    expect(searchB.items.map((i) => i.serviceId)).toEqual(['mes']);
    expect(sector.items.map((i) => i.caseId)).toContain('c1');
    expect(sector.items.map((i) => i.caseId)).not.toContain('c2');
    expect(caseSearch.items.map((i) => i.caseId)).toContain('c2');
    expect(profile.statusCode).toBe(200);
    const body = jsonBody<{ id: string; services: PublicItem[]; cases: PublicItem[] }>(profile);
    expect(body.id).toBe(a.id);
    expect(body.services.map((s) => s.serviceId).sort()).toEqual(['gpu', 'llm']);
    expect(body.cases.map((c) => c.caseId)).toEqual(['c1']);
    expect(profile.body).not.toMatch(/"hidden"|"version"|"search"|"gsi1pk"/);
    expect(afterRevocation.items.some((i) => i.platformId === b.id)).toBe(false);
    expect(afterRevocation.items.some((i) => i.platformId === a.id)).toBe(true);
    expect(casesAfter.items.some((i) => i.platformId === b.id)).toBe(false);
    expect(revokedProfile.statusCode).toBe(404);
  });

  it('drops every platform once past its validity (policy end), even before the job marks it expired', async () => {
    const { host, id } = await recognisedPlatform();
    await call(PUT_SERVICE, host, { params: { platformId: id, serviceId: 'gpu' }, body: service() });
    setClock(new Date('2028-01-01T00:00:00.000+08:00'), 'fixed');
    // Act
    const profile = await call(PROFILE, undefined, { params: { platformId: id } });
    const list = await allPages(PUBLIC_SERVICES, { platformId: id });
    // Assess
    expect(profile.statusCode).toBe(404);
    expect(list.items).toEqual([]);
  });

  it('pages with an opaque cursor without repeats, and refuses a forged or foreign cursor (400)', async () => {
    const { host, id } = await recognisedPlatform();
    for (let i = 0; i < 5; i += 1) {
      await call(PUT_SERVICE, host, {
        params: { platformId: id, serviceId: `data-${i}` },
        body: service({ category: 'data', name: `数据集 ${i}` }),
      });
    }
    // Act
    const byPlatform = await allPages(PUBLIC_SERVICES, { platformId: id, limit: '2' });
    const byCategory = await allPages(PUBLIC_SERVICES, { category: 'data', limit: '2' });
    const forged = await call(PUBLIC_SERVICES, undefined, { query: { cursor: 'not-a-cursor!' } });
    const foreign = await call(PUBLIC_SERVICES, undefined, {
      query: { category: 'data', cursor: encodeCursor({ pk: 'ORG#x', sk: 'ORG' }) },
    });
    const wrongIndex = await call(PUBLIC_CASES, undefined, {
      query: {
        cursor: encodeCursor({ gsi2pk: 'SHOWCASE#SERVICE', gsi2sk: 'x', pk: 'PLATFORM#x', sk: 'SERVICE#x' }),
      },
    });
    // Assess
    const ids = byPlatform.items.map((i) => i.serviceId);
    expect(ids).toEqual(['data-0', 'data-1', 'data-2', 'data-3', 'data-4']);
    expect(byPlatform.pages).toBeGreaterThanOrEqual(3);
    expect(byCategory.items.filter((i) => i.platformId === id)).toHaveLength(5);
    expect(new Set(byCategory.items.map((i) => `${i.platformId}/${i.serviceId}`)).size).toBe(
      byCategory.items.length,
    );
    for (const res of [forged, foreign, wrongIndex]) {
      expect(res.statusCode).toBe(400);
      expect(jsonBody(res).code).toBe('INVALID_CURSOR');
    }
  });

  it('bounds the items a search reads per request: a page may be empty and still go on to the match', async () => {
    const { host, id } = await recognisedPlatform();
    const store = new DynamoCatalogueStore();
    // More non-matching items than one request reads, sorted before the one match.
    await Promise.all(
      Array.from({ length: SHOWCASE_READ_BUDGET + 5 }, (_, i) =>
        call(PUT_SERVICE, host, {
          params: { platformId: id, serviceId: `a-${String(i).padStart(3, '0')}` },
          body: service({ category: 'other', name: `通用服务 ${i}` }),
        }),
      ),
    );
    await call(PUT_SERVICE, host, {
      params: { platformId: id, serviceId: 'z-needle' },
      body: service({ category: 'other', name: 'Needle 稀有服务' }),
    });
    // Act
    const first = jsonBody<PageOf<PublicItem>>(
      await call(PUBLIC_SERVICES, undefined, { query: { platformId: id, q: 'NEEDLE' } }),
    );
    const all = await allPages(PUBLIC_SERVICES, { platformId: id, q: 'needle' });
    const raw = await store.showcaseServices({ platformId: id, q: 'needle', limit: 25 });
    // Assess
    expect(first.items).toEqual([]);
    expect(first.nextCursor).toBeDefined();
    expect(all.items.map((i) => i.serviceId)).toEqual(['z-needle']);
    expect(all.pages).toBe(2);
    expect(raw.items).toEqual([]);
  });

  it('answers 404 for an unknown platform profile and refuses unknown query fields (400)', async () => {
    // Act
    const unknown = await call(PROFILE, undefined, { params: { platformId: 'p-none' } });
    const extra = await call(PUBLIC_SERVICES, undefined, { query: { colour: 'red' } });
    const control = await call(PUBLIC_CASES, undefined, { query: { q: 'a\u0000b' } });
    // Assess
    expect(unknown.statusCode).toBe(404);
    expect(extra.statusCode).toBe(400);
    expect(control.statusCode).toBe(400);
  });
});
