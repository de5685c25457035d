import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCsv } from '@plinth/collections';
import type { Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { createCollection, createRecord } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

/** The records page's Export button in Chromium: the file holds what the page's filter and sort show. */
describe('console: records export', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    const admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'notes',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
      ],
    });
    for (const [title, n] of [
      ['alpha', 1],
      ['=bad()', 2],
      ['gamma', 3],
      ['delta', 4],
    ] as const) {
      await createRecord(t, admin, 'notes', { title, n });
    }
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('downloads a CSV of the filtered, sorted records', async () => {
    await signInConsole(page, t.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${t.url}/_/#/collections/notes?sort=-n&filter=${encodeURIComponent('n < 4')}`);
    await page.getByRole('heading', { level: 1, name: 'notes' }).waitFor();
    await expect(page.getByLabel('Export format').inputValue()).resolves.toBe('csv');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`notes-${new Date().toISOString().slice(0, 10)}.csv`);
    const rows = parseCsv(await readFile((await download.path())!, 'utf8'));
    expect(rows.map((r) => r.slice(3))).toEqual([
      ['title', 'n'],
      ['gamma', '3'],
      ["'=bad()", '2'],
      ['alpha', '1'],
    ]);
    await b.screenshot('records-export');
    expect(b.pageErrors).toEqual([]);
  });

  it('exports JSON by keyboard on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Export format').focus();
    await page.keyboard.press('ArrowDown'); // JSON
    await expect(page.getByLabel('Export format').inputValue()).resolves.toBe('json');
    await page.keyboard.press('Tab');
    const exportButton = page.getByRole('button', { name: 'Export', exact: true });
    await expect(exportButton.evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);
    const box = (await exportButton.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^notes-\d{4}-\d{2}-\d{2}\.json$/);
    const items = JSON.parse(await readFile((await download.path())!, 'utf8')) as Array<{ n: number }>;
    expect(items.map((r) => r.n)).toEqual([3, 2, 1]);
    await b.screenshot('records-export-phone');
    expect(b.pageErrors).toEqual([]);
  });
});
