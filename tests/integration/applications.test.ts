import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoApplicationStore } from '../../functions/adapters/application-store.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import type { Application } from '../../functions/core/applications.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import { type HumanTask, taskId } from '../../functions/core/human-tasks.ts';
import { keys, reviewExecutionName } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

/** Applications through the real handler, DynamoDB Local and s3rver (Art. 8(1), Art. 9). */
const { handler } = await import('../../functions/api/applications.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');

const NOW = '2026-03-10T02:00:00.000Z';
const CLOSES = '2026-03-31T16:00:00.000Z';

let seq = 0;
const next = () => {
  seq += 1;
  return seq;
};
const applicant = (): Caller => ({ sub: `applicant-${next()}`, roles: ['applicant'] });
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const approver: Caller = { sub: 'approver-1', roles: ['approver'] };

const call = (id: string, over: Partial<Call> = {}): Call => ({
  id,
  title: '2026 年人工智能赋能平台认定',
  description: 'Call for recognition',
  opensAt: '2026-03-01T00:00:00.000Z',
  closesAt: CLOSES,
  requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
  scoringCriteria: [{ key: 'capability', title: '能力', weight: 1, max: 100 }],
  noticePeriod: { length: 5, unit: 'working_days' },
  status: 'open',
  createdBy: officer.sub,
  createdAt: '2026-02-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  version: 2,
  ...over,
});

async function seedCall(over: Partial<Call> = {}): Promise<string> {
  const id = `CALL${next()}`;
  await new DynamoCallStore().create(
    call(id, over),
    auditEvent(new Date(NOW), SYSTEM_ACTOR, 'call.created', 'call', id),
  );
  return id;
}

/** Registers an organisation for the caller through the organisations handler. */
async function register(caller: Caller, capital = 60_000_000): Promise<string> {
  const uscc = withCheckChar(`91442000MA${String(200000 + next()).padStart(6, '0')}X`.slice(0, 17));
  const res = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller,
      body: {
        name: `中山申报单位${next()}有限公司`,
        uscc,
        registeredCapitalCny: capital,
        address: '广东省中山市东区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
      },
    }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(201);
  return jsonBody<{ id: string }>(res).id;
}

const body = (over: Record<string, unknown> = {}) => ({
  consortium: [{ name: '中山大学', kind: 'university' }],
  partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${i}`, kind: 'company' })),
  registeredCapitalCny: 60_000_000,
  committedEnterprisesPerYear: 30,
  capabilities: ['compute scheduling'],
  summary: '面向制造业的算力与模型服务平台',
  ...over,
});

const call_ = (routeKey: string, caller: Caller | undefined, opts: Record<string, unknown> = {}) =>
  handler(apiEvent(routeKey, { ...(caller ? { caller } : {}), ...opts }), lambdaContext());
const create = (caller: Caller, callId: string, b: unknown = body(), headers?: Record<string, string>) =>
  call_('POST /v1/calls/{callId}/applications', caller, {
    params: { callId },
    body: b,
    ...(headers ? { headers } : {}),
  });
const get = (caller: Caller, id: string) => call_('GET /v1/applications/{id}', caller, { params: { id } });
const submit = (caller: Caller, id: string) =>
  call_('POST /v1/applications/{id}/submit', caller, { params: { id } });
const withdraw = (caller: Caller, id: string) =>
  call_('POST /v1/applications/{id}/withdraw', caller, { params: { id }, body: { reason: '另有安排' } });

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(512, 0x41), Buffer.from('\n%%EOF\n')]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Declares, uploads (a real multipart POST to s3rver) and confirms one evidence file. */
async function evidence(caller: Caller, id: string, kind = 'business-licence'): Promise<string> {
  const res = await call_('POST /v1/applications/{id}/evidence', caller, {
    params: { id },
    body: {
      kind,
      fileName: '营业执照.pdf',
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
  const confirmed = await call_('POST /v1/applications/{id}/evidence/{evidenceId}/confirm', caller, {
    params: { id, evidenceId: ticket.evidenceId },
  });
  expect(jsonBody(confirmed)).toEqual({ evidenceId: ticket.evidenceId, status: 'verified' });
  return ticket.evidenceId;
}

async function auditActions(entityId: string): Promise<string[]> {
  return (await registry().listAudit(entityId, 100)).items.map((e) => e.action);
}

/** Opens a pending human task for the application as the review workflow would. */
async function openTask(applicationId: string, kind: string, token: string): Promise<HumanTask> {
  const exec = reviewExecutionName(applicationId);
  const task: HumanTask = {
    id: taskId(exec, kind),
    workflow: 'review',
    executionName: exec,
    stateName: kind,
    kind,
    entityType: 'application',
    entityId: applicationId,
    assigneeRoles: kind === 'supplement' ? [] : ['officer'],
    status: 'pending',
    token,
    createdAt: NOW,
    dueAt: '2026-04-30T00:00:00.000Z',
    version: 1,
  };
  await new DynamoHumanTaskStore().open(
    task,
    auditEvent(new Date(NOW), SYSTEM_ACTOR, 'task.opened', 'task', task.id),
  );
  return task;
}

let engine: RecordingWorkflowEngine;

beforeAll(async () => {
  await useLocalServices('apps', { bucket: true });
});
beforeEach(() => {
  engine = new RecordingWorkflowEngine();
  setWorkflowEngine(engine);
  setClock(new Date(NOW), 'fixed');
});
afterAll(() => {
  setWorkflowEngine(undefined);
  setClock(undefined);
});

describe('POST /v1/calls/{callId}/applications', () => {
  it('drafts an application with its eligibility findings; audited', async () => {
    // Prepare
    const me = applicant();
    await register(me);
    const callId = await seedCall();
    // Act
    const res = await create(me, callId, body({ committedEnterprisesPerYear: 29 }));
    // Assess
    expect(res.statusCode).toBe(201);
    const created = jsonBody<{
      id: string;
      status: string;
      eligibility: { eligible: boolean; failures: { rule: string }[] };
    }>(res);
    expect(created.status).toBe('draft');
    expect(created.eligibility.eligible).toBe(false);
    expect(created.eligibility.failures.map((f) => f.rule)).toEqual(['art9.4.enterprises_served']);
    expect(await auditActions(created.id)).toEqual(['application.created']);
  });

  it('409 NO_ORGANISATION without an organisation; 409 ALREADY_APPLIED for a second one; idempotent replay', async () => {
    const me = applicant();
    const callId = await seedCall();
    expect(jsonBody(await create(me, callId))).toMatchObject({ status: 409, code: 'NO_ORGANISATION' });
    await register(me);
    const first = await create(me, callId, body(), { 'Idempotency-Key': 'create-1' });
    const replay = await create(me, callId, body(), { 'Idempotency-Key': 'create-1' });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(jsonBody(replay)).toEqual(jsonBody(first));
    const second = await create(me, callId);
    expect(second.statusCode).toBe(409);
    expect(jsonBody(second)).toMatchObject({ code: 'ALREADY_APPLIED' });
  });

  it.each([
    [
      'a call not yet open',
      { opensAt: '2026-03-20T00:00:00.000Z', status: 'scheduled' as const },
      'CALL_NOT_OPEN',
    ],
    [
      'a call closed by its instant (deadline job not run)',
      { closesAt: '2026-03-10T01:59:59.000Z' },
      'CALL_CLOSED',
    ],
  ])('409 for %s', async (_label, over, code) => {
    const me = applicant();
    await register(me);
    const callId = await seedCall(over);
    const res = await create(me, callId);
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res)).toMatchObject({ code });
  });

  it('400 naming the field for bad input; 404 for an unknown call', async () => {
    const me = applicant();
    await register(me);
    const bad = await create(me, await seedCall(), body({ partners: [{ name: '某机构', kind: 'alien' }] }));
    expect(bad.statusCode).toBe(400);
    expect(jsonBody<{ errors: { path: string }[] }>(bad).errors[0]?.path).toBe('body.partners.0.kind');
    expect((await create(me, 'NOSUCHCALL')).statusCode).toBe(404);
  });
});

describe('PATCH and GET /v1/applications/{id}', () => {
  it('recomputes eligibility; If-Match with a stale version → 409 STALE_VERSION', async () => {
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall(), body({ partners: [] })));
    const patched = await call_('PATCH /v1/applications/{id}', me, {
      params: { id },
      body: { partners: body().partners },
      headers: { 'If-Match': '"1"' },
    });
    expect(patched.statusCode).toBe(200);
    expect(jsonBody(patched)).toMatchObject({ version: 2, eligibility: { eligible: true, failures: [] } });
    const stale = await call_('PATCH /v1/applications/{id}', me, {
      params: { id },
      body: { summary: 'changed' },
      headers: { 'If-Match': '1' },
    });
    expect(stale.statusCode).toBe(409);
    expect(jsonBody(stale)).toMatchObject({ code: 'STALE_VERSION' });
    expect(await auditActions(id)).toEqual(['application.created', 'application.updated']);
  });

  it.each([
    ['the owner', 'owner', 200],
    ['an officer', 'officer', 200],
    ['an approver', 'approver', 200],
    ['another applicant', 'stranger', 404],
    ['an expert not assigned', 'expert', 404],
    ['an assigned expert', 'assigned', 200],
  ])('GET by %s (%s) → %i', async (_label, who, status) => {
    // Prepare
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall()));
    const expertSub = `expert-user-${next()}`;
    const expertId = `EXP${next()}`;
    await registry().transact({
      ops: [
        { kind: 'put', item: { ...keys.expertByUser(expertSub), type: 'guard', expertId } },
        ...(who === 'assigned'
          ? [
              {
                kind: 'put' as const,
                item: {
                  ...keys.assignment(id, expertId),
                  type: 'assignment',
                  applicationId: id,
                  expertId,
                  gsi2pk: `EXPERT#${expertId}#ASSIGNED`,
                  gsi2sk: `${NOW}#${id}`,
                },
              },
            ]
          : []),
      ],
    });
    const callers: Record<string, Caller> = {
      owner: me,
      officer,
      approver,
      stranger: applicant(),
      expert: { sub: expertSub, roles: ['expert'] },
      assigned: { sub: expertSub, roles: ['expert'] },
    };
    // Act
    const res = await get(callers[who] as Caller, id);
    // Assess
    expect(res.statusCode).toBe(status);
    if (status === 404) expect(res.body).not.toContain(me.sub);
    // The listing agrees with the object check.
    if (who === 'assigned' || who === 'expert') {
      const list = await call_('GET /v1/applications', callers[who], { query: {} });
      expect(jsonBody<{ items: { id: string }[] }>(list).items.map((a) => a.id)).toEqual(
        who === 'assigned' ? [id] : [],
      );
    }
  });
});

describe('GET /v1/applications', () => {
  it('officers page through one call’s applications by status; applicants see only their own', async () => {
    // Prepare: three applicants apply to one call; one of them submits
    const callId = await seedCall({ requiredEvidence: [] });
    const people = [applicant(), applicant(), applicant()];
    const ids: string[] = [];
    for (const p of people) {
      await register(p);
      ids.push(jsonBody<{ id: string }>(await create(p, callId)).id);
    }
    expect((await submit(people[0] as Caller, ids[0] as string)).statusCode).toBe(200);
    // Act
    const page1 = jsonBody<{ items: Application[]; nextCursor?: string }>(
      await call_('GET /v1/applications', officer, { query: { callId, limit: '2' } }),
    );
    const page2 = jsonBody<{ items: Application[]; nextCursor?: string }>(
      await call_('GET /v1/applications', officer, {
        query: { callId, limit: '2', cursor: page1.nextCursor ?? '' },
      }),
    );
    const submitted = jsonBody<{ items: Application[] }>(
      await call_('GET /v1/applications', officer, { query: { callId, status: 'submitted' } }),
    );
    const own = jsonBody<{ items: Application[] }>(
      await call_('GET /v1/applications', people[1], { query: {} }),
    );
    const noCall = await call_('GET /v1/applications', officer, { query: {} });
    const forged = await call_('GET /v1/applications', officer, {
      query: { callId, cursor: 'eyJwayI6IkFQUCN4In0' },
    });
    // Assess
    expect([...page1.items, ...page2.items].map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(page1.items).toHaveLength(2);
    expect(submitted.items.map((a) => a.id)).toEqual([ids[0]]);
    expect(own.items.map((a) => a.id)).toEqual([ids[1]]);
    expect(noCall.statusCode).toBe(400);
    expect(forged.statusCode).toBe(400);
  });
});

describe('POST /v1/applications/{id}/submit', () => {
  it.each([
    ['one second before closesAt', '2026-03-31T15:59:59.000Z', 200, undefined],
    ['at closesAt', CLOSES, 409, 'CALL_CLOSED'],
    ['one second late', '2026-03-31T16:00:01.000Z', 409, 'CALL_CLOSED'],
  ])('%s (%s) → %i %s', async (_label, at, status, code) => {
    // Prepare
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall()));
    await evidence(me, id);
    setClock(new Date(at), 'fixed');
    // Act
    const res = await submit(me, id);
    // Assess
    expect(res.statusCode).toBe(status);
    if (code) {
      expect(jsonBody(res)).toMatchObject({ code });
      expect(engine.started).toEqual([]);
      expect((await new DynamoApplicationStore().get(id))?.status).toBe('draft');
    } else {
      expect(jsonBody(res)).toMatchObject({ status: 'submitted', submittedAt: at });
      expect(engine.started).toEqual([
        {
          workflow: 'review',
          executionName: `app-${id}`,
          input: { applicationId: id, callId: expect.any(String) },
        },
      ]);
      expect(await auditActions(id)).toContain('application.submitted');
      const notes = await registry().query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'NOTIFY#officer' },
      });
      expect(notes.items.some((n) => n.entityId === id && n.event === 'application.submitted')).toBe(true);
    }
  });

  it('409 EVIDENCE_MISSING naming the kind; 409 NOT_ELIGIBLE with the failures', async () => {
    const me = applicant();
    await register(me);
    const callId = await seedCall();
    const { id } = jsonBody<{ id: string }>(
      await create(me, callId, body({ registeredCapitalCny: 49_999_999 })),
    );
    const missing = await submit(me, id);
    expect(missing.statusCode).toBe(409);
    // Eligibility is checked first: the capital fails.
    expect(jsonBody(missing)).toMatchObject({
      code: 'NOT_ELIGIBLE',
      failures: expect.arrayContaining([expect.objectContaining({ rule: 'art9.1.registered_capital' })]),
    });
    await call_('PATCH /v1/applications/{id}', me, {
      params: { id },
      body: { registeredCapitalCny: 60_000_000 },
    });
    const noEvidence = await submit(me, id);
    expect(jsonBody(noEvidence)).toMatchObject({
      status: 409,
      code: 'EVIDENCE_MISSING',
      missingKinds: ['business-licence'],
    });
  });

  it('a returned application is resubmitted before its supplement deadline: the supplement task completes', async () => {
    // Prepare: submitted, then returned by the preliminary review (as the review module does)
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall()));
    await evidence(me, id);
    await submit(me, id);
    const store = new DynamoApplicationStore();
    const app = (await store.get(id)) as Application;
    await registry().transact({
      ops: [
        store.statusOp(app, 'returned', {
          supplementDeadline: '2026-04-20T16:00:00.000Z',
          updatedAt: NOW,
          duePk: 'DUE#0',
          dueSk: `2026-04-20T16:00:00.000Z#supplement-deadline#${id}`,
        }),
      ],
    });
    const task = await openTask(id, 'supplement', 'tok-supplement');
    // Act: after the call closed, before the supplement deadline
    setClock(new Date('2026-04-20T15:59:59.000Z'), 'fixed');
    const res = await submit(me, id);
    // Assess
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({ status: 'preliminary_review' });
    expect(engine.successes).toEqual([{ taskToken: 'tok-supplement', output: { resubmitted: true } }]);
    expect((await new DynamoHumanTaskStore().get(task.id))?.status).toBe('completed');
    const item = await registry().get(keys.application(id));
    expect(item?.dueSk).toBeUndefined();
    expect(item?.gsi1sk).toMatch(/^preliminary_review#/);
    expect(await auditActions(id)).toContain('application.resubmitted');
  });

  it('a returned application at its supplement deadline → 409 SUPPLEMENT_DEADLINE_PASSED', async () => {
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall()));
    await evidence(me, id);
    await submit(me, id);
    const store = new DynamoApplicationStore();
    const app = (await store.get(id)) as Application;
    await registry().transact({
      ops: [store.statusOp(app, 'returned', { supplementDeadline: '2026-04-20T16:00:00.000Z' })],
    });
    await openTask(id, 'supplement', 'tok-late');
    setClock(new Date('2026-04-20T16:00:00.000Z'), 'fixed');
    const res = await submit(me, id);
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res)).toMatchObject({ code: 'SUPPLEMENT_DEADLINE_PASSED' });
    expect(engine.successes).toEqual([]);
  });
});

describe('POST /v1/applications/{id}/withdraw', () => {
  it('fails the pending human task with Withdrawn, audited; a second withdraw → 409', async () => {
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall()));
    await evidence(me, id);
    await submit(me, id);
    const task = await openTask(id, 'preliminary_review', 'tok-review');
    const res = await withdraw(me, id);
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({ status: 'withdrawn' });
    expect(engine.failures).toEqual([
      { taskToken: 'tok-review', error: 'Withdrawn', cause: 'The applicant withdrew the application.' },
    ]);
    expect((await new DynamoHumanTaskStore().get(task.id))?.status).toBe('failed');
    expect(await auditActions(id)).toContain('application.withdrawn');
    expect(jsonBody(await withdraw(me, id))).toMatchObject({ status: 409, code: 'NOT_WITHDRAWABLE' });
    expect((await withdraw(applicant(), id)).statusCode).toBe(404);
  });

  it('a draft is withdrawn without a body and without any workflow call', async () => {
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall()));
    const res = await call_('POST /v1/applications/{id}/withdraw', me, { params: { id } });
    expect(res.statusCode).toBe(200);
    expect(engine.failures).toEqual([]);
  });
});

describe('statusOp (used inside other modules’ transactions)', () => {
  it('moves the status with the list index keys, and loses a race with 409 STALE_VERSION', async () => {
    const me = applicant();
    await register(me);
    const { id } = jsonBody<{ id: string }>(await create(me, await seedCall()));
    const store = new DynamoApplicationStore();
    const app = (await store.get(id)) as Application;
    await registry().transact({ ops: [store.statusOp(app, 'submitted', { updatedAt: NOW })] });
    await expect(registry().transact({ ops: [store.statusOp(app, 'withdrawn')] })).rejects.toMatchObject({
      status: 409,
      code: 'STALE_VERSION',
    });
    const item = await registry().get(keys.application(id));
    expect(item).toMatchObject({ status: 'submitted', version: 2 });
    expect(item?.gsi1sk).toBe(`submitted#${app.createdAt}#${id}`);
    expect(item?.gsi2sk).toBe(`${app.callId}#submitted#${app.createdAt}#${id}`);
    expect(() => store.statusOp(app, 'submitted', { ownerSub: 'x' })).toThrow(/ownerSub/);
  });
});
