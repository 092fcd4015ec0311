import * as z from 'zod';
import { ADVANCE_NOTICE_KINDS, CHANGE_KINDS, CHANGE_STATUSES } from '../../core/changes.ts';
import { SHARING_SCOPES } from '../../core/sharing.ts';
import { CreateEvidenceBody, DownloadSchema, EvidenceSchema, UploadTicketSchema } from './applications.ts';
import { CalendarDate, IdParam, Instant, PageQuery } from './common.ts';

/** Platform operations (Art. 10), platform evidence, sharing consents (Art. 11) and settings (Art. 14). */
export const PlatformIdParams = z.object({ platformId: IdParam });
export const PlatformEvidenceIdParams = z.object({ platformId: IdParam, evidenceId: IdParam });
export const ChangeRequestIdParams = z.object({ id: IdParam });

/** Platform evidence: same declaration as application evidence; `kind` is a short slug naming its use. */
export const CreatePlatformEvidenceBody = CreateEvidenceBody.extend({
  kind: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, 'a lower-case slug, e.g. change_request, revocation_response, other')
    .describe('what it is evidence for, e.g. change_request, self_evaluation, revocation_response, other'),
})
  .strict()
  .meta({ id: 'CreatePlatformEvidence' });

export { DownloadSchema, UploadTicketSchema };

export const PlatformEvidenceSchema = EvidenceSchema.omit({ applicationId: true })
  .extend({ platformId: z.string() })
  .meta({ id: 'PlatformEvidence' });

const Strings = (what: string) =>
  z
    .array(z.string().trim().min(1).max(500))
    .min(1, `at least one ${what}`)
    .max(100)
    .refine((a) => new Set(a).size === a.length, `each ${what} once`);

/** Art. 10: what each kind of change proposes. */
export const ProposedHostOrganisation = z.object({ orgId: IdParam }).strict();
export const ProposedServiceContent = z.object({ services: Strings('service') }).strict();
export const ProposedTargetTasks = z.object({ tasks: Strings('task') }).strict();

const changeBase = {
  description: z.string().trim().min(1).max(5000).describe('what changes and why'),
  evidenceIds: z.array(IdParam).max(50).optional().describe('verified platform evidence supporting it'),
};

export const CreateChangeRequestBody = z
  .discriminatedUnion('kind', [
    z
      .object({ kind: z.literal('host_organisation'), proposed: ProposedHostOrganisation, ...changeBase })
      .strict(),
    z
      .object({ kind: z.literal('service_content'), proposed: ProposedServiceContent, ...changeBase })
      .strict(),
    z.object({ kind: z.literal('target_tasks'), proposed: ProposedTargetTasks, ...changeBase }).strict(),
  ])
  .meta({ id: 'CreateChangeRequest' });

export const ChangeDecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    opinion: z.string().trim().min(1).max(5000),
    version: z.number().int().min(1).optional().describe('the version read (optimistic locking)'),
  })
  .strict()
  .meta({ id: 'ChangeRequestDecision' });

export const ManifestEntrySchema = z.object({
  evidenceId: z.string(),
  kind: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
});

export const ChangeRequestSchema = z
  .object({
    id: z.string(),
    platformId: z.string(),
    hostName: z.string().optional().describe('the platform’s host organisation when the request was filed'),
    kind: z.enum(CHANGE_KINDS),
    description: z.string(),
    proposed: z.record(z.string(), z.unknown()),
    current: z.record(z.string(), z.unknown()).describe('the values when the request was filed'),
    evidenceManifest: z.array(ManifestEntrySchema),
    status: z.enum(CHANGE_STATUSES),
    requestedBy: z.string(),
    createdAt: Instant,
    decidedAt: Instant.optional(),
    decidedBy: z.string().optional(),
    opinion: z.string().optional(),
    version: z.number().int(),
  })
  .meta({ id: 'ChangeRequest' });

/** `GET /v1/change-requests`: one status (default `pending`, the office's inbox), a page. */
export const ChangeRequestListQuery = PageQuery.extend({
  status: z.enum(CHANGE_STATUSES).default('pending'),
}).strict();

export const HistoryEntrySchema = z
  .object({
    at: Instant,
    kind: z.string(),
    changeRequestId: z.string().optional(),
    previous: z.record(z.string(), z.unknown()),
    next: z.record(z.string(), z.unknown()),
    actor: z.string(),
    platformVersion: z.number().int().describe('the platform version the change produced'),
  })
  .meta({ id: 'PlatformHistoryEntry' });

export const CreateAdvanceNoticeBody = z
  .object({
    kind: z.enum(ADVANCE_NOTICE_KINDS),
    effectiveDate: CalendarDate.describe('must be after today (Asia/Shanghai)'),
    description: z.string().trim().min(1).max(5000),
  })
  .strict()
  .meta({ id: 'CreateAdvanceNotice' });

export const AdvanceNoticeSchema = z
  .object({
    id: z.string(),
    platformId: z.string(),
    kind: z.enum(ADVANCE_NOTICE_KINDS),
    effectiveDate: CalendarDate,
    description: z.string(),
    filedBy: z.string(),
    filedAt: Instant,
  })
  .meta({ id: 'AdvanceNotice' });

export const CreateSharingConsentBody = z
  .object({
    dataOwner: z.string().trim().min(1).max(300).describe('who authorised sharing (the data owner)'),
    scope: z
      .array(z.enum(SHARING_SCOPES))
      .min(1)
      .max(SHARING_SCOPES.length)
      .refine((a) => new Set(a).size === a.length, 'each scope once'),
    validUntil: CalendarDate.describe('last day (Asia/Shanghai) the authorisation covers'),
  })
  .strict()
  .meta({ id: 'CreateSharingConsent' });

export const SharingConsentSchema = z
  .object({
    id: z.string(),
    platformId: z.string(),
    dataOwner: z.string(),
    scope: z.array(z.enum(SHARING_SCOPES)),
    validUntil: CalendarDate,
    createdAt: Instant,
    createdBy: z.string(),
  })
  .meta({ id: 'SharingConsent' });

export const SettingsSchema = z
  .object({
    policyEndDate: CalendarDate.describe('Art. 14: recognitions end on this day (Asia/Shanghai)'),
    version: z.number().int().describe('0 while the defaults apply'),
    updatedAt: Instant.optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'Settings' });

export const PutSettingsBody = z
  .object({
    policyEndDate: CalendarDate,
    version: z.number().int().min(0).optional().describe('the version read (optimistic locking)'),
  })
  .strict()
  .meta({ id: 'PutSettings' });

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
export { DownloadSchema as EvidenceDownloadSchema, EvidenceSchema };
