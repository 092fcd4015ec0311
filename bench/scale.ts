import './support/quiet-logs.ts';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { applicationIndexKeys } from '../functions/adapters/application-store.ts';
import { dynamoClient, dynamoDocumentClient, tableName } from '../functions/adapters/aws-clients.ts';
import { cycleItem, evaluationItem } from '../functions/adapters/evaluation-store.ts';
import { platformItem } from '../functions/adapters/platform-store.ts';
import type { Item } from '../functions/adapters/registry.ts';
import { setWorkflowEngine } from '../functions/adapters/workflow-engine.ts';
import type { Application } from '../functions/core/applications.ts';
import type { Call } from '../functions/core/calls.ts';
import { type Evaluation, type EvaluationCycle, REPORT_REMINDER } from '../functions/core/evaluations.ts';
import { DEFAULT_BANDS } from '../functions/core/grading.ts';
import type { Platform } from '../functions/core/platforms.ts';
import { keys } from '../functions/core/recognition-model.ts';
import { apiEvent, type Caller, lambdaContext } from '../tests/support/api-events.ts';
import { RecordingWorkflowEngine } from '../tests/support/recording-engine.ts';
import { type CounterSnapshot, DynamoCounter } from './support/dynamo-counter.ts';
import { type BenchContext, type BenchPart, type Figure, ratioFigure, round2 } from './support/figures.ts';
import { startBenchDynamo } from './support/local-dynamo.ts';

/**
 * Issue 8, "scale test": on DynamoDB Local (in memory) — a call with 1,000 scored applications and a
 * registry of 10,000 platforms with 5 years of evaluations (50,000 items) — the DynamoDB work of
 * (a) ranking a call, (b) walking the paginated lists page by page and (c) the deadline job, counted by
 * the SDK middleware (`DynamoCounter`) on the client every store uses, through the real route handlers
 * (in-process API Gateway events) and the real deadline job. Each figure is a per-item cost at the large
 * size against the same cost at the small size measured in the same run (100 vs 1,000 applications,
 * 1k vs 10k platforms): the goal is the same per-item cost (≤ 1.1×).
 *
 * Seeding writes items with the stores' own item builders (`platformItem`, `evaluationItem`,
 * `cycleItem`, the application's index keys) by BatchWriteItem (25 items, several in parallel): a
 * realistic registry without running 10,000 recognitions through the API.
 */

const SIZES = {
  full: { apps: [100, 1000], platforms: [1000, 10_000], years: 5, dueItems: 100, pageSize: 100 },
  quick: { apps: [4, 12], platforms: [10, 30], years: 2, dueItems: 3, pageSize: 5 },
} as const;
const PARALLEL_BATCHES = 8;
/** Per-item costs may differ this much between sizes and still count as "the same". */
const SAME_COST = 1.1;

const officer: Caller = { sub: 'officer-bench', roles: ['officer'] };
const T0 = '2026-01-05T00:00:00.000Z';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;
const load = async (module: string): Promise<Handler> =>
  ((await import(new URL(module, import.meta.url).href)) as { handler: Handler }).handler;

/** BatchWriteItem in chunks of 25, `PARALLEL_BATCHES` at a time, retrying unprocessed items. */
async function batchPut(items: readonly Item[]): Promise<void> {
  const doc = dynamoDocumentClient();
  const table = tableName();
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25) as Item[]);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next] as Item[];
      next += 1;
      let pending: Record<string, unknown>[] = chunk.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length; attempt += 1) {
        if (attempt > 8) throw new Error('BatchWriteItem kept returning unprocessed items');
        const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (res.UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
        if (pending.length) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_BATCHES }, worker));
}

// ————— item builders for the scale data —————

const pad = (n: number) => String(n).padStart(6, '0');
const platformId = (n: number) => `p-BENCHAPP${pad(n)}`;

function callOf(id: string): Call {
  return {
    id,
    title: `规模测试 ${id}`,
    description: 'bench',
    opensAt: '2026-01-01T00:00:00.000Z',
    closesAt: '2026-01-31T16:00:00.000Z',
    requiredEvidence: [],
    scoringCriteria: [
      { key: 'resources', title: '资源', weight: 40, max: 100 },
      { key: 'services', title: '服务', weight: 35, max: 100 },
      { key: 'operations', title: '运营', weight: 25, max: 100 },
    ],
    noticePeriod: { length: 5, unit: 'working_days' },
    status: 'closed',
    createdBy: officer.sub,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
  } as Call;
}

/** A call with `n` applications awaiting ranking, each with two expert reviews and a passed inspection. */
function callItems(callId: string, n: number): Item[] {
  const call = callOf(callId);
  const items: Item[] = [{ ...keys.call(callId), type: 'call', ...call }];
  for (let i = 0; i < n; i += 1) {
    const id = `${callId}A${pad(i)}`;
    const createdAt = new Date(Date.parse(T0) + i * 1000).toISOString();
    const app = {
      id,
      callId,
      orgId: `ORG${id}`,
      ownerSub: `owner-${id}`,
      orgName: `中山规模测试${i}有限公司`,
      uscc: '91442000MA4UQ9YX2J',
      status: 'awaiting_ranking',
      eligibility: { eligible: true, failures: [], warnings: [] },
      consortium: [],
      partners: [],
      registeredCapitalCny: 60_000_000,
      committedEnterprisesPerYear: 40,
      capabilities: ['算力'],
      summary: 'bench',
      submittedAt: createdAt,
      version: 5,
      createdAt,
      updatedAt: createdAt,
    } as unknown as Application;
    items.push({
      ...keys.application(id),
      type: 'application',
      ...app,
      ...applicationIndexKeys(app, 'awaiting_ranking'),
    });
    for (const e of [1, 2]) {
      items.push({
        ...keys.review(id, `EXP${e}`),
        type: 'review',
        applicationId: id,
        callId,
        expertId: `EXP${e}`,
        expertSub: `expert-${e}`,
        conflictOfInterest: false,
        scores: { resources: 60 + ((i * 7 + e) % 40), services: 70 + (i % 30), operations: 80 + (e % 20) },
        comment: 'bench',
        submittedAt: createdAt,
      });
    }
    items.push({
      ...keys.inspection(id),
      type: 'inspection',
      applicationId: id,
      callId,
      inspectedAt: createdAt,
      findings: 'bench',
      passed: true,
      recordedBy: officer.sub,
      recordedAt: createdAt,
    });
  }
  return items;
}

function cycle(year: number, status: EvaluationCycle['status'], reportDeadline: string): Item {
  return cycleItem({
    year,
    reportDeadline,
    criteria: [{ key: 'overall', title: '综合', weight: 1, max: 100 }],
    bands: DEFAULT_BANDS,
    status,
    createdBy: officer.sub,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
  });
}

function evaluation(year: number, n: number, extra: Partial<Evaluation> = {}): Evaluation {
  const pid = platformId(n);
  return {
    id: `ev-${year}-${pid}`,
    year,
    platformId: pid,
    orgId: `ORGP${pad(n)}`,
    hostName: `中山平台${n}有限公司`,
    status: 'published',
    executionName: `eval-${year}-${pid}`,
    reportDeadline: `${year}-03-31T15:59:59.999Z`,
    score: 60 + (n % 40),
    grade: n % 40 >= 30 ? 'excellent' : n % 40 >= 15 ? 'good' : 'qualified',
    createdAt: `${year}-01-05T00:00:00.000Z`,
    updatedAt: `${year}-06-30T00:00:00.000Z`,
    version: 6,
    ...extra,
  } as Evaluation;
}

/** Platforms `from`..`to`-1 with `years` published evaluations each (the years before `currentYear`). */
function registryItems(from: number, to: number, years: number, currentYear: number): Item[] {
  const items: Item[] = [];
  for (let n = from; n < to; n += 1) {
    const recognisedAt = new Date(Date.parse('2020-06-01T00:00:00.000Z') + n * 60_000).toISOString();
    items.push(
      platformItem({
        id: platformId(n),
        applicationId: `BENCHAPP${pad(n)}`,
        callId: 'BENCHCALL0',
        orgId: `ORGP${pad(n)}`,
        hostName: `中山平台${n}有限公司`,
        uscc: '91442000MA4UQ9YX2J',
        summary: 'AI enablement',
        capabilities: ['算力调度'],
        consortium: [],
        status: 'active',
        recognisedAt,
        validUntil: '2099-12-31',
        noticeId: 'n-BENCHCALL0',
        createdAt: recognisedAt,
        updatedAt: recognisedAt,
        version: 1,
      } as unknown as Platform),
    );
    for (let y = currentYear - years; y < currentYear; y += 1) items.push(evaluationItem(evaluation(y, n)));
  }
  return items;
}

// ————— measurements —————

interface Measured {
  readonly cost: CounterSnapshot;
  readonly ms: number;
  readonly pages: number;
  readonly items: number;
}

async function timed(
  counter: DynamoCounter,
  fn: () => Promise<{ pages: number; items: number }>,
): Promise<Measured> {
  const started = performance.now();
  const { result, cost } = await counter.measure(fn);
  counter.pause();
  return { cost, ms: performance.now() - started, ...result };
}

async function ok(
  res: { statusCode: number; body?: string },
  what: string,
): Promise<Record<string, unknown>> {
  if (res.statusCode !== 200) throw new Error(`${what}: ${res.statusCode} ${res.body ?? ''}`);
  return JSON.parse(res.body ?? '{}') as Record<string, unknown>;
}

/** Walks a paginated route to its end: pages and items seen. */
async function walk(
  handler: Handler,
  routeKey: string,
  opts: { caller?: Caller; params?: Record<string, string> },
  limit: number,
): Promise<{ pages: number; items: number }> {
  let cursor: string | undefined;
  let pages = 0;
  let items = 0;
  do {
    const body = await ok(
      await handler(
        apiEvent(routeKey, {
          ...opts,
          query: { limit: String(limit), ...(cursor ? { cursor } : {}) },
        }),
        lambdaContext(),
      ),
      routeKey,
    );
    pages += 1;
    items += (body.items as unknown[]).length;
    cursor = body.nextCursor as string | undefined;
  } while (cursor);
  return { pages, items };
}

interface SizeResult {
  readonly size: number;
  readonly m: Measured;
}

const per = (x: number, n: number) => (n ? x / n : 0);
const fmt = (x: number) => (Math.abs(x) >= 10 ? round2(x) : Math.round(x * 1000) / 1000);

/** Two figures (requests and read units per `unitName`) comparing the large size to the small one. */
function perItemFigures(
  what: string,
  unitName: 'application' | 'item' | 'page' | 'due item',
  small: SizeResult,
  large: SizeResult,
  count: (r: SizeResult) => number,
  sizeLabel: (n: number) => string,
  cause: string,
): Figure[] {
  const out: Figure[] = [];
  for (const [metric, pick] of [
    ['requests', (c: CounterSnapshot) => c.requests],
    ['RCU', (c: CounterSnapshot) => c.readUnits],
  ] as const) {
    const base = fmt(per(pick(small.m.cost), count(small)));
    const value = fmt(per(pick(large.m.cost), count(large)));
    out.push(
      ratioFigure(
        {
          section: 'scale',
          name: `${what}: ${metric} per ${unitName} @ ${sizeLabel(large.size)}`,
          value,
          unit: `${metric}/${unitName}`,
          baseline: base || value || 1,
          note: `baseline @ ${sizeLabel(small.size)}; totals ${pick(small.m.cost)} → ${round2(pick(large.m.cost))}; ${Math.round(small.m.ms)} → ${Math.round(large.m.ms)} ms`,
        },
        { kind: 'max', limit: SAME_COST },
        cause,
      ),
    );
  }
  return out;
}

const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

/** The part on the table the environment points at (the integration test's shared DynamoDB Local). */
export async function runOnTable(ctx: BenchContext): Promise<Figure[]> {
  // The deadline job and the review module may touch workflows: record, never reach AWS.
  setWorkflowEngine(new RecordingWorkflowEngine());
  try {
    return await measureScale(ctx);
  } finally {
    setWorkflowEngine(undefined);
  }
}

async function measureScale(ctx: BenchContext): Promise<Figure[]> {
  const sizes = ctx.quick ? SIZES.quick : SIZES.full;
  const counter = new DynamoCounter().attach(dynamoClient());
  counter.pause();
  const review = await load('../functions/api/review.ts');
  const registryRoutes = await load('../functions/api/registry.ts');
  const evaluationRoutes = await load('../functions/api/evaluation.ts');
  const deadlineJob = await load('../functions/jobs/deadlines.ts');
  const figures: Figure[] = [];
  const seedTimes: string[] = [];
  const seed = async (what: string, items: Item[]): Promise<void> => {
    const started = performance.now();
    await batchPut(items);
    const s = (performance.now() - started) / 1000;
    seedTimes.push(`${what}: ${items.length} items in ${s.toFixed(1)} s (${Math.round(items.length / s)}/s)`);
    ctx.log(seedTimes.at(-1) as string);
  };

  // (a) Ranking: one call of each size.
  const rankings: SizeResult[] = [];
  for (const n of sizes.apps) {
    const callId = `BENCHCALL${n}`;
    await seed(`call with ${n} applications`, callItems(callId, n));
    const m = await timed(counter, async () => {
      const body = await ok(
        await review(
          apiEvent('GET /v1/calls/{callId}/ranking', { caller: officer, params: { callId } }),
          lambdaContext(),
        ),
        'ranking',
      );
      const ranked = (body.items as unknown[]).length;
      if (ranked !== n) throw new Error(`ranking of ${callId}: ${ranked} of ${n} applications ranked`);
      return { pages: 1, items: ranked };
    });
    ctx.log(`ranking ${n}: ${m.cost.requests} requests, ${m.cost.readUnits} RCU, ${Math.round(m.ms)} ms`);
    rankings.push({ size: n, m });
  }
  const [r1, r2] = rankings as [SizeResult, SizeResult];
  const fanOut =
    'a Query (reviews) and a GetItem (inspection) per application, all sent at once: the SDK queues beyond its 50 sockets';
  figures.push(
    ...perItemFigures(
      'ranking a call',
      'application',
      r1,
      r2,
      (r) => r.m.items,
      (n) => `${n} applications`,
      'the ranking reads more per application in a larger call',
    ).map((f) => (f.met ? { ...f, note: `${f.note}; ${fanOut}` } : f)),
  );

  // (b) + (c): the registry at each size; the current cycle has `dueItems` reports due for a reminder.
  const now = new Date();
  const currentYear = now.getUTCFullYear();
  const years = sizes.years;
  const cycles: Item[] = [];
  for (let y = currentYear - years; y < currentYear; y += 1)
    cycles.push(cycle(y, 'finalized', `${y}-03-31T15:59:59.999Z`));
  const reportDeadline = new Date(now.getTime() + 3 * 86_400_000).toISOString();
  cycles.push(cycle(currentYear, 'open', reportDeadline));
  await seed('evaluation cycles', cycles);
  // A first run with nothing due: the job plans the policy end once per process and checks the calendar.
  await deadlineJob({}, lambdaContext());

  const publicLists: SizeResult[] = [];
  const evalLists: SizeResult[] = [];
  const jobs: SizeResult[] = [];
  let seeded = 0;
  for (const size of sizes.platforms) {
    await seed(
      `registry ${seeded}→${size} platforms, ${years} years of evaluations`,
      registryItems(seeded, size, years, currentYear),
    );
    seeded = size;

    publicLists.push({
      size,
      m: await timed(counter, () => walk(registryRoutes, 'GET /v1/public/platforms', {}, sizes.pageSize)),
    });
    const year = String(currentYear - 1);
    evalLists.push({
      size,
      m: await timed(counter, () =>
        walk(
          evaluationRoutes,
          'GET /v1/evaluation-cycles/{year}/evaluations',
          { caller: officer, params: { year } },
          sizes.pageSize,
        ),
      ),
    });

    // The same number of due reminders at each size (the first platforms' current evaluations).
    const dueAt = new Date(Date.now() - 60_000).toISOString();
    await seed(
      `${sizes.dueItems} due report reminders`,
      Array.from({ length: sizes.dueItems }, (_, n) =>
        evaluationItem(
          evaluation(currentYear, n, {
            status: 'awaiting_report',
            reportDeadline,
            score: undefined,
            grade: undefined,
          } as Partial<Evaluation>),
          {
            at: dueAt,
            type: REPORT_REMINDER,
          },
        ),
      ),
    );
    const job = await timed(counter, async () => {
      const summary = (await deadlineJob({}, lambdaContext())) as { examined?: number; acted?: number };
      return { pages: 1, items: Number(summary.examined ?? 0) };
    });
    if (job.items !== sizes.dueItems) {
      throw new Error(`deadline job @ ${size}: examined ${job.items} entries, ${sizes.dueItems} were due`);
    }
    jobs.push({ size, m: job });
    ctx.log(
      `@${size}: public list ${publicLists.at(-1)?.m.pages} pages, evaluations ${evalLists.at(-1)?.m.pages} pages, job ${job.cost.requests} requests for ${job.items} due`,
    );
  }
  const label = (n: number) => `${k(n)} platforms`;
  const [p1, p2] = publicLists as [SizeResult, SizeResult];
  const [e1, e2] = evalLists as [SizeResult, SizeResult];
  const [j1, j2] = jobs as [SizeResult, SizeResult];
  // Requests per page and read units per item: the last page of a walk is partial (or empty), so read
  // units per page would differ between sizes for that reason alone.
  const requestsOnly = (f: Figure[]) => f.slice(0, 1);
  const unitsOnly = (f: Figure[]) => f.slice(1);
  const perPage = (r: SizeResult) => r.m.pages;
  const perItem = (r: SizeResult) => r.m.items;
  const evals = `staff list: one year's evaluations (of ${years})`;
  figures.push(
    ...requestsOnly(
      perItemFigures(
        'public platform list, all pages',
        'page',
        p1,
        p2,
        perPage,
        label,
        'a page of the public list costs more requests in a larger registry',
      ),
    ),
    ...unitsOnly(
      perItemFigures(
        'public platform list, all pages',
        'item',
        p1,
        p2,
        perItem,
        label,
        'the public list reads more per platform in a larger registry',
      ),
    ),
    ...requestsOnly(
      perItemFigures(
        evals,
        'page',
        e1,
        e2,
        perPage,
        label,
        'a page of a cycle’s evaluations costs more requests in a larger registry',
      ),
    ),
    ...unitsOnly(
      perItemFigures(
        evals,
        'item',
        e1,
        e2,
        perItem,
        label,
        'a cycle’s evaluations read more per item in a larger registry',
      ),
    ),
    ...perItemFigures(
      'deadline job',
      'due item',
      j1,
      j2,
      perItem,
      label,
      'the deadline job reads more per due item in a larger registry',
    ),
  );
  figures.push({
    section: 'scale',
    name: 'seeding (BatchWriteItem ×25, 8 in parallel)',
    value: seeded * (years + 1) + sizes.apps.reduce((a, b) => a + b * 4, 0),
    unit: 'items',
    note: seedTimes.join('; '),
  });
  return figures;
}

export const run: BenchPart = async (ctx) => {
  const dynamo = await startBenchDynamo(`bench-scale-${randomUUID().slice(0, 8)}`);
  try {
    return await runOnTable(ctx);
  } finally {
    await dynamo.stop();
  }
};
