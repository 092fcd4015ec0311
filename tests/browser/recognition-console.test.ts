import { beforeAll, describe, expect, it } from 'vitest';
import { client } from '../e2e/support/runtime.ts';
import { newPage, signIn, useConsoleRuntime } from './support/browser.ts';
import { type AwaitingInspection, awaitingInspection } from './support/recognition.ts';

/**
 * The end of recognition in the staff console (Art. 8(3)–(4)): the officer records the site inspection
 * on the application page, ranks the closed call and proposes the list; the approver finds the list in
 * the inbox, approves it on the call page, and the public notice opens — visible in the public portal
 * with its period. When the notice ends the deadline job publishes the platform in the registry.
 */
const env = useConsoleRuntime();
let s: AwaitingInspection;

beforeAll(async () => {
  s = await awaitingInspection(env.rt.url);
}, 180_000);

describe('recognition in the staff console', () => {
  it('inspection → ranking → proposed list → approval → public notice → registry', async () => {
    const api = client(env.rt.url);
    const status = async () =>
      (await api.get<{ status: string }>(`/v1/applications/${s.applicationId}`, s.tokens.officer)).body
        .status;

    // The officer records the site inspection from the application page.
    const officer = await newPage(env.browser, { lang: 'en' });
    await signIn(officer.page, env.rt.url, 'officer', `officer-${s.run}`);
    await officer.page.goto(`${env.rt.url}/console/#/staff/applications/${s.applicationId}`);
    const inspection = officer.page.getByRole('region', { name: 'Site inspection' });
    await inspection.getByLabel('Findings').fill('算力中心与申报一致，运营团队到位。');
    await inspection.getByRole('button', { name: 'Record the inspection' }).click();
    await expect.poll(() => officer.page.getByRole('status').textContent()).toContain('Inspection recorded');
    await expect.poll(status).toBe('awaiting_ranking');

    // The call closes; the officer ranks it and proposes the list on the call page.
    await api.post('/dev/clock', { now: new Date(s.closesAt.getTime() + 60_000).toISOString() });
    await api.post('/dev/jobs/deadlines/run', {});
    await officer.page.goto(`${env.rt.url}/console/#/staff/calls/${s.callId}`);
    const ranking = officer.page.getByRole('region', { name: 'Ranking and proposed list' });
    await ranking.getByRole('checkbox', { name: `Put on the proposed list: ${s.orgName}` }).check();
    await ranking.getByRole('button', { name: 'Propose the list' }).click();
    await expect.poll(() => ranking.textContent()).toContain('Proposed list');
    await officer.context.close();

    // The approver finds it in the inbox and approves it on the call page.
    const approver = await newPage(env.browser, { lang: 'en' });
    await signIn(approver.page, env.rt.url, 'approver', `approver-${s.run}`);
    await approver.page.goto(`${env.rt.url}/console/#/staff`);
    const row = approver.page.getByRole('link', { name: 'Proposed list to approve' });
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
    await row.click();
    await approver.page.waitForURL(new RegExp(`#/staff/calls/${s.callId}$`));
    const list = approver.page.getByRole('region', { name: 'Ranking and proposed list' });
    await list.getByLabel('Opinion').fill('同意公示。');
    await list.getByRole('button', { name: 'Approve and open the notice' }).click();
    const noticeLink = list.getByRole('link', { name: /^Notice / });
    await expect.poll(() => noticeLink.count(), { timeout: 20_000 }).toBe(1);
    const noticeId = ((await noticeLink.textContent()) ?? '').replace(/^Notice /, '').trim();
    expect(noticeId).not.toBe('');
    // The approver's inbox no longer holds the list.
    await approver.page.goto(`${env.rt.url}/console/#/staff`);
    await approver.page.locator('h1').waitFor();
    await expect
      .poll(() => approver.page.getByRole('link', { name: 'Proposed list to approve' }).count())
      .toBe(0);
    await approver.context.close();

    // The public sees the notice with the organisation and its period.
    const notice = (await api.get<{ endsAt: string; status: string }>(`/v1/public/notices/${noticeId}`)).body;
    expect(notice.status).toBe('open');
    const visitor = await newPage(env.browser, { lang: 'en' });
    await visitor.page.goto(`${env.rt.url}/console/#/public/notices/${noticeId}`);
    await expect.poll(() => visitor.page.locator('main').textContent()).toContain(s.orgName);

    // The notice ends without objections: the deadline job publishes the platform.
    await api.post('/dev/clock', { now: new Date(Date.parse(notice.endsAt) + 60_000).toISOString() });
    await api.post('/dev/jobs/deadlines/run', {});
    await expect.poll(status, { timeout: 20_000 }).toBe('recognised');
    await visitor.page.goto(`${env.rt.url}/console/#/public/platforms`);
    await expect.poll(() => visitor.page.locator('main').textContent()).toContain(s.orgName);
    await visitor.context.close();
  });
});
