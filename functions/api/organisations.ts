import '../adapters/sfn-engine.ts';
import type { z } from 'zod';
import { DynamoHumanTaskStore } from '../adapters/human-task-store.ts';
import { ulidIds } from '../adapters/ids.ts';
import { DynamoOrganisationStore } from '../adapters/organisation-store.ts';
import { registry } from '../adapters/registry.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import {
  decideVerification,
  getMyOrganisation,
  getOrganisation,
  type OrganisationDeps,
  registerOrganisation,
} from '../core/organisations.ts';
import { clock } from '../shared/clock.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { logger } from '../shared/powertools.ts';
import { spineRoutes } from './routes/spine.ts';
import type {
  CreateOrganisationBody,
  OrgIdParams,
  VerificationDecisionBody,
} from './schemas/organisations.ts';

/** Organisation routes (Art. 3, Art. 9(1)): register, read (by id or the caller's own), manual USCC verification. */
const orgs = new DynamoOrganisationStore();
const deps: OrganisationDeps = {
  orgs,
  tasks: new DynamoHumanTaskStore(),
  workflows: workflowEngine,
  clock,
  ids: ulidIds,
  onWorkflowError: (error, context) =>
    logger.error('workflow call failed', { ...context, error: error as Error }),
};

type OrgReq<B = unknown> = AuthedRequest<z.infer<typeof OrgIdParams>, Record<string, never>, B>;

export const handler = routeGroupHandler(
  'organisations',
  spineRoutes,
  {
    createOrganisation: (req: OrgReq<z.infer<typeof CreateOrganisationBody>>) =>
      registerOrganisation(deps, req.principal, req.body, req.idempotency),
    getMyOrganisation: async (req: OrgReq) => ({
      status: 200,
      body: await getMyOrganisation({ orgs }, req.principal),
    }),
    getOrganisation: async (req: OrgReq) => ({
      status: 200,
      body: await getOrganisation(deps, req.principal, req.params.orgId),
    }),
    decideOrganisationVerification: async (req: OrgReq<z.infer<typeof VerificationDecisionBody>>) => ({
      status: 200,
      body: await decideVerification(deps, req.principal, req.params.orgId, req.body),
    }),
  },
  { idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now) },
);
