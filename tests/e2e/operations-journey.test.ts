import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OperationsDemoResult, runOperationsDemo } from '../../scripts/demo-operations.ts';
import { client, eventually, type RunningRuntime, removeDataDir, startRuntime } from './support/runtime.ts';

/**
 * Issue 4 end to end (Art. 10–14) over HTTP against `npm start`'s runtime: the operations demo (three
 * recognised platforms → two evaluation cycles with an excellent, an unqualified and an overdue platform →
 * revocation candidates → a case, the host's response, the approver's revocation → the registry and the
 * CSV exports), then the refusals of the issue's "rules to get exactly right" and the policy end.
 */

let rt: RunningRuntime;
let api: ReturnType<typeof client>;
let journey: OperationsDemoResult;
const lines: string[] = [];
const tk: Record<string, string> = {};

type Problem = { code?: string; detail?: string };

const setClock = async (at: Date | string, mode: 'fixed' | 'offset' = 'fixed') => {
  const res = await api.post('/dev/clock', { now: new Date(at).toISOString(), mode });
  expect(res.status).toBe(200);
};
const runJob = async () =>
  (
    await api.post<{
      examined: number;
      acted: number;
      byType: Record<string, { examined: number; acted: number }>;
    }>('/dev/jobs/deadlines/run', {})
  ).body;
const now = async () => new Date((await api.get<{ now: string }>('/dev/clock')).body.now);

beforeAll(async () => {
  rt = await startRuntime();
  api = client(rt.url);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
});

describe('the operations journey (npm run demo:operations)', () => {
  it('grades, raises the candidates and revokes the twice-unqualified platform', async () => {
    // Act
    journey = await runOperationsDemo({ apiUrl: rt.url, log: (line) => lines.push(line) });

    // Assess
    expect(journey.grades).toEqual({
      excellent: ['excellent', 'good'],
      unqualified: ['unqualified', 'unqualified'],
      overdue: ['overdue', 'qualified'],
    });
    const [y1, y2] = journey.years;
    expect(journey.candidates).toEqual(
      expect.arrayContaining([
        { platformId: journey.platforms.unqualified, ground: 'consecutive_unqualified', years: [y1, y2] },
        { platformId: journey.platforms.overdue, ground: 'overdue_report', years: [y1] },
      ]),
    );
    expect(journey.candidates.filter((c) => c.platformId === journey.platforms.excellent)).toEqual([]);
    expect(journey.publicBefore).toContain(journey.platforms.unqualified);
    expect(journey.publicAfter).not.toContain(journey.platforms.unqualified);
    expect(journey.publicAfter).toEqual(
      expect.arrayContaining([journey.platforms.excellent, journey.platforms.overdue]),
    );
    expect(lines.join('\n')).toContain('409 REPORT_DEADLINE_PASSED');
    for (const csv of Object.values(journey.exports)) expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(journey.exports['revocations.csv']).toContain(journey.revocationId);
  }, 300_000);

  it('keeps the revoked platform’s record and history, visible to staff', async () => {
    tk.officer = await api.token('officer-e2e-ops', ['officer']);
    tk.approver = await api.token('approver-e2e-ops', ['approver']);
    tk.unqualified = await api.token(journey.hosts.unqualified, ['applicant']);
    tk.overdue = await api.token(journey.hosts.overdue, ['applicant']);
    tk.excellent = await api.token(journey.hosts.excellent, ['applicant']);
    const id = journey.platforms.unqualified;
    const record = await api.get(`/v1/platforms/${id}`, tk.officer);
    expect(record.body).toMatchObject({ id, status: 'revoked', revocationId: journey.revocationId });
    const audit = await api.get<{ items: Array<{ action: string }> }>(
      `/v1/audit?entityId=${id}&limit=100`,
      tk.officer,
    );
    expect(audit.body.items.map((e) => e.action)).toContain('platform.revoked');
    const rev = await api.get(`/v1/revocations/${journey.revocationId}`, tk.unqualified);
    expect(rev.body).toMatchObject({ status: 'revoked', response: { statement: expect.any(String) } });
    const officerNotes = await api.get<{ items: Array<{ event: string; entityId: string }> }>(
      '/v1/notifications?limit=50',
      tk.officer,
    );
    expect(officerNotes.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'revocation.revoked', entityId: journey.revocationId }),
      ]),
    );
  });
});

describe('refusals of issue 4', () => {
  it('a change request on a revoked platform → 409 PLATFORM_NOT_ACTIVE', async () => {
    const res = await api.post<Problem>(
      `/v1/platforms/${journey.platforms.unqualified}/change-requests`,
      { kind: 'service_content', description: '新增服务', proposed: { services: ['模型订阅'] } },
      { token: tk.unqualified ?? '' },
    );
    expect([res.status, res.body.code]).toEqual([409, 'PLATFORM_NOT_ACTIVE']);
  });

  it('a late advance notification → 409 NOT_IN_ADVANCE, and the officers are flagged', async () => {
    // Prepare
    const today = new Date((await now()).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

    // Act
    const res = await api.post<Problem>(
      `/v1/platforms/${journey.platforms.excellent}/notifications`,
      { kind: 'rename', effectiveDate: today, description: '公司更名' },
      { token: tk.excellent ?? '' },
    );

    // Assess
    expect([res.status, res.body.code]).toEqual([409, 'NOT_IN_ADVANCE']);
    const notes = await api.get<{ items: Array<{ event: string; entityId: string }> }>(
      '/v1/notifications?limit=50',
      tk.officer,
    );
    expect(notes.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'platform.late_notification',
          entityId: journey.platforms.excellent,
        }),
      ]),
    );
  });

  it('a platform revoked mid-cycle is not graded; the deadline job run twice changes nothing the second time', async () => {
    // Prepare: a third cycle with the two active platforms
    const year = journey.years[1] + 1;
    const t = await now();
    const deadline = new Date(t.getTime() + 20 * 86_400_000);
    expect(
      (
        await api.post(
          '/v1/evaluation-cycles',
          {
            year,
            reportDeadline: deadline.toISOString(),
            criteria: [{ key: 'services', title: '服务', weight: 1, max: 100 }],
          },
          { token: tk.officer ?? '' },
        )
      ).status,
    ).toBe(201);
    expect(
      (await api.post(`/v1/evaluation-cycles/${year}/open`, {}, { token: tk.officer ?? '' })).status,
    ).toBe(200);
    const target = journey.platforms.overdue;
    const base = `/v1/evaluation-cycles/${year}/platforms/${target}`;
    await api.call('PUT', `${base}/report`, {
      token: tk.overdue ?? '',
      body: {
        enterprisesServed: 40,
        partnerCount: 12,
        cases: 3,
        vouchersIssued: 10,
        vouchersSettled: 8,
        narrative: '年度自评价',
      },
    });
    expect((await api.post(`${base}/report/submit`, {}, { token: tk.overdue ?? '' })).status).toBe(200);

    // Act: revoked mid-cycle (ground: serious violation), then the officer tries to grade it
    const opened = await api.post<{ id: string }>(
      `/v1/platforms/${target}/revocations`,
      {
        ground: 'serious_violation',
        description: '经有关部门认定存在严重失信行为',
        responseDeadline: new Date(t.getTime() + 5 * 86_400_000).toISOString(),
      },
      { token: tk.officer ?? '' },
    );
    expect(opened.status).toBe(201);
    const premature = await api.post<Problem>(
      `/v1/revocations/${opened.body.id}/decision`,
      { decision: 'revoke', opinion: '严重失信' },
      { token: tk.approver ?? '' },
    );
    await setClock(new Date(t.getTime() + 6 * 86_400_000), 'offset');
    const lateResponse = await api.post<Problem>(
      `/v1/revocations/${opened.body.id}/response`,
      { statement: '逾期申辩' },
      { token: tk.overdue ?? '' },
    );
    const decided = await api.post(
      `/v1/revocations/${opened.body.id}/decision`,
      { decision: 'revoke', opinion: '严重失信，撤销' },
      { token: tk.approver ?? '' },
    );
    const graded = await api.post<Problem>(
      `${base}/grade`,
      { scores: { services: 80 } },
      { token: tk.officer ?? '' },
    );

    // Assess
    expect([premature.status, premature.body.code]).toEqual([409, 'RESPONSE_PERIOD_OPEN']);
    expect([lateResponse.status, lateResponse.body.code]).toEqual([409, 'RESPONSE_DEADLINE_PASSED']);
    expect(decided.status).toBe(200);
    expect([graded.status, graded.body.code]).toEqual([409, 'PLATFORM_NOT_ACTIVE']);
    await eventually(async () => {
      const e = await api.get<{ status: string }>(base, tk.officer);
      return e.body.status === 'not_graded' ? e.body : undefined;
    }, 'the evaluation of the revoked platform to be not_graded');

    // Act: the report deadline passes; the job runs twice at the same instant
    await setClock(new Date(deadline.getTime() + 1000), 'fixed');
    const first = await runJob();
    const second = await runJob();

    // Assess
    expect(first.acted).toBeGreaterThan(0);
    expect(second.acted).toBe(0);
    const report = await api.post<Problem>(
      `/v1/evaluation-cycles/${year}/platforms/${journey.platforms.excellent}/report/submit`,
      {},
      { token: tk.excellent ?? '' },
    );
    expect(report.status).toBe(409);
  });
});

describe('policy end (Art. 14)', () => {
  it('the deadline job ends every recognition at 2027-12-31 23:59:59.999 Asia/Shanghai, once', async () => {
    // Prepare
    const end = Date.parse('2027-12-31T15:59:59.999Z');
    await setClock(new Date(end - 1), 'fixed');
    const before = await runJob();
    const listedBefore = await api.get<{ items: Array<{ id: string }> }>('/v1/public/platforms?limit=100');

    // Act
    await setClock(new Date(end), 'fixed');
    const first = await runJob();
    const second = await runJob();

    // Assess
    expect(before.byType['policy-end']).toBeUndefined();
    expect(listedBefore.body.items.map((p) => p.id)).toContain(journey.platforms.excellent);
    expect(first.byType['policy-end']).toEqual({ examined: 1, acted: 1 });
    expect(second.byType['policy-end']).toBeUndefined();
    const listed = await api.get<{ items: unknown[] }>('/v1/public/platforms?limit=100');
    expect(listed.body.items).toEqual([]);
    const record = await api.get(`/v1/platforms/${journey.platforms.excellent}`, tk.officer);
    expect(record.body).toMatchObject({ status: 'expired', endedAt: new Date(end).toISOString() });
    expect((await api.get(`/v1/platforms/${journey.platforms.unqualified}`, tk.officer)).body).toMatchObject({
      status: 'revoked',
    });
  });
});
