import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pdf, runDemo, uscc } from '../../scripts/demo.ts';
import { DemoClient } from '../../scripts/support/demo-client.ts';
import { newPage, screenshot, signIn, useConsoleRuntime } from './support/browser.ts';

/**
 * Observers and the data they are not shared (Art. 11), the header's unread count, and the public
 * profile's way to a compute voucher, in a real browser (issue 7). Set-up over HTTP: two platforms
 * recognised by the recognition demo; a voucher programme with quota for both and a voucher issued on
 * each; platform A's host records a `vouchers` consent, platform B's none. In the console: an observer
 * sees A's voucher figures and B named as not shared with its quota, an officer sees both; an observer
 * sees a published evaluation's status and grade with the report "not shared" until A's host consents
 * to `reports`, then the narrative; an officer's header counts their unread notifications and the count
 * drops as they are marked read; a visitor goes from A's public profile to the voucher claim page.
 */
const env = useConsoleRuntime();
let c: DemoClient;
const tk: Record<string, string> = {};
const A = { id: '', host: '', name: '' };
const B = { id: '', host: '', name: '' };
let programmeId = '';
let run = '';
const OFFICER = 'officer-obs-ui';
const OBSERVER = 'observer-obs-ui';

/** `YYYY-MM-DD` in Asia/Shanghai, `days` after the business clock's now. */
const shanghaiDay = (now: Date, days: number): string =>
  new Date(now.getTime() + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

const consent = async (platform: typeof A, scope: string[], days: number) =>
  c.post(
    `/v1/platforms/${platform.id}/sharing-consents`,
    { dataOwner: platform.name, scope, validUntil: shanghaiDay(await c.clockNow(), days) },
    tk[platform.host],
  );

beforeAll(async () => {
  c = new DemoClient(env.rt.url);
  run = Date.now().toString(36);
  // Two recognised platforms (each demo resets the business clock at its start and leaves it after its notice).
  for (const p of [A, B]) {
    const demo = await runDemo({ apiUrl: env.rt.url, log: () => undefined });
    p.id = `p-${demo.applicationId}`;
    p.host = demo.subs.owner;
    tk[p.host] = await c.token(p.host, ['applicant']);
  }
  // The clock stays after the second notice: both platforms are recognised (and enter an evaluation cycle).
  tk.officer = await c.token(OFFICER, ['officer']);
  tk.observer = await c.token(OBSERVER, ['observer']);
  for (const p of [A, B])
    p.name = (await c.get<{ hostName: string }>(`/v1/platforms/${p.id}`, tk.officer)).body.hostName;

  // A lists a compute service (so its public profile offers vouchers); B only a model service.
  await c.put(
    `/v1/platforms/${A.id}/services/gpu-a800`,
    {
      category: 'compute',
      name: `A800 GPU 算力租赁 ${run}`,
      provider: '中山算力科技有限公司',
      providerUscc: uscc(),
      unit: 'GPU card-hour',
      priceRangeCny: { min: 8, max: 15 },
      available: true,
    },
    tk[A.host],
  );
  await c.put(
    `/v1/platforms/${B.id}/services/industrial-llm`,
    {
      category: 'model',
      name: `工业大模型订阅 ${run}`,
      provider: '岐江智能有限公司',
      providerUscc: uscc(),
      unit: 'million tokens',
      priceRangeCny: { min: 20, max: 60 },
      available: true,
    },
    tk[B.host],
  );

  // A voucher programme: 300,000 to A, 150,000 to B; an enterprise's voucher issued on each.
  const t0 = await c.clockNow();
  const programme = await c.post<{ id: string }>(
    '/v1/voucher-programmes',
    {
      name: `算力券（观察员测试 ${run}）`,
      budgetCny: 500_000,
      validFrom: t0.toISOString(),
      validUntil: new Date(t0.getTime() + 365 * 86_400_000).toISOString(),
    },
    tk.officer,
  );
  programmeId = programme.body.id;
  for (const [p, quotaCny] of [
    [A, 300_000],
    [B, 150_000],
  ] as const) {
    await c.post(
      `/v1/voucher-programmes/${programmeId}/allocations`,
      { platformId: p.id, quotaCny },
      tk.officer,
    );
  }
  const enterprise = await c.token(`enterprise-obs-${run}`, ['applicant']);
  await c.post(
    '/v1/organisations',
    {
      name: `中山智造企业（观察员测试 ${run}）`,
      uscc: uscc(),
      registeredCapitalCny: 5_000_000,
      address: '广东省中山市火炬开发区',
      legalRepresentative: '张一',
      contact: { name: '李一', phone: '0760-8888 0000', email: `obs-${run}@example.com` },
    },
    enterprise,
  );
  for (const [p, cny] of [
    [A, 20_000],
    [B, 40_000],
  ] as const) {
    const claim = await c.post<{ id: string }>(
      `/v1/platforms/${p.id}/voucher-claims`,
      { programmeId, requestedCny: cny, purpose: '模型训练算力' },
      enterprise,
    );
    await c.post(
      `/v1/voucher-claims/${claim.body.id}/decision`,
      { decision: 'issue', faceValueCny: cny },
      tk[p.host],
    );
  }
  // Only A's data owner shares its voucher business with observers.
  await consent(A, ['vouchers'], 10);
}, 120_000);

/** A table by its accessible name. */
const table = (page: Page, name: string) => page.getByRole('table', { name, exact: true });

describe('an observer and the voucher programme report (Art. 11)', () => {
  it('shows the consenting platform’s figures, names the other as not shared with its quota; an officer sees both', async () => {
    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'observer', OBSERVER);
    await page.goto(`${env.rt.url}/console/#/staff/vouchers/${programmeId}`);

    // A's figures: its quota and the 20,000 issued.
    const byPlatform = table(page, '各平台额度');
    await expect.poll(() => byPlatform.textContent()).toContain(A.name);
    const rowA = byPlatform.getByRole('row').filter({ hasText: A.name });
    expect(await rowA.textContent()).toContain('300,000 元');
    expect(await rowA.textContent()).toContain('20,000 元');
    expect(await byPlatform.textContent()).not.toContain(B.name);

    // B: named as not shared, with the quota the office allocated, and why.
    const note = page.locator('#sharing-note');
    expect(await note.textContent()).toContain('下表显示已授权共享的 1 个平台的数据；另有 1 个平台未共享');
    expect(await page.locator('#withheld-platforms-count').textContent()).toContain(
      '1 个平台未共享：数据所有者未授予有效的“算力券”（vouchers）共享授权',
    );
    const withheld = table(page, '未共享算力券数据的平台');
    const rowB = withheld.getByRole('row').filter({ hasText: B.name });
    expect(await rowB.textContent()).toContain('150,000 元');
    expect(await rowB.textContent()).toContain('未共享：数据所有者未授予有效的算力券共享授权');
    expect(await withheld.textContent()).not.toContain(A.name);

    // The programme's own budget accounting stays whole (the office's data): 500,000 in total.
    expect((await page.locator('#ledger-identity').textContent())?.replace(/\s+/g, ' ')).toBe(
      '预算 500,000 元 = 未分配 50,000 元 + 可发放 390,000 元 + 已发放 60,000 元 + 已核销 0 元 + 已结算 0 元 + 已过期 0 元',
    );
    // The ledger names B's movements as not shared; the allocation to B stays listed.
    await expect.poll(() => page.locator('#ledger-withheld').textContent()).toContain(B.name);
    const ledger = table(page, '台账流水');
    expect(
      await ledger.getByRole('row').filter({ hasText: '分配' }).filter({ hasText: B.name }).count(),
    ).toBe(1);
    expect(
      await ledger.getByRole('row').filter({ hasText: '已发放' }).filter({ hasText: B.name }).count(),
    ).toBe(0);
    await screenshot(page, 'staff-vouchers-observer');

    // The API agrees: B is withheld with its quota, A's buckets are shown.
    const report = await c.get<{
      platforms: { platformId: string; buckets: { issuedCny: number } }[];
      withheld?: { platforms: { platformId: string; allocatedCny: number }[] };
    }>(`/v1/voucher-programmes/${programmeId}/report`, tk.observer);
    expect(report.body.platforms.map((p) => p.platformId)).toEqual([A.id]);
    expect(report.body.withheld?.platforms).toEqual([
      expect.objectContaining({ platformId: B.id, allocatedCny: 150_000 }),
    ]);
    await context.close();

    // An officer sees both platforms and no "not shared" part.
    const officer = await newPage(env.browser);
    await signIn(officer.page, env.rt.url, 'officer', OFFICER);
    await officer.page.goto(`${env.rt.url}/console/#/staff/vouchers/${programmeId}`);
    const all = table(officer.page, '各平台额度');
    await expect.poll(() => all.textContent()).toContain(B.name);
    expect(await all.getByRole('row').filter({ hasText: B.name }).textContent()).toContain('40,000 元');
    expect(await all.textContent()).toContain(A.name);
    expect(await officer.page.getByText('未共享').count()).toBe(0);
    expect(await officer.page.locator('#sharing-note').count()).toBe(0);
    await officer.context.close();
  }, 40_000);
});

describe('an observer and a platform’s evaluation (Art. 11)', () => {
  it('shows status and grade with the report “not shared” until the data owner consents, then the narrative', async () => {
    const now = await c.clockNow();
    const year = Number(shanghaiDay(now, 0).slice(0, 4));
    const deadline = new Date(now.getTime() + 20 * 86_400_000);
    await c.post(
      '/v1/evaluation-cycles',
      {
        year,
        reportDeadline: deadline.toISOString(),
        criteria: [
          { key: 'services', title: '赋能服务成效 / Enablement services', weight: 60, max: 100 },
          { key: 'resources', title: '资源集聚 / Resource aggregation', weight: 40, max: 100 },
        ],
      },
      tk.officer,
    );
    await c.post(`/v1/evaluation-cycles/${year}/open`, {}, tk.officer);
    const base = `/v1/evaluation-cycles/${year}/platforms/${A.id}`;
    const narrative = `${year} 年度自评价报告：服务制造业企业 88 家（观察员测试 ${run}）。`;
    const evidence = await c.uploadEvidence(`${base}/report/evidence`, tk[A.host] ?? '', {
      kind: 'annual_report',
      fileName: 'annual-report.pdf',
      bytes: pdf(`annual report ${run}`),
    });
    await c.put(
      `${base}/report`,
      {
        enterprisesServed: 88,
        partnerCount: 12,
        cases: 6,
        vouchersIssued: 1,
        vouchersSettled: 0,
        narrative,
        evidenceIds: [evidence.evidenceId],
      },
      tk[A.host],
    );
    await c.post(`${base}/report/submit`, {}, tk[A.host]);
    await c.post(`${base}/grade`, { scores: { services: 95, resources: 92 } }, tk.officer);
    await c.setClock(new Date(deadline.getTime() + 60_000));
    const approver = await c.token(`approver-obs-${run}`, ['approver']);
    await c.post(`/v1/evaluation-cycles/${year}/finalize`, {}, approver);

    const { page, context } = await newPage(env.browser);
    await signIn(page, env.rt.url, 'observer', OBSERVER);
    await page.goto(`${env.rt.url}/console/#/staff/evaluation/${year}/${A.id}`);
    const facts = page.locator('dl.staff-facts').first();
    await expect.poll(() => facts.textContent()).toContain('已公布');
    expect(await facts.textContent()).toContain('未共享');
    await expect.poll(() => page.getByRole('heading', { name: '评定结果' }).count()).toBe(1);
    expect(await page.locator('main').textContent()).toContain('优秀');
    expect(await page.locator('#report-withheld').textContent()).toContain(
      '自评价报告未共享：数据所有者未授予有效的“自评报告”（reports）共享授权',
    );
    expect(await page.locator('main').textContent()).not.toContain(narrative);
    expect(await page.getByText('平台尚未填写自评价报告').count()).toBe(0);
    await screenshot(page, 'staff-evaluation-observer');
    const withheld = await c.get<{ withheld?: string[]; report?: unknown; grade?: string }>(
      base,
      tk.observer,
    );
    expect(withheld.body.withheld).toContain('reports');
    expect(withheld.body.report).toBeUndefined();
    expect(withheld.body.grade).toBe('excellent');

    // The data owner consents to `reports`: the observer now reads the narrative; the files stay unshared.
    await consent(A, ['reports'], 30);
    await page.reload();
    await expect.poll(() => page.locator('main').textContent()).toContain(narrative);
    expect(await page.locator('#report-withheld').count()).toBe(0);
    expect(await table(page, '报告数据').textContent()).toContain('88');
    expect(await page.locator('#evidence-withheld').textContent()).toContain(
      '证明材料文件未共享：数据所有者未授予有效的“证明材料”（evidence）共享授权',
    );
    const shared = await c.get<{ withheld?: string[]; report?: { narrative: string } }>(base, tk.observer);
    expect(shared.body.report?.narrative).toBe(narrative);
    expect(shared.body.withheld).not.toContain('reports');
    await context.close();
  }, 40_000);
});

describe('the unread count in the header', () => {
  it('an officer sees how many notifications are unread; it drops as they are marked read', async () => {
    const unread = async () => {
      let cursor: string | undefined;
      let n = 0;
      do {
        const page = await c.get<{ items: { read: boolean }[]; nextCursor?: string }>(
          `/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          tk.officer,
        );
        n += page.body.items.filter((x) => !x.read).length;
        cursor = page.body.nextCursor;
      } while (cursor);
      return n;
    };
    const before = await unread();
    expect(before).toBeGreaterThan(1);

    const { page, context } = await newPage(env.browser, { phone: true });
    await signIn(page, env.rt.url, 'officer', OFFICER);
    const link = page.locator('header').getByRole('link', { name: /^(通知|Notifications) \(/ });
    await expect.poll(() => link.textContent()).toBe(`通知 (${before} 条未读)`);
    await link.click();
    await page.getByRole('heading', { name: '通知', exact: true }).waitFor();
    expect(await link.getAttribute('aria-current')).toBe('page');
    await expect.poll(() => page.locator('#unread-summary').textContent()).toBe(`未读通知 ${before} 条。`);
    // Each leads to the staff page of what it is about.
    expect(await page.locator('.notification-list li a').first().getAttribute('href')).toMatch(/^#\/staff\//);

    // One read: the header follows; then all of them.
    const first = page.locator('.notification-list li.unread').first();
    const firstId = await first.getAttribute('data-id');
    await first.getByRole('button', { name: /^标为已读/ }).click();
    await expect.poll(() => link.textContent()).toBe(`通知 (${before - 1} 条未读)`);
    expect(await page.locator(`.notification-list li[data-id="${firstId}"]`).textContent()).toContain('已读');
    expect(await unread()).toBe(before - 1);
    // No horizontal scroll of the page on a phone with the header's extra entry.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await screenshot(page, 'staff-notifications-phone');
    await page.getByRole('button', { name: '全部标为已读' }).click();
    await expect.poll(() => link.textContent()).toBe('通知 (0 条未读)');
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain(`已将 ${before - 1} 条通知标为已读`);
    expect(await unread()).toBe(0);

    // In English, in words too.
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => link.textContent()).toBe('Notifications (0 unread)');
    await context.close();
  }, 30_000);
});

describe('the public profile of a platform with compute services', () => {
  it('offers “申领算力券”, which leads through sign-in to the voucher claim for that platform', async () => {
    const { page, context } = await newPage(env.browser);
    await page.goto(`${env.rt.url}/console/#/public/platforms/${B.id}`);
    await page.getByRole('heading', { name: B.name }).waitFor();
    await expect.poll(() => page.locator('main').textContent()).toContain(`工业大模型订阅 ${run}`);
    expect(await page.getByRole('link', { name: '申领算力券' }).count()).toBe(0);

    await page.goto(`${env.rt.url}/console/#/public/platforms/${A.id}`);
    const claim = page.getByRole('link', { name: '申领算力券' });
    await expect.poll(() => claim.count()).toBe(1);
    expect(await claim.getAttribute('href')).toBe(`#/apply/vouchers/${A.id}`);
    await claim.click();
    // Not signed in: the page asks for it, and returns there afterwards.
    await page.locator('main').getByRole('link', { name: '登录' }).click();
    await page.locator('#role').selectOption('applicant');
    await page.locator('#sub').fill(`enterprise-obs-${run}`);
    await page.locator('form button[type=submit]').click();
    await page.waitForFunction(`location.hash === ${JSON.stringify(`#/apply/vouchers/${A.id}`)}`);
    // The claim form has the platform chosen.
    await expect.poll(() => page.locator('#claim-platform').inputValue()).toBe(A.id);
    await context.close();
  }, 20_000);
});
