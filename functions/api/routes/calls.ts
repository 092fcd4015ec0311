import * as z from 'zod';
import type { RouteDef } from '../route-types.ts';
import { CallIdParams, CallListQuery, CallSchema, CreateCallBody } from '../schemas/calls.ts';

/** Calls for recognition (Art. 7–8). */
export const callRoutes: readonly RouteDef[] = [
  {
    id: 'createCall',
    method: 'POST',
    path: '/v1/calls',
    group: 'calls',
    auth: ['officer'],
    summary:
      'Draft a call (Art. 7–8): conditions, required evidence, scoring criteria and the public notice period. closesAt must be after opensAt; criteria keys and evidence kinds unique; weights and max > 0; notice 1–30 working or calendar days.',
    tags: ['calls'],
    idempotent: true,
    request: { body: CreateCallBody },
    responses: {
      201: {
        description: 'Drafted',
        schema: z.object({ id: z.string(), status: z.literal('draft') }),
      },
    },
  },
  {
    id: 'publishCall',
    method: 'POST',
    path: '/v1/calls/{callId}/publish',
    group: 'calls',
    auth: ['officer'],
    summary:
      'Publish a draft call whose closesAt is still ahead: scheduled before opensAt, open from then; it opens and closes by itself (deadline job). 409 CALL_NOT_DRAFT / CALL_DEADLINE_PASSED.',
    tags: ['calls'],
    request: { params: CallIdParams },
    responses: { 200: { description: 'Published', schema: CallSchema } },
  },
  {
    id: 'listCalls',
    method: 'GET',
    path: '/v1/calls',
    group: 'calls',
    auth: 'optional',
    summary:
      'Calls, newest first. Anonymous callers and applicants see published calls; staff (officer, approver, admin) see drafts too. Status is derived from the instants.',
    tags: ['calls'],
    request: { query: CallListQuery },
    responses: {
      200: {
        description: 'A page of calls',
        schema: z.object({ items: z.array(CallSchema), nextCursor: z.string().optional() }),
      },
    },
  },
  {
    id: 'getCall',
    method: 'GET',
    path: '/v1/calls/{callId}',
    group: 'calls',
    auth: 'optional',
    summary: 'A call: published for everyone; a draft for staff only (others: 404).',
    tags: ['calls'],
    request: { params: CallIdParams },
    responses: { 200: { description: 'The call', schema: CallSchema } },
  },
];
