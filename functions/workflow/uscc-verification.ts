import * as z from 'zod';
import { DynamoHumanTaskStore } from '../adapters/human-task-store.ts';
import { DynamoVerificationOutcomeStore } from '../adapters/organisation-store.ts';
import { finishTask, openHumanTask } from '../core/human-tasks.ts';
import { notifyVerificationOutcome, recordVerificationFailure } from '../core/verification-outcome.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { ValidationError } from '../shared/errors.ts';
import { logger } from '../shared/powertools.ts';

/**
 * Task handler of the `uscc-verification` state machine (Art. 9(1), infra/workflows/uscc-verification.ts).
 * Dispatches on `input.action`; every action is idempotent, because Step Functions retries tasks and the
 * local engine re-invokes a waiting step when it resumes after a restart.
 */
const Name = z.string().min(1).max(256);
const Input = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('openHumanTask'),
    kind: z.string().min(1),
    orgId: Name,
    executionName: Name,
    stateName: Name,
    taskToken: z.string().min(1),
  }),
  z.object({ action: z.literal('notifyOutcome'), orgId: Name, decision: z.record(z.string(), z.unknown()) }),
  z.object({ action: z.literal('markTimedOut'), orgId: Name, executionName: Name, stateName: Name }),
  z.object({
    action: z.literal('recordFailure'),
    orgId: Name,
    executionName: Name,
    error: z.unknown().optional(),
  }),
]);
export type UsccVerificationInput = z.input<typeof Input>;

const tasks = new DynamoHumanTaskStore();
const outcomes = new DynamoVerificationOutcomeStore();

export const handler = async (input: unknown): Promise<Record<string, unknown>> => {
  const parsed = Input.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(`uscc-verification: invalid task input: ${parsed.error.message}`);
  }
  const i = parsed.data;
  switch (i.action) {
    case 'openHumanTask': {
      const { created, task } = await openHumanTask(
        { tasks, clock, dueDays: env().VERIFICATION_DUE_DAYS },
        {
          kind: i.kind,
          executionName: i.executionName,
          stateName: i.stateName,
          taskToken: i.taskToken,
          payload: i,
        },
      );
      logger.info('human task open', { taskId: task.id, created });
      return { taskId: task.id, created };
    }
    case 'notifyOutcome':
      return notifyVerificationOutcome({ repo: outcomes, clock }, i.orgId, i.decision);
    case 'markTimedOut':
      return {
        timedOut: await finishTask({ tasks, clock }, i.executionName, i.stateName, 'timed_out', {
          orgId: i.orgId,
        }),
      };
    case 'recordFailure': {
      const current = await tasks.current('organisation', i.orgId);
      if (current && current.executionName === i.executionName) {
        await finishTask({ tasks, clock }, i.executionName, current.stateName, 'failed', {
          orgId: i.orgId,
          error: i.error ?? null,
        });
      }
      return recordVerificationFailure({ repo: outcomes, clock }, i.orgId, i.executionName, i.error);
    }
  }
};
