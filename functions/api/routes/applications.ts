import * as z from 'zod';
import type { Role } from '../../shared/roles.ts';
import type { RouteDef } from '../route-types.ts';
import {
  ApplicationIdParams,
  ApplicationListQuery,
  ApplicationSchema,
  CallIdParams,
  CreateApplicationBody,
  CreateEvidenceBody,
  DownloadSchema,
  EligibilitySchema,
  EvidenceIdParams,
  EvidenceSchema,
  PatchApplicationBody,
  UploadTicketSchema,
  WithdrawBody,
} from '../schemas/applications.ts';

/** Who may read an application (objects are checked in the use case: owner, staff, assigned expert). */
const READERS: readonly Role[] = ['applicant', 'officer', 'approver', 'expert'];
/** Who may read evidence: the owner, the office (Art. 11) and assigned experts. */
const EVIDENCE_READERS: readonly Role[] = ['applicant', 'officer', 'approver', 'admin', 'expert'];

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** Applications (Art. 8(1), Art. 9) and their evidence (presigned uploads, audited downloads). */
export const applicationRoutes: readonly RouteDef[] = [
  {
    id: 'createApplication',
    method: 'POST',
    path: '/v1/calls/{callId}/applications',
    group: 'applications',
    auth: ['applicant'],
    summary:
      'Draft an application to an open call (one per organisation per call); returns the Art. 9 eligibility findings at once',
    tags: ['applications'],
    idempotent: true,
    request: { params: CallIdParams, body: CreateApplicationBody },
    responses: {
      201: {
        description: 'Drafted',
        schema: z.object({
          id: z.string(),
          status: z.literal('draft'),
          eligibility: EligibilitySchema,
          version: z.number().int(),
        }),
      },
    },
  },
  {
    id: 'patchApplication',
    method: 'PATCH',
    path: '/v1/applications/{id}',
    group: 'applications',
    auth: ['applicant'],
    summary:
      'Change a draft (or a returned application before its supplement deadline); eligibility is recomputed. Optimistic locking with If-Match or `version`.',
    tags: ['applications'],
    request: { params: ApplicationIdParams, body: PatchApplicationBody },
    responses: { 200: { description: 'Changed', schema: ApplicationSchema } },
  },
  {
    id: 'getApplication',
    method: 'GET',
    path: '/v1/applications/{id}',
    group: 'applications',
    auth: READERS,
    summary: 'An application: its owner, officers, approvers and assigned experts only',
    tags: ['applications'],
    request: { params: ApplicationIdParams },
    responses: { 200: { description: 'The application', schema: ApplicationSchema } },
  },
  {
    id: 'listApplications',
    method: 'GET',
    path: '/v1/applications',
    group: 'applications',
    auth: READERS,
    summary:
      'Applications: officers and approvers list one call’s (callId required); applicants their own; experts those assigned to them',
    tags: ['applications'],
    request: { query: ApplicationListQuery },
    responses: { 200: { description: 'A page of applications', schema: page(ApplicationSchema) } },
  },
  {
    id: 'submitApplication',
    method: 'POST',
    path: '/v1/applications/{id}/submit',
    group: 'applications',
    auth: ['applicant'],
    summary:
      'Submit (Art. 8(1)): before the call closes, eligible, with every required evidence kind verified; starts the review. A returned application is resubmitted before its supplement deadline.',
    tags: ['applications'],
    request: { params: ApplicationIdParams },
    responses: { 200: { description: 'Submitted', schema: ApplicationSchema } },
  },
  {
    id: 'withdrawApplication',
    method: 'POST',
    path: '/v1/applications/{id}/withdraw',
    group: 'applications',
    auth: ['applicant'],
    summary: 'Withdraw an application before publication; ends its review',
    tags: ['applications'],
    request: { params: ApplicationIdParams, body: WithdrawBody },
    responses: { 200: { description: 'Withdrawn', schema: ApplicationSchema } },
  },
  {
    id: 'createEvidence',
    method: 'POST',
    path: '/v1/applications/{id}/evidence',
    group: 'applications',
    auth: ['applicant'],
    summary:
      'Declare one evidence file → a presigned POST (server-built key, exact content type, size cap, 15-minute expiry)',
    tags: ['evidence'],
    idempotent: true,
    request: { params: ApplicationIdParams, body: CreateEvidenceBody },
    responses: { 201: { description: 'Upload ticket', schema: UploadTicketSchema } },
  },
  {
    id: 'confirmEvidence',
    method: 'POST',
    path: '/v1/applications/{id}/evidence/{evidenceId}/confirm',
    group: 'applications',
    auth: ['applicant'],
    summary:
      'After the upload: the server checks the stored file’s size, SHA-256 and signature → verified (or scanning, where the stage scans for malware); 422 EVIDENCE_MISMATCH deletes it',
    tags: ['evidence'],
    request: { params: EvidenceIdParams },
    responses: {
      200: {
        description: 'Checked',
        schema: z.object({ evidenceId: z.string(), status: z.enum(['verified', 'scanning']) }),
      },
    },
  },
  {
    id: 'listEvidence',
    method: 'GET',
    path: '/v1/applications/{id}/evidence',
    group: 'applications',
    auth: EVIDENCE_READERS,
    summary: 'The evidence of an application: owner, office staff, assigned experts',
    tags: ['evidence'],
    request: { params: ApplicationIdParams },
    responses: { 200: { description: 'The evidence', schema: z.object({ items: z.array(EvidenceSchema) }) } },
  },
  {
    id: 'downloadEvidence',
    method: 'GET',
    path: '/v1/applications/{id}/evidence/{evidenceId}/download',
    group: 'applications',
    auth: EVIDENCE_READERS,
    summary: 'A short-lived download link of verified evidence; every download is audited (Art. 11)',
    tags: ['evidence'],
    request: { params: EvidenceIdParams },
    responses: { 200: { description: 'Download link', schema: DownloadSchema } },
  },
];
