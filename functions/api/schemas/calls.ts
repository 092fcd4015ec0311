import * as z from 'zod';
import { CALL_STATUSES } from '../../core/recognition-model.ts';
import { IdParam, Instant, PageQuery } from './common.ts';

const Slug = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(
    /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/,
    'a kebab- or snake-case id: lower-case letters and digits joined by - or _',
  );

export const RequiredEvidenceSchema = z
  .object({ kind: Slug, title: z.string().trim().min(1).max(200), required: z.boolean() })
  .strict();

export const ScoringCriterionSchema = z
  .object({
    key: Slug,
    title: z.string().trim().min(1).max(200),
    weight: z.number().positive('must be > 0').max(1000),
    max: z.number().positive('must be > 0').max(1000),
  })
  .strict();

export const NoticePeriodSchema = z
  .object({
    length: z.number().int().min(1).max(30),
    unit: z.enum(['working_days', 'calendar_days']),
  })
  .strict();

export const CreateCallBody = z
  .object({
    title: z.string().trim().min(2).max(200),
    description: z.string().trim().min(1).max(20_000),
    opensAt: Instant,
    closesAt: Instant,
    requiredEvidence: z.array(RequiredEvidenceSchema).max(50),
    scoringCriteria: z.array(ScoringCriterionSchema).min(1).max(30),
    noticePeriod: NoticePeriodSchema,
  })
  .strict()
  .meta({ id: 'CreateCall' });

export const CallSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    opensAt: Instant,
    closesAt: Instant,
    requiredEvidence: z.array(RequiredEvidenceSchema),
    scoringCriteria: z.array(ScoringCriterionSchema),
    noticePeriod: NoticePeriodSchema,
    status: z.enum(CALL_STATUSES).describe('derived from the instants: closed from closesAt on'),
    createdAt: Instant,
    updatedAt: Instant,
    publishedAt: Instant.optional(),
    openedAt: Instant.optional(),
    closedAt: Instant.optional(),
    version: z.number().int(),
  })
  .meta({ id: 'Call' });

export const CallIdParams = z.object({ callId: IdParam });

export const CallListQuery = PageQuery.extend({ status: z.enum(CALL_STATUSES).optional() }).strict();
