import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve('test-output/console');

/** Builds apps/console into apps/console/dist unless the build there is newer than its sources (types are checked by `npm run build`). */
export function buildConsoleIfStale(): void {
  execFileSync(process.execPath, ['scripts/build-console.mjs', '--if-stale', '--no-typecheck'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // A production build, as users get it (Jest's NODE_ENV=test would make Vite build React for development).
    env: { ...process.env, NODE_ENV: 'production', CONSOLE_BUILD_QUIET: '1' },
  });
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Problems the page reported (uncaught errors, console errors, CSP violations): a test asserts none. */
  pageErrors: string[];
  /** A full-page screenshot of `page` (default: the first page) into the screenshot folder. */
  screenshot(name: string, page?: Page): Promise<void>;
  close(): Promise<void>;
}

/**
 * Debian's Chromium through playwright-core: headless, no sandbox (root in CI), no background traffic,
 * a fresh profile per launch.
 */
export async function launchBrowser(
  opts: { width?: number; height?: number; screenshotDir?: string } = {},
): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'plinth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    p.on('console', (msg) => {
      // Failed requests the console handles itself (4xx answers it shows) are logged by Chromium too.
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) {
        pageErrors.push(`console: ${msg.text()}`);
      }
    });
  };
  watch(page);
  context.on('page', watch);
  const screenshotDir = opts.screenshotDir ?? SCREENSHOT_DIR;
  mkdirSync(screenshotDir, { recursive: true });
  return {
    context,
    page,
    pageErrors,
    screenshot: async (name, of = page) => {
      await of.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in to the console at `baseUrl` as an admin and waits for the landing page (Collections). */
export async function signInConsole(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/_/#/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
}
