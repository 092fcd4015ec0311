import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import { keys, reviewExecutionName } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

/**
 * The review routes (Art. 8(2)–(4)) through the real handlers on DynamoDB Local, with a recording
 * workflow engine: the workflow's steps are opened by calling the real workflow handler, as the
 * state machine would.
 */
const { handler } = await import('../../functions/api/review.ts');
const { handler: appHandler } = await import('../../functions/api/applications.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');
const { handler: taskHandler } = await import('../../functions/api/tasks.ts');
const { handler: workflow } = await import('../../functions/workflow/review.ts');
const { handler: deadlineJob } = await import('../../functions/jobs/deadlines.ts');

const NOW = '2026-03-10T02:00:00.000Z';
let seq = 0;
const next = () => {
  seq += 1;
  return seq;
};
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const officer2: Caller = { sub: 'officer-2', roles: ['officer'] };
const approver: Caller = { sub: 'approver-1', roles: ['approver'] };
const admin: Caller = { sub: 'admin-1', roles: ['admin'] };
const uscc = () => withCheckChar(`91442000MA${String(300000 + next()).padStart(6, '0')}X`.slice(0, 17));

const criteria = [
  { key: 'capability', title: '平台能力', weight: 60, max: 10 },
  { key: 'resources', title: '资源集聚', weight: 40, max: 5 },
];

async function seedCall(): Promise<string> {
  const id = `CALLR${next()}`;
  const call: Call = {
    id,
    title: '2026 年人工智能赋能平台认定',
    description: 'Call for recognition',
    opensAt: '2026-03-01T00:00:00.000Z',
    closesAt: '2026-03-31T16:00:00.000Z',
    requiredEvidence: [],
    scoringCriteria: criteria,
    noticePeriod: { length: 5, unit: 'working_days' },
    status: 'open',
    createdBy: officer.sub,
    createdAt: '2026-02-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
    version: 2,
  };
  await new DynamoCallStore().create(
    call,
    auditEvent(new Date(NOW), SYSTEM_ACTOR, 'call.created', 'call', id),
  );
  return id;
}

const api =
  (h: typeof handler) =>
  (routeKey: string, caller: Caller, opts: { params?: Record<string, string>; body?: unknown } = {}) =>
    h(apiEvent(routeKey, { caller, ...opts }), lambdaContext());
const review = api(handler);
const apps = api(appHandler);

interface Applicant {
  readonly caller: Caller;
  readonly uscc: string;
  readonly memberUscc: string;
  readonly appId: string;
}

/** An organisation, its eligible application to `callId`, submitted (the review workflow is "started"). */
async function submittedApplication(callId: string): Promise<Applicant> {
  const caller: Caller = { sub: `applicant-${next()}`, roles: ['applicant'] };
  const code = uscc();
  const memberUscc = uscc();
  const org = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller,
      body: {
        name: `中山申报单位${next()}有限公司`,
        uscc: code,
        registeredCapitalCny: 80_000_000,
        address: '广东省中山市东区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
      },
    }),
    lambdaContext(),
  );
  expect(org.statusCode).toBe(201);
  const created = await apps('POST /v1/calls/{callId}/applications', caller, {
    params: { callId },
    body: {
      consortium: [{ name: '联合体成员公司', uscc: memberUscc, kind: 'company' }],
      partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${i}`, kind: 'research_institute' })),
      registeredCapitalCny: 80_000_000,
      committedEnterprisesPerYear: 40,
      capabilities: ['compute', 'models'],
      summary: '中山市人工智能赋能平台',
    },
  });
  expect(created.statusCode).toBe(201);
  const appId = jsonBody<{ id: string }>(created).id;
  const submitted = await apps('POST /v1/applications/{id}/submit', caller, { params: { id: appId } });
  expect(submitted.statusCode).toBe(200);
  return { caller, uscc: code, memberUscc, appId };
}

/** What the state machine does when it enters a callback state: the workflow handler opens the step. */
let tokens = 0;
async function openStep(
  appId: string,
  callId: string,
  kind: string,
  stateName: string,
  round = 0,
): Promise<string> {
  tokens += 1;
  const taskToken = `tok-${kind}-${tokens}`;
  await workflow({
    action: 'openHumanTask',
    kind,
    applicationId: appId,
    callId,
    round,
    executionName: reviewExecutionName(appId),
    stateName,
    taskToken,
  });
  return taskToken;
}

const status = async (id: string) => (await registry().get(keys.application(id)))?.status;

async function registerExpert(employerUscc: string): Promise<{ id: string; caller: Caller }> {
  const caller: Caller = { sub: `expert-${next()}`, roles: ['expert'] };
  const res = await review('POST /v1/experts', admin, {
    body: { userId: caller.sub, name: `专家${seq}`, employerUscc, fields: ['AI'] },
  });
  expect(res.statusCode).toBe(201);
  return { id: jsonBody<{ id: string }>(res).id, caller };
}

let engine: RecordingWorkflowEngine;
let callId: string;

beforeAll(async () => {
  await useLocalServices('review', { bucket: true });
  setClock(new Date(NOW), 'fixed');
  callId = await seedCall();
});
beforeEach(() => {
  engine = new RecordingWorkflowEngine();
  setWorkflowEngine(engine);
});
afterAll(() => {
  setWorkflowEngine(undefined);
  setClock(undefined);
});

describe('one application from preliminary review to the public notice', () => {
  it('preliminary review, experts (with a conflict refused), scores, inspection, ranking, list, approval', async () => {
    // Prepare
    const a = await submittedApplication(callId);
    expect(engine.started).toEqual([
      {
        workflow: 'review',
        executionName: reviewExecutionName(a.appId),
        input: { applicationId: a.appId, callId },
      },
    ]);
    const prToken = await openStep(a.appId, callId, 'preliminary_review', 'OpenPreliminaryReview');
    expect(await status(a.appId)).toBe('preliminary_review');

    // Act + Assess: preliminary review passes
    const pass = await review('POST /v1/applications/{id}/preliminary-review', officer, {
      params: { id: a.appId },
      body: { decision: 'pass', opinion: '材料真实、准确、符合要求' },
    });
    expect(pass.statusCode).toBe(200);
    expect(jsonBody(pass)).toMatchObject({
      status: 'expert_review',
      preliminaryReview: { decision: 'pass' },
    });
    expect(engine.successes).toEqual([
      {
        taskToken: prToken,
        output: { decision: 'pass', opinion: '材料真实、准确、符合要求', decidedBy: officer.sub },
      },
    ]);
    const audit = (await registry().listAudit(a.appId, 50)).items;
    const decided = audit.find((e) => e.action === 'application.preliminary_reviewed');
    expect(decided?.actor.sub).toBe(officer.sub);
    expect(decided?.detail).toMatchObject({
      decision: 'pass',
      evidenceManifest: [],
      eligibility: { eligible: true },
    });

    // experts: a conflicted one is refused with the party named
    const eaToken = await openStep(a.appId, callId, 'expert_assignment', 'OpenExpertAssignment');
    const conflicted = await registerExpert(a.memberUscc);
    const e1 = await registerExpert(uscc());
    const e2 = await registerExpert(uscc());
    const outsider = await registerExpert(uscc());
    const coi = await review('POST /v1/applications/{id}/experts', officer, {
      params: { id: a.appId },
      body: { expertIds: [e1.id, conflicted.id] },
    });
    expect(coi.statusCode).toBe(409);
    const problem = jsonBody<{ code: string; detail: string; conflicts: Array<Record<string, unknown>> }>(
      coi,
    );
    expect(problem.code).toBe('CONFLICT_OF_INTEREST');
    expect(problem.conflicts).toEqual([
      expect.objectContaining({
        expertId: conflicted.id,
        party: 'consortium_member',
        partyName: '联合体成员公司',
      }),
    ]);
    expect(problem.detail).toContain('联合体成员公司');
    const assigned = await review('POST /v1/applications/{id}/experts', officer, {
      params: { id: a.appId },
      body: { expertIds: [e1.id, e2.id] },
    });
    expect(assigned.statusCode).toBe(200);
    expect(engine.successes.at(-1)).toEqual({ taskToken: eaToken, output: { expertIds: [e1.id, e2.id] } });

    // expert reviews: the inbox, a non-assigned expert, bad scores, a double review
    const erToken = await openStep(a.appId, callId, 'expert_review', 'OpenExpertReviews');
    const inbox = jsonBody<{ items: Array<{ kind: string; entityId: string }> }>(
      await taskHandler(apiEvent('GET /v1/tasks', { caller: e1.caller }), lambdaContext()),
    );
    expect(inbox.items).toEqual([expect.objectContaining({ kind: 'expert_review', entityId: a.appId })]);
    const body = (scores: Record<string, number>) => ({
      conflictOfInterest: false,
      scores,
      comment: '平台能力突出',
    });
    const notAssigned = await review('POST /v1/applications/{id}/reviews', outsider.caller, {
      params: { id: a.appId },
      body: body({ capability: 9, resources: 4 }),
    });
    expect(notAssigned.statusCode).toBe(404);
    const tooHigh = await review('POST /v1/applications/{id}/reviews', e1.caller, {
      params: { id: a.appId },
      body: body({ capability: 10.5, resources: 4 }),
    });
    expect(tooHigh.statusCode).toBe(400);
    expect(jsonBody<{ errors: Array<{ path: string }> }>(tooHigh).errors.map((e) => e.path)).toEqual([
      'body.scores.capability',
    ]);
    const first = await review('POST /v1/applications/{id}/reviews', e1.caller, {
      params: { id: a.appId },
      body: body({ capability: 10, resources: 5 }),
    });
    expect(first.statusCode).toBe(201);
    const twice = await review('POST /v1/applications/{id}/reviews', e1.caller, {
      params: { id: a.appId },
      body: body({ capability: 1, resources: 1 }),
    });
    expect(twice.statusCode).toBe(409);
    expect(jsonBody(twice).code).toBe('ALREADY_REVIEWED');
    expect(engine.successes.some((s) => s.taskToken === erToken)).toBe(false);
    const last = await review('POST /v1/applications/{id}/reviews', e2.caller, {
      params: { id: a.appId },
      body: body({ capability: 5, resources: 5 }),
    });
    expect(last.statusCode).toBe(201);
    expect(engine.successes.at(-1)).toEqual({ taskToken: erToken, output: { reviewed: 2 } });
    expect(await status(a.appId)).toBe('site_inspection');

    // site inspection
    const siToken = await openStep(a.appId, callId, 'site_inspection', 'OpenSiteInspection');
    const future = await review('POST /v1/applications/{id}/site-inspection', officer, {
      params: { id: a.appId },
      body: { inspectedAt: '2026-03-11T02:00:00.000Z', findings: '场地、团队属实', passed: true },
    });
    expect(future.statusCode).toBe(400);
    const inspected = await review('POST /v1/applications/{id}/site-inspection', officer, {
      params: { id: a.appId },
      body: { inspectedAt: '2026-03-09T02:00:00+08:00', findings: '场地、团队属实', passed: true },
    });
    expect(inspected.statusCode).toBe(201);
    expect(engine.successes.at(-1)).toEqual({
      taskToken: siToken,
      output: { passed: true, inspectedAt: '2026-03-08T18:00:00.000Z' },
    });
    expect(await status(a.appId)).toBe('awaiting_ranking');
    expect(
      await workflow({
        action: 'markAwaitingRanking',
        applicationId: a.appId,
        callId,
        round: 0,
        executionName: reviewExecutionName(a.appId),
      }),
    ).toEqual({
      changed: false,
      status: 'awaiting_ranking',
    });

    // ranking: (100 + 70) / 2 = 85
    const ranking = await review('GET /v1/calls/{callId}/ranking', approver, { params: { callId } });
    expect(ranking.statusCode).toBe(200);
    const items = jsonBody<{ items: Array<Record<string, unknown>> }>(ranking).items;
    expect(items).toEqual([
      expect.objectContaining({
        rank: 1,
        applicationId: a.appId,
        averageScore: 85,
        expertScores: expect.arrayContaining([
          expect.objectContaining({ expertId: e1.id, score: 100 }),
          expect.objectContaining({ expertId: e2.id, score: 70 }),
        ]),
      }),
    ]);

    // proposed list and its approval open the public notice
    const stranger = await review('POST /v1/calls/{callId}/proposed-list', officer, {
      params: { callId },
      body: { applicationIds: [a.appId, 'NOPE'] },
    });
    expect(stranger.statusCode).toBe(409);
    expect(jsonBody(stranger).code).toBe('NOT_IN_RANKING');
    const proposed = await review('POST /v1/calls/{callId}/proposed-list', officer, {
      params: { callId },
      body: { applicationIds: [a.appId] },
    });
    expect(proposed.statusCode).toBe(201);
    expect(await status(a.appId)).toBe('proposed');
    const approved = await review('POST /v1/calls/{callId}/proposed-list/decision', approver, {
      params: { callId },
      body: { decision: 'approve', opinion: '同意公示' },
    });
    expect(approved.statusCode).toBe(200);
    const notice = jsonBody<{ status: string; noticeId: string; startsAt: string; endsAt: string }>(approved);
    expect(notice.status).toBe('approved');
    expect(Date.parse(notice.endsAt)).toBeGreaterThan(Date.parse(notice.startsAt));
    expect(await status(a.appId)).toBe('on_notice');
    expect(await registry().get(keys.notice(notice.noticeId))).toBeDefined();
    const again = await review('POST /v1/calls/{callId}/proposed-list/decision', approver, {
      params: { callId },
      body: { decision: 'approve', opinion: '同意公示' },
    });
    expect(again.statusCode).toBe(409);
    const callAudit = (await registry().listAudit(callId, 50)).items.map((e) => e.action);
    expect(callAudit).toEqual(expect.arrayContaining(['call.list_proposed', 'call.list_decided']));
  });
});

describe('return for supplements', () => {
  it('needs a future deadline; the owner sees the step, resubmits, and a second round opens', async () => {
    // Prepare
    const a = await submittedApplication(callId);
    const token = await openStep(a.appId, callId, 'preliminary_review', 'OpenPreliminaryReview');
    const ret = (supplementDeadline?: string) =>
      review('POST /v1/applications/{id}/preliminary-review', officer, {
        params: { id: a.appId },
        body: {
          decision: 'return',
          opinion: '请补充合作协议',
          ...(supplementDeadline ? { supplementDeadline } : {}),
        },
      });
    // Act + Assess
    for (const [deadline, path] of [
      [undefined, 'body.supplementDeadline'],
      [NOW, 'body.supplementDeadline'],
      ['2026-06-30T00:00:00.000Z', 'body.supplementDeadline'],
    ] as const) {
      const bad = await ret(deadline);
      expect(bad.statusCode).toBe(400);
      expect(jsonBody<{ errors: Array<{ path: string }> }>(bad).errors[0]?.path).toBe(path);
    }
    const deadline = '2026-03-20T16:00:00.000Z';
    const returned = await ret(deadline);
    expect(returned.statusCode).toBe(200);
    expect(engine.successes).toEqual([
      {
        taskToken: token,
        output: expect.objectContaining({ decision: 'return', supplementDeadline: deadline }),
      },
    ]);
    const item = await registry().get(keys.application(a.appId));
    expect(item).toMatchObject({ status: 'returned', supplementDeadline: deadline });
    expect(String(item?.dueSk)).toBe(`${deadline}#supplement-deadline#${a.appId}`);

    const supToken = await openStep(a.appId, callId, 'supplement', 'AwaitSupplement');
    const own = jsonBody<{ items: Array<{ kind: string; dueAt: string }> }>(
      await taskHandler(apiEvent('GET /v1/tasks', { caller: a.caller }), lambdaContext()),
    );
    expect(own.items).toEqual([expect.objectContaining({ kind: 'supplement', dueAt: deadline })]);
    const resubmitted = await apps('POST /v1/applications/{id}/submit', a.caller, {
      params: { id: a.appId },
    });
    expect(resubmitted.statusCode).toBe(200);
    expect(engine.successes.at(-1)).toEqual({ taskToken: supToken, output: { resubmitted: true } });
    const round2 = await openStep(a.appId, callId, 'preliminary_review', 'OpenPreliminaryReview', 1);
    const pending = await new DynamoHumanTaskStore().current('application', a.appId);
    expect(pending).toMatchObject({ kind: 'preliminary_review', status: 'pending', round: 1, token: round2 });
    expect(await status(a.appId)).toBe('preliminary_review');
    const passed = await review('POST /v1/applications/{id}/preliminary-review', officer, {
      params: { id: a.appId },
      body: { decision: 'pass', opinion: '补正后符合要求' },
    });
    expect(passed.statusCode).toBe(200);
    expect(engine.successes.at(-1)?.taskToken).toBe(round2);
  });

  it('at the supplement deadline the application expires and the step fails with SupplementDeadlinePassed, once', async () => {
    // Prepare
    const a = await submittedApplication(callId);
    await openStep(a.appId, callId, 'preliminary_review', 'OpenPreliminaryReview');
    const deadline = '2026-03-12T16:00:00.000Z';
    await review('POST /v1/applications/{id}/preliminary-review', officer, {
      params: { id: a.appId },
      body: { decision: 'return', opinion: '请补充', supplementDeadline: deadline },
    });
    const supToken = await openStep(a.appId, callId, 'supplement', 'AwaitSupplement');
    try {
      // Act: one millisecond before, then at the deadline, then again
      setClock(new Date(Date.parse(deadline) - 1), 'fixed');
      await deadlineJob();
      expect(await status(a.appId)).toBe('returned');
      setClock(new Date(deadline), 'fixed');
      const late = await apps('POST /v1/applications/{id}/submit', a.caller, { params: { id: a.appId } });
      expect(late.statusCode).toBe(409);
      await deadlineJob();
      await deadlineJob();
      // Assess
      expect(await status(a.appId)).toBe('supplement_expired');
      expect(engine.failures).toEqual([
        { taskToken: supToken, error: 'SupplementDeadlinePassed', cause: expect.stringContaining(deadline) },
      ]);
      const item = await registry().get(keys.application(a.appId));
      expect(item?.dueSk).toBeUndefined();
      const task = await new DynamoHumanTaskStore().current('application', a.appId);
      expect(task?.status).toBe('failed');
      expect(
        await workflow({
          action: 'markSupplementExpired',
          applicationId: a.appId,
          callId,
          round: 0,
          executionName: reviewExecutionName(a.appId),
        }),
      ).toEqual({ changed: false });
    } finally {
      setClock(new Date(NOW), 'fixed');
    }
  });
});

describe('races and wrong stages', () => {
  it('two officers deciding the same preliminary review: one 200, one 409, one audit decision', async () => {
    // Prepare
    const a = await submittedApplication(callId);
    await openStep(a.appId, callId, 'preliminary_review', 'OpenPreliminaryReview');
    // Act
    const results = await Promise.all(
      [officer, officer2].map((o, i) =>
        review('POST /v1/applications/{id}/preliminary-review', o, {
          params: { id: a.appId },
          body: { decision: i === 0 ? 'pass' : 'reject', opinion: `意见${i}` },
        }),
      ),
    );
    // Assess
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const decisions = (await registry().listAudit(a.appId, 50)).items.filter(
      (e) => e.action === 'application.preliminary_reviewed',
    );
    expect(decisions).toHaveLength(1);
    expect(engine.successes).toHaveLength(1);
  });

  it('409 before the step is open, 404 for an unknown application, 403 for an applicant', async () => {
    const a = await submittedApplication(callId);
    const early = await review('POST /v1/applications/{id}/preliminary-review', officer, {
      params: { id: a.appId },
      body: { decision: 'pass', opinion: 'ok' },
    });
    expect(early.statusCode).toBe(409);
    const unknown = await review('POST /v1/applications/{id}/preliminary-review', officer, {
      params: { id: 'NOPE' },
      body: { decision: 'pass', opinion: 'ok' },
    });
    expect(unknown.statusCode).toBe(404);
    const wrongRole = await review('POST /v1/applications/{id}/preliminary-review', a.caller, {
      params: { id: a.appId },
      body: { decision: 'pass', opinion: 'ok' },
    });
    expect(wrongRole.statusCode).toBe(403);
  });

  it('an expert user registers once (409), experts list for officers', async () => {
    const caller = `expert-${next()}`;
    const body = { userId: caller, name: '李专家', employerUscc: uscc(), fields: ['AI'] };
    expect((await review('POST /v1/experts', officer, { body })).statusCode).toBe(201);
    const dup = await review('POST /v1/experts', admin, { body });
    expect(dup.statusCode).toBe(409);
    expect(jsonBody(dup).code).toBe('EXPERT_ALREADY_REGISTERED');
    const bad = await review('POST /v1/experts', admin, {
      body: { ...body, userId: 'x', employerUscc: 'ABC' },
    });
    expect(bad.statusCode).toBe(400);
    const list = jsonBody<{ items: Array<{ userId: string }> }>(await review('GET /v1/experts', officer));
    expect(list.items.map((e) => e.userId)).toContain(caller);
  });
});
