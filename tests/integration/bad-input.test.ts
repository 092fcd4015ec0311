import '../support/quiet-logs.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { ROUTE_GROUPS, type RouteDef, routeKey, routes } from '../../functions/api/routes.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { resetEnv } from '../../functions/shared/env.ts';
import { resetOptionalAuth } from '../../functions/shared/optional-auth.ts';
import type { Role } from '../../functions/shared/roles.ts';
import { LocalJwtIssuer } from '../../infra/local/jwt-issuer.ts';
import { apiEvent, type EventOptions, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { recordReliability } from '../support/reliability.ts';
import {
  type BadKind,
  deepBody,
  hostileParam,
  hostileString,
  hugeBody,
  jsonSchemaOf,
  MALFORMED_JSON,
  refusedBy,
} from './support/arbitraries.ts';
import { useLocalServices } from './support/services.ts';

/**
 * Suite 2 of issue 5, bad input: property-based requests at EVERY route of the route table, through the
 * real group handlers on DynamoDB Local, as a caller the route allows. Bodies are valid-looking shapes
 * derived from the route's zod schemas with one mutation zod refuses (wrong type, missing or extra field,
 * boundary number, NaN/Infinity string, hostile string); path parameters and query values are hostile
 * strings (path traversal, control characters, lone surrogates, RTL, zero-width, NUL, huge); raw bodies are
 * ≥ 1 MB, 1000 levels deep, malformed, or of a wrong content type.
 * Expected (API contract "errors"): a 4xx problem+json (`status`, `title`, `detail`, `code`, `errors[]` on
 * validation) naming what to fix, never a 5xx, no stack trace or internal name in the answer, and the
 * registry table byte-for-byte unchanged by the refused requests (a Scan before and after each route).
 */
type ApiHandler = (
  event: unknown,
  context: unknown,
) => Promise<{ statusCode: number; body?: string; headers?: Record<string, string> }>;

/** Fixed seed: the same requests every run (print it to reproduce; change it to explore). */
const SEED = 20_260_501;
/** Property runs per route and input (bounded so the suite stays well under a minute on 2 cores). */
const RUNS = 24;

const handlers = new Map<string, ApiHandler>();
const tried: Record<BadKind, number> = {
  wrongType: 0,
  missingField: 0,
  extraField: 0,
  boundaryNumber: 0,
  hostileString: 0,
  wholeBody: 0,
  hostileParam: 0,
  hostileQuery: 0,
  hugeBody: 0,
  deepNesting: 0,
  malformedJson: 0,
  wrongContentType: 0,
};
const observed = { fiveXX: 0, leaks: 0, changedTables: 0 };
const statuses: Record<number, number> = {};
let tableName = '';
let issuer: LocalJwtIssuer;
let jwks: http.Server;
let issuerDir = '';
let optionalToken = '';

/**
 * The caller a route allows (the first of its roles other than observer, whose reads are audited by
 * design); public routes get none, optional routes a genuine bearer token.
 */
function callerOf(route: RouteDef): Pick<EventOptions, 'caller' | 'headers'> {
  if (route.auth === 'public') return {};
  if (route.auth === 'optional') return { headers: { authorization: `Bearer ${optionalToken}` } };
  const roles = route.auth as readonly Role[];
  const role = roles.find((r) => r !== 'observer') ?? (roles[0] as Role);
  return { caller: { sub: `bad-input-${role}`, roles: [role], email: `${role}@example.cn` } };
}

const paramNames = (route: RouteDef): string[] =>
  [...route.path.matchAll(/\{(\w+)\}/g)].map(([, n = '']) => n);
/** Parameter values that pass validation and name nothing (a fresh ULID; a year no cycle has). */
const plainParams = (route: RouteDef): Record<string, string> =>
  Object.fromEntries(paramNames(route).map((n) => [n, n === 'year' ? '2099' : ulid()]));

interface Sent {
  readonly kind: BadKind;
  readonly where: string;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
}

interface Answer {
  readonly status: number;
  readonly problem?: Record<string, unknown>;
  readonly contentType: string;
  readonly raw: string;
}

async function send(route: RouteDef, sent: Sent): Promise<Answer> {
  const handler = handlers.get(route.group);
  if (!handler) throw new Error(`no handler for ${route.group}`);
  const who = callerOf(route);
  const rawBody = sent.rawBody ?? (sent.body === undefined ? undefined : JSON.stringify(sent.body));
  const params = sent.params ?? plainParams(route);
  const event = apiEvent(routeKey(route), {
    // The path is built from well-formed stand-ins (a lone surrogate cannot be URI-encoded); the handler
    // reads `pathParameters`, which carry the hostile values exactly as API Gateway would pass them.
    params: Object.fromEntries(Object.keys(params).map((k) => [k, k])),
    ...(sent.query ? { query: sent.query } : {}),
    ...(rawBody !== undefined ? { body: rawBody } : {}),
    ...(who.caller ? { caller: who.caller } : {}),
    headers: {
      ...who.headers,
      ...(sent.contentType !== undefined ? { 'Content-Type': sent.contentType } : {}),
    },
  });
  event.pathParameters = params;
  tried[sent.kind] += 1;
  const res = await handler(event, lambdaContext(`api-${route.group}`));
  statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
  if (res.statusCode >= 500) observed.fiveXX += 1;
  const contentType = res.headers?.['content-type'] ?? '';
  const raw = res.body ?? '';
  const problem =
    contentType.includes('json') && raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
  if (
    /\bat [\w.<>]+ \(|\.ts:\d+|node_modules|ValidationException|ConditionalCheckFailed|TransactionCanceled/.test(
      raw,
    )
  ) {
    observed.leaks += 1;
  }
  return { status: res.statusCode, contentType, raw, ...(problem ? { problem } : {}) };
}

/** What the contract requires of a refused request's answer; `[]` when it holds. */
function problemMisses(a: Answer, want: (status: number) => boolean, wantText: string): string[] {
  const misses: string[] = [];
  if (!want(a.status)) misses.push(`status ${a.status}, want ${wantText}: ${a.raw.slice(0, 300)}`);
  if (a.status < 400) return misses;
  const p = a.problem;
  if (!a.contentType.startsWith('application/problem+json')) misses.push(`content-type ${a.contentType}`);
  if (!p) return [...misses, 'no problem body'];
  if (p.status !== a.status) misses.push(`problem.status ${String(p.status)}`);
  if (typeof p.title !== 'string' || !p.title) misses.push('no title');
  if (typeof p.detail !== 'string' || !p.detail) misses.push('no detail');
  if (typeof p.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(p.code)) misses.push(`code ${String(p.code)}`);
  if (p.code === 'VALIDATION_FAILED') {
    const errors = p.errors as { path?: unknown; message?: unknown }[] | undefined;
    if (!Array.isArray(errors) || errors.length === 0) misses.push('validation problem without errors[]');
    else if (errors.some((e) => typeof e.path !== 'string' || typeof e.message !== 'string'))
      misses.push('errors[] entry without path/message');
  }
  if (/\bat [\w.<>]+ \(|\.ts:\d+|node_modules/.test(a.raw)) misses.push('internal details leaked');
  return misses;
}

/** Whether `raw` is JSON the route's body schema accepts (then it is no bad input for that route). */
function acceptedAsJson(route: RouteDef, raw: string): boolean {
  try {
    return route.request?.body?.safeParse(JSON.parse(raw)).success === true;
  } catch {
    return false;
  }
}

const is4xx = (s: number): boolean => s >= 400 && s < 500;
const below500 = (s: number): boolean => s < 500;

/** The registry table's whole content, in a stable order (Scan is fine in tests). */
async function snapshot(): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamoDocumentClient().send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return JSON.stringify(items.map((i) => JSON.stringify(i)).sort());
}

const fcParams = { seed: SEED, numRuns: RUNS, endOnFailure: true } as const;

/** Runs `prop` (an async property returning the misses) and fails with the first counterexample. */
async function check<T>(arb: fc.Arbitrary<T>, prop: (v: T) => Promise<string[]>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      const misses = await prop(v);
      if (misses.length) throw new Error(misses.join('\n'));
    }),
    fcParams,
  );
}

beforeAll(async () => {
  ({ tableName } = await useLocalServices('bad-input', { bucket: true }));
  setWorkflowEngine(new RecordingWorkflowEngine());
  issuerDir = mkdtempSync(path.join(tmpdir(), 'bad-input-issuer-'));
  issuer = await LocalJwtIssuer.open({ dir: issuerDir, issuer: 'http://issuer.test/local-issuer' });
  jwks = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(issuer.jwks()));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
  });
  resetEnv();
  resetOptionalAuth();
  optionalToken = (await issuer.sign({ sub: 'bad-input-officer', groups: ['officer'] })).token;
  for (const group of ROUTE_GROUPS) {
    const mod = (await import(new URL(`../../functions/api/${group}.ts`, import.meta.url).href)) as {
      handler: ApiHandler;
    };
    handlers.set(group, mod.handler);
  }
  // A registry with something in it: an organisation (and its audit event), so "unchanged" is not trivial.
  const org = routes.find((r) => r.id === 'createOrganisation') as RouteDef;
  const created = await send(org, {
    kind: 'wholeBody',
    where: 'seed',
    body: {
      name: '中山示例科技有限公司',
      uscc: '91442000MA4UQ9YX2J',
      registeredCapitalCny: 60_000_000,
      address: '广东省中山市东区中山四路1号',
      legalRepresentative: '张三',
      contact: { name: '李四', phone: '0760-88880000', email: 'li@example.com' },
    },
  });
  tried.wholeBody -= 1;
  if (created.status !== 201) throw new Error(`seed organisation: ${created.status} ${created.raw}`);
  console.log(
    `bad-input: fast-check seed ${SEED}, ${RUNS} runs per route and input, ${routes.length} routes`,
  );
});

afterAll(async () => {
  setWorkflowEngine(undefined);
  setClock(undefined);
  await new Promise((resolve) => jwks.close(resolve));
  rmSync(issuerDir, { recursive: true, force: true });
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(`bad-input: ${total} requests, statuses ${JSON.stringify(statuses)}`);
  await recordReliability({
    suite: 'bad-input',
    tried,
    fiveXX: observed.fiveXX,
    leaks: observed.leaks,
    lost: 0,
    halfWritten: observed.changedTables,
    notes:
      `fast-check seed ${SEED}, ${RUNS} runs per route and input over ${routes.length} routes; ` +
      `registry snapshot (Scan) compared before/after each route: ${observed.changedTables} changed; statuses ${JSON.stringify(statuses)}`,
  });
});

const withBody = routes.filter((r) => r.request?.body);
const withParams = routes.filter((r) => paramNames(r).length > 0);
const withQuery = routes.filter((r) => r.request?.query);

describe('bad input at every route (property-based, fixed seed)', () => {
  it('reaches every route of the table through a loaded group handler', () => {
    expect([...handlers.keys()].sort()).toEqual([...ROUTE_GROUPS].sort());
    expect(withBody.length + withParams.length + withQuery.length).toBeGreaterThan(0);
  });

  describe.each(routes.map((r) => [routeKey(r), r] as const))('%s', (_key, route) => {
    let before = '';
    beforeAll(async () => {
      before = await snapshot();
    });
    afterAll(async () => {
      const after = await snapshot();
      if (after !== before) observed.changedTables += 1;
      expect(after, 'the registry changed under refused requests').toBe(before);
    });

    const body = route.request?.body;
    // Only the inputs a route has are tried (no skipped placeholders for the others).
    if (body)
      it('refuses bodies zod refuses with 400 VALIDATION_FAILED and errors[]', async () => {
        await check(refusedBy(body), async (m) => {
          const a = await send(route, { kind: m.kind, where: m.where, body: m.value });
          return problemMisses(a, (s) => s === 400, `400 (${m.kind} at ${m.where})`);
        });
      });

    if (body)
      it('refuses raw bodies: ≥ 1 MB → 413, 1000 levels deep, malformed JSON, wrong content type', async () => {
        const cases: [Sent, (s: number) => boolean, string][] = [
          [{ kind: 'hugeBody', where: 'body', rawBody: hugeBody() }, (s) => s === 413, '413'],
          [{ kind: 'hugeBody', where: 'body', rawBody: hugeBody(4 * 1024 * 1024) }, (s) => s === 413, '413'],
          [{ kind: 'deepNesting', where: 'body', rawBody: deepBody(1000, 'array') }, (s) => s === 400, '400'],
          [
            { kind: 'deepNesting', where: 'body', rawBody: deepBody(1000, 'object') },
            (s) => s === 400,
            '400',
          ],
          ...MALFORMED_JSON.filter((raw) => !acceptedAsJson(route, raw)).map(
            (raw): [Sent, (s: number) => boolean, string] => [
              { kind: 'malformedJson', where: 'body', rawBody: raw },
              (s) => s === 400,
              '400',
            ],
          ),
          ...[
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
            'multipart/form-data; boundary=x',
            '',
            'application/json\u0000',
          ].map((ct): [Sent, (s: number) => boolean, string] => [
            { kind: 'wrongContentType', where: 'content-type', rawBody: '{}', contentType: ct },
            (s) => s === 415 || s === 400,
            '415',
          ]),
        ];
        const misses: string[] = [];
        for (const [sent, want, wantText] of cases) {
          const a = await send(route, sent);
          misses.push(
            ...problemMisses(a, want, wantText).map(
              (m) => `${sent.kind} ${sent.rawBody?.slice(0, 20)}…: ${m}`,
            ),
          );
        }
        expect(misses).toEqual([]);
      });

    if (paramNames(route).length > 0)
      it('refuses hostile path parameters with a 4xx problem', async () => {
        const names = paramNames(route);
        await check(fc.tuple(fc.constantFrom(...names), hostileParam()), async ([name, value]) => {
          const params = { ...plainParams(route), [name]: value };
          // A body the schema refuses would hide what the parameter does: send none (→ 400 either way).
          const a = await send(route, { kind: 'hostileParam', where: name, params });
          return problemMisses(a, is4xx, `4xx (${name}=${JSON.stringify(value).slice(0, 40)})`);
        });
      });

    const query = route.request?.query;
    // Every route: a query string is always sendable (a route without a query schema must ignore it).
    it('answers hostile query values without a 5xx (a 4xx is a problem naming the field)', async () => {
      const keys = query ? Object.keys(jsonSchemaOf(query).properties ?? {}) : [];
      const key = fc.oneof(
        fc.constantFrom(...keys, 'unknownParam'),
        hostileString().filter((k) => k.length > 0),
      );
      await check(fc.dictionary(key, hostileString(), { minKeys: 1, maxKeys: 3 }), async (q) => {
        const a = await send(route, { kind: 'hostileQuery', where: Object.keys(q).join(','), query: q });
        return problemMisses(a, below500, 'below 500');
      });
    });
  });
});
