import '../support/quiet-logs.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoApplicationStore } from '../../functions/adapters/application-store.ts';
import { DynamoCalendarStore } from '../../functions/adapters/calendar-store.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { changeKey } from '../../functions/adapters/change-store.ts';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { routes } from '../../functions/api/routes.ts';
import type { Application } from '../../functions/core/applications.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import { planNotice } from '../../functions/core/notices.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { keys } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { createRouteMatcher } from '../../infra/local/route-matcher.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { closedCall, proposedApplication } from './support/notice-fixtures.ts';
import { useLocalServices } from './support/services.ts';

/**
 * The three list routes the web consoles need (issue 7), through the real group handlers on DynamoDB
 * Local: `GET /v1/organisations/mine` (the applicant portal's "my organisation"), `GET /v1/change-requests`
 * and `GET /v1/objections` (the staff inbox: every platform's / notice's items of one status, newest first,
 * moved between status lists in the same transaction as the decision).
 */
const { handler: orgs } = await import('../../functions/api/organisations.ts');
const { handler: operations } = await import('../../functions/api/operations.ts');
const { handler: registryApi } = await import('../../functions/api/registry.ts');

type Res = Awaited<ReturnType<typeof orgs>>;
type Opts = Parameters<typeof apiEvent>[1];
const call = (h: typeof orgs, routeKey: string, opts: Opts = {}): Promise<Res> =>
  h(apiEvent(routeKey, opts), lambdaContext());

const T0 = Date.parse('2026-09-30T04:00:00.000Z');
/** Moves the fixed clock to T0 + `minutes` (distinct creation instants order the lists). */
const at = (minutes: number) => setClock(new Date(T0 + minutes * 60_000), 'fixed');

let seq = 0;
const next = () => ++seq;
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const approver: Caller = { sub: 'approver-1', roles: ['approver'] };
const admin: Caller = { sub: 'admin-1', roles: ['admin'] };
const observer: Caller = { sub: 'observer-1', roles: ['observer'] };
const expert: Caller = { sub: 'expert-1', roles: ['expert'] };
const applicant = (): Caller => ({ sub: `applicant-${next()}`, roles: ['applicant'] });

interface Page<T> {
  items: T[];
  nextCursor?: string;
}
interface Problem {
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

async function register(me: Caller, name: string): Promise<string> {
  const res = await call(orgs, 'POST /v1/organisations', {
    caller: me,
    body: {
      name,
      uscc: withCheckChar(`91442000MA${String(700000 + next()).padStart(6, '0')}X`.slice(0, 17)),
      registeredCapitalCny: 60_000_000,
      address: '广东省中山市东区',
      legalRepresentative: '张三',
      contact: { name: '李四', phone: '0760-88880000', email: `c${next()}@example.cn` },
    },
  });
  expect(res.statusCode).toBe(201);
  return jsonBody<{ id: string }>(res).id;
}

/** Follows `nextCursor` with `limit=1` and returns every id in the order the pages gave them. */
async function everyPage(
  h: typeof orgs,
  routeKey: string,
  caller: Caller,
  query: Record<string, string>,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await call(h, routeKey, {
      caller,
      query: { ...query, limit: '1', ...(cursor ? { cursor } : {}) },
    });
    expect(res.statusCode).toBe(200);
    const page = jsonBody<Page<{ id: string }>>(res);
    expect(page.items.length).toBeLessThanOrEqual(1);
    ids.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 20);
  return { ids, pages };
}

/** Who may read a staff list: each caller's status (no token → 401, other roles → 403). */
async function statusesFor(h: typeof orgs, routeKey: string, callers: readonly (Caller | undefined)[]) {
  return Promise.all(callers.map(async (c) => (await call(h, routeKey, c ? { caller: c } : {})).statusCode));
}

beforeAll(async () => {
  await useLocalServices('console-lists');
  setWorkflowEngine(new RecordingWorkflowEngine());
  at(0);
});
afterAll(() => {
  setClock(undefined);
  setWorkflowEngine(undefined);
});

describe('GET /v1/organisations/mine', () => {
  it('the local router sends the literal path to getMyOrganisation, an id to getOrganisation', () => {
    const match = createRouteMatcher(routes);
    const mine = match('GET', '/v1/organisations/mine');
    const byId = match('GET', '/v1/organisations/01HZY');
    expect(mine.kind === 'route' && mine.route.id).toBe('getMyOrganisation');
    expect(byId.kind === 'route' && byId.route.id).toBe('getOrganisation');
    expect(byId.kind === 'route' && byId.pathParameters).toEqual({ orgId: '01HZY' });
  });

  it('404 NO_ORGANISATION before registering, pointing at POST /v1/organisations; then the organisation', async () => {
    const me = applicant();
    const before = await call(orgs, 'GET /v1/organisations/mine', { caller: me });
    expect(before.statusCode).toBe(404);
    const problem = jsonBody<Problem>(before);
    expect(problem.code).toBe('NO_ORGANISATION');
    expect(problem.detail).toContain('POST /v1/organisations');

    const orgId = await register(me, '中山我的科技有限公司');
    const after = await call(orgs, 'GET /v1/organisations/mine', { caller: me });
    expect(after.statusCode).toBe(200);
    const byId = await call(orgs, 'GET /v1/organisations/{orgId}', { caller: me, params: { orgId } });
    // The same view as the route by id (members are never listed).
    expect(jsonBody(after)).toEqual(jsonBody(byId));
    expect(jsonBody(after)).toMatchObject({ id: orgId, name: '中山我的科技有限公司', version: 1 });
    expect(after.body).not.toContain('memberSubs');
    expect(after.body).not.toContain(me.sub);
  });

  it('another applicant never sees it: 404 without an organisation, their own once registered', async () => {
    const first = applicant();
    const firstOrg = await register(first, '中山甲方科技有限公司');
    const second = applicant();
    const none = await call(orgs, 'GET /v1/organisations/mine', { caller: second });
    expect(none.statusCode).toBe(404);
    expect(jsonBody<Problem>(none).code).toBe('NO_ORGANISATION');
    expect(none.body).not.toContain(firstOrg);

    const secondOrg = await register(second, '中山乙方科技有限公司');
    const own = await call(orgs, 'GET /v1/organisations/mine', { caller: second });
    expect(jsonBody(own)).toMatchObject({ id: secondOrg, name: '中山乙方科技有限公司' });
    expect(own.body).not.toContain(firstOrg);
    expect(own.body).not.toContain('中山甲方科技有限公司');
    const firstAgain = await call(orgs, 'GET /v1/organisations/mine', { caller: first });
    expect(jsonBody(firstAgain)).toMatchObject({ id: firstOrg });
  });

  it('staff get 403 (it is the applicant’s own), no token 401', async () => {
    expect(
      await statusesFor(orgs, 'GET /v1/organisations/mine', [
        officer,
        approver,
        admin,
        observer,
        expert,
        undefined,
      ]),
    ).toEqual([403, 403, 403, 403, 403, 401]);
  });
});

/** A recognised platform of a fresh host organisation, as the notice close writes it. */
async function platform(hostName: string): Promise<{ host: Caller; id: string }> {
  const host = applicant();
  const orgId = await register(host, hostName);
  const id = `p-cl${next()}`;
  const p = {
    id,
    applicationId: `a${id}`,
    callId: 'c1',
    orgId,
    hostName,
    uscc: 'U',
    summary: '算力与模型服务',
    capabilities: ['算力'],
    consortium: [],
    status: 'active',
    recognisedAt: new Date(T0).toISOString(),
    validUntil: '2027-12-31',
    noticeId: 'n1',
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    version: 1,
  } as Platform;
  await registry().transact({ ops: [{ kind: 'put', item: platformItem(p), ifNew: true }] });
  return { host, id };
}

interface ChangeView {
  id: string;
  platformId: string;
  hostName?: string;
  kind: string;
  status: string;
  createdAt: string;
}

describe('GET /v1/change-requests', () => {
  const filed: Record<string, ChangeView> = {};
  const list = (caller: Caller, query?: Record<string, string>) =>
    call(operations, 'GET /v1/change-requests', { caller, ...(query ? { query } : {}) });

  it('lists every platform’s pending requests newest first, each with its host’s name', async () => {
    const one = await platform('中山一号赋能平台有限公司');
    const two = await platform('中山二号赋能平台有限公司');
    const file = async (name: string, who: { host: Caller; id: string }, minute: number, body: unknown) => {
      at(minute);
      const res = await call(operations, 'POST /v1/platforms/{platformId}/change-requests', {
        caller: who.host,
        params: { platformId: who.id },
        body,
      });
      expect(res.statusCode).toBe(201);
      filed[name] = jsonBody<ChangeView>(res);
    };
    await file('c1', one, 1, {
      kind: 'service_content',
      description: '新增模型微调服务',
      proposed: { services: ['算力调度', '模型微调'] },
    });
    await file('c2', two, 2, {
      kind: 'target_tasks',
      description: '新增制造业赋能任务',
      proposed: { tasks: ['制造业赋能'] },
    });
    await file('c3', one, 3, {
      kind: 'target_tasks',
      description: '新增医疗赋能任务',
      proposed: { tasks: ['医疗赋能'] },
    });

    // Default status: pending.
    const res = await list(officer);
    expect(res.statusCode).toBe(200);
    const page = jsonBody<Page<ChangeView>>(res);
    expect(page.items.map((c) => c.id)).toEqual([filed.c3?.id, filed.c2?.id, filed.c1?.id]);
    expect(page.items.map((c) => [c.platformId, c.hostName, c.status])).toEqual([
      [one.id, '中山一号赋能平台有限公司', 'pending'],
      [two.id, '中山二号赋能平台有限公司', 'pending'],
      [one.id, '中山一号赋能平台有限公司', 'pending'],
    ]);
    expect(page.nextCursor).toBeUndefined();
    // Stored: the host's name on the request itself, and the pending list's index keys.
    const stored = await registry().get(changeKey(filed.c2?.id as string));
    expect(stored).toMatchObject({
      hostName: '中山二号赋能平台有限公司',
      gsi2pk: 'CHANGES#pending',
      gsi2sk: `${filed.c2?.createdAt}#${filed.c2?.id}`,
    });
    // The other staff readers see the same list.
    for (const reader of [approver, admin]) {
      expect(jsonBody<Page<ChangeView>>(await list(reader)).items).toHaveLength(3);
    }
  });

  it('paging with limit 1 returns every item once, newest first', async () => {
    const { ids, pages } = await everyPage(operations, 'GET /v1/change-requests', officer, {
      status: 'pending',
    });
    expect(ids).toEqual([filed.c3?.id, filed.c2?.id, filed.c1?.id]);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('a decided request leaves pending and appears under approved or rejected', async () => {
    at(10);
    const approve = await call(operations, 'POST /v1/change-requests/{id}/decision', {
      caller: officer,
      params: { id: filed.c1?.id as string },
      body: { decision: 'approve', opinion: '同意变更' },
    });
    expect(approve.statusCode).toBe(200);
    const reject = await call(operations, 'POST /v1/change-requests/{id}/decision', {
      caller: officer,
      params: { id: filed.c2?.id as string },
      body: { decision: 'reject', opinion: '材料不足' },
    });
    expect(reject.statusCode).toBe(200);

    const ids = async (status: string) =>
      jsonBody<Page<ChangeView>>(await list(officer, { status })).items.map((c) => [c.id, c.status]);
    expect(await ids('pending')).toEqual([[filed.c3?.id, 'pending']]);
    expect(await ids('approved')).toEqual([[filed.c1?.id, 'approved']]);
    expect(await ids('rejected')).toEqual([[filed.c2?.id, 'rejected']]);
    expect(await registry().get(changeKey(filed.c1?.id as string))).toMatchObject({
      status: 'approved',
      gsi2pk: 'CHANGES#approved',
    });
  });

  it('400 naming the field for a bad status, limit or a cursor of another list', async () => {
    for (const [query, path] of [
      [{ status: 'open' }, 'query.status'],
      [{ status: 'PENDING' }, 'query.status'],
      [{ limit: '0' }, 'query.limit'],
      [{ limit: '101' }, 'query.limit'],
      [{ colour: 'red' }, 'query'],
    ] as const) {
      const res = await list(officer, query);
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(jsonBody<Problem>(res).errors?.map((e) => e.path)).toContain(path);
    }
    // A cursor the rejected list gave is refused by the approved list.
    const cursor = jsonBody<Page<ChangeView>>(
      await list(officer, { status: 'rejected', limit: '1' }),
    ).nextCursor;
    expect(cursor).toBeDefined();
    const forged = await list(officer, { status: 'approved', cursor: cursor as string });
    expect(forged.statusCode).toBe(400);
    expect(jsonBody<Problem>(forged).code).toBe('INVALID_CURSOR');
  });

  it('applicants (even the hosts), experts and observers get 403; no token 401', async () => {
    const host = applicant();
    expect(
      await statusesFor(operations, 'GET /v1/change-requests', [host, expert, observer, undefined]),
    ).toEqual([403, 403, 403, 401]);
  });
});

describe('GET /v1/objections', () => {
  const APPROVED = new Date(T0);
  const callRecord: Call = closedCall('CL1');
  const application = (id: string): Application => proposedApplication(id, 'CL1');
  let noticeId = '';
  const ids: Record<string, string> = {};
  const list = (caller: Caller, query?: Record<string, string>) =>
    call(registryApi, 'GET /v1/objections', { caller, ...(query ? { query } : {}) });

  interface ObjectionView {
    id: string;
    noticeId: string;
    applicationId: string;
    orgName?: string;
    objectorName: string;
    contact: string;
    status: string;
  }

  beforeAll(async () => {
    setClock(APPROVED, 'fixed');
    const apps = new DynamoApplicationStore();
    await new DynamoCallStore().create(
      callRecord,
      auditEvent(APPROVED, SYSTEM_ACTOR, 'call.created', 'call', callRecord.id),
    );
    const listed = ['OA1', 'OA2'].map(application);
    for (const app of listed) {
      await apps.create(
        app,
        auditEvent(APPROVED, SYSTEM_ACTOR, 'application.created', 'application', app.id),
      );
    }
    const plan = await planNotice(
      { calendar: new DynamoCalendarStore() },
      { call: callRecord, applications: listed, now: APPROVED, approver },
    );
    await registry().transact({
      ops: [
        ...plan.ops,
        ...listed.map((a) => apps.statusOp(a, 'on_notice', { updatedAt: APPROVED.toISOString() })),
      ],
      audit: plan.audit,
    });
    noticeId = plan.notice.id;
  });

  const object = async (name: string, applicationId: string, minute: number, objectorName: string) => {
    at(minute);
    const res = await call(registryApi, 'POST /v1/public/notices/{noticeId}/objections', {
      params: { noticeId },
      body: {
        applicationId,
        objectorName,
        objectorType: 'individual',
        contact: '13800000000',
        reason: `合作机构数量与协议不符，请核实（${name}）。`,
      },
    });
    expect(res.statusCode).toBe(201);
    ids[name] = jsonBody<{ id: string }>(res).id;
  };

  it('lists the pending objections newest first, with the listed organisation and the objector', async () => {
    await object('o1', 'OA1', 21, '王五');
    await object('o2', 'OA2', 22, '赵六');
    await object('o3', 'OA1', 23, '钱七');
    const res = await list(officer);
    expect(res.statusCode).toBe(200);
    const page = jsonBody<Page<ObjectionView>>(res);
    expect(page.items.map((o) => [o.id, o.applicationId, o.orgName, o.objectorName, o.status])).toEqual([
      [ids.o3, 'OA1', '中山OA1科技有限公司', '钱七', 'pending'],
      [ids.o2, 'OA2', '中山OA2科技有限公司', '赵六', 'pending'],
      [ids.o1, 'OA1', '中山OA1科技有限公司', '王五', 'pending'],
    ]);
    expect(page.items.every((o) => o.noticeId === noticeId && o.contact === '13800000000')).toBe(true);
    expect(await registry().get(keys.objection(ids.o2 as string))).toMatchObject({
      gsi2pk: 'OBJECTIONS#pending',
    });
    // Approvers read them too (same readers as a notice's objections).
    expect(jsonBody<Page<ObjectionView>>(await list(approver)).items).toHaveLength(3);
  });

  it('paging with limit 1 returns every item once, newest first', async () => {
    const { ids: seen } = await everyPage(registryApi, 'GET /v1/objections', approver, {});
    expect(seen).toEqual([ids.o3, ids.o2, ids.o1]);
  });

  it('a resolved objection leaves pending and appears under upheld or dismissed', async () => {
    at(30);
    const resolve = (objectionId: string, upheld: boolean) =>
      call(registryApi, 'POST /v1/objections/{objectionId}/resolution', {
        caller: officer,
        params: { objectionId },
        body: { upheld, response: upheld ? '经核实，异议成立。' : '经核实，异议不成立。' },
      });
    expect((await resolve(ids.o1 as string, true)).statusCode).toBe(200);
    expect((await resolve(ids.o2 as string, false)).statusCode).toBe(200);

    const of = async (status: string) =>
      jsonBody<Page<ObjectionView>>(await list(officer, { status })).items.map((o) => [o.id, o.status]);
    expect(await of('pending')).toEqual([[ids.o3, 'pending']]);
    expect(await of('upheld')).toEqual([[ids.o1, 'upheld']]);
    expect(await of('dismissed')).toEqual([[ids.o2, 'dismissed']]);
    expect(await registry().get(keys.objection(ids.o2 as string))).toMatchObject({
      status: 'dismissed',
      gsi2pk: 'OBJECTIONS#dismissed',
    });
  });

  it('400 naming status for an unknown status (the new ones are `pending`)', async () => {
    for (const status of ['open', 'resolved', '']) {
      const res = await list(officer, { status });
      expect(res.statusCode, status).toBe(400);
      expect(jsonBody<Problem>(res).errors?.map((e) => e.path)).toContain('query.status');
    }
  });

  it('objections are confidential: applicants, experts, admins and observers get 403; no token 401', async () => {
    expect(
      await statusesFor(registryApi, 'GET /v1/objections', [applicant(), expert, admin, observer, undefined]),
    ).toEqual([403, 403, 403, 403, 401]);
  });
});
