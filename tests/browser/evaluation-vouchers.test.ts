import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pdf, runDemo, uscc } from '../../scripts/demo.ts';
import { DemoClient } from '../../scripts/support/demo-client.ts';
import { newPage, screenshot, signIn, useConsoleRuntime } from './support/browser.ts';

/**
 * The staff console's annual evaluation, compute vouchers and exports in a real browser (issue 7).
 * Set-up over HTTP (a platform recognised by the recognition demo, a host's report, an enterprise's
 * voucher and redemption); the office's own steps in the console: an officer creates and opens the
 * evaluation cycle of a year that is not the browser's, grades a submitted report from the cycle's
 * table, the approver signs the cycle off; an officer creates a voucher programme, allocates quota (and
 * is told when it exceeds the budget), approves a settlement and reads the balanced ledger; an
 * observer downloads the registry CSV. After each step the API shows what the console did.
 */
const env = useConsoleRuntime();
let c: DemoClient;
let platformId = '';
let hostName = '';
let hostSub = '';
const tk: Record<string, string> = {};
const OFFICER = 'officer-fin-ui';
const APPROVER = 'approver-fin-ui';
const OBSERVER = 'observer-fin-ui';
/** A cycle year that is not the browser's: the page must find it by itself. */
const YEAR = new Date().getFullYear() + 1;

beforeAll(async () => {
  c = new DemoClient(env.rt.url);
  // The recognition demo leaves the business clock after the notice, when the platform was published
  // (a cycle only takes platforms recognised before its opening): the clock stays there.
  const demo = await runDemo({ apiUrl: env.rt.url, log: () => undefined });
  platformId = `p-${demo.applicationId}`;
  hostSub = demo.subs.owner;
  tk.officer = await c.token(OFFICER, ['officer']);
  tk.approver = await c.token(APPROVER, ['approver']);
  tk.host = await c.token(hostSub, ['applicant']);
  hostName = (await c.get<{ hostName: string }>(`/v1/platforms/${platformId}`, tk.officer)).body.hostName;
}, 120_000);

describe('annual evaluation in the staff console', () => {
  it('an officer creates and opens a cycle, grades a submitted report; the approver signs it off', async () => {
    const { page: officer, context } = await newPage(env.browser);
    await signIn(officer, env.rt.url, 'officer', OFFICER);
    await officer.goto(`${env.rt.url}/console/#/staff/evaluation`);
    await expect.poll(() => officer.getByText('尚未创建任何考评周期').count()).toBe(1);

    // Create the cycle of YEAR with the form's default criteria and deadline, then open it.
    await officer.getByLabel('考评年度').fill(String(YEAR));
    await officer.getByRole('button', { name: '创建考评周期' }).click();
    await expect
      .poll(() => officer.getByRole('status').first().textContent())
      .toContain(`已创建 ${YEAR} 年度考评周期`);
    await officer.getByRole('button', { name: `开启 ${YEAR} 年度考评` }).click();
    await expect
      .poll(() => officer.getByRole('status').first().textContent())
      .toContain('考评已开启：1 个平台');
    const cycle = await c.get<{ status: string; reportDeadline: string }>(
      `/v1/evaluation-cycles/${YEAR}`,
      tk.officer,
    );
    expect(cycle.body.status).toBe('open');

    // The host reports over HTTP, with one evidence file.
    const base = `/v1/evaluation-cycles/${YEAR}/platforms/${platformId}/report`;
    const evidence = await c.uploadEvidence(`${base}/evidence`, tk.host ?? '', {
      kind: 'annual_report',
      fileName: 'annual-report.pdf',
      bytes: pdf(`annual report ${YEAR}`),
    });
    await c.put(
      base,
      {
        enterprisesServed: 42,
        partnerCount: 12,
        cases: 6,
        vouchersIssued: 10,
        vouchersSettled: 8,
        narrative: `${YEAR} 年度自评价报告：服务制造业企业 42 家。`,
        evidenceIds: [evidence.evidenceId],
      },
      tk.host,
    );
    await c.post(`${base}/submit`, {}, tk.host);

    // A fresh visit defaults to the cycle's year (not the browser's) and lists the submitted report.
    await officer.reload();
    const year = officer.getByLabel('评估年度');
    await expect.poll(() => year.inputValue()).toBe(String(YEAR));
    const table = officer.getByRole('table', { name: '各平台考评情况' });
    await expect.poll(() => table.textContent()).toContain('已提交报告');
    await table.getByRole('link', { name: hostName }).click();

    // The report, the ledger check and the evidence; then the grading form.
    await expect.poll(() => officer.getByRole('heading', { level: 1 }).textContent()).toContain(hostName);
    await expect.poll(() => officer.getByText('服务制造业企业 42 家').count()).toBe(1);
    expect(await officer.getByRole('table', { name: '报告数据' }).textContent()).toContain('42');
    await expect.poll(() => officer.getByText(/算力券台账显示/).textContent()).toContain('未达承诺');
    expect(await officer.getByRole('button', { name: '下载 annual-report.pdf' }).count()).toBe(1);
    await officer.getByLabel(/赋能服务成效.*权重 60/).fill('92');
    await officer.getByLabel(/资源集聚.*权重 40/).fill('90');
    await expect
      .poll(() => officer.locator('#grade-preview').textContent())
      .toContain('得分 91.2，等级 优秀');
    await officer.getByRole('button', { name: '提交评分' }).click();
    await expect
      .poll(() => officer.getByRole('status').first().textContent())
      .toContain('评分已记录：91.2 分，优秀');
    const graded = await c.get<{ status: string; score: number; grade: string }>(
      `/v1/evaluation-cycles/${YEAR}/platforms/${platformId}`,
      tk.officer,
    );
    expect(graded.body).toMatchObject({ status: 'graded', score: 91.2, grade: 'excellent' });
    // The page shows the recorded result beside the report.
    await expect
      .poll(() => officer.getByRole('table', { name: '各指标得分' }).textContent())
      .toContain('92 / 100');
    expect(await officer.locator('dl.staff-facts').first().textContent()).toContain('已评定');
    await screenshot(officer, 'staff-evaluation-grading');
    await context.close();

    // After the report deadline the approver signs the cycle off in the console.
    await c.setClock(new Date(Date.parse(cycle.body.reportDeadline) + 60_000));
    const { page: approver, context: ctx2 } = await newPage(env.browser);
    await signIn(approver, env.rt.url, 'approver', APPROVER);
    await approver.goto(`${env.rt.url}/console/#/staff/evaluation`);
    const signOff = approver.getByRole('button', { name: `签发并公布 ${YEAR} 年度考评结果` });
    await expect.poll(() => signOff.count()).toBe(1);
    await signOff.click();
    await expect.poll(() => approver.getByRole('status').first().textContent()).toContain('已签发并公布');
    const chart = approver.getByRole('table', { name: `${YEAR} 年度评估等级分布` });
    await expect.poll(() => chart.textContent()).toContain('优秀1');
    const finalized = await c.get<{ status: string }>(`/v1/evaluation-cycles/${YEAR}`, tk.approver);
    expect(finalized.body.status).toBe('finalized');
    const published = await c.get<{ status: string }>(
      `/v1/evaluation-cycles/${YEAR}/platforms/${platformId}`,
      tk.approver,
    );
    expect(published.body.status).toBe('published');
    await ctx2.close();
  }, 60_000);
});

describe('compute vouchers in the staff console', () => {
  it('an officer creates a programme, allocates quota, settles a redemption and reads a balanced report', async () => {
    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'officer', OFFICER);
    await page.goto(`${env.rt.url}/console/#/staff/vouchers`);
    await page.getByLabel('项目名称').fill('中山市算力券（浏览器测试）');
    await page.getByLabel('预算（元）').fill('100000');
    // The rules start at the server's defaults.
    expect(await page.getByLabel('补贴比例上限（占合同金额）').inputValue()).toBe('0.3');
    expect(await page.getByLabel('算力券有效天数').inputValue()).toBe('180');
    await page.getByRole('button', { name: '创建项目' }).click();
    await page.waitForFunction('/^#\\/staff\\/vouchers\\/.+/.test(location.hash)');
    const programmeId = decodeURIComponent(page.url().split('#/staff/vouchers/')[1] ?? '');
    expect(programmeId).not.toBe('');

    // Allocate 80,000 to the platform; then 30,000 more is beyond the 20,000 left.
    const platform = page.getByLabel('平台', { exact: true });
    await expect.poll(() => platform.locator('option').count()).toBeGreaterThan(1);
    await platform.selectOption(platformId);
    await page.getByLabel('分配额度（元）').fill('80000');
    await page.getByRole('button', { name: '分配', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('80,000 元');
    await page.getByLabel('分配额度（元）').fill('30000');
    await page.getByRole('button', { name: '分配', exact: true }).click();
    const problem = page.locator('.problem');
    await expect.poll(() => problem.textContent()).toContain('BUDGET_EXCEEDED');
    await expect.poll(() => page.locator('#alloc-quota-error').textContent()).toContain('当前只剩 20,000 元');

    // Over HTTP: the host lists a compute service, an enterprise claims a voucher, the host issues it
    // and files the redemption with its contract evidence.
    const supplier = uscc();
    await c.put(
      `/v1/platforms/${platformId}/services/gpu-a800`,
      {
        category: 'compute',
        name: 'A800 GPU 算力租赁',
        provider: '中山算力科技有限公司',
        providerUscc: supplier,
        unit: 'GPU card-hour',
        priceRangeCny: { min: 8, max: 15 },
        available: true,
      },
      tk.host,
    );
    const enterprise = await c.token('enterprise-fin-ui', ['applicant']);
    await c.post(
      '/v1/organisations',
      {
        name: '中山智造企业（浏览器测试）',
        uscc: uscc(),
        registeredCapitalCny: 5_000_000,
        address: '广东省中山市火炬开发区',
        legalRepresentative: '张一',
        contact: { name: '李一', phone: '0760-8888 0000', email: 'e1@example.com' },
      },
      enterprise,
    );
    const claim = await c.post<{ id: string }>(
      `/v1/platforms/${platformId}/voucher-claims`,
      { programmeId, requestedCny: 20_000, purpose: '模型训练算力' },
      enterprise,
    );
    const issued = await c.post<{ voucher: { code: string } }>(
      `/v1/voucher-claims/${claim.body.id}/decision`,
      { decision: 'issue', faceValueCny: 20_000 },
      tk.host,
    );
    const contract = await c.uploadEvidence(`/v1/platforms/${platformId}/evidence`, tk.host ?? '', {
      kind: 'voucher_settlement',
      fileName: 'contract-C001.pdf',
      bytes: pdf('contract C-001'),
    });
    const redemption = await c.post<{ id: string }>(
      `/v1/vouchers/${issued.body.voucher.code}/redemptions`,
      {
        supplierUscc: supplier,
        serviceId: 'gpu-a800',
        contractNo: 'C-001',
        contractAmountCny: 100_000,
        subsidyCny: 20_000,
        evidenceIds: [contract.evidenceId],
      },
      tk.host,
    );

    // The officer approves the settlement in the console.
    await page.reload();
    const card = page.locator('li.card').filter({ hasText: 'contract-C001.pdf' });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toContain('待结算审核');
    await card.getByLabel('同意结算（拨付补贴）').check();
    await card.getByLabel('审核意见').fill('合同、发票、付款凭证齐全，同意拨付。');
    await card.getByRole('button', { name: '提交审核结论' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('已同意结算');
    const settled = await c.get<{ items: { id: string; status: string }[] }>(
      `/v1/voucher-programmes/${programmeId}/redemptions`,
      tk.officer,
    );
    expect(settled.body.items.find((r) => r.id === redemption.body.id)?.status).toBe('settled');

    // The supervision report: budget = unallocated + available + issued + redeemed + settled + expired.
    const identity = page.locator('#ledger-identity');
    await expect.poll(() => identity.textContent()).toContain('已结算 20,000 元');
    expect((await identity.textContent())?.replace(/\s+/g, ' ')).toBe(
      '预算 100,000 元 = 未分配 20,000 元 + 可发放 60,000 元 + 已发放 0 元 + 已核销 0 元 + 已结算 20,000 元 + 已过期 0 元',
    );
    expect(await page.locator('#ledger-balanced').textContent()).toContain('账目平衡');
    const months = page.getByRole('table', { name: '各平台月度发放、核销与结算' });
    expect(await months.textContent()).toContain('20,000 元（1 张）');
    const report = await c.get<{ balanced: boolean; totals: Record<string, number> }>(
      `/v1/voucher-programmes/${programmeId}/report`,
      tk.officer,
    );
    expect(report.body.balanced).toBe(true);
    expect(report.body.totals).toMatchObject({
      budgetCny: 100_000,
      unallocatedCny: 20_000,
      settledCny: 20_000,
    });
    await expect
      .poll(() => page.getByRole('table', { name: '台账流水' }).locator('tbody tr').count())
      .toBeGreaterThan(4);
    await screenshot(page, 'staff-vouchers');
    await context.close();
  }, 60_000);
});

describe('exports in the staff console', () => {
  it('an observer downloads the registry CSV, with its header line', async () => {
    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'observer', OBSERVER);
    await page.goto(`${env.rt.url}/console/#/staff/exports`);
    await expect.poll(() => page.getByText('每次导出都会记入审计日志').count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载平台名录 CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^registry-.*\.csv$/);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const [header, ...rows] = text.slice(1).split('\r\n');
    expect(header).toBe(
      'platformId,hostName,uscc,status,capabilities,targetTasks,recognisedAt,validUntil,revokedAt,endedAt',
    );
    expect(rows.some((r) => r.startsWith(`${platformId},`))).toBe(true);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('已保存 registry-');
    await context.close();
  }, 30_000);
});
