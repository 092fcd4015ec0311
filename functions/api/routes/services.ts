import type { RouteDef } from '../route-types.ts';
import { PageQuery } from '../schemas/common.ts';
import {
  CaseIdParams,
  CaseSchema,
  PlatformIdParams,
  PublicCaseSchema,
  PublicCasesQuery,
  PublicProfileSchema,
  PublicServiceSchema,
  PublicServicesQuery,
  PutCaseBody,
  PutServiceBody,
  page,
  ServiceIdParams,
  ServiceSchema,
  VisibilityBody,
} from '../schemas/services.ts';

const HOST = ['applicant'] as const;
const STAFF = ['officer', 'approver', 'admin'] as const;
const tags = ['services'];
const showcase = ['showcase'];

/**
 * Platform profile (Art. 6(1), (2), (6)): the host's service catalogue and case library, staff hiding,
 * and the public showcase portal. "Host member" = a member of the platform's host organisation (checked
 * in the use case; anyone else gets 404).
 */
export const servicesRoutes: readonly RouteDef[] = [
  {
    id: 'putPlatformService',
    method: 'PUT',
    path: '/v1/platforms/{platformId}/services/{serviceId}',
    group: 'services',
    auth: HOST,
    summary:
      'Art. 6(1): a host member creates (201) or replaces (200) a catalogue item: category, name, provider (with its USCC when an organisation: valid check character), unit, integer CNY price range (min ≤ max), availability. If-Match or `version` must be the current version (409 STALE_VERSION); an item hidden by staff stays hidden. 409 PLATFORM_NOT_ACTIVE on a revoked or expired platform. Audited.',
    tags,
    request: { params: ServiceIdParams, body: PutServiceBody },
    responses: {
      200: { description: 'Replaced', schema: ServiceSchema },
      201: { description: 'Created', schema: ServiceSchema },
    },
  },
  {
    id: 'deletePlatformService',
    method: 'DELETE',
    path: '/v1/platforms/{platformId}/services/{serviceId}',
    group: 'services',
    auth: HOST,
    summary:
      'A host member removes a catalogue item (the audit event keeps it). 404 when absent; If-Match optional; 409 PLATFORM_NOT_ACTIVE.',
    tags,
    request: { params: ServiceIdParams },
    responses: { 204: { description: 'Removed' } },
  },
  {
    id: 'listPlatformServices',
    method: 'GET',
    path: '/v1/platforms/{platformId}/services',
    group: 'services',
    auth: [...HOST, ...STAFF, 'observer'],
    summary:
      'A platform’s whole catalogue, by id, hidden items included with their reason (host members, staff; observer reads audited).',
    tags,
    request: { params: PlatformIdParams, query: PageQuery.strict() },
    responses: { 200: { description: 'A page of services', schema: page(ServiceSchema) } },
  },
  {
    id: 'setPlatformServiceVisibility',
    method: 'POST',
    path: '/v1/platforms/{platformId}/services/{serviceId}/visibility',
    group: 'services',
    auth: ['officer'],
    summary:
      'Staff supervision of the showcase: hide a catalogue item (reason required) or show it again; the host members are told; audited. Showing a visible item changes nothing.',
    tags,
    request: { params: ServiceIdParams, body: VisibilityBody },
    responses: { 200: { description: 'The item', schema: ServiceSchema } },
  },
  {
    id: 'putPlatformCase',
    method: 'PUT',
    path: '/v1/platforms/{platformId}/cases/{caseId}',
    group: 'services',
    auth: HOST,
    summary:
      'Art. 6(2): a host member creates (201) or replaces (200) a scenario or industry case: title, sector, customer type, outcome, media (verified evidence of this platform, else 422 EVIDENCE_NOT_VERIFIED; the manifest is recorded). Same version and platform rules as services. Audited.',
    tags,
    request: { params: CaseIdParams, body: PutCaseBody },
    responses: {
      200: { description: 'Replaced', schema: CaseSchema },
      201: { description: 'Created', schema: CaseSchema },
    },
  },
  {
    id: 'deletePlatformCase',
    method: 'DELETE',
    path: '/v1/platforms/{platformId}/cases/{caseId}',
    group: 'services',
    auth: HOST,
    summary:
      'A host member removes a case (the audit event keeps it). 404 when absent; 409 PLATFORM_NOT_ACTIVE.',
    tags,
    request: { params: CaseIdParams },
    responses: { 204: { description: 'Removed' } },
  },
  {
    id: 'listPlatformCases',
    method: 'GET',
    path: '/v1/platforms/{platformId}/cases',
    group: 'services',
    auth: [...HOST, ...STAFF, 'observer'],
    summary:
      'A platform’s whole case library, by id, hidden cases included with their reason (host members, staff; observer reads audited).',
    tags,
    request: { params: PlatformIdParams, query: PageQuery.strict() },
    responses: { 200: { description: 'A page of cases', schema: page(CaseSchema) } },
  },
  {
    id: 'setPlatformCaseVisibility',
    method: 'POST',
    path: '/v1/platforms/{platformId}/cases/{caseId}/visibility',
    group: 'services',
    auth: ['officer'],
    summary:
      'Staff supervision of the showcase: hide a case (reason required) or show it again; the host members are told; audited.',
    tags,
    request: { params: CaseIdParams, body: VisibilityBody },
    responses: { 200: { description: 'The case', schema: CaseSchema } },
  },
  {
    id: 'getPublicPlatformProfile',
    method: 'GET',
    path: '/v1/public/platforms/{platformId}',
    group: 'services',
    auth: 'public',
    summary:
      'Art. 6(6): a recognised, active platform’s public profile with its first 50 visible services and cases (more with the cursors). 404 for a platform that is not active.',
    tags: showcase,
    request: { params: PlatformIdParams },
    responses: { 200: { description: 'The profile', schema: PublicProfileSchema } },
  },
  {
    id: 'listPublicServices',
    method: 'GET',
    path: '/v1/public/services',
    group: 'services',
    auth: 'public',
    summary:
      'Art. 6(6): visible catalogue items of active platforms, filtered by category, platform and a search text q. Each page reads at most 100 items: a page may hold fewer than limit (even none) and still carry nextCursor.',
    tags: showcase,
    request: { query: PublicServicesQuery },
    responses: { 200: { description: 'A page of services', schema: page(PublicServiceSchema) } },
  },
  {
    id: 'listPublicCases',
    method: 'GET',
    path: '/v1/public/cases',
    group: 'services',
    auth: 'public',
    summary:
      'Art. 6(6): visible cases of active platforms, filtered by sector, platform and a search text q; bounded pages as for services.',
    tags: showcase,
    request: { query: PublicCasesQuery },
    responses: { 200: { description: 'A page of cases', schema: page(PublicCaseSchema) } },
  },
];
