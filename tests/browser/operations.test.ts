import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { uscc } from '../../scripts/demo.ts';
import { client, eventually } from '../e2e/support/runtime.ts';
import { newPage, ok, screenshot, signIn, useConsoleRuntime } from './support/browser.ts';
import { type OpenNotice, openNotice } from './support/recognition.ts';

/**
 * The staff console's operations pages in a real browser (issue 7), each reached from the inbox the way
 * an officer or approver works: an objection filed on the public notice is dismissed by the officer; the
 * host's change request (named by the host, not an id) is approved and changes the registry record; the
 * officer opens a revocation case from the platform page, the host responds over the API and the
 * approver revokes, after which the public registry no longer lists the platform; and an organisation
 * registered outside Zhongshan is verified by hand. Each step is asserted on screen and in the API.
 */
const env = useConsoleRuntime();
let api: ReturnType<typeof client>;
let notice: OpenNotice;
let platformId = '';
let hostName = '';

/** The inbox row whose task link has this name (the row also names the subject and the due date). */
const inboxRow = (page: Page, kind: string) =>
  page
    .getByRole('table', { name: '待办事项' })
    .getByRole('row')
    .filter({
      has: page.getByRole('link', { name: kind, exact: true }),
    });

async function signedIn(role: string, sub: string): Promise<Page> {
  const { page } = await newPage(env.browser);
  await signIn(page, env.rt.url, role, sub);
  return page;
}

beforeAll(async () => {
  api = client(env.rt.url);
  notice = await openNotice(env.rt.url);
  hostName = notice.orgName;
}, 180_000);

describe('the staff operations pages', () => {
  let officer: Page;

  it('lets the officer resolve an objection from the inbox on the notice page', async () => {
    const filed = await ok(
      api.post<{ id: string }>(`/v1/public/notices/${notice.noticeId}/objections`, {
        applicationId: notice.applicationId,
        objectorName: '中山市某科技有限公司',
        objectorType: 'organisation',
        contact: 'objector@example.com',
        reason: '该单位申报的合作机构数量与实际不符，请核实。',
      }),
      'objection',
    );
    officer = await signedIn('officer', `officer-${notice.run}`);
    const row = inboxRow(officer, '公示异议处理');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain(hostName);
    await row.getByRole('link', { name: '公示异议处理' }).click();

    const card = officer.getByRole('article', { name: `对“${hostName}”的异议` });
    await expect.poll(() => card.count()).toBe(1);
    await expect.poll(() => card.textContent()).toContain('合作机构数量与实际不符');
    expect(await card.textContent()).toContain('objector@example.com');
    await card.getByLabel('异议不成立').check();
    await card.getByLabel('处理意见').fill('经核实，合作机构协议齐备，异议不成立。');
    await card.getByRole('button', { name: '提交处理结论' }).click();
    await expect.poll(() => officer.getByRole('status').first().textContent()).toContain('已认定异议不成立');
    await expect.poll(() => card.textContent()).toContain('经核实，合作机构协议齐备');

    const stored = await ok(
      api.get<{ items: { id: string; status: string; response?: string }[] }>(
        `/v1/notices/${notice.noticeId}/objections`,
        notice.tokens.officer,
      ),
      'objections',
    );
    expect(stored.items.find((o) => o.id === filed.id)).toMatchObject({
      status: 'dismissed',
      response: '经核实，合作机构协议齐备，异议不成立。',
    });
  });

  it('shows the host’s change request by name in the inbox and approves it on the platform page', async () => {
    platformId = await notice.publish();
    await ok(
      api.post(
        `/v1/platforms/${platformId}/change-requests`,
        {
          kind: 'service_content',
          proposed: { services: ['算力调度', '模型供给', '工业数据标注'] },
          description: '新增工业数据标注服务，面向制造业企业。',
        },
        { token: notice.tokens.owner, headers: { 'idempotency-key': `cr-${notice.run}` } },
      ),
      'change request',
    );
    await officer.goto(`${env.rt.url}/console/#/staff`);
    await officer.reload();
    const row = inboxRow(officer, '变更申请审核');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain(hostName);
    expect(await row.textContent()).toContain('服务内容');
    await row.getByRole('link', { name: '变更申请审核' }).click();

    await expect.poll(() => officer.getByRole('heading', { name: hostName, level: 1 }).count()).toBe(1);
    const request = officer.getByRole('article', { name: /变更服务内容/ });
    await expect.poll(() => request.textContent()).toContain('工业数据标注');
    await request.getByLabel('批准变更').check();
    await request.getByLabel('审核意见').fill('材料齐全，同意变更服务内容。');
    await request.getByRole('button', { name: '提交审核决定' }).click();
    await expect.poll(() => officer.getByRole('status').first().textContent()).toContain('变更申请已批准');
    // The record and its history now show the new service content.
    const history = officer.getByRole('table', { name: '变更历史' });
    await expect.poll(() => history.textContent()).toContain('工业数据标注');
    await expect.poll(() => request.textContent()).toContain('已批准');
    await screenshot(officer, 'staff-platform');

    const requests = await ok(
      api.get<{ items: { status: string; opinion?: string }[] }>(
        `/v1/platforms/${platformId}/change-requests`,
        notice.tokens.officer,
      ),
      'change requests',
    );
    expect(requests.items[0]).toMatchObject({ status: 'approved', opinion: '材料齐全，同意变更服务内容。' });
    const platform = await ok(
      api.get<{ capabilities: string[] }>(`/v1/platforms/${platformId}`, notice.tokens.officer),
      'platform',
    );
    expect(platform.capabilities).toEqual(['算力调度', '模型供给', '工业数据标注']);
  });

  it('opens a revocation case on the platform page; the approver revokes it from the inbox', async () => {
    const now = new Date((await ok(api.get<{ now: string }>('/dev/clock'), 'clock')).now);
    const deadline = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
      new Date(now.getTime() + 10 * 86_400_000),
    );
    await officer.getByRole('button', { name: '发起撤销程序' }).click();
    await officer.getByLabel('撤销事由').selectOption('serious_violation');
    await officer.getByLabel('事实与理由').fill('经查，该平台虚报服务企业数量，情节严重。');
    await officer.getByLabel('陈述申辩截止日期').fill(deadline);
    await officer.getByRole('button', { name: '立案并告知依托单位' }).click();
    await officer.waitForFunction("location.hash.startsWith('#/staff/revocations/')");
    const caseId = decodeURIComponent(officer.url().split('#/staff/revocations/')[1] ?? '');
    await expect.poll(() => officer.getByRole('heading', { name: `撤销案件：${hostName}` }).count()).toBe(1);
    await expect.poll(() => officer.locator('main').textContent()).toContain('待陈述申辩');
    // An officer sees the case but not the approver's decision form.
    expect(await officer.getByRole('button', { name: '作出决定' }).count()).toBe(0);

    await ok(
      api.post(
        `/v1/revocations/${caseId}/response`,
        { statement: '服务企业数量统计口径有误，已提交更正说明。' },
        { token: notice.tokens.owner },
      ),
      'response',
    );
    const approver = await signedIn('approver', `approver-${notice.run}`);
    const row = inboxRow(approver, '撤销认定决定');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain(hostName);
    expect(await row.textContent()).toContain('可作出决定');
    await row.getByRole('link', { name: '撤销认定决定' }).click();
    await expect.poll(() => approver.locator('main').textContent()).toContain('服务企业数量统计口径有误');
    await approver.getByLabel('撤销认定', { exact: true }).check();
    await approver.getByLabel('决定理由').fill('陈述申辩理由不成立，虚报情节严重，依第十三条撤销认定。');
    await approver.getByRole('button', { name: '作出决定' }).click();
    await expect
      .poll(() => approver.getByRole('status').first().textContent())
      .toContain('已作出撤销认定决定');
    await expect.poll(() => approver.locator('main').textContent()).toContain('决定撤销认定');
    await screenshot(approver, 'staff-revocation');

    const stored = await ok(
      api.get<{ status: string; decision?: { decision: string; opinion: string } }>(
        `/v1/revocations/${caseId}`,
        notice.tokens.approver,
      ),
      'revocation',
    );
    expect(stored).toMatchObject({
      status: 'revoked',
      decision: { decision: 'revoke', opinion: '陈述申辩理由不成立，虚报情节严重，依第十三条撤销认定。' },
    });
    const platform = await ok(
      api.get<{ status: string }>(`/v1/platforms/${platformId}`, notice.tokens.officer),
      'platform',
    );
    expect(platform.status).toBe('revoked');
    const registry = await ok(
      api.get<{ items: { id: string }[] }>('/v1/public/platforms?limit=100'),
      'registry',
    );
    expect(registry.items.map((p) => p.id)).not.toContain(platformId);
    await approver.context().close();
  });

  it('lets the officer verify an organisation registered outside Zhongshan from the inbox', async () => {
    const applicant = await api.token(`applicant-uscc-${notice.run}`, ['applicant']);
    const name = `广州协作智能科技有限公司（${notice.run}）`;
    const org = await ok(
      api.post<{ id: string; verification: { status: string } }>(
        '/v1/organisations',
        {
          name,
          uscc: uscc('440100'),
          registeredCapitalCny: 60_000_000,
          address: '广东省广州市天河区珠江新城 1 号',
          legalRepresentative: '周五',
          contact: { name: '吴六', phone: '020-88880000', email: `wu-${notice.run}@example.com` },
        },
        { token: applicant, headers: { 'idempotency-key': `org-${notice.run}` } },
      ),
      'organisation',
    );
    expect(org.verification.status).toBe('pending');
    await eventually(async () => {
      const tasks = await api.get<{ items: { kind: string; entityId: string }[] }>(
        '/v1/tasks?limit=100',
        notice.tokens.officer,
      );
      return tasks.body.items.find((x) => x.kind === 'uscc_verification' && x.entityId === org.id);
    }, 'the verification task');

    await officer.goto(`${env.rt.url}/console/#/staff`);
    await officer.reload();
    const row = inboxRow(officer, '信用代码人工核验');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain(name);
    // Filtering by kind leaves only that kind's rows.
    await officer.getByLabel('按事项筛选').selectOption({ label: '信用代码人工核验 (1)' });
    const bodyRows = officer.getByRole('table', { name: '待办事项' }).locator('tbody tr');
    await expect.poll(() => bodyRows.count()).toBe(1);
    await row.getByRole('link', { name: '信用代码人工核验' }).click();
    await expect.poll(() => officer.getByRole('heading', { name, level: 1 }).count()).toBe(1);
    await expect.poll(() => officer.locator('main').textContent()).toContain('不属中山市');
    await officer.getByLabel('核验通过（单位信息真实有效）').check();
    await officer.getByLabel('审核意见').fill('已核对营业执照原件，单位真实有效。');
    await officer.getByRole('button', { name: '提交核验结论' }).click();
    await expect.poll(() => officer.getByRole('status').first().textContent()).toContain('已核验通过');
    await expect.poll(() => officer.getByRole('button', { name: '提交核验结论' }).count()).toBe(0);

    const stored = await ok(
      api.get<{ verification: { status: string; opinion?: string } }>(
        `/v1/organisations/${org.id}`,
        notice.tokens.officer,
      ),
      'organisation',
    );
    expect(stored.verification).toMatchObject({
      status: 'verified',
      opinion: '已核对营业执照原件，单位真实有效。',
    });
    const tasks = await ok(
      api.get<{ items: { entityId: string }[] }>('/v1/tasks?limit=100', notice.tokens.officer),
      'tasks',
    );
    expect(tasks.items.some((x) => x.entityId === org.id)).toBe(false);
  });

  it('fits the revoked platform’s record on a phone without sideways scrolling', async () => {
    const { page, context } = await newPage(env.browser, { phone: true });
    await signIn(page, env.rt.url, 'officer', `officer-${notice.run}`);
    await page.goto(`${env.rt.url}/console/#/staff/platforms/${encodeURIComponent(platformId)}`);
    await expect.poll(() => page.getByRole('heading', { name: hostName, level: 1 }).count()).toBe(1);
    await expect.poll(() => page.locator('main').textContent()).toContain('已撤销');
    // A revoked platform offers no new case.
    expect(await page.getByRole('button', { name: '发起撤销程序' }).count()).toBe(0);
    expect(
      await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      ),
    ).toBeLessThanOrEqual(0);
    await context.close();
  });
});
