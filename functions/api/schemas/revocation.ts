import * as z from 'zod';
import {
  REVOCATION_DECISIONS,
  REVOCATION_GROUNDS,
  REVOCATION_STATUSES,
  SYSTEM_GROUNDS,
} from '../../core/revocations.ts';
import { CalendarDate, IdParam, Instant, PageQuery } from './common.ts';

/** Revocation (Art. 13): candidates raised by the system, cases, responses and decisions. */
export const RevocationIdParams = z.object({ id: IdParam });
export const RevocationPlatformParams = z.object({ platformId: IdParam });

const GradeRecordSchema = z.object({
  year: z.number().int(),
  status: z.string(),
  grade: z.string().optional(),
  finalizedAt: Instant.optional(),
  reportDeadline: Instant.optional(),
});

export const CandidateFactsSchema = z
  .object({
    years: z.array(z.number().int()).describe('the years the ground rests on'),
    evaluations: z.array(GradeRecordSchema).describe('those years’ evaluations'),
    bridgedOverdueYears: z
      .array(z.number().int())
      .optional()
      .describe('Art. 13(1): overdue years between the two unqualified ones (they do not break the run)'),
  })
  .meta({ id: 'RevocationFacts' });

export const CandidateSchema = z
  .object({
    platformId: z.string(),
    hostName: z.string().optional(),
    ground: z.enum(SYSTEM_GROUNDS),
    facts: CandidateFactsSchema,
    openRevocationId: z.string().optional().describe('the platform’s open case, if one exists'),
  })
  .meta({ id: 'RevocationCandidate' });

const ManifestEntry = z
  .object({ evidenceId: z.string(), sha256: z.string() })
  .catchall(z.unknown())
  .meta({ id: 'EvidenceManifestEntry' });

const Deadline = z
  .union([Instant, CalendarDate])
  .describe('an ISO instant, or a date (ends 23:59:59.999 Asia/Shanghai); must be in the future');

export const OpenRevocationBody = z
  .object({
    ground: z.enum(REVOCATION_GROUNDS),
    description: z.string().trim().min(1).max(5000),
    evidenceIds: z.array(IdParam).max(50).optional().describe('verified platform evidence'),
    responseDeadline: Deadline,
  })
  .strict()
  .meta({ id: 'OpenRevocation' });

export const RevocationResponseBody = z
  .object({
    statement: z.string().trim().min(1).max(10000),
    evidenceIds: z.array(IdParam).max(50).optional().describe('verified platform evidence'),
  })
  .strict()
  .meta({ id: 'RevocationResponse' });

export const RevocationDecisionBody = z
  .object({
    decision: z.enum(REVOCATION_DECISIONS),
    opinion: z.string().trim().min(1).max(5000),
    version: z.number().int().min(1).optional().describe('the version read (optimistic locking)'),
  })
  .strict()
  .meta({ id: 'RevocationDecision' });

export const RevocationSchema = z
  .object({
    id: z.string(),
    platformId: z.string(),
    orgId: z.string(),
    hostName: z.string(),
    ground: z.enum(REVOCATION_GROUNDS),
    description: z.string(),
    facts: CandidateFactsSchema.optional(),
    evidence: z.array(ManifestEntry),
    responseDeadline: Instant,
    status: z.enum(REVOCATION_STATUSES),
    openedBy: z.string(),
    createdAt: Instant,
    updatedAt: Instant,
    response: z
      .object({ statement: z.string(), evidence: z.array(ManifestEntry), by: z.string(), at: Instant })
      .optional(),
    decision: z
      .object({ decision: z.enum(REVOCATION_DECISIONS), opinion: z.string(), by: z.string(), at: Instant })
      .optional(),
    responsePeriodEndedAt: Instant.optional(),
    version: z.number().int(),
  })
  .meta({ id: 'Revocation' });

export const RevocationListQuery = PageQuery.extend({
  status: z.enum(REVOCATION_STATUSES).optional(),
}).strict();
export const CandidateListQuery = PageQuery.strict();

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });
