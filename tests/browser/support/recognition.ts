import { createHash, randomInt } from 'node:crypto';
import { pdf, uscc } from '../../../scripts/demo.ts';
import { client, type Reply } from '../../e2e/support/runtime.ts';

/**
 * Set-up over HTTP for the browser tests: the recognition journey of `scripts/demo.ts` up to the
 * site inspection (`awaitingInspection`) or the approved proposed list (`openNotice`), leaving the public notice open with the business clock inside its period
 * (`runDemo` always runs to the end, when the notice is closed). Every name and account is unique to
 * the run. `publish()` then ends the notice (resolving pending objections as dismissed) so the
 * application becomes a platform.
 */
export interface OpenNotice {
  readonly run: string;
  readonly callId: string;
  readonly applicationId: string;
  readonly noticeId: string;
  readonly orgId: string;
  readonly orgName: string;
  readonly tokens: Readonly<Record<'officer' | 'approver' | 'owner', string>>;
  /** Ends the notice: dismisses pending objections, moves the clock past it, runs the deadline job. */
  publish(): Promise<string>;
}

type Json = Record<string, unknown>;

/** An application reviewed up to the site inspection (experts scored), the call still open. */
export interface AwaitingInspection {
  readonly run: string;
  readonly callId: string;
  readonly applicationId: string;
  readonly orgName: string;
  readonly closesAt: Date;
  readonly tokens: Readonly<Record<'officer' | 'approver' | 'owner', string>>;
}

export async function awaitingInspection(url: string): Promise<AwaitingInspection> {
  const s = await setUp(url);
  return {
    run: s.run,
    callId: s.call.id,
    applicationId: s.app.id,
    orgName: s.orgName,
    closesAt: s.closesAt,
    tokens: s.tokens,
  };
}

async function setUp(url: string) {
  const api = client(url);
  const run = `${Date.now().toString(36)}${randomInt(36 ** 3).toString(36)}`;
  const ok = <T>(what: string, r: Reply<T>): T => {
    if (r.status >= 300) throw new Error(`${what} → ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const post = async <T = Json>(p: string, body: unknown, token?: string) =>
    ok(`POST ${p}`, await api.post<T>(p, body, token ? { token } : {}));
  const get = async <T = Json>(p: string, token?: string) => ok(`GET ${p}`, await api.get<T>(p, token));
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const clockNow = async () => new Date((await get<{ now: string }>('/dev/clock')).now);
  const setClock = (d: Date) => post('/dev/clock', { now: d.toISOString(), mode: 'offset' });
  const runJob = () => post('/dev/jobs/deadlines/run', {});
  const task = (token: string, appId: string, kind: string) =>
    until(`${kind} of ${appId}`, async () =>
      (await get<{ items: { id: string; kind: string; entityId: string }[] }>('/v1/tasks', token)).items.find(
        (x) => x.entityId === appId && x.kind === kind,
      ),
    );
  const status = (token: string, appId: string, wanted: string[]) =>
    until(`${appId} → ${wanted.join('/')}`, async () => {
      const a = await get<{ status: string }>(`/v1/applications/${appId}`, token);
      return wanted.includes(a.status) ? a.status : undefined;
    });

  const tokens = {
    officer: await api.token(`officer-${run}`, ['officer']),
    approver: await api.token(`approver-${run}`, ['approver']),
    admin: await api.token(`admin-${run}`, ['admin']),
    owner: await api.token(`applicant-${run}`, ['applicant']),
    expert1: await api.token(`expert-1-${run}`, ['expert']),
    expert2: await api.token(`expert-2-${run}`, ['expert']),
  };

  const t0 = await clockNow();
  const opensAt = new Date(t0.getTime() + 60_000);
  const closesAt = new Date(t0.getTime() + 14 * 86_400_000);
  const requiredEvidence = [
    { kind: 'business_licence', title: '营业执照 / Business licence', required: true },
  ];
  const call = await post<{ id: string }>(
    '/v1/calls',
    {
      title: `中山市人工智能赋能平台认定（公众门户测试 ${run}）`,
      description: '根据《中山市人工智能赋能平台管理办法》第七至九条启动认定。',
      opensAt: opensAt.toISOString(),
      closesAt: closesAt.toISOString(),
      requiredEvidence,
      scoringCriteria: [{ key: 'overall', title: '综合能力 / Overall', weight: 100, max: 100 }],
      noticePeriod: { length: 5, unit: 'working_days' },
    },
    tokens.officer,
  );
  await post(`/v1/calls/${call.id}/publish`, {}, tokens.officer);
  await setClock(new Date(opensAt.getTime() + 60_000));
  await runJob();

  const code = uscc();
  const orgName = `中山公示测试科技有限公司（${run}）`;
  const org = await post<{ id: string }>(
    '/v1/organisations',
    {
      name: orgName,
      uscc: code,
      registeredCapitalCny: 80_000_000,
      address: '广东省中山市火炬开发区中心城区祥兴路6号',
      legalRepresentative: '陈一',
      contact: { name: '林二', phone: '0760-8888 0000', email: `contact-${run}@example.com` },
    },
    tokens.owner,
  );
  const partners = Array.from({ length: 12 }, (_, i) => ({
    name: `合作机构${i + 1}（${run}）`,
    uscc: uscc(),
    kind: 'company',
  }));
  const app = await post<{ id: string }>(
    `/v1/calls/${call.id}/applications`,
    {
      consortium: [{ name: `中山职业技术学院（${run}）`, kind: 'university' }],
      partners,
      registeredCapitalCny: 80_000_000,
      committedEnterprisesPerYear: 50,
      capabilities: ['算力调度', '模型供给'],
      summary: '面向中山制造业的人工智能赋能平台：算力租赁、模型订阅与行业应用推广。',
    },
    tokens.owner,
  );
  for (const ev of requiredEvidence) {
    const bytes = pdf(`${ev.kind} ${run}`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const created = await post<{
      evidenceId: string;
      upload: { url: string; fields: Record<string, string> };
    }>(
      `/v1/applications/${app.id}/evidence`,
      {
        kind: ev.kind,
        fileName: `${ev.kind}.pdf`,
        contentType: 'application/pdf',
        sizeBytes: bytes.length,
        sha256,
      },
      tokens.owner,
    );
    const form = new FormData();
    for (const [k, v] of Object.entries(created.upload.fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), `${ev.kind}.pdf`);
    const up = await fetch(created.upload.url, { method: 'POST', body: form });
    if (up.status >= 300) throw new Error(`upload → ${up.status}`);
    await post(`/v1/applications/${app.id}/evidence/${created.evidenceId}/confirm`, {}, tokens.owner);
  }
  await post(`/v1/applications/${app.id}/submit`, {}, tokens.owner);

  await task(tokens.officer, app.id, 'preliminary_review');
  await post(
    `/v1/applications/${app.id}/preliminary-review`,
    { decision: 'pass', opinion: '符合申报要求。' },
    tokens.officer,
  );
  const experts: string[] = [];
  for (const n of [1, 2]) {
    const e = await post<{ id: string }>(
      '/v1/experts',
      {
        userId: `expert-${n}-${run}`,
        name: `专家${n}（${run}）`,
        employerUscc: uscc('440100'),
        fields: ['人工智能'],
      },
      tokens.admin,
    );
    experts.push(e.id);
  }
  await task(tokens.officer, app.id, 'expert_assignment');
  await post(`/v1/applications/${app.id}/experts`, { expertIds: experts }, tokens.officer);
  for (const who of [tokens.expert1, tokens.expert2]) {
    await task(who, app.id, 'expert_review');
    await post(
      `/v1/applications/${app.id}/reviews`,
      { conflictOfInterest: false, scores: { overall: 88 }, comment: '能力突出。' },
      who,
    );
  }
  await task(tokens.officer, app.id, 'site_inspection');
  return { run, call, app, org, orgName, closesAt, tokens, get, post, clockNow, setClock, runJob, status };
}

export async function openNotice(url: string): Promise<OpenNotice> {
  const { run, call, app, org, orgName, closesAt, tokens, get, post, clockNow, setClock, runJob, status } =
    await setUp(url);
  await post(
    `/v1/applications/${app.id}/site-inspection`,
    { inspectedAt: (await clockNow()).toISOString(), findings: '与申报一致。', passed: true },
    tokens.officer,
  );
  await status(tokens.officer, app.id, ['awaiting_ranking']);
  await setClock(new Date(closesAt.getTime() + 60_000));
  await runJob();
  await post(`/v1/calls/${call.id}/proposed-list`, { applicationIds: [app.id] }, tokens.officer);
  const decision = await post<{ noticeId: string; startsAt: string; endsAt: string }>(
    `/v1/calls/${call.id}/proposed-list/decision`,
    { decision: 'approve', opinion: '同意公示。' },
    tokens.approver,
  );
  await setClock(new Date(Math.max(Date.parse(decision.startsAt), (await clockNow()).getTime()) + 3_600_000));

  return {
    run,
    callId: call.id,
    applicationId: app.id,
    noticeId: decision.noticeId,
    orgId: org.id,
    orgName,
    tokens,
    publish: async () => {
      const objections = await get<{ items: { id: string; status: string }[] }>(
        `/v1/notices/${decision.noticeId}/objections?limit=100`,
        tokens.officer,
      );
      for (const o of objections.items.filter((x) => x.status === 'pending')) {
        await post(
          `/v1/objections/${o.id}/resolution`,
          { upheld: false, response: '经核实，异议不成立。' },
          tokens.officer,
        );
      }
      await setClock(new Date(Date.parse(decision.endsAt) + 60_000));
      await runJob();
      await status(tokens.owner, app.id, ['recognised']);
      return `p-${app.id}`;
    },
  };
}
