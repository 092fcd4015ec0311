import * as z from 'zod';
import { EVIDENCE_STATUSES } from '../../core/applications.ts';
import { ALLOWED_EVIDENCE_TYPES, EVIDENCE_MAX_BYTES } from '../../core/evidence-rules.ts';
import { APPLICATION_STATUSES, MEMBER_KINDS } from '../../core/recognition-model.ts';
import { IdParam, Instant, PageQuery } from './common.ts';

/** Applications (Art. 8–9) and their evidence: request and response schemas. */
const Uscc = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-Z]{18}$/, 'a unified social credit code: 18 characters, digits and capital letters');

export const PartySchema = z
  .object({
    name: z.string().trim().min(2).max(200),
    uscc: Uscc.optional(),
    kind: z.enum(MEMBER_KINDS),
  })
  .strict()
  .meta({ id: 'Party', description: 'A consortium member (Art. 3) or partner institution (Art. 9(3))' });

const applicationFields = {
  consortium: z.array(PartySchema).max(50),
  partners: z.array(PartySchema).max(500),
  registeredCapitalCny: z.number().int().min(0).max(1e15).describe('integer CNY'),
  committedEnterprisesPerYear: z.number().int().min(0).max(1_000_000),
  capabilities: z.array(z.string().trim().min(1).max(200)).max(50),
  summary: z.string().trim().min(1).max(10_000),
};

export const CreateApplicationBody = z.object(applicationFields).strict().meta({ id: 'CreateApplication' });

export const PatchApplicationBody = z
  .object({
    ...applicationFields,
    version: z.number().int().min(1).describe('optimistic lock: the version you read (or send If-Match)'),
  })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== 'version'), { message: 'change at least one field' })
  .meta({ id: 'PatchApplication' });

export const FindingSchema = z
  .object({ rule: z.string(), message: z.string() })
  .meta({ id: 'EligibilityFinding' });

export const EligibilitySchema = z
  .object({
    eligible: z.boolean(),
    failures: z.array(FindingSchema),
    manualVerification: z.boolean().describe('a person must confirm something (not a failure)'),
    warnings: z.array(FindingSchema),
  })
  .meta({ id: 'Eligibility' });

export const ApplicationSchema = z
  .object({
    id: z.string(),
    callId: z.string(),
    orgId: z.string(),
    ownerSub: z.string(),
    orgName: z.string(),
    uscc: z.string(),
    consortium: z.array(PartySchema),
    partners: z.array(PartySchema),
    registeredCapitalCny: z.number().int(),
    committedEnterprisesPerYear: z.number().int(),
    capabilities: z.array(z.string()),
    summary: z.string(),
    status: z.enum(APPLICATION_STATUSES),
    eligibility: EligibilitySchema,
    submittedAt: Instant.optional(),
    resubmittedAt: Instant.optional(),
    supplementDeadline: Instant.optional(),
    withdrawnAt: Instant.optional(),
    version: z.number().int(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: 'Application' });

export const CallIdParams = z.object({ callId: IdParam });
export const ApplicationIdParams = z.object({ id: IdParam });
export const EvidenceIdParams = z.object({ id: IdParam, evidenceId: IdParam });

export const ApplicationListQuery = PageQuery.extend({
  callId: IdParam.optional(),
  status: z.enum(APPLICATION_STATUSES).optional(),
}).strict();

export const WithdrawBody = z
  .object({ reason: z.string().trim().min(1).max(2000).optional() })
  .strict()
  .meta({ id: 'WithdrawApplication' })
  .optional();

export const CreateEvidenceBody = z
  .object({
    kind: z.string().trim().min(1).max(64).describe("one of the call's requiredEvidence kinds, or 'other'"),
    fileName: z.string().min(1).max(1000).describe('display label only; sanitised, never part of the key'),
    contentType: z.enum(Object.keys(ALLOWED_EVIDENCE_TYPES) as [string, ...string[]]),
    sizeBytes: z.number().int().min(1).max(EVIDENCE_MAX_BYTES),
    sha256: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[0-9a-f]{64}$/, 'the file’s SHA-256 as 64 hex digits'),
  })
  .strict()
  .meta({ id: 'CreateEvidence' });

export const UploadTicketSchema = z
  .object({
    evidenceId: z.string(),
    upload: z.object({
      url: z.string(),
      fields: z
        .record(z.string(), z.string())
        .describe('send these, then the file as `file`, as multipart/form-data'),
    }),
    expiresAt: Instant,
  })
  .meta({ id: 'EvidenceUploadTicket' });

export const EvidenceSchema = z
  .object({
    evidenceId: z.string(),
    applicationId: z.string(),
    kind: z.string(),
    fileName: z.string(),
    contentType: z.string(),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    status: z.enum(EVIDENCE_STATUSES),
    createdAt: Instant,
    createdBy: z.string(),
    uploadExpiresAt: Instant,
    confirmedAt: Instant.optional(),
    verifiedAt: Instant.optional(),
    rejectedAt: Instant.optional(),
    rejection: z.object({ reason: z.string(), detail: z.unknown().optional() }).optional(),
    version: z.number().int(),
  })
  .meta({ id: 'Evidence' });

export const DownloadSchema = z
  .object({ url: z.string(), expiresAt: Instant })
  .meta({ id: 'EvidenceDownload' });
