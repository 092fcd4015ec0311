import { describe, expect, it } from 'vitest';
import { client, eventually } from '../e2e/support/runtime.ts';
import { newPage, signIn, useConsoleRuntime } from './support/browser.ts';
import { applicantJourney, createOpenCall } from './support/journey.ts';

/**
 * A review that failed for good, restarted from the staff console (Art. 8(2)): nobody took the
 * preliminary review within its 30-day workflow timeout, so the workflow fails and the application
 * waits in `error`; an officer sees why on the application page and restarts the review, which opens a
 * new preliminary review.
 */
const env = useConsoleRuntime();

describe('a failed review', () => {
  it('is explained on the application page and restarted by an officer', async () => {
    const api = client(env.rt.url);
    const call = await createOpenCall(env.rt.url);
    const applicant = await newPage(env.browser);
    const { applicationId } = await applicantJourney(applicant.page, env.rt.url, call);
    await applicant.context.close();
    const officer = await api.token('officer-retry', ['officer']);
    const status = async () =>
      (await api.get<{ status: string }>(`/v1/applications/${applicationId}`, officer)).body.status;
    const prelim = async () =>
      (
        await api.get<{ items: { id: string; kind: string; entityId: string }[] }>(
          '/v1/tasks?limit=100',
          officer,
        )
      ).body.items.filter((x) => x.kind === 'preliminary_review' && x.entityId === applicationId);
    const [first] = await eventually(async () => {
      const open = await prelim();
      return open.length ? open : undefined;
    }, 'the preliminary review');
    if (!first) throw new Error('no preliminary review');

    // 31 days pass with nobody taking the preliminary review: the workflow's 30-day wait times out.
    const now = Date.parse((await api.get<{ now: string }>('/dev/clock')).body.now);
    await api.post('/dev/clock', { now: new Date(now + 31 * 86_400_000).toISOString() });
    await eventually(async () => (await status()) === 'error', 'the review to fail', 30_000);

    const { page, context } = await newPage(env.browser, { lang: 'en' });
    await signIn(page, env.rt.url, 'officer', 'officer-retry');
    await page.goto(`${env.rt.url}/console/#/staff/applications/${applicationId}`);
    const section = page.getByRole('region', { name: 'The review failed' });
    await expect.poll(() => section.textContent()).toContain('OpenPreliminaryReview');
    await section.getByRole('button', { name: 'Restart the review from the preliminary review' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('The review was restarted');
    // A new preliminary review (a new workflow execution) waits in the officers' inbox.
    const second = await eventually(
      async () => (await prelim()).find((x) => x.id !== first.id),
      'the new preliminary review',
    );
    expect(second.id).not.toBe(first.id);
    // The timed-out one is no longer waiting.
    expect((await prelim()).map((x) => x.id)).toEqual([second.id]);
    await expect.poll(status).toBe('preliminary_review');
    await expect.poll(() => page.locator('main').textContent()).not.toContain('The review failed');
    await context.close();
  });
});
