import { afterAll, describe, expect, it } from 'vitest';
import { reviewExecutionName } from '../../functions/core/recognition-model.ts';
import { USCC_CHARSET, withCheckChar } from '../../functions/core/uscc.ts';
import { runDemo } from '../../scripts/demo.ts';
import { recordReliability } from '../support/reliability.ts';
import {
  client,
  eventually,
  newDataDir,
  pickPorts,
  type RunningRuntime,
  removeDataDir,
  startRuntime,
} from './support/runtime.ts';

/**
 * Reliability suite 5 (issue 5): `npm start` killed with SIGKILL mid-journey — a preliminary review
 * waiting (Art. 8(2)), an expert review waiting (Art. 8(3)), an open public notice (Art. 8(4)) and an
 * evaluation cycle before its report deadline (Art. 12) — then started again on the same data folder.
 * Every pending task is still pending and can be completed; deadlines that passed while it was down
 * are acted on exactly once (counted in the audit log), however often the deadline job runs.
 */

const DAY = 86_400_000;
const ENV = { DEADLINE_JOB_EVERY_SECONDS: '0' };
const dataDir = newDataDir();
let rt: RunningRuntime | undefined;
let api: ReturnType<typeof client>;
const tried: Record<string, number> = { requests: 0, kills: 0, starts: 0, deadlineRuns: 0 };
let fiveXX = 0;
let lost = 0;
let halfWritten = 0;
let catchUpRuns = 0;

afterAll(async () => {
  await rt?.stop('SIGKILL');
  removeDataDir(dataDir);
  await recordReliability({
    suite: 'restart',
    tried,
    fiveXX,
    leaks: 0,
    lost,
    halfWritten,
    notes:
      'npm start killed with SIGKILL twice mid-journey (pending preliminary and expert reviews, open notice, ' +
      'evaluation cycle before its report deadline); restarted on the same data folder each time; ' +
      `the deadline job caught up in ${catchUpRuns} runs (chained reminders), then acted on nothing.`,
  });
});

/** Counts every request and every unexpected 5xx the suite sees. */
function counted(raw: ReturnType<typeof client>): ReturnType<typeof client> {
  const call: typeof raw.call = async (method, p, opts) => {
    tried.requests = (tried.requests ?? 0) + 1;
    const res = await raw.call(method, p, opts);
    if (res.status >= 500) fiveXX += 1;
    return res as never;
  };
  return {
    ...raw,
    call,
    get: (p, token) => call('GET', p, token ? { token } : {}),
    post: (p, body, opts = {}) => call('POST', p, { ...opts, body }),
  } as ReturnType<typeof client>;
}

async function start(ports?: Awaited<ReturnType<typeof pickPorts>>): Promise<void> {
  rt = await startRuntime({ dataDir, ports: ports ?? (await pickPorts()), env: ENV });
  tried.starts = (tried.starts ?? 0) + 1;
  api = counted(client(rt.url));
}

/** SIGKILL: no clean stop, nothing flushed by the runtime on its way out. */
async function kill(): Promise<void> {
  const ended = await rt?.stop('SIGKILL');
  expect(ended?.signal).toBe('SIGKILL');
  tried.kills = (tried.kills ?? 0) + 1;
}

const ok = <T extends { status: number; body: unknown }>(res: T, status = [200, 201]): T => {
  expect(status, JSON.stringify(res.body)).toContain(res.status);
  return res;
};
const clockNow = async (): Promise<Date> => new Date((await api.get<{ now: string }>('/dev/clock')).body.now);
const setClock = async (at: Date): Promise<void> => {
  ok(await api.post('/dev/clock', { now: at.toISOString(), mode: 'offset' }));
};
const runJob = async () => {
  tried.deadlineRuns = (tried.deadlineRuns ?? 0) + 1;
  return ok(await api.post<{ acted: number }>('/dev/jobs/deadlines/run', {})).body;
};

let seq = 0;
const zhongshanUscc = (): string => {
  seq += 1;
  const n = `${Date.now().toString(36)}${seq}`.toUpperCase();
  const org = [...n.padStart(9, '0').slice(-9)].map((c) => (USCC_CHARSET.includes(c) ? c : '0')).join('');
  return withCheckChar(`91442000${org}`);
};

interface Task {
  id: string;
  kind: string;
  entityId: string;
}
async function taskOf(token: string, entityId: string, kind: string): Promise<Task> {
  return eventually(async () => {
    const res = await api.get<{ items: Task[] }>('/v1/tasks', token);
    return res.body.items.find((t) => t.entityId === entityId && t.kind === kind);
  }, `the ${kind} task of ${entityId}`);
}
async function hasTask(token: string, entityId: string, kind: string): Promise<boolean> {
  const res = await api.get<{ items: Task[] }>('/v1/tasks', token);
  return res.body.items.some((t) => t.entityId === entityId && t.kind === kind);
}
async function auditCount(officer: string, entityId: string, action: string): Promise<number> {
  const res = ok(
    await api.get<{ items: Array<{ action: string }> }>(
      `/v1/audit?entityId=${encodeURIComponent(entityId)}&limit=100`,
      officer,
    ),
  );
  return res.body.items.filter((e) => e.action === action).length;
}

interface Tokens {
  officer: string;
  approver: string;
  admin: string;
  expert1: string;
  expert2: string;
}
const tokens = async (): Promise<Tokens> => ({
  officer: await api.token('officer-restart', ['officer']),
  approver: await api.token('approver-restart', ['approver']),
  admin: await api.token('admin-restart', ['admin']),
  expert1: await api.token('expert-restart-1', ['expert']),
  expert2: await api.token('expert-restart-2', ['expert']),
});

async function openCall(officer: string, now: Date, closesInDays: number): Promise<string> {
  const created = ok(
    await api.post<{ id: string }>(
      '/v1/calls',
      {
        title: `重启测试 ${now.toISOString()} ${closesInDays}`,
        description: 'Restart suite.',
        opensAt: new Date(now.getTime() + 60_000).toISOString(),
        closesAt: new Date(now.getTime() + closesInDays * DAY).toISOString(),
        requiredEvidence: [],
        scoringCriteria: [{ key: 'overall', title: '综合 / Overall', weight: 1, max: 100 }],
        noticePeriod: { length: 5, unit: 'working_days' },
      },
      { token: officer },
    ),
  );
  ok(await api.post(`/v1/calls/${created.body.id}/publish`, {}, { token: officer }));
  return created.body.id;
}

async function submitted(callId: string, name: string): Promise<{ token: string; id: string }> {
  const token = await api.token(`applicant-restart-${name}`, ['applicant']);
  ok(
    await api.post(
      '/v1/organisations',
      {
        name: `中山重启${name}科技有限公司`,
        uscc: zhongshanUscc(),
        registeredCapitalCny: 60_000_000,
        address: '广东省中山市东区',
        legalRepresentative: '张三',
        contact: { name: '李四', phone: '0760-8888 0000', email: 'li@example.com' },
      },
      { token },
    ),
  );
  const app = ok(
    await api.post<{ id: string }>(
      `/v1/calls/${callId}/applications`,
      {
        consortium: [],
        partners: Array.from({ length: 10 }, (_, i) => ({ name: `伙伴${name}${i}`, kind: 'company' })),
        registeredCapitalCny: 60_000_000,
        committedEnterprisesPerYear: 30,
        capabilities: ['算力'],
        summary: '重启测试申报。/ Restart suite application.',
      },
      { token },
    ),
  );
  ok(await api.post(`/v1/applications/${app.body.id}/submit`, {}, { token }));
  return { token, id: app.body.id };
}

const pass = (officer: string, id: string) =>
  api.post(
    `/v1/applications/${id}/preliminary-review`,
    { decision: 'pass', opinion: '材料齐全。/ Complete.' },
    { token: officer },
  );
const review = (expert: string, id: string) =>
  api.post(
    `/v1/applications/${id}/reviews`,
    { conflictOfInterest: false, scores: { overall: 85 }, comment: '良好。/ Good.' },
    { token: expert },
  );

describe('restart (suite 5): SIGKILL mid-journey, start again on the same data', () => {
  it('keeps every pending task completable and acts on passed deadlines exactly once', async () => {
    // Prepare: a recognised platform (the demo), then the journey's pending states
    await start();
    const demo = await runDemo({ apiUrl: rt?.url ?? '', log: () => {} });
    const platformId = `p-${demo.applicationId}`;
    const tk = await tokens();
    const t0 = await clockNow();
    const noticeCall = await openCall(tk.officer, t0, 2);
    const reviewCall = await openCall(tk.officer, t0, 60);
    await setClock(new Date(t0.getTime() + 120_000));
    const experts: string[] = [];
    for (const n of [1, 2]) {
      const e = ok(
        await api.post<{ id: string }>(
          '/v1/experts',
          {
            userId: `expert-restart-${n}`,
            name: `重启专家${n}`,
            employerUscc: zhongshanUscc(),
            fields: ['AI'],
          },
          { token: tk.admin },
        ),
      );
      experts.push(e.body.id);
    }
    const listed = await submitted(noticeCall, 'C');
    const expertWaiting = await submitted(reviewCall, 'B');
    const prelimWaiting = await submitted(reviewCall, 'A');
    for (const app of [listed, expertWaiting]) {
      await taskOf(tk.officer, app.id, 'preliminary_review');
      ok(await pass(tk.officer, app.id));
      await taskOf(tk.officer, app.id, 'expert_assignment');
      ok(await api.post(`/v1/applications/${app.id}/experts`, { expertIds: experts }, { token: tk.officer }));
    }
    for (const expert of [tk.expert1, tk.expert2]) {
      await taskOf(expert, listed.id, 'expert_review');
      ok(await review(expert, listed.id));
    }
    await taskOf(tk.officer, listed.id, 'site_inspection');
    ok(
      await api.post(
        `/v1/applications/${listed.id}/site-inspection`,
        { inspectedAt: (await clockNow()).toISOString(), findings: '一致。/ Matches.', passed: true },
        { token: tk.officer },
      ),
    );
    await eventually(async () => {
      const a = await api.get<{ status: string }>(`/v1/applications/${listed.id}`, tk.officer);
      return a.body.status === 'awaiting_ranking';
    }, 'C awaiting ranking');
    await setClock(new Date(t0.getTime() + 2 * DAY + 60_000));
    await runJob();
    ok(
      await api.post(
        `/v1/calls/${noticeCall}/proposed-list`,
        { applicationIds: [listed.id] },
        { token: tk.officer },
      ),
    );
    const notice = ok(
      await api.post<{ noticeId: string; endsAt: string }>(
        `/v1/calls/${noticeCall}/proposed-list/decision`,
        { decision: 'approve', opinion: '同意公示。/ Approved.' },
        { token: tk.approver },
      ),
    ).body;
    const tEval = await clockNow();
    const year = new Date(tEval.getTime() + 8 * 3_600_000).getUTCFullYear();
    const reportDeadline = new Date(tEval.getTime() + 20 * DAY);
    ok(
      await api.post(
        '/v1/evaluation-cycles',
        {
          year,
          reportDeadline: reportDeadline.toISOString(),
          criteria: [{ key: 'services', title: '服务', weight: 1, max: 100 }],
        },
        { token: tk.officer },
      ),
    );
    ok(await api.post(`/v1/evaluation-cycles/${year}/open`, {}, { token: tk.officer }));
    const evaluation = ok(
      await api.get<{ id: string; status: string }>(
        `/v1/evaluation-cycles/${year}/platforms/${platformId}`,
        tk.officer,
      ),
    ).body;
    for (const e of [tk.expert1, tk.expert2]) await taskOf(e, expertWaiting.id, 'expert_review');
    await taskOf(tk.officer, prelimWaiting.id, 'preliminary_review');
    const businessTime = await clockNow();

    // Act 1: SIGKILL, start again on the same data folder, continue the business clock
    await kill();
    await start();
    await setClock(businessTime);
    const tk1 = await tokens();

    // Assess 1: everything that waited still waits, and can be completed
    const waiting = ok(
      await api.get<{ items: Array<{ executionName: string }> }>('/dev/workflows/waiting'),
    ).body.items.map((w) => w.executionName);
    expect(waiting).toEqual(
      expect.arrayContaining([reviewExecutionName(prelimWaiting.id), reviewExecutionName(expertWaiting.id)]),
    );
    expect(await hasTask(tk1.officer, prelimWaiting.id, 'preliminary_review')).toBe(true);
    expect(await hasTask(tk1.expert1, expertWaiting.id, 'expert_review')).toBe(true);
    expect(await hasTask(tk1.expert2, expertWaiting.id, 'expert_review')).toBe(true);
    const openNotice = ok(await api.get<{ id: string }>(`/v1/public/notices/${notice.noticeId}`));
    expect(openNotice.body.id).toBe(notice.noticeId);
    ok(await pass(tk1.officer, prelimWaiting.id));
    await taskOf(tk1.officer, prelimWaiting.id, 'expert_assignment');
    ok(await review(tk1.expert1, expertWaiting.id));
    ok(await review(tk1.expert2, expertWaiting.id));
    await taskOf(tk1.officer, expertWaiting.id, 'site_inspection');
    const remindedBefore = await auditCount(tk1.officer, evaluation.id, 'evaluation.report_reminded');

    // Act 2: SIGKILL again; start with the clock already beyond the notice end and the report deadline
    await kill();
    await start();
    const beyond = new Date(Math.max(new Date(notice.endsAt).getTime(), reportDeadline.getTime()) + 60_000);
    await setClock(beyond);
    const first = await runJob();
    await runJob();
    // An action may schedule the next step of a chain (7-day reminder → 1-day reminder → overdue;
    // a timed-out step → the workflow's next task): run until the job finds nothing more to do.
    let runs = 2;
    for (let quiet = false; !quiet && runs < 8; runs += 1) quiet = (await runJob()).acted === 0;
    const tk2 = await tokens();
    const counts = async () => ({
      recognised: await auditCount(tk2.officer, listed.id, 'application.recognised'),
      overdue: await auditCount(tk2.officer, evaluation.id, 'evaluation.overdue'),
      reminded: await auditCount(tk2.officer, evaluation.id, 'evaluation.report_reminded'),
    });
    const settled = await counts();
    const again = await runJob();

    // Assess 2: each passed deadline was acted on exactly once, and running again changes nothing
    expect(first.acted).toBeGreaterThan(0);
    expect(runs).toBeLessThan(8);
    expect(again.acted).toBe(0);
    expect(await counts()).toEqual(settled);
    const final = await eventually(async () => {
      const a = await api.get<{ status: string }>(`/v1/applications/${listed.id}`, tk2.officer);
      return a.body.status === 'recognised' ? a.body : undefined;
    }, 'the listed application to be recognised');
    expect(final.status).toBe('recognised');
    const { recognised, overdue, reminded } = settled;
    expect(recognised).toBe(1);
    expect(overdue).toBe(1);
    // Art. 12: the 7-day and the 1-day reminders, each at most once, whether before or after the kill.
    expect(reminded).toBeLessThanOrEqual(2);
    expect(remindedBefore).toBe(0);
    catchUpRuns = runs;
    const registry = ok(
      await api.get<{ items: Array<{ id: string }> }>('/v1/public/platforms?limit=100'),
    ).body.items.map((p) => p.id);
    expect(registry).toEqual(expect.arrayContaining([platformId, `p-${listed.id}`]));
    lost += [platformId, `p-${listed.id}`].filter((id) => !registry.includes(id)).length;
    halfWritten += Math.abs(recognised - 1) + Math.abs(overdue - 1) + Math.max(0, reminded - 2);
    expect(fiveXX).toBe(0);
  }, 420_000);
});
