import '../adapters/sfn-engine.ts';
import type { z } from 'zod';
import { DynamoExpertStore } from '../adapters/expert-store.ts';
import { ulidIds } from '../adapters/ids.ts';
import { registry } from '../adapters/registry.ts';
import { dynamoReviewDeps } from '../adapters/review-store.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import { listExperts, registerExpert } from '../core/experts.ts';
import * as uc from '../core/review.ts';
import { REVIEW_DUE_DAYS } from '../core/review.ts';
import { clock } from '../shared/clock.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { logger } from '../shared/powertools.ts';
import { reviewRoutes } from './routes/review.ts';
import type * as s from './schemas/review.ts';

/** Review routes (Art. 8(2)–(4)): preliminary review, experts, scores, site inspection, ranking, the list. */
const deps = dynamoReviewDeps({
  workflows: workflowEngine,
  clock,
  dueDays: REVIEW_DUE_DAYS,
  onWorkflowError: (error, context) =>
    logger.error('workflow call failed', { ...context, error: error as Error }),
});
const experts = { experts: new DynamoExpertStore(), clock, ids: ulidIds };

type AppReq<B = unknown> = AuthedRequest<z.infer<typeof s.ApplicationIdParams>, Record<string, never>, B>;
type CallReq<B = unknown> = AuthedRequest<z.infer<typeof s.CallIdParams>, Record<string, never>, B>;
const ok = (body: unknown) => ({ status: 200, body });
const created = (body: unknown) => ({ status: 201, body });

export const handler = routeGroupHandler(
  'review',
  reviewRoutes,
  {
    decidePreliminaryReview: async (req: AppReq<z.infer<typeof s.PreliminaryReviewBody>>) =>
      ok(await uc.decidePreliminaryReview(deps, req.principal, req.params.id, req.body)),
    createExpert: (
      req: AuthedRequest<Record<string, never>, Record<string, never>, z.infer<typeof s.CreateExpertBody>>,
    ) => registerExpert(experts, req.principal, req.body, req.idempotency),
    listExperts: async (req: AuthedRequest<Record<string, never>, z.infer<typeof s.ExpertListQuery>>) =>
      ok(await listExperts(experts, req.query)),
    assignExperts: async (req: AppReq<z.infer<typeof s.AssignExpertsBody>>) =>
      ok(await uc.assignExperts(deps, req.principal, req.params.id, req.body)),
    submitExpertReview: async (req: AppReq<z.infer<typeof s.ReviewBody>>) =>
      created(await uc.submitReview(deps, req.principal, req.params.id, req.body)),
    recordSiteInspection: async (req: AppReq<z.infer<typeof s.SiteInspectionBody>>) =>
      created(await uc.recordSiteInspection(deps, req.principal, req.params.id, req.body)),
    getRanking: async (req: CallReq) => ok(await uc.getRanking(deps, req.params.callId)),
    proposeList: (req: CallReq<z.infer<typeof s.ProposedListBody>>) =>
      uc.proposeList(deps, req.principal, req.params.callId, req.body, req.idempotency),
    retryReview: async (req: AppReq) => ok(await uc.retryReview(deps, req.principal, req.params.id)),
    decideProposedList: async (req: CallReq<z.infer<typeof s.ListDecisionBody>>) =>
      ok(await uc.decideList(deps, req.principal, req.params.callId, req.body)),
  },
  { idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now) },
);
