import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type RunningRuntime, removeDataDir, startRuntime } from '../e2e/support/runtime.ts';
import { launchBrowser, newPage, screenshot, signIn } from './support/browser.ts';
import { type ApplicantJourney, applicantJourney, createOpenCall } from './support/journey.ts';
import { openNotice } from './support/recognition.ts';

/**
 * The applicant portal in a real browser: an applicant registers (live USCC feedback), applies with
 * eligibility feedback as they type, uploads a real PDF straight to storage with a progress bar, and
 * submits; the application is then read on a phone-sized screen in English.
 */
let rt: RunningRuntime;
let browser: Browser;
let journey: ApplicantJourney;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
});

describe('the applicant portal', () => {
  it('takes an applicant from registration to a submitted application with verified evidence', async () => {
    const call = await createOpenCall(rt.url);
    const { page, context } = await newPage(browser);
    journey = await applicantJourney(page, rt.url, call, { screenshots: true });

    // The API agrees: submitted, eligible, the evidence verified against the uploaded file.
    const api = client(rt.url);
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
    const { page, context } = await newPage(browser, { phone: true, lang: 'en' });
    await signIn(page, rt.url, 'applicant', journey.applicantSub);
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

  it('shows a supplement request with its deadline and resubmits the changed application', async () => {
    // An officer returns the application for a supplement (over HTTP: the staff console's part).
    const api = client(rt.url);
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

    const { page, context } = await newPage(browser);
    await signIn(page, rt.url, 'applicant', journey.applicantSub);
    await page.goto(`${rt.url}/console/#/apply/applications/${journey.applicationId}`);
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

  it('lets the host of a recognised platform request a change and submit the self-evaluation report', async () => {
    // Set-up over HTTP: a recognised platform (the recognition demo) and an open evaluation cycle.
    const notice = await openNotice(rt.url);
    const platformId = await notice.publish();
    const api = client(rt.url);
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

    const { page, context } = await newPage(browser);
    await signIn(page, rt.url, 'applicant', `applicant-${notice.run}`);
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
    await page.getByLabel('年度').fill(String(year));
    await page.getByRole('button', { name: '查看该年度' }).click();
    await page.getByLabel('服务企业数').fill('36');
    await page.getByLabel('合作机构数').fill('12');
    await page.getByLabel('应用案例数').fill('5');
    await page.getByLabel('发放算力券数').fill('0');
    await page.getByLabel('结算算力券数').fill('0');
    await page.getByLabel('自评说明').fill('全年服务企业 36 家，完成承诺。');
    await page.getByRole('button', { name: '提交自评报告' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('报告已提交');
    const ev = await api.get<{ status: string; report?: { enterprisesServed: number } }>(
      `/v1/evaluation-cycles/${year}/platforms/${platformId}`,
      notice.tokens.owner,
    );
    expect(ev.body.status).toBe('report_submitted');
    expect(ev.body.report?.enterprisesServed).toBe(36);
    await context.close();
  }, 120_000);
});
