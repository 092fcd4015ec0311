import { type RouteGroup, routes } from '../api/routes.ts';
import {
  type GroupHandler,
  type HttpHandlerOptions,
  type Implementation,
  routeGroupHandler,
} from './http-handler.ts';
import { optionalPrincipal } from './optional-auth.ts';

export * from './http-handler.ts';

/**
 * The handler factory over the whole route table (`routes.ts`), optional-auth verification included,
 * for tests and tools. The deployed handlers use `routeGroupHandler` from http-handler.ts with their own
 * route module instead (and pass `optionalPrincipal` only where a route needs it), so a function does
 * not bundle every group's routes and schemas, nor the JWT library (issue 8).
 */
export function httpHandler(
  group: RouteGroup,
  implementations: Readonly<Record<string, Implementation>>,
  options: HttpHandlerOptions = {},
): GroupHandler {
  return routeGroupHandler(group, routes, implementations, { optionalAuth: optionalPrincipal, ...options });
}
