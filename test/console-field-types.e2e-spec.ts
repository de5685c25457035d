import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken, api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/** The console's type picker, options and record inputs for PocketBase's editor, autodate and geoPoint. */
describe('console: editor, autodate and geoPoint fields', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;
  let admin: string;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'spots',
      fields: [
        { name: 'name', type: 'text', required: true },
        { name: 'about', type: 'editor' },
        { name: 'place', type: 'geoPoint' },
        { name: 'added', type: 'autodate' },
      ],
    });
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
    await page.goto(`${t.url}/_/#/login`);
    await page.fill('input[name=email]', ADMIN_EMAIL);
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const stored = async () => ok(await api(t, admin)('GET', '/api/collections/spots')).body;

  it('offers the three types and saves their options', async () => {
    await page.goto(`${t.url}/_/#/collections/spots/schema`);
    await page.getByRole('heading', { level: 1, name: 'Schema of spots' }).waitFor();
    const types = await page.locator('select[name=field-type-0] option').allInnerTexts();
    expect(types).toEqual(expect.arrayContaining(['editor', 'autodate', 'geoPoint']));
    await page.getByRole('button', { name: 'Options of added' }).click();
    const row = page.locator('[data-field-index="3"]');
    await row.getByLabel('set when a record is updated').check();
    await page.getByRole('button', { name: 'Options of about' }).click();
    await page
      .locator('[data-field-index="1"]')
      .getByLabel('convert URLs (PocketBase editor setting)')
      .check();
    await page.getByTestId('save-collection').click();
    await page.getByText('Saved spots.').waitFor();
    const fields = (await stored()).fields as Array<Record<string, unknown>>;
    expect(fields.find((f) => f.name === 'added')).toMatchObject({ onCreate: true, onUpdate: true });
    expect(fields.find((f) => f.name === 'about')).toMatchObject({ convertURLs: true });
  });

  it('creates a record: HTML sanitised, the point from two numbers, the autodate shown not sent', async () => {
    await page.goto(`${t.url}/_/#/collections/spots`);
    await page.getByRole('heading', { level: 1, name: 'spots' }).waitFor();
    await page.getByTestId('new-record').click();
    const form = page.getByRole('dialog', { name: 'New record in spots' });
    await form.waitFor();
    await form.locator('#field-name').fill('Museum');
    await form.locator('#field-about').fill('<p onclick="x()">Open <b>daily</b></p><script>x()</script>');
    await form.locator('#field-place').fill('13.3977');
    await form.locator('#field-place-lat').fill('52.5186');
    expect(await form.locator('#field-added').isEditable()).toBe(false);
    await form.getByTestId('save-record').click();
    await form.waitFor({ state: 'detached' });
    const list = ok(await api(t, admin)('GET', '/api/collections/spots/records')).body;
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      name: 'Museum',
      about: '<p>Open <b>daily</b></p>',
      place: { lon: 13.3977, lat: 52.5186 },
    });
    expect(Date.parse(list.items[0].added)).not.toBeNaN();
  });

  it('asks for both coordinates', async () => {
    await page.getByTestId('new-record').click();
    const form = page.getByRole('dialog', { name: 'New record in spots' });
    await form.locator('#field-name').fill('Half');
    await form.locator('#field-place').fill('10');
    await form.getByTestId('save-record').click();
    await form.getByText('needs both a longitude and a latitude').waitFor();
  });
});
