import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCalendarStore } from '../../functions/adapters/calendar-store.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { cycleItem, evaluationItem } from '../../functions/adapters/evaluation-store.ts';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { type AuditEvent, auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import { evaluationExecutionName, evaluationKeys } from '../../functions/core/evaluations.ts';
import { planNotice } from '../../functions/core/notices.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { keys, reviewExecutionName } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';

import { recordReliability } from '../support/reliability.ts';

import { useLocalServices } from './support/services.ts';

/**
 * Suite 3, concurrency: racing decisions on the same object through the real handlers on DynamoDB
 * Local. Each race runs K times with Promise.all; exactly one request wins, the others get 409, and the
 * audit log holds exactly one decision event per win (optimistic locking, one transaction per change).
 * `Idempotency-Key` repeats return the first response and create exactly one item.
 */
const { handler: review } = await import('../../functions/api/review.ts');
const { handler: applications } = await import('../../functions/api/applications.ts');
const { handler: organisations } = await import('../../functions/api/organisations.ts');
const { handler: registryApi } = await import('../../functions/api/registry.ts');
const { handler: revocation } = await import('../../functions/api/revocation.ts');
const { handler: evaluation } = await import('../../functions/api/evaluation.ts');
const { handler: workflow } = await import('../../functions/workflow/review.ts');

const K = 10;
const NOW = '2026-03-10T02:00:00.000Z';
const officers: Caller[] = [1, 2, 3].map((i) => ({ sub: `officer-${i}`, roles: ['officer'] }));
const approvers: Caller[] = [1, 2, 3].map((i) => ({ sub: `approver-${i}`, roles: ['approver'] }));
const engine = new RecordingWorkflowEngine();

type Handler = typeof review;
interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}
const figures = { tried: {} as Record<string, number>, fiveXX: 0, lost: 0, halfWritten: 0 };
const send = async (
  h: Handler,
  kind: string,
  routeKey: string,
  caller: Caller | undefined,
  opts: Omit<Parameters<typeof apiEvent>[1] & object, 'caller'> = {},
): Promise<Reply> => {
  const res = await h(apiEvent(routeKey, { ...(caller ? { caller } : {}), ...opts }), lambdaContext());
  figures.tried[kind] = (figures.tried[kind] ?? 0) + 1;
  const status = res.statusCode ?? 500;
  if (status >= 500) figures.fiveXX += 1;
  return {
    status,
    body: jsonBody(res),
    headers: (res.headers ?? {}) as Record<string, unknown>,
  };
};

let seq = 0;
const next = () => {
  seq += 1;
  return seq;
};
const uscc = () => withCheckChar(`91442000MA${String(500000 + next()).padStart(6, '0')}X`.slice(0, 17));
const auditOf = async (entityId: string): Promise<AuditEvent[]> =>
  (await registry().listAudit(entityId, 200)).items;

/** The decision events of one race: exactly `n` (a mismatch is a half-written or duplicated change). */
function expectEvents(events: readonly AuditEvent[], n: number): void {
  if (events.length !== n) figures.halfWritten += 1;
  expect(events).toHaveLength(n);
}

/** Statuses of one race: exactly one 200/201, the rest 409 with a problem body. */
function expectOneWinner(replies: readonly Reply[], win = 200): Reply {
  expect(replies.filter((r) => r.status >= 500)).toEqual([]);
  const winners = replies.filter((r) => r.status === win);
  expect(winners).toHaveLength(1);
  for (const loser of replies.filter((r) => r.status !== win)) {
    expect(loser.status).toBe(409);
    expect(typeof loser.body.code).toBe('string');
  }
  return winners[0] as Reply;
}

const callRecord = (id: string, status: Call['status']): Call => ({
  id,
  title: '2026 年人工智能赋能平台认定',
  description: 'Call for recognition',
  opensAt: '2026-03-01T00:00:00.000Z',
  closesAt: '2026-03-31T16:00:00.000Z',
  requiredEvidence: [],
  scoringCriteria: [{ key: 'capability', title: '平台能力', weight: 1, max: 10 }],
  noticePeriod: { length: 5, unit: 'working_days' },
  status,
  createdBy: 'officer-1',
  createdAt: '2026-02-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
  version: 2,
});
let callId = '';

/** An applicant with an organisation and an eligible draft application to the open call. */
async function draftApplication(): Promise<{ caller: Caller; appId: string }> {
  const caller: Caller = { sub: `applicant-${next()}`, roles: ['applicant'] };
  const org = await send(organisations, 'seed', 'POST /v1/organisations', caller, {
    body: {
      name: `中山并发测试${seq}有限公司`,
      uscc: uscc(),
      registeredCapitalCny: 80_000_000,
      address: '广东省中山市东区',
      legalRepresentative: '张三',
      contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
    },
  });
  expect(org.status).toBe(201);
  const created = await send(applications, 'seed', 'POST /v1/calls/{callId}/applications', caller, {
    params: { callId },
    body: {
      consortium: [{ name: '联合体成员公司', uscc: uscc(), kind: 'company' }],
      partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${i}`, kind: 'research_institute' })),
      registeredCapitalCny: 80_000_000,
      committedEnterprisesPerYear: 40,
      capabilities: ['compute'],
      summary: '中山市人工智能赋能平台',
    },
  });
  expect(created.status).toBe(201);
  return { caller, appId: String(created.body.id) };
}

beforeAll(async () => {
  await useLocalServices('concurrency');
  setWorkflowEngine(engine);
  setClock(new Date(NOW), 'fixed');
  callId = `CALLX${next()}`;
  await new DynamoCallStore().create(
    callRecord(callId, 'open'),
    auditEvent(new Date(NOW), SYSTEM_ACTOR, 'call.created', 'call', callId),
  );
});
afterAll(async () => {
  setWorkflowEngine(undefined);
  setClock(undefined);
  await recordReliability({
    suite: 'concurrency',
    tried: figures.tried,
    fiveXX: figures.fiveXX,
    leaks: 0,
    lost: figures.lost,
    halfWritten: figures.halfWritten,
    notes: `${K} rounds per race, all requests of a round sent together (Promise.all) to DynamoDB Local`,
  });
});

describe('racing decisions: exactly one wins, the others get 409, one audit event', () => {
  it(`double submit of an application (${K} rounds of 3): one execution, one submitted event`, async () => {
    for (let round = 0; round < K; round += 1) {
      // Prepare
      const { caller, appId } = await draftApplication();
      const before = engine.started.length;

      // Act
      const replies = await Promise.all(
        [0, 1, 2].map(() =>
          send(applications, 'double submit', 'POST /v1/applications/{id}/submit', caller, {
            params: { id: appId },
          }),
        ),
      );

      // Assess
      expectOneWinner(replies);
      const started = engine.started.slice(before);
      expect(started.map((s) => s.executionName)).toEqual([reviewExecutionName(appId)]);
      const submitted = (await auditOf(appId)).filter((e) => e.action === 'application.submitted');
      expectEvents(submitted, 1);
      expect((await registry().get(keys.application(appId)))?.status).toBe('submitted');
    }
  });

  it(`two officers deciding the same preliminary review (${K} rounds of 3 officers)`, async () => {
    for (let round = 0; round < K; round += 1) {
      // Prepare: a submitted application whose preliminary review step is open
      const { caller, appId } = await draftApplication();
      expect(
        (
          await send(applications, 'seed', 'POST /v1/applications/{id}/submit', caller, {
            params: { id: appId },
          })
        ).status,
      ).toBe(200);
      const token = `tok-pr-${appId}`;
      await workflow({
        action: 'openHumanTask',
        kind: 'preliminary_review',
        applicationId: appId,
        callId,
        round: 0,
        executionName: reviewExecutionName(appId),
        stateName: 'OpenPreliminaryReview',
        taskToken: token,
      });
      const decisions = ['pass', 'reject', 'pass'] as const;

      // Act
      const replies = await Promise.all(
        officers.map((officer, i) =>
          send(review, 'preliminary review race', 'POST /v1/applications/{id}/preliminary-review', officer, {
            params: { id: appId },
            body: { decision: decisions[i], opinion: `意见 ${officer.sub}` },
          }),
        ),
      );

      // Assess: one decision, recorded once, the task completed once with the winner's decision
      const winner = expectOneWinner(replies);
      const decided = (await auditOf(appId)).filter((e) => e.action === 'application.preliminary_reviewed');
      expectEvents(decided, 1);
      expect(engine.successes.filter((s) => s.taskToken === token)).toHaveLength(1);
      const stored = await registry().get(keys.application(appId));
      expect(stored?.status).toBe(winner.body.status);
    }
  });

  it(`double objection resolution (${K} objections, 3 officers each)`, async () => {
    // Prepare: a call in its notice period, one application on notice, K objections filed by the public
    const noticeCallId = `CALLN${next()}`;
    const approvedAt = new Date('2026-09-30T12:00:00+08:00');
    setClock(approvedAt, 'fixed');
    const call = callRecord(noticeCallId, 'closed');
    await new DynamoCallStore().create(
      call,
      auditEvent(approvedAt, SYSTEM_ACTOR, 'call.created', 'call', noticeCallId),
    );
    const appId = `APPN${next()}`;
    const application = {
      id: appId,
      callId: noticeCallId,
      orgId: `org-${appId}`,
      ownerSub: `owner-${appId}`,
      orgName: `中山${appId}科技有限公司`,
      uscc: '91442000MA4UQ9YX2J',
      consortium: [],
      partners: [],
      registeredCapitalCny: 60_000_000,
      committedEnterprisesPerYear: 40,
      capabilities: ['compute'],
      summary: 'Platform',
      status: 'on_notice',
      eligibility: { eligible: true, failures: [], manualVerification: false, warnings: [] },
      version: 5,
      createdAt: '2026-05-02T00:00:00.000Z',
      updatedAt: '2026-05-02T00:00:00.000Z',
    } as const;
    const plan = await planNotice(
      { calendar: new DynamoCalendarStore() },
      {
        call,
        applications: [application as never],
        now: approvedAt,
        approver: approvers[0] as never,
      },
    );
    await registry().transact({
      ops: [
        ...plan.ops,
        { kind: 'put', item: { ...keys.application(appId), type: 'application', ...application } },
      ],
      audit: plan.audit,
    });
    const objectionIds: string[] = [];
    for (let i = 0; i < K; i += 1) {
      const filed = await send(
        registryApi,
        'seed',
        'POST /v1/public/notices/{noticeId}/objections',
        undefined,
        {
          params: { noticeId: plan.notice.id },
          body: {
            applicationId: appId,
            objectorName: '王五',
            objectorType: 'individual',
            contact: '13800000000',
            reason: `合作机构数量与协议不符，请核实。${i}`,
          },
        },
      );
      expect(filed.status).toBe(201);
      objectionIds.push(String(filed.body.id));
    }

    for (const objectionId of objectionIds) {
      // Act
      const replies = await Promise.all(
        officers.map((officer, i) =>
          send(
            registryApi,
            'objection resolution race',
            'POST /v1/objections/{objectionId}/resolution',
            officer,
            {
              params: { objectionId },
              body: { upheld: i === 1, response: `经核实。${officer.sub}` },
            },
          ),
        ),
      );

      // Assess
      expectOneWinner(replies);
      const resolved = (await auditOf(objectionId)).filter(
        (e) => e.action.startsWith('objection.') && e.action !== 'objection.filed',
      );
      expectEvents(resolved, 1);
    }
    setClock(new Date(NOW), 'fixed');
  });

  it(`two approvers deciding the same revocation (${K} rounds of 3)`, async () => {
    for (let round = 0; round < K; round += 1) {
      // Prepare: an active platform, a case the host has answered
      const id = `pREV${next()}`;
      const host: Caller = { sub: `host-${id}`, roles: ['applicant'] };
      await registry().transact({
        ops: [
          {
            kind: 'put',
            item: {
              pk: `ORG#org-${id}`,
              sk: 'ORG',
              type: 'organisation',
              id: `org-${id}`,
              memberSubs: [host.sub],
            },
          },
          { kind: 'put', item: platformItem(platform(id, `org-${id}`)) },
        ],
      });
      const opened = await send(
        revocation,
        'seed',
        'POST /v1/platforms/{platformId}/revocations',
        officers[0],
        {
          params: { platformId: id },
          body: { ground: 'other', description: '严重违规', responseDeadline: '2026-03-15' },
        },
      );
      expect(opened.status).toBe(201);
      const caseId = String(opened.body.id);
      const responded = await send(revocation, 'seed', 'POST /v1/revocations/{id}/response', host, {
        params: { id: caseId },
        body: { statement: '我们已整改' },
      });
      expect(responded.status).toBe(200);

      // Act
      const replies = await Promise.all(
        approvers.map((approver, i) =>
          send(revocation, 'revocation decision race', 'POST /v1/revocations/{id}/decision', approver, {
            params: { id: caseId },
            body:
              i === 1 ? { decision: 'dismiss', opinion: '已整改' } : { decision: 'revoke', opinion: '撤销' },
          }),
        ),
      );

      // Assess
      const winner = expectOneWinner(replies);
      const decided = [...(await auditOf(caseId)), ...(await auditOf(id))].filter((e) =>
        ['revocation.revoked', 'revocation.dismissed', 'platform.revoked'].includes(e.action),
      );
      const revoked = winner.body.status === 'revoked';
      expectEvents(decided, revoked ? 2 : 1);
      expect(decided.map((e) => e.action).sort()).toEqual(
        revoked ? ['platform.revoked', 'revocation.revoked'] : ['revocation.dismissed'],
      );
      const stored = await registry().get(keys.platform(id));
      expect(stored?.status).toBe(revoked ? 'revoked' : 'active');
    }
  });

  it(`officers grading the same evaluation together (${K} rounds of 3): one wins per read version`, async () => {
    // Prepare: an open cycle
    const year = 2026;
    setClock(new Date('2027-02-01T00:00:00.000Z'), 'fixed');
    await registry().transact({
      ops: [
        {
          kind: 'put',
          item: cycleItem({
            year,
            reportDeadline: '2027-03-31T15:59:59.999Z',
            criteria: [{ key: 'service', title: '服务成效', weight: 1, max: 100 }],
            bands: { excellent: 90, good: 75, qualified: 60 },
            status: 'open',
            createdBy: 'officer-1',
            createdAt: NOW,
            updatedAt: NOW,
            version: 2,
          }),
        },
      ],
    });
    for (let round = 0; round < K; round += 1) {
      const id = `pEV${next()}`;
      await registry().transact({
        ops: [
          { kind: 'put', item: platformItem(platform(id, `org-${id}`)) },
          {
            kind: 'put',
            item: evaluationItem({
              id: `e-${year}-${id}`,
              year,
              platformId: id,
              orgId: `org-${id}`,
              hostName: `中山${id}科技有限公司`,
              status: 'report_submitted',
              executionName: evaluationExecutionName(year, id),
              reportDeadline: '2027-03-31T15:59:59.999Z',
              createdAt: NOW,
              updatedAt: NOW,
              version: 3,
            }),
          },
        ],
      });

      // Act
      const replies = await Promise.all(
        officers.map((officer, i) =>
          send(
            evaluation,
            'grading race',
            'POST /v1/evaluation-cycles/{year}/platforms/{platformId}/grade',
            officer,
            {
              params: { year: String(year), platformId: id },
              body: { scores: { service: 50 + i * 20 } },
            },
          ),
        ),
      );

      // Assess: Art. 12 allows re-grading until the sign-off, so a request that read the winner's
      // write is a re-grade; no write is lost: one audit event per 200 and the stored grade is a winner's.
      expect(replies.filter((r) => r.status !== 200 && r.status !== 409)).toEqual([]);
      const wins = replies.filter((r) => r.status === 200);
      expect(wins.length).toBeGreaterThanOrEqual(1);
      const graded = (await auditOf(`e-${year}-${id}`)).filter((e) => e.action === 'evaluation.graded');
      expectEvents(graded, wins.length);
      const stored = await registry().get(evaluationKeys.evaluation(year, id));
      expect(stored?.version).toBe(3 + wins.length);
      expect(wins.map((w) => w.body.score)).toContain(stored?.score);
    }
    setClock(new Date(NOW), 'fixed');
  });
});

describe('Idempotency-Key repeats', () => {
  it(`${K} parallel repeats of a create with the same key and body → the first response, one item`, async () => {
    for (let round = 0; round < 3; round += 1) {
      // Prepare
      const caller: Caller = { sub: `applicant-idem-${next()}`, roles: ['applicant'] };
      const body = {
        name: `中山幂等测试${seq}有限公司`,
        uscc: uscc(),
        registeredCapitalCny: 80_000_000,
        address: '广东省中山市东区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
      };
      const headers = { 'Idempotency-Key': `idem-${seq}` };

      // Act
      const replies = await Promise.all(
        Array.from({ length: K }, () =>
          send(organisations, 'idempotent repeat', 'POST /v1/organisations', caller, { body, headers }),
        ),
      );
      const other = await send(organisations, 'idempotent key reuse', 'POST /v1/organisations', caller, {
        body: { ...body, name: '另一家公司' },
        headers,
      });

      // Assess
      expect(replies.map((r) => r.status)).toEqual(Array(K).fill(201));
      const ids = new Set(replies.map((r) => r.body.id));
      expect(ids.size).toBe(1);
      expect(replies.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(K - 1);
      expect([other.status, other.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
      const orgId = String(replies[0]?.body.id);
      const created = (await auditOf(orgId)).filter((e) => e.action === 'organisation.registered');
      if (created.length !== 1) figures.lost += 1;
      expect(created).toHaveLength(1);
    }
  });
});

function platform(id: string, orgId: string): Platform {
  return {
    id,
    applicationId: `app-${id}`,
    callId: 'call-1',
    orgId,
    hostName: `中山${id}科技有限公司`,
    uscc: '91442000MA4UQ9YX2J',
    summary: 'AI enablement',
    capabilities: ['算力调度'],
    consortium: [],
    status: 'active',
    recognisedAt: '2025-01-01T00:00:00.000Z',
    validUntil: '2027-12-31',
    noticeId: 'n-1',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    version: 1,
  } as Platform;
}
