import type { z } from 'zod';
import type { Role } from '../shared/roles.ts';

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
export const ALL_ROUTE_GROUPS = [
  'system',
  'organisations',
  'tasks',
  'audit',
  'calls',
  'applications',
  'review',
  'registry',
  'notifications',
  'settings',
  'operations',
  'evaluation',
  'revocation',
  'exports',
  'services',
  'vouchers',
] as const;
export type RouteGroup = (typeof ALL_ROUTE_GROUPS)[number];

export interface RouteDef {
  /** OpenAPI operationId, unique. */
  readonly id: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/v1/organisations/{orgId}`. */
  readonly path: string;
  readonly group: RouteGroup;
  /**
   * `public`: no authorizer, anyone. `optional`: no authorizer either, but a valid bearer token, when
   * sent, is verified by the handler and widens what the caller sees (e.g. staff see draft calls).
   * Otherwise the roles allowed (route-level check; objects are checked in the use case).
   */
  readonly auth: 'public' | 'optional' | readonly Role[];
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
