import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import type { Page } from 'playwright-core';
import { api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const window: { location: { hash: string } };

const EMAIL = 'views@example.com';
const PASSWORD = 'a long enough password';

/** Issue 19 in the console: a "view" collection type with its SQL, inferred fields, read-only records. */
describe('console: view collections', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    await t.app.get(AdminsService).create(EMAIL, PASSWORD);
    const admin = ok(
      await api(t)('POST', '/api/admins/auth-with-password', { identity: EMAIL, password: PASSWORD }),
    ).body.token;
    const as = api(t, admin);
    ok(
      await as('POST', '/api/collections', {
        name: 'posts',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'views', type: 'number' },
        ],
      }),
    );
    for (const [title, views] of [
      ['one', 1],
      ['two', 2],
    ] as const)
      ok(await as('POST', '/api/collections/posts/records', { title, views }));
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
    await page.goto(`${t.url}/_/#/login`);
    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('creates a view from its SQL, shows a bad query’s problem, then the inferred fields', async () => {
    await page.goto(`${t.url}/_/#/collections/new`);
    await page.getByRole('heading', { level: 1, name: 'New collection' }).waitFor();
    await page.fill('input[name=name]', 'post_views');
    await page.getByLabel('Type').selectOption('view');
    expect(await page.getByRole('tab').allInnerTexts()).toEqual(['Query and fields (0)', 'Rules']);
    await page.fill('textarea[name=viewQuery]', 'SELECT id, email FROM plinth.admin');
    await page.getByTestId('save-collection').click();
    await page
      .getByText(/SQL query: The view query reads "plinth.admin", which is not a collection/)
      .first()
      .waitFor();

    await page.fill('textarea[name=viewQuery]', 'SELECT id, title, views * 2 AS double FROM posts');
    await page.getByRole('tab', { name: 'Rules' }).click();
    expect(
      await page.locator('[data-rule]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule'))),
    ).toEqual(['listRule', 'viewRule']);
    await page.getByTestId('save-collection').click();
    await page.getByRole('heading', { level: 1, name: 'Schema of post_views' }).waitFor();
    expect(await page.evaluate(() => window.location.hash)).toBe('#/collections/post_views/schema');
    await page.getByRole('tab', { name: /Query and fields/ }).click();
    expect(await page.getByTestId('view-fields').locator('tbody tr').allInnerTexts()).toEqual([
      'id\ttext',
      'title\ttext',
      'double\tnumber',
    ]);
    await b.screenshot('views-01-editor');
  });

  it('shows the records read-only', async () => {
    await page.goto(`${t.url}/_/#/collections/post_views`);
    await page.getByTestId('read-only-note').waitFor();
    await page.getByTestId('records-table').waitFor();
    expect(await page.getByTestId('new-record').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    const headers = await page.locator('[data-testid=records-table] thead th').allInnerTexts();
    expect(headers.map((h) => h.replace(/[▲▼]/g, '').trim()).filter(Boolean)).toEqual([
      'id',
      'title',
      'double',
      'Actions',
    ]);
    await b.screenshot('views-02-records');
  });

  it('ran without page errors', () => {
    expect(b.pageErrors).toEqual([]);
  });
});
