import { registry } from '../adapters/registry.ts';
import { type AuthedRequest, routeGroupHandler } from '../shared/http-handler.ts';
import { spineRoutes } from './routes/spine.ts';

/** Art. 4: the append-only audit events of one entity, for office staff. */
type Req = AuthedRequest<Record<string, never>, { entityId: string; limit: number; cursor?: string }>;

export const handler = routeGroupHandler('audit', spineRoutes, {
  listAuditEvents: async (req: Req) => ({
    status: 200,
    body: await registry().listAudit(req.query.entityId, req.query.limit, req.query.cursor),
  }),
});
