import { ALL_ROUTE_GROUPS, type RouteDef, type RouteGroup } from './route-types.ts';
import { applicationRoutes } from './routes/applications.ts';
import { callRoutes } from './routes/calls.ts';
import { evaluationRoutes } from './routes/evaluation.ts';
import { exportsRoutes } from './routes/exports.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { operationsRoutes } from './routes/operations.ts';
import { registryRoutes } from './routes/registry.ts';
import { reviewRoutes } from './routes/review.ts';
import { revocationRoutes } from './routes/revocation.ts';
import { servicesRoutes } from './routes/services.ts';
import { settingsRoutes } from './routes/settings.ts';
import { spineRoutes } from './routes/spine.ts';
import { voucherRoutes } from './routes/vouchers.ts';

export type { HttpMethod, RouteDef, RouteGroup } from './route-types.ts';
export { routeKey } from './route-types.ts';
export { ProblemSchema } from './schemas/common.ts';

/**
 * The one route table: the concatenation of each module's routes under `routes/`. The CDK stack makes
 * an HTTP API route for each entry and wires it to its group's function; the local server serves the
 * same entries with the same handlers; the OpenAPI document is generated from it.
 * To add routes: add a module under `routes/`, list it here, and implement its group's handler.
 */
export const routes: readonly RouteDef[] = [
  ...spineRoutes,
  ...notificationRoutes,
  ...applicationRoutes,
  ...callRoutes,
  ...registryRoutes,
  ...settingsRoutes,
  ...reviewRoutes,
  ...revocationRoutes,
  ...operationsRoutes,
  ...exportsRoutes,
  ...evaluationRoutes,
  ...servicesRoutes,
  ...voucherRoutes,
];

/** The route groups that have routes: one Lambda function each (`functions/api/<group>.ts`). */
export const ROUTE_GROUPS: readonly RouteGroup[] = ALL_ROUTE_GROUPS.filter((g) =>
  routes.some((r) => r.group === g),
);
