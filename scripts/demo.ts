/**
 * `npm run demo`: one full recognition (Chapter 3 of the measures, Art. 7–9) driven over HTTP against the
 * RUNNING local system (`npm start` in another terminal), as its users would: the office publishes a
 * call; two companies register and apply (one fails Art. 9 and cannot submit); the eligible one uploads
 * its evidence with presigned POSTs and submits; the review workflow runs through the preliminary
 * review, expert assignment (with a conflict-of-interest refusal), expert scoring and the site
 * inspection; the ranking, the proposed list and its approval open the public notice; a member of the
 * public objects and an officer dismisses the objection; the clock moves past the notice period and the
 * deadline job publishes the platform. Prints the registry and an audit trail.
 *
 * Settings: `API_URL` (default http://127.0.0.1:3000). Works on a fresh or a reused data folder: every
 * name, USCC and account is unique to the run. Exits 1 with the problem body on any unexpected status.
 */
import { createHash, randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { USCC_CHARSET, withCheckChar, ZHONGSHAN_DIVISION } from '../functions/core/uscc.ts';

let API = (process.env.API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
let RUN = '';
const WAIT_MS = Number(process.env.DEMO_WAIT_MS ?? 30_000);

type Json = Record<string, unknown>;

export class DemoError extends Error {}

// ── output ────────────────────────────────────────────────────────────────────────────────────────
let stepNo = 0;
let print: (line: string) => void = (line) => console.log(line);
const step = (title: string): void => {
  stepNo += 1;
  print(`\n${String(stepNo).padStart(2, ' ')}. ${title}`);
};
const say = (line: string): void => print(`    ${line}`);

// ── HTTP ──────────────────────────────────────────────────────────────────────────────────────────
interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Statuses this step expects; anything else stops the demo. */
  readonly expect?: readonly number[];
  readonly idempotencyKey?: string;
}

async function http<T = Json>(
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers: {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
  } catch (e) {
    throw new DemoError(
      `Cannot reach ${API} (${(e as Error).message}). Start the system first: npm start (or set API_URL).`,
    );
  }
  const text = await res.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { raw: text };
  }
  const expected = opts.expect ?? [200, 201];
  if (!expected.includes(res.status)) {
    throw new DemoError(
      `${method} ${path} answered ${res.status} (expected ${expected.join(' or ')}):\n${JSON.stringify(body, null, 2)}`,
    );
  }
  return { status: res.status, body: body as T };
}
const get = <T = Json>(path: string, token?: string, expect?: number[]) =>
  http<T>('GET', path, { ...(token ? { token } : {}), ...(expect ? { expect } : {}) });
const post = <T = Json>(path: string, body: unknown, token?: string, expect?: number[]) =>
  http<T>('POST', path, { body, ...(token ? { token } : {}), ...(expect ? { expect } : {}) });

async function token(sub: string, groups: string[], email?: string): Promise<string> {
  const res = await post<{ token: string }>('/dev/token', { sub, groups, ...(email ? { email } : {}) });
  return res.body.token;
}

async function setClock(now: Date): Promise<void> {
  await post('/dev/clock', { now: now.toISOString(), mode: 'offset' });
}
async function clockNow(): Promise<Date> {
  return new Date((await get<{ now: string }>('/dev/clock')).body.now);
}
async function runDeadlineJob(): Promise<Json> {
  return (await post<Json>('/dev/jobs/deadlines/run', {})).body;
}

/** Polls until `probe` returns a value; the workflow runs in the background of the local runtime. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoError(`Timed out after ${WAIT_MS} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Task {
  id: string;
  kind: string;
  entityId: string;
  dueAt: string;
}
async function waitForTask(tokenOf: string, applicationId: string, kind: string): Promise<Task> {
  return until(`the ${kind} step of application ${applicationId}`, async () => {
    const res = await get<{ items: Task[] }>('/v1/tasks', tokenOf);
    return res.body.items.find((t) => t.entityId === applicationId && t.kind === kind);
  });
}
async function waitForStatus(tokenOf: string, applicationId: string, statuses: string[]): Promise<Json> {
  return until(`application ${applicationId} to reach ${statuses.join('/')}`, async () => {
    const res = await get<Json>(`/v1/applications/${applicationId}`, tokenOf);
    return statuses.includes(String(res.body.status)) ? res.body : undefined;
  });
}

// ── data ──────────────────────────────────────────────────────────────────────────────────────────
/** A valid USCC (GB 32100-2015) of an enterprise registered in `division`, with its check character. */
export function uscc(division = ZHONGSHAN_DIVISION): string {
  let org = '';
  for (let i = 0; i < 9; i += 1) org += USCC_CHARSET.charAt(randomInt(USCC_CHARSET.length));
  return withCheckChar(`91${division}${org}`);
}

/** A small, real PDF document (valid header, one page, a cross-reference table). */
export function pdf(title: string): Buffer {
  const text = title.replace(/[()\\]/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 14 Tf 72 770 Td (${text}) Tj ET`;
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const organisation = (name: string, code: string, capital: number) => ({
  name,
  uscc: code,
  registeredCapitalCny: capital,
  address: '广东省中山市火炬开发区中心城区祥兴路6号',
  legalRepresentative: '陈一',
  contact: { name: '林二', phone: '0760-8888 0000', email: `contact-${RUN}@example.com` },
});

const partners = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `合作机构${i + 1}（${RUN}）`,
    uscc: uscc(i % 2 ? '440100' : ZHONGSHAN_DIVISION),
    kind: (['university', 'research_institute', 'company', 'financial_institution'] as const)[i % 4],
  }));

// ── the journey ───────────────────────────────────────────────────────────────────────────────────
export interface DemoOptions {
  readonly apiUrl: string;
  readonly log?: (line: string) => void;
  /**
   * Called while the review workflow waits for the preliminary review (the e2e suite restarts the
   * runtime here: the waiting execution must survive it).
   */
  readonly whileWaitingForPreliminaryReview?: (ctx: {
    applicationId: string;
    taskId: string;
  }) => Promise<void>;
}

/** What the journey produced, for the e2e suite's assertions. */
export interface DemoResult {
  readonly run: string;
  readonly callId: string;
  readonly applicationId: string;
  readonly ineligibleApplicationId: string;
  readonly noticeId: string;
  readonly noticeEndsAt: string;
  readonly objectionId: string;
  readonly objector: { readonly name: string; readonly contact: string };
  readonly evidenceSha256: readonly string[];
  readonly finalStatus: string;
  readonly platformIds: readonly string[];
  readonly auditActions: readonly string[];
  readonly applicantNotifications: readonly string[];
  /** Subs of the accounts used (tokens come from /dev/token). */
  readonly subs: Readonly<
    Record<'officer' | 'approver' | 'owner' | 'otherApplicant' | 'unassignedExpert', string>
  >;
}

/** Runs one full recognition against the running system at `apiUrl`. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  API = options.apiUrl.replace(/\/$/, '');
  RUN = `${Date.now().toString(36)}${randomInt(36 ** 3).toString(36)}`;
  stepNo = 0;
  print = options.log ?? ((line) => console.log(line));
  print(`Zhongshan AI Enablement Platform — recognition demo (run ${RUN}) against ${API}`);

  step('The system is up; the business clock starts at real time');
  await get('/health');
  await http('DELETE', '/dev/clock');
  const t0 = await clockNow();
  say(`business time: ${t0.toISOString()}`);

  const tk = {
    officer: await token(`officer-${RUN}`, ['officer'], `officer-${RUN}@example.gov.cn`),
    approver: await token(`approver-${RUN}`, ['approver'], `approver-${RUN}@example.gov.cn`),
    admin: await token(`admin-${RUN}`, ['admin']),
    good: await token(`applicant-good-${RUN}`, ['applicant']),
    weak: await token(`applicant-weak-${RUN}`, ['applicant']),
    expert1: await token(`expert-1-${RUN}`, ['expert']),
    expert2: await token(`expert-2-${RUN}`, ['expert']),
    expert3: await token(`expert-3-${RUN}`, ['expert']),
  };

  step('The office creates a call (Art. 8) and publishes it; it opens by itself at opensAt');
  const opensAt = new Date(t0.getTime() + 60_000);
  const closesAt = new Date(t0.getTime() + 14 * 86_400_000);
  const requiredEvidence = [
    { kind: 'business_licence', title: '营业执照 / Business licence', required: true },
    { kind: 'partner_agreements', title: '合作协议 / Partner agreements (≥ 10)', required: true },
    {
      kind: 'service_commitment',
      title: '服务承诺书 / Commitment to serve ≥ 30 enterprises a year',
      required: true,
    },
  ];
  const call = await post<{ id: string; status: string }>(
    '/v1/calls',
    {
      title: `中山市人工智能赋能平台认定（演示 ${RUN}）`,
      description: '根据《中山市人工智能赋能平台管理办法》第七至九条启动认定。',
      opensAt: opensAt.toISOString(),
      closesAt: closesAt.toISOString(),
      requiredEvidence,
      scoringCriteria: [
        { key: 'resources', title: '资源集聚能力 / Resource aggregation', weight: 40, max: 100 },
        { key: 'services', title: '赋能服务能力 / Enablement services', weight: 35, max: 100 },
        { key: 'operations', title: '运营保障 / Operations', weight: 25, max: 100 },
      ],
      noticePeriod: { length: 5, unit: 'working_days' },
    },
    tk.officer,
  );
  const callId = call.body.id;
  const published = await post<{ status: string }>(`/v1/calls/${callId}/publish`, {}, tk.officer);
  say(
    `call ${callId}: ${published.body.status}, opens ${opensAt.toISOString()}, closes ${closesAt.toISOString()}`,
  );
  await setClock(new Date(opensAt.getTime() + 60_000));
  await runDeadlineJob();
  const opened = await get<{ status: string }>(`/v1/calls/${callId}`);
  say(`after opensAt the public sees the call as: ${opened.body.status}`);

  step('Two companies register their organisations (Art. 3; USCC checked, GB 32100-2015)');
  const goodUscc = uscc();
  const weakUscc = uscc();
  const goodOrg = await post<{ id: string; usccCheck: Json }>(
    '/v1/organisations',
    organisation(`中山智算科技有限公司（${RUN}）`, goodUscc, 80_000_000),
    tk.good,
  );
  const weakOrg = await post<{ id: string }>(
    '/v1/organisations',
    organisation(`中山小微数据有限公司（${RUN}）`, weakUscc, 30_000_000),
    tk.weak,
  );
  say(
    `eligible:   ${goodUscc} → organisation ${goodOrg.body.id}, in Zhongshan: ${String(goodOrg.body.usccCheck.inZhongshan)}`,
  );
  say(`ineligible: ${weakUscc} → organisation ${weakOrg.body.id}`);

  step('The weaker company drafts an application: Art. 9 screening names each failed rule');
  const weakApp = await post<{
    id: string;
    eligibility: { eligible: boolean; failures: Array<{ rule: string; message: string }> };
  }>(
    `/v1/calls/${callId}/applications`,
    {
      consortium: [],
      partners: partners(8),
      registeredCapitalCny: 30_000_000,
      committedEnterprisesPerYear: 20,
      capabilities: ['数据标注'],
      summary: '一家尚未满足条件的申报单位。',
    },
    tk.weak,
  );
  say(`application ${weakApp.body.id}: eligible = ${weakApp.body.eligibility.eligible}`);
  for (const f of weakApp.body.eligibility.failures) say(`  ✗ ${f.rule}: ${f.message}`);
  const refused = await post<Json>(`/v1/applications/${weakApp.body.id}/submit`, {}, tk.weak, [409]);
  say(`submit → 409 ${String(refused.body.code)}: ${String(refused.body.detail)}`);

  step('The eligible company drafts its application (consortium, ≥ 10 partners, ≥ 30 enterprises a year)');
  const goodPartners = partners(12);
  const app = await post<{ id: string; eligibility: { eligible: boolean } }>(
    `/v1/calls/${callId}/applications`,
    {
      consortium: [{ name: `中山职业技术学院（${RUN}）`, kind: 'university' }],
      partners: goodPartners,
      registeredCapitalCny: 80_000_000,
      committedEnterprisesPerYear: 50,
      capabilities: ['算力调度', '模型供给', '数据应用', '产学研合作'],
      summary: '面向中山制造业的人工智能赋能平台：算力租赁、模型订阅、行业数据与应用推广。',
    },
    tk.good,
  );
  const appId = app.body.id;
  say(`application ${appId}: eligible = ${app.body.eligibility.eligible}`);

  step('It uploads each required evidence file straight to storage (presigned POST) and confirms it');
  const evidenceSha256: string[] = [];
  for (const ev of requiredEvidence) {
    const bytes = pdf(`${ev.kind} of ${goodUscc} (${RUN})`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    evidenceSha256.push(sha256);
    const created = await post<{
      evidenceId: string;
      upload: { url: string; fields: Record<string, string> };
    }>(
      `/v1/applications/${appId}/evidence`,
      {
        kind: ev.kind,
        fileName: `${ev.kind}.pdf`,
        contentType: 'application/pdf',
        sizeBytes: bytes.length,
        sha256,
      },
      tk.good,
    );
    const form = new FormData();
    for (const [k, v] of Object.entries(created.body.upload.fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), `${ev.kind}.pdf`);
    const uploaded = await fetch(created.body.upload.url, { method: 'POST', body: form });
    if (uploaded.status >= 300) {
      throw new DemoError(`upload of ${ev.kind} → ${uploaded.status}: ${await uploaded.text()}`);
    }
    const confirmed = await post<{ status: string }>(
      `/v1/applications/${appId}/evidence/${created.body.evidenceId}/confirm`,
      {},
      tk.good,
    );
    say(`${ev.kind}: ${bytes.length} bytes, sha256 ${sha256.slice(0, 12)}… → ${confirmed.body.status}`);
  }

  step('It submits before the deadline: the review workflow starts (Step Functions, locally emulated)');
  const submitted = await post<{ status: string }>(`/v1/applications/${appId}/submit`, {}, tk.good);
  say(`status: ${submitted.body.status}`);

  step('Preliminary review by an officer (Art. 8(2)): pass');
  const prelim = await waitForTask(tk.officer, appId, 'preliminary_review');
  say(`inbox task ${prelim.id} due ${prelim.dueAt}`);
  if (options.whileWaitingForPreliminaryReview) {
    await options.whileWaitingForPreliminaryReview({ applicationId: appId, taskId: prelim.id });
    await waitForTask(tk.officer, appId, 'preliminary_review');
    say('(the runtime was restarted while the workflow waited; the step is still in the inbox)');
  }
  await post(
    `/v1/applications/${appId}/preliminary-review`,
    {
      decision: 'pass',
      opinion: '材料真实、准确，符合申报要求。/ Materials authentic, accurate and conforming.',
    },
    tk.officer,
  );

  step('The office registers three experts and assigns them (conflict-of-interest check, Art. 8(3))');
  const expert = async (n: number, employerUscc: string) =>
    (
      await post<{ id: string }>(
        '/v1/experts',
        {
          userId: `expert-${n}-${RUN}`,
          name: `专家${n}（${RUN}）`,
          employerUscc,
          fields: ['人工智能', '智能制造'],
        },
        tk.admin,
      )
    ).body.id;
  const e1 = await expert(1, uscc('440100'));
  const e2 = await expert(2, uscc('440300'));
  const e3 = await expert(3, goodPartners[0]?.uscc ?? uscc());
  await waitForTask(tk.officer, appId, 'expert_assignment');
  const conflict = await post<Json>(
    `/v1/applications/${appId}/experts`,
    { expertIds: [e1, e3] },
    tk.officer,
    [409],
  );
  say(`expert 3 works for a partner institution → 409 ${String(conflict.body.code)}`);
  await post(`/v1/applications/${appId}/experts`, { expertIds: [e1, e2] }, tk.officer);
  say(`assigned experts ${e1} and ${e2}`);

  step('Each assigned expert declares no conflict and scores the call’s criteria');
  const scores = [
    { resources: 88, services: 84, operations: 90 },
    { resources: 82, services: 90, operations: 86 },
  ];
  for (const [i, who] of [tk.expert1, tk.expert2].entries()) {
    await waitForTask(who, appId, 'expert_review');
    await post(
      `/v1/applications/${appId}/reviews`,
      {
        conflictOfInterest: false,
        scores: scores[i],
        comment: '资源集聚与服务能力突出。/ Strong resources and services.',
      },
      who,
    );
    say(`expert ${i + 1}: ${JSON.stringify(scores[i])}`);
  }
  const outsider = await get<Json>(`/v1/applications/${appId}`, tk.expert3, [404]);
  say(`an unassigned expert asking for the application → 404 ${String(outsider.body.code)}`);

  step('An officer records the site inspection');
  await waitForTask(tk.officer, appId, 'site_inspection');
  await post(
    `/v1/applications/${appId}/site-inspection`,
    {
      inspectedAt: (await clockNow()).toISOString(),
      findings:
        '机房、团队与服务记录与申报一致。/ Facilities, team and service records match the application.',
      passed: true,
    },
    tk.officer,
  );
  await waitForStatus(tk.officer, appId, ['awaiting_ranking']);
  say('status: awaiting_ranking');

  step('The call closes at closesAt (deadline job); a submission one second late would be refused');
  await setClock(new Date(closesAt.getTime() + 60_000));
  await runDeadlineJob();
  say(`call status: ${(await get<{ status: string }>(`/v1/calls/${callId}`)).body.status}`);

  step('Merit ranking (weighted average of expert scores, inspection result)');
  const ranking = await get<{
    items: Array<{
      rank: number;
      applicationId: string;
      orgName: string;
      averageScore: number;
      inspection: { passed: boolean };
    }>;
  }>(`/v1/calls/${callId}/ranking`, tk.officer);
  for (const r of ranking.body.items) {
    say(
      `#${r.rank} ${r.orgName} (${r.applicationId}): ${r.averageScore} / 100, inspection ${r.inspection.passed ? 'passed' : 'failed'}`,
    );
  }

  step('The officer proposes the list; the approver approves it → public notice (5 working days)');
  await post(`/v1/calls/${callId}/proposed-list`, { applicationIds: [appId] }, tk.officer);
  const decision = await post<{ noticeId: string; startsAt: string; endsAt: string }>(
    `/v1/calls/${callId}/proposed-list/decision`,
    { decision: 'approve', opinion: '同意公示。/ Approved for public notice.' },
    tk.approver,
  );
  const { noticeId, startsAt, endsAt } = decision.body;
  say(`notice ${noticeId}: ${startsAt} → ${endsAt} (working-day calendar)`);
  const publicNotice = await get<Json>(`/v1/public/notices/${noticeId}`);
  say(`public view: ${JSON.stringify(publicNotice.body.entries)}`);

  step('A member of the public objects during the period; an officer dismisses the objection');
  await setClock(new Date(Math.max(new Date(startsAt).getTime(), (await clockNow()).getTime()) + 3_600_000));
  const objector = { name: `王五${RUN}`, contact: `wangwu-${RUN}@example.com` };
  const objection = await post<{ id: string }>(`/v1/public/notices/${noticeId}/objections`, {
    applicationId: appId,
    objectorName: objector.name,
    objectorType: 'individual',
    contact: objector.contact,
    reason: '对其合作机构数量存在疑问，请核实。/ Please verify the number of partner institutions.',
  });
  await post(
    `/v1/objections/${objection.body.id}/resolution`,
    {
      upheld: false,
      response: '经核实，合作协议齐全有效。/ Verified: the partner agreements are complete and valid.',
    },
    tk.officer,
  );
  say(`objection ${objection.body.id}: dismissed`);

  step('The notice period ends; the deadline job publishes the recognised platform');
  await setClock(new Date(new Date(endsAt).getTime() + 60_000));
  const summary = await runDeadlineJob();
  say(`deadline job: ${JSON.stringify(summary)}`);
  const final = await waitForStatus(tk.good, appId, ['recognised', 'not_recognised']);
  say(`application ${appId}: ${String(final.status)}`);

  step('The registry (GET /v1/public/platforms)');
  const platforms = await get<{
    items: Array<{ id: string; hostName: string; uscc: string; status: string; validUntil: string }>;
  }>('/v1/public/platforms?limit=100');
  for (const p of platforms.body.items) {
    say(
      `${p.id.endsWith(appId) ? '★' : ' '} ${p.id}  ${p.hostName}  ${p.uscc}  ${p.status}, valid until ${p.validUntil}`,
    );
  }

  step('Audit trail of the application (who, when, what)');
  const audit = await get<{ items: Array<{ at: string; actor: { sub: string }; action: string }> }>(
    `/v1/audit?entityId=${encodeURIComponent(appId)}&limit=100`,
    tk.officer,
  );
  for (const e of audit.body.items) say(`${e.at}  ${e.actor.sub.padEnd(28)}  ${e.action}`);

  step('What the applicant was told (GET /v1/notifications)');
  const notes = await get<{ items: Array<{ at: string; title: string }> }>(
    '/v1/notifications?limit=20',
    tk.good,
  );
  for (const n of notes.body.items) say(`${n.at}  ${n.title}`);

  print(`\nDone: application ${appId} of call ${callId} went through the whole recognition.`);
  return {
    run: RUN,
    callId,
    applicationId: appId,
    ineligibleApplicationId: weakApp.body.id,
    noticeId,
    noticeEndsAt: endsAt,
    objectionId: objection.body.id,
    objector,
    evidenceSha256,
    finalStatus: String(final.status),
    platformIds: platforms.body.items.map((p) => p.id),
    auditActions: audit.body.items.map((e) => e.action),
    applicantNotifications: notes.body.items.map((n) => n.title),
    subs: {
      officer: `officer-${RUN}`,
      approver: `approver-${RUN}`,
      owner: `applicant-good-${RUN}`,
      otherApplicant: `applicant-weak-${RUN}`,
      unassignedExpert: `expert-3-${RUN}`,
    },
  };
}

/** `npm run demo`: runs the journey, exits 1 with the problem on any unexpected answer. */
async function main(): Promise<void> {
  try {
    await runDemo({ apiUrl: API });
  } catch (e) {
    console.error(
      `\nDEMO FAILED at step ${stepNo}: ${e instanceof DemoError ? e.message : (e as Error).stack}`,
    );
    process.exitCode = 1;
  } finally {
    // Leave the business clock at real time for whoever uses the system next.
    await fetch(`${API}/dev/clock`, { method: 'DELETE' }).catch(() => undefined);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
