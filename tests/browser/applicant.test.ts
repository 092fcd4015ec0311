import { describe, expect, it } from 'vitest';
import { uscc } from '../../scripts/demo.ts';
import { client } from '../e2e/support/runtime.ts';
import { newPage, screenshot, signIn, useConsoleRuntime } from './support/browser.ts';
import {
  type ApplicantJourney,
  applicantJourney,
  createOpenCall,
  runId,
  withWrongCheckChar,
} from './support/journey.ts';
import { openNotice } from './support/recognition.ts';

/**
 * The applicant portal in a real browser: an applicant registers (live USCC feedback), applies with
 * eligibility feedback as they type, uploads a real PDF straight to storage with a progress bar, and
 * submits; the application is then read on a phone-sized screen in English. The organisation is found
 * again on a fresh browser (the server knows it, not the device), with its manual verification and the
 * officer's opinion; a supplement is answered; the application is withdrawn after a confirmation.
 */
const env = useConsoleRuntime();
let journey: ApplicantJourney;

describe('the applicant portal', () => {
  it('takes an applicant from registration to a submitted application with verified evidence', async () => {
    const call = await createOpenCall(env.rt.url);
    const { page, context } = await newPage(env.browser);
    journey = await applicantJourney(page, env.rt.url, call, { screenshots: true });

    // The API agrees: submitted, eligible, the evidence verified against the uploaded file.
    const api = client(env.rt.url);
    const token = await api.token(journey.applicantSub, ['applicant']);
    const app = await api.get<{ status: string; submittedAt?: string; eligibility: { eligible: boolean } }>(
      `/v1/applications/${journey.applicationId}`,
      token,
    );
    // Submitted; the review workflow may already have opened the preliminary review.
    expect(['submitted', 'preliminary_review']).toContain(app.body.status);
    expect(app.body.submittedAt).toBeTruthy();
    expect(app.body.eligibility.eligible).toBe(true);
    const evidence = await api.get<{ items: { kind: string; status: string; fileName: string }[] }>(
      `/v1/applications/${journey.applicationId}/evidence`,
      token,
    );
    expect(evidence.body.items).toEqual([
      expect.objectContaining({
        kind: 'business_licence',
        status: 'verified',
        fileName: 'business-licence.pdf',
      }),
    ]);
    await context.close();
  }, 120_000);

  it('shows the application on a phone-sized screen, in English, without horizontal scrolling', async () => {
    const { page, context } = await newPage(env.browser, { phone: true, lang: 'en' });
    await signIn(page, env.rt.url, 'applicant', journey.applicantSub);
    await expect.poll(() => page.locator('main').textContent()).toContain(journey.orgName);
    await page.getByRole('link', { name: 'Open' }).first().click();
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/Submitted|Preliminary review/);
    await expect
      .poll(() => page.locator('#eligibility-server').textContent())
      .toContain('Meets the machine-checkable eligibility rules.');
    const overflow = Number(
      await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'applicant-phone');
    await context.close();
  });

  it('finds the organisation on a fresh browser, with its manual verification and the officer’s opinion', async () => {
    const run = runId();
    const sub = `applicant-org-${run}`;
    const orgName = `中山核验测试科技有限公司 ${run}`;
    // Registers with a wrong check character: accepted, but waiting for manual verification.
    const first = await newPage(env.browser);
    await signIn(first.page, env.rt.url, 'applicant', sub);
    await first.page.getByRole('link', { name: '登记单位' }).click();
    await first.page.getByLabel('单位名称').fill(orgName);
    await first.page.getByLabel('统一社会信用代码').fill(withWrongCheckChar(uscc()));
    await first.page.getByLabel('注册资本（元）').fill('60000000');
    await first.page.getByLabel('注册地址').fill('广东省中山市石岐区康华路 8 号');
    await first.page.getByLabel('法定代表人').fill('王五');
    await first.page.getByLabel('联系人').fill('赵六');
    await first.page.getByLabel('联系电话').fill('0760-88881111');
    await first.page.getByLabel('电子邮箱').fill('zhao@example.com');
    await first.page.getByRole('button', { name: '登记', exact: true }).click();
    await first.page.getByRole('heading', { name: '我的申报', exact: true }).waitFor();
    await expect.poll(() => first.page.locator('#my-organisation').textContent()).toContain(orgName);
    await first.context.close();

    // Another browser (nothing stored on the device): the portal asks the server.
    const second = await newPage(env.browser);
    await signIn(second.page, env.rt.url, 'applicant', sub);
    const facts = second.page.locator('#my-organisation');
    await expect.poll(() => facts.textContent()).toContain(orgName);
    expect(await facts.textContent()).toContain('待产业办人工核验');
    expect(await second.page.evaluate('JSON.stringify(Object.keys(localStorage))')).not.toContain('org');
    // The registration page shows the organisation instead of a second form.
    await second.page.goto(`${env.rt.url}/console/#/apply/organisation`);
    await expect.poll(() => second.page.locator('main').textContent()).toContain(orgName);
    expect(await second.page.getByLabel('单位名称').count()).toBe(0);

    // An officer rejects the code with an opinion (over HTTP: the staff console's part).
    const api = client(env.rt.url);
    const officer = await api.token(`officer-org-${run}`, ['officer']);
    const mine = await api.get<{ id: string }>('/v1/organisations/mine', await api.token(sub, ['applicant']));
    expect(mine.status).toBe(200);
    const opinion = '校验位与营业执照不符，请核对后重新登记。';
    await expect
      .poll(
        async () =>
          (
            await api.post(
              `/v1/organisations/${mine.body.id}/verification`,
              { decision: 'rejected', opinion },
              { token: officer },
            )
          ).status,
        { timeout: 20_000 },
      )
      .toBe(200);
    await second.page.goto(`${env.rt.url}/console/#/apply`);
    await expect.poll(() => facts.textContent()).toContain('人工核验未通过');
    expect(await facts.textContent()).toContain(opinion);
    await second.context.close();
  }, 120_000);

  it('shows a supplement request with its deadline and resubmits the changed application', async () => {
    // An officer returns the application for a supplement (over HTTP: the staff console's part).
    const api = client(env.rt.url);
    const officer = await api.token(`officer-supplement-${journey.applicantSub}`, ['officer']);
    await expect
      .poll(
        async () =>
          (
            await api.get<{ items: { kind: string; entityId: string }[] }>('/v1/tasks?limit=100', officer)
          ).body.items.some((x) => x.entityId === journey.applicationId && x.kind === 'preliminary_review'),
        { timeout: 20_000 },
      )
      .toBe(true);
    const deadline = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const returned = await api.post(
      `/v1/applications/${journey.applicationId}/preliminary-review`,
      { decision: 'return', opinion: '请补充合作机构的合作协议。', supplementDeadline: deadline },
      { token: officer },
    );
    expect(returned.status).toBe(200);

    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'applicant', journey.applicantSub);
    await page.goto(`${env.rt.url}/console/#/apply/applications/${journey.applicationId}`);
    const supplement = page.getByRole('region', { name: '补正要求' });
    await expect.poll(() => supplement.textContent()).toContain('请在截止时间');
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('退回补正，补正截止');
    await page.getByLabel('申报概要').fill('面向中山市制造业企业提供算力、模型与数据服务；已补充合作协议。');
    await page.getByRole('button', { name: '补正后重新提交' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).not.toContain('退回补正');
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('补正后重新提交');
    const token = await api.token(journey.applicantSub, ['applicant']);
    const app = await api.get<{ status: string; resubmittedAt?: string; summary: string }>(
      `/v1/applications/${journey.applicationId}`,
      token,
    );
    expect(['submitted', 'preliminary_review']).toContain(app.body.status);
    expect(app.body.resubmittedAt).toBeTruthy();
    expect(app.body.summary).toContain('已补充合作协议');
    await context.close();
  }, 120_000);

  it('withdraws the application after a confirmation that names the consequence', async () => {
    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'applicant', journey.applicantSub);
    await page.goto(`${env.rt.url}/console/#/apply/applications/${journey.applicationId}`);
    await page.getByRole('heading', { name: '撤回申报', exact: true }).waitFor();
    // Changing one's mind keeps it.
    await page.getByRole('button', { name: '撤回申报…' }).click();
    const dialog = page.getByRole('alertdialog', { name: '确认撤回申报？' });
    await expect.poll(() => dialog.textContent()).toContain('不能再修改、补正或重新提交');
    await dialog.getByRole('button', { name: '不撤回' }).click();
    expect(await dialog.count()).toBe(0);
    expect(await page.locator('h1').textContent()).not.toContain('已撤回');
    // Confirmed, with a reason.
    await page.getByRole('button', { name: '撤回申报…' }).click();
    await dialog.getByLabel('撤回原因（可选）').fill('公司战略调整，暂不申报。');
    await dialog.getByRole('button', { name: '确认撤回' }).click();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain('已撤回');
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('撤回');
    expect(await page.getByRole('button', { name: '撤回申报…' }).count()).toBe(0);

    const api = client(env.rt.url);
    const token = await api.token(journey.applicantSub, ['applicant']);
    const app = await api.get<{ status: string; withdrawnAt?: string }>(
      `/v1/applications/${journey.applicationId}`,
      token,
    );
    expect(app.body.status).toBe('withdrawn');
    expect(app.body.withdrawnAt).toBeTruthy();
    // The server refuses a second withdrawal; the portal no longer offers one.
    const again = await api.post<{ code?: string }>(
      `/v1/applications/${journey.applicationId}/withdraw`,
      {},
      { token },
    );
    expect(again.status).toBe(409);
    await context.close();
  }, 60_000);

  it('lets the host of a recognised platform request a change and submit the self-evaluation report', async () => {
    // Set-up over HTTP: a recognised platform (the recognition demo) and an open evaluation cycle.
    const notice = await openNotice(env.rt.url);
    const platformId = await notice.publish();
    const api = client(env.rt.url);
    const now = new Date((await api.get<{ now: string }>('/dev/clock')).body.now);
    const year = Number(
      new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(now),
    );
    const cycle = await api.post(
      '/v1/evaluation-cycles',
      {
        year,
        reportDeadline: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
        criteria: [{ key: 'services', title: '赋能服务成效', weight: 1, max: 100 }],
      },
      { token: notice.tokens.officer },
    );
    expect(cycle.status).toBe(201);
    expect(
      (await api.post(`/v1/evaluation-cycles/${year}/open`, {}, { token: notice.tokens.officer })).status,
    ).toBe(200);

    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'applicant', `applicant-${notice.run}`);
    await page.getByRole('link', { name: '平台运营（变更申请、年度自评）' }).click();
    await page.getByRole('heading', { name: /我的平台/ }).waitFor();

    // Art. 10: a change of the service content, listed as pending.
    await page.getByLabel('变更事项').selectOption('service_content');
    await page.getByLabel('变更内容及理由').fill('新增行业数据标注服务。');
    await page.getByLabel('变更后的内容（每行一项）').fill('算力调度\n数据标注');
    await page.getByRole('button', { name: '提交变更申请' }).click();
    const changes = page.locator('.change-requests');
    await expect.poll(() => changes.textContent()).toContain('新增行业数据标注服务。');
    expect(await changes.textContent()).toContain('待处理');

    // Art. 12: the self-evaluation report of the year, submitted.
    await page.getByLabel('年度', { exact: true }).fill(String(year));
    await page.getByRole('button', { name: '查看该年度' }).click();
    await page.getByLabel('服务企业数').fill('36');
    await page.getByLabel('合作机构数').fill('12');
    await page.getByLabel('应用案例数').fill('5');
    await page.getByLabel('发放算力券数').fill('0');
    await page.getByLabel('结算算力券数').fill('0');
    await page.getByLabel('自评说明').fill('全年服务企业 36 家，完成承诺。');
    await page.getByRole('button', { name: '提交自评报告' }).click();
    const report = page
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: '年度自评报告（第十二条）' }) });
    await expect.poll(() => report.textContent(), { timeout: 20_000 }).toContain('报告已提交 · 报告截止时间');
    const ev = await api.get<{ status: string; report?: { enterprisesServed: number } }>(
      `/v1/evaluation-cycles/${year}/platforms/${platformId}`,
      notice.tokens.owner,
    );
    expect(ev.body.status).toBe('report_submitted');
    expect(ev.body.report?.enterprisesServed).toBe(36);
    await context.close();
  }, 120_000);
});
