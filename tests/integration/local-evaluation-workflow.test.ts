import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../functions/adapters/aws-clients.ts';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import {
  evaluationExecutionName,
  evaluationIdFor,
  evaluationKeys,
} from '../../functions/core/evaluations.ts';
import type { HumanTask } from '../../functions/core/human-tasks.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { keys } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { LocalWorkflowEngine } from '../../infra/local/workflow-engine.ts';
import { annualEvaluationWorkflow } from '../../infra/workflows/annual-evaluation.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { useLocalServices } from './support/services.ts';

/**
 * The annual-evaluation definition on the REAL local engine with the REAL workflow handler
 * (functions/workflow/annual-evaluation.ts), driven through the API and the deadline job: one platform
 * reported, graded and published; one overdue (released by the deadline job); one revoked mid-cycle.
 */
const { handler: api } = await import('../../functions/api/evaluation.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');
const { handler: deadlineJob } = await import('../../functions/jobs/deadlines.ts');

const YEAR = 2026;
const DEADLINE = '2027-03-31T15:59:59.999Z';
let nowMs = Date.parse('2027-01-10T02:00:00.000Z');
const at = (iso: string | number) => {
  nowMs = typeof iso === 'number' ? iso : Date.parse(iso);
  setClock(new Date(nowMs), 'fixed');
};
const officer: Caller = { sub: 'officer-w', roles: ['officer'] };
const approver: Caller = { sub: 'approver-w', roles: ['approver'] };
const tasks = new DynamoHumanTaskStore();
let engine: LocalWorkflowEngine;
let seq = 0;

const send = (
  routeKey: string,
  caller: Caller,
  opts: { params?: Record<string, string>; body?: unknown } = {},
) => api(apiEvent(routeKey, { caller, ...opts }), lambdaContext());

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pending = (platformId: string, kind: string): Promise<HumanTask> =>
  until(async () => {
    const t = await tasks.current('evaluation', evaluationIdFor(YEAR, platformId));
    return t?.status === 'pending' && t.kind === kind ? t : undefined;
  }, `${kind} of ${platformId}`);

const finished = (platformId: string) =>
  until(async () => {
    const d = await engine.describeExecution('annual-evaluation', evaluationExecutionName(YEAR, platformId));
    return d && d.status !== 'RUNNING' ? d : undefined;
  }, `the evaluation of ${platformId} to finish`);

const status = async (platformId: string) =>
  (await registry().get(evaluationKeys.evaluation(YEAR, platformId)))?.status;

async function host(): Promise<{ caller: Caller; platformId: string }> {
  seq += 1;
  const caller: Caller = { sub: `wf-host-${seq}`, roles: ['applicant'] };
  const org = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller,
      body: {
        name: `中山流程公司${seq}`,
        uscc: withCheckChar(`91442000MA${String(800000 + seq).padStart(6, '0')}X`.slice(0, 17)),
        registeredCapitalCny: 60_000_000,
        address: '广东省中山市东区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
      },
    }),
    lambdaContext(),
  );
  const p: Platform = {
    id: `p-WF${seq}`,
    applicationId: `WF${seq}`,
    callId: 'CALL-W',
    orgId: jsonBody<{ id: string }>(org).id,
    hostName: `中山流程公司${seq}`,
    uscc: '91442000MA4UQ9YX2J',
    summary: '赋能平台',
    capabilities: ['compute'],
    consortium: [],
    status: 'active',
    recognisedAt: '2026-06-01T00:00:00.000Z',
    validUntil: '2027-12-31',
    noticeId: 'n-CALL-W',
    createdAt: '2026-06-01T00:00:00.000Z',
    updatedAt: '2026-06-01T00:00:00.000Z',
    version: 1,
  };
  await registry().transact({ ops: [{ kind: 'put', item: platformItem(p), ifNew: true }] });
  return { caller, platformId: p.id };
}

const report = {
  enterprisesServed: 40,
  partnerCount: 11,
  cases: 5,
  vouchersIssued: 10,
  vouchersSettled: 8,
  narrative: '年度自评',
};

async function submit(h: { caller: Caller; platformId: string }) {
  const params = { year: String(YEAR), platformId: h.platformId };
  expect(
    (
      await send('PUT /v1/evaluation-cycles/{year}/platforms/{platformId}/report', h.caller, {
        params,
        body: report,
      })
    ).statusCode,
  ).toBe(200);
  const res = await send('POST /v1/evaluation-cycles/{year}/platforms/{platformId}/report/submit', h.caller, {
    params,
  });
  expect(res.statusCode).toBe(200);
}

beforeAll(async () => {
  const { tableName } = await useLocalServices('local-evaluation', { bucket: true });
  at(nowMs);
  engine = new LocalWorkflowEngine({
    client: dynamoClient(),
    tableName,
    workflows: [annualEvaluationWorkflow],
    now: () => new Date(nowMs),
    log: () => {},
  });
  setWorkflowEngine(engine);
});
afterAll(async () => {
  await engine.stop(1_000);
  setWorkflowEngine(undefined);
  setClock(undefined);
});

describe('the annual evaluation on the local engine', () => {
  it('publishes a graded platform, ends an overdue one and one revoked mid-cycle', async () => {
    // Prepare
    const [good, late, revoked] = [await host(), await host(), await host()];
    at('2027-01-05T00:00:00.000Z');
    const created = await send('POST /v1/evaluation-cycles', officer, {
      body: {
        year: YEAR,
        reportDeadline: '2027-03-31',
        criteria: [{ key: 'total', title: '综合', weight: 1, max: 100 }],
      },
    });
    expect(created.statusCode).toBe(201);
    at('2027-01-10T02:00:00.000Z');
    expect(
      (await send('POST /v1/evaluation-cycles/{year}/open', officer, { params: { year: String(YEAR) } }))
        .statusCode,
    ).toBe(200);

    // Act + Assess: every platform waits for its report, assigned to its host's members
    for (const h of [good, late, revoked]) {
      const task = await pending(h.platformId, 'evaluation_report');
      expect(task.assigneeSubs).toEqual([h.caller.sub]);
      expect(task.dueAt).toBe(DEADLINE);
    }

    // the good platform: report → grading (officers) → sign-off
    at('2027-03-01T00:00:00.000Z');
    await submit(good);
    const grading = await pending(good.platformId, 'evaluation_grading');
    expect(grading.assigneeRoles).toEqual(['officer']);
    const graded = await send('POST /v1/evaluation-cycles/{year}/platforms/{platformId}/grade', officer, {
      params: { year: String(YEAR), platformId: good.platformId },
      body: { scores: { total: 92 } },
    });
    expect(graded.statusCode).toBe(200);
    const signOff = await pending(good.platformId, 'evaluation_signoff');
    expect(signOff.inbox).toBe(false);

    // the revoked platform: submitted, then revoked, then graded → not graded, workflow ends
    await submit(revoked);
    await pending(revoked.platformId, 'evaluation_grading');
    await registry().transact({
      ops: [
        {
          kind: 'update',
          key: keys.platform(revoked.platformId),
          set: { status: 'revoked', gsi1pk: 'PLATFORMS#revoked' },
        },
      ],
    });
    const refused = await send('POST /v1/evaluation-cycles/{year}/platforms/{platformId}/grade', officer, {
      params: { year: String(YEAR), platformId: revoked.platformId },
      body: { scores: { total: 50 } },
    });
    expect(refused.statusCode).toBe(409);
    expect(await finished(revoked.platformId)).toMatchObject({ status: 'SUCCEEDED', lastState: 'NotGraded' });
    expect(await status(revoked.platformId)).toBe('not_graded');

    // the late platform: the deadline job releases its report wait just after the deadline
    at(Date.parse(DEADLINE) + 1);
    const job = await deadlineJob();
    // its entry was still the 7-day reminder (never run): reached after the deadline, it marks overdue
    expect(job.byType['report-reminder']).toEqual({ examined: 1, acted: 1 });
    expect(await finished(late.platformId)).toMatchObject({ status: 'SUCCEEDED', lastState: 'Overdue' });
    expect(await status(late.platformId)).toBe('overdue');

    // the approver's sign-off completes the good platform's wait and publishes
    at('2027-04-02T00:00:00.000Z');
    const signed = await send('POST /v1/evaluation-cycles/{year}/finalize', approver, {
      params: { year: String(YEAR) },
    });
    expect(signed.statusCode).toBe(200);
    expect(await finished(good.platformId)).toMatchObject({ status: 'SUCCEEDED', lastState: 'Published' });
    expect(await status(good.platformId)).toBe('published');
    expect((await tasks.get(signOff.id))?.status).toBe('completed');
  });
});
