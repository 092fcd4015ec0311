import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

/**
 * Art. 14 on DynamoDB Local through the real handlers: an admin extends or shortens the policy, and every
 * active platform's validity follows at once — the public registry, the showcase, the platform record and
 * the registry export — though the platform items still carry the date they were recognised with; the
 * deadline job then ends them at the new date, whatever that stored date says.
 */
const { handler: operations } = await import('../../functions/api/operations.ts');
const { handler: registryHandler } = await import('../../functions/api/registry.ts');
const { handler: services } = await import('../../functions/api/services.ts');
const { handler: exportsHandler } = await import('../../functions/api/exports.ts');
const { handler: organisations } = await import('../../functions/api/organisations.ts');
let deadlines: typeof import('../../functions/jobs/deadlines.ts')['handler'];

const NOW = '2026-06-10T04:00:00.000Z';
const RECOGNISED_UNTIL = '2027-12-31';
const admin: Caller = { sub: 'admin-1', roles: ['admin'] };
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
let seq = 0;
const next = () => ++seq;

/** Shanghai (UTC+8) instants: the last millisecond of a day, and the first of the day after. */
const lastMoment = (date: string) => new Date(`${date}T23:59:59.999+08:00`);
const dayAfter = (date: string) => new Date(lastMoment(date).getTime() + 1);

async function call(
  handler: typeof operations,
  routeKey: string,
  caller?: Caller,
  opts: Record<string, unknown> = {},
) {
  const res = await handler(apiEvent(routeKey, { ...(caller ? { caller } : {}), ...opts }), lambdaContext());
  const json = String(res.headers?.['content-type'] ?? '').includes('json');
  return { status: res.statusCode, body: json ? (jsonBody(res) as Record<string, unknown>) : {}, raw: res };
}

/** A host, its organisation and a platform recognised until 2027-12-31 with one public compute service. */
async function recognisedPlatform(): Promise<string> {
  const host: Caller = { sub: `host-${next()}`, roles: ['applicant'] };
  const org = await call(organisations, 'POST /v1/organisations', host, {
    body: {
      name: `中山期限${next()}科技有限公司`,
      uscc: withCheckChar(`91442000MA${String(700000 + next()).padStart(6, '0')}X`.slice(0, 17)),
      registeredCapitalCny: 60_000_000,
      address: '广东省中山市东区',
      legalRepresentative: '张三',
      contact: { name: '李四', phone: '0760-88880000', email: 'l@example.cn' },
    },
  });
  expect(org.status).toBe(201);
  const id = `p-end${next()}`;
  const platform = {
    id,
    applicationId: `a${id}`,
    callId: 'c1',
    orgId: String(org.body.id),
    hostName: `平台${id}`,
    uscc: withCheckChar('91442000MA4H00001'),
    summary: '算力与模型服务',
    capabilities: ['算力'],
    consortium: [],
    status: 'active',
    recognisedAt: NOW,
    validUntil: RECOGNISED_UNTIL,
    noticeId: 'n1',
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
  } as Platform;
  await registry().transact({ ops: [{ kind: 'put', item: platformItem(platform), ifNew: true }] });
  const put = await call(services, 'PUT /v1/platforms/{platformId}/services/{serviceId}', host, {
    params: { platformId: id, serviceId: 'gpu' },
    body: {
      category: 'compute',
      name: 'A100 GPU 算力租用',
      provider: '中山算力供应有限公司',
      unit: 'GPU card-hour',
      priceRangeCny: { min: 8, max: 15 },
      available: true,
    },
  });
  expect(put.status).toBe(201);
  return id;
}

/** Everything the public and the office see of the platform's validity at `at`. */
async function seenAt(at: Date, id: string) {
  setClock(at, 'fixed');
  const list = await call(registryHandler, 'GET /v1/public/platforms', undefined, {
    query: { limit: '100' },
  });
  const listed = (list.body.items as { id: string; validUntil: string }[]).find((p) => p.id === id);
  const profile = await call(services, 'GET /v1/public/platforms/{platformId}', undefined, {
    params: { platformId: id },
  });
  const showcase = await call(services, 'GET /v1/public/services', undefined, { query: { platformId: id } });
  const record = await call(registryHandler, 'GET /v1/platforms/{platformId}', officer, {
    params: { platformId: id },
  });
  const csv = String((await call(exportsHandler, 'GET /v1/exports/registry.csv', officer)).raw.body);
  const row = csv.split('\r\n').find((l) => l.startsWith(`${id},`));
  return {
    listed: listed?.validUntil,
    profile: profile.status === 200 ? String(profile.body.validUntil) : profile.status,
    services: (showcase.body.items as unknown[]).length,
    record: `${record.body.status}:${record.body.validUntil}`,
    csvValidUntil: row?.split(',')[7],
  };
}

async function setPolicyEnd(policyEndDate: string): Promise<void> {
  setClock(new Date(NOW), 'fixed');
  const current = await call(operations, 'GET /v1/settings', admin);
  const put = await call(operations, 'PUT /v1/settings', admin, {
    body: { policyEndDate, version: current.body.version },
  });
  expect(put.status).toBe(200);
}

beforeAll(async () => {
  await useLocalServices('policyend');
  deadlines = (await import('../../functions/jobs/deadlines.ts')).handler;
});
beforeEach(() => setClock(new Date(NOW), 'fixed'));
afterAll(() => setClock(undefined));

describe('extending the policy extends every active recognition (Art. 14)', () => {
  it('shown after the old end and until the new one; ended by the job at the new end, valid until it', async () => {
    // Prepare: recognised until 2027-12-31; the admin extends the policy to 2029-12-31
    const id = await recognisedPlatform();
    await setPolicyEnd('2029-12-31');

    // Act / Assess: around the old end, and around the new one
    const active = (validUntil: string) => ({
      listed: validUntil,
      profile: validUntil,
      services: 1,
      record: `active:${validUntil}`,
      csvValidUntil: validUntil,
    });
    expect(await seenAt(lastMoment(RECOGNISED_UNTIL), id)).toEqual(active('2029-12-31'));
    expect(await seenAt(dayAfter(RECOGNISED_UNTIL), id)).toEqual(active('2029-12-31'));
    expect(await seenAt(lastMoment('2029-12-31'), id)).toEqual(active('2029-12-31'));
    // past the new end, before the job runs: off the public registry and showcase already
    expect(await seenAt(dayAfter('2029-12-31'), id)).toMatchObject({
      listed: undefined,
      profile: 404,
      services: 0,
    });
    // the item still carries the date it was recognised with: nothing rewrote 10,000 items
    expect((await registry().get({ pk: `PLATFORM#${id}`, sk: 'PLATFORM' }))?.validUntil).toBe(
      RECOGNISED_UNTIL,
    );

    // the deadline job: no end at the old date, the end at the new one
    setClock(dayAfter(RECOGNISED_UNTIL), 'fixed');
    expect((await deadlines()).byType['policy-end']).toBeUndefined();
    setClock(dayAfter('2029-12-31'), 'fixed');
    expect((await deadlines()).byType['policy-end']).toEqual({ examined: 1, acted: 1 });
    const ended = await seenAt(dayAfter('2029-12-31'), id);
    expect(ended).toEqual({
      listed: undefined,
      profile: 404,
      services: 0,
      record: 'expired:2029-12-31',
      csvValidUntil: '2029-12-31',
    });
  });
});

describe('shortening the policy shortens every active recognition (Art. 14)', () => {
  it('shown until the new end only; the job ends it though its stored date is later', async () => {
    // Prepare: recognised until 2027-12-31; the admin shortens the policy to 2026-12-31
    const id = await recognisedPlatform();
    await setPolicyEnd('2026-12-31');

    // Act / Assess
    expect(await seenAt(lastMoment('2026-12-30'), id)).toMatchObject({ listed: '2026-12-31', services: 1 });
    expect(await seenAt(lastMoment('2026-12-31'), id)).toEqual({
      listed: '2026-12-31',
      profile: '2026-12-31',
      services: 1,
      record: 'active:2026-12-31',
      csvValidUntil: '2026-12-31',
    });
    expect(await seenAt(dayAfter('2026-12-31'), id)).toMatchObject({
      listed: undefined,
      profile: 404,
      services: 0,
    });
    expect(await seenAt(lastMoment(RECOGNISED_UNTIL), id)).toMatchObject({ listed: undefined, profile: 404 });

    // the job at the new end expires it (a filter on the stored 2027-12-31 would have missed it)
    setClock(dayAfter('2026-12-31'), 'fixed');
    expect((await deadlines()).byType['policy-end']).toEqual({ examined: 1, acted: 1 });
    expect(await registry().get({ pk: `PLATFORM#${id}`, sk: 'PLATFORM' })).toMatchObject({
      status: 'expired',
      validUntil: '2026-12-31',
      endedAt: dayAfter('2026-12-31').toISOString(),
    });
    const audit = (await registry().listAudit(id, 20)).items.find((a) => a.action === 'platform.expired');
    expect(audit?.detail).toMatchObject({
      policyEndDate: '2026-12-31',
      validUntil: '2026-12-31',
      recognisedValidUntil: RECOGNISED_UNTIL,
    });
  });
});
