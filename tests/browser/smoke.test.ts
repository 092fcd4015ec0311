import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningRuntime, removeDataDir, startRuntime } from '../e2e/support/runtime.ts';
import { launchBrowser, newPage, signIn } from './support/browser.ts';

/** The consoles load in a real browser, in Chinese first, switch to English, and sign in by role. */
let rt: RunningRuntime;
let browser: Browser;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await rt?.stop();
  if (rt) removeDataDir(rt.dataDir);
});

describe('the consoles', () => {
  it('serve the public portal in Chinese at /, with an English switch', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${rt.url}/`);
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('公众门户');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').first().textContent()).toBe('Public portal');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });

  it('sign an officer in through the local role picker and refuse the applicant portal to them', async () => {
    const { page, context } = await newPage(browser, { lang: 'en' });
    await signIn(page, rt.url, 'officer', 'officer-smoke');
    expect(page.url()).toContain('#/staff');
    await expect.poll(() => page.locator('.who').textContent()).toContain('officer-smoke');
    await page.goto(`${rt.url}/console/#/apply`);
    await expect.poll(() => page.locator('main').textContent()).toContain('Your role cannot open this page');
    await context.close();
  });
});
