import '../support/quiet-logs.ts';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients.ts';
import { setWorkflowEngine } from '../../functions/adapters/workflow-engine.ts';
import { type RouteDef, routeKey, routes } from '../../functions/api/routes.ts';
import { setClock } from '../../functions/shared/clock.ts';
import { ROLES, type Role } from '../../functions/shared/roles.ts';
import { apiEvent, lambdaContext } from '../support/api-events.ts';
import { RecordingWorkflowEngine } from '../support/recording-engine.ts';
import { recordReliability } from '../support/reliability.ts';
import { FIXTURE_NOW, seedCall, seedWorld, type World } from './support/fixtures.ts';
import { useLocalServices } from './support/services.ts';

/**
 * Suite 1 of issue 5, the authorisation matrix (OWASP API1 BOLA, API3 BOPLA, API5 BFLA): every route of
 * the route table × no token and every role × owner A's object and owner B's object, through the real
 * group handlers on DynamoDB Local. The applicant is owner A. Expected:
 * - API5: no token → 401 on a protected route; a role outside `route.auth` → 403;
 * - API1: A's applicant on B's object → 404, and no response to A (or to the public) contains B's secrets
 *   (contact e-mail and phone, owner sub, evidence SHA-256);
 * - API3: every 2xx JSON body holds only fields its response schema names, never a `token`/`memberSubs`,
 *   and on public routes no `ownerSub`, `contact` or `sha256`; mass assignment: privileged fields added
 *   to a request body → 400, and the registry is unchanged by every refused request.
 * A route without an entry in `FIXTURES` fails the suite naming it, so a new route cannot be forgotten.
 */
type Caller = Role | 'no token';
const CALLERS: readonly Caller[] = ['no token', ...ROLES];
type Handler = (
  e: unknown,
  c: unknown,
) => Promise<{ statusCode: number; body?: string; headers?: Record<string, string> }>;

/** Which stored object a route's path names, so the matrix knows whose it is. */
type Target = 'none' | 'organisation' | 'application' | 'evidence' | 'platform' | 'unseeded';
const FIXTURES: Record<string, Target> = {
  getHealth: 'none',
  getOpenApi: 'none',
  createOrganisation: 'none',
  getMyOrganisation: 'none',
  getOrganisation: 'organisation',
  decideOrganisationVerification: 'organisation',
  listTasks: 'none',
  listAuditEvents: 'none',
  listNotifications: 'none',
  markNotificationsRead: 'none',
  createApplication: 'none',
  patchApplication: 'application',
  getApplication: 'application',
  listApplications: 'none',
  submitApplication: 'application',
  withdrawApplication: 'application',
  createEvidence: 'application',
  confirmEvidence: 'evidence',
  listEvidence: 'application',
  downloadEvidence: 'evidence',
  createCall: 'none',
  publishCall: 'none',
  listCalls: 'none',
  getCall: 'none',
  listPublicNotices: 'none',
  getPublicNotice: 'unseeded',
  createObjection: 'unseeded',
  listNoticeObjections: 'unseeded',
  listObjections: 'none',
  resolveObjection: 'unseeded',
  listPublicPlatforms: 'none',
  getPlatform: 'platform',
  getCalendarYear: 'none',
  putCalendarYear: 'none',
  decidePreliminaryReview: 'application',
  retryReview: 'application',
  createExpert: 'none',
  listExperts: 'none',
  assignExperts: 'application',
  submitExpertReview: 'application',
  recordSiteInspection: 'application',
  getRanking: 'none',
  proposeList: 'none',
  decideProposedList: 'none',
  listRevocationCandidates: 'none',
  openRevocation: 'platform',
  listRevocations: 'none',
  getRevocation: 'unseeded',
  respondToRevocation: 'unseeded',
  decideRevocation: 'unseeded',
  createPlatformEvidence: 'platform',
  confirmPlatformEvidence: 'unseeded',
  listPlatformEvidence: 'platform',
  downloadPlatformEvidence: 'unseeded',
  createChangeRequest: 'platform',
  decideChangeRequest: 'unseeded',
  listPlatformChangeRequests: 'platform',
  listChangeRequests: 'none',
  getPlatformHistory: 'platform',
  createAdvanceNotice: 'platform',
  listAdvanceNotices: 'platform',
  createSharingConsent: 'platform',
  listSharingConsents: 'platform',
  getSettings: 'none',
  putSettings: 'none',
  exportRanking: 'none',
  exportRegistry: 'none',
  exportGrades: 'none',
  exportRevocations: 'none',
  createEvaluationCycle: 'none',
  getEvaluationCycle: 'unseeded',
  openEvaluationCycle: 'unseeded',
  listEvaluations: 'unseeded',
  getEvaluation: 'unseeded',
  putEvaluationReport: 'unseeded',
  createReportEvidence: 'unseeded',
  confirmReportEvidence: 'unseeded',
  submitEvaluationReport: 'unseeded',
  gradeEvaluation: 'unseeded',
  finalizeEvaluationCycle: 'unseeded',
  createVoucherProgramme: 'none',
  listVoucherProgrammes: 'none',
  listPublicVoucherProgrammes: 'none',
  getVoucherProgramme: 'unseeded',
  createVoucherAllocation: 'unseeded',
  createVoucherClaim: 'platform',
  listMyVoucherClaims: 'none',
  listPlatformVoucherClaims: 'platform',
  decideVoucherClaim: 'unseeded',
  redeemVoucher: 'unseeded',
  listVoucherRedemptions: 'unseeded',
  listPlatformVoucherRedemptions: 'platform',
  settleRedemption: 'unseeded',
  getVoucherReport: 'unseeded',
  listVoucherLedger: 'unseeded',
  putPlatformService: 'platform',
  deletePlatformService: 'platform',
  listPlatformServices: 'platform',
  setPlatformServiceVisibility: 'platform',
  putPlatformCase: 'platform',
  deletePlatformCase: 'platform',
  listPlatformCases: 'platform',
  setPlatformCaseVisibility: 'platform',
  // Both worlds' platforms are active, so their public profiles are everyone's to read.
  getPublicPlatformProfile: 'none',
  listPublicServices: 'none',
  listPublicCases: 'none',
};
/** Queries a route needs to answer 200 (its required filters). */
const QUERIES: Record<string, (w: World) => Record<string, string>> = {
  listAuditEvents: (w) => ({ entityId: w.applicationId }),
  listApplications: () => ({ callId }),
  exportRanking: () => ({ callId }),
  exportGrades: () => ({ year: '2026' }),
};
/** Privileged fields a client must never set (mass assignment). */
const PRIVILEGED = {
  status: 'approved',
  version: 99,
  ownerSub: 'owner-a',
  orgId: 'x',
  score: 100,
  grade: 'excellent',
};
/** Never in any response to a non-staff caller. */
const NEVER = ['token', 'taskToken', 'memberSubs'];
/** Never in a public response either. */
const NOT_PUBLIC = ['ownerSub', 'contact', 'sha256', 'createdBy', 'objectorContact'];
/** Routes whose body documents the API (field names are schema text, not data): no key check. */
const DOCUMENTS = ['getOpenApi'];
const STAFF: readonly Role[] = ['officer', 'approver', 'admin', 'observer', 'expert'];

const handlers = new Map<string, Handler>();
let callId = '';
let A: World;
let B: World;
let tableName = '';
const tried: Record<string, number> = { bola: 0, bfla: 0, massAssignment: 0, publicFields: 0 };
let fiveXX = 0;
let leaks = 0;
let changed = 0;

const params = (route: RouteDef, w: World): Record<string, string> => {
  const t = FIXTURES[route.id];
  const p: Record<string, string> = {};
  for (const [, name = ''] of route.path.matchAll(/\{(\w+)\}/g)) {
    p[name] =
      name === 'callId'
        ? callId
        : name === 'year'
          ? '2099'
          : name === 'orgId'
            ? w.orgId
            : name === 'platformId'
              ? w.platformId
              : name === 'evidenceId' && t === 'evidence'
                ? w.evidenceId
                : name === 'id' && (t === 'application' || t === 'evidence')
                  ? w.applicationId
                  : `UNSEEDED${w.name}${name}`;
  }
  return p;
};

/**
 * The response allow-list derived from a route's zod schema: every key of its objects (`keys`), and the
 * keys whose value is a free-form record (`open`, e.g. an audit event's `detail`), not descended into.
 */
interface AllowList {
  readonly keys: Set<string>;
  readonly open: Set<string>;
}
const unwrap = (t: z.ZodType): z.ZodType =>
  t instanceof z.ZodOptional || t instanceof z.ZodNullable || t instanceof z.ZodDefault
    ? unwrap(t.unwrap() as z.ZodType)
    : t;
function allowList(
  schema: unknown,
  out: AllowList = { keys: new Set(), open: new Set() },
  seen = new Set<unknown>(),
): AllowList {
  if (!(schema instanceof z.ZodType) || seen.has(schema)) return out;
  seen.add(schema);
  if (schema instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      out.keys.add(k);
      const inner = unwrap(v);
      if (inner instanceof z.ZodRecord || inner instanceof z.ZodUnknown || inner instanceof z.ZodAny)
        out.open.add(k);
    }
  }
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  for (const v of Object.values(def)) {
    const items = Array.isArray(v)
      ? v
      : v && typeof v === 'object' && !(v instanceof z.ZodType)
        ? Object.values(v)
        : [v];
    for (const item of items) allowList(item, out, seen);
  }
  return out;
}
/** The keys of a response body, not descending into the allow-list's free-form records. */
function bodyKeys(v: unknown, open: Set<string>, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) bodyKeys(x, open, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      if (!open.has(k)) bodyKeys(x, open, out);
    }
  return out;
}

async function snapshot(): Promise<string> {
  const items: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamoDocumentClient().send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(
      ...(page.Items ?? [])
        .filter((i) => i.type !== 'audit' || !String(i.action).endsWith('.accessed'))
        .map((i) => JSON.stringify(i)),
    );
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return items.sort().join('\n');
}

interface Outcome {
  status: number;
  body: string;
  json?: unknown;
}
async function send(route: RouteDef, caller: Caller, w: World, body?: unknown): Promise<Outcome> {
  const handler = handlers.get(route.group);
  if (!handler) throw new Error(`no handler for group ${route.group}`);
  const sub = caller === 'applicant' ? A.owner.sub : `${caller}-authz`;
  const query = QUERIES[route.id]?.(w);
  const event = apiEvent(routeKey(route), {
    params: params(route, w),
    ...(query ? { query } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(caller !== 'no token' && Array.isArray(route.auth) ? { caller: { sub, roles: [caller] } } : {}),
  });
  const res = await handler(event, lambdaContext(`api-${route.group}`));
  const ct = res.headers?.['content-type'] ?? res.headers?.['Content-Type'] ?? '';
  const text = res.body ?? '';
  return {
    status: res.statusCode,
    body: text,
    ...(/json/.test(ct) && text ? { json: JSON.parse(text) } : {}),
  };
}

/** The misses of one request against the contract. */
function judge(route: RouteDef, caller: Caller, w: World, out: Outcome, mutating: boolean): string[] {
  const misses: string[] = [];
  const at = `${caller} on ${w.name}'s: got ${out.status}`;
  if (out.status >= 500) {
    fiveXX += 1;
    return [`${at} (5xx)`];
  }
  const open = !Array.isArray(route.auth);
  const roles = open ? [] : (route.auth as readonly Role[]);
  if (!open && caller === 'no token') return out.status === 401 ? [] : [`${at}, want 401`];
  if (!open && caller !== 'no token' && !roles.includes(caller))
    return out.status === 403 ? [] : [`${at}, want 403`];
  const target = FIXTURES[route.id];
  // Art. 11: observers see a platform's evidence only under its owner's consent (world A has one).
  const unshared =
    caller === 'observer' &&
    w.name === 'B' &&
    route.path.startsWith('/v1/platforms/') &&
    route.path.includes('/evidence');
  if (unshared) {
    if (out.status !== 403 || (out.json as { code?: string } | undefined)?.code !== 'NO_SHARING_CONSENT')
      misses.push(`${at}, want 403 NO_SHARING_CONSENT`);
  } else if (mutating) {
    if (out.status < 400) misses.push(`${at}: a body with privileged fields was accepted`);
    else if (out.status === 400 && !Object.keys(PRIVILEGED).some((k) => out.body.includes(`"${k}"`)))
      misses.push(`${at}: the 400 does not name the privileged field to remove`);
  } else if (target === 'unseeded') {
    if (![400, 404].includes(out.status)) misses.push(`${at}, want 404 (nothing seeded)`);
  } else if (caller === 'applicant' && w.name === 'B' && target !== 'none') {
    if (out.status !== 404) misses.push(`${at}, want 404 (another party's object)`);
  } else if (route.method === 'GET') {
    // The owner and staff read what exists; an expert only what they are assigned (none here).
    const want = caller === 'expert' && (target === 'application' || target === 'evidence') ? 404 : 200;
    if (out.status !== want) misses.push(`${at}, want ${want}`);
  }
  // Leaks: B's secrets to A's applicant or to the public; fields outside the allow-list.
  const outsider = caller === 'no token' || caller === 'applicant' || open;
  if (
    out.status < 300 &&
    outsider &&
    B.secrets.some((s) => out.body.includes(s)) &&
    !(STAFF as string[]).includes(caller)
  ) {
    leaks += 1;
    misses.push(`${at}: response carries world B's private data`);
  }
  if (out.status < 300 && out.json !== undefined && !DOCUMENTS.includes(route.id)) {
    const allowed = allowList(Object.values(route.responses).find((r) => r.schema)?.schema);
    const keys = bodyKeys(out.json, allowed.open);
    const deny = [...(caller === 'applicant' || open ? NEVER : []), ...(open ? NOT_PUBLIC : [])];
    const bad = keys.filter((k) => deny.includes(k) || (allowed.keys.size > 0 && !allowed.keys.has(k)));
    if (bad.length) {
      leaks += 1;
      misses.push(`${at}: fields outside the allow-list: ${[...new Set(bad)].join(', ')}`);
    }
  }
  return misses;
}

beforeAll(async () => {
  ({ tableName } = await useLocalServices('authz-matrix', { bucket: true }));
  setWorkflowEngine(new RecordingWorkflowEngine());
  setClock(new Date(FIXTURE_NOW), 'fixed');
  for (const group of new Set(routes.map((r) => r.group))) {
    const mod = (await import(new URL(`../../functions/api/${group}.ts`, import.meta.url).href)) as {
      handler: Handler;
    };
    handlers.set(group, mod.handler);
  }
  callId = await seedCall();
  A = await seedWorld('A', callId, { consent: true });
  B = await seedWorld('B', callId);
});
afterAll(async () => {
  setWorkflowEngine(undefined);
  setClock(undefined);
  await recordReliability({
    suite: 'authorisation-matrix',
    tried,
    fiveXX,
    leaks,
    lost: 0,
    halfWritten: changed,
    notes:
      `${routes.length} routes × ${CALLERS.length} callers × 2 owners through the real handlers; ` +
      'bodies carry privileged fields (mass assignment); registry compared (Scan) before/after every mutating route',
  });
});

describe('authorisation matrix: every route × every role × own/other object', () => {
  it('every request body schema refuses the privileged fields it does not define (API3 mass assignment)', () => {
    // Prepare: each object a body may be (a union's options one by one).
    const misses = routes.flatMap((route) => {
      const body = route.request?.body;
      if (!body) return [];
      const top = unwrap(body);
      const objects = top instanceof z.ZodDiscriminatedUnion ? (top.options as z.ZodType[]) : [top];
      return objects.flatMap((o) => {
        if (!(o instanceof z.ZodObject)) return [`${route.id}: body is not an object schema`];
        const defined = new Set(Object.keys(o.shape));
        // Act
        const res = o.safeParse(PRIVILEGED);
        const refused = new Set(
          res.success ? [] : res.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : [])),
        );
        // Assess: every privileged key the schema does not define is refused by name.
        return Object.keys(PRIVILEGED)
          .filter((k) => !defined.has(k) && !refused.has(k))
          .map((k) => `${route.id}: accepts "${k}"`);
      });
    });
    tried.massAssignment = (tried.massAssignment ?? 0) + routes.filter((r) => r.request?.body).length;
    expect(misses).toEqual([]);
  });

  it('the checks catch what they look for (a leak, an extra field, a 5xx, a missing 404)', () => {
    // Prepare: synthetic answers to A's applicant, with the counters saved (these are not observations).
    const saved = { fiveXX, leaks };
    const route = routes.find((r) => r.id === 'getApplication') as RouteDef;
    const json = (v: unknown): Outcome => ({ status: 200, body: JSON.stringify(v), json: v });
    // Act
    const leak = judge(route, 'applicant', A, json({ id: 'x', note: B.secrets[0] }), false);
    const extra = judge(route, 'applicant', A, json({ id: 'x', token: 't' }), false);
    const crash = judge(route, 'applicant', A, { status: 500, body: '' }, false);
    const bola = judge(route, 'applicant', B, json({ id: 'x' }), false);
    ({ fiveXX, leaks } = saved);
    // Assess
    expect(leak.join()).toMatch(/private data/);
    expect(extra.join()).toMatch(/outside the allow-list: token/);
    expect(crash.join()).toMatch(/5xx/);
    expect(bola.join()).toMatch(/want 404/);
  });

  it('has a fixture entry for every route of the table', () => {
    const missing = routes.filter((r) => !(r.id in FIXTURES)).map((r) => `${routeKey(r)} (${r.id})`);
    expect(missing, 'routes with no entry in FIXTURES').toEqual([]);
  });

  it.each(routes.map((r) => [routeKey(r), r] as const))('%s', async (_key, route) => {
    const mutating = route.method !== 'GET';
    const body = route.request?.body ? { ...PRIVILEGED } : mutating ? undefined : undefined;
    const before = mutating ? await snapshot() : '';
    const misses: string[] = [];
    for (const w of [A, B]) {
      const outcomes = await Promise.all(
        CALLERS.map(async (c) => [c, await send(route, c, w, body)] as const),
      );
      for (const [c, out] of outcomes) {
        const allowed =
          !Array.isArray(route.auth) || (c !== 'no token' && (route.auth as readonly Role[]).includes(c));
        const kind = !allowed
          ? 'bfla'
          : body
            ? 'massAssignment'
            : !Array.isArray(route.auth)
              ? 'publicFields'
              : 'bola';
        tried[kind] = (tried[kind] ?? 0) + 1;
        misses.push(...judge(route, c, w, out, body !== undefined));
      }
    }
    if (mutating && body !== undefined) {
      const after = await snapshot();
      if (after !== before) {
        changed += 1;
        misses.push('the registry changed after refused requests');
      }
    }
    expect(misses).toEqual([]);
  });
});
