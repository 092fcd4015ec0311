import type { RouteDef } from '../route-types.ts';
import {
  CandidateListQuery,
  CandidateSchema,
  OpenRevocationBody,
  page,
  RevocationDecisionBody,
  RevocationIdParams,
  RevocationListQuery,
  RevocationPlatformParams,
  RevocationResponseBody,
  RevocationSchema,
} from '../schemas/revocation.ts';

/** Revocation (Art. 13): the system's candidates, cases, the host's response, the approver's decision. */
export const revocationRoutes: readonly RouteDef[] = [
  {
    id: 'listRevocationCandidates',
    method: 'GET',
    path: '/v1/revocation-candidates',
    group: 'revocation',
    auth: ['officer', 'approver'],
    summary:
      'Raised by the system (Art. 13(1), 13(2) overdue): active platforms unqualified in two consecutive years (an overdue year between them does not break the run; a missing or passing year does) and platforms with an overdue self-evaluation report, with the facts. Paged by platform: a page may hold fewer items than `limit`; follow `nextCursor`.',
    tags: ['revocation'],
    request: { query: CandidateListQuery },
    responses: { 200: { description: 'A page of candidates', schema: page(CandidateSchema) } },
  },
  {
    id: 'openRevocation',
    method: 'POST',
    path: '/v1/platforms/{platformId}/revocations',
    group: 'revocation',
    auth: ['officer'],
    summary:
      'Open a revocation case (Art. 13) on a ground; the system grounds need the facts (409 GROUND_NOT_ESTABLISHED); evidence must be verified platform evidence (422); responseDeadline in the future (400); one open case per platform (409 REVOCATION_ALREADY_OPEN); a revoked or expired platform 409 PLATFORM_NOT_ACTIVE. The host’s members are notified.',
    tags: ['revocation'],
    idempotent: true,
    request: { params: RevocationPlatformParams, body: OpenRevocationBody },
    responses: { 201: { description: 'Opened', schema: RevocationSchema } },
  },
  {
    id: 'listRevocations',
    method: 'GET',
    path: '/v1/revocations',
    group: 'revocation',
    auth: ['officer', 'approver', 'admin'],
    summary: 'Revocation cases, newest first, optionally by status.',
    tags: ['revocation'],
    request: { query: RevocationListQuery },
    responses: { 200: { description: 'A page of cases', schema: page(RevocationSchema) } },
  },
  {
    id: 'getRevocation',
    method: 'GET',
    path: '/v1/revocations/{id}',
    group: 'revocation',
    auth: ['officer', 'approver', 'admin', 'applicant'],
    summary: 'A revocation case: staff, or a member of the platform’s host organisation; anyone else 404.',
    tags: ['revocation'],
    request: { params: RevocationIdParams },
    responses: { 200: { description: 'The case', schema: RevocationSchema } },
  },
  {
    id: 'respondToRevocation',
    method: 'POST',
    path: '/v1/revocations/{id}/response',
    group: 'revocation',
    auth: ['applicant'],
    summary:
      'The host’s statement (陈述申辩), once, with verified platform evidence, until the response deadline (409 RESPONSE_DEADLINE_PASSED after it, 409 ALREADY_RESPONDED). The approvers are notified.',
    tags: ['revocation'],
    request: { params: RevocationIdParams, body: RevocationResponseBody },
    responses: { 200: { description: 'Recorded', schema: RevocationSchema } },
  },
  {
    id: 'decideRevocation',
    method: 'POST',
    path: '/v1/revocations/{id}/decision',
    group: 'revocation',
    auth: ['approver'],
    summary:
      'Revoke or dismiss (Art. 13). Before the response deadline only once the host has responded (409 RESPONSE_PERIOD_OPEN). Revoke: the platform becomes `revoked` (off the public list, record and history kept), its running evaluation steps fail (PlatformRevoked), the host and the officers are notified — a new call may be launched (Art. 7). Of two racing decisions one wins, the other gets 409.',
    tags: ['revocation'],
    request: { params: RevocationIdParams, body: RevocationDecisionBody },
    responses: { 200: { description: 'Decided', schema: RevocationSchema } },
  },
];
