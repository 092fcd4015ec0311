/**
 * Issue 8, part 1: bundle size and cold start of every Lambda function, each against a baseline handler
 * that only imports the same AWS SDK clients.
 *
 * For each function of the stack (`functionEntries()`, the list the stack itself builds from) the entry
 * is bundled with esbuild exactly as CDK bundles it (`LAMBDA_BUNDLE`) plus a metafile; the metafile
 * says which SDK clients the bundle holds; a generated baseline handler imports just those (one client
 * each) and makes one cheap call, bundled with the same options. Then, alternately, a fresh Node 24
 * process loads the function's bundle and answers one invocation (a real API Gateway v2 event for one
 * of its routes, which reaches DynamoDB Local, or a representative job/task input), and a fresh process
 * does the same with the baseline. Inside the child we time the script's start to the handler's return
 * (the figure), separately the bundle's import, and the CPU time of the span (steadier than wall time
 * on a busy machine; named when it tells a missed goal apart from noise). Medians of the runs (5, quick
 * mode 1), ratios per function.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build, type Metafile } from 'esbuild';
import * as z from 'zod';
import { ensureTable } from '../functions/adapters/table-admin.ts';
import { routeKey, routes } from '../functions/api/routes.ts';
import type { Role } from '../functions/shared/roles.ts';
import { LAMBDA_BUNDLE } from '../infra/constructs/bundle-options.ts';
import { freePort, startDynamoDbLocal } from '../infra/local/services.ts';
import { type FunctionEntry, functionEntries } from '../infra/stacks/function-entries.ts';
import { apiEvent } from '../tests/support/api-events.ts';
import {
  type BenchContext,
  type BenchPart,
  type Figure,
  median,
  ratioFigure,
  round2,
} from './support/figures.ts';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const TABLE = 'zs-bench-cold-start';
const BUCKET = 'zs-bench-evidence';
/** Goals of the issue: bundle ≤ 1.2× its baseline, cold start ≤ 1.3×. */
const BUNDLE_LIMIT = 1.2;
const COLD_START_LIMIT = 1.3;
const RESULT_MARK = '@@COLD-START ';
/** Runs per function and per baseline in full mode: 20 functions × 5 × 2 processes fit the part's 90 s. */
const FULL_RUNS = 5;
/**
 * Quick mode (the smoke test in `npm test`): an API function whose baseline has the S3 presigners and a
 * workflow task, once each; every code path runs, the figures mean nothing.
 */
const QUICK_FUNCTIONS = ['api-operations', 'wf-uscc-verification'];

export interface ColdStartOptions {
  /** Only these functions (by short name, e.g. `api-system`); all by default. */
  readonly only?: readonly string[];
  /** Runs per function and per baseline; default `FULL_RUNS` (1 in quick mode). */
  readonly runs?: number;
}

/**
 * How a baseline uses each SDK package a function bundles: the import, the client it constructs and the
 * one cheap call it makes. Only clients that talk to DynamoDB Local make a network call (as the
 * functions' sample invocations do); the others are constructed, and presigners sign locally.
 * A package missing here stops the run, so a newly used client is never silently left out of a baseline.
 */
interface BaselinePart {
  readonly imports: string;
  readonly setup: string;
  readonly call?: string;
}
const BASELINE_PARTS: Readonly<Record<string, BaselinePart>> = {
  '@aws-sdk/client-dynamodb': {
    imports: "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';",
    setup:
      'const dynamo = new DynamoDBClient({ region, endpoint: process.env.DYNAMODB_ENDPOINT, maxAttempts: 2 });',
    call: "await dynamo.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'BENCH' }, sk: { S: 'BENCH' } } }));",
  },
  '@aws-sdk/lib-dynamodb': {
    imports: "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
    setup: 'const doc = DynamoDBDocumentClient.from(dynamo);',
    call: "await doc.send(new GetCommand({ TableName: table, Key: { pk: 'BENCH', sk: 'BENCH' } }));",
  },
  '@aws-sdk/client-s3': {
    imports: "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';",
    setup:
      'const s3 = new S3Client({ region, endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });',
  },
  '@aws-sdk/s3-presigned-post': {
    imports: "import { createPresignedPost } from '@aws-sdk/s3-presigned-post';",
    setup: '',
    call: "await createPresignedPost(s3, { Bucket: bucket, Key: 'incoming/bench', Expires: 300 });",
  },
  '@aws-sdk/s3-request-presigner': {
    imports: "import { getSignedUrl } from '@aws-sdk/s3-request-presigner';",
    setup: '',
    call: "await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'bench' }), { expiresIn: 300 });",
  },
  '@aws-sdk/client-sfn': {
    imports: "import { SFNClient } from '@aws-sdk/client-sfn';",
    setup: 'const sfn = new SFNClient({ region }); void sfn;',
  },
  '@aws-sdk/client-sesv2': {
    imports: "import { SESv2Client } from '@aws-sdk/client-sesv2';",
    setup: 'const ses = new SESv2Client({ region }); void ses;',
  },
};
/** Construction order: the document client wraps the DynamoDB client, presigners need the S3 client. */
const PART_ORDER = Object.keys(BASELINE_PARTS);
/** Packages that count as "an SDK client" in a bundle (the rest of `@aws-sdk/*` is their plumbing). */
const CLIENT_PACKAGE = /^@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb|s3-presigned-post|s3-request-presigner)$/;

/** The SDK client packages a bundle contains, from its metafile's inputs. */
export function sdkClientsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /node_modules\/(@aws-sdk\/[^/]+)\//.exec(input);
    if (m?.[1] && CLIENT_PACKAGE.test(m[1])) found.add(m[1]);
  }
  // A document client needs its DynamoDB client; a presigner its S3 client.
  if (found.has('@aws-sdk/lib-dynamodb')) found.add('@aws-sdk/client-dynamodb');
  if (found.has('@aws-sdk/s3-presigned-post') || found.has('@aws-sdk/s3-request-presigner'))
    found.add('@aws-sdk/client-s3');
  return [...found].sort((a, b) => PART_ORDER.indexOf(a) - PART_ORDER.indexOf(b));
}

/** The baseline handler's source for a set of SDK packages. */
export function baselineSource(clients: readonly string[]): string {
  const parts = clients.map((c) => {
    const part = BASELINE_PARTS[c];
    if (!part) throw new Error(`cold-start bench: no baseline for ${c}; add it to BASELINE_PARTS`);
    return part;
  });
  return [
    ...parts.map((p) => p.imports),
    "const region = process.env.AWS_REGION ?? 'cn-north-1';",
    'const table = process.env.TABLE_NAME;',
    'const bucket = process.env.EVIDENCE_BUCKET;',
    'void table; void bucket;',
    ...parts.map((p) => p.setup),
    'export const handler = async () => {',
    ...parts.flatMap((p) => (p.call ? [`  ${p.call}`] : [])),
    '  return { statusCode: 200 };',
    '};',
  ].join('\n');
}

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

async function bundle(
  outfile: string,
  source: { entry: string } | { contents: string; name: string },
): Promise<Bundle> {
  const result = await build({
    ...('entry' in source
      ? { entryPoints: [path.join(REPO_ROOT, source.entry)] }
      : {
          stdin: {
            contents: source.contents,
            resolveDir: REPO_ROOT,
            sourcefile: source.name,
            loader: 'js' as const,
          },
        }),
    absWorkingDir: REPO_ROOT,
    bundle: true,
    outfile,
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    platform: LAMBDA_BUNDLE.platform,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourceMap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    banner: { js: LAMBDA_BUNDLE.banner },
    metafile: true,
    logLevel: 'silent',
  });
  return { file: outfile, bytes: statSync(outfile).size, metafile: result.metafile };
}

const SAMPLE_ID = '01JBENCH0000000000000000AA';

/** Fills a route's path parameters with values its schemas accept (a year, or a ULID-shaped id). */
function sampleParams(p: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [, name] of p.matchAll(/\{(\w+)\}/g)) {
    if (name) params[name] = /year/i.test(name) ? '2026' : SAMPLE_ID;
  }
  return params;
}

/** Values for a query schema's required fields (e.g. the audit log's `entityId`), so validation passes. */
function sampleQuery(schema: z.ZodType | undefined): Record<string, string> | undefined {
  if (!(schema instanceof z.ZodObject)) return undefined;
  const query: Record<string, string> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (!field.safeParse(undefined).success) query[key] = /year/i.test(key) ? '2026' : SAMPLE_ID;
  }
  return Object.keys(query).length ? query : undefined;
}

/**
 * The invocation each function answers. API functions: one of their GET routes (fewest path
 * parameters, so the request reaches DynamoDB rather than stopping at validation), called by a caller
 * with the route's roles. Jobs and workflow tasks: a representative input; an error answer (e.g. an
 * unknown application) is fine, the SDK clients were loaded and DynamoDB was asked.
 */
export function sampleInvocation(fn: FunctionEntry): unknown {
  if (fn.kind === 'api') {
    const groupRoutes = routes.filter((r) => r.group === fn.group);
    const paramCount = (p: string): number => (p.match(/\{/g) ?? []).length;
    const route =
      [...groupRoutes]
        .filter((r) => r.method === 'GET')
        .sort((a, b) => paramCount(a.path) - paramCount(b.path))[0] ?? groupRoutes[0];
    if (!route) throw new Error(`${fn.name}: no routes`);
    // Staff roles where the route has them: an applicant's view needs an organisation first.
    const allowed = Array.isArray(route.auth) ? (route.auth as readonly Role[]) : undefined;
    const staff = allowed?.filter((r) => r !== 'applicant');
    const roles = staff?.length ? staff : allowed;
    const query = sampleQuery(route.request?.query);
    return apiEvent(routeKey(route), {
      params: sampleParams(route.path),
      ...(query ? { query } : {}),
      ...(roles ? { caller: { sub: 'bench-user', roles } } : {}),
      ...(route.method === 'GET' ? {} : { body: {} }),
    });
  }
  const now = new Date().toISOString();
  switch (fn.name) {
    case 'job-deadlines':
      return { job: 'deadlines', scheduledTime: now };
    case 'job-notification-sender':
      return {
        Records: [
          {
            eventID: '1',
            eventName: 'INSERT',
            dynamodb: {
              NewImage: {
                pk: { S: 'NOTIFY#USER#bench-user' },
                sk: { S: `${now}#${SAMPLE_ID}` },
                type: { S: 'notification' },
              },
            },
          },
        ],
      };
    case 'job-malware-scan-result':
      return {
        'detail-type': 'GuardDuty Malware Protection Object Scan Result',
        source: 'aws.guardduty',
        detail: {
          scanStatus: 'COMPLETED',
          s3ObjectDetails: {
            bucketName: BUCKET,
            objectKey: `incoming/applications/${SAMPLE_ID}/${SAMPLE_ID}`,
          },
          scanResultDetails: { scanResultStatus: 'NO_THREATS_FOUND', threats: null },
        },
      };
  }
  switch (fn.workflow) {
    case 'review':
      return {
        action: 'recordFailure',
        applicationId: SAMPLE_ID,
        callId: SAMPLE_ID,
        executionName: `app-${SAMPLE_ID}`,
      };
    case 'uscc-verification':
      return { action: 'recordFailure', orgId: SAMPLE_ID, executionName: `org-${SAMPLE_ID}` };
    case 'annual-evaluation':
      return {
        action: 'recordFailure',
        year: 2026,
        platformId: SAMPLE_ID,
        evaluationId: SAMPLE_ID,
        executionName: `eval-2026-${SAMPLE_ID}`,
      };
  }
  // A function added later without a sample here still loads and answers (most likely a validation error).
  return {};
}

/**
 * The child: times from the very start of this script to the handler's return; `importMs` is the
 * bundle's import alone. Handlers log to stdout, so the result line carries a marker.
 */
const RUNNER = `
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const { readFileSync } = await import('node:fs');
const { pathToFileURL } = await import('node:url');
const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const mod = await import(pathToFileURL(bundle).href);
const t1 = performance.now();
const context = {
  callbackWaitsForEmptyEventLoop: false, functionName: 'bench', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:cn-north-1:000000000000:function:bench', memoryLimitInMB: '512',
  awsRequestId: 'bench', logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {},
};
let outcome;
try {
  const r = await mod.handler(event, context);
  outcome = r && typeof r === 'object' && 'statusCode' in r ? 'HTTP ' + r.statusCode : 'returned';
} catch (e) {
  outcome = 'threw ' + (e && e.name);
}
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify({ importMs: t1 - t0, totalMs: t2 - t0, cpuMs, outcome }) + '\\n');
process.exit(0);
`;

interface Sample {
  readonly importMs: number;
  readonly totalMs: number;
  /** CPU time (user + system) of the same span: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly outcome: string;
}

function runChild(
  runner: string,
  bundleFile: string,
  eventFile: string,
  env: NodeJS.ProcessEnv,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    // As in Lambda (NODE_OPTIONS of every function): source maps on, for function and baseline alike.
    const child = spawn(process.execPath, ['--enable-source-maps', runner, bundleFile, eventFile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (!line) {
        reject(
          new Error(
            `${path.basename(path.dirname(bundleFile))}: child exited ${code} without a result\n${err}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARK.length)) as Sample);
    });
  });
}

const kb = (bytes: number): number => round2(bytes / 1024);

interface Bundled {
  readonly fn: FunctionEntry;
  readonly bundle: Bundle;
  /** The baseline: its SDK clients (`client-dynamodb+lib-dynamodb`) and bundle. */
  readonly base: { readonly key: string; readonly bundle: Bundle };
}

/** Bundles the functions, then one baseline per distinct set of SDK clients. */
async function bundleAll(
  fns: readonly FunctionEntry[],
  dirs: { readonly fn: string; readonly base: string },
): Promise<Bundled[]> {
  const built = await Promise.all(
    fns.map(async (fn) => {
      const b = await bundle(path.join(dirs.fn, fn.name, 'index.mjs'), { entry: fn.entry });
      const clients = sdkClientsOf(b.metafile);
      return {
        fn,
        bundle: b,
        clients,
        key: clients.map((c) => c.replace('@aws-sdk/', '')).join('+') || 'none',
      };
    }),
  );
  const baselines = new Map<string, Promise<Bundle>>();
  for (const { clients, key } of built) {
    if (!baselines.has(key))
      baselines.set(
        key,
        bundle(path.join(dirs.base, key, 'index.mjs'), {
          contents: baselineSource(clients),
          name: `baseline-${key}.mjs`,
        }),
      );
  }
  return Promise.all(
    built.map(async ({ fn, bundle: b, key }) => ({
      fn,
      bundle: b,
      base: { key, bundle: await (baselines.get(key) as Promise<Bundle>) },
    })),
  );
}

/** Measures the functions; `options` narrow it (the smoke test runs two functions once). */
export async function measureColdStart(ctx: BenchContext, options: ColdStartOptions = {}): Promise<Figure[]> {
  const runs = options.runs ?? (ctx.quick ? 1 : FULL_RUNS);
  const all = functionEntries();
  const only = options.only ?? (ctx.quick ? QUICK_FUNCTIONS : undefined);
  const fns = only ? all.filter((f) => only.includes(f.name)) : all;
  if (only && fns.length !== only.length)
    throw new Error(`cold-start bench: unknown function in ${only.join(', ')}`);
  const dirs = { fn: path.join(ctx.scratchDir, 'functions'), base: path.join(ctx.scratchDir, 'baselines') };
  mkdirSync(dirs.fn, { recursive: true });
  mkdirSync(dirs.base, { recursive: true });

  ctx.log(`cold start: bundling ${fns.length} functions, starting DynamoDB Local`);
  // DynamoDB Local (Java) starts while esbuild bundles; whichever fails, the other is cleaned up.
  const [bundled, started] = await Promise.allSettled([
    bundleAll(fns, dirs),
    freePort().then((port) => startDynamoDbLocal({ port, host: '127.0.0.1' })),
  ]);
  if (bundled.status === 'rejected' || started.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.stop();
    throw bundled.status === 'rejected' ? bundled.reason : (started as PromiseRejectedResult).reason;
  }
  const dynamo = started.value;
  const runner = path.join(ctx.scratchDir, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const figures: Figure[] = [];
  try {
    const admin = new DynamoDBClient({
      region: 'cn-north-1',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(admin, TABLE);
    admin.destroy();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      STAGE: 'local',
      AWS_REGION: 'cn-north-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: TABLE,
      EVIDENCE_BUCKET: BUCKET,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      // Nothing listens here: no sample invocation reaches S3 (presigning is local).
      S3_ENDPOINT: 'http://127.0.0.1:9',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      NOTIFICATION_CHANNEL: 'log',
      NOTIFICATION_ROLE_ADDRESSES: '{}',
    };

    for (const { fn, bundle: fnBundle, base } of bundled.value) {
      const eventFile = path.join(dirs.fn, fn.name, 'event.json');
      writeFileSync(eventFile, JSON.stringify(sampleInvocation(fn)));
      const fnSamples: Sample[] = [];
      const baseSamples: Sample[] = [];
      // Alternate, so drift of a noisy machine hits both sides alike.
      for (let i = 0; i < runs; i++) {
        fnSamples.push(await runChild(runner, fnBundle.file, eventFile, env));
        baseSamples.push(await runChild(runner, base.bundle.file, eventFile, env));
      }
      const fnTotal = round2(median(fnSamples.map((s) => s.totalMs)));
      const baseTotal = round2(median(baseSamples.map((s) => s.totalMs)));
      const fnImport = round2(median(fnSamples.map((s) => s.importMs)));
      const baseImport = round2(median(baseSamples.map((s) => s.importMs)));
      const fnCpu = round2(median(fnSamples.map((s) => s.cpuMs)));
      const baseCpu = round2(median(baseSamples.map((s) => s.cpuMs)));
      const outcome = fnSamples[0]?.outcome ?? '';
      ctx.log(
        `  ${fn.name}: ${kb(fnBundle.bytes)} KB vs ${kb(base.bundle.bytes)} KB [${base.key}]; ` +
          `${fnTotal} ms vs ${baseTotal} ms (import ${fnImport} vs ${baseImport}); ${outcome}`,
      );
      const extra = kb(fnBundle.bytes - base.bundle.bytes);
      figures.push(
        ratioFigure(
          {
            section: 'bundle',
            name: fn.name,
            value: kb(fnBundle.bytes),
            unit: 'KB',
            baseline: kb(base.bundle.bytes),
            note: `baseline: ${base.key}`,
          },
          { kind: 'max', limit: BUNDLE_LIMIT },
          `+${extra} KB beyond the SDK clients (${base.key}): ${biggestNonSdk(fnBundle.metafile)}${bundlesZod(fnBundle.metafile) ? ZOD_NOTE : ''}`,
        ),
        ratioFigure(
          {
            section: 'cold start',
            name: fn.name,
            value: fnTotal,
            unit: 'ms',
            baseline: baseTotal,
            note: `import ${fnImport} vs ${baseImport} ms; CPU ${fnCpu} vs ${baseCpu} ms; answer: ${outcome}`,
          },
          { kind: 'max', limit: COLD_START_LIMIT },
          coldStartCause({ fnTotal, baseTotal, fnImport, baseImport, fnCpu, baseCpu, outcome }),
        ),
      );
    }
  } finally {
    await dynamo.stop();
  }
  return figures;
}

/**
 * Why a cold-start goal was missed. When the CPU time of the same span is within the goal, the wall
 * time lost to a busy machine (other processes on the 2 cores) is named; otherwise the extra loading.
 */
function coldStartCause(m: {
  fnTotal: number;
  baseTotal: number;
  fnImport: number;
  baseImport: number;
  fnCpu: number;
  baseCpu: number;
  outcome: string;
}): string {
  const cpuRatio = round2(m.fnCpu / m.baseCpu);
  const detail = `import ${m.fnImport} vs ${m.baseImport} ms, invocation ${round2(m.fnTotal - m.fnImport)} vs ${round2(m.baseTotal - m.baseImport)} ms, CPU ${m.fnCpu} vs ${m.baseCpu} ms = ${cpuRatio}× (${m.outcome})`;
  return cpuRatio <= COLD_START_LIMIT
    ? `${detail}: wall time of a busy machine (the CPU time is within the goal)`
    : `${detail}: loading and initialising what the function bundles beyond the SDK clients (see its bundle figure)`;
}

/** Why zod weighs what it does (named with a missed bundle goal). */
const ZOD_NOTE =
  '; zod’s classic API keeps ~100 KB after tree-shaking (zod/mini would keep a fraction: every schema rewritten)';

const bundlesZod = (metafile: Metafile): boolean =>
  Object.keys(metafile.inputs).some((input) => input.includes('node_modules/zod/'));

/** The heaviest non-SDK packages (and our own code) in a bundle, for a missed goal's cause. */
function biggestNonSdk(metafile: Metafile): string {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? 'own code';
    if (/^@(aws-sdk|smithy|aws-crypto)\//.test(pkg)) continue;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([pkg, bytes]) => `${pkg} ${Math.round(bytes / 1024)} KB`)
    .join(', ');
}

export const run: BenchPart = (ctx) => measureColdStart(ctx);
