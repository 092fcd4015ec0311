import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../functions/adapters/table-admin.ts';
import { LocalWorkflowEngine } from '../../infra/local/workflow-engine.ts';
import { callbackResource, type WorkflowDef } from '../../infra/workflows/types.ts';
import { usccVerificationWorkflow } from '../../infra/workflows/uscc-verification.ts';

/**
 * The local workflow engine against DynamoDB Local: the callback pattern (wait, SendTaskSuccess /
 * SendTaskFailure, timeouts on the business clock), idempotent starts, durability across a restart
 * (a new engine on the same table), and the Step Functions errors callers rely on.
 */

type Call = { action: string; [key: string]: unknown };

const client = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'cn-north-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const doc = DynamoDBDocumentClient.from(client);

/** A machine exercising every path: context object, callback with Catch on timeout and on failure. */
const testFlow: WorkflowDef = {
  name: 'local-test-flow',
  handlerEntry: 'tests/unused.ts',
  callbackStates: ['AwaitHuman'],
  build: ({ functionArn, partition }) => ({
    StartAt: 'Capture',
    TimeoutSeconds: 3600,
    States: {
      Capture: {
        Type: 'Pass',
        Parameters: {
          'orgId.$': '$.orgId',
          ctx: {
            'input.$': '$$.Execution.Input',
            'name.$': '$$.Execution.Name',
            'id.$': '$$.Execution.Id',
            'stateMachine.$': '$$.StateMachine.Name',
            'startTime.$': '$$.Execution.StartTime',
          },
        },
        Next: 'AwaitHuman',
      },
      AwaitHuman: {
        Type: 'Task',
        Resource: callbackResource(partition),
        Parameters: {
          FunctionName: functionArn,
          Payload: { action: 'open', 'orgId.$': '$.orgId', 'taskToken.$': '$$.Task.Token' },
        },
        TimeoutSeconds: 60,
        ResultPath: '$.decision',
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'OnTimeout' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'OnFailure' },
        ],
        Next: 'Finish',
      },
      Finish: {
        Type: 'Task',
        Resource: functionArn,
        Parameters: {
          action: 'finish',
          'orgId.$': '$.orgId',
          'decision.$': '$.decision',
          'ctxBefore.$': '$.ctx',
          ctxAfter: { 'input.$': '$$.Execution.Input', 'startTime.$': '$$.Execution.StartTime' },
        },
        TimeoutSeconds: 10,
        End: true,
      },
      OnTimeout: {
        Type: 'Task',
        Resource: functionArn,
        Parameters: { action: 'timedOut', 'orgId.$': '$.orgId', 'error.$': '$.error' },
        TimeoutSeconds: 10,
        End: true,
      },
      OnFailure: {
        Type: 'Task',
        Resource: functionArn,
        Parameters: { action: 'failed', 'orgId.$': '$.orgId', 'error.$': '$.error' },
        TimeoutSeconds: 10,
        Next: 'Failed',
      },
      Failed: { Type: 'Fail', Error: 'TestFlowFailed', Cause: 'the human step failed' },
    },
  }),
};

/** A machine whose own TimeoutSeconds ends a long human wait. */
const slowFlow: WorkflowDef = {
  name: 'local-test-slow',
  handlerEntry: 'tests/unused.ts',
  callbackStates: ['AwaitForever'],
  build: ({ functionArn, partition }) => ({
    StartAt: 'AwaitForever',
    TimeoutSeconds: 100,
    States: {
      AwaitForever: {
        Type: 'Task',
        Resource: callbackResource(partition),
        Parameters: {
          FunctionName: functionArn,
          Payload: { action: 'open', 'taskToken.$': '$$.Task.Token' },
        },
        TimeoutSeconds: 1000,
        End: true,
      },
    },
  }),
};

/** The business clock of the engine under test. */
let nowMs = Date.parse('2026-03-02T01:00:00Z');
const calls: Call[] = [];
const engines: LocalWorkflowEngine[] = [];

const handler = async (event: unknown): Promise<unknown> => {
  const call = event as Call;
  calls.push(call);
  if (call.action === 'finish' && (call.decision as Record<string, unknown> | undefined)?.boom) {
    const e = new Error('the finishing step broke');
    e.name = 'BoomError';
    throw e;
  }
  return { handled: call.action };
};

async function freshEngine(
  table: string,
  extra: { timeoutCheckMs?: number } = {},
): Promise<LocalWorkflowEngine> {
  const engine = new LocalWorkflowEngine({
    client,
    tableName: table,
    workflows: [usccVerificationWorkflow, testFlow, slowFlow],
    loadHandler: async () => handler,
    now: () => new Date(nowMs),
    log: () => {},
    ...extra,
  });
  engines.push(engine);
  return engine;
}

async function freshTable(): Promise<string> {
  const table = `it-local-engine-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, table);
  return table;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const callsOf = (action: string, key: string, value: unknown): Call[] =>
  calls.filter((c) => c.action === action && c[key] === value);

async function waitingToken(engine: LocalWorkflowEngine, orgId: string): Promise<string> {
  const waiting = await until(async () => {
    const all = await engine.listWaiting();
    return all.find((w) => (w.payload as Record<string, unknown>).orgId === orgId);
  }, `the waiting task of ${orgId}`);
  return waiting.token;
}

async function finished(engine: LocalWorkflowEngine, workflow: string, name: string) {
  return until(async () => {
    const d = await engine.describeExecution(workflow, name);
    return d && d.status !== 'RUNNING' ? d : undefined;
  }, `${name} to finish`);
}

beforeAll(() => {
  nowMs = Date.parse('2026-03-02T01:00:00Z');
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop(1_000)));
});

afterAll(() => {
  client.destroy();
});

describe('local workflow engine', () => {
  it('runs the deployed uscc-verification definition: waits for the officer, then notifies', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());
    const orgId = `org${randomUUID().slice(0, 8)}`;

    // Act
    const started = await engine.start('uscc-verification', `org-${orgId}`, { orgId });
    const token = await waitingToken(engine, orgId);
    const open = callsOf('openHumanTask', 'orgId', orgId);
    await engine.sendTaskSuccess(token, { decision: 'verified', opinion: 'address checked' });
    const done = await finished(engine, 'uscc-verification', `org-${orgId}`);

    // Assess
    expect(started.alreadyStarted).toBe(false);
    expect(started.executionId).toContain(':execution:local-uscc-verification:org-');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      kind: 'uscc_verification',
      executionName: `org-${orgId}`,
      stateName: 'OpenVerificationTask',
      taskToken: token,
    });
    expect(token).toBe(`uscc-verification:org-${orgId}:OpenVerificationTask:1`);
    expect(callsOf('notifyOutcome', 'orgId', orgId)[0]?.decision).toEqual({
      decision: 'verified',
      opinion: 'address checked',
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({ handled: 'notifyOutcome' });
    expect(await engine.listWaiting()).toEqual([]);
  });

  it('records the waiting task in the registry table, listed through gsi1', async () => {
    // Prepare
    const table = await freshTable();
    const engine = await freshEngine(table);
    const orgId = `org${randomUUID().slice(0, 8)}`;

    // Act
    await engine.start('local-test-flow', `flow-${orgId}`, { orgId });
    const token = await waitingToken(engine, orgId);
    const { Item } = await doc.send(
      new GetCommand({ TableName: table, Key: { pk: `LOCALWAIT#${token}`, sk: 'LOCALWAIT' } }),
    );

    // Assess
    expect(Item).toMatchObject({
      gsi1pk: 'LOCALWAIT',
      workflow: 'local-test-flow',
      executionName: `flow-${orgId}`,
      stateName: 'AwaitHuman',
      startedAt: new Date(nowMs).toISOString(),
      timeoutSeconds: 60,
      deadlineAt: new Date(nowMs + 60_000).toISOString(),
    });
    expect(JSON.parse(String(Item?.rawInputJson))).toMatchObject({ orgId, ctx: { name: `flow-${orgId}` } });
  });

  it('answers a repeated start with alreadyStarted and does not run the machine twice', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());
    const orgId = `org${randomUUID().slice(0, 8)}`;
    const first = await engine.start('local-test-flow', `dup-${orgId}`, { orgId });
    await waitingToken(engine, orgId);

    // Act
    const second = await engine.start('local-test-flow', `dup-${orgId}`, { orgId });

    // Assess
    expect(first.alreadyStarted).toBe(false);
    expect(second).toEqual({ executionId: first.executionId, alreadyStarted: true });
    expect(callsOf('open', 'orgId', orgId)).toHaveLength(1);
    expect((await engine.listWaiting()).length).toBe(1);
  });

  it('follows the Catch path when a human step times out on the business clock', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());
    const orgId = `org${randomUUID().slice(0, 8)}`;
    await engine.start('local-test-flow', `late-${orgId}`, { orgId });
    const token = await waitingToken(engine, orgId);

    // Act
    nowMs += 59_000;
    const early = engine.checkTimeouts();
    nowMs += 2_000;
    const expired = engine.checkTimeouts();
    const done = await finished(engine, 'local-test-flow', `late-${orgId}`);
    const late = engine.sendTaskSuccess(token, { decision: 'too late' });

    // Assess
    expect(early).toBe(0);
    expect(expired).toBe(1);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({ handled: 'timedOut' });
    expect(callsOf('timedOut', 'orgId', orgId)[0]?.error).toMatchObject({ Error: 'States.Timeout' });
    await expect(late).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    expect(await engine.listWaiting()).toEqual([]);
  });

  it('notices a passed deadline by itself, without being asked to check', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable(), { timeoutCheckMs: 25 });
    const orgId = `org${randomUUID().slice(0, 8)}`;
    await engine.start('local-test-flow', `self-${orgId}`, { orgId });
    await waitingToken(engine, orgId);

    // Act
    nowMs += 61_000;
    const done = await finished(engine, 'local-test-flow', `self-${orgId}`);

    // Assess
    expect(done.output).toEqual({ handled: 'timedOut' });
  });

  it('fails the step with SendTaskFailure and records the failed execution', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());
    const orgId = `org${randomUUID().slice(0, 8)}`;
    await engine.start('local-test-flow', `fail-${orgId}`, { orgId });
    const token = await waitingToken(engine, orgId);

    // Act
    await engine.sendTaskFailure(token, 'Rejected', 'the officer refused');
    const done = await finished(engine, 'local-test-flow', `fail-${orgId}`);

    // Assess
    expect(callsOf('failed', 'orgId', orgId)[0]?.error).toEqual({
      Error: 'Rejected',
      Cause: 'the officer refused',
    });
    expect(done).toMatchObject({ status: 'FAILED', error: 'TestFlowFailed', cause: 'the human step failed' });
    expect(done.stoppedAt).toBeDefined();
  });

  it('records an execution whose task fails without a Catch as FAILED with the error', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());
    const orgId = `org${randomUUID().slice(0, 8)}`;
    await engine.start('local-test-flow', `boom-${orgId}`, { orgId });
    const token = await waitingToken(engine, orgId);

    // Act
    await engine.sendTaskSuccess(token, { boom: true });
    const done = await finished(engine, 'local-test-flow', `boom-${orgId}`);

    // Assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'BoomError', cause: 'the finishing step broke' });
  });

  it('times out a whole execution after the machine’s TimeoutSeconds', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());
    const name = `slow-${randomUUID().slice(0, 8)}`;
    await engine.start('local-test-slow', name, {});
    await until(async () => (await engine.listWaiting()).length === 1 || undefined, 'the slow wait');

    // Act
    nowMs += 101_000;
    engine.checkTimeouts();
    const done = await finished(engine, 'local-test-slow', name);

    // Assess
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(await engine.listWaiting()).toEqual([]);
  });

  it('resumes a waiting execution in a new engine (a restart) with the same token and original context', async () => {
    // Prepare
    const table = await freshTable();
    const first = await freshEngine(table);
    const orgId = `org${randomUUID().slice(0, 8)}`;
    const input = { orgId, note: 'original input' };
    await first.start('local-test-flow', `restart-${orgId}`, input);
    const token = await waitingToken(first, orgId);
    const startedAt = new Date(nowMs).toISOString();
    await first.stop();
    nowMs += 30_000;

    // Act
    const second = await freshEngine(table);
    const resumed = await second.resumeWaiting();
    await second.sendTaskSuccess(token, { decision: 'after restart' });
    const done = await finished(second, 'local-test-flow', `restart-${orgId}`);

    // Assess
    expect(resumed).toEqual({ resumed: 1, waiting: 1 });
    expect(callsOf('open', 'orgId', orgId).map((c) => c.taskToken)).toEqual([token, token]);
    expect(done.status).toBe('SUCCEEDED');
    const finish = callsOf('finish', 'orgId', orgId)[0];
    expect(finish).toMatchObject({
      decision: { decision: 'after restart' },
      ctxBefore: {
        input,
        name: `restart-${orgId}`,
        stateMachine: 'local-local-test-flow',
        startTime: startedAt,
      },
      ctxAfter: { input, startTime: startedAt },
    });
    expect(String((finish?.ctxBefore as Record<string, unknown> | undefined)?.id)).toMatch(
      /^arn:aws:states:cn-north-1:000000000000:execution:local-local-test-flow:restart-/,
    );
  });

  it('counts a resumed wait’s timeout from its first start: expired while down → Catch path at once', async () => {
    // Prepare
    const table = await freshTable();
    const first = await freshEngine(table);
    const orgId = `org${randomUUID().slice(0, 8)}`;
    await first.start('local-test-flow', `down-${orgId}`, { orgId });
    await waitingToken(first, orgId);
    await first.stop();
    nowMs += 61_000;

    // Act
    const second = await freshEngine(table);
    await second.resumeWaiting();
    const done = await finished(second, 'local-test-flow', `down-${orgId}`);

    // Assess
    expect(done.output).toEqual({ handled: 'timedOut' });
    expect(callsOf('open', 'orgId', orgId)).toHaveLength(1);
  });

  it('rejects an unknown token with TaskDoesNotExist, as Step Functions does', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());

    // Act
    const success = engine.sendTaskSuccess('local-test-flow:nobody:AwaitHuman:1', {});
    const failure = engine.sendTaskFailure('not-a-token', 'E', 'c');

    // Assess
    await expect(success).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(failure).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('refuses unknown workflows and invalid execution names', async () => {
    // Prepare
    const engine = await freshEngine(await freshTable());

    // Act
    const unknown = engine.start('no-such-flow', 'x', {});
    const invalid = engine.start('local-test-flow', 'has space', {});

    // Assess
    await expect(unknown).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(invalid).rejects.toMatchObject({ name: 'InvalidName' });
  });
});
