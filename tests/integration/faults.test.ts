import '../support/quiet-logs.ts';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ExecutionAlreadyExists,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNServiceException,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient, dynamoDocumentClient, resetClients } from '../../functions/adapters/aws-clients.ts';
import { DynamoCallStore } from '../../functions/adapters/call-store.ts';
import { workflowRetryKey } from '../../functions/adapters/durable-workflows.ts';
import { DynamoHumanTaskStore } from '../../functions/adapters/human-task-store.ts';
import { registry } from '../../functions/adapters/registry.ts';
import { createSfnEngine } from '../../functions/adapters/sfn-engine.ts';
import { ensureTable } from '../../functions/adapters/table-admin.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { auditEvent, SYSTEM_ACTOR } from '../../functions/core/audit.ts';
import type { Call } from '../../functions/core/calls.ts';
import { keys, reviewExecutionName } from '../../functions/core/recognition-model.ts';
import { withCheckChar } from '../../functions/core/uscc.ts';
import { workflowRetryId } from '../../functions/core/workflow-retries.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { freePort, startDynamoDbLocal } from '../../infra/local/services.ts';
import { LocalWorkflowEngine } from '../../infra/local/workflow-engine.ts';
import { reviewWorkflow } from '../../infra/workflows/review.ts';
import { apiEvent, type Caller, jsonBody, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';

import { recordReliability } from '../support/reliability.ts';

import { useLocalServices } from './support/services.ts';

/**
 * Suite 4, faults: DynamoDB Local killed in the middle of a request stream and restarted, S3 down during
 * an evidence confirm, and a review task handler failing once (Retry) and for good (Catch → `error`).
 * While a service is down the API answers 503 SERVICE_UNAVAILABLE (never 500); afterwards no record is
 * half-written (every state change has its audit event and vice versa) and the work resumes.
 */
const { handler: organisations } = await import('../../functions/api/organisations.ts');
const { handler: applications } = await import('../../functions/api/applications.ts');
const { handler: reviewHandler } = await import('../../functions/workflow/review.ts');
const { handler: review } = await import('../../functions/api/review.ts');
const { handler: notificationsApi } = await import('../../functions/api/notifications.ts');
const { handler: deadlines } = await import('../../functions/jobs/deadlines.ts');

const NOW = '2026-03-10T02:00:00.000Z';
const officer: Caller = { sub: 'officer-f', roles: ['officer'] };
const figures = { tried: {} as Record<string, number>, fiveXX: 0, lost: 0, halfWritten: 0 };
const notes: string[] = [];

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}
const send = async (
  h: typeof organisations,
  kind: string,
  routeKey: string,
  caller: Caller,
  opts: Omit<Parameters<typeof apiEvent>[1] & object, 'caller'> = {},
): Promise<Reply> => {
  const res = await h(apiEvent(routeKey, { caller, ...opts }), lambdaContext());
  figures.tried[kind] = (figures.tried[kind] ?? 0) + 1;
  const status = res.statusCode ?? 500;
  if (status >= 500 && status !== 503) figures.fiveXX += 1;
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
const uscc = () => withCheckChar(`91442000MA${String(600000 + next()).padStart(6, '0')}X`.slice(0, 17));
const orgBody = () => ({
  name: `中山故障测试${next()}有限公司`,
  uscc: uscc(),
  registeredCapitalCny: 80_000_000,
  address: '广东省中山市东区',
  legalRepresentative: '张三',
  contact: { name: '李四', phone: '0760-88880000', email: 'li@example.cn' },
});

/** A 503 problem naming the unavailable service: what a caller sees while a backing service is down. */
function expectUnavailable(r: Reply): void {
  expect(r.status).toBe(503);
  expect(r.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  expect(r.headers['retry-after']).toBe('1');
}

let shared: { tableName: string; bucket: string };
beforeAll(async () => {
  shared = await useLocalServices('faults', { bucket: true });
  setClock(new Date(NOW), 'fixed');
});
afterAll(async () => {
  setWorkflowEngine(undefined);
  setClock(undefined);
  await recordReliability({
    suite: 'faults',
    tried: figures.tried,
    fiveXX: figures.fiveXX,
    leaks: 0,
    lost: figures.lost,
    halfWritten: figures.halfWritten,
    notes: notes.join('; '),
  });
});

async function openCall(withEvidence = true): Promise<string> {
  const id = `CALLF${next()}`;
  const call: Call = {
    id,
    title: '2026 年认定',
    description: 'Call',
    opensAt: '2026-03-01T00:00:00.000Z',
    closesAt: '2026-03-31T16:00:00.000Z',
    requiredEvidence: withEvidence ? [{ kind: 'business-licence', title: '营业执照', required: true }] : [],
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
    auditEvent(new Date(NOW), SYSTEM_ACTOR, 'call.created', 'call', id),
  );
  return id;
}

async function draftApplication(callId: string): Promise<{ caller: Caller; appId: string }> {
  const caller: Caller = { sub: `applicant-f${next()}`, roles: ['applicant'] };
  expect(
    (await send(organisations, 'seed', 'POST /v1/organisations', caller, { body: orgBody() })).status,
  ).toBe(201);
  const created = await send(applications, 'seed', 'POST /v1/calls/{callId}/applications', caller, {
    params: { callId },
    body: {
      consortium: [],
      partners: Array.from({ length: 10 }, (_, i) => ({ name: `合作机构${i}`, kind: 'university' })),
      registeredCapitalCny: 80_000_000,
      committedEnterprisesPerYear: 40,
      capabilities: ['compute'],
      summary: '赋能平台',
    },
  });
  expect(created.status).toBe(201);
  return { caller, appId: String(created.body.id) };
}

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x42), Buffer.from('\n%%EOF\n')]);

describe('S3 unavailable during an evidence confirm', () => {
  it('answers 503 while S3 is down; the evidence stays pending and is confirmed once S3 is back', async () => {
    // Prepare: a declared, uploaded file
    setWorkflowEngine(new RecordingWorkflowEngine());
    const callId = await openCall();
    const { caller, appId } = await draftApplication(callId);
    const declared = await send(applications, 'seed', 'POST /v1/applications/{id}/evidence', caller, {
      params: { id: appId },
      body: {
        kind: 'business-licence',
        fileName: '营业执照.pdf',
        contentType: 'application/pdf',
        sizeBytes: PDF.length,
        sha256: createHash('sha256').update(PDF).digest('hex'),
      },
    });
    expect(declared.status).toBe(201);
    const ticket = declared.body as {
      evidenceId: string;
      upload: { url: string; fields: Record<string, string> };
    };
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'x.pdf');
    expect((await fetch(ticket.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    const confirm = () =>
      send(applications, 'confirm', 'POST /v1/applications/{id}/evidence/{evidenceId}/confirm', caller, {
        params: { id: appId, evidenceId: ticket.evidenceId },
      });
    const s3Endpoint = process.env.S3_ENDPOINT as string;
    const deadPort = await freePort();

    // Act: S3 unreachable (nothing listens on the port)
    process.env.S3_ENDPOINT = `http://127.0.0.1:${deadPort}`;
    resetEnv();
    resetClients();
    const down = await Promise.all([confirm(), confirm(), confirm()]);
    const evidenceWhileDown = await registry().get(keys.evidence(appId, ticket.evidenceId));
    const auditWhileDown = (await registry().listAudit(appId, 50)).items;
    process.env.S3_ENDPOINT = s3Endpoint;
    resetEnv();
    resetClients();
    const back = await confirm();

    // Assess
    for (const r of down) expectUnavailable(r);
    expect(evidenceWhileDown?.status).toBe('pending_upload');
    expect(
      auditWhileDown.filter((e) =>
        ['evidence.verified', 'evidence.confirmed', 'evidence.rejected'].includes(e.action),
      ),
    ).toEqual([]);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'verified' });
    expect((await registry().get(keys.evidence(appId, ticket.evidenceId)))?.status).toBe('verified');
    const audit = (await registry().listAudit(appId, 50)).items.filter(
      (e) => e.action === 'evidence.verified',
    );
    expect(audit).toHaveLength(1);
    notes.push('S3 down: 3 confirms → 503, evidence pending, confirmed after');
  });
});

describe('a review task handler failing (local engine: Retry, then Catch → error)', () => {
  const faults = new Map<string, { mode: 'once' | 'always'; calls: number }>();
  let engine: LocalWorkflowEngine;
  let callId = '';

  beforeAll(async () => {
    engine = new LocalWorkflowEngine({
      client: dynamoClient(),
      tableName: shared.tableName,
      workflows: [reviewWorkflow],
      now: () => new Date(NOW),
      log: () => {},
      retryIntervalOverrides: { OpenPreliminaryReview: 0 },
      // The real handler, with a fault injected into opening the preliminary review of chosen applications.
      loadHandler: async () => async (input: unknown) => {
        const i = input as { action?: string; applicationId?: string };
        const fault = i.action === 'openHumanTask' ? faults.get(i.applicationId ?? '') : undefined;
        if (fault) {
          fault.calls += 1;
          if (fault.mode === 'always' || fault.calls === 1) {
            const e = new Error(`injected fault #${fault.calls}`);
            e.name = fault.mode === 'once' ? 'TransientError' : 'InjectedFault';
            throw e;
          }
        }
        return reviewHandler(input);
      },
    });
    setWorkflowEngine(engine);
    callId = await openCall(false);
  });
  afterAll(async () => {
    await engine.stop(1_000);
    setWorkflowEngine(undefined);
  });

  const submit = async (mode: 'once' | 'always') => {
    const { caller, appId } = await draftApplication(callId);
    faults.set(appId, { mode, calls: 0 });
    const res = await send(applications, 'submit', 'POST /v1/applications/{id}/submit', caller, {
      params: { id: appId },
    });
    expect(res.status).toBe(200);
    return appId;
  };
  async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const statusOf = async (id: string) => (await registry().get(keys.application(id)))?.status as string;

  it('throwing once then succeeding: retried, the preliminary review opens', async () => {
    // Act
    const appId = await submit('once');
    const status = await until(async () => {
      const s = await statusOf(appId);
      return s === 'preliminary_review' ? s : undefined;
    }, 'the preliminary review to open');

    // Assess
    expect(status).toBe('preliminary_review');
    expect(faults.get(appId)?.calls).toBe(2);
    expect((await engine.describeExecution('review', reviewExecutionName(appId)))?.status).toBe('RUNNING');
    notes.push('task handler failing once: retried and resumed');
  });

  it('failing for good: caught, the application is in the visible error state staff can list', async () => {
    // Act
    const appId = await submit('always');
    const finished = await until(async () => {
      const d = await engine.describeExecution('review', reviewExecutionName(appId));
      return d && d.status !== 'RUNNING' ? d : undefined;
    }, 'the review to fail');

    // Assess
    expect(finished.status).toBe('FAILED');
    expect(await statusOf(appId)).toBe('error');
    const listed = await send(applications, 'staff list', 'GET /v1/applications', officer, {
      query: { callId, status: 'error' },
    });
    expect(listed.status).toBe(200);
    expect((listed.body.items as Array<{ id: string }>).map((a) => a.id)).toContain(appId);
    const audit = (await registry().listAudit(appId, 50)).items.map((e) => e.action);
    expect(audit).toContain('workflow.failed');
    notes.push('task handler failing for good: application in status error, listed for staff');

    // Act: the fault is gone; two officers press retry at once
    faults.delete(appId);
    const retry = (caller: Caller) =>
      send(review, 'retry', 'POST /v1/applications/{id}/review/retry', caller, { params: { id: appId } });
    const retries = await Promise.all([retry(officer), retry({ sub: 'officer-g', roles: ['officer'] })]);

    // Assess: one restart, audited once, a new execution that reaches the preliminary review
    expect(retries.map((r) => r.status).sort()).toEqual([200, 409]);
    const restarted = (await registry().listAudit(appId, 50)).items.filter(
      (e) => e.action === 'application.review_retried',
    );
    expect(restarted.map((e) => e.detail.executionName)).toEqual([`${reviewExecutionName(appId)}-r1`]);
    await until(
      async () => ((await statusOf(appId)) === 'preliminary_review' ? true : undefined),
      'the rerun',
    );
    expect((await engine.describeExecution('review', `${reviewExecutionName(appId)}-r1`))?.status).toBe(
      'RUNNING',
    );
    const again = await retry(officer);
    expect([again.status, again.body.code]).toEqual([409, 'WRONG_STAGE']);
    notes.push('staff retry: one of two racing retries wins, the review reruns as app-<id>-r1');
  });

  it('refuses a retry once experts were assigned: 409, the application stays in error', async () => {
    // Prepare: a failed review with an expert assignment on record
    const appId = await submit('always');
    await until(async () => ((await statusOf(appId)) === 'error' ? true : undefined), 'the review to fail');
    await registry().transact({
      ops: [
        {
          kind: 'put',
          item: {
            ...keys.assignment(appId, 'EXP1'),
            type: 'assignment',
            applicationId: appId,
            expertId: 'EXP1',
          },
        },
      ],
    });

    // Act
    const res = await send(review, 'retry', 'POST /v1/applications/{id}/review/retry', officer, {
      params: { id: appId },
    });

    // Assess
    expect([res.status, res.body.code]).toEqual([409, 'REVIEW_ALREADY_AT_EXPERTS']);
    expect(await statusOf(appId)).toBe('error');
  });

  it('retry is for officers only, and only for an application in error', async () => {
    const appId = await submit('once');
    const asApplicant = await send(
      review,
      'retry',
      'POST /v1/applications/{id}/review/retry',
      {
        sub: 'applicant-x',
        roles: ['applicant'],
      },
      { params: { id: appId } },
    );
    const unknown = await send(review, 'retry', 'POST /v1/applications/{id}/review/retry', officer, {
      params: { id: 'NOSUCHAPP' },
    });
    expect(asApplicant.status).toBe(403);
    expect(unknown.status).toBe(404);
  });
});

describe('a workflow call failing after the decision committed (Step Functions throttled): retried by the deadline job', () => {
  /**
   * The Step Functions engine of AWS with its SDK client faked at `send`: calls pass through to the
   * local engine (which runs the real review workflow and its task handler) unless a fault is queued.
   */
  const ARN = 'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:zs-test-review';
  const faults: Record<'start' | 'success' | 'failure', Error[]> = { start: [], success: [], failure: [] };
  const sfnCalls: string[] = [];
  const throttled = () =>
    new SFNServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });
  let local: LocalWorkflowEngine;
  let callId = '';
  let clockMs = Date.parse(NOW);
  const at = (ms: number) => {
    clockMs = ms;
    setClock(new Date(ms), 'fixed');
  };
  const tasks = new DynamoHumanTaskStore();

  beforeAll(async () => {
    process.env.WORKFLOW_REVIEW_ARN = ARN;
    at(Date.parse(NOW));
    local = new LocalWorkflowEngine({
      client: dynamoClient(),
      tableName: shared.tableName,
      workflows: [reviewWorkflow],
      now: () => new Date(clockMs),
      log: () => {},
    });
    const sfn = await createSfnEngine({
      send: async (command: unknown) => {
        if (command instanceof StartExecutionCommand) {
          const name = String(command.input.name);
          sfnCalls.push(`start ${name}`);
          const fault = faults.start.shift();
          if (fault) throw fault;
          const out = await local.start('review', name, JSON.parse(String(command.input.input)));
          if (out.alreadyStarted) throw new ExecutionAlreadyExists({ message: name, $metadata: {} });
          return { executionArn: out.executionId };
        }
        if (command instanceof SendTaskSuccessCommand) {
          sfnCalls.push('success');
          const fault = faults.success.shift();
          if (fault) throw fault;
          await local.sendTaskSuccess(
            String(command.input.taskToken),
            JSON.parse(String(command.input.output)),
          );
          return {};
        }
        if (command instanceof SendTaskFailureCommand) {
          sfnCalls.push('failure');
          const fault = faults.failure.shift();
          if (fault) throw fault;
          const i = command.input;
          await local.sendTaskFailure(String(i.taskToken), String(i.error), String(i.cause));
          return {};
        }
        throw new Error('unexpected command');
      },
    } as never);
    setWorkflowEngine(sfn);
    callId = await openCall(false);
  });
  afterAll(async () => {
    await local.stop(1_000);
    setWorkflowEngine(undefined);
    delete process.env.WORKFLOW_REVIEW_ARN;
    setClock(new Date(NOW), 'fixed');
  });

  async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const pending = (appId: string, kind: string) =>
    until(async () => {
      const t = await tasks.current('application', appId);
      return t?.status === 'pending' && t.kind === kind ? t : undefined;
    }, `${kind} of ${appId}`);
  const runDeadlines = async () => {
    figures.tried['deadline run'] = (figures.tried['deadline run'] ?? 0) + 1;
    return deadlines({});
  };
  const auditOf = async (id: string) => (await registry().listAudit(id, 100)).items;
  const submit = async () => {
    const { caller, appId } = await draftApplication(callId);
    const res = await send(applications, 'submit', 'POST /v1/applications/{id}/submit', caller, {
      params: { id: appId },
    });
    return { appId, res };
  };
  /** An application waiting at its preliminary review, decided by an officer while SendTaskSuccess is throttled. */
  const passedWhileThrottled = async (then: Error) => {
    const { appId } = await submit();
    await pending(appId, 'preliminary_review');
    const task = await pending(appId, 'preliminary_review');
    faults.success.push(throttled(), then);
    const decided = await send(review, 'decide', 'POST /v1/applications/{id}/preliminary-review', officer, {
      params: { id: appId },
      body: { decision: 'pass', opinion: '材料齐全' },
    });
    return { appId, task, decided };
  };

  it('a start throttled at submit: 200, recorded and audited; started once after the backoff, however often the job runs', async () => {
    // Act 1: the applicant submits while StartExecution is throttled
    at(Date.parse(NOW));
    faults.start.push(throttled());
    const { appId, res } = await submit();
    const executionName = reviewExecutionName(appId);
    const retryId = workflowRetryId({ kind: 'start', workflow: 'review', executionName, input: {} });

    // Assess 1: the decision stands, the call is recorded with its due entry a minute later, audited
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'submitted' });
    const item = await registry().get(workflowRetryKey(retryId));
    expect(item).toMatchObject({
      type: 'workflow-retry',
      attempts: 1,
      lastError: 'ThrottlingException',
      dueSk: `2026-03-10T02:01:00.000Z#wfretry#${retryId}`,
    });
    expect(Number(item?.expiresAt)).toBeGreaterThan(Date.parse(NOW) / 1000);
    expect((await auditOf(appId)).filter((e) => e.action === 'workflow.call_deferred')).toEqual([
      expect.objectContaining({
        actor: { sub: 'system', roles: [] },
        detail: expect.objectContaining({ reason: 'ThrottlingException', executionName, call: 'start' }),
      }),
    ]);

    // Act 2: the job before the backoff has passed
    const early = await runDeadlines();

    // Assess 2: nothing repeated yet
    expect(early.byType.wfretry).toBeUndefined();
    expect(sfnCalls.filter((c) => c === `start ${executionName}`)).toHaveLength(1);
    expect((await registry().get(keys.application(appId)))?.status).toBe('submitted');

    // Act 3: a minute later, two runs of the job at once, then one more
    at(Date.parse(NOW) + 60_000);
    const both = await Promise.all([runDeadlines(), runDeadlines()]);
    await pending(appId, 'preliminary_review');
    const again = await runDeadlines();

    // Assess 3: started exactly once more, the review runs, the record is gone, audited once
    expect(both.map((s) => s.byType.wfretry?.acted ?? 0).sort()).toEqual([0, 1]);
    expect(again.byType.wfretry).toBeUndefined();
    expect(sfnCalls.filter((c) => c === `start ${executionName}`)).toHaveLength(2);
    expect((await local.describeExecution('review', executionName))?.status).toBe('RUNNING');
    expect((await registry().get(keys.application(appId)))?.status).toBe('preliminary_review');
    expect(await registry().get(workflowRetryKey(retryId))).toBeUndefined();
    expect((await auditOf(appId)).filter((e) => e.action === 'workflow.call_retried')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ attempts: 2, alreadyStarted: false }) }),
    ]);
    notes.push(
      'StartExecution throttled at submit: 200, retried by the deadline job once (2 concurrent runs + 1)',
    );
  });

  it('SendTaskSuccess throttled after an officer decided: retried, the workflow moves on', async () => {
    // Prepare
    at(Date.parse(NOW));
    const { appId, task, decided } = await passedWhileThrottled(throttled());

    // Assess: the officer got 200; the workflow still waits at the preliminary review
    expect(decided.status).toBe(200);
    const retryId = workflowRetryId({ kind: 'sendTaskSuccess', token: task.token, output: {} });
    const item = await registry().get(workflowRetryKey(retryId));
    expect(item).toMatchObject({ attempts: 1, callKind: 'sendTaskSuccess' });
    expect((await auditOf(appId)).find((e) => e.action === 'workflow.call_deferred')?.detail).toMatchObject({
      taskId: task.id,
      taskKind: 'preliminary_review',
      reason: 'ThrottlingException',
    });
    expect(JSON.stringify(await auditOf(appId))).not.toContain(task.token);

    // Act: a minute later the repeat is throttled again; two more minutes later it goes through
    at(Date.parse(NOW) + 60_000);
    await runDeadlines();
    const second = await registry().get(workflowRetryKey(retryId));
    at(Date.parse(NOW) + 3 * 60_000);
    await runDeadlines();

    // Assess: rescheduled with a 2-minute backoff, then delivered: the expert assignment opens
    expect(second).toMatchObject({ attempts: 2, dueSk: `2026-03-10T02:03:00.000Z#wfretry#${retryId}` });
    await pending(appId, 'expert_assignment');
    expect(await registry().get(workflowRetryKey(retryId))).toBeUndefined();
    expect(
      (await auditOf(appId)).filter((e) => e.action.startsWith('workflow.call_')).map((e) => e.action),
    ).toEqual(['workflow.call_deferred', 'workflow.call_deferred', 'workflow.call_retried']);
    notes.push('SendTaskSuccess throttled twice: delivered on the 3rd call, the review moved on');
  });

  it('TaskTimedOut on the repeat: abandoned, audited, and the officers are told', async () => {
    // Prepare
    at(Date.parse(NOW));
    const { appId, task, decided } = await passedWhileThrottled(
      new TaskTimedOut({ message: 'Task timed out', $metadata: { httpStatusCode: 400 } }),
    );
    expect(decided.status).toBe(200);
    const retryId = workflowRetryId({ kind: 'sendTaskSuccess', token: task.token, output: {} });

    // Act
    at(Date.parse(NOW) + 60_000);
    const run = await runDeadlines();
    const inbox = await send(notificationsApi, 'staff notifications', 'GET /v1/notifications', officer, {
      query: { limit: '50' },
    });

    // Assess
    expect(run.byType.wfretry).toEqual({ examined: 1, acted: 1 });
    expect(await registry().get(workflowRetryKey(retryId))).toBeUndefined();
    expect((await auditOf(appId)).find((e) => e.action === 'workflow.call_abandoned')?.detail).toMatchObject({
      reason: 'TaskTimedOut',
      attempts: 2,
      taskId: task.id,
    });
    expect(inbox.status).toBe(200);
    const told = (inbox.body.items as Array<Record<string, unknown>>).filter(
      (n) => n.event === 'workflow.call_abandoned' && n.entityId === appId,
    );
    expect(told).toHaveLength(1);
    expect(String(told[0]?.title)).toContain('TaskTimedOut');
    expect(JSON.stringify(inbox.body)).not.toContain(task.token);
    notes.push('TaskTimedOut on the repeat: abandoned, officers notified');
  });
});

describe('DynamoDB Local killed in the middle of a request stream, then restarted', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'zs-faults-ddb-'));
  let port = 0;
  let dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
  const start = async () => {
    dynamo = await startDynamoDbLocal({ port, host: '127.0.0.1', dataDir });
  };

  beforeAll(async () => {
    port = await freePort();
    await start();
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${port}`;
    process.env.TABLE_NAME = 'faults-registry';
    resetEnv();
    resetClients();
    await ensureTable(dynamoClient(), 'faults-registry');
  }, 60_000);
  afterAll(async () => {
    await dynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('503 while down, never 500; nothing half-written; the stream resumes after the restart', async () => {
    // Prepare: every create carries an Idempotency-Key, as a careful client's would
    const sent: Array<{ caller: Caller; key: string; body: ReturnType<typeof orgBody>; reply?: Reply }> = [];
    const create = async (kind: string) => {
      const caller: Caller = { sub: `applicant-d${next()}`, roles: ['applicant'] };
      const entry = { caller, key: `k-${seq}`, body: orgBody() };
      sent.push(entry);
      const reply = await send(organisations, kind, 'POST /v1/organisations', caller, {
        body: entry.body,
        headers: { 'Idempotency-Key': entry.key },
      });
      Object.assign(entry, { reply });
      return reply;
    };

    // Act 1: the stream is flowing
    const up = await Promise.all(Array.from({ length: 10 }, () => create('create (up)')));
    // Act 2: DynamoDB Local is killed while a burst is in flight
    let replied = 0;
    let kill = () => {};
    const fifthReply = new Promise<void>((resolve) => {
      kill = resolve;
    });
    const burst = Promise.all(
      Array.from({ length: 20 }, async () => {
        const reply = await create('create (during kill)');
        replied += 1;
        if (replied === 5) kill();
        return reply;
      }),
    );
    await fifthReply;
    await dynamo?.stop();
    const duringKill = await burst;
    // Act 3: down
    const down = await Promise.all(Array.from({ length: 10 }, () => create('create (down)')));
    // Act 4: restarted on the same port and data folder; refused requests are sent again with their keys
    await start();
    const failed = sent.filter((s) => s.reply?.status !== 201);
    const resent = await Promise.all(
      failed.map((s) =>
        send(organisations, 'create (resent)', 'POST /v1/organisations', s.caller, {
          body: s.body,
          headers: { 'Idempotency-Key': s.key },
        }),
      ),
    );
    const after = await Promise.all(Array.from({ length: 10 }, () => create('create (after restart)')));

    // Assess: the replies
    expect(up.map((r) => r.status)).toEqual(Array(10).fill(201));
    for (const r of duringKill) {
      if (r.status !== 201) expectUnavailable(r);
    }
    for (const r of down) expectUnavailable(r);
    expect(resent.map((r) => r.status)).toEqual(Array(failed.length).fill(201));
    expect(after.map((r) => r.status)).toEqual(Array(10).fill(201));

    // Assess: the registry: every organisation has its one audit event and every event its organisation
    const items: Array<Record<string, unknown>> = [];
    let start_: Record<string, unknown> | undefined;
    do {
      const page = await dynamoDocumentClient().send(
        new ScanCommand({ TableName: 'faults-registry', ...(start_ ? { ExclusiveStartKey: start_ } : {}) }),
      );
      items.push(...((page.Items ?? []) as Array<Record<string, unknown>>));
      start_ = page.LastEvaluatedKey;
    } while (start_);
    const orgIds = items.filter((i) => i.type === 'organisation' && i.sk === 'ORG').map((i) => String(i.id));
    const registered = items
      .filter((i) => i.type === 'audit' && i.action === 'organisation.registered')
      .map((i) => String(i.entityId));
    const halfWritten =
      orgIds.filter((id) => !registered.includes(id)).length +
      registered.filter((id) => !orgIds.includes(id)).length +
      registered.length -
      new Set(registered).size;
    const answered = new Set(
      [...up, ...duringKill, ...resent, ...after]
        .filter((r) => r.status === 201)
        .map((r) => String(r.body.id)),
    );
    const lost = [...answered].filter((id) => !orgIds.includes(id)).length;
    figures.halfWritten += halfWritten;
    figures.lost += lost;
    expect(halfWritten).toBe(0);
    expect(lost).toBe(0);
    expect(orgIds.sort()).toEqual([...answered].sort());
    expect(orgIds).toHaveLength(sent.length);
    notes.push(
      `DynamoDB killed mid-stream: ${duringKill.filter((r) => r.status === 503).length}/20 of a burst and 10/10 while down → 503, all resent with their keys → 201`,
    );
  });
});
