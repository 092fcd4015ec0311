import { createHash } from 'node:crypto';
import { type AuditEvent, auditEvent, SYSTEM_ACTOR } from './audit.ts';
import type { DueAction } from './deadlines.ts';
import type { NotificationInput } from './notifications.ts';
import type { Clock, WorkflowCallSubject, Workflows } from './ports.ts';

/**
 * Workflow calls that fail after a committed decision are retried, not only logged.
 *
 * Every use case commits its decision first and then talks to the workflow engine (start an execution,
 * complete or fail a waiting task). When that call fails with a retryable error (throttling, a network
 * blip, the service briefly unavailable), `durableWorkflows` records the call once in the registry with a
 * due entry (`wfretry`) and an audit event (`workflow.call_deferred`), then rethrows so the use case still
 * logs it. The deadline job repeats the call with exponential backoff (1, 2, 4 … minutes, capped at
 * 1 hour): success deletes the record (`workflow.call_retried`); an answer meaning the call already
 * happened or can no longer happen deletes it (`workflow.call_abandoned`) and, unless it already
 * happened, tells the officers; after `MAX_WORKFLOW_CALL_ATTEMPTS` failed calls it gives up the same way.
 * Records hold task tokens (secrets): no API route reads their key space, and they expire by TTL.
 */
export type { WorkflowCallSubject };

/** The due-index type of a deferred workflow call. */
export const WORKFLOW_RETRY_DUE = 'wfretry';
/** Calls in all (the original one included) before giving up: 1+2+4+8+16+32+60×5 min ≈ 6 h of retries. */
export const MAX_WORKFLOW_CALL_ATTEMPTS = 12;
const MINUTE_MS = 60_000;
const MAX_DELAY_MS = 60 * MINUTE_MS;

export type WorkflowCall =
  | {
      readonly kind: 'start';
      readonly workflow: string;
      readonly executionName: string;
      readonly input: Record<string, unknown>;
      readonly subject?: WorkflowCallSubject;
    }
  | {
      readonly kind: 'sendTaskSuccess';
      readonly token: string;
      readonly output: Record<string, unknown>;
      readonly subject?: WorkflowCallSubject;
    }
  | {
      readonly kind: 'sendTaskFailure';
      readonly token: string;
      readonly error: string;
      readonly cause: string;
      readonly subject?: WorkflowCallSubject;
    };

/** A deferred workflow call as recorded. `attempts`: calls made so far (the original one included). */
export interface WorkflowRetry {
  readonly id: string;
  readonly call: WorkflowCall;
  readonly attempts: number;
  readonly createdAt: string;
  readonly nextAt: string;
  /** Name of the last error (never its message: it may carry the token). */
  readonly lastError: string;
}

/** The engine calls a retry repeats (structurally the adapters' WorkflowEngine). */
export interface RetryableWorkflows extends Workflows {
  sendTaskFailure(
    taskToken: string,
    error: string,
    cause: string,
    about?: WorkflowCallSubject,
  ): Promise<void>;
}

/** Registry port of the deferred calls (DynamoDB in `adapters/durable-workflows.ts`). */
export interface WorkflowRetryRepo {
  /** Records the call with its due entry and audit event, once per id: false when already recorded. */
  record(retry: WorkflowRetry, audit: AuditEvent): Promise<boolean>;
  /** The retry in a due-index item (ALL projection); undefined when the item is not one. */
  fromItem(item: Record<string, unknown>): WorkflowRetry | undefined;
  /**
   * Claims one attempt: only if the due entry is still `readDueSk`, sets `attempts` and moves the entry
   * to `nextAt` (where it stays if this attempt fails). Returns the new `dueSk`, or undefined when another
   * run claimed it first.
   */
  claim(
    retry: WorkflowRetry,
    readDueSk: string,
    attempts: number,
    nextAt: string,
  ): Promise<string | undefined>;
  /** A claimed attempt failed and will be retried at the claimed `nextAt`: records the error and audit. */
  failed(retry: WorkflowRetry, claimedDueSk: string, lastError: string, audit: AuditEvent): Promise<boolean>;
  /** Ends the retry: deletes the record (only if still `claimedDueSk`), appends the audit and notifications. */
  finish(
    retry: WorkflowRetry,
    claimedDueSk: string,
    audit: AuditEvent,
    notifications: readonly NotificationInput[],
  ): Promise<boolean>;
}

/** Stable id of a call: the same start (workflow + name) or the same token and kind is recorded once. */
export function workflowRetryId(call: WorkflowCall): string {
  const what =
    call.kind === 'start'
      ? `${call.kind}\u0000${call.workflow}\u0000${call.executionName}`
      : `${call.kind}\u0000${call.token}`;
  return `wfr-${createHash('sha256').update(what).digest('hex').slice(0, 40)}`;
}

/** Wait after the `attempts`-th failed call: 1, 2, 4 … minutes, at most one hour. */
export function retryDelayMs(attempts: number): number {
  const n = Math.min(Math.max(1, Math.floor(attempts)), 8);
  return Math.min(MINUTE_MS * 2 ** (n - 1), MAX_DELAY_MS);
}

/** True once `attempts` calls failed: no further retry. */
export const givesUp = (attempts: number): boolean => attempts >= MAX_WORKFLOW_CALL_ATTEMPTS;

const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === 'string' ? 'Error' : 'UnknownError';

/** Throttling and temporary unavailability, by the SDK's error names (generic and Step Functions'). */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
  'ExecutionLimitExceeded',
  'KmsThrottlingException',
]);
/** Node's socket errors: the request may not have reached the service. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * A workflow call worth repeating later: throttling, a 5xx or 429 answer, a network failure. Validation
 * and other programming errors (InvalidName, InvalidArn, a missing ARN …) are not: repeating cannot help.
 */
export function isRetryableWorkflowError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_NAMES.has(error.name)) return true;
  const e = error as Error & {
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    cause?: unknown;
  };
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  // fetch wraps socket errors: TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
  const cause = e.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' && TRANSIENT_CODES.has(cause.code);
}

/** Answers meaning a repeated call already happened or can no longer happen. */
const GONE: Readonly<Record<string, { readonly notify: boolean }>> = {
  ExecutionAlreadyExists: { notify: false },
  TaskTimedOut: { notify: true },
  TaskDoesNotExist: { notify: true },
  InvalidToken: { notify: true },
};

/** The audit entity of a call: its subject, else the business id in a start's input, else the retry itself. */
function entityOf(call: WorkflowCall, id: string): { entityType: string; entityId: string } {
  if (call.subject) return { entityType: call.subject.entityType, entityId: call.subject.entityId };
  if (call.kind === 'start') {
    const input = call.input;
    for (const [field, entityType] of [
      ['applicationId', 'application'],
      ['evaluationId', 'evaluation'],
      ['orgId', 'organisation'],
    ] as const) {
      const value = input[field];
      if (typeof value === 'string' && value) return { entityType, entityId: value };
    }
  }
  return { entityType: 'workflow-call', entityId: id };
}

/** What audits and notifications say about a call: never the token, input or output. */
function describe(retry: Pick<WorkflowRetry, 'id' | 'call'>): Record<string, unknown> {
  const c = retry.call;
  return {
    retryId: retry.id,
    call: c.kind,
    ...(c.kind === 'start' ? { workflow: c.workflow, executionName: c.executionName } : {}),
    ...(c.kind === 'sendTaskFailure' ? { taskError: c.error } : {}),
    ...(c.subject?.taskId ? { taskId: c.subject.taskId } : {}),
    ...(c.subject?.taskKind ? { taskKind: c.subject.taskKind } : {}),
  };
}

function audit(now: Date, action: string, retry: WorkflowRetry, detail: Record<string, unknown>): AuditEvent {
  const { entityType, entityId } = entityOf(retry.call, retry.id);
  return auditEvent(now, SYSTEM_ACTOR, action, entityType, entityId, { ...describe(retry), ...detail });
}

export interface DurableWorkflowDeps {
  readonly retries: Pick<WorkflowRetryRepo, 'record'>;
  readonly clock: Clock;
  /** Told when a call was deferred, or when recording it failed too (then only the log knows). */
  readonly onDeferred?: (retry: WorkflowRetry) => void;
  readonly onRecordError?: (error: unknown, retry: WorkflowRetry) => void;
}

/** Records a failed call for the deadline job (once per call); true when this call recorded it. */
export async function deferWorkflowCall(
  deps: DurableWorkflowDeps,
  call: WorkflowCall,
  error: unknown,
): Promise<boolean> {
  const now = deps.clock.now();
  const retry: WorkflowRetry = {
    id: workflowRetryId(call),
    call,
    attempts: 1,
    createdAt: now.toISOString(),
    nextAt: new Date(now.getTime() + retryDelayMs(1)).toISOString(),
    lastError: errorName(error),
  };
  try {
    const recorded = await deps.retries.record(
      retry,
      audit(now, 'workflow.call_deferred', retry, {
        reason: retry.lastError,
        attempts: 1,
        nextAt: retry.nextAt,
      }),
    );
    if (recorded) deps.onDeferred?.(retry);
    return recorded;
  } catch (recordError) {
    deps.onRecordError?.(recordError, retry);
    return false;
  }
}

/**
 * The decorator: the same engine, but a retryable failure of `start`, `sendTaskSuccess` or
 * `sendTaskFailure` is recorded for the deadline job before it is rethrown (the caller still logs it).
 */
export function durableWorkflows(engine: RetryableWorkflows, deps: DurableWorkflowDeps): RetryableWorkflows {
  const guard = async <T>(call: WorkflowCall, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isRetryableWorkflowError(error)) await deferWorkflowCall(deps, call, error);
      throw error;
    }
  };
  return {
    start: (workflow, executionName, input, about) =>
      guard({ kind: 'start', workflow, executionName, input, ...(about ? { subject: about } : {}) }, () =>
        engine.start(workflow, executionName, input, about),
      ),
    sendTaskSuccess: (token, output, about) =>
      guard({ kind: 'sendTaskSuccess', token, output, ...(about ? { subject: about } : {}) }, () =>
        engine.sendTaskSuccess(token, output, about),
      ),
    sendTaskFailure: (token, error, cause, about) =>
      guard({ kind: 'sendTaskFailure', token, error, cause, ...(about ? { subject: about } : {}) }, () =>
        engine.sendTaskFailure(token, error, cause, about),
      ),
  };
}

/** Repeats the recorded call on the (undecorated) engine. */
async function repeat(engine: RetryableWorkflows, call: WorkflowCall): Promise<Record<string, unknown>> {
  switch (call.kind) {
    case 'start': {
      const out = await engine.start(call.workflow, call.executionName, call.input, call.subject);
      return { alreadyStarted: out.alreadyStarted };
    }
    case 'sendTaskSuccess':
      await engine.sendTaskSuccess(call.token, call.output, call.subject);
      return {};
    case 'sendTaskFailure':
      await engine.sendTaskFailure(call.token, call.error, call.cause, call.subject);
      return {};
  }
}

const WHAT: Record<WorkflowCall['kind'], readonly [zh: string, en: string]> = {
  start: ['启动工作流', 'starting the workflow'],
  sendTaskSuccess: ['完成等待中的工作流步骤', 'completing the waiting workflow step'],
  sendTaskFailure: ['结束等待中的工作流步骤', 'ending the waiting workflow step'],
};

export interface WorkflowRetryActionDeps {
  readonly retries: WorkflowRetryRepo;
  /** The undecorated engine: a failing repeat is handled here, never recorded again. */
  readonly engine: () => Promise<RetryableWorkflows>;
}

/**
 * Deadline action of a deferred workflow call: claim the attempt (conditional on the `dueSk` read, so two
 * runs never repeat the same call twice), repeat it, then delete the record, reschedule it or give up.
 */
export function workflowRetryAction(deps: WorkflowRetryActionDeps): DueAction {
  return async (entry, now) => {
    const read = deps.retries.fromItem(entry.item);
    if (!read) return false;
    const attempts = read.attempts + 1;
    const nextAt = new Date(now.getTime() + retryDelayMs(attempts)).toISOString();
    const claimedDueSk = await deps.retries.claim(read, entry.dueSk, attempts, nextAt);
    if (!claimedDueSk) return false;
    const retry: WorkflowRetry = { ...read, attempts, nextAt };
    let result: Record<string, unknown>;
    try {
      result = await repeat(await deps.engine(), retry.call);
    } catch (error) {
      const name = errorName(error);
      const gone = GONE[name];
      const retryable = !gone && isRetryableWorkflowError(error);
      if (retryable && !givesUp(attempts)) {
        return deps.retries.failed(
          retry,
          claimedDueSk,
          name,
          audit(now, 'workflow.call_deferred', retry, { reason: name, attempts, nextAt }),
        );
      }
      const reason = gone || !retryable ? name : 'TooManyAttempts';
      const notify = gone ? gone.notify : true;
      const detail = { reason, attempts, ...(reason === 'TooManyAttempts' ? { lastError: name } : {}) };
      const { entityType, entityId } = entityOf(retry.call, retry.id);
      return deps.retries.finish(
        retry,
        claimedDueSk,
        audit(now, 'workflow.call_abandoned', retry, detail),
        notify
          ? [
              {
                recipient: { role: 'officer' },
                event: 'workflow.call_abandoned',
                entityType,
                entityId,
                title: `工作流调用未能完成，需人工处理：${WHAT[retry.call.kind][0]}（${reason}） / Needs attention: ${WHAT[retry.call.kind][1]} could not be done (${reason})`,
                detail: { ...describe(retry), ...detail },
                at: now.toISOString(),
                dedupeKey: `${retry.id}#abandoned`,
              },
            ]
          : [],
      );
    }
    return deps.retries.finish(
      retry,
      claimedDueSk,
      audit(now, 'workflow.call_retried', retry, { attempts, ...result }),
      [],
    );
  };
}
