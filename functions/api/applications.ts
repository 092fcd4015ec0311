import '../adapters/sfn-engine.ts';
import type { z } from 'zod';
import { DynamoApplicationStore, DynamoEvidenceRepo } from '../adapters/application-store.ts';
import { DynamoCallStore } from '../adapters/call-store.ts';
import { EvidenceStore } from '../adapters/evidence-store.ts';
import { DynamoHumanTaskStore } from '../adapters/human-task-store.ts';
import { ulidIds } from '../adapters/ids.ts';
import { registry } from '../adapters/registry.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import * as uc from '../core/applications.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { ValidationError } from '../shared/errors.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { logger } from '../shared/powertools.ts';
import { applicationRoutes } from './routes/applications.ts';
import type * as s from './schemas/applications.ts';

/** Application and evidence routes (Art. 8(1), Art. 9, Art. 11). */
const deps: uc.ApplicationDeps = {
  apps: new DynamoApplicationStore(),
  evidence: new DynamoEvidenceRepo(),
  files: new EvidenceStore(),
  calls: new DynamoCallStore(),
  tasks: new DynamoHumanTaskStore(),
  workflows: workflowEngine,
  clock,
  ids: ulidIds,
  get malwareScan() {
    return env().EVIDENCE_MALWARE_SCAN;
  },
  onWorkflowError: (error, context) =>
    logger.error('workflow call failed', { ...context, error: error as Error }),
};

type Req<P = z.infer<typeof s.ApplicationIdParams>, B = unknown, Q = Record<string, never>> = AuthedRequest<
  P,
  Q,
  B
>;
type EvReq = Req<z.infer<typeof s.EvidenceIdParams>>;
const ok = (body: unknown) => ({ status: 200, body });

/** `If-Match: 3` or `If-Match: "3"` (the application's version); 400 otherwise. */
function ifMatch(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = headers['if-match']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw);
  if (!m?.[1]) {
    throw new ValidationError('If-Match must be the application’s version, e.g. If-Match: "3".', [
      { path: 'headers.if-match', message: 'a version number' },
    ]);
  }
  return Number(m[1]);
}

export const handler = routeGroupHandler(
  'applications',
  applicationRoutes,
  {
    createApplication: (req: Req<z.infer<typeof s.CallIdParams>, z.infer<typeof s.CreateApplicationBody>>) =>
      uc.createApplication(deps, req.principal, req.params.callId, req.body, req.idempotency),
    patchApplication: async (
      req: Req<z.infer<typeof s.ApplicationIdParams>, z.infer<typeof s.PatchApplicationBody>>,
    ) => ok(await uc.patchApplication(deps, req.principal, req.params.id, req.body, ifMatch(req.headers))),
    getApplication: async (req: Req) => ok(await uc.getApplication(deps, req.principal, req.params.id)),
    listApplications: async (
      req: Req<Record<string, never>, unknown, z.infer<typeof s.ApplicationListQuery>>,
    ) => ok(await uc.listApplications(deps, req.principal, req.query)),
    submitApplication: async (req: Req) => ok(await uc.submitApplication(deps, req.principal, req.params.id)),
    withdrawApplication: async (
      req: Req<z.infer<typeof s.ApplicationIdParams>, z.infer<typeof s.WithdrawBody>>,
    ) => ok(await uc.withdrawApplication(deps, req.principal, req.params.id, req.body?.reason)),
    createEvidence: (req: Req<z.infer<typeof s.ApplicationIdParams>, z.infer<typeof s.CreateEvidenceBody>>) =>
      uc.createEvidenceUpload(deps, req.principal, req.params.id, req.body, req.idempotency),
    confirmEvidence: async (req: EvReq) => {
      const ev = await uc.confirmEvidence(deps, req.principal, req.params.id, req.params.evidenceId);
      return ok({ evidenceId: ev.evidenceId, status: ev.status });
    },
    listEvidence: async (req: Req) =>
      ok({ items: await uc.listEvidence(deps, req.principal, req.params.id) }),
    downloadEvidence: async (req: EvReq) =>
      ok(await uc.downloadEvidence(deps, req.principal, req.params.id, req.params.evidenceId)),
  },
  { idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now) },
);
