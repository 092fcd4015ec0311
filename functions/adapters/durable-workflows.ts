import type { AuditEvent } from '../core/audit.ts';
import { dueKeys } from '../core/deadlines.ts';
import { type NotificationInput, notificationItem } from '../core/notifications.ts';
import {
  durableWorkflows,
  type RetryableWorkflows,
  WORKFLOW_RETRY_DUE,
  type WorkflowCall,
  type WorkflowRetry,
  type WorkflowRetryRepo,
} from '../core/workflow-retries.ts';
import { clock } from '../shared/clock.ts';
import { ConflictError } from '../shared/errors.ts';
import { logger } from '../shared/powertools.ts';
import { type Key, type Registry, registry } from './registry.ts';
import { DUE_SHARDS, TTL_ATTRIBUTE } from './table-schema.ts';

/**
 * Deferred workflow calls in the registry (see `core/workflow-retries.ts`):
 * `pk=WFRETRY#<retry id>`, `sk=WFRETRY`, in the due index as `<nextAt>#wfretry#<retry id>`.
 * The item holds what repeating the call needs (`callJson`: execution name and input, or the task token
 * with its output or error) — a secret: no API route reads this key space. It is deleted when the call
 * is done or given up, and expires by TTL a week after its next attempt in any case.
 */
const PREFIX = 'WFRETRY#';
const TTL_AFTER_NEXT_ATTEMPT_SECONDS = 7 * 24 * 3600;

export const workflowRetryKey = (id: string): Key => ({ pk: `${PREFIX}${id}`, sk: 'WFRETRY' });

const ttlOf = (nextAt: string): number =>
  Math.floor(Date.parse(nextAt) / 1000) + TTL_AFTER_NEXT_ATTEMPT_SECONDS;

const dueSkCondition = (dueSk: string) => ({
  expression: '#dueSk = :dueSk',
  names: { '#dueSk': 'dueSk' },
  values: { ':dueSk': dueSk },
});

/** Whether a failed transaction lost a race (its condition failed) rather than the service failing. */
const lostRace = (e: unknown): boolean => e instanceof ConflictError;

export class DynamoWorkflowRetryStore implements WorkflowRetryRepo {
  constructor(private readonly reg: Pick<Registry, 'transact'> = registry()) {}

  async record(retry: WorkflowRetry, audit: AuditEvent): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'put',
            ifNew: true,
            item: {
              ...workflowRetryKey(retry.id),
              type: 'workflow-retry',
              id: retry.id,
              callKind: retry.call.kind,
              callJson: JSON.stringify(retry.call),
              attempts: retry.attempts,
              createdAt: retry.createdAt,
              nextAt: retry.nextAt,
              lastError: retry.lastError,
              ...dueKeys(retry.nextAt, WORKFLOW_RETRY_DUE, retry.id, DUE_SHARDS),
              [TTL_ATTRIBUTE]: ttlOf(retry.nextAt),
            },
          },
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (lostRace(e)) return false;
      throw e;
    }
  }

  fromItem(item: Record<string, unknown>): WorkflowRetry | undefined {
    if (item.type !== 'workflow-retry' || typeof item.callJson !== 'string') return undefined;
    return {
      id: String(item.id),
      call: JSON.parse(item.callJson) as WorkflowCall,
      attempts: Number(item.attempts),
      createdAt: String(item.createdAt),
      nextAt: String(item.nextAt),
      lastError: String(item.lastError ?? ''),
    };
  }

  async claim(
    retry: WorkflowRetry,
    readDueSk: string,
    attempts: number,
    nextAt: string,
  ): Promise<string | undefined> {
    const next = dueKeys(nextAt, WORKFLOW_RETRY_DUE, retry.id, DUE_SHARDS);
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: workflowRetryKey(retry.id),
            set: { attempts, nextAt, ...next, [TTL_ATTRIBUTE]: ttlOf(nextAt) },
            condition: dueSkCondition(readDueSk),
          },
        ],
      });
      return next.dueSk;
    } catch (e) {
      if (lostRace(e)) return undefined;
      throw e;
    }
  }

  async failed(
    retry: WorkflowRetry,
    claimedDueSk: string,
    lastError: string,
    audit: AuditEvent,
  ): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          {
            kind: 'update',
            key: workflowRetryKey(retry.id),
            set: { lastError },
            condition: dueSkCondition(claimedDueSk),
          },
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (lostRace(e)) return false;
      throw e;
    }
  }

  async finish(
    retry: WorkflowRetry,
    claimedDueSk: string,
    audit: AuditEvent,
    notifications: readonly NotificationInput[],
  ): Promise<boolean> {
    try {
      await this.reg.transact({
        ops: [
          { kind: 'delete', key: workflowRetryKey(retry.id), condition: dueSkCondition(claimedDueSk) },
          // `at` is this run's instant, so a repeated finish (after a lost answer) writes a fresh item.
          ...notifications.map((n) => ({ kind: 'put' as const, item: notificationItem(n) })),
        ],
        audit: [audit],
      });
      return true;
    } catch (e) {
      if (lostRace(e)) return false;
      throw e;
    }
  }
}

/**
 * The engine the functions use: `engine` with failed-and-retryable calls recorded for the deadline job
 * (`durableWorkflows`), logged here too. A failure to record is logged and the call's error rethrown.
 */
export function durableWorkflowEngine(
  engine: RetryableWorkflows,
  retries: Pick<WorkflowRetryRepo, 'record'> = new DynamoWorkflowRetryStore(),
): RetryableWorkflows {
  return durableWorkflows(engine, {
    retries,
    clock,
    onDeferred: (retry) =>
      logger.warn('workflow call deferred: the deadline job retries it', {
        retryId: retry.id,
        call: retry.call.kind,
        reason: retry.lastError,
        nextAt: retry.nextAt,
      }),
    onRecordError: (error, retry) =>
      logger.error('workflow call could not be recorded for a retry', {
        retryId: retry.id,
        call: retry.call.kind,
        error: error as Error,
      }),
  });
}
