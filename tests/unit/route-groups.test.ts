import '../support/quiet-logs.ts';
import { describe, expect, it } from 'vitest';
import { ROUTE_GROUPS, routeKey, routes } from '../../functions/api/routes.ts';
import type { GroupHandler } from '../../functions/shared/http-handler.ts';

/**
 * Each group's handler is built from its own route module(s), not from the whole table (so a function
 * bundles only its routes and schemas, issue 8). It must still serve exactly its group's routes in the
 * table: a route added to a module the handler does not pass would otherwise answer 404 in AWS.
 */
process.env.TABLE_NAME ??= 'zs-unit-route-groups';

describe('route groups', () => {
  it.each(ROUTE_GROUPS)(
    'the %s handler serves every route of its group in the route table',
    async (group) => {
      const mod = (await import(`../../functions/api/${group}.ts`)) as { handler: GroupHandler };
      const expected = routes.filter((r) => r.group === group).map(routeKey);
      expect([...mod.handler.routeKeys].sort()).toEqual(expected.sort());
    },
  );
});
