import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperationsDemo } from '../../scripts/demo-operations.ts';
import { newPage, signIn, useConsoleRuntime } from './support/browser.ts';
import { type OpenNotice, openNotice } from './support/recognition.ts';

/**
 * Accessibility and small screens, across the three consoles (issue 7: "accessible (labels, keyboard,
 * contrast); works on a phone-sized screen"). Every page a role reaches from its menu, and the detail
 * pages of a seeded registry, is scanned with axe-core (WCAG 2.1 A and AA rules: labels, names, roles,
 * contrast, landmarks…) at desktop size in Chinese and at phone size (390 px) in English, where the
 * page must also not scroll sideways. The keyboard test walks the sign-in with keys only.
 */
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const env = useConsoleRuntime();
let notice: OpenNotice;
let platformId = '';
let ops: Awaited<ReturnType<typeof runOperationsDemo>>;

interface Found {
  readonly where: string;
  readonly rule: string;
  readonly impact: string;
  readonly nodes: string[];
}
const scanned: string[] = [];

/** Waits for the page's data (nothing `aria-busy`), runs axe, returns its violations. */
async function scan(page: Page, where: string): Promise<Found[]> {
  await page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`, undefined, {
    timeout: 20_000,
  });
  await page
    .locator('h1')
    .first()
    .waitFor({ timeout: 10_000 })
    .catch(() => {
      throw new Error(`${where}: no <h1> (every page names itself with one)`);
    });
  if (!(await page.evaluate<boolean>(`'axe' in window`))) await page.addScriptTag({ path: AXE_SOURCE });
  const options = { runOnly: { type: 'tag', values: TAGS }, resultTypes: ['violations'] };
  const result = await page.evaluate<{
    violations: { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[];
  }>(`axe.run(document, ${JSON.stringify(options)})`);
  scanned.push(where);
  return result.violations.map((v) => ({
    where,
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary.split('\n')[1] ?? ''}`),
  }));
}

/** The page body does not scroll sideways (wide tables scroll inside their own box). */
const overflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
/** The innermost elements reaching past the right edge (what makes a page scroll sideways). */
const widest = (page: Page) =>
  page.evaluate<string>(`[...document.querySelectorAll('main *')]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' "' + (e.textContent || '').slice(0, 40) + '"')
    .join('; ')`);
const focusedId = (page: Page) => page.evaluate<string | undefined>('document.activeElement?.id');

/** The menu entries the signed-in role sees, as hash paths. */
async function menu(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator('nav[aria-label=main] a')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.filter((h) => h.startsWith('#/')).map((h) => h.slice(1));
}

beforeAll(async () => {
  notice = await openNotice(env.rt.url);
  platformId = await notice.publish();
  ops = await runOperationsDemo({ apiUrl: env.rt.url, log: () => undefined });
}, 240_000);

afterAll(async () => {
  if (scanned.length)
    console.log(`accessibility: ${scanned.length} page views scanned with axe-core (${TAGS.join(', ')})`);
});

/** Who signs in, and the detail pages they open beyond their menu. */
const VISITS = (): { role: string; sub: string; pages: string[] }[] => [
  {
    role: 'anonymous',
    sub: '',
    pages: [
      `/public/calls/${notice.callId}`,
      `/public/notices/${notice.noticeId}`,
      `/public/platforms/${platformId}`,
      '/sign-in',
    ],
  },
  {
    role: 'applicant',
    sub: `applicant-${notice.run}`,
    pages: [
      `/apply/applications/${notice.applicationId}`,
      `/apply/platforms/${platformId}`,
      '/apply/organisation',
      '/apply/notifications',
      '/apply/vouchers',
      `/apply/vouchers/${platformId}`,
    ],
  },
  {
    role: 'officer',
    sub: ops.subs.officer,
    pages: [
      `/staff/applications/${notice.applicationId}`,
      `/staff/calls/${notice.callId}`,
      `/staff/notices/${notice.noticeId}`,
      `/staff/platforms/${platformId}`,
      `/staff/revocations/${ops.revocationId}`,
      `/staff/evaluation/${ops.years[1]}/${ops.platforms.excellent}`,
      `/staff/organisations/${notice.orgId}`,
      '/staff/notifications',
    ],
  },
  {
    role: 'approver',
    sub: ops.subs.approver,
    pages: [
      `/staff/revocations/${ops.revocationId}`,
      `/staff/calls/${notice.callId}`,
      '/staff/notifications',
    ],
  },
  { role: 'expert', sub: 'expert-a11y', pages: [] },
  { role: 'admin', sub: 'admin-a11y', pages: [] },
  {
    role: 'observer',
    sub: 'observer-a11y',
    pages: [`/staff/platforms/${platformId}`, `/staff/evaluation/${ops.years[1]}/${ops.platforms.excellent}`],
  },
];

describe('every console page', () => {
  it.each([
    ['desktop, Chinese', { phone: false, lang: 'zh-CN' as const }],
    ['phone, English', { phone: true, lang: 'en' as const }],
  ])(
    'passes axe-core’s WCAG 2.1 AA rules (%s)',
    async (label, opts) => {
      const found: Found[] = [];
      const wide: string[] = [];
      for (const visit of VISITS()) {
        const { page, context } = await newPage(env.browser, opts);
        if (visit.role === 'anonymous') await page.goto(`${env.rt.url}/console/#/public`);
        else await signIn(page, env.rt.url, visit.role, visit.sub);
        await page.locator('header').waitFor();
        const paths = [...new Set([...(await menu(page)), ...visit.pages])];
        for (const p of paths) {
          await page.goto(`${env.rt.url}/console/#${p}`);
          const where = `${visit.role} ${p} (${label})`;
          found.push(...(await scan(page, where)));
          if (opts.phone) {
            const extra = await overflow(page);
            if (extra > 1) wide.push(`${where}: ${extra}px wider than the screen, at ${await widest(page)}`);
          }
        }
        await context.close();
      }
      expect(found, JSON.stringify(found, null, 2)).toEqual([]);
      expect(wide).toEqual([]);
    },
    240_000,
  );
});

describe('the keyboard', () => {
  it('reaches the skip link first, skips to the content, and signs in with keys only', async () => {
    const { page, context } = await newPage(env.browser, { lang: 'en' });
    await page.goto(`${env.rt.url}/console/#/sign-in`);
    await page.locator('h1').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.className')).toBe('skip');
    // The skip link is visible when focused, and its focus ring is drawn.
    const box = await page.locator('button.skip').boundingBox();
    expect(box && box.x >= 0).toBe(true);
    await page.keyboard.press('Enter');
    expect(await focusedId(page)).toBe('main');
    expect(page.url()).toContain('#/sign-in'); // still on the page: the hash is the route
    // Tab to the role picker, choose a role with the arrow keys, type the user, submit with Enter.
    for (let i = 0; i < 10 && (await focusedId(page)) !== 'role'; i += 1) await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('role');
    expect(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')).not.toBe(
      'none',
    );
    await page.keyboard.press('ArrowDown'); // applicant → officer
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('sub');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('officer-keyboard');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.who').textContent()).toContain('officer-keyboard');
    expect(await page.locator('.who').textContent()).toContain('AI Industry Office officer');
    await context.close();
  });
});
