import '../adapters/sfn-engine.ts';
import * as z from 'zod';
import { dynamoEvaluationDeps } from '../adapters/evaluation-store.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import {
  ensureEnded,
  ensurePublished,
  openEvaluationStep,
  recordEvaluationFailure,
} from '../core/evaluations.ts';
import { clock } from '../shared/clock.ts';
import { ValidationError } from '../shared/errors.ts';
import { logger } from '../shared/powertools.ts';

/**
 * Task handler of the `annual-evaluation` state machine (Art. 12, infra/workflows/annual-evaluation.ts).
 * Dispatches on `input.action`; every action is idempotent (Step Functions retries tasks, and the local
 * engine re-invokes a waiting step when it resumes after a restart).
 */
const Name = z.string().min(1).max(256);
const Base = {
  year: z.number().int().min(2000).max(2100),
  platformId: Name,
  evaluationId: Name,
  executionName: Name,
};
const Input = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('openHumanTask'),
    kind: z.enum(['evaluation_report', 'evaluation_grading', 'evaluation_signoff']),
    ...Base,
    stateName: Name,
    taskToken: z.string().min(1),
  }),
  z.object({ action: z.literal('publish'), ...Base }),
  z.object({ action: z.literal('markOverdue'), ...Base }),
  z.object({ action: z.literal('markNotGraded'), ...Base }),
  z.object({ action: z.literal('recordFailure'), ...Base, error: z.unknown().optional() }),
]);
export type EvaluationTaskInput = z.input<typeof Input>;

const deps = dynamoEvaluationDeps({
  workflows: workflowEngine,
  clock,
  onWorkflowError: (error, context) =>
    logger.error('workflow call failed', { ...context, error: error as Error }),
});

export const handler = async (input: unknown): Promise<Record<string, unknown>> => {
  const parsed = Input.safeParse(input);
  if (!parsed.success)
    throw new ValidationError(`annual-evaluation: invalid task input: ${parsed.error.message}`);
  const i = parsed.data;
  switch (i.action) {
    case 'openHumanTask': {
      const opened = await openEvaluationStep(deps, i);
      logger.info('evaluation step open', { ...opened, kind: i.kind, evaluationId: i.evaluationId });
      return opened;
    }
    case 'publish':
      return ensurePublished(deps, i.year, i.platformId);
    case 'markOverdue':
      return ensureEnded(deps, i.year, i.platformId, 'overdue');
    case 'markNotGraded':
      return ensureEnded(deps, i.year, i.platformId, 'not_graded');
    case 'recordFailure':
      return recordEvaluationFailure(deps, i.year, i.platformId, i.error ?? null);
  }
};
