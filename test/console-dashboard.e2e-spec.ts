import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { RequestLogWriter, StatsRollupHandler } from '@plinth/logs';
import { eventually } from '@plinth/testing';
import type { Page } from 'playwright-core';
import { api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';
const HOSTILE_NAME = '<img src=x onerror="window.hacked=1">';

/** The console's Dashboard (charts from GET /api/stats) and Audit page in Debian's Chromium. */
describe('admin console: dashboard and audit', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    await t.app.get(AdminsService).create(EMAIL, PASSWORD);
    const signIn = ok(
      await api(t)('POST', '/api/admins/auth-with-password', { identity: EMAIL, password: PASSWORD }),
    );
    const as = api(t, signIn.body.token);
    ok(
      await as('POST', '/api/collections', {
        name: 'notes',
        listRule: '',
        fields: [{ name: 'title', type: 'text' }],
      }),
    );
    ok(await as('POST', '/api/keys', { name: HOSTILE_NAME, scopes: ['notes:read'] }));
    for (let i = 0; i < 6; i++) ok(await api(t)('GET', '/api/collections/notes/records'));
    await api(t)('GET', '/api/collections/nope/records');
    // The log writer takes an entry in the onResponse hook, a moment after the answer: wait for the last.
    await t.fetch('/api/collections/nope/records', { headers: { 'x-request-id': 'dash-last' } });
    await eventually(async () => {
      await t.app.get(RequestLogWriter).flush();
      return (
        (await t.db.query(`SELECT 1 FROM plinth.request_log WHERE request_id = 'dash-last'`)).rows.length ===
        1
      );
    });
    await t.app.get(StatsRollupHandler).handle();
    b = await launchBrowser();
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('draws the dashboard charts with the traffic of the last hour', async () => {
    await signInConsole(page, t.url, EMAIL, PASSWORD);
    await page.locator('nav.sidebar').getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('button', { name: 'Last hour' }).click();
    await page.locator('[data-testid=chart-requests] canvas').first().waitFor();
    await page.locator('[data-testid=chart-latency] canvas').first().waitFor();
    const requests = page.getByTestId('dash-tiles').locator('.dash-tile').filter({ hasText: 'Requests' });
    expect(Number(await requests.locator('.value').textContent())).toBeGreaterThanOrEqual(8);
    await page.getByTestId('requests-by-collection').getByText('notes').waitFor();
    await page.getByTestId('errors-by-code').getByText('COLLECTION_NOT_FOUND').waitFor();
    // uPlot's legend carries the series with values: the 2xx line is drawn.
    await page.locator('[data-testid=chart-requests] .u-legend').getByText('2xx').waitFor();
    await b.screenshot('dashboard-01-last-hour');

    // Each collection's page says its own last 24 hours.
    await page.goto(`${t.url}/_/#/collections/notes`);
    const line = page.getByTestId('collection-stats');
    await line.waitFor();
    // At least the six sent (a scheduled rollup may have folded the console's own reads since).
    const [, sent] = /(\d+) request\(s\), 0 error\(s\)/.exec((await line.textContent()) ?? '') ?? [];
    expect(Number(sent)).toBeGreaterThanOrEqual(6);
  });

  it('lists admin actions on the Audit page, the diff and untrusted names as text', async () => {
    await page.locator('nav.sidebar').getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    const rows = page.locator('[data-testid=audit-table] tbody tr');
    await rows.filter({ hasText: 'collection.create' }).waitFor();
    await rows.filter({ hasText: 'api_key.create' }).getByText(HOSTILE_NAME, { exact: false }).waitFor();
    await b.screenshot('audit-01-list');

    await page.fill('input[name=filter]', 'action = "collection.create"');
    await page.press('input[name=filter]', 'Enter');
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll('[data-testid=audit-table] tbody tr').length === 1,
    );
    await rows.first().getByRole('button', { name: 'Details of collection.create' }).click();
    const diff = page.getByRole('dialog', { name: 'collection.create' }).getByTestId('audit-diff');
    await diff.getByText('+ listRule: ""', { exact: false }).waitFor();
    expect(await diff.textContent()).toContain('+ name: "notes"');
    await b.screenshot('audit-02-detail');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => (globalThis as { hacked?: number }).hacked)).toBeUndefined();
    expect(b.pageErrors).toEqual([]);
  });
});
