import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../functions/adapters/aws-clients.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import type { HumanTask } from '../../functions/core/human-tasks.ts';
import { keys, reviewExecutionName } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { LocalWorkflowEngine } from '../../infra/local/workflow-engine.ts';
import { reviewWorkflow } from '../../infra/workflows/review.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

/**
 * The review definition on the REAL local engine with the REAL workflow handler
 * (functions/workflow/review.ts), driven through the API handlers as officers, experts and applicants
 * would: the whole review to the notice close, the return/resubmit loop, and a withdrawal.
 */
const { handler: review } = await import('../../functions/api/review.ts');
const { handler: appHandler } = await import('../../functions/api/applications.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');
const { handler: deadlineJob } = await import('../../functions/jobs/deadlines.ts');

const NOW = Date.parse('2026-03-10T02:00:00.000Z');
let nowMs = NOW;
let seq = 0;
const next = () => {
  seq += 1;
  return seq;
};
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const approver: Caller = { sub: 'approver-1', roles: ['approver'] };
const admin: Caller = { sub: 'admin-1', roles: ['admin'] };
const uscc = () => withCheckChar(`91442000MA${String(400000 + next()).padStart(6, '0')}X`.slice(0, 17));
const tasks = new DynamoHumanTaskStore();

let engine: LocalWorkflowEngine;
let callId: string;

const send = (
  h: typeof review,
  routeKey: string,
  caller: Caller,
  opts: { params?: Record<string, string>; body?: unknown } = {},
) => h(apiEvent(routeKey, { caller, ...opts }), lambdaContext());

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The application's pending task of `kind` once the workflow has opened it. */
const pending = (appId: string, kind: string): Promise<HumanTask> =>
  until(async () => {
    const t = await tasks.current('application', appId);
    return t?.status === 'pending' && t.kind === kind ? t : undefined;
  }, `${kind} of ${appId}`);

const finished = (appId: string) =>
  until(async () => {
    const d = await engine.describeExecution('review', reviewExecutionName(appId));
    return d && d.status !== 'RUNNING' ? d : undefined;
  }, `the review of ${appId} to finish`);

const status = async (id: string) => (await registry().get(keys.application(id)))?.status;

async function submitted(): Promise<{ caller: Caller; appId: string }> {
  const caller: Caller = { sub: `applicant-${next()}`, roles: ['applicant'] };
  const org = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller,
      body: {
        name: `中山平台公司${next()}`,
        uscc: uscc(),
        registeredCapitalCny: 50_000_000,
        address: '广东省中山市火炬开发区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
      },
    }),
    lambdaContext(),
  );
  expect(org.statusCode).toBe(201);
  const created = await send(appHandler, 'POST /v1/calls/{callId}/applications', caller, {
    params: { callId },
    body: {
      consortium: [],
      partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${i}`, kind: 'university' })),
      registeredCapitalCny: 50_000_000,
      committedEnterprisesPerYear: 30,
      capabilities: ['compute'],
      summary: '赋能平台',
    },
  });
  expect(created.statusCode).toBe(201);
  const appId = jsonBody<{ id: string }>(created).id;
  expect(
    (await send(appHandler, 'POST /v1/applications/{id}/submit', caller, { params: { id: appId } }))
      .statusCode,
  ).toBe(200);
  return { caller, appId };
}

const preliminary = (appId: string, body: Record<string, unknown>) =>
  send(review, 'POST /v1/applications/{id}/preliminary-review', officer, { params: { id: appId }, body });

beforeAll(async () => {
  const { tableName } = await useLocalServices('local-review', { bucket: true });
  setClock(new Date(NOW), 'fixed');
  engine = new LocalWorkflowEngine({
    client: dynamoClient(),
    tableName,
    workflows: [reviewWorkflow],
    now: () => new Date(nowMs),
    log: () => {},
  });
  setWorkflowEngine(engine);
  callId = `CALLW${next()}`;
  const call: Call = {
    id: callId,
    title: '2026 年认定',
    description: 'Call',
    opensAt: '2026-03-01T00:00:00.000Z',
    closesAt: '2026-03-31T16:00:00.000Z',
    requiredEvidence: [],
    scoringCriteria: [{ key: 'capability', title: '能力', weight: 1, max: 10 }],
    noticePeriod: { length: 5, unit: 'working_days' },
    status: 'open',
    createdBy: officer.sub,
    createdAt: '2026-02-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
    version: 2,
  };
  await new DynamoCallStore().create(
    call,
    auditEvent(new Date(NOW), SYSTEM_ACTOR, 'call.created', 'call', callId),
  );
});
afterEach(() => {
  nowMs = NOW;
  setClock(new Date(NOW), 'fixed');
});
afterAll(async () => {
  await engine.stop(1_000);
  setWorkflowEngine(undefined);
  setClock(undefined);
});

describe('the review on the local engine', () => {
  it('runs from submission through every human step to the notice close and succeeds', async () => {
    // Prepare
    const a = await submitted();
    await pending(a.appId, 'preliminary_review');
    expect(await status(a.appId)).toBe('preliminary_review');

    // Act: the officers, experts and approver decide through the API
    expect((await preliminary(a.appId, { decision: 'pass', opinion: '符合要求' })).statusCode).toBe(200);
    await pending(a.appId, 'expert_assignment');
    const experts: Array<{ id: string; caller: Caller }> = [];
    for (let i = 0; i < 2; i += 1) {
      const caller: Caller = { sub: `expert-${next()}`, roles: ['expert'] };
      const res = await send(review, 'POST /v1/experts', admin, {
        body: { userId: caller.sub, name: `专家${i}`, employerUscc: uscc(), fields: ['AI'] },
      });
      experts.push({ id: jsonBody<{ id: string }>(res).id, caller });
    }
    const assigned = await send(review, 'POST /v1/applications/{id}/experts', officer, {
      params: { id: a.appId },
      body: { expertIds: experts.map((e) => e.id) },
    });
    expect(assigned.statusCode).toBe(200);
    const reviewTask = await pending(a.appId, 'expert_review');
    expect([...(reviewTask.assigneeSubs ?? [])].sort()).toEqual(experts.map((e) => e.caller.sub).sort());
    for (const [i, e] of experts.entries()) {
      const res = await send(review, 'POST /v1/applications/{id}/reviews', e.caller, {
        params: { id: a.appId },
        body: { conflictOfInterest: false, scores: { capability: 8 + i }, comment: '好' },
      });
      expect(res.statusCode).toBe(201);
    }
    await pending(a.appId, 'site_inspection');
    const inspected = await send(review, 'POST /v1/applications/{id}/site-inspection', officer, {
      params: { id: a.appId },
      body: { inspectedAt: '2026-03-10T01:00:00.000Z', findings: '属实', passed: true },
    });
    expect(inspected.statusCode).toBe(201);
    const listing = await pending(a.appId, 'listing');
    expect(listing.inbox).toBe(false);
    const ranking = jsonBody<{ items: Array<{ applicationId: string; averageScore: number }> }>(
      await send(review, 'GET /v1/calls/{callId}/ranking', officer, { params: { callId } }),
    );
    expect(ranking.items.find((i) => i.applicationId === a.appId)?.averageScore).toBe(85);
    expect(
      (
        await send(review, 'POST /v1/calls/{callId}/proposed-list', officer, {
          params: { callId },
          body: { applicationIds: [a.appId] },
        })
      ).statusCode,
    ).toBe(201);
    const approved = await send(review, 'POST /v1/calls/{callId}/proposed-list/decision', approver, {
      params: { callId },
      body: { decision: 'approve', opinion: '同意' },
    });
    expect(approved.statusCode).toBe(200);
    const { endsAt } = jsonBody<{ endsAt: string }>(approved);
    // the notice period passes; the deadline job closes the notice and completes the listing step
    nowMs = Date.parse(endsAt) + 1_000;
    setClock(new Date(nowMs), 'fixed');
    await deadlineJob();
    const done = await finished(a.appId);

    // Assess
    expect(done.status).toBe('SUCCEEDED');
    const app = await registry().get(keys.application(a.appId));
    expect(app).toMatchObject({ status: 'recognised', reviewOutcome: 'recognised' });
    const actions = (await registry().listAudit(a.appId, 100)).items.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'application.preliminary_reviewed',
        'application.experts_assigned',
        'application.expert_review_completed',
        'application.site_inspected',
        'application.review_finalised',
      ]),
    );
  });

  it('returns for supplements, takes the resubmission into a second round, then rejects', async () => {
    const a = await submitted();
    await pending(a.appId, 'preliminary_review');
    const returned = await preliminary(a.appId, {
      decision: 'return',
      opinion: '请补充',
      supplementDeadline: '2026-03-20T00:00:00.000Z',
    });
    expect(returned.statusCode).toBe(200);
    const supplement = await pending(a.appId, 'supplement');
    expect(supplement.assigneeSubs).toEqual([a.caller.sub]);
    expect(
      (await send(appHandler, 'POST /v1/applications/{id}/submit', a.caller, { params: { id: a.appId } }))
        .statusCode,
    ).toBe(200);
    const round2 = await until(async () => {
      const t = await tasks.current('application', a.appId);
      return t?.status === 'pending' && t.kind === 'preliminary_review' && t.round === 1 ? t : undefined;
    }, 'the second preliminary review');
    expect(round2.id).not.toBe(supplement.id);
    expect((await preliminary(a.appId, { decision: 'reject', opinion: '仍不符合' })).statusCode).toBe(200);
    const done = await finished(a.appId);
    expect(done.status).toBe('SUCCEEDED');
    expect(await status(a.appId)).toBe('rejected');
  });

  it('a withdrawal fails the waiting step with Withdrawn and ends the review', async () => {
    const a = await submitted();
    const task = await pending(a.appId, 'preliminary_review');
    const withdrawn = await send(appHandler, 'POST /v1/applications/{id}/withdraw', a.caller, {
      params: { id: a.appId },
      body: {},
    });
    expect(withdrawn.statusCode).toBe(200);
    const done = await finished(a.appId);
    expect(done.status).toBe('SUCCEEDED');
    expect(await status(a.appId)).toBe('withdrawn');
    expect((await tasks.get(task.id))?.status).toBe('failed');
  });
});
