import '../adapters/sfn-engine.ts';
import * as z from 'zod';
import { dynamoReviewDeps } from '../adapters/review-store.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import {
  closeWithdrawnTask,
  ensureStatus,
  finaliseReview,
  markSupplementExpired,
  openReviewStep,
  REVIEW_DUE_DAYS,
  recordReviewFailure,
} from '../core/review.ts';
import { clock } from '../shared/clock.ts';
import { ValidationError } from '../shared/errors.ts';
import { logger } from '../shared/powertools.ts';

/**
 * Task handler of the `review` state machine (Art. 8(2)–(4), infra/workflows/review.ts). Dispatches on
 * `input.action`; every action is idempotent, because Step Functions retries tasks and the local engine
 * re-invokes a waiting step when it resumes after a restart.
 */
const Name = z.string().min(1).max(256);
const Base = {
  applicationId: Name,
  callId: Name,
  round: z.number().int().min(0).default(0),
  executionName: Name,
};
const Input = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('openHumanTask'),
    kind: z.enum([
      'preliminary_review',
      'supplement',
      'expert_assignment',
      'expert_review',
      'site_inspection',
      'listing',
    ]),
    ...Base,
    stateName: Name,
    taskToken: z.string().min(1),
  }),
  z.object({ action: z.literal('recordRejection'), ...Base }),
  z.object({ action: z.literal('markAwaitingRanking'), ...Base }),
  z.object({ action: z.literal('markInspectionFailed'), ...Base }),
  z.object({ action: z.literal('finalise'), ...Base, listing: z.record(z.string(), z.unknown()) }),
  z.object({ action: z.literal('markSupplementExpired'), ...Base }),
  z.object({ action: z.literal('closeWithdrawnTask'), ...Base }),
  z.object({
    action: z.literal('markStepTimedOut'),
    ...Base,
    stateName: Name,
    error: z.unknown().optional(),
  }),
  z.object({ action: z.literal('recordFailure'), ...Base, error: z.unknown().optional() }),
]);
export type ReviewTaskInput = z.input<typeof Input>;

const deps = dynamoReviewDeps({
  workflows: workflowEngine,
  clock,
  dueDays: REVIEW_DUE_DAYS,
  onWorkflowError: (error, context) =>
    logger.error('workflow call failed', { ...context, error: error as Error }),
});

export const handler = async (input: unknown): Promise<Record<string, unknown>> => {
  const parsed = Input.safeParse(input);
  if (!parsed.success) throw new ValidationError(`review: invalid task input: ${parsed.error.message}`);
  const i = parsed.data;
  switch (i.action) {
    case 'openHumanTask': {
      const opened = await openReviewStep(deps, i);
      logger.info('review step open', { ...opened, kind: i.kind, applicationId: i.applicationId });
      return opened;
    }
    case 'recordRejection':
      return ensureStatus(deps, i.applicationId, 'rejected', ['preliminary_review']);
    case 'markAwaitingRanking':
      return ensureStatus(deps, i.applicationId, 'awaiting_ranking', ['site_inspection']);
    case 'markInspectionFailed':
      return ensureStatus(deps, i.applicationId, 'inspection_failed', ['site_inspection']);
    case 'finalise':
      return finaliseReview(deps, i.applicationId, i.listing);
    case 'markSupplementExpired':
      return markSupplementExpired(deps, i.applicationId);
    case 'closeWithdrawnTask':
      return closeWithdrawnTask(deps, i);
    case 'markStepTimedOut':
      return recordReviewFailure(deps, {
        applicationId: i.applicationId,
        executionName: i.executionName,
        kind: 'timed_out',
        stateName: i.stateName,
        round: i.round,
        error: i.error ?? null,
      });
    case 'recordFailure':
      return recordReviewFailure(deps, {
        applicationId: i.applicationId,
        executionName: i.executionName,
        kind: 'failed',
        error: i.error ?? null,
      });
  }
};
