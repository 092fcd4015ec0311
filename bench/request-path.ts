import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type NativeAttributeValue,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoClient, resetClients } from '../functions/adapters/aws-clients.ts';
import { DynamoCallStore } from '../functions/adapters/call-store.ts';
import { platformItem } from '../functions/adapters/platform-store.ts';
import { registry } from '../functions/adapters/registry.ts';
import { auditEvent, SYSTEM_ACTOR } from '../functions/core/audit.ts';
import type { Platform } from '../functions/core/platforms.ts';
import { withCheckChar } from '../functions/core/uscc.ts';
import { resetEnv } from '../functions/shared/env.ts';
import { logger } from '../functions/shared/powertools.ts';
import { buildHttpApiEvent } from '../infra/local/api-gateway-event.ts';
import { type LocalRuntime, startLocalRuntime } from '../infra/local/runtime.ts';
import { DynamoCounter, type OperationTally } from './support/dynamo-counter.ts';
import {
  type BenchContext,
  type BenchPart,
  type Figure,
  median,
  ratioFigure,
  round2,
} from './support/figures.ts';

/**
 * Issue 8, part 2 — the request path. The whole local runtime (`startLocalRuntime`: DynamoDB Local,
 * s3rver, the workflow engine, the HTTP API with the real handlers) runs in this process; autocannon
 * loads it over loopback from a child process (so the load generator does not share the server's event
 * loop). Each scenario is measured against a BASELINE in the same run: a bare `node:http` server in the
 * same process, on the same DynamoDB Local and table, making the same DynamoDB calls as the real handler
 * for that request (checked: the operations counted during one real and one baseline request must be
 * equal, else the part throws) with a plain document client — no framework, validation, auth or
 * API Gateway event. After a warm-up of every scenario (DynamoDB Local's JIT speeds up for seconds),
 * runs go baseline, real, real, baseline, … and each figure is the median of a side's rounds, so a
 * drift or a noisy neighbour favours neither side. Beside req/s, each run records
 * this process's CPU time per request, which a busy machine disturbs far less: it is what a missed goal's
 * cause is read from (`explain`).
 */

interface RequestSpec {
  readonly method: 'GET' | 'PATCH' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** One load run's outcome, as the driver reports it. */
interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Responses per status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /**
   * This process's CPU time (user + system, all threads) per request during the run: the server's own
   * work, robust to a busy machine where req/s are not. Includes the runtime's background work (the
   * table-stream poller), which weighs more on slow scenarios.
   */
  readonly cpuMsPerRequest: number;
}

interface Scenario {
  /** e.g. `GET /v1/public/platforms`. */
  readonly label: string;
  /** What kind of request, for the figure's note. */
  readonly kind: string;
  /** Requests sent round-robin (one path per application, with its owner's token). */
  readonly real: readonly RequestSpec[];
  readonly baseline: readonly RequestSpec[];
}

interface Settings {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rounds: number;
  readonly applications: number;
  readonly platforms: number;
  /** Pause after each run: requests cut off at its end may still be running on the server. */
  readonly settleMs: number;
}

const FULL: Settings = {
  connections: 8,
  seconds: 2,
  warmupSeconds: 0.75,
  rounds: 4,
  applications: 48,
  platforms: 60,
  settleMs: 250,
};
const QUICK: Settings = {
  connections: 2,
  seconds: 0.3,
  warmupSeconds: 0,
  rounds: 1,
  applications: 6,
  platforms: 5,
  settleMs: 50,
};

const TABLE = 'bench-request-path';

// ---------------------------------------------------------------------------------------------------
// The load generator: autocannon in a child Node process, one job per stdin line, one result per line.
// ---------------------------------------------------------------------------------------------------

/**
 * The driver's source (CommonJS, run with `node -e`). Requests go round-robin over `specs` through one
 * counter shared by every connection, so consecutive in-flight writes target different applications
 * (an optimistic-lock conflict would show as a non-2xx and is reported).
 */
const DRIVER = `
const autocannon = require(process.env.AUTOCANNON_PATH);
const rl = require('node:readline').createInterface({ input: process.stdin });
const counters = {};
rl.on('line', (line) => {
  const job = JSON.parse(line);
  const specs = job.specs;
  autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.seconds,
    // autocannon notices the end of a run only at a sample tick (1 s by default).
    sampleInt: 100,
    requests: [{
      setupRequest: (req) => {
        const n = (counters[job.stream] = (counters[job.stream] ?? 0) + 1);
        const s = specs[n % specs.length];
        return { ...req, method: s.method, path: s.path, headers: s.headers, body: s.body };
      },
    }],
  }, (err, r) => {
    if (err) { process.stdout.write(JSON.stringify({ error: String(err) }) + '\\n'); return; }
    process.stdout.write(JSON.stringify({
      requests: r.requests.total, seconds: r.duration, p50: r.latency.p50, p99: r.latency.p99,
      non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
      statuses: Object.fromEntries(Object.entries(r.statusCodeStats || {}).map(([k, v]) => [k, v.count])),
    }) + '\\n');
  });
});
`;

class LoadDriver {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;

  constructor() {
    this.child = spawn(process.execPath, ['-e', DRIVER], {
      env: { ...process.env, AUTOCANNON_PATH: createRequire(import.meta.url).resolve('autocannon') },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    if (!this.child.stdout) throw new Error('the load driver has no stdout');
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /**
   * One run. Runs of the same `stream` continue one round-robin (the baseline's and the handler's
   * requests of a scenario list the same applications in the same order), so a run does not start on
   * the applications the previous run's last, possibly still running, changes were for.
   */
  async run(
    stream: string,
    url: string,
    specs: readonly RequestSpec[],
    connections: number,
    seconds: number,
  ) {
    const cpu = process.cpuUsage();
    this.child.stdin?.write(`${JSON.stringify({ stream, url, specs, connections, seconds })}\n`);
    const next = await this.lines.next();
    const used = process.cpuUsage(cpu);
    if (next.done) throw new Error('the load driver ended early');
    const r = JSON.parse(next.value) as Omit<LoadResult, 'reqPerSec' | 'cpuMsPerRequest'> & {
      error?: string;
    };
    if (r.error) throw new Error(`autocannon: ${r.error}`);
    return {
      ...r,
      reqPerSec: r.requests / r.seconds,
      cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(r.requests, 1),
    } satisfies LoadResult;
  }

  stop(): void {
    this.child.stdin?.end();
    this.child.kill();
  }
}

// ---------------------------------------------------------------------------------------------------
// The world: a published open call, applicants with organisations and draft applications, platforms.
// ---------------------------------------------------------------------------------------------------

interface World {
  readonly callId: string;
  /** One per applicant: the application, its owner's token. */
  readonly applications: readonly { id: string; orgId: string; token: string }[];
}

async function api<T>(
  base: string,
  method: string,
  route: string,
  want: number,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  if (res.status !== want) throw new Error(`seeding ${method} ${route}: ${res.status} ${text.slice(0, 400)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)));
  }
}

async function seedWorld(rt: LocalRuntime, s: Settings): Promise<World> {
  const now = Date.now();
  const day = 86_400_000;
  const callId = 'CALLBENCHRP1';
  // The call and the platforms are written with their stores' item builders (a published call and a
  // recognised platform are the end of journeys the e2e suites cover); people's data goes through the API.
  await new DynamoCallStore().create(
    {
      id: callId,
      title: '2026 年人工智能赋能平台认定（性能基准）',
      description: 'Call for recognition',
      opensAt: new Date(now - day).toISOString(),
      closesAt: new Date(now + 60 * day).toISOString(),
      requiredEvidence: [{ kind: 'business-licence', title: '营业执照', required: true }],
      scoringCriteria: [{ key: 'capability', title: '能力', weight: 1, max: 100 }],
      noticePeriod: { length: 5, unit: 'working_days' },
      status: 'open',
      createdBy: 'officer-bench',
      createdAt: new Date(now - 2 * day).toISOString(),
      updatedAt: new Date(now - 2 * day).toISOString(),
      version: 2,
    },
    auditEvent(new Date(now), SYSTEM_ACTOR, 'call.created', 'call', callId),
  );
  const indexes = Array.from({ length: s.platforms }, (_, i) => i);
  await inBatches(indexes, 8, async (i) => {
    const id = `PLATBENCH${String(i).padStart(5, '0')}`;
    const recognisedAt = new Date(now - (i + 1) * day).toISOString();
    const platform: Platform = {
      id,
      applicationId: `APPBENCH${i}`,
      callId,
      orgId: `ORGBENCH${i}`,
      hostName: `中山基准${i}科技有限公司`,
      uscc: withCheckChar(`91442000MA5${String(i).padStart(5, '0')}X`),
      summary: 'AI enablement platform: compute scheduling, model services and data annotation.',
      capabilities: ['算力调度', '模型服务', '数据标注'],
      consortium: [
        { name: '中山大学', kind: 'university' },
        { name: '电子科技大学中山学院', kind: 'university' },
      ],
      status: 'active',
      recognisedAt,
      validUntil: '2027-12-31',
      noticeId: `n-${callId}`,
      createdAt: recognisedAt,
      updatedAt: recognisedAt,
      version: 1,
    };
    await registry().transact({
      ops: [{ kind: 'put', item: platformItem(platform), ifNew: true }],
      audit: [auditEvent(new Date(now), SYSTEM_ACTOR, 'platform.recognised', 'platform', id)],
    });
  });

  const applicants = Array.from({ length: s.applications }, (_, i) => i);
  const applications: { id: string; orgId: string; token: string }[] = [];
  await inBatches(applicants, 16, async (i) => {
    const { token } = await api<{ token: string }>(rt.url, 'POST', '/dev/token', 200, {
      body: { sub: `bench-owner-${i}`, groups: ['applicant'], expiresInSeconds: 3600 },
    });
    const org = await api<{ id: string }>(rt.url, 'POST', '/v1/organisations', 201, {
      token,
      body: {
        name: `中山基准申报${i}科技有限公司`,
        uscc: withCheckChar(`91442000MA4${String(i).padStart(5, '0')}X`),
        registeredCapitalCny: 60_000_000,
        address: '广东省中山市东区中山四路1号',
        legalRepresentative: `法人${i}`,
        contact: { name: `联系人${i}`, phone: '0760-88880000', email: `owner${i}@example.com` },
      },
    });
    const app = await api<{ id: string }>(rt.url, 'POST', `/v1/calls/${callId}/applications`, 201, {
      token,
      body: {
        consortium: [{ name: '中山大学', kind: 'university' }],
        partners: Array.from({ length: 10 }, (_, k) => ({ name: `合作机构${i}-${k}`, kind: 'company' })),
        registeredCapitalCny: 60_000_000,
        committedEnterprisesPerYear: 30,
        capabilities: ['compute scheduling'],
        summary: `基准申报${i}的算力平台`,
      },
    });
    applications[i] = { id: app.id, orgId: org.id, token };
  });
  return { callId, applications };
}

// ---------------------------------------------------------------------------------------------------
// The baseline: bare node:http, plain document client, the same DynamoDB calls as the real handlers.
// ---------------------------------------------------------------------------------------------------

type Json = Record<string, NativeAttributeValue>;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function startBaseline(doc: DynamoDBDocumentClient, tableName: string): Promise<http.Server> {
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10); // Asia/Shanghai, as the handler
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const app = /^\/b\/applications\/([^/?]+)$/.exec(url)?.[1];
    const work = async (): Promise<void> => {
      if (req.method === 'GET' && url.startsWith('/b/platforms')) {
        // Like the handler: the policy end in force (Art. 14: every active platform's validity) and
        // one page of the active platforms, read together.
        const [settings, page] = await Promise.all([
          doc.send(
            new GetCommand({
              TableName: tableName,
              Key: { pk: 'SETTINGS', sk: 'SETTINGS' },
              ConsistentRead: true,
            }),
          ),
          doc.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :pk',
              ExpressionAttributeValues: { ':pk': 'PLATFORMS#active' },
              ScanIndexForward: false,
              Limit: 25,
            }),
          ),
        ]);
        const policyEnd = String(settings.Item?.policyEndDate ?? '2027-12-31');
        const items = today() <= policyEnd ? (page.Items ?? []) : [];
        return send(res, 200, {
          items: items.map((p) => ({ ...p, validUntil: policyEnd })),
          lastKey: page.LastEvaluatedKey,
        });
      }
      if (req.method === 'GET' && app) {
        const got = await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: `APP#${app}`, sk: 'APP' },
            ConsistentRead: true,
          }),
        );
        return got.Item ? send(res, 200, got.Item) : send(res, 404, { code: 'NOT_FOUND' });
      }
      if (req.method === 'PATCH' && app) {
        const patch = JSON.parse(await readBody(req)) as Json;
        const got = await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: `APP#${app}`, sk: 'APP' },
            ConsistentRead: true,
          }),
        );
        const before = got.Item;
        if (!before) return send(res, 404, { code: 'NOT_FOUND' });
        await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: `ORG#${String(before.orgId)}`, sk: 'ORG' },
            ConsistentRead: true,
          }),
        );
        const at = new Date().toISOString();
        const version = Number(before.version);
        const after: Json = { ...before, ...patch, updatedAt: at, version: version + 1 };
        // Like the handler: SET every changed attribute, conditioned on the version read.
        const names = Object.keys(after).filter((k) => k !== 'pk' && k !== 'sk' && k !== 'version');
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: before.pk, sk: before.sk },
                  UpdateExpression: `SET ${names.map((_, i) => `#s${i} = :s${i}`).join(', ')}, #version = :next`,
                  ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
                  ExpressionAttributeNames: {
                    ...Object.fromEntries(names.map((n, i) => [`#s${i}`, n])),
                    '#version': 'version',
                  },
                  ExpressionAttributeValues: {
                    ...Object.fromEntries(names.map((n, i) => [`:s${i}`, after[n]])),
                    ':next': version + 1,
                    ':expected': version,
                  },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    pk: `AUDIT#${app}`,
                    sk: `${at}#${Math.random().toString(36).slice(2)}`,
                    type: 'audit',
                    action: 'application.updated',
                    at,
                    actor: { sub: String(before.ownerSub), roles: ['applicant'] },
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return send(res, 200, after);
      }
      send(res, 404, { code: 'ROUTE_NOT_FOUND' });
    };
    work().catch((e: unknown) =>
      // A lost optimistic lock, as the handler answers it.
      (e as Error).name === 'TransactionCanceledException'
        ? send(res, 409, { code: 'STALE_VERSION' })
        : send(res, 500, { message: String(e) }),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---------------------------------------------------------------------------------------------------
// The part.
// ---------------------------------------------------------------------------------------------------

function scenarios(world: World): Scenario[] {
  const apps = world.applications;
  const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const patchBody = (i: number): string =>
    JSON.stringify({ summary: `基准申报${i}的算力平台：调度与模型服务`, committedEnterprisesPerYear: 40 });
  return [
    {
      label: 'GET /v1/public/platforms',
      kind: 'public read, a page of 25',
      real: [{ method: 'GET', path: '/v1/public/platforms', headers: {} }],
      baseline: [{ method: 'GET', path: '/b/platforms', headers: {} }],
    },
    {
      label: 'GET /v1/applications/{id}',
      kind: 'authenticated read by the owner (JWT, roles, ownership)',
      real: apps.map((a) => ({ method: 'GET', path: `/v1/applications/${a.id}`, headers: auth(a.token) })),
      baseline: apps.map((a) => ({ method: 'GET', path: `/b/applications/${a.id}`, headers: auth(a.token) })),
    },
    {
      label: 'PATCH /v1/applications/{id}',
      kind: "authenticated write: draft change + audit event in one transaction (both sides wait mostly on DynamoDB Local's transactions)",
      real: apps.map((a, i) => ({
        method: 'PATCH',
        path: `/v1/applications/${a.id}`,
        headers: { ...auth(a.token), 'content-type': 'application/json' },
        body: patchBody(i),
      })),
      baseline: apps.map((a, i) => ({
        method: 'PATCH',
        path: `/b/applications/${a.id}`,
        headers: { ...auth(a.token), 'content-type': 'application/json' },
        body: patchBody(i),
      })),
    },
  ];
}

/** `GetItem×2, TransactWriteItems×1` — the operations of one request, to compare and to print. */
function describeOps(byOperation: Readonly<Record<string, OperationTally>>): string {
  return Object.entries(byOperation)
    .filter(([, t]) => t.requests > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, t]) => `${op}×${t.requests}`)
    .join(', ');
}

async function sendOnce(base: string, spec: RequestSpec): Promise<number> {
  const res = await fetch(`${base}${spec.path}`, {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body !== undefined ? { body: spec.body } : {}),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * The median of the rounds, figure by figure (each side the same treatment). Not the best round: on a
 * busy machine one side may get a quiet slot the other never had, and the best round keeps that luck.
 */
function medianOf(rounds: readonly LoadResult[]): LoadResult {
  const first = rounds[0];
  if (!first) throw new Error('no rounds');
  return {
    ...first,
    reqPerSec: median(rounds.map((r) => r.reqPerSec)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    cpuMsPerRequest: median(rounds.map((r) => r.cpuMsPerRequest)),
    requests: rounds.reduce((n, r) => n + r.requests, 0),
    non2xx: rounds.reduce((n, r) => n + r.non2xx, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    timeouts: rounds.reduce((n, r) => n + r.timeouts, 0),
    statuses: rounds.reduce<Record<string, number>>((all, r) => {
      for (const [k, v] of Object.entries(r.statuses)) all[k] = (all[k] ?? 0) + v;
      return all;
    }, {}),
  };
}

/**
 * Non-2xx answers, connection errors and timeouts of both sides, for the note ('' when none). A 409 is an
 * optimistic-lock conflict: the round-robin reached an application whose previous change was still in
 * flight (rare with many applications; the product answering correctly, not a failure).
 */
function unwantedAnswers(real: LoadResult, base: LoadResult): string {
  const side = (r: LoadResult, who: string): string => {
    const bad = Object.entries(r.statuses)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, n]) => `${n}× ${status}`);
    if (r.errors) bad.push(`${r.errors} connection errors`);
    if (r.timeouts) bad.push(`${r.timeouts} timeouts`);
    return bad.length ? `${who} ${bad.join(', ')}` : '';
  };
  const found = [side(real, 'API'), side(base, 'baseline')].filter(Boolean);
  if (!found.length) return '';
  const conflicts = found.some((f) => f.includes('× 409'))
    ? ' (409: two changes of one application in flight at once, as the round-robin lapped a slow request)'
    : '';
  return `; under load: ${found.join('; ')}${conflicts}`;
}

/**
 * Why a goal was missed, from this run's own figures: when the server's CPU per request is about the
 * baseline's, the gap is the machine (other processes on the 2 cores); otherwise it is the handler's
 * extra work per request, of which `localOnly` ms exist only locally.
 */
function explain(real: LoadResult, base: LoadResult, localOnly: number): string {
  const r = real.cpuMsPerRequest;
  const b = base.cpuMsPerRequest;
  const figures = `${r.toFixed(2)} vs ${b.toFixed(2)} ms of this process's CPU per request`;
  if (r < b * 1.3) {
    return `not the server's work (${figures}): the machine was busy with other processes during the runs; rerun on a quiet machine`;
  }
  // cls-hooked (the X-Ray SDK's context, loaded by the Powertools Tracer) registers an async hook that
  // runs on every promise; the handler path makes more promises than the bare server.
  const namespaces = (process as NodeJS.Process & { namespaces?: Record<string, unknown> }).namespaces;
  const hook = namespaces?.AWSXRay
    ? "; every promise also pays the X-Ray SDK's async hook (cls-hooked, loaded with the Powertools Tracer even with tracing off)"
    : '';
  return `the handler's own work: ${(r - b).toFixed(2)} ms more CPU per request (${figures}; ${localOnly.toFixed(2)} ms of it local-only JWT verification and event building${hook}), with Node, DynamoDB Local and the load generator sharing 2 cores`;
}

/**
 * What exists only locally, per authenticated request: the JWT verification API Gateway's authorizer
 * does in AWS, and building the API Gateway event. Timed directly (mean of many), to set beside the
 * CPU per request: `repeat` for a token already seen (the issuer remembers verified tokens until their
 * `exp`; what the load runs pay), `firstUse` for a new token (an RSA signature check).
 */
async function localOnlyCostMs(rt: LocalRuntime, n: number): Promise<{ firstUse: number; repeat: number }> {
  const tokens = await Promise.all(
    Array.from(
      { length: n },
      async (_, i) => (await rt.issuer.sign({ sub: `bench-local-${i}`, groups: ['applicant'] })).token,
    ),
  );
  const once = async (token: string, i: number): Promise<void> => {
    const claims = await rt.issuer.verify(token);
    buildHttpApiEvent(
      {
        method: 'GET',
        url: '/v1/applications/X',
        headers: { authorization: [`Bearer ${token}`], host: ['127.0.0.1'] },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
      },
      {
        routeKey: 'GET /v1/applications/{id}',
        pathParameters: { id: 'X' },
        requestId: String(i),
        receivedAt: new Date(),
        claims,
      },
    );
  };
  let started = performance.now();
  for (const [i, token] of tokens.entries()) await once(token, i);
  const firstUse = (performance.now() - started) / n;
  started = performance.now();
  for (const [i, token] of tokens.entries()) await once(token, i);
  return { firstUse, repeat: (performance.now() - started) / n };
}

export const run: BenchPart = async (ctx: BenchContext): Promise<Figure[]> => {
  const s = ctx.quick ? QUICK : FULL;
  const started = performance.now();
  const log = (line: string): void =>
    ctx.log(`[request-path ${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);
  const savedEnv = { ...process.env };
  // Handlers log at WARN by default; the deadline job's start-up warnings (e.g. a missing holiday
  // calendar) would land in the middle of the table. Nothing on the measured paths logs below ERROR.
  const savedLevel = logger.getLevelName();
  logger.setLogLevel('ERROR');
  const dataDir = path.join(ctx.scratchDir, 'request-path');
  log('starting the local runtime');
  const rt = await startLocalRuntime(
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      dynamoPort: 0,
      s3Port: 0,
      tableName: TABLE,
      evidenceBucket: 'bench-request-path',
      deadlineJobEverySeconds: 0,
    },
    // Request lines are dropped (as a quiet `npm start` would); warnings and errors still show.
    { log: (line) => (line.startsWith('[') ? log(line) : undefined) },
  );
  const driver = new LoadDriver();
  const baselineClient = new DynamoDBClient({
    region: 'cn-north-1',
    endpoint: rt.dynamoEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  const baselineDoc = DynamoDBDocumentClient.from(baselineClient, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  let baseline: http.Server | undefined;
  try {
    log('seeding');
    const world = await seedWorld(rt, s);
    baseline = await startBaseline(baselineDoc, TABLE);
    const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;
    const realCounter = new DynamoCounter().attach(dynamoClient());
    const baseCounter = new DynamoCounter().attach(baselineClient);

    const local = await localOnlyCostMs(rt, ctx.quick ? 20 : 300);
    const localOnly = local.repeat;
    const all = scenarios(world);
    log(`seeded ${world.applications.length} applications, ${s.platforms} platforms`);
    // The same DynamoDB work on both sides, or the comparison means nothing: one request each on the
    // quiet servers (before any load, so nothing else is counted), operations compared.
    const opsOf = new Map<string, string>();
    for (const sc of all) {
      const [realSpec, baseSpec] = [sc.real[0], sc.baseline[0]];
      if (!realSpec || !baseSpec) throw new Error(`${sc.label}: no requests`);
      const realOne = await realCounter.measure(() => sendOnce(rt.url, realSpec));
      const baseOne = await baseCounter.measure(() => sendOnce(baselineUrl, baseSpec));
      const realOps = describeOps(realOne.cost.byOperation);
      const baseOps = describeOps(baseOne.cost.byOperation);
      if (realOne.result >= 300 || baseOne.result >= 300)
        throw new Error(`${sc.label}: real ${realOne.result}, baseline ${baseOne.result}`);
      if (realOps !== baseOps)
        throw new Error(`${sc.label}: the baseline makes ${baseOps}, the handler ${realOps}`);
      opsOf.set(sc.label, realOps);
    }
    realCounter.pause();
    baseCounter.pause();

    log('warming up');
    // Warm up both servers and DynamoDB Local (its JIT keeps speeding up for the first seconds of load)
    // on every scenario before any measured run, so the first scenario measured is not the slowest.
    for (const sc of s.warmupSeconds > 0 ? all : []) {
      await driver.run(sc.label, baselineUrl, sc.baseline, s.connections, s.warmupSeconds);
      await setTimeout(s.settleMs);
      await driver.run(sc.label, rt.url, sc.real, s.connections, s.warmupSeconds);
      await setTimeout(s.settleMs);
    }
    const figures: Figure[] = [];
    for (const sc of all) {
      const realOps = opsOf.get(sc.label) ?? '';
      const realRounds: LoadResult[] = [];
      const baseRounds: LoadResult[] = [];
      for (let round = 0; round < s.rounds; round += 1) {
        // Alternate which side goes first, so a drift in the machine's load favours neither.
        const order = round % 2 === 0 ? (['base', 'real'] as const) : (['real', 'base'] as const);
        for (const side of order) {
          const r =
            side === 'base'
              ? await driver.run(sc.label, baselineUrl, sc.baseline, s.connections, s.seconds)
              : await driver.run(sc.label, rt.url, sc.real, s.connections, s.seconds);
          await setTimeout(s.settleMs);
          (side === 'base' ? baseRounds : realRounds).push(r);
          log(
            `${sc.label} ${side}: ${Math.round(r.reqPerSec)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${r.cpuMsPerRequest.toFixed(2)} ms/request` +
              (r.non2xx || r.errors
                ? `, ${r.non2xx} non-2xx (${JSON.stringify(r.statuses)}), ${r.errors} errors`
                : ''),
          );
        }
      }
      const real = medianOf(realRounds);
      const base = medianOf(baseRounds);
      const failures = unwantedAnswers(real, base);
      const setting = `${s.connections} connections, ${s.rounds}×${s.seconds} s per side, median`;
      const cpu = `this process's CPU per request ${real.cpuMsPerRequest.toFixed(2)} ms (baseline ${base.cpuMsPerRequest.toFixed(2)} ms)`;
      const why = explain(real, base, localOnly);
      figures.push(
        ratioFigure(
          {
            section: 'request path',
            name: `${sc.label} throughput`,
            value: Math.round(real.reqPerSec),
            unit: 'req/s',
            baseline: Math.round(base.reqPerSec),
            note: `${sc.kind}; DynamoDB per request: ${realOps} (baseline the same); ${cpu}; ${setting}${failures}`,
          },
          { kind: 'min', limit: 0.7 },
          `${why}. ${sc.kind}; DynamoDB per request: ${realOps} (baseline the same); ${setting}${failures}`,
        ),
        {
          section: 'request path',
          name: `${sc.label} p50`,
          value: round2(real.p50),
          unit: 'ms',
          baseline: round2(base.p50),
          ratio: round2(real.p50 / Math.max(base.p50, 1)),
          note: 'informative; autocannon measures whole milliseconds',
        },
        ratioFigure(
          {
            section: 'request path',
            name: `${sc.label} p99`,
            value: round2(real.p99),
            unit: 'ms',
            baseline: Math.max(round2(base.p99), 1),
          },
          { kind: 'max', limit: 2 },
          why,
        ),
      );
    }
    figures.push({
      section: 'request path',
      name: 'local-only work per authenticated request',
      value: round2(localOnly),
      unit: 'ms',
      note: `JWT verification (API Gateway's authorizer does it in AWS) and building the API Gateway event, timed alone, for a token already verified (the local issuer remembers it until its exp); a token's first use costs ${local.firstUse.toFixed(2)} ms (RSA signature check). Included in the local figures above`,
    });
    return figures;
  } finally {
    driver.stop();
    await new Promise<void>((resolve) => (baseline ? baseline.close(() => resolve()) : resolve()));
    baselineClient.destroy();
    await rt.stop();
    logger.setLogLevel(savedLevel);
    // Leave the process as it was for the next part: environment, SDK clients, data folder.
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    resetEnv();
    resetClients();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
