import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pdf, uscc } from '../../scripts/demo.ts';
import { runOperationsDemo } from '../../scripts/demo-operations.ts';
import { client, eventually } from '../e2e/support/runtime.ts';
import { newPage, ok, screenshot, signIn, useConsoleRuntime } from './support/browser.ts';

/**
 * The staff console in a real browser (issue 7): a call with a submitted application is set up over
 * the HTTP API as the applicant would; then an officer works the preliminary review from the inbox
 * (eligibility findings, evidence, pass), assigns an expert in the console, and the expert scores the
 * call's criteria from their own inbox. The officer then sees the scores side by side.
 */
const env = useConsoleRuntime();
let api: ReturnType<typeof client>;
let appId = '';
const OFFICER = 'officer-staff-ui';
const EXPERT = 'expert-staff-ui';
const tokens: Record<string, string> = {};

interface Task {
  kind: string;
  entityId: string;
}

const waitForTask = (token: string, kind: string) =>
  eventually(async () => {
    const res = await api.get<{ items: Task[] }>('/v1/tasks?limit=100', token);
    return res.body.items.find((x) => x.entityId === appId && x.kind === kind);
  }, `${kind} task`);

beforeAll(async () => {
  api = client(env.rt.url);
  for (const [name, sub, group] of [
    ['officer', OFFICER, 'officer'],
    ['admin', 'admin-staff-ui', 'admin'],
    ['applicant', 'applicant-staff-ui', 'applicant'],
    ['expert', EXPERT, 'expert'],
  ] as const)
    tokens[name] = await api.token(sub, [group]);
  const now = new Date((await api.get<{ now: string }>('/dev/clock')).body.now).getTime();
  const call = await ok(
    api.post<{ id: string }>(
      '/v1/calls',
      {
        title: '中山市人工智能赋能平台认定（浏览器测试）',
        description: '工作台浏览器测试的申报通知。',
        opensAt: new Date(now + 60_000).toISOString(),
        closesAt: new Date(now + 14 * 86_400_000).toISOString(),
        requiredEvidence: [{ kind: 'business_licence', title: '营业执照', required: true }],
        scoringCriteria: [
          { key: 'resources', title: '资源集聚能力', weight: 60, max: 100 },
          { key: 'services', title: '赋能服务能力', weight: 40, max: 100 },
        ],
        noticePeriod: { length: 5, unit: 'working_days' },
      },
      { token: tokens.officer },
    ),
    'create call',
  );
  await ok(api.post(`/v1/calls/${call.id}/publish`, {}, { token: tokens.officer }), 'publish');
  await ok(api.post('/dev/clock', { now: new Date(now + 120_000).toISOString(), mode: 'offset' }), 'clock');
  await ok(api.post('/dev/jobs/deadlines/run', {}), 'deadline job');
  const code = uscc();
  await ok(
    api.post(
      '/v1/organisations',
      {
        name: '中山智算科技有限公司（浏览器测试）',
        uscc: code,
        registeredCapitalCny: 80_000_000,
        address: '广东省中山市火炬开发区祥兴路6号',
        legalRepresentative: '陈一',
        contact: { name: '林二', phone: '0760-88880000', email: 'lin@example.com' },
      },
      { token: tokens.applicant },
    ),
    'organisation',
  );
  const app = await ok(
    api.post<{ id: string }>(
      `/v1/calls/${call.id}/applications`,
      {
        consortium: [{ name: '中山职业技术学院', kind: 'university' }],
        partners: Array.from({ length: 12 }, (_, i) => ({
          name: `合作机构${i + 1}`,
          uscc: uscc(),
          kind: 'company',
        })),
        registeredCapitalCny: 80_000_000,
        committedEnterprisesPerYear: 50,
        capabilities: ['算力调度', '模型供给'],
        summary: '面向中山制造业的人工智能赋能平台。',
      },
      { token: tokens.applicant },
    ),
    'application',
  );
  appId = app.id;
  const bytes = pdf(`business licence ${code}`);
  const ticket = await ok(
    api.post<{ evidenceId: string; upload: { url: string; fields: Record<string, string> } }>(
      `/v1/applications/${appId}/evidence`,
      {
        kind: 'business_licence',
        fileName: 'business_licence.pdf',
        contentType: 'application/pdf',
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
      { token: tokens.applicant },
    ),
    'evidence',
  );
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.upload.fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), 'business_licence.pdf');
  const uploaded = await fetch(ticket.upload.url, { method: 'POST', body: form });
  expect(uploaded.status).toBeLessThan(300);
  await ok(
    api.post(
      `/v1/applications/${appId}/evidence/${ticket.evidenceId}/confirm`,
      {},
      { token: tokens.applicant },
    ),
    'confirm',
  );
  await ok(api.post(`/v1/applications/${appId}/submit`, {}, { token: tokens.applicant }), 'submit');
  await ok(
    api.post(
      '/v1/experts',
      { userId: EXPERT, name: '王专家', employerUscc: uscc('440100'), fields: ['人工智能'] },
      { token: tokens.admin },
    ),
    'expert',
  );
  await waitForTask(tokens.officer ?? '', 'preliminary_review');
}, 180_000);

const statusOf = async () =>
  (await api.get<{ status: string }>(`/v1/applications/${appId}`, tokens.officer)).body.status;

describe('the staff console', () => {
  let officer: Page;

  it('shows the officer the preliminary review in the inbox, with findings and evidence, and records a pass', async () => {
    ({ page: officer } = await newPage(env.browser));
    await signIn(officer, env.rt.url, 'officer', OFFICER);
    const task = officer.getByRole('link', { name: '初审', exact: true });
    await expect.poll(() => task.count()).toBe(1);
    await screenshot(officer, 'staff-inbox');
    await task.click();
    await expect.poll(() => officer.getByRole('heading', { name: '资格条件审查（第九条）' }).count()).toBe(1);
    await expect.poll(() => officer.getByText('符合全部申报条件').count()).toBe(1);
    const download = officer.getByRole('button', { name: '下载 business_licence.pdf' });
    await expect.poll(() => download.count()).toBe(1);
    // The button asks the API for a short-lived (audited) link and opens it in a new tab.
    const [popup, link] = await Promise.all([
      officer.waitForEvent('popup'),
      officer.waitForResponse((r) => r.url().includes('/download')),
      download.click(),
    ]);
    expect(link.status()).toBe(200);
    await popup.close();
    await officer.getByLabel('通过', { exact: true }).check();
    await officer.getByLabel('初审意见').fill('材料真实、准确，符合申报要求。');
    await officer.getByRole('button', { name: '提交初审决定' }).click();
    await expect.poll(() => officer.getByRole('status').textContent()).toContain('初审决定已提交');
    await expect.poll(statusOf).toBe('expert_review');
  });

  it('lets the officer assign an expert on the application page', async () => {
    await waitForTask(tokens.officer ?? '', 'expert_assignment');
    await officer.reload();
    const box = officer.getByLabel(`王专家 (${EXPERT})`);
    await expect.poll(() => box.count()).toBe(1);
    await box.check();
    await officer.getByRole('button', { name: '指派', exact: true }).click();
    await expect.poll(() => officer.getByRole('status').textContent()).toContain('已指派专家');
  });

  it('lets the expert score every criterion from their inbox, and the officer sees the scores', async () => {
    await waitForTask(tokens.expert ?? '', 'expert_review');
    const { page: expert, context } = await newPage(env.browser);
    await signIn(expert, env.rt.url, 'expert', EXPERT);
    const task = expert.getByRole('link', { name: '专家评审', exact: true });
    await expect.poll(() => task.count()).toBe(1);
    await task.click();
    await expect.poll(() => expert.getByLabel('资源集聚能力（0–100）').count()).toBe(1);
    await expert.getByLabel('资源集聚能力（0–100）').fill('88');
    await expert.getByLabel('赋能服务能力（0–100）').fill('76');
    await expert.getByLabel('本人声明与申报单位').check();
    await expert.getByLabel('评审意见').fill('资源集聚与服务能力突出。');
    await expert.getByRole('button', { name: '提交评分' }).click();
    await expect.poll(() => expert.getByRole('status').textContent()).toContain('评分已提交');
    await context.close();

    await officer.reload();
    const scores = officer.getByRole('table', { name: '专家评分对比' });
    await expect.poll(() => scores.count()).toBe(1);
    await expect.poll(() => scores.textContent()).toContain('88');
    expect(await scores.textContent()).toContain('76');
    await expect.poll(() => officer.getByText('application.expert_reviewed').count()).toBe(1);
    await screenshot(officer, 'staff-application');
  });
});

describe('the evaluation page', () => {
  it('charts the grade distribution of a year (seeded by the operations demo)', async () => {
    const journey = await runOperationsDemo({ apiUrl: env.rt.url, log: () => undefined });
    const year = journey.years[1];
    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'officer', OFFICER);
    await page.goto(`${env.rt.url}/console/#/staff/evaluation`);
    await page.getByLabel('评估年度').fill(String(year));
    await page.getByLabel('评估年度').press('Enter');
    const chart = page.getByRole('img', { name: `${year} 年度评估等级分布` });
    await expect.poll(() => chart.count()).toBe(1);
    const table = page.getByRole('table', { name: `${year} 年度评估等级分布` });
    await expect.poll(() => table.textContent()).toContain('不合格1');
    await screenshot(page, 'staff-grades');

    // The calls page lists the demo's calls; a call shows its pipeline funnel and ranking.
    await page.goto(`${env.rt.url}/console/#/staff/calls`);
    const callLink = page.getByRole('table', { name: '申报通知' }).getByRole('link').first();
    await expect.poll(() => callLink.count()).toBe(1);
    await callLink.click();
    await expect.poll(() => page.getByRole('img', { name: '当前批次办理漏斗' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('table', { name: '综合排名与拟认定名单' }).count()).toBe(1);

    // The notices and the registry list what the demo published, one row each, with their status.
    const hosts = await api.get<{ items: Array<{ hostName: string }> }>('/v1/public/platforms?limit=100');
    await page.goto(`${env.rt.url}/console/#/staff/registry`);
    const registry = page.getByRole('table', { name: '平台管理' });
    await expect.poll(() => registry.locator('tbody tr').count()).toBe(hosts.body.items.length);
    await expect.poll(() => registry.textContent()).toContain(hosts.body.items[0]?.hostName ?? '?');
    await page.goto(`${env.rt.url}/console/#/staff/notices`);
    const notices = page.getByRole('table', { name: '公示管理' });
    await expect.poll(() => notices.locator('tbody tr').count()).toBeGreaterThan(0);
    await context.close();
  }, 240_000);
});
