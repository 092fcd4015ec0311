import type { Clock } from '../shared/clock.ts';

/**
 * Ports the use cases receive as arguments (`{ repo, workflows, clock, ids }`): core never imports an
 * adapter, so unit tests pass in-memory fakes and integration tests the real DynamoDB adapters.
 */
export interface IdSource {
  next(): string;
}

/**
 * What a workflow call is about (optional on every call): engines ignore it; a call that fails and is
 * retried later (`core/workflow-retries.ts`) is audited on this entity, and staff are pointed at it.
 */
export interface WorkflowCallSubject {
  readonly entityType: string;
  readonly entityId: string;
  readonly taskId?: string;
  readonly taskKind?: string;
}

/** The part of the workflow engine the use cases drive (structurally the adapters' WorkflowEngine). */
export interface Workflows {
  start(
    workflow: string,
    executionName: string,
    input: Record<string, unknown>,
    about?: WorkflowCallSubject,
  ): Promise<{ executionId: string; alreadyStarted: boolean }>;
  sendTaskSuccess(
    taskToken: string,
    output: Record<string, unknown>,
    about?: WorkflowCallSubject,
  ): Promise<void>;
}

export type { Clock };
