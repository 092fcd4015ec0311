import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoApplicationStore } from '../../functions/adapters/application-store.ts';
import { DynamoCalendarStore } from '../../functions/adapters/calendar-store.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import type { Application } from '../../functions/core/applications.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import { taskId } from '../../functions/core/human-tasks.ts';
import { planNotice } from '../../functions/core/notices.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { closedCall, proposedApplication } from './support/notice-fixtures.ts';
import { useLocalServices } from './support/services.ts';

const { handler } = await import('../../functions/api/registry.ts');
const { handler: deadlines } = await import('../../functions/jobs/deadlines.ts');

const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const officer2: Caller = { sub: 'officer-2', roles: ['officer'] };
const approver = { sub: 'approver-1', roles: ['approver' as const] };
/** Approved at noon on 2026-09-30: 5 working days → 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12. */
const APPROVED = new Date('2026-09-30T12:00:00+08:00');
const ENDS = '2026-10-12T15:59:59.999Z';
const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);

const api = (routeKey: string, opts: Parameters<typeof apiEvent>[1] = {}) =>
  handler(apiEvent(routeKey, opts), lambdaContext());

const callRecord: Call = closedCall('C1');

const application = (id: string): Application => proposedApplication(id, 'C1');

const engine = new RecordingWorkflowEngine();
const apps = new DynamoApplicationStore();
let noticeId = '';

const objection = (applicationId: string, reason = '合作机构数量与协议不符，请核实。') => ({
  applicationId,
  objectorName: '王五',
  objectorType: 'individual',
  contact: '13800000000',
  reason,
});
const object = (applicationId: string, reason?: string) =>
  api('POST /v1/public/notices/{noticeId}/objections', {
    params: { noticeId },
    body: objection(applicationId, reason),
  });
const resolve = (caller: Caller, objectionId: string, upheld: boolean) =>
  api('POST /v1/objections/{objectionId}/resolution', {
    caller,
    params: { objectionId },
    body: { upheld, response: upheld ? '经核实，异议成立。' : '经核实，异议不成立。' },
  });

beforeAll(async () => {
  await useLocalServices('notices');
  setWorkflowEngine(engine);
  setClock(APPROVED, 'fixed');
  // Prepare: the call, three proposed applications with their waiting `listing` tasks, a host organisation.
  await new DynamoCallStore().create(
    callRecord,
    auditEvent(APPROVED, SYSTEM_ACTOR, 'call.created', 'call', 'C1'),
  );
  const listed = ['A1', 'A2', 'A3'].map(application);
  const tasks = new DynamoHumanTaskStore();
  for (const app of listed) {
    await apps.create(app, auditEvent(APPROVED, SYSTEM_ACTOR, 'application.created', 'application', app.id));
    const id = taskId(`app-${app.id}`, 'WaitForListing');
    await tasks.open(
      {
        id,
        workflow: 'review',
        executionName: `app-${app.id}`,
        stateName: 'WaitForListing',
        kind: 'listing',
        entityType: 'application',
        entityId: app.id,
        assigneeRoles: [],
        inbox: false,
        reminders: false,
        status: 'pending',
        token: `token-${app.id}`,
        createdAt: APPROVED.toISOString(),
        dueAt: APPROVED.toISOString(),
        version: 1,
      },
      auditEvent(APPROVED, SYSTEM_ACTOR, 'task.opened', 'task', id),
    );
  }
  await registry().transact({
    ops: [
      {
        kind: 'put',
        item: { pk: 'ORG#org-A1', sk: 'ORG', type: 'organisation', id: 'org-A1', memberSubs: ['owner-A1'] },
      },
    ],
  });
  // Act (what the approval does): the notice plan and each application on notice, in one transaction.
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
afterAll(() => {
  setClock(undefined);
  setWorkflowEngine(undefined);
});

const objectionIds: Record<string, string> = {};

describe('public notice (Art. 8(4))', () => {
  it('is public: listed organisations, the period counted in working days, status', async () => {
    const res = await api('GET /v1/public/notices/{noticeId}', { params: { noticeId } });
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({
      id: noticeId,
      status: 'open',
      firstDay: '2026-09-30',
      lastDay: '2026-10-12',
      endsAt: ENDS,
      objectionCount: 0,
      entries: [
        { applicationId: 'A1', orgName: '中山A1科技有限公司', platformSummary: 'Platform of A1' },
        expect.objectContaining({ applicationId: 'A2' }),
        expect.objectContaining({ applicationId: 'A3' }),
      ],
    });
    const list = jsonBody<{ items: { id: string }[] }>(await api('GET /v1/public/notices'));
    expect(list.items.map((n) => n.id)).toEqual([noticeId]);
    expect(
      (await api('GET /v1/public/notices/{noticeId}', { params: { noticeId: 'n-none' } })).statusCode,
    ).toBe(404);
  });

  it.each([
    ['before startsAt', shift(APPROVED.toISOString(), -1)],
    ['after endsAt', shift(ENDS, 1)],
  ])('refuses an objection %s with 409 NOTICE_NOT_OPEN', async (_what, now) => {
    setClock(now, 'fixed');
    const res = await object('A1');
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res)).toMatchObject({ code: 'NOTICE_NOT_OPEN' });
  });

  it('refuses an objection about an application the notice does not list (400)', async () => {
    setClock(shift(APPROVED.toISOString(), 60_000), 'fixed');
    const res = await object('A9');
    expect(res.statusCode).toBe(400);
    expect(jsonBody<{ errors: { path: string }[] }>(res).errors[0]?.path).toBe('body.applicationId');
  });

  it('accepts objections in the period (at endsAt too); a repeat returns the same objection', async () => {
    setClock(shift(APPROVED.toISOString(), 60_000), 'fixed');
    for (const app of ['A1', 'A2']) {
      const res = await object(app);
      expect(res.statusCode).toBe(201);
      objectionIds[app] = jsonBody<{ id: string }>(res).id;
    }
    setClock(new Date(ENDS), 'fixed');
    const last = await object('A3');
    expect(last.statusCode).toBe(201);
    objectionIds.A3 = jsonBody<{ id: string }>(last).id;
    const repeat = await object('A3');
    expect(jsonBody(repeat)).toEqual({ id: objectionIds.A3, status: 'pending' });
    const officers = await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'NOTIFY#officer' },
    });
    expect(officers.items.filter((n) => n.event === 'objection.filed')).toHaveLength(3);
  });

  it('public responses count objections but never reveal who objected', async () => {
    const res = await api('GET /v1/public/notices/{noticeId}', { params: { noticeId } });
    expect(jsonBody(res)).toMatchObject({ objectionCount: 3 });
    const text = `${res.body}${(await api('GET /v1/public/notices')).body}`;
    for (const secret of ['王五', '13800000000', 'objectorName', 'contact'])
      expect(text).not.toContain(secret);
  });

  it('officers see the objections with the objectors’ details; applicants may not (403)', async () => {
    const res = await api('GET /v1/notices/{noticeId}/objections', { caller: officer, params: { noticeId } });
    expect(res.statusCode).toBe(200);
    const items = jsonBody<{ items: { objectorName: string; contact: string }[] }>(res).items;
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ objectorName: '王五', contact: '13800000000' });
    const applicant = { sub: 'owner-A1', roles: ['applicant' as const] };
    expect(
      (await api('GET /v1/notices/{noticeId}/objections', { caller: applicant, params: { noticeId } }))
        .statusCode,
    ).toBe(403);
  });

  it('two officers resolving the same objection at once: one 200, one 409', async () => {
    const results = await Promise.all([
      resolve(officer, objectionIds.A1 as string, false),
      resolve(officer2, objectionIds.A1 as string, false),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const again = await resolve(officer, objectionIds.A1 as string, true);
    expect(jsonBody(again)).toMatchObject({ code: 'OBJECTION_NOT_PENDING' });
    expect((await resolve(officer, objectionIds.A2 as string, true)).statusCode).toBe(200);
    const audit = await registry().listAudit(objectionIds.A1 as string, 10);
    expect(audit.items.map((e) => e.action)).toEqual(['objection.resolved']);
  });

  it('at endsAt the notice closes: dismissed → recognised (platform), upheld → not recognised, pending → waits', async () => {
    setClock(new Date(ENDS), 'fixed');
    expect((await deadlines()).byType['notice-close']).toBeUndefined();
    setClock(shift(ENDS, 1), 'fixed');
    expect((await deadlines()).byType['notice-close']).toEqual({ examined: 1, acted: 1 });
    expect((await deadlines()).byType['notice-close']).toBeUndefined();
    expect((await apps.get('A1'))?.status).toBe('recognised');
    expect((await apps.get('A2'))?.status).toBe('not_recognised');
    expect((await apps.get('A3'))?.status).toBe('on_notice');
    expect(await registry().get({ pk: 'PLATFORM#p-A1', sk: 'PLATFORM' })).toMatchObject({
      status: 'active',
      validUntil: '2027-12-31',
      hostName: '中山A1科技有限公司',
    });
    expect(await registry().get({ pk: 'PLATFORM#p-A2', sk: 'PLATFORM' })).toBeUndefined();
    expect(engine.successes).toEqual([
      { taskToken: 'token-A1', output: { outcome: 'recognised', platformId: 'p-A1' } },
      { taskToken: 'token-A2', output: { outcome: 'not_recognised' } },
    ]);
    expect(jsonBody(await api('GET /v1/public/notices/{noticeId}', { params: { noticeId } }))).toMatchObject({
      status: 'closed',
    });
    const owner = await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'NOTIFY#USER#owner-A1' },
    });
    expect(owner.items.map((n) => n.event)).toContain('application.recognised');
  });

  it('the public registry lists the recognised platform with public fields only', async () => {
    const res = await api('GET /v1/public/platforms');
    const items = jsonBody<{ items: Record<string, unknown>[] }>(res).items;
    expect(items.map((p) => p.id)).toEqual(['p-A1']);
    expect(items[0]).not.toHaveProperty('orgId');
    expect(items[0]).not.toHaveProperty('applicationId');
    // Art. 14: after the policy end date it is no longer listed.
    setClock(new Date('2028-01-01T00:00:00+08:00'), 'fixed');
    expect(jsonBody<{ items: unknown[] }>(await api('GET /v1/public/platforms')).items).toEqual([]);
    setClock(shift(ENDS, 1), 'fixed');
  });

  it('the last resolution after the close decides the waiting application', async () => {
    expect((await resolve(officer, objectionIds.A3 as string, false)).statusCode).toBe(200);
    expect((await apps.get('A3'))?.status).toBe('recognised');
    expect(await registry().get({ pk: 'PLATFORM#p-A3', sk: 'PLATFORM' })).toMatchObject({ status: 'active' });
    expect(engine.successes.at(-1)).toEqual({
      taskToken: 'token-A3',
      output: { outcome: 'recognised', platformId: 'p-A3' },
    });
    const audit = await registry().listAudit('A3', 20);
    expect(audit.items.map((e) => e.action)).toContain('application.recognised');
  });

  it('a platform is visible to its host members, staff and observers; to anyone else 404', async () => {
    const get = (caller: Caller) =>
      api('GET /v1/platforms/{platformId}', { caller, params: { platformId: 'p-A1' } });
    expect((await get({ sub: 'owner-A1', roles: ['applicant'] })).statusCode).toBe(200);
    expect((await get({ sub: 'obs', roles: ['observer'] })).statusCode).toBe(200);
    expect((await get(officer)).statusCode).toBe(200);
    expect((await get({ sub: 'owner-A2', roles: ['applicant'] })).statusCode).toBe(404);
  });
});
