import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { uscc } from '../../scripts/demo.ts';
import { client } from '../e2e/support/runtime.ts';
import { newPage, screenshot, signIn, useConsoleRuntime } from './support/browser.ts';
import { withWrongCheckChar } from './support/journey.ts';

/**
 * The staff console's administration pages in a real browser (issue 7): an admin registers an expert of
 * the comprehensive review (Art. 8(3)) with live feedback on the employer's credit code, and an officer
 * sees the pool while an approver or observer cannot open it; an admin moves the policy end date
 * (Art. 14; a date in the past is refused on the field), two admins editing at once cannot overwrite
 * each other unseen, and an admin overrides next year's working-day calendar of public notices
 * (Art. 8(4)) that an officer then reads. After each step the API shows what the console stored.
 */
const env = useConsoleRuntime();
let api: ReturnType<typeof client>;
const ADMIN = 'admin-admin-ui';
const ADMIN2 = 'admin2-admin-ui';
const OFFICER = 'officer-admin-ui';
const tk: Record<string, string> = {};
/** Today in Asia/Shanghai on the runtime's business clock (what the server compares dates with). */
let today = '';
/** Next year on the business clock: the built-in holiday data does not cover it yet. */
let nextYear = 0;

interface Settings {
  policyEndDate: string;
  version: number;
  updatedBy?: string;
}

beforeAll(async () => {
  api = client(env.rt.url);
  tk.admin = await api.token(ADMIN, ['admin']);
  tk.officer = await api.token(OFFICER, ['officer']);
  tk.approver = await api.token('approver-admin-ui', ['approver']);
  const now = new Date((await api.get<{ now: string }>('/dev/clock')).body.now);
  today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  nextYear = Number(today.slice(0, 4)) + 1;
}, 60_000);

async function signedIn(role: string, sub: string, path: string): Promise<Page> {
  const { page } = await newPage(env.browser);
  await signIn(page, env.rt.url, role, sub);
  await page.goto(`${env.rt.url}/console/#${path}`);
  return page;
}

/** What a screen reader announces with the field: the texts its `aria-describedby` points to. */
async function description(page: Page, field: Locator): Promise<string> {
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`#${id}`).textContent()));
  return texts.join(' ');
}

/** The value shown next to a term of the page's first fact list. */
const fact = (page: Page, term: string) =>
  page.locator('dl.staff-facts').first().locator(`dt:text-is("${term}") + dd`).textContent();

describe('the expert pool', () => {
  it('an admin registers an expert (the employer code checked as typed); officers see the pool, approvers and observers cannot open it', async () => {
    const page = await signedIn('admin', ADMIN, '/staff/experts');
    await expect.poll(() => page.getByText('专家库为空').count()).toBe(1);
    await page.getByLabel('姓名').fill('黄志明');
    await page.getByLabel('登录账号').fill('expert-huang');
    const employer = page.getByLabel('所在单位统一社会信用代码');
    const code = uscc();
    // Too short: the count of characters; a wrong check character: flagged on the field as typed.
    await employer.fill(code.slice(0, 10));
    await expect.poll(() => description(page, employer)).toContain('已输入 10 位，应为 18 位');
    expect(await employer.getAttribute('aria-invalid')).toBeNull();
    await employer.fill(withWrongCheckChar(code));
    await expect.poll(() => description(page, employer)).toContain('代码格式或校验位不正确');
    expect(await employer.getAttribute('aria-invalid')).toBe('true');
    // Lower case is accepted (the code is upper-cased), and the check character then agrees.
    await employer.fill(code.toLowerCase());
    await expect.poll(() => description(page, employer)).toContain('校验位正确');
    expect(await employer.getAttribute('aria-invalid')).toBeNull();
    await page.getByLabel('专业领域（用逗号、顿号或换行分隔）').fill('大模型、计算机视觉\n工业互联网');
    await page.getByRole('button', { name: '登记', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('已登记专家 黄志明');
    const pool = page.getByRole('table', { name: '专家库' });
    const row = pool.getByRole('row').filter({ hasText: 'expert-huang' });
    await expect.poll(() => row.textContent()).toContain('黄志明');
    expect(await row.textContent()).toContain(code);
    expect(await row.textContent()).toContain('大模型、计算机视觉、工业互联网');
    // The form is empty again for the next expert.
    expect(await page.getByLabel('姓名').inputValue()).toBe('');
    await screenshot(page, 'staff-experts');

    const stored = await api.get<{ items: Record<string, unknown>[] }>('/v1/experts?limit=100', tk.admin);
    expect(stored.status).toBe(200);
    expect(stored.body.items).toHaveLength(1);
    expect(stored.body.items[0]).toMatchObject({
      userId: 'expert-huang',
      name: '黄志明',
      employerUscc: code,
      fields: ['大模型', '计算机视觉', '工业互联网'],
    });
    await page.context().close();

    // An officer sees the same pool (and may register experts too).
    const officer = await signedIn('officer', OFFICER, '/staff/experts');
    const officerPool = officer.getByRole('table', { name: '专家库' });
    await expect.poll(() => officerPool.textContent()).toContain('黄志明');
    expect(await officer.getByRole('button', { name: '登记', exact: true }).count()).toBe(1);
    await officer.context().close();

    // Approvers and observers: the console says their role cannot open the page; the API agrees.
    for (const role of ['approver', 'observer']) {
      const other = await signedIn(role, `${role}-admin-ui`, '/staff/experts');
      await expect.poll(() => other.getByText('当前角色无权访问此页面').count()).toBe(1);
      expect(await other.getByRole('heading', { level: 1 }).textContent()).toBe('评审专家');
      expect(await other.getByText('黄志明').count()).toBe(0);
      expect(await other.getByLabel('姓名').count()).toBe(0);
      expect(await other.getByRole('navigation', { name: 'main' }).getByText('评审专家').count()).toBe(0);
      await other.context().close();
    }
    expect((await api.get('/v1/experts', tk.approver)).status).toBe(403);
  }, 30_000);
});

describe('settings', () => {
  it('an admin moves the policy end date; a date in the past is refused on the field', async () => {
    const page = await signedIn('admin', ADMIN, '/staff/settings');
    await expect.poll(() => fact(page, '版本')).toBe('默认值（未修改）');
    const before = (await api.get<Settings>('/v1/settings', tk.admin)).body;
    expect(await fact(page, '政策截止日期')).toBe(before.policyEndDate);
    const field = page.getByLabel('政策截止日期');
    expect(await field.inputValue()).toBe(before.policyEndDate);

    // Yesterday would end every recognition retroactively: the server's reason is on the field.
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await field.fill(yesterday);
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await expect
      .poll(() => page.locator('#policy-end-error').textContent())
      .toBe(`from ${today} to 2099-12-31`);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect((await api.get<Settings>('/v1/settings', tk.admin)).body).toEqual(before);

    await field.fill('2028-06-30');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => fact(page, '政策截止日期')).toBe('2028-06-30');
    expect(await page.getByRole('status').filter({ hasText: '已保存' }).count()).toBe(1);
    expect(await fact(page, '版本')).toBe('1');
    expect(await fact(page, '最近修改')).toContain(ADMIN);
    expect(await page.locator('#policy-end-error').count()).toBe(0);
    const saved = await api.get<Settings>('/v1/settings', tk.officer);
    expect(saved.body).toMatchObject({ policyEndDate: '2028-06-30', version: 1, updatedBy: ADMIN });
    await page.context().close();
  }, 20_000);

  it('two admins edit at once: the second is refused and told to reload; the first change stays', async () => {
    const [first, second] = await Promise.all([
      signedIn('admin', ADMIN, '/staff/settings'),
      signedIn('admin', ADMIN2, '/staff/settings'),
    ]);
    for (const page of [first, second]) await expect.poll(() => fact(page, '版本')).toBe('1');

    await first.getByLabel('政策截止日期').fill('2029-03-31');
    await first.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => fact(first, '版本')).toBe('2');

    // The second admin still has version 1 on screen and saves another date.
    await second.getByLabel('政策截止日期').fill('2030-12-31');
    await second.getByRole('button', { name: '保存', exact: true }).click();
    const problem = second.getByRole('region', { name: '政策有效期（第十四条）' }).locator('.problem');
    await expect.poll(() => problem.textContent()).toContain('STALE_VERSION');
    expect(await problem.textContent()).toContain('其他管理员在您读取之后修改了此设置');
    expect(await fact(second, '政策截止日期')).toBe('2028-06-30');
    await screenshot(second, 'staff-settings-stale');
    const kept = await api.get<Settings>('/v1/settings', tk.admin);
    expect(kept.body).toMatchObject({ policyEndDate: '2029-03-31', version: 2, updatedBy: ADMIN });

    // Reloading shows the first admin's change; the second can then decide again.
    await problem.getByRole('button', { name: '重新读取最新内容' }).click();
    await expect.poll(() => fact(second, '政策截止日期')).toBe('2029-03-31');
    await expect.poll(() => second.getByLabel('政策截止日期').inputValue()).toBe('2029-03-31');
    expect(await fact(second, '版本')).toBe('2');
    expect(await problem.count()).toBe(0);
    await second.getByLabel('政策截止日期').fill('2030-12-31');
    await second.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => fact(second, '版本')).toBe('3');
    const after = await api.get<Settings>('/v1/settings', tk.admin);
    expect(after.body).toMatchObject({ policyEndDate: '2030-12-31', version: 3, updatedBy: ADMIN2 });
    await first.context().close();
    await second.context().close();
  }, 20_000);

  it('an admin overrides next year’s working-day calendar; an officer reads it without a save button', async () => {
    const page = await signedIn('admin', ADMIN, '/staff/settings');
    await page.getByLabel('日历年度').fill(String(nextYear));
    const saveButton = page.getByRole('button', { name: `保存 ${nextYear} 年日历` });
    await expect.poll(() => saveButton.count()).toBe(1);
    // No built-in data for next year yet: counted Monday to Friday, with a warning.
    const calendar = page.getByRole('region', { name: '工作日日历（公示期计算）' });
    await expect.poll(() => calendar.locator('dl').textContent()).toContain('无数据，仅按周一至周五计算');
    expect(
      await calendar
        .getByRole('alert')
        .filter({ hasText: String(nextYear) })
        .count(),
    ).toBeGreaterThan(0);
    expect(await page.getByLabel('以上为该年完整安排（不再使用内置数据）').isChecked()).toBe(true);

    // New Year's Day and the Spring Festival (one date mistyped), a Saturday as the make-up workday.
    const holidays = page.getByLabel('法定节假日（每行一个日期 YYYY-MM-DD）');
    const workdays = page.getByLabel('调休上班日（每行一个日期 YYYY-MM-DD）');
    const y = nextYear;
    await holidays.fill(`${y}-01-01\n${y}-02-08\n${y}-02-09\n${y}-02-30`);
    await workdays.fill(`${y}-02-20`);
    await saveButton.click();
    // The date typed is named with the server's reason, on the field.
    await expect.poll(() => description(page, holidays)).toBe(`${y}-02-30: Invalid ISO date`);
    expect(await holidays.getAttribute('aria-invalid')).toBe('true');
    expect(await workdays.getAttribute('aria-invalid')).toBeNull();
    expect((await api.get<{ source: string }>(`/v1/calendar/${y}`, tk.admin)).body.source).toBe(
      'weekends-only',
    );

    await holidays.fill(`${y}-01-01\n${y}-02-08\n${y}-02-09\n${y}-02-10`);
    await saveButton.click();
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: `已保存 ${y} 年日历` })
          .count(),
      )
      .toBe(1);
    expect(await holidays.getAttribute('aria-invalid')).toBeNull();
    await expect.poll(() => calendar.locator('dl').textContent()).toContain('管理员设定');
    const shownHolidays = page.getByRole('list', { name: '法定节假日' });
    expect(await shownHolidays.getByRole('listitem').allTextContents()).toEqual([
      `${y}-01-01`,
      `${y}-02-08`,
      `${y}-02-09`,
      `${y}-02-10`,
    ]);
    expect(await page.getByRole('list', { name: '调休上班日' }).textContent()).toBe(`${y}-02-20`);
    await screenshot(page, 'staff-settings');
    const stored = await api.get<{
      source: string;
      holidays: string[];
      workdays: string[];
      override?: { complete?: boolean; updatedBy?: string; version?: number };
    }>(`/v1/calendar/${y}`, tk.officer);
    expect(stored.body).toMatchObject({
      source: 'override',
      holidays: [`${y}-01-01`, `${y}-02-08`, `${y}-02-09`, `${y}-02-10`],
      workdays: [`${y}-02-20`],
      override: { complete: true, updatedBy: ADMIN, version: 1 },
    });
    await page.context().close();

    // The officer reads the same year, with no form to change it (the API refuses them too).
    const officer = await signedIn('officer', OFFICER, '/staff/settings');
    await expect.poll(() => officer.getByText('仅系统管理员可修改，您可以查看。').count()).toBe(1);
    await officer.getByLabel('日历年度').fill(String(y));
    await expect
      .poll(() => officer.getByRole('list', { name: '调休上班日' }).textContent())
      .toBe(`${y}-02-20`);
    expect(await officer.getByRole('list', { name: '法定节假日' }).getByRole('listitem').count()).toBe(4);
    expect(await officer.getByRole('button', { name: `保存 ${y} 年日历` }).count()).toBe(0);
    expect(await officer.getByRole('button', { name: '保存', exact: true }).count()).toBe(0);
    expect(await officer.getByLabel('法定节假日（每行一个日期 YYYY-MM-DD）').count()).toBe(0);
    expect(await officer.getByLabel('政策截止日期').count()).toBe(0);
    expect(await fact(officer, '政策截止日期')).toBe('2030-12-31');
    const refused = await api.call('PUT', `/v1/calendar/${y}`, {
      token: tk.officer,
      body: { holidays: [], workdays: [] },
    });
    expect(refused.status).toBe(403);
    await officer.context().close();
  }, 30_000);
});
