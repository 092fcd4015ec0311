import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pdf, uscc } from '../../scripts/demo.ts';
import { client } from '../e2e/support/runtime.ts';
import { newPage, screenshot, signIn, useConsoleRuntime } from './support/browser.ts';
import { type OpenNotice, openNotice } from './support/recognition.ts';

/**
 * The host of a recognised platform in the applicant portal (issue 7): attaches a real PDF to a change
 * request (progress to 100 %, verified) and files it; sees the unread notifications in the portal's
 * navigation and marks one read; answers a revocation case an officer opened (refused past its
 * deadline, accepted before it); publishes a compute
 * service in the catalogue; an enterprise claims a voucher in its own portal, choosing the programme from
 * those open (with their rules shown), and the host issues it, redeems it and sees the redemption listed
 * with its settlement state, pending and then settled by the office.
 * Set-up over HTTP (the recognition journey, the officer's and the office's parts); the API is asked
 * afterwards what was stored.
 */
const env = useConsoleRuntime();
let notice: OpenNotice;
let platformId = '';
let host = '';
const api = () => client(env.rt.url);

interface Note {
  id: string;
  entityType: string;
  entityId: string;
  read: boolean;
}

const unreadOf = async (token: string): Promise<Note[]> =>
  (await api().get<{ items: Note[] }>('/v1/notifications?limit=100', token)).body.items.filter(
    (n) => !n.read,
  );

/** A section of the page by its heading. */
const section = (page: Page, heading: string) =>
  page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });

/** axe-core's WCAG 2.1 A/AA violations of the page, as `rule: targets` lines (none expected). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`, undefined, { timeout: 20_000 });
  if (!(await page.evaluate<boolean>(`'axe' in window`)))
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const options = {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  };
  const result = await page.evaluate<{ violations: { id: string; nodes: { target: string[] }[] }[] }>(
    `axe.run(document, ${JSON.stringify(options)})`,
  );
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

function pdfNamed(name: string, title: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'zs-host-')), name);
  writeFileSync(file, pdf(title));
  return file;
}

beforeAll(async () => {
  notice = await openNotice(env.rt.url);
  platformId = await notice.publish();
  host = `applicant-${notice.run}`;
}, 180_000);

describe('the host of a recognised platform', () => {
  it('attaches a verified PDF to a change request and files it', async () => {
    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'applicant', host);
    await page.getByRole('link', { name: '平台运营（变更申请、年度自评）' }).click();
    await page.getByRole('heading', { name: /我的平台/ }).waitFor();
    await page.getByLabel('变更事项').selectOption('target_tasks');
    await page.getByLabel('变更内容及理由').fill('新增中小企业算力普惠目标任务。');
    await page.getByLabel('变更后的内容（每行一项）').fill('服务企业 60 家\n举办培训 4 场');
    await page
      .getByLabel('选择文件：变更申请证明材料')
      .setInputFiles(pdfNamed('board-resolution.pdf', `Board resolution ${notice.run}`));
    const progress = page.getByRole('progressbar', { name: 'board-resolution.pdf 上传进度' });
    await expect.poll(() => progress.getAttribute('value'), { timeout: 20_000 }).toBe('100');
    const attach = page.locator('.evidence-attach').first();
    await expect
      .poll(() => attach.textContent(), { timeout: 20_000 })
      .toContain('已上传：board-resolution.pdf');
    expect(await attach.textContent()).toContain('已核验');
    await expect.poll(() => attach.textContent()).toContain('已附 1 个已核验文件');
    await page.getByRole('button', { name: '提交变更申请' }).click();
    const changes = page.locator('.change-requests');
    await expect.poll(() => changes.textContent()).toContain('新增中小企业算力普惠目标任务。');
    expect(await changes.textContent()).toContain('材料：board-resolution.pdf');

    const owner = notice.tokens.owner;
    const list = await api().get<{
      items: { kind: string; status: string; evidenceManifest: { evidenceId: string; fileName: string }[] }[];
    }>(`/v1/platforms/${platformId}/change-requests`, owner);
    const filed = list.body.items.find((c) => c.kind === 'target_tasks');
    expect(filed?.status).toBe('pending');
    expect(filed?.evidenceManifest).toEqual([
      expect.objectContaining({ fileName: 'board-resolution.pdf', evidenceId: expect.any(String) }),
    ]);
    const evidence = await api().get<{ items: { evidenceId: string; status: string }[] }>(
      `/v1/platforms/${platformId}/evidence`,
      owner,
    );
    expect(evidence.body.items).toContainEqual(
      expect.objectContaining({ evidenceId: filed?.evidenceManifest[0]?.evidenceId, status: 'verified' }),
    );
    await context.close();
  }, 90_000);

  it('sees unread notifications, marks one read, and answers a revocation case before its deadline', async () => {
    // An officer opens a revocation case (over HTTP: the staff console's part); the host is told.
    const now = new Date((await api().get<{ now: string }>('/dev/clock')).body.now);
    const opened = await api().post<{ id: string }>(
      `/v1/platforms/${platformId}/revocations`,
      {
        ground: 'serious_violation',
        description: '平台在展示门户发布的服务价格与实际收费严重不符。',
        responseDeadline: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
      },
      { token: notice.tokens.officer },
    );
    expect(opened.status).toBe(201);
    const owner = notice.tokens.owner;
    const unreadBefore = (await unreadOf(owner)).length;
    expect(unreadBefore).toBeGreaterThan(0);

    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'applicant', host);
    const nav = page.getByRole('navigation', { name: '申报企业导航' });
    await expect.poll(() => nav.textContent()).toContain(`通知 (${unreadBefore})`);
    await nav.getByRole('link', { name: /^通知/ }).click();
    await page.getByRole('heading', { name: '通知', exact: true }).waitFor();
    const revocationNote = page.locator('.notification-list li').filter({ hasText: '撤销程序已启动' });
    await expect.poll(() => revocationNote.textContent()).toContain('未读');

    // Mark one read: the count drops, and the API agrees.
    const other = page
      .locator('.notification-list li.unread')
      .filter({ hasNotText: '撤销程序已启动' })
      .first();
    const otherId = await other.getAttribute('data-id');
    await other.getByRole('button', { name: /^标为已读/ }).click();
    await expect.poll(() => nav.textContent()).toContain(`通知 (${unreadBefore - 1})`);
    await expect.poll(() => page.locator('main').textContent()).toContain(`未读通知 ${unreadBefore - 1} 条`);
    const after = await unreadOf(owner);
    expect(after.length).toBe(unreadBefore - 1);
    expect(after.map((n) => n.id)).not.toContain(otherId);
    await screenshot(page, 'applicant-notifications');

    // The revocation notification leads to the case; the statement is filed before the deadline.
    await revocationNote.getByRole('link', { name: /^查看相关页面/ }).click();
    await page.getByRole('heading', { name: /资格撤销程序/ }).waitFor();
    await expect.poll(() => page.locator('main').textContent()).toContain('服务价格与实际收费严重不符');
    await page.getByLabel('陈述申辩意见').fill('价格差异系促销期临时调整，已于当日更正并向用户退还差价。');
    await page
      .getByLabel('选择文件：陈述申辩证明材料')
      .setInputFiles(pdfNamed('refund-records.pdf', `Refund records ${notice.run}`));
    await expect
      .poll(() => page.locator('.evidence-attach').textContent(), { timeout: 20_000 })
      .toContain('已附 1 个已核验文件');
    // Past the deadline the server refuses (409), and the page says so.
    const deadline = now.getTime() + 10 * 86_400_000;
    const clock = async (at: number) =>
      expect(
        (await api().post('/dev/clock', { now: new Date(at).toISOString(), mode: 'offset' })).status,
      ).toBeLessThan(300);
    await clock(deadline + 60_000);
    await page.getByRole('button', { name: '提交陈述申辩' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('RESPONSE_DEADLINE_PASSED');
    expect(await page.locator('main').textContent()).toContain('陈述申辩期限已过，系统不再接受陈述');
    // Back before the deadline: accepted.
    await clock(now.getTime() + 60_000);
    await page.getByRole('button', { name: '提交陈述申辩' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain('已陈述申辩');
    expect(await page.locator('#revocation-response').textContent()).toContain('已于当日更正');

    const rev = await api().get<{ status: string; response?: { statement: string; evidence: unknown[] } }>(
      `/v1/revocations/${opened.body.id}`,
      owner,
    );
    expect(rev.body.status).toBe('responded');
    expect(rev.body.response?.statement).toContain('已于当日更正');
    expect(rev.body.response?.evidence).toHaveLength(1);

    // The platform page shows the open case with its link.
    await page.goto(`${env.rt.url}/console/#/apply/platforms/${platformId}`);
    await expect.poll(() => section(page, '资格撤销程序（第十三条）').textContent()).toContain('已陈述申辩');
    await context.close();
  }, 90_000);

  it('publishes a compute service and issues the voucher an enterprise claimed', async () => {
    const run = notice.run;
    const supplier = uscc();
    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'applicant', host);
    await page.goto(`${env.rt.url}/console/#/apply/platforms/${platformId}`);
    const catalogue = section(page, '服务目录（第六条第一项）');
    await catalogue.getByLabel('服务编号').fill('gpu-a800');
    await catalogue.getByLabel('类别').selectOption('compute');
    await catalogue.getByLabel('服务名称').fill(`A800 GPU 算力租赁 ${run}`);
    await catalogue.getByRole('textbox', { name: '提供方', exact: true }).fill('中山算力科技有限公司');
    await catalogue.getByLabel('提供方统一社会信用代码').fill(supplier);
    await catalogue.getByLabel('计价单位').fill('卡时');
    await catalogue.getByLabel('最低价格（元）').fill('8');
    await catalogue.getByLabel('最高价格（元）').fill('15');
    await catalogue.getByRole('button', { name: '发布服务' }).click();
    const table = catalogue.getByRole('table', { name: '服务目录（第六条第一项）' });
    await expect.poll(() => table.textContent()).toContain(`A800 GPU 算力租赁 ${run}`);
    expect(await table.textContent()).toContain('公开展示');
    const shown = await api().get<{ items: { serviceId: string; platformId: string }[] }>(
      `/v1/public/services?platformId=${platformId}`,
    );
    expect(shown.body.items).toContainEqual(expect.objectContaining({ serviceId: 'gpu-a800', platformId }));

    // The office's voucher programme with quota for this platform (over HTTP).
    const now = new Date((await api().get<{ now: string }>('/dev/clock')).body.now);
    const programme = await api().post<{ id: string }>(
      '/v1/voucher-programmes',
      {
        name: `算力券 ${run}`,
        budgetCny: 200_000,
        validFrom: new Date(now.getTime() - 60_000).toISOString(),
        validUntil: new Date(now.getTime() + 200 * 86_400_000).toISOString(),
        maxSubsidyRatio: 0.25,
        faceValue: { minCny: 5_000, maxCny: 100_000 },
        voucherValidityDays: 90,
      },
      { token: notice.tokens.officer },
    );
    expect(programme.status).toBe(201);
    const ended = await api().post<{ id: string }>(
      '/v1/voucher-programmes',
      {
        name: `已结束的算力券 ${run}`,
        budgetCny: 200_000,
        validFrom: new Date(now.getTime() - 100 * 86_400_000).toISOString(),
        validUntil: new Date(now.getTime() - 86_400_000).toISOString(),
      },
      { token: notice.tokens.officer },
    );
    expect(ended.status).toBe(201);
    const allocated = await api().post(
      `/v1/voucher-programmes/${programme.body.id}/allocations`,
      { platformId, quotaCny: 100_000 },
      { token: notice.tokens.officer },
    );
    expect(allocated.status).toBe(201);

    // An enterprise (registered over HTTP, a valid Zhongshan code) claims in its own portal.
    const enterprise = `enterprise-${run}`;
    const enterpriseToken = await api().token(enterprise, ['applicant']);
    const org = await api().post(
      '/v1/organisations',
      {
        name: `中山智造企业（${run}）`,
        uscc: uscc(),
        registeredCapitalCny: 5_000_000,
        address: '广东省中山市火炬开发区',
        legalRepresentative: '张一',
        contact: { name: '李一', phone: '0760-8888 0000', email: `e-${run}@example.com` },
      },
      { token: enterpriseToken },
    );
    expect(org.status).toBe(201);
    const buyer = await newPage(env.browser);
    await signIn(buyer.page, env.rt.url, 'applicant', enterprise);
    await buyer.page.getByRole('link', { name: '申领算力券、查看我的申领' }).click();
    await buyer.page.getByRole('heading', { name: '算力券', exact: true }).waitFor();
    await buyer.page.getByLabel('服务平台').selectOption(platformId);
    // The programme is picked from those open now (a closed one is not offered), its rules shown.
    const programmes = buyer.page.getByLabel('算力券项目', { exact: true });
    expect(await programmes.locator('option').allTextContents()).toContain(`算力券 ${run}`);
    expect(await programmes.locator('option').allTextContents()).not.toContain(`已结束的算力券 ${run}`);
    await programmes.selectOption({ label: `算力券 ${run}` });
    const rules = buyer.page.locator('#claim-programme-rules');
    await expect.poll(() => rules.textContent()).toContain(`所选项目的规则 · 算力券 ${run}`);
    expect(await rules.textContent()).toContain('合同金额的 25%');
    expect(await rules.textContent()).toContain('发放后 90 天');
    expect(await buyer.page.locator('#claim-requested-hint').textContent()).toMatch(/不少于 .*5,000/);
    await buyer.page.getByLabel('申领金额（元）').fill('30000');
    await buyer.page.getByLabel('算力用途').fill('质检模型训练');
    await buyer.page.getByRole('button', { name: '提交申领' }).click();
    const mine = buyer.page.getByRole('table', { name: '我的申领' });
    await expect.poll(() => mine.textContent()).toContain('质检模型训练');
    expect(await mine.textContent()).toContain('待处理');

    // The host issues 20,000 of the 30,000 requested.
    await page.reload();
    const claims = section(page, '算力券申领（第六条第三项）');
    const card = claims.locator('li.card').filter({ hasText: `中山智造企业（${run}）` });
    await card.getByLabel(/^发放面值（元）/).fill('20000');
    await card.getByRole('button', { name: /^发放算力券/ }).click();
    await expect.poll(() => claims.textContent(), { timeout: 20_000 }).toMatch(/已发放算力券 ZSV-/);
    const allClaims = claims.getByRole('table', { name: '全部申领' });
    await expect.poll(() => allClaims.textContent()).toContain('已发放');
    await screenshot(page, 'applicant-platform');

    const list = await api().get<{
      items: { status: string; voucher?: { code: string; faceValueCny: number } }[];
    }>('/v1/voucher-claims', enterpriseToken);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        status: 'issued',
        voucher: expect.objectContaining({ faceValueCny: 20_000, code: expect.stringMatching(/^ZSV-/) }),
      }),
    ]);
    const code = list.body.items[0]?.voucher?.code ?? '';
    // The enterprise sees its voucher too.
    await buyer.page.reload();
    await expect.poll(() => mine.textContent()).toContain(code);
    await buyer.context.close();

    // The host redeems it: the purchase from the catalogue's supplier, with the contract attached.
    const redeem = section(page, '算力券核销');
    await redeem.getByLabel('算力券编号').fill(code);
    await redeem.getByLabel('所购算力服务').selectOption('gpu-a800');
    expect(await redeem.textContent()).toContain(supplier);
    await redeem.getByLabel('合同编号').fill(`C-${run}`);
    await redeem.getByLabel('合同金额（元）').fill('100000');
    await redeem.getByLabel('申请补贴金额（元）').fill('20000');
    await redeem
      .getByLabel('选择文件：合同、发票和付款凭证')
      .setInputFiles(pdfNamed('contract.pdf', `Contract ${run}`));
    await expect.poll(() => redeem.textContent(), { timeout: 20_000 }).toContain('已附 1 个已核验文件');
    await redeem.getByRole('button', { name: '提交核销' }).click();
    await expect.poll(() => redeem.textContent(), { timeout: 20_000 }).toMatch(/核销已提交（.+），补贴/);
    const redemptions = await api().get<{
      items: { id: string; code: string; status: string; subsidyCny: number }[];
    }>(`/v1/voucher-programmes/${programme.body.id}/redemptions`, notice.tokens.officer);
    expect(redemptions.body.items).toEqual([
      expect.objectContaining({ code, status: 'pending_settlement', subsidyCny: 20_000 }),
    ]);
    // The host sees it listed, pending settlement, with the enterprise and the amounts.
    const filed = redeem.getByRole('table', { name: '本平台的核销记录' });
    const row = filed.getByRole('row').filter({ hasText: code });
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('待结算');
    expect(await row.textContent()).toContain(`中山智造企业（${run}）`);
    expect(await row.textContent()).toContain(`C-${run}`);
    // The office settles it (over HTTP: the staff console's part); the host's page shows it settled.
    const settled = await api().post(
      `/v1/redemptions/${redemptions.body.items[0]?.id}/settlement`,
      { decision: 'approve', opinion: '合同、发票、付款凭证齐全，同意拨付' },
      { token: notice.tokens.officer },
    );
    expect(settled.status).toBe(200);
    await page.reload();
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('已结算');
    expect(await row.textContent()).toContain('合同、发票、付款凭证齐全，同意拨付');
    const hostList = await api().get<{ items: { code: string; status: string }[] }>(
      `/v1/platforms/${platformId}/redemptions`,
      notice.tokens.owner,
    );
    expect(hostList.body.items).toEqual([expect.objectContaining({ code, status: 'settled' })]);
    await context.close();

    // The host's pages on a phone, in English: nothing scrolls sideways but the tables inside their
    // frames, and axe-core finds no WCAG 2.1 AA violation (with the catalogue, claims and a case filled).
    const phone = await newPage(env.browser, { phone: true, lang: 'en' });
    await signIn(phone.page, env.rt.url, 'applicant', host);
    const revocations = (
      await api().get<{ items: Note[] }>('/v1/notifications?limit=100', notice.tokens.owner)
    ).body.items
      .filter((n) => n.entityType === 'revocation')
      .map((n) => `revocations/${n.entityId}`);
    for (const route of [
      `platforms/${platformId}`,
      'notifications',
      'vouchers',
      ...revocations.slice(0, 1),
    ]) {
      await phone.page.goto(`${env.rt.url}/console/#/apply/${route}`);
      await phone.page.locator('h1').waitFor();
      await expect
        .poll(() =>
          phone.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
        )
        .toBeLessThanOrEqual(0);
      expect(await axeViolations(phone.page), route).toEqual([]);
    }
    await phone.context.close();
  }, 90_000);
  it('opens the report of the open cycle’s year by default and submits it with verified evidence', async () => {
    // The office opens the cycle of the previous year (reports on last year are due early this year),
    // so the year to show is the cycle's, not the calendar's.
    const now = new Date((await api().get<{ now: string }>('/dev/clock')).body.now);
    const year =
      Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(now)) - 1;
    const officer = notice.tokens.officer;
    const cycle = await api().post(
      '/v1/evaluation-cycles',
      {
        year,
        reportDeadline: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
        criteria: [{ key: 'services', title: '赋能服务成效', weight: 1, max: 100 }],
      },
      { token: officer },
    );
    expect(cycle.status).toBe(201);
    expect((await api().post(`/v1/evaluation-cycles/${year}/open`, {}, { token: officer })).status).toBe(200);

    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'applicant', host);
    await page.goto(`${env.rt.url}/console/#/apply/platforms/${platformId}`);
    const report = section(page, '年度自评报告（第十二条）');
    await expect.poll(() => page.getByLabel('年度', { exact: true }).inputValue()).toBe(String(year));
    await expect.poll(() => report.textContent()).toContain('待提交报告');
    await page.getByLabel('服务企业数').fill('32');
    await page.getByLabel('合作机构数').fill('11');
    await page.getByLabel('应用案例数').fill('4');
    await page.getByLabel('发放算力券数').fill('1');
    await page.getByLabel('结算算力券数').fill('0');
    await page.getByLabel('自评说明').fill('全年服务企业 32 家。');
    await page
      .getByLabel('选择文件：自评报告证明材料')
      .setInputFiles(pdfNamed('service-ledger.pdf', `Service ledger ${notice.run}`));
    const progress = page.getByRole('progressbar', { name: 'service-ledger.pdf 上传进度' });
    await expect.poll(() => progress.getAttribute('value'), { timeout: 20_000 }).toBe('100');
    await expect.poll(() => report.textContent(), { timeout: 20_000 }).toContain('已附 1 个已核验文件');
    await page.getByRole('button', { name: '提交自评报告' }).click();
    await expect.poll(() => report.textContent(), { timeout: 20_000 }).toContain('报告已提交 · 报告截止时间');
    expect(await report.textContent()).toContain('报告已引用的材料：1 个');

    const ev = await api().get<{
      status: string;
      report?: { enterprisesServed: number; evidenceIds: string[] };
    }>(`/v1/evaluation-cycles/${year}/platforms/${platformId}`, notice.tokens.owner);
    expect(ev.body.status).toBe('report_submitted');
    expect(ev.body.report?.enterprisesServed).toBe(32);
    expect(ev.body.report?.evidenceIds).toHaveLength(1);
    await context.close();
  }, 90_000);
});
