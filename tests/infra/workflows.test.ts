import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflows } from '../../infra/workflows/index.ts';
import { type Asl, callbackResource, type WorkflowDef } from '../../infra/workflows/types.ts';
import { resolveIntrinsics } from './support/intrinsics.ts';
import { resourcesOf, type Synthesised, synthStage } from './support/synth.ts';

/**
 * One definition per state machine: what CDK deploys is exactly `def.build(...)`, and that JSON
 * runs on the local engine (aws-local-stepfunctions) with local task handlers.
 */
const stages: Partial<Record<'dev' | 'prod', Synthesised>> = {};
beforeAll(() => {
  stages.dev = synthStage('dev');
  stages.prod = synthStage('prod');
});
afterAll(() => {
  for (const s of Object.values(stages)) s?.cleanup();
});

/** A JSON value as the local engine takes and returns it. */
type Json = Parameters<StateMachine['run']>[0];

/** An execution input per workflow; a new workflow needs one here before this test passes. */
const SAMPLE_INPUT: Readonly<Record<string, Json>> = {
  'uscc-verification': { orgId: 'org-01HZX5' },
  review: { applicationId: 'app-01HZX5', callId: 'call-01HZX5' },
  'annual-evaluation': { year: 2026, platformId: 'plat-01HZX5', evaluationId: 'eval-2026-plat-01HZX5' },
};

/**
 * What the human steps answer in that run, when one generic decision cannot visit every callback
 * state (the review returns once, so its supplement step is visited too).
 */
const SAMPLE_ANSWERS: Readonly<Record<string, () => (state: string) => Json>> = {
  review: () => {
    let preliminary = 0;
    return (state): Json => {
      if (state === 'OpenPreliminaryReview') {
        preliminary += 1;
        return { decision: preliminary === 1 ? 'return' : 'pass' };
      }
      if (state === 'OpenSiteInspection') return { passed: true };
      if (state === 'AwaitListing') return { outcome: 'recognised' };
      return { resubmitted: true };
    };
  },
};

const ACCOUNT = '123456789012';
const fakeFunctionArn = (s: Synthesised, def: WorkflowDef): string =>
  `arn:${s.config.partition}:lambda:${s.config.region}:${ACCOUNT}:function:${s.config.prefix}-wf-${def.name}`;

/** The deployed definition with its intrinsics resolved to concrete (fake) values. */
function deployedDefinition(s: Synthesised, def: WorkflowDef): Asl {
  const stack = s.stateless;
  const machine = Object.values(resourcesOf(s.stateless$, 'AWS::StepFunctions::StateMachine')).find(
    (m) => m.Properties?.StateMachineName === `${s.config.prefix}-${def.name}`,
  );
  expect(machine, def.name).toBeDefined();
  const taskFunction = stack.workflowFunctions.get(def.name);
  const taskFunctionId = stack.getLogicalId(taskFunction?.fn.node.defaultChild as CfnFunction);
  const json = resolveIntrinsics(machine?.Properties?.DefinitionString, {
    refs: { 'AWS::Partition': s.config.partition },
    getAtts: { [`${taskFunctionId}.Arn`]: fakeFunctionArn(s, def) },
  });
  expect(typeof json).toBe('string');
  return JSON.parse(json as string) as Asl;
}

/** aws-local-stepfunctions times with setTimeout, which cannot exceed 2^31-1 ms (24.8 days). */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
function forLocalEngine(asl: Asl): StateMachineDefinition {
  const copy = structuredClone(asl);
  if (typeof copy.TimeoutSeconds === 'number')
    copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, MAX_TIMER_SECONDS);
  for (const state of Object.values(copy.States)) {
    if (typeof state.TimeoutSeconds === 'number')
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS);
  }
  return copy as unknown as StateMachineDefinition;
}

interface Call {
  readonly state: string;
  readonly input: unknown;
}

/** Runs a definition with a recording handler per Task state; `behaviour` decides what a state does. */
async function runLocally(
  asl: Asl,
  input: Json,
  behaviour: (state: string, input: Json) => Json = () => ({}),
): Promise<{ calls: Call[]; result?: unknown; error?: Error }> {
  const calls: Call[] = [];
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of Object.entries(asl.States)) {
    if (state.Type !== 'Task') continue;
    retries[name] = 0;
    handlers[name] = async (taskInput) => {
      calls.push({ state: name, input: taskInput });
      return behaviour(name, taskInput);
    };
  }
  const execution = new StateMachine(forLocalEngine(asl)).run(input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retries },
    context: {
      Execution: { Name: 'exec-01', Input: input, StartTime: '2026-03-02T08:00:00.000Z' },
      Task: { Token: 'token-01' },
    },
  });
  try {
    return { calls, result: await execution.result };
  } catch (error) {
    return { calls, error: error as Error };
  }
}

describe.each(['dev', 'prod'] as const)('deployed state machines (%s)', (stage) => {
  it.each(workflows.map((w) => [w.name, w] as const))('%s is exactly the shared definition', (_name, def) => {
    const s = stages[stage] as Synthesised;
    const functionArn = fakeFunctionArn(s, def);
    expect(deployedDefinition(s, def)).toEqual(def.build({ functionArn, partition: s.config.partition }));
  });
});

describe.each(workflows.map((w) => [w.name, w] as const))('%s on the local engine', (name, def) => {
  const s = (): Synthesised => stages.prod as Synthesised;

  it('runs the deployed JSON to completion, callback states receiving their task token', async () => {
    const input = SAMPLE_INPUT[name];
    expect(input, `SAMPLE_INPUT for ${name}`).toBeDefined();
    const asl = deployedDefinition(s(), def);
    const decision: Json = { decision: 'approved', by: 'officer-1' };
    const answer = SAMPLE_ANSWERS[name]?.() ?? (() => decision);
    const { calls, error } = await runLocally(asl, input ?? {}, (state) =>
      def.callbackStates.includes(state) ? answer(state) : {},
    );
    expect(error).toBeUndefined();
    for (const state of def.callbackStates) {
      expect(asl.States[state]?.Resource).toBe(callbackResource(s().config.partition));
      const call = calls.find((c) => c.state === state);
      expect(call, state).toBeDefined();
      expect(call?.input).toMatchObject({
        FunctionName: fakeFunctionArn(s(), def),
        Payload: { taskToken: 'token-01', stateName: state },
      });
    }
    for (const call of calls) expect(Object.keys(asl.States)).toContain(call.state);
  });
});

describe('uscc-verification paths (Art. 9(1) manual verification)', () => {
  const def = workflows.find((w) => w.name === 'uscc-verification') as WorkflowDef;
  const asl = (): Asl => deployedDefinition(stages.prod as Synthesised, def);

  it('opens a human task, then notifies the outcome with the officer’s decision', async () => {
    const decision = { approved: true, officerId: 'officer-1' };
    const { calls, result, error } = await runLocally(asl(), { orgId: 'org-1' }, (state) =>
      state === 'OpenVerificationTask' ? decision : { notified: true },
    );
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual(['OpenVerificationTask', 'NotifyOutcome']);
    expect(calls[0]?.input).toMatchObject({
      Payload: {
        action: 'openHumanTask',
        kind: 'uscc_verification',
        orgId: 'org-1',
        executionName: 'exec-01',
      },
    });
    expect(calls[1]?.input).toEqual({ action: 'notifyOutcome', orgId: 'org-1', decision });
    expect(result).toEqual({ notified: true });
  });

  it('marks the task timed out when nobody decides in time', async () => {
    const { calls, error } = await runLocally(asl(), { orgId: 'org-2' }, (state) => {
      if (state === 'OpenVerificationTask')
        throw Object.assign(new Error('no decision'), { name: 'States.Timeout' });
      return {};
    });
    expect(error).toBeUndefined();
    expect(calls.at(-1)).toEqual({
      state: 'MarkTimedOut',
      input: {
        action: 'markTimedOut',
        orgId: 'org-2',
        executionName: 'exec-01',
        stateName: 'OpenVerificationTask',
      },
    });
  });

  it('records a failure and fails the execution on any other error', async () => {
    const { calls, error } = await runLocally(asl(), { orgId: 'org-3' }, (state) => {
      if (state === 'NotifyOutcome') throw Object.assign(new Error('mail down'), { name: 'NotifyError' });
      return { approved: false };
    });
    expect(error?.message).toMatch(/See the workflow failure record/);
    expect(calls.at(-1)).toEqual({
      state: 'RecordFailure',
      input: {
        action: 'recordFailure',
        orgId: 'org-3',
        executionName: 'exec-01',
        error: { Error: 'NotifyError', Cause: 'mail down' },
      },
    });
  });
});

describe('annual-evaluation paths (Art. 12, 13)', () => {
  const def = workflows.find((w) => w.name === 'annual-evaluation') as WorkflowDef;
  const asl = (): Asl => deployedDefinition(stages.prod as Synthesised, def);
  const input = { year: 2026, platformId: 'plat-1', evaluationId: 'eval-2026-plat-1' };
  const fail = (name: string) => {
    throw Object.assign(new Error(name), { name });
  };

  it('report, grading, sign-off, then publication', async () => {
    const { calls, error } = await runLocally(asl(), input, () => ({}));
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual(['AwaitReport', 'AwaitGrading', 'AwaitSignOff', 'Publish']);
    expect(calls[0]?.input).toMatchObject({
      Payload: { action: 'openHumanTask', kind: 'evaluation_report', ...input, executionName: 'exec-01' },
    });
  });

  it('a report released as overdue by the deadline job marks the evaluation overdue', async () => {
    const { calls, error } = await runLocally(asl(), input, (state) =>
      state === 'AwaitReport' ? fail('ReportOverdue') : {},
    );
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual(['AwaitReport', 'MarkOverdue']);
  });

  it.each(['AwaitReport', 'AwaitGrading', 'AwaitSignOff'])(
    'a platform revoked while %s waits is not graded',
    async (waiting) => {
      const { calls, error } = await runLocally(asl(), input, (state) =>
        state === waiting ? fail('PlatformRevoked') : {},
      );
      expect(error).toBeUndefined();
      expect(calls.at(-1)?.state).toBe('MarkNotGraded');
      expect(calls.map((c) => c.state)).not.toContain('Publish');
    },
  );

  it('any other failure is recorded and fails the execution', async () => {
    const { calls, error } = await runLocally(asl(), input, (state) =>
      state === 'AwaitGrading' ? fail('Boom') : {},
    );
    expect(error).toBeDefined();
    expect(calls.at(-1)?.state).toBe('RecordFailure');
  });
});
