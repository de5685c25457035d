import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCsv } from '@plinth/collections';
import type { Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { createCollection, createRecord } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

/**
 * The records page's Export button in Chromium: the file holds what the page's filter and sort show;
 * its Import dialog: a file, the mapping guessed from its headers, a dry run, then the import.
 */
describe('console: records export and import', () => {
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

  it('imports a CSV through the dialog: mapping guessed from the headers, a dry run first, then the import', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${t.url}/_/#/collections/notes?sort=n`);
    await page.getByRole('heading', { level: 1, name: 'notes' }).waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import records into notes' });
    await dialog.getByTestId('import-file').setInputFiles({
      name: 'more.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Title,N,Colour\r\nepsilon,5,red\r\nzeta,lots,blue\r\n'),
    });
    const report = dialog.getByTestId('import-report');
    await report.getByText('Dry run: nothing was written.').waitFor();
    await expect(dialog.getByLabel('Field for column Title').inputValue()).resolves.toBe('title');
    await expect(dialog.getByLabel('Field for column N').inputValue()).resolves.toBe('n');
    await expect(dialog.getByLabel('Field for column Colour').inputValue()).resolves.toBe('');
    await expect(report.textContent()).resolves.toMatch(/2 rows: 1 to create, 0 to update, 1 failing/);
    await expect(report.getByRole('cell', { name: /^n: / }).count()).resolves.toBe(1);
    await expect(dialog.getByTestId('import-run').isDisabled()).resolves.toBe(false);
    // Only the good rows: all-or-nothing off, checked again before the import.
    await dialog.getByTestId('import-atomic').uncheck();
    await expect(dialog.getByTestId('import-run').isDisabled()).resolves.toBe(true);
    await dialog.getByTestId('import-check').click();
    await dialog.locator('[data-testid="import-run"]:enabled').waitFor();
    await dialog.getByTestId('import-run').click();
    await report.getByText('Imported.').waitFor();
    await expect(report.textContent()).resolves.toMatch(/2 rows: 1 created, 0 updated, 1 failed/);
    await b.screenshot('records-import');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.getByRole('cell', { name: 'epsilon' }).waitFor();
    await expect(page.getByLabel('Export format').locator('option[value="xlsx"]').count()).resolves.toBe(1);
    expect(b.pageErrors).toEqual([]);
  });
});
