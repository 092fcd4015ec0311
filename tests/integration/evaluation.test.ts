import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradesOf } from '../../functions/adapters/evaluation-store.ts';
import { platformItem } from '../../functions/adapters/platform-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { evaluationKeys } from '../../functions/core/evaluations.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { keys } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

/**
 * The annual evaluation (Art. 12) through the real handlers and adapters on DynamoDB Local, with a
 * recording workflow engine: cycles, opening, reports and the deadline, grading, the revoked platform,
 * the deadline job's reminders and overdue marking (idempotent), and the sign-off.
 */
const { handler } = await import('../../functions/api/evaluation.ts');
const { servedCountKey } = await import('../../functions/adapters/voucher-store.ts');
const { handler: orgHandler } = await import('../../functions/api/organisations.ts');
const { handler: deadlineJob } = await import('../../functions/jobs/deadlines.ts');

const YEAR = 2026;
const DEADLINE = '2027-03-31T15:59:59.999Z'; // 2027-03-31 23:59:59.999 Asia/Shanghai
const OPEN_AT = new Date('2027-01-10T02:00:00.000Z');
const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta);
const officer: Caller = { sub: 'officer-e', roles: ['officer'] };
const approver: Caller = { sub: 'approver-e', roles: ['approver'] };
const observer: Caller = { sub: 'observer-e', roles: ['observer'] };
const engine = new RecordingWorkflowEngine();
let seq = 0;

const send = (
  routeKey: string,
  caller: Caller,
  opts: { params?: Record<string, string>; body?: unknown; query?: Record<string, string> } = {},
) => handler(apiEvent(routeKey, { caller, ...opts }), lambdaContext());
const at = (when: Date) => setClock(when, 'fixed');

interface Host {
  caller: Caller;
  platformId: string;
}

async function platform(): Promise<Host> {
  seq += 1;
  const caller: Caller = { sub: `host-${seq}`, roles: ['applicant'] };
  const org = await orgHandler(
    apiEvent('POST /v1/organisations', {
      caller,
      body: {
        name: `中山评价公司${seq}`,
        uscc: withCheckChar(`91442000MA${String(700000 + seq).padStart(6, '0')}X`.slice(0, 17)),
        registeredCapitalCny: 60_000_000,
        address: '广东省中山市东区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
      },
    }),
    lambdaContext(),
  );
  expect(org.statusCode).toBe(201);
  const orgId = jsonBody<{ id: string }>(org).id;
  const p: Platform = {
    id: `p-EVAL${seq}`,
    applicationId: `EVAL${seq}`,
    callId: 'CALL-E',
    orgId,
    hostName: `中山评价公司${seq}`,
    uscc: '91442000MA4UQ9YX2J',
    summary: '赋能平台',
    capabilities: ['compute'],
    consortium: [],
    status: 'active',
    recognisedAt: '2026-06-01T00:00:00.000Z',
    validUntil: '2027-12-31',
    noticeId: 'n-CALL-E',
    createdAt: '2026-06-01T00:00:00.000Z',
    updatedAt: '2026-06-01T00:00:00.000Z',
    version: 1,
  };
  await registry().transact({ ops: [{ kind: 'put', item: platformItem(p), ifNew: true }] });
  return { caller, platformId: p.id };
}

const report = {
  enterprisesServed: 45,
  partnerCount: 12,
  cases: 6,
  vouchersIssued: 20,
  vouchersSettled: 15,
  narrative: '全年服务企业 45 家',
};
const evalParams = (platformId: string) => ({ year: String(YEAR), platformId });
const evaluation = async (platformId: string) => registry().get(evaluationKeys.evaluation(YEAR, platformId));
const runDeadlines = async (when: Date) => {
  at(when);
  return deadlineJob();
};

let a: Host;
let b: Host;
let c: Host;
let d: Host;

beforeAll(async () => {
  await useLocalServices('evaluation', { bucket: true });
  setWorkflowEngine(engine);
  at(new Date('2027-01-05T00:00:00.000Z'));
  [a, b, c, d] = [await platform(), await platform(), await platform(), await platform()];
});
afterAll(() => {
  setWorkflowEngine(undefined);
  setClock(undefined);
});

describe('evaluation cycles', () => {
  it('creates one cycle per year with default bands; a second is 409; bad bands are 400', async () => {
    // Act
    const created = await send('POST /v1/evaluation-cycles', officer, {
      body: {
        year: YEAR,
        reportDeadline: '2027-03-31',
        criteria: [
          { key: 'service', title: '服务成效', weight: 3, max: 100 },
          { key: 'ecosystem', title: '生态建设', weight: 1, max: 100 },
        ],
      },
    });
    const again = await send('POST /v1/evaluation-cycles', officer, {
      body: {
        year: YEAR,
        reportDeadline: '2027-03-31',
        criteria: [{ key: 'x', title: 'X', weight: 1, max: 10 }],
      },
    });
    const badBands = await send('POST /v1/evaluation-cycles', officer, {
      body: {
        year: 2027,
        reportDeadline: '2028-03-31',
        criteria: [{ key: 'x', title: 'X', weight: 1, max: 10 }],
        bands: { excellent: 70, good: 75, qualified: 60 },
      },
    });
    const applicant = await send('POST /v1/evaluation-cycles', a.caller, {
      body: {
        year: 2030,
        reportDeadline: '2031-03-31',
        criteria: [{ key: 'x', title: 'X', weight: 1, max: 10 }],
      },
    });
    // Assess
    expect(created.statusCode).toBe(201);
    expect(jsonBody(created)).toMatchObject({
      year: YEAR,
      reportDeadline: DEADLINE,
      bands: { excellent: 90, good: 75, qualified: 60 },
      status: 'created',
    });
    expect(again.statusCode).toBe(409);
    expect(jsonBody(again).code).toBe('CYCLE_EXISTS');
    expect(badBands.statusCode).toBe(400);
    expect(JSON.stringify(jsonBody(badBands).errors)).toContain('body.bands');
    expect(applicant.statusCode).toBe(403);
  });

  it('opens: every active platform gets an evaluation and one execution; opening again adds nothing', async () => {
    // Prepare: d is revoked before the opening
    await registry().transact({
      ops: [
        {
          kind: 'update',
          key: keys.platform(d.platformId),
          set: { status: 'revoked', gsi1pk: 'PLATFORMS#revoked' },
        },
      ],
    });
    at(OPEN_AT);
    // Act
    const opened = await send('POST /v1/evaluation-cycles/{year}/open', officer, {
      params: { year: String(YEAR) },
    });
    const again = await send('POST /v1/evaluation-cycles/{year}/open', officer, {
      params: { year: String(YEAR) },
    });
    // Assess
    expect(opened.statusCode).toBe(200);
    expect(jsonBody(opened)).toMatchObject({ status: 'open', evaluations: 3, created: 3 });
    expect(jsonBody(again)).toMatchObject({ status: 'open', evaluations: 3, created: 0 });
    expect(engine.started.map((s) => s.executionName).sort()).toEqual(
      [a, b, c].map((h) => `eval-${YEAR}-${h.platformId}`).sort(),
    );
    expect(await evaluation(d.platformId)).toBeUndefined();
    const e = await evaluation(a.platformId);
    expect(e).toMatchObject({
      status: 'awaiting_report',
      dueSk: `2027-03-24T15:59:59.999Z#report-reminder#e-${YEAR}-${a.platformId}`,
    });
  });
});

describe('reports and the deadline', () => {
  it('only host members draft; another host gets 404', async () => {
    at(new Date('2027-02-01T00:00:00.000Z'));
    const foreign = await send('PUT /v1/evaluation-cycles/{year}/platforms/{platformId}/report', b.caller, {
      params: evalParams(a.platformId),
      body: report,
    });
    const own = await send('PUT /v1/evaluation-cycles/{year}/platforms/{platformId}/report', a.caller, {
      params: evalParams(a.platformId),
      body: report,
    });
    const badVouchers = await send(
      'PUT /v1/evaluation-cycles/{year}/platforms/{platformId}/report',
      a.caller,
      {
        params: evalParams(a.platformId),
        body: { ...report, vouchersSettled: 21 },
      },
    );
    expect(foreign.statusCode).toBe(404);
    expect(own.statusCode).toBe(200);
    expect(jsonBody(own)).toMatchObject({
      status: 'awaiting_report',
      report: { ...report, evidenceIds: [] },
    });
    expect(badVouchers.statusCode).toBe(400);
  });

  it('reminds 7 days and 1 day before; a second run at the same instant changes nothing', async () => {
    const first = await runDeadlines(ms(DEADLINE, -7 * 86_400_000));
    const second = await runDeadlines(ms(DEADLINE, -7 * 86_400_000));
    expect(first.byType['report-reminder']).toEqual({ examined: 3, acted: 3 });
    expect(second.byType['report-reminder']).toBeUndefined();
    expect((await evaluation(c.platformId))?.dueSk).toBe(
      `2027-03-30T15:59:59.999Z#report-reminder#e-${YEAR}-${c.platformId}`,
    );
    const notes = await registry().query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `NOTIFY#USER#${c.caller.sub}` },
    });
    expect(notes.items.map((n) => n.event)).toContain('evaluation.report_reminder');
    const lastDay = await runDeadlines(ms(DEADLINE, -86_400_000));
    expect(lastDay.byType['report-reminder']).toEqual({ examined: 3, acted: 3 });
    expect((await evaluation(c.platformId))?.dueSk).toBe(
      `2027-03-31T16:00:00.000Z#report-overdue#e-${YEAR}-${c.platformId}`,
    );
  });

  it.each([
    ['−1 s', -1000, 200],
    ['+1 s', 1000, 409],
  ])('submit at the deadline %s → %i', async (_label, delta, status) => {
    const host = delta < 0 ? a : b;
    if (delta > 0) {
      at(new Date('2027-02-01T00:00:00.000Z'));
      await send('PUT /v1/evaluation-cycles/{year}/platforms/{platformId}/report', b.caller, {
        params: evalParams(b.platformId),
        body: report,
      });
    }
    at(ms(DEADLINE, delta));
    const res = await send(
      'POST /v1/evaluation-cycles/{year}/platforms/{platformId}/report/submit',
      host.caller,
      {
        params: evalParams(host.platformId),
      },
    );
    expect(res.statusCode).toBe(status);
    if (status === 409) expect(jsonBody(res).code).toBe('REPORT_DEADLINE_PASSED');
    else expect(jsonBody(res)).toMatchObject({ status: 'report_submitted', evidenceManifest: [] });
  });

  it('marks reports still awaited overdue just after the deadline, once', async () => {
    const first = await runDeadlines(ms(DEADLINE, 1));
    const second = await runDeadlines(ms(DEADLINE, 1));
    expect(first.byType['report-overdue']).toEqual({ examined: 2, acted: 2 });
    expect(second.byType['report-overdue']).toBeUndefined();
    expect((await evaluation(b.platformId))?.status).toBe('overdue');
    expect((await evaluation(c.platformId))?.status).toBe('overdue');
    expect((await evaluation(a.platformId))?.status).toBe('report_submitted');
    expect((await evaluation(a.platformId))?.dueSk).toBeUndefined();
  });
});

describe('the voucher ledger pre-fills the report (Art. 6(3) → Art. 12, Art. 9(4))', () => {
  it.each([
    [0, false],
    [29, false],
    [30, true],
    [31, true],
  ])('%i distinct enterprises served that year → meetsCommitment %s', async (served, meets) => {
    await registry().transact({
      ops: [
        {
          kind: 'put',
          item: { ...servedCountKey(a.platformId, YEAR), type: 'vserved', enterprises: served },
        },
      ],
    });
    const res = await send('GET /v1/evaluation-cycles/{year}/platforms/{platformId}', a.caller, {
      params: evalParams(a.platformId),
    });
    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({
      ledgerFigures: { enterprisesServed: served, committedEnterprises: 30, meetsCommitment: meets },
    });
  });
});

describe('grading and sign-off', () => {
  it('refuses the sign-off while a submitted report is ungraded', async () => {
    at(new Date('2027-04-02T00:00:00.000Z'));
    const res = await send('POST /v1/evaluation-cycles/{year}/finalize', approver, {
      params: { year: String(YEAR) },
    });
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res)).toMatchObject({ code: 'UNGRADED_REPORTS' });
    expect(jsonBody(res).detail).toContain(a.platformId);
  });

  it.each([
    [{ scores: { service: 95, ecosystem: 80 }, grade: 'good' }, 400],
    [{ scores: { service: 95 } }, 400],
    [{ scores: { service: 95, ecosystem: 80 } }, 200],
  ])('grade %j → %i', async (body, status) => {
    const res = await send('POST /v1/evaluation-cycles/{year}/platforms/{platformId}/grade', officer, {
      params: evalParams(a.platformId),
      body,
    });
    expect(res.statusCode).toBe(status);
    // (95·3 + 80) / 4 = 91.25 → excellent
    if (status === 200)
      expect(jsonBody(res)).toMatchObject({ status: 'graded', score: 91.25, grade: 'excellent' });
  });

  it('an overdue report cannot be graded', async () => {
    const res = await send('POST /v1/evaluation-cycles/{year}/platforms/{platformId}/grade', officer, {
      params: evalParams(b.platformId),
      body: { scores: { service: 50, ecosystem: 50 } },
    });
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res).code).toBe('REPORT_NOT_SUBMITTED');
  });

  it('observers see no grade before the sign-off; after it the grades are published', async () => {
    const before = jsonBody<{ items: Array<Record<string, unknown>> }>(
      await send('GET /v1/evaluation-cycles/{year}/evaluations', observer, {
        params: { year: String(YEAR) },
      }),
    );
    expect(before.items.find((i) => i.platformId === a.platformId)).not.toHaveProperty('grade');
    const audit = await registry().listAudit(String(YEAR), 50);
    expect(audit.items.filter((e) => e.action === 'observer.accessed')).toHaveLength(1);

    const res = await send('POST /v1/evaluation-cycles/{year}/finalize', approver, {
      params: { year: String(YEAR) },
    });
    const again = await send('POST /v1/evaluation-cycles/{year}/finalize', approver, {
      params: { year: String(YEAR) },
    });

    expect(res.statusCode).toBe(200);
    expect(jsonBody(res)).toMatchObject({ status: 'finalized', counts: { published: 1, overdue: 2 } });
    expect(again.statusCode).toBe(409);
    const after = jsonBody<{ items: Array<Record<string, unknown>> }>(
      await send('GET /v1/evaluation-cycles/{year}/evaluations', observer, {
        params: { year: String(YEAR) },
      }),
    );
    expect(after.items.find((i) => i.platformId === a.platformId)).toMatchObject({
      grade: 'excellent',
      status: 'published',
    });
    expect(after.items.find((i) => i.platformId === a.platformId)).not.toHaveProperty('report');
    expect(await gradesOf(a.platformId)).toEqual([
      { year: YEAR, status: 'published', grade: 'excellent', finalizedAt: '2027-04-02T00:00:00.000Z' },
    ]);
    expect(await gradesOf(b.platformId)).toEqual([
      { year: YEAR, status: 'overdue', finalizedAt: expect.any(String) },
    ]);
  });
});

describe('a platform revoked mid-cycle', () => {
  it('is not graded: 409 PLATFORM_NOT_ACTIVE and its evaluation not_graded', async () => {
    // Prepare: a second cycle with a submitted report, then the platform is revoked
    at(new Date('2027-10-01T00:00:00.000Z'));
    const host = await platform();
    expect(
      (
        await send('POST /v1/evaluation-cycles', officer, {
          body: {
            year: 2025,
            reportDeadline: '2027-12-01',
            criteria: [{ key: 'x', title: 'X', weight: 1, max: 10 }],
          },
        })
      ).statusCode,
    ).toBe(201);
    at(new Date('2027-11-01T00:00:00.000Z'));
    const opened = await send('POST /v1/evaluation-cycles/{year}/open', officer, {
      params: { year: '2025' },
    });
    expect(jsonBody(opened)).toMatchObject({ created: 4 }); // a, b, c and this host
    const params = { year: '2025', platformId: host.platformId };
    await send('PUT /v1/evaluation-cycles/{year}/platforms/{platformId}/report', host.caller, {
      params,
      body: report,
    });
    const submitted = await send(
      'POST /v1/evaluation-cycles/{year}/platforms/{platformId}/report/submit',
      host.caller,
      { params },
    );
    expect(submitted.statusCode).toBe(200);
    await registry().transact({
      ops: [
        {
          kind: 'update',
          key: keys.platform(host.platformId),
          set: { status: 'revoked', gsi1pk: 'PLATFORMS#revoked' },
        },
      ],
    });
    // Act
    const res = await send('POST /v1/evaluation-cycles/{year}/platforms/{platformId}/grade', officer, {
      params,
      body: { scores: { x: 9 } },
    });
    // Assess
    expect(res.statusCode).toBe(409);
    expect(jsonBody(res).code).toBe('PLATFORM_NOT_ACTIVE');
    expect((await registry().get(evaluationKeys.evaluation(2025, host.platformId)))?.status).toBe(
      'not_graded',
    );
  });
});
