/**
 * `npm run demo:operations`: operations, annual evaluation and revocation (Art. 10–14) driven over HTTP
 * against the RUNNING local system (`npm start` in another terminal). It builds a published registry by
 * running the recognition demo (`npm run demo`) three times, then:
 * - an annual evaluation cycle for year Y (Art. 12): platform A reports and is graded excellent,
 *   platform B reports and is graded unqualified, platform C never reports and becomes overdue;
 * - the next year's cycle Y+1: A good, B unqualified again, C qualified;
 * - the revocation candidates the system raises (Art. 13): B `consecutive_unqualified` (Y, Y+1) and
 *   C `overdue_report` (Y);
 * - a revocation case for B: the host is told, responds, and the approver revokes; B leaves the public
 *   list and keeps its record; a change request on it is refused (409 PLATFORM_NOT_ACTIVE);
 * - the registry before and after, and the CSV exports (UTF-8 with BOM).
 *
 * Settings: `API_URL` (default http://127.0.0.1:3000). Moves the business clock with /dev/clock and
 * leaves it at real time. Works on a fresh or a reused data folder (the cycle years are the first two
 * free ones). Exits 1 with the problem body on any unexpected status.
 */
import { pathToFileURL } from 'node:url';
import { runDemo } from './demo.ts';

let API = (process.env.API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const DAY = 86_400_000;
type Json = Record<string, unknown>;

export class OperationsDemoError extends Error {}

let stepNo = 0;
let print: (line: string) => void = (line) => console.log(line);
const step = (title: string): void => {
  stepNo += 1;
  print(`\n${String(stepNo).padStart(2, ' ')}. ${title}`);
};
const say = (line: string): void => print(`    ${line}`);

async function http<T = Json>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; expect?: readonly number[] } = {},
): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  // Keep a byte-order mark (CSV exports start with one; `res.text()` would drop it).
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  const expected = opts.expect ?? [200, 201];
  if (!expected.includes(res.status))
    throw new OperationsDemoError(
      `${method} ${path} → ${res.status} (expected ${expected.join('/')}): ${text}`,
    );
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* CSV and other text bodies stay text */
  }
  return { status: res.status, body: body as T, text };
}
const get = <T = Json>(path: string, token?: string, expect?: readonly number[]) =>
  http<T>('GET', path, { ...(token ? { token } : {}), ...(expect ? { expect } : {}) });
const post = <T = Json>(path: string, body: unknown, token: string, expect?: readonly number[]) =>
  http<T>('POST', path, { body, token, ...(expect ? { expect } : {}) });
const put = <T = Json>(path: string, body: unknown, token: string) => http<T>('PUT', path, { body, token });

async function token(sub: string, groups: string[]): Promise<string> {
  return (await post<{ token: string }>('/dev/token', { sub, groups }, '')).body.token;
}
async function clockNow(): Promise<Date> {
  return new Date((await get<{ now: string }>('/dev/clock')).body.now);
}
async function setClock(now: Date): Promise<void> {
  await post('/dev/clock', { now: now.toISOString(), mode: 'offset' }, '');
}
async function runDeadlineJob(): Promise<Json> {
  return (await post<Json>('/dev/jobs/deadlines/run', {}, '')).body;
}

interface PublicPlatform {
  id: string;
  hostName: string;
  status: string;
  validUntil: string;
}
async function publicList(): Promise<PublicPlatform[]> {
  const out: PublicPlatform[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<{ items: PublicPlatform[]; nextCursor?: string }>(
      `/v1/public/platforms?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return out;
}

const CRITERIA = [
  { key: 'services', title: '赋能服务成效 / Enablement services', weight: 60, max: 100 },
  { key: 'resources', title: '资源集聚 / Resource aggregation', weight: 40, max: 100 },
];

export interface OperationsDemoOptions {
  readonly apiUrl: string;
  readonly log?: (line: string) => void;
}

/** What the journey produced, for the e2e suite. */
export interface OperationsDemoResult {
  readonly years: readonly [number, number];
  readonly platforms: Readonly<Record<'excellent' | 'unqualified' | 'overdue', string>>;
  readonly hosts: Readonly<Record<'excellent' | 'unqualified' | 'overdue', string>>;
  readonly grades: Readonly<Record<string, readonly (string | undefined)[]>>;
  readonly candidates: readonly { platformId: string; ground: string; years: readonly number[] }[];
  readonly revocationId: string;
  readonly publicBefore: readonly string[];
  readonly publicAfter: readonly string[];
  readonly exports: Readonly<Record<string, string>>;
  readonly subs: Readonly<Record<'officer' | 'approver', string>>;
}

/** Runs the operations journey against the running system at `apiUrl`. */
export async function runOperationsDemo(options: OperationsDemoOptions): Promise<OperationsDemoResult> {
  API = options.apiUrl.replace(/\/$/, '');
  stepNo = 0;
  print = options.log ?? ((line) => console.log(line));
  const RUN = `${Date.now().toString(36)}`;
  print(`Zhongshan AI Enablement Platform — operations demo (run ${RUN}) against ${API}`);

  step('A published registry: the recognition demo runs three times (npm run demo)');
  const roles = ['excellent', 'unqualified', 'overdue'] as const;
  const platforms = {} as Record<(typeof roles)[number], string>;
  const hosts = {} as Record<(typeof roles)[number], string>;
  for (const role of roles) {
    const result = await runDemo({ apiUrl: API, log: () => undefined });
    platforms[role] = `p-${result.applicationId}`;
    hosts[role] = result.subs.owner;
    say(`${role.padEnd(11)} platform ${platforms[role]} (host account ${hosts[role]})`);
  }
  const tk = {
    officer: await token(`officer-ops-${RUN}`, ['officer']),
    approver: await token(`approver-ops-${RUN}`, ['approver']),
    admin: await token(`admin-ops-${RUN}`, ['admin']),
    observer: await token(`observer-ops-${RUN}`, ['observer']),
    excellent: await token(hosts.excellent, ['applicant']),
    unqualified: await token(hosts.unqualified, ['applicant']),
    overdue: await token(hosts.overdue, ['applicant']),
  };
  const before = await publicList();
  say(`public registry: ${before.length} active platform(s)`);
  for (const p of before.filter((x) => Object.values(platforms).includes(x.id)))
    say(`  ${p.id}  ${p.hostName}  ${p.status}, valid until ${p.validUntil}`);

  step('The first two free cycle years');
  let first = new Date((await clockNow()).getTime() + 8 * 3_600_000).getUTCFullYear();
  for (;;) {
    const a = await get(`/v1/evaluation-cycles/${first}`, tk.officer, [200, 404]);
    const b = await get(`/v1/evaluation-cycles/${first + 1}`, tk.officer, [200, 404]);
    if (a.status === 404 && b.status === 404) break;
    first += 1;
  }
  const years: [number, number] = [first, first + 1];
  say(`cycles ${years[0]} and ${years[1]}`);

  const grades: Record<string, (string | undefined)[]> = {};
  const plan: Record<number, Partial<Record<(typeof roles)[number], Record<string, number>>>> = {
    [years[0]]: { excellent: { services: 95, resources: 92 }, unqualified: { services: 50, resources: 40 } },
    [years[1]]: {
      excellent: { services: 80, resources: 78 },
      unqualified: { services: 55, resources: 45 },
      overdue: { services: 65, resources: 62 },
    },
  };
  for (const year of years) {
    step(`Annual evaluation ${year} (Art. 12): open the cycle; every active platform gets an evaluation`);
    const t = await clockNow();
    const deadline = new Date(t.getTime() + 30 * DAY);
    await post(
      '/v1/evaluation-cycles',
      { year, reportDeadline: deadline.toISOString(), criteria: CRITERIA },
      tk.officer,
    );
    const opened = await post<Json>(`/v1/evaluation-cycles/${year}/open`, {}, tk.officer);
    say(
      `cycle ${year}: report deadline ${deadline.toISOString()}, ${String(opened.body.evaluations)} evaluation(s)`,
    );

    const reporting = roles.filter((r) => plan[year]?.[r]);
    for (const role of reporting) {
      const base = `/v1/evaluation-cycles/${year}/platforms/${platforms[role]}/report`;
      await put(
        base,
        {
          enterprisesServed: role === 'excellent' ? 120 : 18,
          partnerCount: role === 'excellent' ? 25 : 6,
          cases: role === 'excellent' ? 14 : 1,
          vouchersIssued: role === 'excellent' ? 300 : 5,
          vouchersSettled: role === 'excellent' ? 280 : 2,
          narrative: `${year} 年度自评价报告（演示 ${RUN}）`,
        },
        tk[role],
      );
      await post(`${base}/submit`, {}, tk[role]);
      say(`${role.padEnd(11)} submitted its self-evaluation report`);
    }
    for (const role of roles.filter((r) => !plan[year]?.[r])) say(`${role.padEnd(11)} does not report`);

    for (const role of reporting) {
      const graded = await post<Json>(
        `/v1/evaluation-cycles/${year}/platforms/${platforms[role]}/grade`,
        { scores: plan[year]?.[role] },
        tk.officer,
      );
      say(`${role.padEnd(11)} scored ${String(graded.body.score)} → ${String(graded.body.grade)}`);
    }

    const late = new Date(deadline.getTime() + 60_000);
    await setClock(late);
    const job = await runDeadlineJob();
    say(
      `after the deadline the deadline job ran: ${JSON.stringify((job as { byType?: unknown }).byType ?? {})}`,
    );
    if (!plan[year]?.overdue) {
      const lateReport = await post<Json>(
        `/v1/evaluation-cycles/${year}/platforms/${platforms.overdue}/report/submit`,
        {},
        tk.overdue,
        [409],
      );
      say(`a late submission → ${lateReport.status} ${String(lateReport.body.code)}`);
    }
    const fin = await post<Json>(`/v1/evaluation-cycles/${year}/finalize`, {}, tk.approver);
    say(`the approver signs off and publishes: ${JSON.stringify(fin.body.counts ?? {})}`);
    for (const role of roles) {
      const e = await get<Json>(`/v1/evaluation-cycles/${year}/platforms/${platforms[role]}`, tk.officer);
      const list = grades[role] ?? [];
      list.push(e.body.status === 'published' ? String(e.body.grade) : String(e.body.status));
      grades[role] = list;
      say(
        `${role.padEnd(11)} ${year}: ${String(e.body.status)}${e.body.grade ? ` (${String(e.body.grade)})` : ''}`,
      );
    }
    await setClock(new Date(late.getTime() + DAY));
  }

  step('Revocation candidates raised by the system (Art. 13(1), 13(2) overdue)');
  const candidates: { platformId: string; ground: string; years: number[] }[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<{
      items: Array<{ platformId: string; ground: string; facts: { years: number[] } }>;
      nextCursor?: string;
    }>(
      `/v1/revocation-candidates?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      tk.officer,
    );
    for (const c of page.body.items)
      if (Object.values(platforms).includes(c.platformId))
        candidates.push({ platformId: c.platformId, ground: c.ground, years: c.facts.years });
    cursor = page.body.nextCursor;
  } while (cursor);
  for (const c of candidates) say(`${c.platformId}  ${c.ground}  years ${c.years.join(', ')}`);
  if (
    !candidates.some((c) => c.platformId === platforms.unqualified && c.ground === 'consecutive_unqualified')
  )
    throw new OperationsDemoError(`no consecutive_unqualified candidate for ${platforms.unqualified}`);

  step('The office opens a revocation case; the host is told and responds before the deadline');
  const now = await clockNow();
  const opened = await post<{ id: string; responseDeadline: string }>(
    `/v1/platforms/${platforms.unqualified}/revocations`,
    {
      ground: 'consecutive_unqualified',
      description: `${years[0]}、${years[1]} 年度考评连续不合格（第十三条第一项）`,
      responseDeadline: new Date(now.getTime() + 10 * DAY).toISOString(),
    },
    tk.officer,
  );
  const revocationId = opened.body.id;
  say(`case ${revocationId}: respond by ${opened.body.responseDeadline}`);
  const early = await post<Json>(
    `/v1/revocations/${revocationId}/decision`,
    { decision: 'revoke', opinion: '尚未申辩' },
    tk.approver,
    [409],
  );
  say(`deciding before the host responded → 409 ${String(early.body.code)}`);
  await post(
    `/v1/revocations/${revocationId}/response`,
    { statement: '平台正在整改，请求保留资格。' },
    tk.unqualified,
    [200],
  );
  say('the host responded');

  step('The approver decides: revoke (Art. 13); the office may launch a new call (Art. 7)');
  const decided = await post<Json>(
    `/v1/revocations/${revocationId}/decision`,
    { decision: 'revoke', opinion: '连续两年考评不合格，整改承诺不足以保留资格。' },
    tk.approver,
    [200],
  );
  say(`case ${revocationId}: ${String(decided.body.status)}`);
  const record = await get<Json>(`/v1/platforms/${platforms.unqualified}`, tk.officer);
  say(
    `platform ${platforms.unqualified}: ${String(record.body.status)} at ${String(record.body.revokedAt)} (record kept)`,
  );
  const change = await post<Json>(
    `/v1/platforms/${platforms.unqualified}/change-requests`,
    { kind: 'target_tasks', description: '调整目标任务', proposed: { tasks: ['新任务'] } },
    tk.unqualified,
    [409],
  );
  say(`a change request on the revoked platform → 409 ${String(change.body.code)}`);

  step('The public registry after');
  const after = await publicList();
  for (const p of after.filter((x) => Object.values(platforms).includes(x.id)))
    say(`  ${p.id}  ${p.hostName}  ${p.status}`);
  say(`${platforms.unqualified} listed: ${after.some((p) => p.id === platforms.unqualified)}`);

  step('CSV exports (UTF-8 with BOM) for staff and observers');
  const exportsOut: Record<string, string> = {};
  for (const name of ['registry.csv', `grades.csv?year=${years[1]}`, 'revocations.csv']) {
    const csv = await get(`/v1/exports/${name}`, tk.observer);
    exportsOut[name] = csv.text;
    const lines = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/);
    say(`${name}: ${lines.length - 1} row(s), BOM ${csv.text.startsWith('\uFEFF')}`);
    for (const line of lines.slice(0, 3)) say(`  ${line.slice(0, 140)}`);
  }

  print('\nDone: two evaluation cycles, the candidates they raised, and a revocation decided.');
  return {
    years,
    platforms,
    hosts,
    grades,
    candidates,
    revocationId,
    publicBefore: before.map((p) => p.id),
    publicAfter: after.map((p) => p.id),
    exports: exportsOut,
    subs: { officer: `officer-ops-${RUN}`, approver: `approver-ops-${RUN}` },
  };
}

async function main(): Promise<void> {
  try {
    await runOperationsDemo({ apiUrl: API });
  } catch (e) {
    console.error(
      `\nDEMO FAILED at step ${stepNo}: ${e instanceof OperationsDemoError ? e.message : (e as Error).stack}`,
    );
    process.exitCode = 1;
  } finally {
    await fetch(`${API}/dev/clock`, { method: 'DELETE' }).catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
