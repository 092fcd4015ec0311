import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../e2e/support/runtime.ts';

/**
 * Browser tests of the consoles (issue 7): playwright-core driving Debian's Chromium
 * (`apt-get install chromium`; `.ci/run` installs it when missing) against `npm start`'s runtime,
 * which serves the built consoles at `/console/`. Screenshots go to `reports/screenshots/`; with
 * `UPDATE_SCREENSHOTS=1` also to `docs/screenshots/` (the README shows those).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** A fresh context (its own sessionStorage) at a phone or desktop size, in the given language. */
export async function newPage(
  browser: Browser,
  opts: { phone?: boolean; lang?: 'zh-CN' | 'en' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: opts.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    locale: opts.lang ?? 'zh-CN',
  });
  const page = await context.newPage();
  if (opts.lang)
    await page.addInitScript(`localStorage.setItem('zs-console-lang', ${JSON.stringify(opts.lang)})`);
  return { context, page };
}

/** Signs in through the console's local sign-in page (role picker → /dev/token). */
export async function signIn(page: Page, baseUrl: string, role: string, sub: string): Promise<void> {
  await page.goto(`${baseUrl}/console/#/sign-in`);
  await page.locator('#role').selectOption(role);
  await page.locator('#sub').fill(sub);
  await page.locator('form button[type=submit]').click();
  await page.waitForFunction("!location.hash.startsWith('#/sign-in')");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dirs = [path.join(REPO_ROOT, 'reports/screenshots')];
  if (process.env.UPDATE_SCREENSHOTS === '1') dirs.push(path.join(REPO_ROOT, 'docs/screenshots'));
  let first = '';
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    first ||= file;
  }
  return first;
}
