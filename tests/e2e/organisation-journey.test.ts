import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, eventually, type RunningRuntime, removeDataDir, startRuntime } from './support/runtime.ts';

/**
 * The first vertical slice end to end (Art. 3, Art. 9(1), GB 32100-2015): applicants register their
 * organisations, the USCC is checked, a Zhongshan code with a broken check digit waits for an
 * officer's manual verification — through the deadline job's reminder, a restart of the runtime on the
 * same data folder, and the officer's decision that completes the workflow.
 */

/** 91442000MA4UQ9YX2 + its check character J: a well-formed Zhongshan enterprise code. */
const GOOD_USCC = '91442000MA4UQ9YX2J';
/** The same region and structure with a wrong check character (X is expected). */
const BROKEN_CHECK_DIGIT = '91442000MA51ABCD1Y';

const organisation = (uscc: string, name: string): Record<string, unknown> => ({
  name,
  uscc,
  registeredCapitalCny: 60_000_000,
  address: '广东省中山市东区中山四路1号',
  legalRepresentative: '张三',
  contact: { name: '李四', phone: '+86 760 8888 0000', email: 'contact@example.com' },
});

interface Task {
  id: string;
  entityId: string;
  executionName: string;
  workflow: string;
  status: string;
  dueAt: string;
}

let rt: RunningRuntime;
let api: ReturnType<typeof client>;
const tokens: Record<string, string> = {};
let ownOrgId = '';
let pendingOrgId = '';
let pendingTask: Task | undefined;

async function pendingTaskOf(orgId: string): Promise<Task | undefined> {
  const res = await api.get<{ items: Task[] }>('/v1/tasks', tokens.officer);
  return res.body.items?.find((t) => t.entityId === orgId);
}

beforeAll(async () => {
  rt = await startRuntime();
  api = client(rt.url);
  tokens.applicantA = await api.token('applicant-a', ['applicant']);
  tokens.applicantB = await api.token('applicant-b', ['applicant']);
  tokens.officer = await api.token('officer-1', ['officer']);
  tokens.expert = await api.token('expert-1', ['expert']);
});

afterAll(async () => {
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
});

describe('organisations', () => {
  it('registers an applicant’s organisation with a valid Zhongshan USCC', async () => {
    // Act
    const res = await api.post<{
      id: string;
      usccCheck: Record<string, unknown>;
      verification: { status: string };
    }>('/v1/organisations', organisation(GOOD_USCC, '中山示例科技有限公司'), {
      token: tokens.applicantA,
      headers: { 'idempotency-key': 'register-a-1' },
    });
    ownOrgId = res.body.id;

    // Assess
    expect(res.status).toBe(201);
    expect(res.body.usccCheck).toMatchObject({
      valid: true,
      checkDigitOk: true,
      regionCode: '442000',
      inZhongshan: true,
    });
    expect(res.body.verification.status).toBe('not_required');
  });

  it('replays the first response for a repeated Idempotency-Key', async () => {
    // Act
    const again = await api.post<{ id: string }>(
      '/v1/organisations',
      organisation(GOOD_USCC, '中山示例科技有限公司'),
      {
        token: tokens.applicantA,
        headers: { 'idempotency-key': 'register-a-1' },
      },
    );

    // Assess
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(ownOrgId);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('shows the organisation to its member and to officers, and to nobody else', async () => {
    // Act
    const own = await api.get<{ id: string; uscc: string }>(
      `/v1/organisations/${ownOrgId}`,
      tokens.applicantA,
    );
    const officer = await api.get(`/v1/organisations/${ownOrgId}`, tokens.officer);
    const other = await api.get(`/v1/organisations/${ownOrgId}`, tokens.applicantB);
    const anonymous = await api.get(`/v1/organisations/${ownOrgId}`);
    const expert = await api.get(`/v1/organisations/${ownOrgId}`, tokens.expert);

    // Assess
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: ownOrgId, uscc: GOOD_USCC });
    expect(officer.status).toBe(200);
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ code: 'NOT_FOUND' });
    expect(anonymous.status).toBe(401);
    expect(expert.status).toBe(403);
    expect(expert.body).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('lets only applicants register organisations (403 for an officer)', async () => {
    // Act
    const res = await api.post('/v1/organisations', organisation(GOOD_USCC, 'Officer Ltd'), {
      token: tokens.officer,
    });

    // Assess
    expect(res.status).toBe(403);
  });

  it.each([
    ['too short', '91442000MA4UQ9YX2'],
    ['letters outside the charset (I, O, S, V, Z)', '91442000MA4UQ9YXIO'],
  ])('refuses a USCC that is %s with a 400 problem naming the field', async (_what, uscc) => {
    // Act
    const res = await api.post<{ code: string; errors: { path: string; message: string }[] }>(
      '/v1/organisations',
      organisation(uscc, 'Broken Code Ltd'),
      { token: tokens.applicantB },
    );

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.some((e) => /(^|\.)uscc$/.test(e.path) && e.message.length > 0)).toBe(true);
  });

  it('accepts a Zhongshan code with a broken check digit for manual verification', async () => {
    // Act
    const res = await api.post<{
      id: string;
      usccCheck: Record<string, unknown>;
      verification: { status: string };
    }>('/v1/organisations', organisation(BROKEN_CHECK_DIGIT, '中山试点登记有限公司'), {
      token: tokens.applicantB,
    });
    pendingOrgId = res.body.id;
    pendingTask = await eventually(() => pendingTaskOf(pendingOrgId), 'the verification task in the inbox');

    // Assess
    expect(res.status).toBe(201);
    expect(res.body.usccCheck).toMatchObject({ valid: true, checkDigitOk: false, inZhongshan: true });
    expect(res.body.verification.status).toBe('pending');
    expect(pendingTask).toMatchObject({ workflow: 'uscc-verification', status: 'pending' });
  });

  it('reminds the officer once the task is due, exactly once at a given instant', async () => {
    // Prepare
    const task = pendingTask as Task;
    const pastDue = new Date(Date.parse(task.dueAt) + 60_000).toISOString();
    const clockSet = await api.post('/dev/clock', { now: pastDue, mode: 'fixed' });

    // Act
    const first = await api.post<{ acted: number; byType: Record<string, { acted: number }> }>(
      '/dev/jobs/deadlines/run',
      {},
    );
    const second = await api.post<{ acted: number }>('/dev/jobs/deadlines/run', {});
    const audit = await api.get<{ items: { action: string; at: string }[] }>(
      `/v1/audit?entityId=${task.id}`,
      tokens.officer,
    );
    await api.call('DELETE', '/dev/clock');

    // Assess
    expect(clockSet.status).toBe(200);
    expect(first.status).toBe(200);
    expect(first.body.acted).toBeGreaterThanOrEqual(1);
    expect(first.body.byType.task?.acted).toBe(1);
    expect(second.body.acted).toBe(0);
    const reminders = audit.body.items.filter((e) => e.action === 'task.reminded');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.at).toBe(pastDue);
  });

  it('keeps organisations and the waiting verification across a restart, and completes it after', async () => {
    // Prepare
    const task = pendingTask as Task;
    const stopped = await rt.stop('SIGTERM');
    rt = await startRuntime({ dataDir: rt.dataDir, ports: rt.ports });
    api = client(rt.url);

    // Act
    const own = await api.get(`/v1/organisations/${ownOrgId}`, tokens.applicantA);
    const stillPending = await pendingTaskOf(pendingOrgId);
    const decided = await api.post<{ verification: { status: string; decidedBy: string } }>(
      `/v1/organisations/${pendingOrgId}/verification`,
      { decision: 'verified', opinion: 'Registered address confirmed by the market regulator' },
      { token: tokens.officer },
    );
    const execution = await eventually(async () => {
      const res = await api.get<{ status: string }>(
        `/dev/workflows/${task.workflow}/executions/${encodeURIComponent(task.executionName)}`,
      );
      return res.body.status === 'RUNNING' ? undefined : res.body;
    }, 'the verification workflow to finish');
    const afterwards = await pendingTaskOf(pendingOrgId);
    const seenByOwner = await api.get<{ verification: { status: string } }>(
      `/v1/organisations/${pendingOrgId}`,
      tokens.applicantB,
    );

    // Assess
    expect(stopped).toEqual({ code: 0, signal: null });
    expect(rt.output()).toMatch(/resumed 1 execution\(s\), 1 waiting for a person/);
    expect(own.status).toBe(200);
    expect(stillPending).toMatchObject({ id: task.id, status: 'pending' });
    expect(decided.status).toBe(200);
    expect(decided.body.verification).toMatchObject({ status: 'verified', decidedBy: 'officer-1' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(afterwards).toBeUndefined();
    expect(seenByOwner.body.verification.status).toBe('verified');
  });

  it('stops cleanly on Ctrl-C with exit code 0', async () => {
    // Act
    const ended = await rt.stop('SIGINT');

    // Assess
    expect(ended).toEqual({ code: 0, signal: null });
  });
});
