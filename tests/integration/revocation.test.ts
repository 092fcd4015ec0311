import { beforeAll, describe, expect, it } from 'vitest';
import { cycleItem, evaluationItem } from '../../functions/adapters/evaluation-store.ts';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { DynamoNotificationStore } from '../../functions/adapters/notification-store.ts';
import { DynamoPlatformStore, platformItem } from '../../functions/adapters/platform-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { planPolicyEnd } from '../../functions/adapters/revocation-store.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Evaluation, EvaluationCycle } from '../../functions/core/evaluations.ts';
import { evaluationExecutionName } from '../../functions/core/evaluations.ts';
import { taskId } from '../../functions/core/human-tasks.ts';
import type { Platform } from '../../functions/core/platforms.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { useLocalServices } from './support/services.ts';

const NOW = '2026-03-01T02:00:00.000Z';
const engine = new RecordingWorkflowEngine();
const officer: Caller = { sub: 'officer-1', roles: ['officer'] };
const approver: Caller = { sub: 'approver-1', roles: ['approver'] };
const approver2: Caller = { sub: 'approver-2', roles: ['approver'] };
const host = (p: string): Caller => ({ sub: `host-${p}`, roles: ['applicant'] });
const stranger: Caller = { sub: 'someone-else', roles: ['applicant'] };

let handler: typeof import('../../functions/api/revocation.ts')['handler'];
let deadlines: typeof import('../../functions/jobs/deadlines.ts')['handler'];

const call = async (routeKey: string, caller: Caller, opts: Parameters<typeof apiEvent>[1] = {}) => {
  const res = await handler(apiEvent(routeKey, { caller, ...opts }), lambdaContext());
  return { status: res.statusCode, body: jsonBody(res) as Record<string, unknown> & { code?: string } };
};

/** Seeds an organisation with one member, its platform, and evaluations coded U/Q/E/O per year from 2024. */
async function seed(id: string, code: string, opts: { pendingTask?: boolean } = {}): Promise<Platform> {
  const platform = {
    id,
    applicationId: `app-${id}`,
    callId: 'call-1',
    orgId: `org-${id}`,
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
  const evaluations = [...code].map((c, i): Evaluation => {
    const year = 2024 + i;
    const grade = ({ U: 'unqualified', Q: 'qualified', E: 'excellent' } as const)[c as 'U'];
    return {
      id: `e-${year}-${id}`,
      year,
      platformId: id,
      orgId: platform.orgId,
      hostName: platform.hostName,
      status: c === 'O' ? 'overdue' : c === 'A' ? 'awaiting_report' : 'published',
      ...(grade ? { grade } : {}),
      executionName: evaluationExecutionName(year, id),
      reportDeadline: `${year + 1}-01-31T15:59:59.999Z`,
      createdAt: NOW,
      updatedAt: NOW,
      version: 1,
    };
  });
  await registry().transact({
    ops: [
      {
        kind: 'put',
        item: {
          pk: `ORG#${platform.orgId}`,
          sk: 'ORG',
          type: 'organisation',
          id: platform.orgId,
          memberSubs: [`host-${id}`],
        },
      },
      { kind: 'put', item: platformItem(platform) },
      ...evaluations.map((e) => ({ kind: 'put' as const, item: evaluationItem(e) })),
    ],
  });
  if (opts.pendingTask) {
    const year = 2024 + code.length - 1;
    await new DynamoHumanTaskStore().open(
      {
        id: taskId(evaluationExecutionName(year, id), 'AwaitReport'),
        workflow: 'annual-evaluation',
        executionName: evaluationExecutionName(year, id),
        stateName: 'AwaitReport',
        kind: 'self_evaluation_report',
        entityType: 'evaluation',
        entityId: `e-${year}-${id}`,
        assigneeRoles: [],
        assigneeSubs: [`host-${id}`],
        reminders: false,
        status: 'pending',
        token: `token-${id}`,
        createdAt: NOW,
        dueAt: '2027-01-31T15:59:59.999Z',
        version: 1,
      },
      auditEvent(new Date(NOW), SYSTEM_ACTOR, 'task.opened', 'task', id),
    );
  }
  return platform;
}

const cycle = (year: number): EvaluationCycle => ({
  year,
  reportDeadline: `${year + 1}-01-31T15:59:59.999Z`,
  criteria: [{ key: 'k', title: 't', weight: 1, max: 100 }],
  bands: { excellent: 90, good: 75, qualified: 60 },
  status: 'finalized',
  createdBy: 'officer-1',
  createdAt: NOW,
  updatedAt: NOW,
  version: 1,
});

const open = (platformId: string, body: Record<string, unknown>, caller = officer) =>
  call('POST /v1/platforms/{platformId}/revocations', caller, { params: { platformId }, body });
const caseBody = (over: Record<string, unknown> = {}) => ({
  ground: 'consecutive_unqualified',
  description: '连续两年考评不合格',
  responseDeadline: '2026-03-15',
  ...over,
});

beforeAll(async () => {
  await useLocalServices('revocation');
  setWorkflowEngine(engine);
  setClock(new Date(NOW), 'fixed');
  handler = (await import('../../functions/api/revocation.ts')).handler;
  deadlines = (await import('../../functions/jobs/deadlines.ts')).handler;
  await registry().transact({
    ops: [2024, 2025, 2026].map((y) => ({ kind: 'put' as const, item: cycleItem(cycle(y)) })),
  });
  await seed('pUU', 'UUA', { pendingTask: true });
  await seed('pUO', 'UO');
  await seed('pQQ', 'QQ');
  await seed('pUQU', 'UQU');
});

describe('GET /v1/revocation-candidates (Art. 13(1), 13(2) overdue)', () => {
  it('raises the system grounds over the active platforms with the facts, and nothing else', async () => {
    // Act
    const res = await call('GET /v1/revocation-candidates', approver, { query: { limit: '100' } });

    // Assess
    expect(res.status).toBe(200);
    const items = res.body.items as Array<{
      platformId: string;
      ground: string;
      facts: { years: number[]; evaluations: Array<{ reportDeadline?: string }> };
    }>;
    const found = items.map((c) => [c.platformId, c.ground, c.facts.years]).sort();
    expect(found).toEqual([
      ['pUO', 'overdue_report', [2025]],
      ['pUU', 'consecutive_unqualified', [2024, 2025]],
    ]);
    const overdue = items.find((c) => c.ground === 'overdue_report');
    expect(overdue?.facts.evaluations[0]?.reportDeadline).toBe('2026-01-31T15:59:59.999Z');
  });

  it.each([
    [stranger, 403],
    [{ sub: 'observer', roles: ['observer'] } as Caller, 403],
  ])('is staff-only (%#)', async (caller, status) => {
    expect((await call('GET /v1/revocation-candidates', caller)).status).toBe(status);
  });
});

describe('a revocation case (Art. 13)', () => {
  let caseId = '';

  it.each([
    ['a deadline in the past', caseBody({ responseDeadline: '2026-02-28' }), 400, 'VALIDATION_FAILED'],
    ['a deadline now', caseBody({ responseDeadline: NOW }), 400, 'VALIDATION_FAILED'],
    ['an unknown ground', caseBody({ ground: 'dislike' }), 400, 'VALIDATION_FAILED'],
    [
      'a ground the facts do not establish',
      caseBody({ ground: 'overdue_report' }),
      409,
      'GROUND_NOT_ESTABLISHED',
    ],
    ['unverified evidence', caseBody({ evidenceIds: ['nope'] }), 422, 'EVIDENCE_NOT_VERIFIED'],
  ])('refuses %s', async (_what, body, status, code) => {
    const res = await open('pUU', body);
    expect([res.status, res.body.code]).toEqual([status, code]);
  });

  it('refuses two of three unqualified years: ground not established', async () => {
    const res = await open('pUQU', caseBody());
    expect([res.status, res.body.code]).toEqual([409, 'GROUND_NOT_ESTABLISHED']);
  });

  it('opens a case with the facts and tells the host; a second open case → 409', async () => {
    // Act
    const res = await open('pUU', caseBody());
    const again = await open('pUU', caseBody({ ground: 'other' }));

    // Assess
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      platformId: 'pUU',
      status: 'awaiting_response',
      responseDeadline: '2026-03-15T15:59:59.999Z',
      facts: { years: [2024, 2025] },
    });
    caseId = String(res.body.id);
    expect([again.status, again.body.code]).toEqual([409, 'REVOCATION_ALREADY_OPEN']);
    const told = await new DynamoNotificationStore().list('host-pUU', ['applicant'], { limit: 10 });
    expect(told.items.map((n) => n.event)).toContain('revocation.opened');
  });

  it('shows the case to staff and to the host, 404 to anyone else', async () => {
    const get = (caller: Caller) => call('GET /v1/revocations/{id}', caller, { params: { id: caseId } });
    expect((await get(officer)).status).toBe(200);
    expect((await get(host('pUU'))).status).toBe(200);
    expect((await get(host('pQQ'))).status).toBe(404);
  });

  it('refuses a decision while the host may still respond', async () => {
    const res = await call('POST /v1/revocations/{id}/decision', approver, {
      params: { id: caseId },
      body: { decision: 'revoke', opinion: '不合格' },
    });
    expect([res.status, res.body.code]).toEqual([409, 'RESPONSE_PERIOD_OPEN']);
  });

  it('takes the host’s response once; another host gets 404', async () => {
    const respond = (caller: Caller) =>
      call('POST /v1/revocations/{id}/response', caller, {
        params: { id: caseId },
        body: { statement: '我们已整改' },
      });
    expect((await respond(host('pQQ'))).status).toBe(404);
    const first = await respond(host('pUU'));
    const second = await respond(host('pUU'));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'responded', response: { statement: '我们已整改' } });
    expect([second.status, second.body.code]).toEqual([409, 'ALREADY_RESPONDED']);
  });

  it('two racing revocations: one 200, one 409; the platform is revoked, off the list, its evaluation step failed', async () => {
    // Act
    const decide = (caller: Caller) =>
      call('POST /v1/revocations/{id}/decision', caller, {
        params: { id: caseId },
        body: { decision: 'revoke', opinion: '连续两年不合格，撤销' },
      });
    const results = await Promise.all([decide(approver), decide(approver2)]);

    // Assess
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const platform = await new DynamoPlatformStore().get('pUU');
    expect(platform).toMatchObject({
      status: 'revoked',
      revokedAt: NOW,
      revocationId: caseId,
      hostName: '中山pUU科技有限公司',
    });
    const listed = await new DynamoPlatformStore().listActive(100);
    expect(listed.items.map((p) => p.id)).not.toContain('pUU');
    expect(engine.failures).toEqual([
      expect.objectContaining({ taskToken: 'token-pUU', error: 'PlatformRevoked' }),
    ]);
    const task = await new DynamoHumanTaskStore().get(
      taskId(evaluationExecutionName(2026, 'pUU'), 'AwaitReport'),
    );
    expect(task?.status).toBe('failed');
    const officers = await new DynamoNotificationStore().list('officer-1', ['officer'], { limit: 20 });
    expect(officers.items.find((n) => n.event === 'revocation.revoked')?.detail).toMatchObject({
      newCallMayOpen: true,
    });
    const audit = await registry().listAudit('pUU', 10);
    expect(audit.items.map((e) => e.action)).toContain('platform.revoked');
  });

  it('refuses a new case on a revoked platform', async () => {
    const res = await open('pUU', caseBody({ ground: 'other' }));
    expect([res.status, res.body.code]).toEqual([409, 'PLATFORM_NOT_ACTIVE']);
  });

  it('lists cases by status', async () => {
    const revoked = await call('GET /v1/revocations', officer, { query: { status: 'revoked' } });
    expect((revoked.body.items as Array<{ id: string }>).map((r) => r.id)).toEqual([caseId]);
    expect((await call('GET /v1/revocations', host('pUU'))).status).toBe(403);
  });
});

describe('the response deadline (Art. 13)', () => {
  it('refuses a response one millisecond after the deadline; the approver may then decide', async () => {
    // Prepare
    const opened = await open(
      'pUO',
      caseBody({ ground: 'overdue_report', responseDeadline: '2026-03-02T00:00:00.000+08:00' }),
    );
    const id = String(opened.body.id);
    const deadline = Date.parse(String(opened.body.responseDeadline));

    // Act
    setClock(new Date(deadline + 1), 'fixed');
    const late = await call('POST /v1/revocations/{id}/response', host('pUO'), {
      params: { id },
      body: { statement: '迟到的申辩' },
    });
    const job = await deadlines();
    const again = await deadlines();
    const dismissed = await call('POST /v1/revocations/{id}/decision', approver, {
      params: { id },
      body: { decision: 'dismiss', opinion: '已补交报告' },
    });

    // Assess
    expect([late.status, late.body.code]).toEqual([409, 'RESPONSE_DEADLINE_PASSED']);
    expect(job.byType['revocation-response']).toEqual({ examined: 1, acted: 1 });
    expect(again.byType['revocation-response']).toBeUndefined();
    expect(dismissed.body).toMatchObject({ status: 'dismissed' });
    expect((await new DynamoPlatformStore().get('pUO'))?.status).toBe('active');
    setClock(new Date(NOW), 'fixed');
  });

  it('at the deadline itself the host may still respond', async () => {
    const opened = await open(
      'pQQ',
      caseBody({ ground: 'other', responseDeadline: '2026-03-03T00:00:00.000+08:00' }),
    );
    setClock(new Date(String(opened.body.responseDeadline)), 'fixed');
    const res = await call('POST /v1/revocations/{id}/response', host('pQQ'), {
      params: { id: String(opened.body.id) },
      body: { statement: '按时申辩' },
    });
    expect(res.status).toBe(200);
    setClock(new Date(NOW), 'fixed');
  });
});

describe('policy end (Art. 14) in the deadline job', () => {
  it('ends every active recognition at 23:59:59.999 Asia/Shanghai of the end date, once', async () => {
    // Prepare
    await registry().transact({ ops: planPolicyEnd('2027-12-31') });
    const end = Date.parse('2027-12-31T15:59:59.999Z');

    // Act
    setClock(new Date(end - 1), 'fixed');
    const before = await deadlines();
    setClock(new Date(end), 'fixed');
    const first = await deadlines();
    const second = await deadlines();

    // Assess
    expect(before.byType['policy-end']).toBeUndefined();
    expect(first.byType['policy-end']).toEqual({ examined: 1, acted: 1 });
    expect(second.byType['policy-end']).toBeUndefined();
    for (const id of ['pUO', 'pQQ', 'pUQU'])
      expect(await new DynamoPlatformStore().get(id)).toMatchObject({
        status: 'expired',
        endedAt: new Date(end).toISOString(),
      });
    expect((await new DynamoPlatformStore().get('pUU'))?.status).toBe('revoked');
    expect((await new DynamoPlatformStore().listActive(100)).items).toEqual([]);
    const told = await new DynamoNotificationStore().list('host-pQQ', ['applicant'], { limit: 20 });
    expect(told.items.filter((n) => n.event === 'platform.expired')).toHaveLength(1);
    setClock(new Date(NOW), 'fixed');
  });
});
