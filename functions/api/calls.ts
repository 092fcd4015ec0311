import type { z } from 'zod';
import { DynamoCallStore } from '../adapters/call-store.ts';
import { ulidIds } from '../adapters/ids.ts';
import { registry } from '../adapters/registry.ts';
import { type CallDeps, createCall, getCall, listCalls, publishCall } from '../core/calls.ts';
import { clock } from '../shared/clock.ts';
import { type ApiRequest, type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { optionalPrincipal } from '../shared/optional-auth.ts';
import { callRoutes } from './routes/calls.ts';
import type { CallIdParams, CallListQuery, CreateCallBody } from './schemas/calls.ts';

/** Call routes (Art. 7–8): draft, publish, read (optional auth: staff see drafts too). */
const deps: CallDeps = { calls: new DynamoCallStore(), clock, ids: ulidIds };

type Params = z.infer<typeof CallIdParams>;

export const handler = routeGroupHandler(
  'calls',
  callRoutes,
  {
    createCall: (req: AuthedRequest<Params, Record<string, never>, z.infer<typeof CreateCallBody>>) =>
      createCall(deps, req.principal, req.body, req.idempotency),
    publishCall: async (req: AuthedRequest<Params>) => ({
      status: 200,
      body: await publishCall(deps, req.principal, req.params.callId),
    }),
    listCalls: async (req: ApiRequest<Params, z.infer<typeof CallListQuery>>) => ({
      status: 200,
      body: await listCalls(deps, req.principal, req.query),
    }),
    getCall: async (req: ApiRequest<Params>) => ({
      status: 200,
      body: await getCall(deps, req.principal, req.params.callId),
    }),
  },
  {
    idempotency: (scope, key, now) => registry().getIdempotency(scope, key, now),
    optionalAuth: optionalPrincipal,
  },
);
