import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { Role } from '../../functions/shared/roles.ts';

/**
 * API Gateway HTTP API v2 events as the JWT authorizer hands them to Lambda: claims under
 * `requestContext.authorizer.jwt.claims`, `cognito:groups` as a string like `[officer approver]`.
 */
export interface Caller {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly email?: string;
}

export interface EventOptions {
  readonly caller?: Caller;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

let counter = 0;

/** Builds the event for `routeKey` (e.g. `POST /v1/organisations`), filling `{param}`s into the path. */
export function apiEvent(routeKey: string, opts: EventOptions = {}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method = 'GET', template = '/'] = routeKey.split(' ');
  const rawPath = template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(opts.params?.[k] ?? k));
  const body =
    opts.body === undefined
      ? undefined
      : typeof opts.body === 'string'
        ? opts.body
        : JSON.stringify(opts.body);
  const headers: Record<string, string> = {
    host: 'api.test',
    ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...opts.headers,
  };
  const rawQueryString = new URLSearchParams(opts.query ?? {}).toString();
  counter += 1;
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    ...(opts.params ? { pathParameters: opts.params } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `req-${counter}`,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: opts.caller
        ? {
            principalId: '',
            integrationLatency: 0,
            jwt: {
              claims: {
                sub: opts.caller.sub,
                'cognito:groups': `[${opts.caller.roles.join(' ')}]`,
                ...(opts.caller.email ? { email: opts.caller.email } : {}),
              },
              scopes: [],
            },
          }
        : // Public routes get no authorizer context.
          (undefined as unknown as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer']),
    },
  };
}

/** A Lambda context good enough for middy and Powertools. */
export function lambdaContext(name = 'test-fn'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:cn-north-1:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: `aws-req-${counter}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Parses a handler result's JSON body. */
export function jsonBody<T = Record<string, unknown>>(result: { body?: string }): T {
  return JSON.parse(result.body ?? 'null') as T;
}
