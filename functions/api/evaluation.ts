import '../adapters/sfn-engine.ts';
import type { z } from 'zod';
import { dynamoEvaluationDeps } from '../adapters/evaluation-store.ts';
import { EvidenceStore } from '../adapters/evidence-store.ts';
import { ulidIds } from '../adapters/ids.ts';
import { DynamoPlatformEvidenceRepo } from '../adapters/platform-evidence-store.ts';
import { DynamoPlatformStore } from '../adapters/platform-store.ts';
import { registry } from '../adapters/registry.ts';
import { DynamoSharingStore } from '../adapters/sharing-store.ts';
import { DynamoVoucherStore } from '../adapters/voucher-store.ts';
import { workflowEngine } from '../adapters/workflow-engine.ts';
import * as uc from '../core/evaluations.ts';
import { confirmPlatformEvidence, createPlatformEvidence } from '../core/platform-evidence.ts';
import { enterprisesServed } from '../core/vouchers.ts';
import { clock } from '../shared/clock.ts';
import { env } from '../shared/env.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { logger } from '../shared/powertools.ts';
import { evaluationRoutes } from './routes/evaluation.ts';
import type * as s from './schemas/evaluation.ts';

/** Annual evaluation routes (Art. 12): cycles, reports with evidence, grading, sign-off. */
const deps = dynamoEvaluationDeps({
  workflows: workflowEngine,
  clock,
  onWorkflowError: (error, context) =>
    logger.error('workflow call failed', { ...context, error: error as Error }),
});
const evidenceDeps = {
  platforms: new DynamoPlatformStore(),
  evidence: new DynamoPlatformEvidenceRepo(),
  sharing: new DynamoSharingStore(),
  files: new EvidenceStore(),
  clock,
  ids: ulidIds,
  get malwareScan() {
    return env().EVIDENCE_MALWARE_SCAN;
  },
};
const reportEvidence: uc.ReportEvidencePort = {
  create: (principal, platformId, input, idem) =>
    createPlatformEvidence(evidenceDeps, principal, platformId, input, idem),
  confirm: (principal, platformId, evidenceId) =>
    confirmPlatformEvidence(evidenceDeps, principal, platformId, evidenceId),
};

/** What the voucher ledger tells the self-evaluation (read-only). */
const ledger = { vouchers: new DynamoVoucherStore(), platforms: new DynamoPlatformStore() };
type YearReq<B = unknown, Q = Record<string, never>> = AuthedRequest<z.infer<typeof s.YearParams>, Q, B>;
type EvalReq<B = unknown> = AuthedRequest<z.infer<typeof s.EvaluationParams>, Record<string, never>, B>;
type EvidenceReq = AuthedRequest<z.infer<typeof s.ReportEvidenceParams>>;
const ok = (body: unknown) => ({ status: 200, body });

export const handler = routeGroupHandler(
  'evaluation',
  evaluationRoutes,
  {
    createEvaluationCycle: (
      req: AuthedRequest<Record<string, never>, Record<string, never>, z.infer<typeof s.CreateCycleBody>>,
    ) => uc.createCycle(deps, req.principal, req.body, req.idempotency),
    getEvaluationCycle: async (req: YearReq) => ok(await uc.getCycle(deps, Number(req.params.year))),
    openEvaluationCycle: async (req: YearReq) =>
      ok(await uc.openCycle(deps, req.principal, Number(req.params.year))),
    listEvaluations: async (req: YearReq<unknown, z.infer<typeof s.EvaluationListQuery>>) =>
      ok(await uc.listEvaluations(deps, req.principal, Number(req.params.year), req.query)),
    getEvaluation: async (req: EvalReq) =>
      // Art. 6(3) → Art. 12: the voucher ledger's count of distinct enterprises served that year pre-fills
      // the self-evaluation report's `enterprisesServed` and checks the Art. 9(4) commitment (observers see
      // it only under a `vouchers` sharing consent, Art. 11).
      ok(
        await uc.getEvaluation(
          deps,
          req.principal,
          Number(req.params.year),
          req.params.platformId,
          async (id, y) => {
            const served = await enterprisesServed(ledger, id, y);
            return {
              enterprisesServed: served.count,
              committedEnterprises: served.committed,
              meetsCommitment: served.meetsCommitment,
            };
          },
        ),
      ),
    putEvaluationReport: async (req: EvalReq<z.infer<typeof s.ReportBody>>) =>
      ok(await uc.putReport(deps, req.principal, Number(req.params.year), req.params.platformId, req.body)),
    createReportEvidence: (req: EvalReq<z.infer<typeof s.CreateReportEvidenceBody>>) =>
      uc.createReportEvidence(
        deps,
        reportEvidence,
        req.principal,
        Number(req.params.year),
        req.params.platformId,
        req.body,
        req.idempotency,
      ),
    confirmReportEvidence: async (req: EvidenceReq) =>
      ok(
        await uc.confirmReportEvidence(
          deps,
          reportEvidence,
          req.principal,
          Number(req.params.year),
          req.params.platformId,
          req.params.evidenceId,
        ),
      ),
    submitEvaluationReport: async (req: EvalReq) =>
      ok(await uc.submitReport(deps, req.principal, Number(req.params.year), req.params.platformId)),
    gradeEvaluation: async (req: EvalReq<z.infer<typeof s.GradeBody>>) =>
      ok(
        await uc.gradeEvaluation(
          deps,
          req.principal,
          Number(req.params.year),
          req.params.platformId,
          req.body,
        ),
      ),
    finalizeEvaluationCycle: async (req: YearReq) =>
      ok(await uc.finalizeCycle(deps, req.principal, Number(req.params.year))),
  },
  { idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now) },
);
