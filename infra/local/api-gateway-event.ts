import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
} from 'aws-lambda';

/**
 * Builds the HTTP API (payload format 2.0) event that API Gateway hands to Lambda, and maps the
 * Lambda result back to an HTTP response, so handlers run locally on exactly what they get in AWS.
 */

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_API_ID = 'local';
/** API Gateway's payload limit (10 MB); larger requests get 413 before any handler runs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface RawRequest {
  readonly method: string;
  /** Path and query as received, e.g. `/v1/audit?entityId=x`. */
  readonly url: string;
  /** Header values per lower-cased name, repeated headers as several values (`req.headersDistinct`). */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

export interface EventOptions {
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
  readonly requestId: string;
  readonly receivedAt: Date;
  /** Verified JWT claims for routes behind the authorizer; undefined for public routes. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `requestContext.time` as API Gateway writes it: `12/Mar/2020:19:03:58 +0000`. */
export function apiGatewayTime(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * A claim as API Gateway renders it for Lambda: strings stay strings, numbers and booleans become
 * strings, arrays become `[a b]`, objects `map[k:v]` (the Go formatting API Gateway uses).
 */
export function renderClaim(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return `[${value.map(renderClaim).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `map[${entries.map(([k, v]) => `${k}:${renderClaim(v)}`).join(' ')}]`;
  }
  return String(value);
}

/** Content types API Gateway passes as text; everything else arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  );
}

function splitUrl(url: string): { rawPath: string; rawQueryString: string } {
  const noFragment = url.split('#')[0] ?? '';
  const q = noFragment.indexOf('?');
  return q < 0
    ? { rawPath: noFragment, rawQueryString: '' }
    : { rawPath: noFragment.slice(0, q), rawQueryString: noFragment.slice(q + 1) };
}

/** Query parameters as API Gateway gives them: decoded, repeated keys joined with commas. */
export function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Builds the payload format 2.0 event for a matched route. */
export function buildHttpApiEvent(
  req: RawRequest,
  opts: EventOptions,
): APIGatewayProxyEventV2WithJWTAuthorizer | APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitUrl(req.url);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(req.headers)) {
    if (!values?.length) continue;
    if (name === 'cookie') {
      cookies = values
        .flatMap((v) => v.split(';'))
        .map((c) => c.trim())
        .filter(Boolean);
      continue;
    }
    headers[name] = values.join(',');
  }
  const host = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']},${req.sourceIp}`
    : req.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  const isText = isTextContentType(headers['content-type']);
  const query = queryParameters(rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: opts.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: opts.requestId,
      routeKey: opts.routeKey,
      stage: '$default',
      time: apiGatewayTime(opts.receivedAt),
      timeEpoch: opts.receivedAt.getTime(),
    },
    ...(Object.keys(opts.pathParameters).length ? { pathParameters: { ...opts.pathParameters } } : {}),
    ...(req.body.length ? { body: isText ? req.body.toString('utf8') : req.body.toString('base64') } : {}),
    isBase64Encoded: req.body.length > 0 && !isText,
  };
  if (!opts.claims) return event;
  const authorizer: APIGatewayEventRequestContextJWTAuthorizer = {
    principalId: '',
    integrationLatency: 0,
    jwt: {
      claims: Object.fromEntries(Object.entries(opts.claims).map(([k, v]) => [k, renderClaim(v)])),
      // The routes declare no authorization scopes, and API Gateway then passes null.
      scopes: null,
    },
  };
  return { ...event, requestContext: { ...event.requestContext, authorizer } };
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A handler result API Gateway would refuse (it answers 500 then). */
export class MalformedResultError extends Error {
  override name = 'MalformedResultError';
}

/**
 * Maps a Lambda result to the HTTP response, as API Gateway does for payload format 2.0: a structured
 * result (`statusCode`, `headers`, `cookies`, `body`, `isBase64Encoded`) is used as is; any other JSON
 * value becomes a 200 `application/json` response whose body is that value.
 */
export function mapLambdaResult(result: unknown): HttpResponse {
  if (isRecord(result) && 'statusCode' in result) {
    const status = result.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      throw new MalformedResultError(`statusCode must be an HTTP status, got ${JSON.stringify(status)}`);
    }
    const headers: Record<string, string | string[]> = {};
    if (result.headers !== undefined) {
      if (!isRecord(result.headers)) throw new MalformedResultError('headers must be an object');
      for (const [name, value] of Object.entries(result.headers)) {
        if (value === undefined || value === null) continue;
        headers[name.toLowerCase()] = String(value);
      }
    }
    if (result.cookies !== undefined) {
      if (!Array.isArray(result.cookies))
        throw new MalformedResultError('cookies must be an array of strings');
      const cookies = result.cookies.map(String);
      if (cookies.length) headers['set-cookie'] = cookies;
    }
    const body = result.body;
    if (body !== undefined && body !== null && typeof body !== 'string') {
      throw new MalformedResultError('body must be a string');
    }
    const buffer = body
      ? Buffer.from(body, result.isBase64Encoded === true ? 'base64' : 'utf8')
      : Buffer.alloc(0);
    return { statusCode: status, headers, body: buffer };
  }
  if (result === undefined) return { statusCode: 200, headers: {}, body: Buffer.alloc(0) };
  const text = typeof result === 'string' ? result : JSON.stringify(result);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(text, 'utf8'),
  };
}
