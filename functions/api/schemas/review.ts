import * as z from 'zod';
import { APPLICATION_STATUSES } from '../../core/recognition-model.ts';
import { IdParam, Instant, PageQuery } from './common.ts';

/** The review (Art. 8(2)–(4)): request and response schemas. */
const Opinion = z.string().trim().min(1).max(5_000);

export const ApplicationIdParams = z.object({ id: IdParam });
export const CallIdParams = z.object({ callId: IdParam });

export const PreliminaryReviewBody = z
  .object({
    decision: z.enum(['pass', 'return', 'reject']),
    opinion: Opinion.describe('the preliminary opinion (authenticity, accuracy, conformity)'),
    supplementDeadline: Instant.optional().describe(
      'required with decision return: the instant before which the applicant must resubmit',
    ),
  })
  .strict()
  .meta({ id: 'PreliminaryReview' });

export const CreateExpertBody = z
  .object({
    userId: z.string().trim().min(1).max(128).describe('the expert’s user account (sub)'),
    name: z.string().trim().min(1).max(100),
    employerUscc: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[0-9A-Z]{18}$/, 'a unified social credit code: 18 characters, digits and capital letters'),
    fields: z.array(z.string().trim().min(1).max(100)).max(20),
  })
  .strict()
  .meta({ id: 'CreateExpert' });

export const ExpertSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    employerUscc: z.string(),
    fields: z.array(z.string()),
    createdAt: Instant,
    version: z.number().int(),
  })
  .meta({ id: 'Expert' });

export const ExpertListQuery = PageQuery.strict();

export const AssignExpertsBody = z
  .object({
    expertIds: z
      .array(IdParam)
      .min(1)
      .max(9)
      .refine((ids) => new Set(ids).size === ids.length, 'each expert once'),
  })
  .strict()
  .meta({ id: 'AssignExperts' });

export const AssignmentSchema = z
  .object({
    applicationId: z.string(),
    callId: z.string(),
    expertId: z.string(),
    expertName: z.string(),
    assignedAt: Instant,
    assignedBy: z.string(),
  })
  .meta({ id: 'Assignment' });

export const ReviewBody = z
  .object({
    conflictOfInterest: z.boolean().describe('true: you declare a conflict of interest and do not score'),
    scores: z
      .record(z.string().min(1).max(64), z.number().finite())
      .optional()
      .describe('criterion key → score (0 ≤ score ≤ the criterion’s max); every criterion of the call'),
    comment: z.string().trim().min(1).max(10_000),
  })
  .strict()
  .meta({ id: 'ExpertReviewInput' });

export const ExpertReviewSchema = z
  .object({
    applicationId: z.string(),
    expertId: z.string(),
    conflictOfInterest: z.boolean(),
    scores: z.record(z.string(), z.number()).optional(),
    comment: z.string(),
    submittedAt: Instant,
  })
  .meta({ id: 'ExpertReview' });

export const SiteInspectionBody = z
  .object({
    inspectedAt: Instant,
    findings: z.string().trim().min(1).max(10_000),
    passed: z.boolean(),
  })
  .strict()
  .meta({ id: 'SiteInspectionInput' });

export const InspectionSchema = z
  .object({
    applicationId: z.string(),
    inspectedAt: Instant,
    findings: z.string(),
    passed: z.boolean(),
    recordedBy: z.string(),
    recordedAt: Instant,
  })
  .meta({ id: 'SiteInspection' });

export const ProposedListSchema = z
  .object({
    callId: z.string(),
    applicationIds: z.array(z.string()),
    status: z.enum(['proposed', 'approved', 'rejected']),
    proposedBy: z.string(),
    proposedAt: Instant,
    decision: z.enum(['approve', 'reject']).optional(),
    opinion: z.string().optional(),
    decidedBy: z.string().optional(),
    decidedAt: Instant.optional(),
    noticeId: z.string().optional(),
    version: z.number().int(),
  })
  .meta({ id: 'ProposedList' });

export const RankingSchema = z
  .object({
    callId: z.string(),
    criteria: z.array(z.object({ key: z.string(), title: z.string(), weight: z.number(), max: z.number() })),
    items: z.array(
      z.object({
        rank: z.number().int(),
        applicationId: z.string(),
        orgName: z.string(),
        uscc: z.string(),
        status: z.enum(APPLICATION_STATUSES),
        submittedAt: Instant.optional(),
        averageScore: z.number().describe('mean of the experts’ weighted scores (0–100), 2 decimals'),
        expertScores: z.array(
          z.object({ expertId: z.string(), score: z.number(), scores: z.record(z.string(), z.number()) }),
        ),
        inspection: z.object({ passed: z.boolean(), inspectedAt: z.string() }),
        conflictsDeclared: z.number().int(),
      }),
    ),
    list: ProposedListSchema.optional(),
  })
  .meta({ id: 'Ranking' });

export const ProposedListBody = z
  .object({
    applicationIds: z
      .array(IdParam)
      .min(1)
      .max(25)
      .refine((ids) => new Set(ids).size === ids.length, 'each application once'),
  })
  .strict()
  .meta({ id: 'ProposeList' });

export const ListDecisionBody = z
  .object({ decision: z.enum(['approve', 'reject']), opinion: Opinion })
  .strict()
  .meta({ id: 'ListDecision' });

export const ListDecisionSchema = z
  .object({
    status: z.enum(['approved', 'rejected']),
    noticeId: z.string().optional(),
    startsAt: Instant.optional(),
    endsAt: Instant.optional(),
  })
  .meta({ id: 'ListDecisionResult' });
