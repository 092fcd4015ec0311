import { type HttpMethod, type RouteDef, routeKey } from '../../functions/api/routes.ts';

/**
 * Matches a request against the one route table the way an HTTP API does: exact literal segments,
 * `{name}` for one segment, `{name+}` for the rest of the path; literal routes win over parameters.
 */
export type RouteMatch =
  | { readonly kind: 'route'; readonly route: RouteDef; readonly pathParameters: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly HttpMethod[] }
  | { readonly kind: 'not-found' };

interface CompiledRoute {
  readonly route: RouteDef;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  /** More literal segments first, so `/v1/calls/open` would beat `/v1/calls/{id}`. */
  readonly literalSegments: number;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(route: RouteDef): CompiledRoute {
  const names: string[] = [];
  let literalSegments = 0;
  const parts = route.path
    .split('/')
    .slice(1)
    .map((segment) => {
      const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
      if (greedy?.[1]) {
        names.push(greedy[1]);
        return '(.+)';
      }
      const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (param?.[1]) {
        names.push(param[1]);
        return '([^/]+)';
      }
      literalSegments += 1;
      return escapeRegExp(segment);
    });
  return { route, pattern: new RegExp(`^/${parts.join('/')}$`), names, literalSegments };
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Builds the matcher for a route table; throws when two routes share a route key. */
export function createRouteMatcher(
  routes: readonly RouteDef[],
): (method: string, path: string) => RouteMatch {
  const seen = new Set<string>();
  for (const r of routes) {
    const key = routeKey(r);
    if (seen.has(key)) throw new Error(`Duplicate route ${key} in the route table`);
    seen.add(key);
  }
  const compiled = routes.map(compile).sort((a, b) => b.literalSegments - a.literalSegments);
  return (method, path) => {
    const allow: HttpMethod[] = [];
    for (const c of compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      if (c.route.method !== method.toUpperCase()) {
        if (!allow.includes(c.route.method)) allow.push(c.route.method);
        continue;
      }
      const pathParameters: Record<string, string> = {};
      c.names.forEach((name, i) => {
        pathParameters[name] = decode(m[i + 1] ?? '');
      });
      return { kind: 'route', route: c.route, pathParameters };
    }
    return allow.length ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  };
}
