import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/core/audit.ts';
import type { DueItem } from '../../functions/core/deadlines.ts';
import type { NotificationInput } from '../../functions/core/notifications.ts';
import {
  durableWorkflows,
  isRetryableWorkflowError,
  MAX_WORKFLOW_CALL_ATTEMPTS,
  type RetryableWorkflows,
  retryDelayMs,
  type WorkflowRetry,
  type WorkflowRetryRepo,
  workflowRetryAction,
  workflowRetryId,
} from '../../functions/core/workflow-retries.ts';
import { fixedClock } from '../../functions/shared/clock.ts';

/** The retry of workflow calls that fail after a committed decision: decorator and deadline action. */
const NOW = '2026-03-10T02:00:00.000Z';
const MIN = 60_000;

const named = (name: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${name} happened`), { name }, extra);

/** A fake engine whose next calls fail with the queued errors, then succeed. */
class FakeEngine implements RetryableWorkflows {
  readonly calls: string[] = [];
  readonly failures: Error[] = [];
  async start(workflow: string, executionName: string) {
    this.calls.push(`start ${workflow} ${executionName}`);
    const e = this.failures.shift();
    if (e) throw e;
    return { executionId: `x:${executionName}`, alreadyStarted: false };
  }
  async sendTaskSuccess(token: string) {
    this.calls.push(`success ${token}`);
    const e = this.failures.shift();
    if (e) throw e;
  }
  async sendTaskFailure(token: string, error: string) {
    this.calls.push(`failure ${token} ${error}`);
    const e = this.failures.shift();
    if (e) throw e;
  }
}

interface Stored {
  retry: WorkflowRetry;
  dueSk: string;
}

/** A fake registry of deferred calls: ifNew puts by id, conditional on the due entry like DynamoDB. */
class FakeRetries implements WorkflowRetryRepo {
  readonly items = new Map<string, Stored>();
  readonly audit: AuditEvent[] = [];
  readonly notifications: NotificationInput[] = [];
  failRecord?: Error;
  async record(retry: WorkflowRetry, audit: AuditEvent) {
    if (this.failRecord) throw this.failRecord;
    if (this.items.has(retry.id)) return false;
    this.items.set(retry.id, { retry, dueSk: `${retry.nextAt}#wfretry#${retry.id}` });
    this.audit.push(audit);
    return true;
  }
  fromItem(item: Record<string, unknown>) {
    return item.retry as WorkflowRetry | undefined;
  }
  async claim(retry: WorkflowRetry, readDueSk: string, attempts: number, nextAt: string) {
    const s = this.items.get(retry.id);
    if (s?.dueSk !== readDueSk) return undefined;
    s.retry = { ...s.retry, attempts, nextAt };
    s.dueSk = `${nextAt}#wfretry#${retry.id}`;
    return s.dueSk;
  }
  async failed(retry: WorkflowRetry, claimedDueSk: string, lastError: string, audit: AuditEvent) {
    const s = this.items.get(retry.id);
    if (s?.dueSk !== claimedDueSk) return false;
    s.retry = { ...s.retry, lastError };
    this.audit.push(audit);
    return true;
  }
  async finish(
    retry: WorkflowRetry,
    claimedDueSk: string,
    audit: AuditEvent,
    n: readonly NotificationInput[],
  ) {
    if (this.items.get(retry.id)?.dueSk !== claimedDueSk) return false;
    this.items.delete(retry.id);
    this.audit.push(audit);
    this.notifications.push(...n);
    return true;
  }
  /** The due-index entry of a stored retry, as the deadline job reads it. */
  entry(id: string): DueItem {
    const s = this.items.get(id);
    if (!s) throw new Error(`no retry ${id}`);
    return { duePk: 'DUE#0', dueSk: s.dueSk, item: { retry: s.retry } };
  }
  only(): Stored {
    expect(this.items.size).toBe(1);
    return [...this.items.values()][0] as Stored;
  }
}

const subject = { entityType: 'application', entityId: 'A1', taskId: 't1', taskKind: 'preliminary_review' };

function setup() {
  const engine = new FakeEngine();
  const retries = new FakeRetries();
  const durable = durableWorkflows(engine, { retries, clock: fixedClock(NOW) });
  const action = workflowRetryAction({ retries, engine: async () => engine });
  return { engine, retries, durable, action };
}

describe('which errors are retried', () => {
  it.each([
    ['ThrottlingException', named('ThrottlingException', { $metadata: { httpStatusCode: 400 } })],
    ['ServiceUnavailable', named('ServiceUnavailable')],
    ['a 500 answer', named('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
    ['a 429 answer', named('SomethingNew', { $metadata: { httpStatusCode: 429 } })],
    ['a reset socket', named('Error', { code: 'ECONNRESET' })],
    [
      'fetch failing on a refused connection',
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
    ],
    ['ExecutionLimitExceeded', named('ExecutionLimitExceeded', { $metadata: { httpStatusCode: 400 } })],
  ])('%s: retried', (_label, error) => {
    expect(isRetryableWorkflowError(error)).toBe(true);
  });

  it.each([
    ['ValidationException', named('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['InvalidName', named('InvalidName', { $metadata: { httpStatusCode: 400 } })],
    ['TaskTimedOut', named('TaskTimedOut', { $metadata: { httpStatusCode: 400 } })],
    ['a missing ARN (configuration)', new Error('No state machine ARN for workflow review')],
    ['a TypeError (a bug)', new TypeError('cannot read properties of undefined')],
    ['not an Error', 'boom'],
  ])('%s: not retried', (_label, error) => {
    expect(isRetryableWorkflowError(error)).toBe(false);
  });
});

describe('the backoff schedule', () => {
  it('waits 1, 2, 4 … minutes after each failed call, capped at one hour', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n) / MIN)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(retryDelayMs(7)).toBe(60 * MIN);
    expect(retryDelayMs(MAX_WORKFLOW_CALL_ATTEMPTS)).toBe(60 * MIN);
    expect(retryDelayMs(1000)).toBe(60 * MIN);
  });
});

describe('the decorator', () => {
  it('passes successful calls through and records nothing', async () => {
    const { engine, retries, durable } = setup();
    expect(await durable.start('review', 'app-A1', { applicationId: 'A1' })).toEqual({
      executionId: 'x:app-A1',
      alreadyStarted: false,
    });
    await durable.sendTaskSuccess('tok', { ok: true }, subject);
    expect(engine.calls).toEqual(['start review app-A1', 'success tok']);
    expect(retries.items.size).toBe(0);
  });

  it('a throttled start: recorded once for a minute later, audited on the application, rethrown', async () => {
    // Prepare
    const { engine, retries, durable } = setup();
    const throttled = named('ThrottlingException', { $metadata: { httpStatusCode: 400 } });
    engine.failures.push(throttled, named('ThrottlingException'));

    // Act: the same call fails twice (e.g. a resent request)
    await expect(durable.start('review', 'app-A1', { applicationId: 'A1', callId: 'C1' })).rejects.toBe(
      throttled,
    );
    await expect(durable.start('review', 'app-A1', { applicationId: 'A1', callId: 'C1' })).rejects.toThrow();

    // Assess
    const { retry } = retries.only();
    expect(retry).toMatchObject({
      id: workflowRetryId({ kind: 'start', workflow: 'review', executionName: 'app-A1', input: {} }),
      call: { kind: 'start', workflow: 'review', executionName: 'app-A1', input: { applicationId: 'A1' } },
      attempts: 1,
      createdAt: NOW,
      nextAt: '2026-03-10T02:01:00.000Z',
      lastError: 'ThrottlingException',
    });
    expect(retries.audit).toHaveLength(1);
    expect(retries.audit[0]).toMatchObject({
      action: 'workflow.call_deferred',
      actor: { sub: 'system' },
      entityType: 'application',
      entityId: 'A1',
      detail: { reason: 'ThrottlingException', call: 'start', executionName: 'app-A1', attempts: 1 },
    });
  });

  it('task calls are keyed by kind and token; the audit never holds the token', async () => {
    const { engine, retries, durable } = setup();
    engine.failures.push(
      named('ServiceUnavailable'),
      named('ServiceUnavailable'),
      named('ServiceUnavailable'),
    );
    await expect(durable.sendTaskSuccess('secret-token-1', { a: 1 }, subject)).rejects.toThrow();
    await expect(durable.sendTaskFailure('secret-token-1', 'Withdrawn', 'why', subject)).rejects.toThrow();
    await expect(durable.sendTaskSuccess('secret-token-2', { a: 1 })).rejects.toThrow();
    expect(retries.items.size).toBe(3);
    expect(retries.audit.map((a) => [a.entityType, a.entityId])).toEqual([
      ['application', 'A1'],
      ['application', 'A1'],
      ['workflow-call', expect.stringMatching(/^wfr-[0-9a-f]{40}$/)],
    ]);
    expect(JSON.stringify(retries.audit)).not.toContain('secret-token');
  });

  it('non-retryable errors are rethrown and not recorded', async () => {
    const { engine, retries, durable } = setup();
    engine.failures.push(named('InvalidName', { $metadata: { httpStatusCode: 400 } }), new TypeError('bug'));
    await expect(durable.start('review', 'bad name', {})).rejects.toThrow('InvalidName happened');
    await expect(durable.sendTaskSuccess('tok', {})).rejects.toThrow('bug');
    expect(retries.items.size).toBe(0);
    expect(retries.audit).toEqual([]);
  });

  it('when recording fails too, the original error is what the caller gets', async () => {
    const { engine, retries, durable } = setup();
    const original = named('ServiceUnavailable');
    engine.failures.push(original);
    retries.failRecord = named('ResourceNotFoundException');
    await expect(durable.sendTaskSuccess('tok', {})).rejects.toBe(original);
  });
});

describe('the deadline action', () => {
  async function deferred(kind: 'start' | 'success') {
    const s = setup();
    s.engine.failures.push(named('ThrottlingException'));
    if (kind === 'start')
      await expect(s.durable.start('review', 'app-A1', { applicationId: 'A1' })).rejects.toThrow();
    else await expect(s.durable.sendTaskSuccess('tok-1', { decision: 'pass' }, subject)).rejects.toThrow();
    const { retry } = s.retries.only();
    return { ...s, id: retry.id };
  }
  const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * MIN);

  it('repeats the call; on success deletes the record and audits it', async () => {
    const { engine, retries, action, id } = await deferred('start');
    expect(await action(retries.entry(id), at(1))).toBe(true);
    expect(engine.calls).toEqual(['start review app-A1', 'start review app-A1']);
    expect(retries.items.size).toBe(0);
    expect(retries.audit.at(-1)).toMatchObject({
      action: 'workflow.call_retried',
      entityId: 'A1',
      detail: { attempts: 2, alreadyStarted: false },
    });
    expect(retries.notifications).toEqual([]);
  });

  it('a second run with the same due entry changes nothing (the claim is conditional)', async () => {
    const { engine, retries, action, id } = await deferred('start');
    const entry = retries.entry(id);
    engine.failures.push(named('ServiceUnavailable'));
    expect(await action(entry, at(1))).toBe(true);
    expect(await action(entry, at(1))).toBe(false);
    expect(engine.calls).toHaveLength(2);
  });

  it('still failing: rescheduled 2, 4 … minutes later, then at most hourly; gives up after the last attempt', async () => {
    // Prepare
    const { engine, retries, action, id } = await deferred('success');
    let minutes = 0;
    const waits: number[] = [];

    // Act: every repeat is throttled
    for (let attempt = 2; attempt <= MAX_WORKFLOW_CALL_ATTEMPTS; attempt += 1) {
      const stored = retries.items.get(id);
      if (!stored) break;
      const due = Date.parse(stored.retry.nextAt);
      minutes = (due - Date.parse(NOW)) / MIN;
      engine.failures.push(named('ThrottlingException'));
      expect(await action(retries.entry(id), at(minutes))).toBe(true);
      const after = retries.items.get(id);
      if (after) waits.push((Date.parse(after.retry.nextAt) - due) / MIN);
    }

    // Assess
    expect(waits).toEqual([2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
    expect(engine.calls).toHaveLength(MAX_WORKFLOW_CALL_ATTEMPTS);
    expect(retries.items.size).toBe(0);
    const deferredAudits = retries.audit.filter((a) => a.action === 'workflow.call_deferred');
    expect(deferredAudits.map((a) => a.detail.attempts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(retries.audit.at(-1)).toMatchObject({
      action: 'workflow.call_abandoned',
      entityType: 'application',
      entityId: 'A1',
      detail: { reason: 'TooManyAttempts', lastError: 'ThrottlingException', attempts: 12, taskId: 't1' },
    });
    expect(retries.notifications).toEqual([
      expect.objectContaining({
        recipient: { role: 'officer' },
        event: 'workflow.call_abandoned',
        entityId: 'A1',
      }),
    ]);
  });

  it.each([
    ['TaskTimedOut', true],
    ['TaskDoesNotExist', true],
    ['InvalidToken', true],
    ['InvalidOutput', true],
  ])('%s on repeat: abandoned at once, officers told: %s', async (name, told) => {
    const { engine, retries, action, id } = await deferred('success');
    engine.failures.push(named(name, { $metadata: { httpStatusCode: 400 } }));
    expect(await action(retries.entry(id), at(1))).toBe(true);
    expect(retries.items.size).toBe(0);
    expect(retries.audit.at(-1)).toMatchObject({
      action: 'workflow.call_abandoned',
      detail: { reason: name, attempts: 2 },
    });
    expect(retries.notifications).toHaveLength(told ? 1 : 0);
    expect(JSON.stringify(retries.notifications)).not.toContain('tok-1');
  });

  it('ExecutionAlreadyExists on repeat: it already happened, abandoned without telling anyone', async () => {
    const { engine, retries, action, id } = await deferred('start');
    engine.failures.push(named('ExecutionAlreadyExists', { $metadata: { httpStatusCode: 400 } }));
    expect(await action(retries.entry(id), at(1))).toBe(true);
    expect(retries.audit.at(-1)).toMatchObject({
      action: 'workflow.call_abandoned',
      detail: { reason: 'ExecutionAlreadyExists' },
    });
    expect(retries.notifications).toEqual([]);
  });
});
