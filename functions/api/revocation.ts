import '../adapters/sfn-engine.ts';
import type { z } from 'zod';
import { ulidIds } from '../adapters/ids.ts';
import { verifiedPlatformEvidence } from '../adapters/platform-evidence-store.ts';
import { registry } from '../adapters/registry.ts';
import {
  DynamoRevocationStore,
  gradesWithDeadlines,
  pendingEvaluationTasks,
} from '../adapters/revocation-store.ts';
import { policyEndDate } from '../adapters/settings-store.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import {
  decideRevocation,
  getRevocation,
  listCandidates,
  listRevocations,
  openRevocation,
  type RevocationDeps,
  respondToRevocation,
} from '../core/revocations.ts';
import { clock } from '../shared/clock.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { logger } from '../shared/powertools.ts';
import { revocationRoutes } from './routes/revocation.ts';
import type {
  CandidateListQuery,
  OpenRevocationBody,
  RevocationDecisionBody,
  RevocationIdParams,
  RevocationListQuery,
  RevocationPlatformParams,
  RevocationResponseBody,
} from './schemas/revocation.ts';

/** Revocation routes (Art. 13): candidates, cases, the host's response, the approver's decision. */
const store = new DynamoRevocationStore();
const deps: RevocationDeps = {
  revocations: store,
  platforms: store.platformsPort(),
  grades: (platformId) => gradesWithDeadlines(platformId),
  evidence: (platformId, ids) => verifiedPlatformEvidence(platformId, ids),
  evaluationTasks: (platformId) => pendingEvaluationTasks(platformId),
  failTask: async (token, error, cause, about) =>
    (await workflowEngine()).sendTaskFailure(token, error, cause, about),
  policyEndDate: () => policyEndDate(),
  clock,
  ids: ulidIds,
  onError: (error, context) =>
    logger.error('failing an evaluation step failed', { ...context, error: error as Error }),
};

type IdReq<B = unknown> = AuthedRequest<z.infer<typeof RevocationIdParams>, Record<string, never>, B>;

export const handler = routeGroupHandler(
  'revocation',
  revocationRoutes,
  {
    listRevocationCandidates: async (
      req: AuthedRequest<Record<string, never>, z.infer<typeof CandidateListQuery>>,
    ) => ({ status: 200, body: await listCandidates(deps, req.query) }),
    openRevocation: (
      req: AuthedRequest<
        z.infer<typeof RevocationPlatformParams>,
        Record<string, never>,
        z.infer<typeof OpenRevocationBody>
      >,
    ) => openRevocation(deps, req.principal, req.params.platformId, req.body, req.idempotency),
    listRevocations: async (
      req: AuthedRequest<Record<string, never>, z.infer<typeof RevocationListQuery>>,
    ) => ({
      status: 200,
      body: await listRevocations(deps, req.query),
    }),
    getRevocation: async (req: IdReq) => ({
      status: 200,
      body: await getRevocation(deps, req.principal, req.params.id),
    }),
    respondToRevocation: async (req: IdReq<z.infer<typeof RevocationResponseBody>>) => ({
      status: 200,
      body: await respondToRevocation(deps, req.principal, req.params.id, req.body),
    }),
    decideRevocation: async (req: IdReq<z.infer<typeof RevocationDecisionBody>>) => ({
      status: 200,
      body: await decideRevocation(deps, req.principal, req.params.id, req.body),
    }),
  },
  { idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now) },
);
