import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifiedPlatformEvidence } from '../../functions/adapters/platform-evidence-store.ts';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { POLICY_END_KEY } from '../../functions/adapters/revocation-store.ts';
import { policyEndDate } from '../../functions/adapters/settings-store.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

/** Art. 10, 11, 14 through the real handlers on DynamoDB Local and s3rver. */
const { handler } = await import('../../functions/api/operations.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');
const { handler: registryHandler } = await import('../../functions/api/registry.ts');
const { handler: exportsHandler } = await import('../../functions/api/exports.ts');

const NOW = '2026-06-10T04:00:00.000Z';
let seq = 0;
const next = () => ++seq;
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const observer: Caller = { sub: 'observer-1', roles: ['observer'] };
const admin: Caller = { sub: 'admin-1', roles: ['admin'] };

const req = (routeKey: string, caller: Caller, opts: Record<string, unknown> = {}) =>
  handler(apiEvent(routeKey, { caller, ...opts }), lambdaContext());

async function organisation(me: Caller, name: string): Promise<string> {
  const uscc = withCheckChar(`91442000MA${String(500000 + next()).padStart(6, '0')}X`.slice(0, 17));
  const res = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller: me,
      body: {
        name,
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

/** A host account with its organisation and a recognised platform (as the notice close writes it). */
async function recognisedPlatform(status: Platform['status'] = 'active') {
  const host: Caller = { sub: `host-${next()}`, roles: ['applicant'] };
  const orgId = await organisation(host, `中山赋能平台${next()}有限公司`);
  const id = `p-ops${next()}`;
  const platform = {
    id,
    applicationId: `a${id}`,
    callId: 'c1',
    orgId,
    hostName: '中山赋能平台有限公司',
    uscc: 'U',
    summary: '算力与模型服务',
    capabilities: ['算力'],
    consortium: [],
    status,
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

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x41), Buffer.from('\n%%EOF\n')]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function verifiedEvidence(host: Caller, platformId: string): Promise<string> {
  const res = await req('POST /v1/platforms/{platformId}/evidence', host, {
    params: { platformId },
    body: {
      kind: 'change_request',
      fileName: '决议.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
      sha256: sha(PDF),
    },
  });
  expect(res.statusCode).toBe(201);
  const ticket = jsonBody<{ evidenceId: string; upload: { url: string; fields: Record<string, string> } }>(
    res,
  );
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'x.pdf');
  expect((await fetch(ticket.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  const confirmed = await req('POST /v1/platforms/{platformId}/evidence/{evidenceId}/confirm', host, {
    params: { platformId, evidenceId: ticket.evidenceId },
  });
  expect(jsonBody(confirmed)).toEqual({ evidenceId: ticket.evidenceId, status: 'verified' });
  return ticket.evidenceId;
}

async function itemsOf(pk: string) {
  return (
    await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    })
  ).items;
}

beforeAll(async () => {
  await useLocalServices('opschanges', { bucket: true });
});
beforeEach(() => setClock(new Date(NOW), 'fixed'));
afterAll(() => setClock(undefined));

describe('platform evidence', () => {
  it('uploads and confirms like application evidence; verifiedPlatformEvidence gives the manifest or 422', async () => {
    const { host, id } = await recognisedPlatform();
    const evidenceId = await verifiedEvidence(host, id);
    expect(await verifiedPlatformEvidence(id, [evidenceId])).toEqual([
      expect.objectContaining({ evidenceId, sha256: sha(PDF), sizeBytes: PDF.length }),
    ]);
    await expect(verifiedPlatformEvidence(id, [evidenceId, 'NOPE'])).rejects.toMatchObject({
      status: 422,
      code: 'EVIDENCE_NOT_VERIFIED',
      errors: [{ path: 'body.evidenceIds.1', message: 'no evidence NOPE on this platform' }],
    });
  });

  it('a stranger gets 404; a revoked platform takes no evidence (409)', async () => {
    const { id } = await recognisedPlatform();
    const stranger: Caller = { sub: 'stranger', roles: ['applicant'] };
    expect(
      (await req('GET /v1/platforms/{platformId}/evidence', stranger, { params: { platformId: id } }))
        .statusCode,
    ).toBe(404);
    const revoked = await recognisedPlatform('revoked' as never);
    const res = await req('POST /v1/platforms/{platformId}/evidence', revoked.host, {
      params: { platformId: revoked.id },
      body: {
        kind: 'other',
        fileName: 'a.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        sha256: sha(PDF),
      },
    });
    expect(res.statusCode).toBe(409);
    expect(jsonBody<{ code: string }>(res).code).toBe('PLATFORM_NOT_ACTIVE');
  });

  it('observers see evidence only under a valid consent, each access audited (Art. 11)', async () => {
    const { host, id } = await recognisedPlatform();
    const evidenceId = await verifiedEvidence(host, id);
    const list = () =>
      req('GET /v1/platforms/{platformId}/evidence', observer, { params: { platformId: id } });
    const denied = await list();
    expect(denied.statusCode).toBe(403);
    expect(jsonBody<{ code: string }>(denied).code).toBe('NO_SHARING_CONSENT');
    const consent = await req('POST /v1/platforms/{platformId}/sharing-consents', host, {
      params: { platformId: id },
      body: { dataOwner: '中山某制造企业', scope: ['evidence'], validUntil: '2026-12-31' },
    });
    expect(consent.statusCode).toBe(201);
    expect((await list()).statusCode).toBe(200);
    const dl = await req('GET /v1/platforms/{platformId}/evidence/{evidenceId}/download', observer, {
      params: { platformId: id, evidenceId },
    });
    expect(dl.statusCode).toBe(200);
    await registryHandler(
      apiEvent('GET /v1/platforms/{platformId}', { caller: observer, params: { platformId: id } }),
      lambdaContext(),
    );
    const audit = (await registry().listAudit(id, 50)).items;
    const reads = audit.filter((a) => a.action === 'observer.accessed').map((a) => a.detail.route);
    expect(reads).toEqual(['listPlatformEvidence', 'downloadPlatformEvidence', 'getPlatform']);
    expect(audit.map((a) => a.action)).toContain('evidence.downloaded');
  });
});

describe('change requests (Art. 10)', () => {
  it('approval updates the registry record, keeps the old values in history, all audited', async () => {
    const { host, id } = await recognisedPlatform();
    const newHost: Caller = { sub: `newhost-${next()}`, roles: ['applicant'] };
    const newOrg = await organisation(newHost, '中山重组后科技有限公司');
    const evidenceId = await verifiedEvidence(host, id);
    const filed = await req('POST /v1/platforms/{platformId}/change-requests', host, {
      params: { platformId: id },
      body: {
        kind: 'host_organisation',
        description: '资产重组',
        proposed: { orgId: newOrg },
        evidenceIds: [evidenceId],
      },
    });
    expect(filed.statusCode).toBe(201);
    const cr = jsonBody<{ id: string; status: string; evidenceManifest: unknown[] }>(filed);
    expect(cr.status).toBe('pending');
    expect(cr.evidenceManifest).toHaveLength(1);
    const again = await req('POST /v1/platforms/{platformId}/change-requests', host, {
      params: { platformId: id },
      body: { kind: 'host_organisation', description: '再次', proposed: { orgId: newOrg } },
    });
    expect(jsonBody<{ code: string }>(again).code).toBe('CHANGE_PENDING');
    const decided = await req('POST /v1/change-requests/{id}/decision', officer, {
      params: { id: cr.id },
      body: { decision: 'approve', opinion: '同意变更' },
    });
    expect(decided.statusCode).toBe(200);
    const platform = jsonBody<Platform>(
      await registryHandler(
        apiEvent('GET /v1/platforms/{platformId}', { caller: officer, params: { platformId: id } }),
        lambdaContext(),
      ),
    );
    expect(platform).toMatchObject({ orgId: newOrg, hostName: '中山重组后科技有限公司', version: 2 });
    const history = jsonBody<{
      items: { previous: Record<string, unknown>; next: Record<string, unknown> }[];
    }>(await req('GET /v1/platforms/{platformId}/history', newHost, { params: { platformId: id } }));
    expect(history.items).toHaveLength(1);
    expect(history.items[0]?.previous).toMatchObject({ hostName: '中山赋能平台有限公司' });
    expect(history.items[0]?.next).toMatchObject({ orgId: newOrg });
    // The old host is no longer a host member.
    expect(
      (await req('GET /v1/platforms/{platformId}/change-requests', host, { params: { platformId: id } }))
        .statusCode,
    ).toBe(404);
    const actions = (await registry().listAudit(id, 50)).items.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['change_request.filed', 'platform.changed']));
    const twice = await req('POST /v1/change-requests/{id}/decision', officer, {
      params: { id: cr.id },
      body: { decision: 'reject', opinion: 'x' },
    });
    expect(jsonBody<{ code: string }>(twice).code).toBe('REQUEST_DECIDED');
  });

  it('a change request on a revoked platform is refused (409 PLATFORM_NOT_ACTIVE)', async () => {
    const { host, id } = await recognisedPlatform('revoked' as never);
    const res = await req('POST /v1/platforms/{platformId}/change-requests', host, {
      params: { platformId: id },
      body: { kind: 'target_tasks', description: 'd', proposed: { tasks: ['制造业赋能'] } },
    });
    expect(res.statusCode).toBe(409);
    expect(jsonBody<{ code: string }>(res).code).toBe('PLATFORM_NOT_ACTIVE');
  });

  it('400 naming the field for a proposal that does not fit its kind', async () => {
    const { host, id } = await recognisedPlatform();
    const res = await req('POST /v1/platforms/{platformId}/change-requests', host, {
      params: { platformId: id },
      body: { kind: 'service_content', description: 'd', proposed: { tasks: ['x'] } },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(jsonBody(res))).toContain('proposed');
  });
});

describe('advance notifications (Art. 10)', () => {
  it.each([
    ['tomorrow (Shanghai)', '2026-06-11', 201],
    ['today (Shanghai)', '2026-06-10', 409],
  ])(
    'effective %s → %i; a late one alerts the officers and is audited',
    async (_l, effectiveDate, status) => {
      const { host, id } = await recognisedPlatform();
      const res = await req('POST /v1/platforms/{platformId}/notifications', host, {
        params: { platformId: id },
        body: { kind: 'rename', effectiveDate, description: '拟更名' },
      });
      expect(res.statusCode).toBe(status);
      const listed = jsonBody<{ items: unknown[] }>(
        await req('GET /v1/platforms/{platformId}/notifications', officer, { params: { platformId: id } }),
      );
      const actions = (await registry().listAudit(id, 50)).items.map((a) => a.action);
      const alerts = (await itemsOf('NOTIFY#officer')).filter((n) => n.entityId === id);
      if (status === 201) {
        expect(listed.items).toHaveLength(1);
        expect(actions).toContain('platform.advance_notification');
      } else {
        expect(jsonBody<{ code: string }>(res).code).toBe('NOT_IN_ADVANCE');
        expect(listed.items).toHaveLength(0);
        expect(actions).toContain('platform.late_notification');
        expect(alerts.map((a) => a.event)).toEqual(['platform.late_notification']);
      }
    },
  );
});

describe('settings (Art. 14) and exports', () => {
  it('an admin extends the policy; the policy end moves with it and the reader follows', async () => {
    expect(await policyEndDate()).toBe('2027-12-31');
    const put = await req('PUT /v1/settings', admin, { body: { policyEndDate: '2029-12-31', version: 0 } });
    expect(put.statusCode).toBe(200);
    expect(await policyEndDate()).toBe('2029-12-31');
    const planned = await registry().get(POLICY_END_KEY);
    expect(planned).toMatchObject({ policyEndDate: '2029-12-31', endsAt: '2029-12-31T15:59:59.999Z' });
    const stale = await req('PUT /v1/settings', admin, { body: { policyEndDate: '2030-12-31', version: 0 } });
    expect(stale.statusCode).toBe(409);
    expect(
      (await req('PUT /v1/settings', officer, { body: { policyEndDate: '2030-12-31' } })).statusCode,
    ).toBe(403);
  });

  it('the registry CSV has the BOM, Chinese text intact and an attachment disposition; observer export audited', async () => {
    const { id } = await recognisedPlatform();
    const res = await exportsHandler(
      apiEvent('GET /v1/exports/registry.csv', { caller: observer }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers?.['content-disposition']).toMatch(/^attachment; filename="registry-2026-06-10\.csv"$/);
    const bytes = Buffer.from(String(res.body), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain(`${id},中山赋能平台有限公司,U,active,算力`);
    const audit = (await registry().listAudit('registry', 10)).items;
    expect(audit.map((a) => a.action)).toContain('observer.accessed');
    const bad = await exportsHandler(
      apiEvent('GET /v1/exports/grades.csv', { caller: officer, query: { year: 'x' } }),
      lambdaContext(),
    );
    expect(bad.statusCode).toBe(400);
  });
});
