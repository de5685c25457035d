import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { RequestLogWriter } from '@plinth/logs';
import type { Page } from 'playwright-core';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const document: { documentElement: { scrollWidth: number } };

const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';
const HOSTILE_AGENT = '<img src=x onerror="window.hacked=1">';

/** The console's Logs page in Debian's Chromium: the filter narrows the list, a request's detail panel. */
describe('admin console: logs', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    await t.app.get(AdminsService).create(EMAIL, PASSWORD);
    for (const path of ['/api/collections/nope/records', '/api/collections/users/records']) {
      await t.fetch(path, { headers: { 'user-agent': HOSTILE_AGENT, 'x-request-id': `seed${path.length}` } });
    }
    await t.app.get(RequestLogWriter).flush();
    b = await launchBrowser();
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const rows = () => page.locator('[data-testid=logs-table] tbody tr');

  it('lists requests, and a filter narrows the list', async () => {
    await signInConsole(page, t.url, EMAIL, PASSWORD);
    await t.app.get(RequestLogWriter).flush();
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await rows().filter({ hasText: '/api/collections/nope/records' }).waitFor();
    const before = await rows().count();
    expect(before).toBeGreaterThanOrEqual(3); // the two seeded requests and the sign-in
    await b.screenshot('logs-01-list');

    await page.fill('input[name=filter]', 'status >= 400 && url ~ "/collections/nope/"');
    await page.press('input[name=filter]', 'Enter');
    await eventuallyRows(1);
    await expect(rows().first().textContent()).resolves.toContain('/api/collections/nope/records');
    await b.screenshot('logs-02-filtered');

    await page.fill('input[name=filter]', 'status >= ');
    await page.press('input[name=filter]', 'Enter');
    await page.getByRole('alert').filter({ hasText: 'filter' }).waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await eventuallyRowsAtLeast(before);
  });

  it('shows one request in a detail panel, untrusted text as text', async () => {
    await page.fill('input[name=filter]', 'requestId = "seed29"');
    await page.press('input[name=filter]', 'Enter');
    await eventuallyRows(1);
    await rows().first().getByRole('button', { name: 'Details' }).click();
    const panel = page.getByRole('dialog', { name: 'Request seed29' });
    await panel.waitFor();
    const detail = panel.getByTestId('log-detail');
    await detail.getByText('COLLECTION_NOT_FOUND').waitFor();
    await detail.getByText(HOSTILE_AGENT, { exact: true }).waitFor();
    expect(await page.evaluate(() => (globalThis as { hacked?: number }).hacked)).toBeUndefined();
    await b.screenshot('logs-03-detail');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('works on a phone without page errors', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Clear' }).click();
    await rows().first().waitFor();
    await b.screenshot('logs-04-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The Details column is hidden on phones: the URL opens the panel (and is reachable by keyboard).
    await rows().filter({ hasText: '/api/collections/nope/records' }).locator('.log-url-btn').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Request seed29' }).waitFor();
    await b.screenshot('logs-05-phone-detail');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 860 });
    expect(b.pageErrors).toEqual([]);
  });

  async function eventuallyRows(n: number) {
    await page.waitForFunction(
      (want) =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll('[data-testid=logs-table] tbody tr').length === want,
      n,
    );
  }
  async function eventuallyRowsAtLeast(n: number) {
    await page.waitForFunction(
      (want) =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll('[data-testid=logs-table] tbody tr').length >= want,
      n,
    );
  }
});
