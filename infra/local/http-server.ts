import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type RouteDef,
  type RouteGroup,
  routeKey,
  routes as routeTable,
} from '../../functions/api/routes.ts';
import {
  buildHttpApiEvent,
  MAX_BODY_BYTES,
  MalformedResultError,
  mapLambdaResult,
  type RawRequest,
} from './api-gateway-event.ts';
import { consoleReply } from './console-site.ts';
import { createDevRoutes } from './dev-routes.ts';
import { problemReply, type Reply } from './http-replies.ts';
import { type LocalJwtIssuer, TokenRejectedError } from './jwt-issuer.ts';
import { type LambdaHandler, lambdaContext, loadHandler } from './lambda-runtime.ts';
import { createRouteMatcher } from './route-matcher.ts';
import type { LocalScheduler } from './scheduler.ts';
import type { LocalWorkflowEngine } from './workflow-engine.ts';

/**
 * The local HTTP API: serves the one route table with the same Lambda handlers, as API Gateway's HTTP
 * API does — payload format 2.0 events, the JWT authorizer on every non-public route (401 before the
 * handler runs; no authorizer context on public routes even when a token is sent), the 10 MB payload
 * limit (413), Lambda result mapping — plus CORS for consoles on localhost and the local-only routes of
 * dev-routes.ts (`/dev/*`, the JWKS), which exist neither in AWS nor in the OpenAPI document.
 */

export interface LocalHttpServerOptions {
  readonly issuer: LocalJwtIssuer;
  readonly routes?: readonly RouteDef[];
  /** Defaults to importing `functions/api/<group>.ts`. */
  readonly loadGroupHandler?: (group: RouteGroup) => Promise<LambdaHandler>;
  readonly engine?: LocalWorkflowEngine;
  readonly scheduler?: LocalScheduler;
  readonly log?: (line: string) => void;
  /** API Gateway's integration timeout (30 s). */
  readonly integrationTimeoutMs?: number;
  /** The built web consoles (`web/dist`), served at `/console/` (issue 7). */
  readonly consoleDir?: string;
}

export interface LocalHttpServer {
  readonly server: http.Server;
  /** Listens and resolves with the base URL (`http://host:port`). */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (bounded by `graceMs`), then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;
const CORS_ALLOW_HEADERS = 'authorization, content-type, idempotency-key, if-match';
const CORS_EXPOSE_HEADERS = 'apigw-requestid, idempotent-replayed, location, etag, www-authenticate';
/** Bodies beyond this are not even drained: the connection is closed. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

class IntegrationTimeoutError extends Error {
  override name = 'IntegrationTimeoutError';
}

class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > DRAIN_LIMIT_BYTES) throw new BodyTooLargeError(String(declared));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > DRAIN_LIMIT_BYTES) throw new BodyTooLargeError(String(size));
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(String(size));
  return Buffer.concat(chunks);
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const m = /^Bearer\s+(.+)$/i.exec(value);
  return (m?.[1] ?? value).trim() || undefined;
}

const sourceIpOf = (req: IncomingMessage): string =>
  (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** Creates the local API server (not yet listening). */
export function createLocalHttpServer(opts: LocalHttpServerOptions): LocalHttpServer {
  const match = createRouteMatcher(opts.routes ?? routeTable);
  const log = opts.log ?? ((line: string) => console.log(line));
  const loadGroup =
    opts.loadGroupHandler ?? ((group: RouteGroup) => loadHandler(`functions/api/${group}.ts`));
  const integrationTimeoutMs = opts.integrationTimeoutMs ?? 30_000;
  const devRoutes = createDevRoutes({
    issuer: opts.issuer,
    log,
    ...(opts.engine ? { engine: opts.engine } : {}),
    ...(opts.scheduler ? { scheduler: opts.scheduler } : {}),
  });
  let inFlight = 0;
  let idle: (() => void) | undefined;

  async function invokeRoute(
    req: RawRequest,
    route: RouteDef,
    pathParameters: Record<string, string>,
    requestId: string,
    receivedAt: Date,
  ): Promise<Reply> {
    const path = req.url.split('?')[0] ?? req.url;
    let claims: Record<string, unknown> | undefined;
    if (Array.isArray(route.auth)) {
      const token = bearerToken(req.headers.authorization?.[0]);
      if (!token) {
        return problemReply(
          401,
          'UNAUTHORIZED',
          'Authentication required',
          'Send a bearer token: Authorization: Bearer <token> (locally from POST /dev/token).',
          path,
          {
            headers: { 'www-authenticate': 'Bearer' },
          },
        );
      }
      try {
        claims = await opts.issuer.verify(token);
      } catch (e) {
        const reason = e instanceof TokenRejectedError ? e.message : 'the token cannot be verified';
        return problemReply(
          401,
          'UNAUTHORIZED',
          'Authentication required',
          `The bearer token was refused: ${reason}.`,
          path,
          {
            headers: {
              'www-authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/"/g, "'")}"`,
            },
          },
        );
      }
    }
    const event = buildHttpApiEvent(req, {
      routeKey: routeKey(route),
      pathParameters,
      requestId,
      receivedAt,
      ...(claims ? { claims } : {}),
    });
    let handler: LambdaHandler;
    try {
      handler = await loadGroup(route.group);
    } catch (e) {
      log(`[api] cannot load the handler of ${route.group}: ${(e as Error).message}`);
      return problemReply(
        500,
        'INTERNAL_ERROR',
        'Internal error',
        `The ${route.group} function cannot be loaded; see the runtime's console.`,
        path,
      );
    }
    const context = lambdaContext({
      functionName: `local-api-${route.group}`,
      requestId,
      timeoutMs: integrationTimeoutMs,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        Promise.resolve(handler(event, context)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new IntegrationTimeoutError()), integrationTimeoutMs);
        }),
      ]);
      const mapped = mapLambdaResult(result);
      return { status: mapped.statusCode, headers: mapped.headers, body: mapped.body };
    } catch (e) {
      if (e instanceof IntegrationTimeoutError) {
        return problemReply(
          503,
          'SERVICE_UNAVAILABLE',
          'Service unavailable',
          `The ${route.group} function did not answer within ${integrationTimeoutMs / 1000} s.`,
          path,
        );
      }
      const what =
        e instanceof MalformedResultError ? `returned a malformed result (${e.message})` : 'failed';
      log(`[api] ${routeKey(route)} ${what}: ${(e as Error).stack ?? String(e)}`);
      return problemReply(
        500,
        'INTERNAL_ERROR',
        'Internal error',
        'An unexpected error occurred. It has been logged; nothing you sent was at fault.',
        path,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (!origin || !LOCAL_ORIGIN.test(origin)) return {};
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': CORS_EXPOSE_HEADERS,
      vary: 'origin',
    };
  }

  function preflight(req: IncomingMessage, path: string): Reply {
    const cors = corsHeaders(req);
    if (!cors['access-control-allow-origin']) return { status: 204, headers: { vary: 'origin' } };
    const requested = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
    const matched = match(requested, path);
    const methods =
      matched.kind === 'route'
        ? [requested]
        : matched.kind === 'method-not-allowed'
          ? [...matched.allow]
          : [];
    if (path.startsWith('/dev/')) methods.push('GET', 'POST', 'DELETE');
    return {
      status: 204,
      headers: {
        ...cors,
        'access-control-allow-methods': [...new Set([...methods, 'OPTIONS'])].join(', '),
        'access-control-allow-headers': String(
          req.headers['access-control-request-headers'] ?? CORS_ALLOW_HEADERS,
        ),
        'access-control-max-age': '600',
      },
    };
  }

  async function respond(req: IncomingMessage, requestId: string, receivedAt: Date): Promise<Reply> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    if (method === 'OPTIONS' && req.headers.origin && req.headers['access-control-request-method']) {
      req.resume();
      return preflight(req, path);
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      if (!(e instanceof BodyTooLargeError)) throw e;
      return problemReply(
        413,
        'PAYLOAD_TOO_LARGE',
        'Payload too large',
        `The request body is larger than API Gateway's limit of ${MAX_BODY_BYTES} bytes (10 MB).`,
        path,
        {
          headers: { connection: 'close' },
        },
      );
    }
    const dev = await devRoutes(method, path, body, new URLSearchParams(url.split('?')[1] ?? ''));
    if (dev) return dev;
    const site = opts.consoleDir ? consoleReply(method, path, opts.consoleDir) : undefined;
    if (site) return site;
    const matched = match(method, path);
    if (matched.kind === 'not-found') {
      return problemReply(
        404,
        'ROUTE_NOT_FOUND',
        'Not found',
        `No route ${method} ${path}; GET /openapi.json lists them all.`,
        path,
      );
    }
    if (matched.kind === 'method-not-allowed') {
      return problemReply(
        405,
        'METHOD_NOT_ALLOWED',
        'Method not allowed',
        `${path} accepts ${matched.allow.join(', ')}, not ${method}.`,
        path,
        {
          headers: { allow: matched.allow.join(', ') },
        },
      );
    }
    const raw: RawRequest = {
      method,
      url,
      headers: req.headersDistinct,
      body,
      sourceIp: sourceIpOf(req),
    };
    return invokeRoute(raw, matched.route, matched.pathParameters, requestId, receivedAt);
  }

  const server = http.createServer((req, res: ServerResponse) => {
    inFlight += 1;
    const started = performance.now();
    const receivedAt = new Date();
    const requestId = randomUUID();
    const path = (req.url ?? '/').split('?')[0];
    respond(req, requestId, receivedAt)
      .catch((e: unknown) => {
        log(`[api] ${req.method} ${path} failed: ${(e as Error).stack ?? String(e)}`);
        return problemReply(
          500,
          'INTERNAL_ERROR',
          'Internal error',
          'An unexpected error occurred. It has been logged; nothing you sent was at fault.',
          path ?? '/',
        );
      })
      .then((reply) => {
        const headers: Record<string, string | string[]> = {
          ...(reply.headers ?? {}),
          ...corsHeaders(req),
          'apigw-requestid': requestId,
        };
        const body = reply.body ?? Buffer.alloc(0);
        res.writeHead(reply.status, { ...headers, 'content-length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
        if (headers.connection === 'close') res.once('finish', () => req.socket.destroy());
        log(`${req.method} ${path} ${reply.status} ${Math.round(performance.now() - started)}ms`);
      })
      .catch((e: unknown) => log(`[api] could not answer ${req.method} ${path}: ${String(e)}`))
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) idle?.();
      });
  });

  return {
    server,
    listen: (port, host) =>
      new Promise<string>((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException): void => {
          reject(
            new Error(
              e.code === 'EADDRINUSE'
                ? `Port ${port} (the local API) is already in use. Stop what uses it or choose another one, e.g. \`PORT=${port + 1} npm start\`.`
                : `Cannot listen on ${host}:${port} for the local API: ${e.message}`,
            ),
          );
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.removeListener('error', onError);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      }),
    close: async (graceMs = 10_000) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
