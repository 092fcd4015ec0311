import * as z from 'zod';
import { CYCLE_STATUSES, EVALUATION_STATUSES } from '../../core/evaluations.ts';
import { GRADES } from '../../core/grading.ts';
import { SHARING_SCOPES } from '../../core/sharing.ts';
import { CreateEvidenceBody, EvidenceSchema, UploadTicketSchema } from './applications.ts';
import { ScoringCriterionSchema } from './calls.ts';
import { IdParam, Instant, PageQuery } from './common.ts';

/** The annual evaluation (Art. 12): cycles, self-evaluation reports, grades, the sign-off. */
export const YearParams = z.object({
  year: z.string().regex(/^(20\d\d|2100)$/, 'a year 2000–2100'),
});
export const EvaluationParams = YearParams.extend({ platformId: IdParam });
export const ReportEvidenceParams = EvaluationParams.extend({ evidenceId: IdParam });
export const EvaluationListQuery = PageQuery;

const Score = z.number().gt(0).max(100);
export const BandsSchema = z
  .object({ excellent: Score, good: Score, qualified: Score })
  .strict()
  .describe('lower score bounds (inclusive), descending; below qualified is unqualified')
  .meta({ id: 'ScoreBands' });

export const CreateCycleBody = z
  .object({
    year: z.number().int().min(2000).max(2100),
    reportDeadline: z
      .string()
      .min(10)
      .max(40)
      .describe('YYYY-MM-DD (23:59:59.999 that day, Asia/Shanghai) or an ISO instant with offset'),
    criteria: z.array(ScoringCriterionSchema).min(1).max(30),
    bands: BandsSchema.optional().describe('default excellent ≥ 90, good ≥ 75, qualified ≥ 60'),
  })
  .strict()
  .meta({ id: 'CreateEvaluationCycle' });

export const CycleSchema = z
  .object({
    year: z.number().int(),
    reportDeadline: Instant,
    criteria: z.array(ScoringCriterionSchema),
    bands: BandsSchema,
    status: z.enum(CYCLE_STATUSES),
    createdBy: z.string(),
    createdAt: Instant,
    updatedAt: Instant,
    openedAt: Instant.optional(),
    finalizedAt: Instant.optional(),
    version: z.number().int(),
  })
  .meta({ id: 'EvaluationCycle' });

export const OpenCycleSchema = z
  .object({
    year: z.number().int(),
    status: z.enum(CYCLE_STATUSES),
    openedAt: Instant,
    evaluations: z.number().int().describe('platforms active at the opening'),
    created: z.number().int().describe('evaluations created by this call (0 when repeated)'),
  })
  .meta({ id: 'OpenedEvaluationCycle' });

export const FinalizeSchema = z
  .object({
    year: z.number().int(),
    status: z.literal('finalized'),
    finalizedAt: Instant,
    counts: z.record(z.string(), z.number().int()).describe('evaluations per status after the sign-off'),
  })
  .meta({ id: 'FinalizedEvaluationCycle' });

const Count = z.number().int().min(0).max(10_000_000);
export const ReportBody = z
  .object({
    enterprisesServed: Count.describe('enterprises served in the year (Art. 9(4): ≥ 30 expected)'),
    partnerCount: Count.describe('partner institutions'),
    cases: Count.describe('application cases of the year'),
    vouchersIssued: Count.describe('compute vouchers issued'),
    vouchersSettled: Count.describe('compute vouchers settled'),
    narrative: z.string().trim().min(1).max(20_000),
    evidenceIds: z.array(IdParam).max(50).optional().describe('verified platform evidence'),
  })
  .strict()
  .meta({ id: 'SelfEvaluationReport' });

export const GradeBody = z
  .object({
    scores: z.record(z.string(), z.number()).describe('a score for every criterion of the cycle, 0–max'),
    grade: z.enum(GRADES).optional().describe('only to override the grade the bands give'),
    overrideReason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .meta({ id: 'GradeEvaluation' });

export const EvaluationSchema = z
  .object({
    id: z.string(),
    year: z.number().int(),
    platformId: z.string(),
    hostName: z.string(),
    status: z.enum(EVALUATION_STATUSES),
    reportDeadline: Instant,
    report: ReportBody.extend({ evidenceIds: z.array(z.string()) }).optional(),
    reportSubmittedAt: Instant.optional(),
    evidenceManifest: z
      .array(z.object({ evidenceId: z.string(), kind: z.string(), sha256: z.string() }).passthrough())
      .optional(),
    score: z.number().optional(),
    bandGrade: z.enum(GRADES).optional(),
    grade: z.enum(GRADES).optional(),
    overrideReason: z.string().optional(),
    publishedAt: Instant.optional(),
    finalizedAt: Instant.optional(),
    version: z.number().int().optional(),
    ledgerFigures: z
      .object({
        enterprisesServed: z.number().int(),
        committedEnterprises: z.number().int(),
        meetsCommitment: z.boolean(),
      })
      .optional()
      .describe(
        'from the voucher ledger (Art. 6(3)): distinct enterprises that redeemed a voucher through the platform that year — the figure to report as enterprisesServed, checked against the Art. 9(4) commitment',
      ),
    withheld: z
      .array(z.enum(SHARING_SCOPES))
      .optional()
      .describe(
        'observers only (Art. 11): the sharing scopes left out for want of the data owner’s valid consent — `reports` (the report, its submission time and evidence manifest), `vouchers` (ledgerFigures)',
      ),
  })
  .passthrough()
  .describe(
    'observers see status always, score and grade once published; the submitted report only under a valid `reports` consent and ledgerFigures only under a valid `vouchers` consent (Art. 11)',
  )
  .meta({ id: 'Evaluation' });

export const EvaluationPageSchema = z.object({
  items: z.array(EvaluationSchema),
  nextCursor: z.string().optional(),
});

export { CreateEvidenceBody as CreateReportEvidenceBody, EvidenceSchema, UploadTicketSchema };
