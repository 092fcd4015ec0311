import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { client } from '../e2e/support/runtime.ts';
import { newPage, screenshot, useConsoleRuntime } from './support/browser.ts';
import { type OpenNotice, openNotice } from './support/recognition.ts';

/**
 * The public portal in a real browser, with no sign-in: a visitor on a phone opens a public notice
 * during its period and objects (a bad contact first: the server's field problem is shown next to the
 * input; then a valid one: the confirmation carries the objection id, which the office sees); after the
 * notice the platform appears in the registry, and its catalogue in the showcase with filters.
 */
const env = useConsoleRuntime();
let notice: OpenNotice;

beforeAll(async () => {
  notice = await openNotice(env.rt.url);
}, 120_000);

/** No horizontal scrolling of the page itself (tables scroll inside `.table-wrap`). */
const fitsWidth = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

describe('the public portal', () => {
  it('lets a visitor on a phone object to a listed platform during the notice period', async () => {
    const { page, context } = await newPage(env.browser, { phone: true });
    await page.goto(`${env.rt.url}/console/#/public/calls/${notice.callId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(notice.run);
    await expect.poll(() => page.locator('main').textContent()).toContain('营业执照');

    await page.goto(`${env.rt.url}/console/#/public/notices`);
    await page.getByRole('link', { name: new RegExp(notice.run) }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(notice.run);
    const main = page.locator('main');
    await expect.poll(() => main.textContent()).toContain(notice.orgName);
    await expect.poll(() => main.textContent()).toContain('公示中');
    expect(await main.textContent()).toContain('北京时间');

    await page.getByLabel('异议人姓名或单位名称').fill('王五');
    await page.getByRole('radio', { name: '单位' }).check();
    await page.getByLabel('联系电话或电子邮箱').fill('12');
    await page.getByLabel('异议理由').fill('对其合作机构数量存在疑问，请核实合作协议的真实性。');
    await page.getByRole('button', { name: '提交异议' }).click();
    const contact = page.getByLabel('联系电话或电子邮箱');
    await expect.poll(() => contact.getAttribute('aria-invalid')).toBe('true');
    const contactError = page.locator('#objector-contact-error');
    expect((await contactError.textContent())?.length).toBeGreaterThan(0);
    expect(await page.locator('#objector-name').getAttribute('aria-invalid')).toBeNull();

    await contact.fill('wangwu@example.com');
    await page.getByRole('button', { name: '提交异议' }).click();
    const confirmation = page.getByRole('status');
    await expect.poll(() => confirmation.textContent()).toMatch(/受理编号：o[0-9a-f]+/);
    const id = /受理编号：(o[0-9a-f]+)/.exec((await confirmation.textContent()) ?? '')?.[1];
    await expect.poll(() => main.textContent()).toContain('已收到异议 1 件');
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'public-notice');

    // The office sees the objection with the objector's confidential details.
    const staff = await client(env.rt.url).get<{
      items: { id: string; objectorName: string; objectorType: string }[];
    }>(`/v1/notices/${notice.noticeId}/objections`, notice.tokens.officer);
    expect(staff.body.items).toEqual([
      expect.objectContaining({ id, objectorName: '王五', objectorType: 'organisation' }),
    ]);
    await context.close();
  });

  it('shows the recognised platform in the registry and its catalogue in the showcase', async () => {
    const platformId = await notice.publish();
    const api = client(env.rt.url);
    const seed = async (kind: 'services' | 'cases', itemId: string, body: Record<string, unknown>) => {
      const r = await api.call('PUT', `/v1/platforms/${platformId}/${kind}/${itemId}`, {
        token: notice.tokens.owner,
        body,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    };
    await seed('services', 'gpu-hours', {
      category: 'compute',
      name: `A100 算力租赁（${notice.run}）`,
      provider: '中山智算中心',
      unit: '卡时',
      priceRangeCny: { min: 8, max: 15 },
      available: true,
    });
    await seed('services', 'llm-api', {
      category: 'model',
      name: `行业大模型调用（${notice.run}）`,
      provider: '中山模型工场',
      unit: '百万 tokens',
      priceRangeCny: { min: 20, max: 60 },
      available: true,
    });
    await seed('cases', 'lamp-qc', {
      title: `灯饰质检视觉模型（${notice.run}）`,
      sector: '智能制造',
      customerType: 'enterprise',
      outcome: '缺陷检出率提升至 99%，质检人工减少一半。',
    });

    const { page, context } = await newPage(env.browser);
    await page.goto(`${env.rt.url}/console/#/public/platforms`);
    await page.getByRole('link', { name: notice.orgName }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(notice.orgName);
    await expect.poll(() => page.locator('main').textContent()).toContain(`A100 算力租赁（${notice.run}）`);
    expect(await page.locator('main').textContent()).toContain(`灯饰质检视觉模型（${notice.run}）`);

    await page.goto(`${env.rt.url}/console/#/public/showcase`);
    const results = page.locator('main ul.cards > li');
    await expect.poll(() => page.locator('main').textContent()).toContain(`行业大模型调用（${notice.run}）`);
    await page.getByLabel('服务类别').selectOption('model');
    await expect.poll(() => results.allTextContents()).toEqual([expect.stringContaining('行业大模型调用')]);
    await page.getByRole('button', { name: '清除筛选' }).click();
    await page.getByLabel('关键词').fill('a100');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await expect.poll(() => results.allTextContents()).toEqual([expect.stringContaining('A100 算力租赁')]);
    await page.getByRole('button', { name: '案例' }).click();
    await page.getByLabel('行业').fill('智能制造');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await expect.poll(() => results.allTextContents()).toEqual([expect.stringContaining('灯饰质检视觉模型')]);

    await page.getByRole('button', { name: '服务', exact: true }).click();
    await expect.poll(() => results.count()).toBe(2);
    await screenshot(page, 'public-showcase');

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Showcase');
    expect(await page.locator('main').textContent()).toContain('Compute');

    // The same pages on a phone: cards in one column, no horizontal scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await fitsWidth(page)).toBe(true);
    await page.goto(`${env.rt.url}/console/#/public/platforms/${platformId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(notice.orgName);
    expect(await fitsWidth(page)).toBe(true);
    await context.close();
  });
});
