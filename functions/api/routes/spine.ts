import * as z from 'zod';
import type { RouteDef } from '../route-types.ts';
import { AuditEventSchema } from '../schemas/common.ts';
import {
  CreateOrganisationBody,
  OrganisationSchema,
  OrgIdParams,
  UsccCheckSchema,
  VerificationDecisionBody,
} from '../schemas/organisations.ts';
import { HumanTaskSchema, TaskListQuery } from '../schemas/tasks.ts';

const HealthSchema = z.object({
  status: z.literal('ok'),
  stage: z.string(),
  time: z.string(),
  version: z.string(),
});

/** The spine: system, organisations (Art. 3, 9(1)), the work inbox and the audit log. */
export const spineRoutes: readonly RouteDef[] = [
  {
    id: 'getHealth',
    method: 'GET',
    path: '/health',
    group: 'system',
    auth: 'public',
    summary: 'Liveness: the API answers and can reach the registry table',
    tags: ['system'],
    responses: { 200: { description: 'Healthy', schema: HealthSchema } },
  },
  {
    id: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    group: 'system',
    auth: 'public',
    summary: 'This OpenAPI 3.1 document, generated from the route table and its zod schemas',
    tags: ['system'],
    responses: { 200: { description: 'The OpenAPI document' } },
  },
  {
    id: 'createOrganisation',
    method: 'POST',
    path: '/v1/organisations',
    group: 'organisations',
    auth: ['applicant'],
    summary:
      'Register the caller’s organisation (one per applicant account). The USCC is checked (GB 32100-2015): a failed check digit or a region outside Zhongshan is accepted for manual verification.',
    tags: ['organisations'],
    idempotent: true,
    request: { body: CreateOrganisationBody },
    responses: {
      201: {
        description: 'Registered',
        schema: z.object({
          id: z.string(),
          usccCheck: UsccCheckSchema,
          verification: z.object({ status: z.string() }),
        }),
      },
    },
  },
  {
    id: 'getMyOrganisation',
    method: 'GET',
    path: '/v1/organisations/mine',
    group: 'organisations',
    auth: ['applicant'],
    summary:
      'The organisation the caller’s applicant account belongs to (as GET /v1/organisations/{orgId} shows it); 404 NO_ORGANISATION until one is registered with POST /v1/organisations. The literal path wins over {orgId}.',
    tags: ['organisations'],
    responses: { 200: { description: 'The caller’s organisation', schema: OrganisationSchema } },
  },
  {
    id: 'getOrganisation',
    method: 'GET',
    path: '/v1/organisations/{orgId}',
    group: 'organisations',
    auth: ['applicant', 'officer', 'approver'],
    summary: 'An organisation: its members, officers and approvers only',
    tags: ['organisations'],
    request: { params: OrgIdParams },
    responses: { 200: { description: 'The organisation', schema: OrganisationSchema } },
  },
  {
    id: 'decideOrganisationVerification',
    method: 'POST',
    path: '/v1/organisations/{orgId}/verification',
    group: 'organisations',
    auth: ['officer'],
    summary:
      'Manual verification of an organisation whose USCC failed the check digit or is registered outside Zhongshan (Art. 9(1)): completes the waiting workflow task',
    tags: ['organisations'],
    request: { params: OrgIdParams, body: VerificationDecisionBody },
    responses: { 200: { description: 'Decided', schema: OrganisationSchema } },
  },
  {
    id: 'listTasks',
    method: 'GET',
    path: '/v1/tasks',
    group: 'tasks',
    auth: ['officer', 'approver', 'expert', 'admin', 'applicant'],
    summary:
      'Work inbox: human workflow steps waiting on the caller’s roles or on the caller by name (an applicant’s supplement, an expert’s review), oldest due first',
    tags: ['tasks'],
    request: { query: TaskListQuery },
    responses: {
      200: {
        description: 'A page of tasks',
        schema: z.object({ items: z.array(HumanTaskSchema), nextCursor: z.string().optional() }),
      },
    },
  },
  {
    id: 'listAuditEvents',
    method: 'GET',
    path: '/v1/audit',
    group: 'audit',
    auth: ['officer', 'approver', 'admin'],
    summary: 'Append-only audit events of one entity, oldest first',
    tags: ['audit'],
    request: {
      query: z
        .object({
          entityId: z.string().min(1).max(64),
          limit: z.coerce.number().int().min(1).max(100).default(50),
          cursor: z.string().max(1024).optional(),
        })
        .strict(),
    },
    responses: {
      200: {
        description: 'A page of events',
        schema: z.object({ items: z.array(AuditEventSchema), nextCursor: z.string().optional() }),
      },
    },
  },
];
