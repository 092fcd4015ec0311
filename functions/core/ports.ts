import type { Clock } from '../shared/clock.ts';

/**
 * Ports the use cases receive as arguments (`{ repo, workflows, clock, ids }`): core never imports an
 * adapter, so unit tests pass in-memory fakes and integration tests the real DynamoDB adapters.
 */
export interface IdSource {
  next(): string;
}

/** The part of the workflow engine the use cases drive (structurally the adapters' WorkflowEngine). */
export interface Workflows {
  start(
    workflow: string,
    executionName: string,
    input: Record<string, unknown>,
  ): Promise<{ executionId: string; alreadyStarted: boolean }>;
  sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void>;
}

export type { Clock };
