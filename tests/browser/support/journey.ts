import { randomInt } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { USCC_CHARSET } from '../../../functions/core/uscc.ts';
import { pdf, uscc } from '../../../scripts/demo.ts';
import { client } from '../../e2e/support/runtime.ts';
import { screenshot, signIn } from './browser.ts';

/**
 * The applicant's journey through the applicant portal, as a person does it in the browser (issue 7):
 * register the organisation (live USCC feedback), open the call, fill the application (eligibility
 * feedback as you type), upload a real PDF through the file input (presigned POST with progress),
 * submit. Exported so the staff and public browser tests can continue from a submitted application.
 */
export interface OpenCall {
  readonly callId: string;
  readonly title: string;
  readonly officerToken: string;
}

export interface ApplicantJourney {
  readonly applicationId: string;
  readonly applicantSub: string;
  readonly callId: string;
  readonly orgName: string;
}

/** The evidence kind the call asks for (a business licence scan). */
export const LICENCE = { kind: 'business_licence', title: '营业执照（扫描件）' } as const;

/** Creates and publishes an open call over HTTP as an officer (the test's set-up, not the journey). */
export async function createOpenCall(url: string, run = runId()): Promise<OpenCall> {
  const api = client(url);
  const officerToken = await api.token(`officer-${run}`, ['officer']);
  const now = Date.now();
  const title = `人工智能赋能平台认定 ${run}`;
  const created = await api.post<{ id: string }>(
    '/v1/calls',
    {
      title,
      description: '2026 年度中山市人工智能赋能平台认定申报指南。',
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 30 * 86_400_000).toISOString(),
      requiredEvidence: [{ ...LICENCE, required: true }],
      scoringCriteria: [
        { key: 'resources', title: '算力与数据资源 / Resources', weight: 40, max: 100 },
        { key: 'services', title: '服务能力 / Services', weight: 40, max: 100 },
        { key: 'operations', title: '运营机制 / Operations', weight: 20, max: 100 },
      ],
      noticePeriod: { length: 5, unit: 'working_days' },
    },
    { token: officerToken },
  );
  if (created.status !== 201)
    throw new Error(`POST /v1/calls → ${created.status}: ${JSON.stringify(created.body)}`);
  const published = await api.post<{ status: string }>(
    `/v1/calls/${created.body.id}/publish`,
    {},
    { token: officerToken },
  );
  if (published.status !== 200 || published.body.status !== 'open') {
    throw new Error(`publish → ${published.status}: ${JSON.stringify(published.body)}`);
  }
  return { callId: created.body.id, title, officerToken };
}

export const runId = (): string => `${Date.now().toString(36)}${randomInt(36 ** 3).toString(36)}`;

/** A code whose check character is wrong (the live feedback names the right one). */
export function withWrongCheckChar(code: string): string {
  const right = code.charAt(17);
  const wrong = USCC_CHARSET.charAt((USCC_CHARSET.indexOf(right) + 1) % USCC_CHARSET.length);
  return code.slice(0, 17) + wrong;
}

/** A real, small PDF file on disk, for the file input. */
export function pdfFile(title: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zs-browser-'));
  const file = path.join(dir, 'business-licence.pdf');
  writeFileSync(file, pdf(title));
  return file;
}

/**
 * Runs the journey in `page` (desktop, zh-CN) and returns the submitted application. With
 * `screenshots`, takes `applicant-application.png` of the submitted application.
 */
export async function applicantJourney(
  page: Page,
  url: string,
  call: OpenCall,
  opts: { run?: string; screenshots?: boolean; onEligibilityChecked?: () => void } = {},
): Promise<ApplicantJourney> {
  const run = opts.run ?? runId();
  const applicantSub = `applicant-${run}`;
  const orgName = `中山智算科技有限公司 ${run}`;
  const code = uscc();

  // Sign in and register the organisation.
  await signIn(page, url, 'applicant', applicantSub);
  await page.getByRole('link', { name: '登记单位' }).click();
  await page.getByRole('heading', { name: '登记申报单位' }).waitFor();
  await page.getByLabel('单位名称').fill(orgName);
  const usccInput = page.getByLabel('统一社会信用代码');
  const feedback = page.locator('#uscc-feedback');
  await usccInput.fill(code.slice(0, 10));
  await expect.poll(() => feedback.textContent()).toContain('已输入 10 位');
  await usccInput.fill(withWrongCheckChar(code));
  await expect.poll(() => feedback.textContent()).toContain(`应为 ${code.charAt(17)}`);
  expect(await usccInput.getAttribute('aria-invalid')).toBe('true');
  await usccInput.fill(code);
  await expect.poll(() => feedback.textContent()).toContain('代码格式与校验位正确');
  expect(await usccInput.getAttribute('aria-invalid')).toBeNull();
  await page.getByLabel('注册资本（元）').fill('50000000');
  await page.getByLabel('注册地址').fill('广东省中山市火炬开发区会展东路 1 号');
  await page.getByLabel('法定代表人').fill('张三');
  await page.getByLabel('联系人').fill('李四');
  await page.getByLabel('联系电话').fill('0760-88880000');
  await page.getByLabel('电子邮箱').fill('li@example.com');
  await page.getByRole('button', { name: '登记', exact: true }).click();

  // The dashboard shows the organisation; choose the open call.
  await page.getByRole('heading', { name: '我的申报', exact: true }).waitFor();
  await expect.poll(() => page.locator('main').textContent()).toContain(orgName);
  await page.getByRole('link', { name: '选择申报指南并创建申报' }).click();
  await page.getByRole('link', { name: new RegExp(`填写申报书.*${call.title}`) }).click();
  await page.getByRole('heading', { name: '新建申报书' }).waitFor();

  // Eligibility feedback as you type: the capital across CNY 50,000,000.
  const live = page.locator('#eligibility-live');
  const capital = page.getByLabel('注册资本（元）');
  await capital.fill('49999999');
  await expect.poll(() => live.textContent()).toContain('注册资本须不少于人民币 5000 万元');
  await capital.fill('50000000');
  await expect.poll(() => live.textContent()).not.toContain('注册资本须不少于人民币 5000 万元');
  await page.getByLabel('每年承诺服务企业数').fill('40');
  await page.getByLabel('平台能力（每行一项）').fill('算力调度\n行业大模型微调\n数据标注');
  await page.getByLabel('申报概要').fill('面向中山市制造业企业提供算力、模型与数据服务。');
  const partners = page.getByRole('group', { name: /合作服务机构/ });
  for (let n = 1; n <= 10; n += 1) {
    await partners.getByRole('button', { name: /^添加/ }).click();
    await partners.getByLabel(`名称 第 ${n} 项`).fill(`合作机构 ${n} ${run}`);
    if (n === 1) await partners.getByLabel(`类型 第 ${n} 项`).selectOption('university');
  }
  await expect.poll(() => live.textContent()).toContain('符合可自动检查的申报条件');
  opts.onEligibilityChecked?.();
  await page.getByRole('button', { name: '保存草稿' }).click();

  // The saved draft: the server's eligibility, then the evidence.
  await page.waitForFunction("location.hash.startsWith('#/apply/applications/')");
  const applicationId = decodeURIComponent(page.url().split('#/apply/applications/')[1] ?? '');
  expect(applicationId).not.toBe('');
  await expect
    .poll(() => page.locator('#eligibility-server').textContent())
    .toContain('符合可自动检查的申报条件');
  await page.getByLabel(`选择文件：${LICENCE.title}`).setInputFiles(pdfFile(`Business licence ${run}`));
  const progress = page.getByRole('progressbar', { name: `${LICENCE.title} 上传进度` });
  await expect.poll(() => progress.getAttribute('value'), { timeout: 20_000 }).toBe('100');
  const row = page.locator(`li[data-kind="${LICENCE.kind}"]`);
  await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain('已上传：business-licence.pdf');
  await expect
    .poll(() => row.locator('.evidence-latest').textContent(), { timeout: 20_000 })
    .toContain('已核验');

  // Submit.
  await page.getByRole('button', { name: '提交申报' }).click();
  await expect.poll(() => page.locator('h1').textContent(), { timeout: 20_000 }).toContain('已提交');
  await expect.poll(() => page.locator('.timeline').textContent()).toContain('提交申报');
  if (opts.screenshots) await screenshot(page, 'applicant-application');
  return { applicationId, applicantSub, callId: call.callId, orgName };
}
