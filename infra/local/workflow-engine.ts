import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ExecutionAbortedError,
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { GSI1 } from '../../functions/adapters/table-schema.ts';
import type { WorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { clock } from '../../functions/shared/clock.ts';
import { workflows as allWorkflows } from '../workflows/index.ts';
import type { Asl, WorkflowDef } from '../workflows/types.ts';
import { LOCAL_ACCOUNT_ID } from './api-gateway-event.ts';
import { type LambdaHandler, lambdaContext, loadHandler } from './lambda-runtime.ts';

/**
 * The in-process Step Functions engine of the local runtime: it runs the very definitions CDK
 * deploys (`def.build(...)` from `infra/workflows/`) on aws-local-stepfunctions, binding every Task
 * state by name to the workflow's handler module, and adds what that library lacks:
 *
 * - **Callbacks** (`.waitForTaskToken`): the handler gets the `Payload` with a generated task token
 *   (`<workflow>:<executionName>:<stateName>:<n>`), a waiting record is written to the registry
 *   table (`LOCALWAIT#<token>`, listed through gsi1 `LOCALWAIT`), and the state waits until
 *   `sendTaskSuccess` / `sendTaskFailure`, or its `TimeoutSeconds` elapses (`States.Timeout`).
 * - **Durability**: executions are records (`LOCALEXEC#<workflow>#<name>`) with status, input,
 *   output or error, and the last state entered; `resumeWaiting()` continues every RUNNING
 *   execution after a restart from its waiting state (same token, same recorded start, so the human
 *   step waits again and its timeout still counts from the first start) or, if it was between
 *   states, from the last state entered (at-least-once, as task handlers are idempotent).
 * - **Idempotent start**: a second `start` with the same execution name returns `alreadyStarted`.
 * - **Time**: timeouts (of callback states and of whole executions) are measured with the
 *   injectable business clock, so `POST /dev/clock` makes a waiting human step time out exactly as
 *   the passing of real time would in AWS. Plain Lambda tasks keep wall-clock timeouts.
 *
 * Emulation notes: the library's timers cannot exceed 2^31-1 ms, so the local copy of a definition
 * caps task timeouts at 24.8 days and drops the machine's own `TimeoutSeconds` (the engine enforces
 * both); `$$.Execution.Input` / `$$.Execution.StartTime` are read from the original execution, also
 * after a resume; a local callback timeout also matches `States.TaskFailed` catchers (it does not in
 * AWS). Human waits must be top-level states (no Map/Parallel around them).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  readonly workflow: string;
  readonly executionName: string;
  readonly executionId: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly lastState?: string;
}

export interface WaitingTask {
  readonly token: string;
  readonly workflow: string;
  readonly executionName: string;
  readonly executionId: string;
  readonly stateName: string;
  readonly attempt: number;
  readonly startedAt: string;
  readonly timeoutSeconds: number;
  readonly deadlineAt: string;
  readonly payload: unknown;
}

export interface LocalWorkflowEngineOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Defaults to every workflow of `infra/workflows/index.ts`. */
  readonly workflows?: readonly WorkflowDef[];
  /** Defaults to importing `def.handlerEntry`; tests may pass handlers directly. */
  readonly loadHandler?: (def: WorkflowDef) => Promise<LambdaHandler>;
  /** The business clock (defaults to the injectable `clock`). */
  readonly now?: () => Date;
  readonly log?: (line: string) => void;
  readonly region?: string;
  /** Longest wall-clock pause between two checks of a pending timeout (default 60 s). */
  readonly timeoutCheckMs?: number;
  /** Retry waits per state in ms (aws-local-stepfunctions `retryIntervalOverrides`); tests only. */
  readonly retryIntervalOverrides?: Readonly<Record<string, number | number[]>>;
  /**
   * Told of every state entered and every retry, at any depth: Standard workflows bill per state
   * transition, so `npm run bench` counts them here (issue 8). Must not throw.
   */
  readonly onStateEvent?: (event: StateEvent) => void;
}

/** A state entered (or retried) by an execution of the local engine. */
export interface StateEvent {
  readonly workflow: string;
  readonly executionName: string;
  readonly stateName: string;
  readonly kind: 'entered' | 'retried';
}

/** setTimeout's ceiling, in whole seconds. */
export const MAX_TIMER_SECONDS = Math.floor(2_147_483_647 / 1000);
const TOKEN_PLACEHOLDER = '__LOCAL_TASK_TOKEN__';
const WAIT_INDEX_PK = 'LOCALWAIT';
const RUNNING_INDEX_PK = 'LOCALEXEC#RUNNING';
/** Step Functions execution names: 1–80 characters, none of whitespace, brackets, wildcards, specials. */
const isExecutionName = (name: string): boolean =>
  name.length >= 1 &&
  name.length <= 80 &&
  ![...name].some((ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(ch);
  });

const namedError = (name: string, message: string): Error => {
  const e = new Error(message);
  e.name = name;
  return e;
};

const toJson = (value: unknown): Json => JSON.parse(JSON.stringify(value ?? null)) as Json;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type TaskKind = 'callback' | 'function' | 'invoke';
type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];

/** `Promise.withResolvers` (ES2024), for the ES2023 lib this project compiles against. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface PreparedWorkflow {
  readonly def: WorkflowDef;
  readonly asl: Asl;
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  readonly functionArn: string;
  readonly executionTimeoutSeconds?: number;
  readonly callbackTimeouts: ReadonlyMap<string, number>;
  readonly tasks: ReadonlyMap<string, TaskKind>;
  readonly topLevelStates: ReadonlySet<string>;
}

/** Makes the copy of a definition the library runs; see the emulation notes above. */
function prepare(def: WorkflowDef, region: string): PreparedWorkflow {
  const functionArn = `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:local-${def.name}`;
  const original = def.build({ functionArn, partition: 'aws' });
  const asl = JSON.parse(
    JSON.stringify(original).replace(/\$\$\.Execution\.(Input|StartTime)\b/g, (_m, field: string) =>
      field === 'Input' ? '$$.Execution.OriginalInput' : '$$.Execution.OriginalStartTime',
    ),
  ) as Asl;
  const executionTimeoutSeconds = typeof asl.TimeoutSeconds === 'number' ? asl.TimeoutSeconds : undefined;
  delete asl.TimeoutSeconds;
  const callbackTimeouts = new Map<string, number>();
  const tasks = new Map<string, TaskKind>();
  const topLevelStates = new Set(Object.keys(asl.States));
  for (const name of def.callbackStates) {
    if (!topLevelStates.has(name)) {
      throw new Error(`${def.name}: callback state ${name} must be a top-level state of the machine`);
    }
  }
  const visit = (states: Record<string, Record<string, unknown>>, topLevel: boolean): void => {
    for (const [name, state] of Object.entries(states)) {
      if (Array.isArray(state.Branches)) {
        for (const branch of state.Branches)
          if (isRecord(branch) && isRecord(branch.States))
            visit(branch.States as Record<string, Record<string, unknown>>, false);
      }
      for (const key of ['Iterator', 'ItemProcessor']) {
        const sub = state[key];
        if (isRecord(sub) && isRecord(sub.States))
          visit(sub.States as Record<string, Record<string, unknown>>, false);
      }
      if (state.Type !== 'Task') continue;
      const resource = String(state.Resource);
      let kind: TaskKind;
      if (/^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/.test(resource)) kind = 'callback';
      else if (/^arn:[^:]+:states:::lambda:invoke$/.test(resource)) kind = 'invoke';
      else if (/^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/.test(resource)) kind = 'function';
      else throw new Error(`${def.name}: state ${name} uses ${resource}, which the local engine cannot run`);
      if (kind === 'callback') {
        if (!topLevel || !def.callbackStates.includes(name)) {
          throw new Error(
            `${def.name}: ${name} waits for a task token but is not a declared top-level callback state`,
          );
        }
        if (typeof state.TimeoutSeconds !== 'number') {
          throw new Error(`${def.name}: callback state ${name} must set TimeoutSeconds`);
        }
        callbackTimeouts.set(name, state.TimeoutSeconds);
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
      } else if (typeof state.TimeoutSeconds === 'number' && state.TimeoutSeconds > MAX_TIMER_SECONDS) {
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
      }
      if (tasks.has(name) && tasks.get(name) !== kind) {
        throw new Error(`${def.name}: two Task states named ${name} of different kinds`);
      }
      tasks.set(name, kind);
    }
  };
  visit(asl.States, true);
  const stateMachineName = `local-${def.name}`;
  // Validates the definition once (ASL schema, JSONPaths, ARNs); runs then skip validation.
  new StateMachine(asl as unknown as StateMachineDefinition);
  return {
    def,
    asl,
    stateMachineName,
    stateMachineArn: `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${stateMachineName}`,
    functionArn,
    ...(executionTimeoutSeconds !== undefined ? { executionTimeoutSeconds } : {}),
    callbackTimeouts,
    tasks,
    topLevelStates,
  };
}

/** Raw state inputs, in the order the library enters (or retries) states, one per handler call. */
class TicketQueue {
  private readonly queued = new Map<string, Json[]>();
  private readonly takers = new Map<string, ((input: Json) => void)[]>();

  push(state: string, input: Json): void {
    const taker = this.takers.get(state)?.shift();
    if (taker) taker(input);
    else this.queued.set(state, [...(this.queued.get(state) ?? []), input]);
  }

  next(state: string): Promise<Json> {
    const queue = this.queued.get(state);
    if (queue?.length) return Promise.resolve(queue.shift() as Json);
    return new Promise((resolve) => this.takers.set(state, [...(this.takers.get(state) ?? []), resolve]));
  }
}

interface ResumePoint {
  readonly stateName: string;
  readonly rawInput: Json;
  /** Present when the execution was waiting: the same token and start are reused. */
  readonly waiting?: { readonly token: string; readonly attempt: number; readonly startedAt: string };
}

interface Run {
  readonly key: string;
  readonly prepared: PreparedWorkflow;
  readonly executionName: string;
  readonly executionId: string;
  readonly input: Json;
  readonly startedAt: string;
  readonly tickets: TicketQueue;
  readonly attempts: Map<string, number>;
  readonly waiting: Set<string>;
  resume?: ResumePoint | undefined;
  activeTasks: number;
  parkedListeners: (() => void)[];
  abort: () => void;
  settled: Promise<void>;
  stopping: boolean;
  timedOut: boolean;
  timer?: NodeJS.Timeout | undefined;
}

interface Waiter {
  readonly token: string;
  readonly run: Run;
  readonly stateName: string;
  readonly timeoutSeconds: number;
  readonly deadlineMs: number;
  readonly resolve: (output: Json) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout | undefined;
}

interface ExecutionItem {
  workflow: string;
  executionName: string;
  executionId: string;
  status: ExecutionStatus;
  inputJson: string;
  outputJson?: string;
  error?: string;
  cause?: string;
  startedAt: string;
  stoppedAt?: string;
  lastState?: string;
  lastInputJson?: string;
}

interface WaitingItem {
  token: string;
  workflow: string;
  executionName: string;
  executionId: string;
  stateName: string;
  attempt: number;
  rawInputJson: string;
  payloadJson: string;
  startedAt: string;
  timeoutSeconds: number;
  deadlineAt: string;
}

const execKey = (workflow: string, name: string): string => `LOCALEXEC#${workflow}#${name}`;
const waitKey = (token: string): string => `LOCALWAIT#${token}`;

/** The local `WorkflowEngine` (install it with `setWorkflowEngine`). */
export class LocalWorkflowEngine implements WorkflowEngine {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly prepared = new Map<string, PreparedWorkflow>();
  private readonly defs: readonly WorkflowDef[];
  private readonly handlers = new Map<string, Promise<LambdaHandler>>();
  private readonly runs = new Map<string, Run>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly now: () => Date;
  private readonly log: (line: string) => void;
  private readonly region: string;
  private readonly checkMs: number;
  private stopping = false;
  private stopped = false;
  private resuming: Promise<unknown> | undefined;

  constructor(private readonly opts: LocalWorkflowEngineOptions) {
    this.doc = DynamoDBDocumentClient.from(opts.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = opts.tableName;
    this.defs = opts.workflows ?? allWorkflows;
    this.now = opts.now ?? (() => clock.now());
    this.log = opts.log ?? ((line) => console.log(line));
    this.region = opts.region ?? 'cn-north-1';
    this.checkMs = opts.timeoutCheckMs ?? 60_000;
    for (const def of this.defs) this.prepared.set(def.name, prepare(def, this.region));
  }

  /** Names of the workflows this engine runs. */
  get workflowNames(): string[] {
    return [...this.prepared.keys()];
  }

  /** StartExecution: Step Functions semantics for a repeated name (`alreadyStarted: true`, no second run). */
  async start(
    workflow: string,
    executionName: string,
    input: Record<string, unknown>,
  ): Promise<{ executionId: string; alreadyStarted: boolean }> {
    const prepared = this.prepared.get(workflow);
    if (!prepared) throw namedError('StateMachineDoesNotExist', `No workflow named ${workflow}`);
    if (!isExecutionName(executionName)) {
      throw namedError('InvalidName', `Invalid execution name ${JSON.stringify(executionName)}`);
    }
    if (this.stopping) throw namedError('ServiceUnavailable', 'The local workflow engine is shutting down');
    const executionId = `arn:aws:states:${this.region}:${LOCAL_ACCOUNT_ID}:execution:${prepared.stateMachineName}:${executionName}`;
    const startedAt = this.now().toISOString();
    const inputJson = JSON.stringify(toJson(input));
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: execKey(workflow, executionName),
            sk: 'LOCALEXEC',
            type: 'LocalExecution',
            workflow,
            executionName,
            executionId,
            status: 'RUNNING',
            inputJson,
            startedAt,
            [GSI1.partitionKey]: RUNNING_INDEX_PK,
            [GSI1.sortKey]: `${startedAt}#${workflow}#${executionName}`,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return { executionId, alreadyStarted: true };
      throw e;
    }
    this.launch(prepared, { executionName, executionId, input: JSON.parse(inputJson) as Json, startedAt });
    return { executionId, alreadyStarted: false };
  }

  /** SendTaskSuccess: completes a waiting callback state with `output` as its result. */
  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    const waiter = await this.takeWaiter(taskToken);
    waiter.resolve(toJson(output));
  }

  /** SendTaskFailure: fails a waiting callback state with `error` (matched by Retry/Catch) and `cause`. */
  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const waiter = await this.takeWaiter(taskToken);
    waiter.reject(namedError(error || 'States.TaskFailed', cause));
  }

  /** The execution record, or undefined when there is none. */
  async describeExecution(
    workflow: string,
    executionName: string,
  ): Promise<ExecutionDescription | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: execKey(workflow, executionName), sk: 'LOCALEXEC' },
      }),
    );
    if (!Item) return undefined;
    const item = Item as ExecutionItem;
    return {
      workflow: item.workflow,
      executionName: item.executionName,
      executionId: item.executionId,
      status: item.status,
      input: JSON.parse(item.inputJson) as unknown,
      ...(item.outputJson !== undefined ? { output: JSON.parse(item.outputJson) as unknown } : {}),
      ...(item.error !== undefined ? { error: item.error } : {}),
      ...(item.cause !== undefined ? { cause: item.cause } : {}),
      startedAt: item.startedAt,
      ...(item.stoppedAt ? { stoppedAt: item.stoppedAt } : {}),
      ...(item.lastState ? { lastState: item.lastState } : {}),
    };
  }

  /** Every callback task waiting for a human (from the registry, oldest first). */
  async listWaiting(): Promise<WaitingTask[]> {
    const items = await this.queryIndex<WaitingItem>(WAIT_INDEX_PK);
    return items.map((w) => ({
      token: w.token,
      workflow: w.workflow,
      executionName: w.executionName,
      executionId: w.executionId,
      stateName: w.stateName,
      attempt: w.attempt,
      startedAt: w.startedAt,
      timeoutSeconds: w.timeoutSeconds,
      deadlineAt: w.deadlineAt,
      payload: JSON.parse(w.payloadJson) as unknown,
    }));
  }

  /**
   * After a restart: continues every RUNNING execution of the table that this engine is not already
   * running, and resolves once each is waiting again or has finished (bounded by `waitMs`).
   */
  async resumeWaiting(waitMs = 15_000): Promise<{ resumed: number; waiting: number }> {
    const work = this.doResume(waitMs);
    this.resuming = work;
    try {
      return await work;
    } finally {
      this.resuming = undefined;
    }
  }

  /**
   * Expires every callback wait and execution whose timeout has passed on the business clock.
   * The engine also checks by itself; call this after moving the clock to react at once.
   */
  checkTimeouts(): number {
    let expired = 0;
    for (const waiter of [...this.waiters.values()]) {
      if (this.now().getTime() >= waiter.deadlineMs) {
        this.expireWaiter(waiter);
        expired += 1;
      }
    }
    for (const run of [...this.runs.values()]) {
      const deadline = this.executionDeadline(run);
      if (deadline !== undefined && this.now().getTime() >= deadline && !run.timedOut) {
        this.expireExecution(run);
        expired += 1;
      }
    }
    return expired;
  }

  /**
   * Stops the engine: lets running task handlers finish (bounded by `graceMs`), then leaves every
   * unfinished execution RUNNING in the table, to be resumed by the next start.
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.stopped) return;
    this.stopping = true;
    const runs = [...this.runs.values()];
    await Promise.race([
      Promise.all(runs.map((run) => this.parkedOrSettled(run))),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
    this.stopped = true;
    for (const waiter of this.waiters.values()) clearTimeout(waiter.timer);
    this.waiters.clear();
    for (const run of this.runs.values()) {
      run.stopping = true;
      clearTimeout(run.timer);
      run.abort();
    }
    await Promise.race([
      Promise.all([...this.runs.values()].map((r) => r.settled)),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
  }

  // ————— internals —————

  private async doResume(waitMs: number): Promise<{ resumed: number; waiting: number }> {
    const running = await this.queryIndex<ExecutionItem>(RUNNING_INDEX_PK);
    const waitingItems = await this.queryIndex<WaitingItem>(WAIT_INDEX_PK);
    const waitingByExec = new Map<string, WaitingItem[]>();
    for (const w of waitingItems) {
      const key = execKey(w.workflow, w.executionName);
      waitingByExec.set(key, [...(waitingByExec.get(key) ?? []), w]);
    }
    const resumed: Run[] = [];
    const runningKeys = new Set<string>();
    for (const exec of running) {
      const key = execKey(exec.workflow, exec.executionName);
      runningKeys.add(key);
      if (this.runs.has(key)) continue;
      const prepared = this.prepared.get(exec.workflow);
      if (!prepared) {
        await this.finish(key, {
          status: 'FAILED',
          error: 'Local.UnknownWorkflow',
          cause: `The local runtime no longer defines the workflow ${exec.workflow}`,
        });
        continue;
      }
      const waits = (waitingByExec.get(key) ?? []).sort((a, b) => b.attempt - a.attempt);
      const latest = waits[0];
      for (const stale of waits.slice(1)) await this.deleteWaiting(stale.token);
      let resume: ResumePoint | undefined;
      if (latest) {
        resume = {
          stateName: latest.stateName,
          rawInput: JSON.parse(latest.rawInputJson) as Json,
          waiting: { token: latest.token, attempt: latest.attempt, startedAt: latest.startedAt },
        };
      } else if (exec.lastState && exec.lastInputJson !== undefined) {
        resume = { stateName: exec.lastState, rawInput: JSON.parse(exec.lastInputJson) as Json };
      }
      if (resume && !(resume.stateName in prepared.asl.States)) {
        for (const w of waits) await this.deleteWaiting(w.token);
        await this.finish(key, {
          status: 'FAILED',
          error: 'Local.StateNotFound',
          cause: `The definition of ${exec.workflow} no longer has the state ${resume.stateName} to resume at`,
        });
        this.log(
          `[workflow] cannot resume ${exec.workflow}/${exec.executionName}: no state ${resume.stateName}`,
        );
        continue;
      }
      this.log(
        `[workflow] resuming ${exec.workflow}/${exec.executionName} at ${resume?.stateName ?? prepared.asl.StartAt}`,
      );
      resumed.push(
        this.launch(
          prepared,
          {
            executionName: exec.executionName,
            executionId: exec.executionId,
            input: JSON.parse(exec.inputJson) as Json,
            startedAt: exec.startedAt,
          },
          resume,
        ),
      );
    }
    for (const [key, waits] of waitingByExec) {
      if (!runningKeys.has(key)) for (const w of waits) await this.deleteWaiting(w.token);
    }
    await Promise.race([
      Promise.all(resumed.map((run) => this.parkedOrSettled(run))),
      new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
    ]);
    return { resumed: resumed.length, waiting: this.waiters.size };
  }

  private launch(
    prepared: PreparedWorkflow,
    exec: { executionName: string; executionId: string; input: Json; startedAt: string },
    resume?: ResumePoint,
  ): Run {
    const key = execKey(prepared.def.name, exec.executionName);
    const run: Run = {
      key,
      prepared,
      executionName: exec.executionName,
      executionId: exec.executionId,
      input: exec.input,
      startedAt: exec.startedAt,
      tickets: new TicketQueue(),
      attempts: new Map(),
      waiting: new Set(),
      resume,
      activeTasks: 0,
      parkedListeners: [],
      abort: () => {},
      settled: Promise.resolve(),
      stopping: false,
      timedOut: false,
    };
    this.runs.set(key, run);
    const asl = resume ? { ...prepared.asl, StartAt: resume.stateName } : prepared.asl;
    const machine = new StateMachine(asl as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<Json>> = {};
    for (const [state, kind] of prepared.tasks) {
      taskResourceLocalHandlers[state] =
        kind === 'callback'
          ? (input) => this.callback(run, state, input)
          : kind === 'invoke'
            ? async (input) => ({
                ExecutedVersion: '$LATEST',
                Payload: await this.invoke(run, isRecord(input) ? input.Payload : null),
                StatusCode: 200,
              })
            : (input) => this.invoke(run, input);
    }
    const options: RunOptions = {
      overrides: {
        taskResourceLocalHandlers: taskResourceLocalHandlers as NonNullable<
          NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
        >,
        ...(this.opts.retryIntervalOverrides
          ? { retryIntervalOverrides: { ...this.opts.retryIntervalOverrides } }
          : {}),
      },
      context: {
        Execution: {
          Id: exec.executionId,
          Name: exec.executionName,
          OriginalInput: exec.input,
          OriginalStartTime: exec.startedAt,
          RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${prepared.stateMachineName}`,
        },
        StateMachine: { Id: prepared.stateMachineArn, Name: prepared.stateMachineName },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
    };
    const startInput = resume ? resume.rawInput : exec.input;
    const execution = machine.run(startInput, options);
    run.abort = execution.abort;
    const consumer = this.consumeEvents(run, execution.eventLogs);
    this.armExecutionTimeout(run);
    run.settled = this.settle(run, execution.result, consumer);
    return run;
  }

  private async consumeEvents(run: Run, events: EventLogs): Promise<void> {
    for await (const event of events) {
      if (event.type !== 'StateEntered' && event.type !== 'StateRetried') continue;
      const state = event.state as { name: string; input: Json };
      this.opts.onStateEvent?.({
        workflow: run.prepared.def.name,
        executionName: run.executionName,
        stateName: state.name,
        kind: event.type === 'StateEntered' ? 'entered' : 'retried',
      });
      if (run.prepared.tasks.get(state.name) === 'callback') run.tickets.push(state.name, state.input);
      if (
        event.type === 'StateEntered' &&
        event.index === undefined &&
        run.prepared.topLevelStates.has(state.name)
      ) {
        try {
          await this.doc.send(
            new UpdateCommand({
              TableName: this.table,
              Key: { pk: run.key, sk: 'LOCALEXEC' },
              UpdateExpression: 'SET lastState = :s, lastInputJson = :i',
              ConditionExpression: '#status = :running',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':s': state.name,
                ':i': JSON.stringify(state.input),
                ':running': 'RUNNING',
              },
            }),
          );
        } catch (e) {
          if (!(e instanceof ConditionalCheckFailedException) && !run.stopping) {
            this.log(
              `[workflow] ${run.executionName}: could not record entering ${state.name}: ${(e as Error).message}`,
            );
          }
        }
      }
    }
  }

  private async settle(run: Run, result: Promise<unknown>, consumer: Promise<void>): Promise<void> {
    let outcome: { status: ExecutionStatus; output?: Json; error?: string; cause?: string } | undefined;
    try {
      outcome = { status: 'SUCCEEDED', output: toJson(await result) };
    } catch (e) {
      if (e instanceof ExecutionAbortedError) {
        outcome = run.timedOut
          ? {
              status: 'TIMED_OUT',
              error: 'States.Timeout',
              cause: `The execution did not finish within ${run.prepared.executionTimeoutSeconds} s`,
            }
          : undefined;
      } else if (e instanceof ExecutionError && e.cause instanceof Error) {
        outcome = { status: 'FAILED', error: e.cause.name, cause: e.cause.message };
      } else {
        outcome = {
          status: 'FAILED',
          error: (e as Error).name ?? 'Error',
          cause: String((e as Error).message ?? e),
        };
      }
    }
    clearTimeout(run.timer);
    await Promise.race([consumer, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    if (run.stopping || !outcome) return;
    for (const token of [...run.waiting]) {
      const waiter = this.waiters.get(token);
      if (waiter) this.dropWaiter(waiter);
      await this.deleteWaiting(token).catch(() => {});
    }
    this.runs.delete(run.key);
    this.notifyParked(run);
    if (outcome.status !== 'SUCCEEDED') {
      this.log(
        `[workflow] ${run.prepared.def.name}/${run.executionName} ${outcome.status}: ${outcome.error}: ${outcome.cause}`,
      );
    }
    try {
      await this.finish(run.key, outcome);
    } catch (e) {
      this.log(
        `[workflow] could not record the end of ${run.prepared.def.name}/${run.executionName} (${outcome.status}): ${(e as Error).message}`,
      );
    }
  }

  private async finish(
    key: string,
    outcome: { status: ExecutionStatus; output?: Json; error?: string; cause?: string },
  ): Promise<void> {
    const values: Record<string, unknown> = {
      ':status': outcome.status,
      ':stoppedAt': this.now().toISOString(),
      ':running': 'RUNNING',
    };
    const sets = ['#status = :status', 'stoppedAt = :stoppedAt'];
    if (outcome.output !== undefined) {
      sets.push('outputJson = :output');
      values[':output'] = JSON.stringify(outcome.output);
    }
    if (outcome.error !== undefined) {
      sets.push('#error = :error', '#cause = :cause');
      values[':error'] = outcome.error;
      values[':cause'] = outcome.cause ?? '';
    }
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: key, sk: 'LOCALEXEC' },
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${GSI1.partitionKey}, ${GSI1.sortKey}`,
        ConditionExpression: '#status = :running',
        ExpressionAttributeNames: {
          '#status': 'status',
          ...(outcome.error !== undefined ? { '#error': 'error', '#cause': 'cause' } : {}),
        },
        ExpressionAttributeValues: values,
      }),
    );
  }

  private handlerFor(def: WorkflowDef): Promise<LambdaHandler> {
    let handler = this.handlers.get(def.name);
    if (!handler) {
      handler = this.opts.loadHandler ? this.opts.loadHandler(def) : loadHandler(def.handlerEntry);
      handler.catch(() => this.handlers.delete(def.name));
      this.handlers.set(def.name, handler);
    }
    return handler;
  }

  /** One Lambda invocation of the workflow's handler, with Lambda's JSON round trip. */
  private async invoke(run: Run, payload: unknown): Promise<Json> {
    if (this.stopped) return new Promise<Json>(() => {});
    run.activeTasks += 1;
    try {
      const handler = await this.handlerFor(run.prepared.def);
      const context = lambdaContext({
        functionName: `local-${run.prepared.def.name}`,
        requestId: randomUUID(),
        timeoutMs: 900_000,
        region: this.region,
      });
      return toJson(await handler(toJson(payload), context));
    } finally {
      run.activeTasks -= 1;
      this.notifyParked(run);
    }
  }

  private async callback(run: Run, stateName: string, effectiveInput: unknown): Promise<Json> {
    const rawInput = await run.tickets.next(stateName);
    if (this.stopped) return new Promise<Json>(() => {});
    const resumeWait = run.resume?.stateName === stateName ? run.resume.waiting : undefined;
    run.resume = undefined;
    const attempt = resumeWait?.attempt ?? (run.attempts.get(stateName) ?? 0) + 1;
    run.attempts.set(stateName, attempt);
    const token =
      resumeWait?.token ?? `${run.prepared.def.name}:${run.executionName}:${stateName}:${attempt}`;
    const startedAt = resumeWait?.startedAt ?? this.now().toISOString();
    const timeoutSeconds = run.prepared.callbackTimeouts.get(stateName) ?? 60;
    const deadlineMs = Date.parse(startedAt) + timeoutSeconds * 1000;
    if (!isRecord(effectiveInput) || !('Payload' in effectiveInput)) {
      throw namedError('States.Runtime', `${stateName}: a callback state's Parameters must have a Payload`);
    }
    const payload = substituteToken(toJson(effectiveInput.Payload), token);
    const outcome = deferred<Json>();
    // The outcome may settle before the library awaits it (a timeout or a failure sent while the
    // handler still runs): mark it handled so Node does not report an unhandled rejection.
    outcome.promise.catch(() => {});
    const waiter: Waiter = {
      token,
      run,
      stateName,
      timeoutSeconds,
      deadlineMs,
      resolve: outcome.resolve,
      reject: outcome.reject,
    };
    this.waiters.set(token, waiter);
    run.waiting.add(token);
    const item: WaitingItem & Record<string, unknown> = {
      pk: waitKey(token),
      sk: 'LOCALWAIT',
      type: 'LocalWaitingTask',
      token,
      workflow: run.prepared.def.name,
      executionName: run.executionName,
      executionId: run.executionId,
      stateName,
      attempt,
      rawInputJson: JSON.stringify(rawInput),
      payloadJson: JSON.stringify(payload),
      startedAt,
      timeoutSeconds,
      deadlineAt: new Date(deadlineMs).toISOString(),
      [GSI1.partitionKey]: WAIT_INDEX_PK,
      [GSI1.sortKey]: `${startedAt}#${token}`,
    };
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
      this.armWaiterTimeout(waiter);
      // Resumed after its deadline: it has timed out while the runtime was down; do not ask again.
      if (this.waiters.get(token) !== waiter) return outcome.promise;
      await this.invoke(run, payload);
    } catch (e) {
      if (this.waiters.get(token) === waiter) {
        this.dropWaiter(waiter);
        await this.deleteWaiting(token).catch(() => {});
      }
      throw e;
    }
    this.notifyParked(run);
    return outcome.promise;
  }

  private async takeWaiter(token: string): Promise<Waiter> {
    if (this.resuming && !this.waiters.has(token)) await this.resuming.catch(() => {});
    const waiter = this.waiters.get(token);
    if (!waiter) {
      throw namedError('TaskDoesNotExist', `Task ${token} does not exist, has completed or has timed out`);
    }
    if (this.now().getTime() >= waiter.deadlineMs) {
      this.expireWaiter(waiter);
      throw namedError('TaskTimedOut', `Task ${token} timed out before it was completed`);
    }
    this.dropWaiter(waiter);
    await this.deleteWaiting(token);
    return waiter;
  }

  private dropWaiter(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter.token);
    waiter.run.waiting.delete(waiter.token);
  }

  private expireWaiter(waiter: Waiter): void {
    if (this.waiters.get(waiter.token) !== waiter) return;
    this.dropWaiter(waiter);
    this.deleteWaiting(waiter.token)
      .catch((e: Error) => this.log(`[workflow] could not delete waiting task ${waiter.token}: ${e.message}`))
      .finally(() =>
        waiter.reject(
          namedError(
            'States.Timeout',
            `${waiter.stateName} was not completed within ${waiter.timeoutSeconds} s`,
          ),
        ),
      );
  }

  private armWaiterTimeout(waiter: Waiter): void {
    if (this.waiters.get(waiter.token) !== waiter) return;
    const remaining = waiter.deadlineMs - this.now().getTime();
    if (remaining <= 0) {
      this.expireWaiter(waiter);
      return;
    }
    waiter.timer = setTimeout(() => this.armWaiterTimeout(waiter), Math.min(remaining, this.checkMs));
    waiter.timer.unref();
  }

  private executionDeadline(run: Run): number | undefined {
    const seconds = run.prepared.executionTimeoutSeconds;
    return seconds === undefined ? undefined : Date.parse(run.startedAt) + seconds * 1000;
  }

  private armExecutionTimeout(run: Run): void {
    const deadline = this.executionDeadline(run);
    if (deadline === undefined || run.timedOut || run.stopping) return;
    const remaining = deadline - this.now().getTime();
    if (remaining <= 0) {
      this.expireExecution(run);
      return;
    }
    run.timer = setTimeout(() => this.armExecutionTimeout(run), Math.min(remaining, this.checkMs));
    run.timer.unref();
  }

  private expireExecution(run: Run): void {
    if (run.timedOut) return;
    run.timedOut = true;
    clearTimeout(run.timer);
    // Pending waits end with the execution; `settle` drops them and deletes their records.
    run.abort();
  }

  private parkedOrSettled(run: Run): Promise<void> {
    if (!this.runs.has(run.key) || (run.activeTasks === 0 && run.waiting.size > 0)) return Promise.resolve();
    return new Promise<void>((resolve) => run.parkedListeners.push(resolve));
  }

  private notifyParked(run: Run): void {
    if (this.runs.has(run.key) && !(run.activeTasks === 0 && run.waiting.size > 0)) return;
    const listeners = run.parkedListeners;
    run.parkedListeners = [];
    for (const listener of listeners) listener();
  }

  private async deleteWaiting(token: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: waitKey(token), sk: 'LOCALWAIT' } }),
    );
  }

  private async queryIndex<T>(pk: string): Promise<T[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: GSI1.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': GSI1.partitionKey },
          ExpressionAttributeValues: { ':pk': pk },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    // With a keys-only projection the index holds keys only: read the items themselves.
    if (items.every((i) => 'workflow' in i)) return items as unknown as T[];
    const full: Record<string, unknown>[] = [];
    for (const i of items) {
      const { Item } = await this.doc.send(
        new GetCommand({ TableName: this.table, Key: { pk: i.pk, sk: i.sk } }),
      );
      if (Item) full.push(Item);
    }
    return full as unknown as T[];
  }
}

function substituteToken(value: Json, token: string): Json {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((v) => substituteToken(v, token));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteToken(v, token)]));
  }
  return value;
}
