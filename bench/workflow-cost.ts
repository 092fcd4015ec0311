import './support/quiet-logs.ts';
import { randomUUID } from 'node:crypto';
import { dynamoClient } from '../functions/adapters/aws-clients.ts';
import type { LambdaHandler } from '../infra/local/lambda-runtime.ts';
import { LocalWorkflowEngine, type StateEvent } from '../infra/local/workflow-engine.ts';
import { annualEvaluationWorkflow } from '../infra/workflows/annual-evaluation.ts';
import { reviewWorkflow } from '../infra/workflows/review.ts';
import { usccVerificationWorkflow } from '../infra/workflows/uscc-verification.ts';
import type { BenchContext, BenchPart, Figure } from './support/figures.ts';
import { startBenchDynamo } from './support/local-dynamo.ts';

/**
 * Issue 8, "workflow cost": Standard workflows bill per state transition, so this counts the states
 * each journey enters (and any retries) on the local engine — the very definitions CDK deploys
 * (`infra/workflows/`), run by `infra/local/workflow-engine.ts` (its `onStateEvent` hook).
 *
 * The task handlers are stubs: the path a definition takes depends only on what the human steps return
 * (`$.preliminary.decision`, `$.inspection.passed`, a `ReportOverdue` failure, ...), which the driver
 * sends as the API would with SendTaskSuccess / SendTaskFailure; the real handlers' work is measured by
 * the DynamoDB parts. Each journey runs twice: with 1-minute waits before every human decision and with
 * 25-day waits (the business clock moved; every human step's timeout is longer). The goal — a small,
 * stated count and no polling — holds when both runs enter the same states: nothing in the definitions
 * loops while a person takes their time, and no timeout fires early.
 */

interface HumanStep {
  readonly state: string;
  readonly output?: Record<string, unknown>;
  readonly fail?: { readonly error: string; readonly cause: string };
}

interface Journey {
  readonly workflow: string;
  readonly path: string;
  readonly input: Record<string, unknown>;
  readonly steps: readonly HumanStep[];
  /** The terminal state the path must end in (checked). */
  readonly endState: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
}

const pass = (state: string, output: Record<string, unknown> = {}): HumanStep => ({ state, output });
const REVIEW_TAIL: readonly HumanStep[] = [
  pass('OpenExpertAssignment', { expertIds: ['e1', 'e2'] }),
  pass('OpenExpertReviews', { reviewed: 2 }),
  pass('OpenSiteInspection', { passed: true }),
  pass('AwaitListing', { outcome: 'recognised' }),
];

export const JOURNEYS: readonly Journey[] = [
  {
    workflow: 'review',
    path: 'full review, direct',
    input: { applicationId: 'A1', callId: 'C1' },
    steps: [pass('OpenPreliminaryReview', { decision: 'pass' }), ...REVIEW_TAIL],
    endState: 'Done',
    status: 'SUCCEEDED',
  },
  {
    workflow: 'review',
    path: 'full review, one return for supplements',
    input: { applicationId: 'A2', callId: 'C1' },
    steps: [
      pass('OpenPreliminaryReview', { decision: 'return' }),
      pass('AwaitSupplement', { resubmitted: true }),
      pass('OpenPreliminaryReview', { decision: 'pass' }),
      ...REVIEW_TAIL,
    ],
    endState: 'Done',
    status: 'SUCCEEDED',
  },
  {
    workflow: 'review',
    path: 'rejected at the preliminary review',
    input: { applicationId: 'A3', callId: 'C1' },
    steps: [pass('OpenPreliminaryReview', { decision: 'reject' })],
    endState: 'Rejected',
    status: 'SUCCEEDED',
  },
  {
    workflow: 'annual-evaluation',
    path: 'report, graded, signed off, published',
    input: { year: 2026, platformId: 'P1', evaluationId: 'E1' },
    steps: [pass('AwaitReport'), pass('AwaitGrading'), pass('AwaitSignOff')],
    endState: 'Published',
    status: 'SUCCEEDED',
  },
  {
    workflow: 'annual-evaluation',
    path: 'report overdue',
    input: { year: 2026, platformId: 'P2', evaluationId: 'E2' },
    steps: [{ state: 'AwaitReport', fail: { error: 'ReportOverdue', cause: 'deadline job' } }],
    endState: 'Overdue',
    status: 'SUCCEEDED',
  },
  {
    workflow: 'uscc-verification',
    path: 'manual USCC verification',
    input: { orgId: 'O1' },
    steps: [pass('OpenVerificationTask', { outcome: 'verified' })],
    endState: 'NotifyOutcome',
    status: 'SUCCEEDED',
  },
];

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Shorter than every human step's timeout (the shortest is 30 days). */
export const LONG_WAIT_DAYS = 25;

export interface JourneyRun {
  readonly entered: number;
  readonly retried: number;
  readonly states: readonly string[];
  readonly status: string;
  /** Waits the engine expired when asked right after each long wait (must be 0). */
  readonly expired: number;
}

export interface JourneyCount {
  readonly journey: Journey;
  readonly short: JourneyRun;
  readonly long: JourneyRun;
}

/** Tokens of human steps as the stub handler receives them, per execution and state, in order. */
class TokenBox {
  private readonly queued = new Map<string, string[]>();
  private readonly takers = new Map<string, ((token: string) => void)[]>();

  put(key: string, token: string): void {
    const taker = this.takers.get(key)?.shift();
    if (taker) taker(token);
    else this.queued.set(key, [...(this.queued.get(key) ?? []), token]);
  }

  take(key: string, timeoutMs: number): Promise<string> {
    const queue = this.queued.get(key);
    if (queue?.length) return Promise.resolve(queue.shift() as string);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no human step ${key} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.takers.set(key, [
        ...(this.takers.get(key) ?? []),
        (token) => {
          clearTimeout(timer);
          resolve(token);
        },
      ]);
    });
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Runs every journey with short and long waits on one local engine over the current table. */
export async function countTransitions(
  tableName: string,
  log: (line: string) => void,
): Promise<JourneyCount[]> {
  let nowMs = Date.parse('2026-03-10T02:00:00.000Z');
  const events = new Map<string, StateEvent[]>();
  const tokens = new TokenBox();
  const stub: LambdaHandler = async (payload) => {
    if (isRecord(payload) && typeof payload.taskToken === 'string') {
      tokens.put(`${String(payload.executionName ?? '')}|${String(payload.stateName)}`, payload.taskToken);
    }
    return {};
  };
  const engine = new LocalWorkflowEngine({
    client: dynamoClient(),
    tableName,
    workflows: [reviewWorkflow, annualEvaluationWorkflow, usccVerificationWorkflow],
    loadHandler: async () => stub,
    now: () => new Date(nowMs),
    log: (line) => log(line),
    onStateEvent: (e) => events.set(e.executionName, [...(events.get(e.executionName) ?? []), e]),
  });
  const runOnce = async (journey: Journey, waitMs: number): Promise<JourneyRun> => {
    const executionName = `bench-${randomUUID().slice(0, 8)}`;
    const keyOf = (state: string) => `${executionName}|${state}`;
    await engine.start(journey.workflow, executionName, journey.input);
    let expired = 0;
    for (const step of journey.steps) {
      const token = await tokens.take(keyOf(step.state), 10_000);
      nowMs += waitMs;
      expired += engine.checkTimeouts();
      if (step.fail) await engine.sendTaskFailure(token, step.fail.error, step.fail.cause);
      else await engine.sendTaskSuccess(token, step.output ?? {});
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      const d = await engine.describeExecution(journey.workflow, executionName);
      if (d && d.status !== 'RUNNING') {
        const seen = events.get(executionName) ?? [];
        return {
          entered: seen.filter((e) => e.kind === 'entered').length,
          retried: seen.filter((e) => e.kind === 'retried').length,
          states: seen.map((e) => (e.kind === 'retried' ? `${e.stateName}(retry)` : e.stateName)),
          status: d.status,
          expired,
        };
      }
      if (Date.now() > deadline) throw new Error(`${journey.workflow} ${journey.path} did not finish`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  try {
    const out: JourneyCount[] = [];
    for (const journey of JOURNEYS) {
      const short = await runOnce(journey, MINUTE);
      const long = await runOnce(journey, LONG_WAIT_DAYS * DAY);
      log(`${journey.workflow} / ${journey.path}: ${short.entered} states: ${short.states.join(' → ')}`);
      out.push({ journey, short, long });
    }
    return out;
  } finally {
    await engine.stop(1_000);
  }
}

export function transitionFigures(counts: readonly JourneyCount[]): Figure[] {
  const figures: Figure[] = counts.map(({ journey, short, long }) => {
    const endedRight = short.states.at(-1) === journey.endState && long.states.at(-1) === journey.endState;
    const same = short.entered === long.entered && short.states.join() === long.states.join();
    const met =
      same &&
      endedRight &&
      short.retried === 0 &&
      long.retried === 0 &&
      long.expired === 0 &&
      short.status === journey.status &&
      long.status === journey.status;
    const problems = [
      same ? '' : `${short.entered} with 1-min waits but ${long.entered} with ${LONG_WAIT_DAYS}-day waits`,
      endedRight ? '' : `ended in ${long.states.at(-1)}, not ${journey.endState}`,
      short.retried || long.retried ? `${short.retried + long.retried} retries` : '',
      long.expired ? `${long.expired} human steps timed out during the long wait` : '',
      short.status === journey.status ? '' : `status ${short.status}`,
    ].filter(Boolean);
    return {
      section: 'workflow',
      name: `${journey.workflow}: ${journey.path}`,
      value: long.entered,
      unit: 'transitions',
      baseline: short.entered,
      ratio: Math.round((long.entered / short.entered) * 100) / 100,
      goal: `small, stated; same after ${LONG_WAIT_DAYS}-day waits (baseline: 1-min waits)`,
      met,
      note: met
        ? `${journey.steps.length} human step(s), no polling: the count does not depend on the wait`
        : problems.join('; '),
    } satisfies Figure;
  });
  const direct = counts.find((c) => c.journey.path === 'full review, direct');
  const round = counts.find((c) => c.journey.path === 'full review, one return for supplements');
  if (direct && round) {
    figures.push({
      section: 'workflow',
      name: 'review: each further return for supplements',
      value: round.long.entered - direct.long.entered,
      unit: 'transitions',
      note: 'AwaitSupplement → NextRound → OpenPreliminaryReview → PreliminaryDecision',
    });
  }
  return figures;
}

/** The part on a table the caller has set up (the integration test's shared DynamoDB Local). */
export async function runOnTable(ctx: BenchContext, tableName: string): Promise<Figure[]> {
  return transitionFigures(await countTransitions(tableName, ctx.log));
}

export const run: BenchPart = async (ctx) => {
  const dynamo = await startBenchDynamo(`bench-workflow-${randomUUID().slice(0, 8)}`);
  try {
    return await runOnTable(ctx, dynamo.tableName);
  } finally {
    await dynamo.stop();
  }
};
