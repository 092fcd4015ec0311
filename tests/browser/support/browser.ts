import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { REPO_ROOT, type RunningRuntime, removeDataDir, startRuntime } from '../../e2e/support/runtime.ts';

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

/** The runtime and the Chromium one test file drives; read them inside hooks and tests. */
export interface ConsoleRuntime {
  readonly rt: RunningRuntime;
  readonly browser: Browser;
}

/**
 * Starts `npm start`'s runtime and a Chromium for this test file (`beforeAll`, side by side) and stops
 * them, removing the runtime's data folder, when the file is done (`afterAll`). A file's own set-up is a
 * `beforeAll` registered after this call: hooks run in order, so the runtime is up by then.
 */
export function useConsoleRuntime(): ConsoleRuntime {
  let rt: RunningRuntime | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await rt?.stop();
    if (rt) removeDataDir(rt.dataDir);
  });
  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('the runtime and the browser start in beforeAll');
    return x;
  };
  return {
    get rt() {
      return started(rt);
    },
    get browser() {
      return started(browser);
    },
  };
}

/** The body of a set-up call over HTTP that must succeed (`what` names it when it does not). */
export async function ok<T = Record<string, unknown>>(
  p: Promise<{ status: number; body: T }>,
  what: string,
): Promise<T> {
  const res = await p;
  if (res.status >= 300) throw new Error(`${what} → ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
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
