import { z } from 'zod';
import type { Role } from '../shared/roles.ts';
import { AuditEventSchema, ProblemSchema } from './schemas/common.ts';
import {
  CreateOrganisationBody,
  OrganisationSchema,
  OrgIdParams,
  UsccCheckSchema,
  VerificationDecisionBody,
} from './schemas/organisations.ts';
import { HumanTaskSchema, TaskListQuery } from './schemas/tasks.ts';

/**
 * The one route table. The CDK stack makes an HTTP API route (with or without the JWT authorizer)
 * for each entry and wires it to the entry's group function; the local server serves the same
 * entries with the same handlers; the OpenAPI document is generated from it.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Route groups: one Lambda function each, entry `functions/api/<group>.ts` exporting `handler`.
 * A group keeps related routes (and their SDK clients) together so each bundle stays small.
 */
export const ROUTE_GROUPS = ['system', 'organisations', 'tasks', 'audit'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

export interface RouteDef {
  /** OpenAPI operationId, unique. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/v1/organisations/{orgId}`. */
  readonly path: string;
  readonly group: RouteGroup;
  /** `public`: no authorizer. Otherwise the roles allowed (route-level check; objects are checked in the use case). */
  readonly auth: 'public' | readonly Role[];
  readonly summary: string;
  readonly tags: readonly string[];
  /** Accepts an `Idempotency-Key` header (POSTs that create something). */
  readonly idempotent?: boolean;
  readonly request?: {
    readonly params?: z.ZodType;
    readonly query?: z.ZodType;
    readonly body?: z.ZodType;
  };
  /** Success responses by status; error responses (problem+json) are added to the document for every route. */
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: z.ZodType }>>;
}

/** API Gateway route key, as `event.routeKey` carries it: `POST /v1/organisations`. */
export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>): string => `${r.method} ${r.path}`;

const HealthSchema = z.object({
  status: z.literal('ok'),
  stage: z.string(),
  time: z.string(),
  version: z.string(),
});

export const routes: readonly RouteDef[] = [
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
    auth: ['officer', 'approver', 'expert', 'admin'],
    summary: 'Work inbox: human workflow steps waiting on the caller’s roles, oldest due first',
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

export { ProblemSchema };
