import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { REVIEW_CALLBACK_STATES, reviewWorkflow } from '../../infra/workflows/review.ts';
import { callbackResource } from '../../infra/workflows/types.ts';

/**
 * The review state machine (Art. 8(2)–(4)): its shape (timeouts, retries, catches on every task) and
 * its paths, run on aws-local-stepfunctions with a recording handler per Task state.
 */
type Json = Parameters<StateMachine['run']>[0];
const FN = 'arn:aws:lambda:cn-north-1:123456789012:function:zs-wf-review';
const asl = reviewWorkflow.build({ functionArn: FN, partition: 'aws-cn' });
const MAX_TIMER = Math.floor((2 ** 31 - 1) / 1000);

const named = (name: string, message = name): Error => Object.assign(new Error(message), { name });

async function run(answer: (state: string, input: Record<string, unknown>, n: number) => Json) {
  const copy = structuredClone(asl);
  copy.TimeoutSeconds = MAX_TIMER;
  const calls: Array<{ state: string; input: Record<string, unknown> }> = [];
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of Object.entries(copy.States)) {
    if (typeof state.TimeoutSeconds === 'number')
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER);
    if (state.Type !== 'Task') continue;
    retries[name] = 0;
    handlers[name] = async (input) => {
      const i = input as Record<string, unknown>;
      calls.push({ state: name, input: i });
      return answer(name, i, calls.filter((c) => c.state === name).length);
    };
  }
  const execution = new StateMachine(copy as unknown as StateMachineDefinition).run(
    { applicationId: 'a1', callId: 'c1' },
    {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retries },
      context: {
        Execution: { Name: 'app-a1', Input: {}, StartTime: '2026-03-02T08:00:00.000Z' },
        Task: { Token: 'tok' },
      },
    },
  );
  try {
    const result = await execution.result;
    return { calls, states: calls.map((c) => c.state), result };
  } catch (error) {
    return { calls, states: calls.map((c) => c.state), error: error as Error };
  }
}

const happy = (state: string, _i: unknown, n: number): Json => {
  if (state === 'OpenPreliminaryReview') return { decision: 'pass', opinion: 'ok' };
  if (state === 'OpenSiteInspection') return { passed: true };
  if (state === 'AwaitListing') return { outcome: 'recognised', platformId: 'p-a1' };
  return { n };
};

describe('review definition: shape', () => {
  it('is Standard-compatible JSONPath with a timeout, retry and catch on every task', () => {
    expect(reviewWorkflow.callbackStates).toEqual(REVIEW_CALLBACK_STATES);
    expect(asl.TimeoutSeconds).toBeLessThanOrEqual(365 * 86_400);
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(Array.isArray(state.Retry), name).toBe(true);
      if (name !== 'RecordFailure') expect(Array.isArray(state.Catch), name).toBe(true);
    }
    expect(JSON.stringify(asl)).not.toMatch(/JSONata|\{%/);
  });

  it.each(REVIEW_CALLBACK_STATES)(
    '%s waits for a token, carries its kind and catches the four outcomes',
    (name) => {
      const state = asl.States[name] as Record<string, unknown>;
      expect(state.Resource).toBe(callbackResource('aws-cn'));
      const payload = (state.Parameters as { Payload: Record<string, unknown> }).Payload;
      expect(payload).toMatchObject({
        action: 'openHumanTask',
        stateName: name,
        'taskToken.$': '$$.Task.Token',
      });
      const catches = (state.Catch as Array<{ ErrorEquals: string[]; Next: string }>).map((c) => [
        c.ErrorEquals[0],
        c.Next,
      ]);
      expect(catches).toEqual([
        ['Withdrawn', 'CloseWithdrawnTask'],
        ['SupplementDeadlinePassed', 'MarkSupplementExpired'],
        ['States.Timeout', `${name}TimedOut`],
        ['States.ALL', 'RecordFailure'],
      ]);
      expect((state.Retry as Array<{ ErrorEquals: string[] }>).flatMap((r) => r.ErrorEquals)).not.toContain(
        'States.Timeout',
      );
    },
  );
});

describe('review definition: paths', () => {
  it('pass → experts → reviews → inspection passed → ranking → listing → finalise', async () => {
    const { states, error, calls } = await run(happy);
    expect(error).toBeUndefined();
    expect(states).toEqual([
      'OpenPreliminaryReview',
      'OpenExpertAssignment',
      'OpenExpertReviews',
      'OpenSiteInspection',
      'MarkAwaitingRanking',
      'AwaitListing',
      'Finalise',
    ]);
    expect(calls[0]?.input).toMatchObject({
      FunctionName: FN,
      Payload: {
        kind: 'preliminary_review',
        applicationId: 'a1',
        callId: 'c1',
        round: 0,
        executionName: 'app-a1',
      },
    });
    expect(calls.at(-1)?.input).toEqual({
      action: 'finalise',
      applicationId: 'a1',
      callId: 'c1',
      round: 0,
      executionName: 'app-a1',
      listing: { outcome: 'recognised', platformId: 'p-a1' },
    });
  });

  it('return → supplement → a second preliminary review in round 1', async () => {
    const { states, calls, error } = await run((state, i, n) =>
      state === 'OpenPreliminaryReview' ? { decision: n === 1 ? 'return' : 'pass' } : happy(state, i, n),
    );
    expect(error).toBeUndefined();
    expect(states.slice(0, 4)).toEqual([
      'OpenPreliminaryReview',
      'AwaitSupplement',
      'OpenPreliminaryReview',
      'OpenExpertAssignment',
    ]);
    const rounds = calls.map((c) => (c.input.Payload as { round?: number } | undefined)?.round);
    expect(rounds.slice(0, 4)).toEqual([0, 0, 1, 1]);
  });

  it('reject → RecordRejection → succeeds', async () => {
    const { states, error } = await run(
      (state): Json => (state === 'OpenPreliminaryReview' ? { decision: 'reject' } : {}),
    );
    expect(error).toBeUndefined();
    expect(states).toEqual(['OpenPreliminaryReview', 'RecordRejection']);
  });

  it('inspection failed → MarkInspectionFailed → succeeds', async () => {
    const { states, error } = await run((state, i, n) =>
      state === 'OpenSiteInspection' ? { passed: false } : happy(state, i, n),
    );
    expect(error).toBeUndefined();
    expect(states.slice(-2)).toEqual(['OpenSiteInspection', 'MarkInspectionFailed']);
  });

  it.each(REVIEW_CALLBACK_STATES)('Withdrawn at %s closes the task and ends successfully', async (at) => {
    const { states, error } = await run((state, i, n) => {
      if (state === at) throw named('Withdrawn');
      return state === 'OpenPreliminaryReview' && at === 'AwaitSupplement'
        ? { decision: 'return' }
        : happy(state, i, n);
    });
    expect(error).toBeUndefined();
    expect(states.slice(-2)).toEqual([at, 'CloseWithdrawnTask']);
  });

  it('SupplementDeadlinePassed → MarkSupplementExpired → succeeds', async () => {
    const { states, error } = await run((state) => {
      if (state === 'AwaitSupplement') throw named('SupplementDeadlinePassed');
      return { decision: 'return' };
    });
    expect(error).toBeUndefined();
    expect(states).toEqual(['OpenPreliminaryReview', 'AwaitSupplement', 'MarkSupplementExpired']);
  });

  it('a human step that times out is marked (naming the state) and the execution fails', async () => {
    const { states, calls, error } = await run((state, i, n) => {
      if (state === 'OpenExpertReviews') throw named('States.Timeout');
      return happy(state, i, n);
    });
    expect(error?.message).toMatch(/not completed in time/);
    expect(states.at(-1)).toBe('MarkStepTimedOut');
    expect(calls.at(-1)?.input).toMatchObject({
      action: 'markStepTimedOut',
      stateName: 'OpenExpertReviews',
      round: 0,
    });
  });

  it('any other failure records it and fails the execution', async () => {
    const { states, calls, error } = await run((state, i, n) => {
      if (state === 'MarkAwaitingRanking') throw named('Boom', 'table down');
      return happy(state, i, n);
    });
    expect(error?.message).toMatch(/failure record/);
    expect(states.at(-1)).toBe('RecordFailure');
    expect(calls.at(-1)?.input).toMatchObject({
      action: 'recordFailure',
      error: { Error: 'Boom', Cause: 'table down' },
    });
  });

  it('an unknown preliminary decision is a recorded failure, not a silent pass', async () => {
    const { states, error } = await run(() => ({ decision: 'approve' }));
    expect(error).toBeDefined();
    expect(states).toEqual(['OpenPreliminaryReview', 'RecordFailure']);
  });
});
