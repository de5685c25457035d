import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken, api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { createCollection, createRecord, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

// Browser globals used inside page.evaluate callbacks, which run in Chromium (the Node typings lack the DOM).
interface BrowserElement {
  id: string;
  naturalWidth?: number;
  src?: string;
  clientWidth: number;
  scrollWidth: number;
  contains(other: BrowserElement | null): boolean;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number };
}
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const window: { innerWidth: number; innerHeight: number; location: { href: string } };
declare const document: {
  activeElement: BrowserElement | null;
  documentElement: { scrollWidth: number };
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
  elementFromPoint(x: number, y: number): BrowserElement | null;
};

// A 2×2 red PNG and a 2×2 blue one.
const RED = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==',
  'base64',
);
const BLUE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAD0lEQVQImWNgYPgPRmAKABf2A/38FIMyAAAAAElFTkSuQmCC',
  'base64',
);
const LONG = 'A long body of text that makes the column as wide as the table lets it grow, and then some.';

/**
 * The records pages of the console in Debian's Chromium (1280×860 and 390×844) against a real server:
 * a posts collection with files and a relation, shown in a table whose actions stay in view, and
 * edited through the record form.
 */
describe('console: records table and record form', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;
  let admin: string;
  let authors: Array<{ id: string; name: string }>;
  let created: Record<string, unknown> & { id: string };

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'authors',
      type: 'base',
      fields: [{ name: 'name', type: 'text', required: true }],
    });
    // viewRule null: images carry no Authorization header, so the console must add file tokens.
    await createCollection(t, admin, {
      name: 'posts',
      type: 'base',
      viewRule: null,
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'body', type: 'text' },
        { name: 'views', type: 'number' },
        { name: 'cover', type: 'file', maxSelect: 1, mimeTypes: ['image/png'], thumbs: ['50x50'] },
        { name: 'gallery', type: 'file', maxSelect: 5, protected: true },
        { name: 'author', type: 'relation', collection: 'authors', maxSelect: 1 },
        { name: 'summary', type: 'text' },
        { name: 'slug', type: 'text' },
      ],
    });
    authors = [];
    for (const name of ['Ada Lovelace', 'Grace Hopper'])
      authors.push({ id: (await createRecord(t, admin, 'authors', { name })).id, name });
    for (let i = 1; i <= 24; i++) {
      await createRecord(t, admin, 'posts', {
        title: `Post ${String(i).padStart(2, '0')}`,
        body: LONG,
        views: i,
        summary: LONG,
        slug: `post-${i}-with-a-rather-long-slug-for-the-table`,
        author: authors[i % 2].id,
      });
    }
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const rows = () => page.locator('[data-testid=records-table] tbody tr');
  const dialog = (name: string | RegExp) => page.getByRole('dialog', { name });
  const hash = () => new URL(page.url()).hash;
  const fileToken = async () => ok(await api(t, admin)('POST', '/api/files/token')).body.token as string;
  const stored = async (id: string) =>
    ok(await api(t, admin)('GET', `/api/collections/posts/records/${id}`)).body;

  it('after sign-in returns to the records page that was asked for, with its list state', async () => {
    await page.goto(`${t.url}/_/#/collections/posts?sort=views&perPage=10`);
    await heading('Sign in').waitFor();
    await page.fill('input[name=email]', ADMIN_EMAIL);
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('posts').waitFor();
    await page.getByText('Page 1 of 3').waitFor();
    expect(hash()).toBe('#/collections/posts?sort=views&perPage=10');
    expect(await rows().first().locator('td[data-label=title]').innerText()).toBe('Post 01');
  });

  it('creates a post with an image: focus, relation search with Enter, label, Ctrl+S', async () => {
    await page.getByTestId('new-record').click();
    const form = dialog('New record in posts');
    await form.waitFor();
    // The first field has the focus.
    await page.waitForFunction(() => document.activeElement?.id === 'field-title');
    await page.keyboard.type('Illustrated post');

    // Both authors match "e"; ArrowDown highlights the second hit and Enter picks it, without submitting.
    const search = form.getByLabel('Search authors');
    // Escape closes the hits, not the dialog.
    await search.fill('e');
    await form.getByRole('option').first().waitFor();
    await search.press('Escape');
    await form.getByRole('listbox').waitFor({ state: 'hidden' });
    expect(await form.isVisible()).toBe(true);
    expect(await dialog('Discard the unsaved changes?').isVisible()).toBe(false);
    await search.fill('e');
    await form.getByRole('option').nth(1).waitFor();
    await search.press('ArrowDown');
    const highlighted = form.locator('[role=option][aria-selected=true]');
    const pickedText = await highlighted.innerText();
    const picked = authors.find((a) => pickedText.includes(a.id))!;
    expect(picked).toBeDefined();
    await search.press('Enter');
    expect(await form.locator('input[name=author]').inputValue()).toBe(picked.id);
    const total = ok(await api(t, admin)('GET', '/api/collections/posts/records?perPage=1')).body.totalItems;
    expect(total).toBe(24);
    // The related record's label stands beside its id.
    await form.getByTestId('relation-labels-author').getByText(picked.name).waitFor();

    await form
      .locator('#field-cover')
      .setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: RED });
    await form.locator('#field-gallery').setInputFiles([
      { name: 'red.png', mimeType: 'image/png', buffer: RED },
      { name: 'blue.png', mimeType: 'image/png', buffer: BLUE },
    ]);
    await form.locator('img[alt=preview]').first().waitFor();
    await form.locator('#field-views').fill('1000');
    await b.screenshot('records-01-new-record');
    await form.locator('#field-views').press('Control+s');
    await form.waitFor({ state: 'detached' });

    const list = ok(
      await api(t, admin)(
        'GET',
        `/api/collections/posts/records?filter=${encodeURIComponent("title = 'Illustrated post'")}`,
      ),
    ).body;
    expect(list.items).toHaveLength(1);
    created = list.items[0];
    expect(created.author).toBe(picked.id);
    expect(created.cover).toMatch(/\.png$/);
    expect(created.gallery).toHaveLength(2);
  });

  it('shows thumbnails, keeps the actions in view at 1280 px and copies the full id', async () => {
    // Sorted by views (descending): the new post comes first.
    await page.goto(`${t.url}/_/#/collections/posts?sort=-views`);
    const row = page.locator(`tr[data-id="${created.id}"]`);
    await row.waitFor();
    // Thumbnails of the single and of the protected multi-file field load (through a file token).
    const cover = row.locator('td[data-label=cover] img');
    await cover.waitFor();
    expect(await cover.getAttribute('src')).toMatch(/thumb=50x50.*token=|token=.*thumb=50x50/);
    expect(await row.locator('td[data-label=gallery] img').count()).toBe(2);
    await page.waitForFunction((id) => {
      const imgs = [...document.querySelectorAll(`tr[data-id="${id}"] td.file-cell img`)];
      return imgs.length === 3 && imgs.every((img) => (img.naturalWidth ?? 0) > 0);
    }, created.id);
    // The field's 50x50 thumbnail, not the 2x2 original.
    expect(await cover.evaluate((img) => (img as unknown as BrowserElement).naturalWidth)).toBe(50);
    // Following a thumbnail opens the file with a token of its own.
    const [tab] = await Promise.all([
      page.context().waitForEvent('page'),
      row.locator('td[data-label=gallery] a').first().click(),
    ]);
    await tab.waitForURL(/\/api\/files\/posts\/.*token=/);
    expect((await t.fetch(tab.url().replace(t.url, ''))).status).toBe(200);
    await tab.close();
    // The expanded relation reads as its label.
    expect(await row.locator('td[data-label=author]').innerText()).toContain(
      authors.find((a) => a.id === created.author)!.name,
    );

    // The table is wider than its frame, yet Edit and Delete are on screen and on top.
    const wrap = await page.evaluate(() => {
      const w = document.querySelector('.table-wrap')!;
      return { scroll: w.scrollWidth, client: w.clientWidth };
    });
    expect(wrap.scroll).toBeGreaterThan(wrap.client);
    for (const name of ['Edit', 'Delete']) {
      const button = row.getByRole('button', { name, exact: true });
      const onTop = await button.evaluate((el: BrowserElement) => {
        const r = el.getBoundingClientRect();
        const inView =
          r.left >= 0 && r.right <= window.innerWidth && r.top >= 0 && r.bottom <= window.innerHeight;
        return (
          inView && el.contains(document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2))
        );
      });
      expect(onTop).toBe(true);
    }
    await b.screenshot('records-02-table-1280');

    // The id is shown short, titled and copied whole.
    const copy = row.getByRole('button', { name: `Copy the id ${created.id}` });
    expect(await copy.innerText()).not.toContain(created.id);
    expect(await copy.getAttribute('title')).toContain(created.id);
    await copy.click();
    await row.getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(created.id);
  });

  it('keeps filter, sort and page in the URL through a reload and Back', async () => {
    await page.goto(`${t.url}/_/#/collections/posts`);
    await heading('posts').waitFor();
    await page.fill('input[name=filter]', 'views >= 3');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByText('23 records').waitFor();
    await page.getByRole('button', { name: /^views/ }).click();
    await page.waitForFunction(() => /sort=views/.test(new URL(window.location.href).hash));
    await page.locator('.pager select').selectOption('10');
    await page.getByText('Page 1 of 3').waitFor();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText('Page 2 of 3').waitFor();
    const titles = async () => rows().locator('td[data-label=title]').allInnerTexts();
    // The pager can say "Page 2" a moment before page 2's rows replace page 1's: wait for them.
    await rows().first().locator('td[data-label=title]', { hasText: 'Post 13' }).waitFor();
    const before = await titles();
    expect(before).toHaveLength(10);

    await page.reload();
    await page.getByText('Page 2 of 3').waitFor();
    expect(await page.inputValue('input[name=filter]')).toBe('views >= 3');
    await rows().first().locator('td[data-label=title]', { hasText: 'Post 13' }).waitFor();
    expect(await titles()).toEqual(before);
    expect(await page.locator('th[aria-sort=ascending]').innerText()).toContain('views');

    await page.goBack();
    await page.getByText('Page 1 of 3').waitFor();
    await rows().first().locator('td[data-label=title]', { hasText: 'Post 03' }).waitFor();
  });

  it('asks before closing the record dialog with unsaved changes', async () => {
    await page.goto(`${t.url}/_/#/collections/posts?sort=-views`);
    const row = page.locator(`tr[data-id="${created.id}"]`);
    // Unchanged: closes at once.
    await row.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = dialog(`Edit record ${created.id}`);
    await form.waitFor();
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });

    // A click on the row's text opens the record too.
    await row.locator('td[data-label=title]').click();
    await form.locator('#field-title').fill('Changed but not saved');
    await page.keyboard.press('Escape');
    const ask = dialog('Discard the unsaved changes?');
    await ask.waitFor();
    await b.screenshot('records-03-unsaved-guard');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'hidden' });
    expect(await form.locator('#field-title').inputValue()).toBe('Changed but not saved');

    await form.getByRole('button', { name: 'Close' }).click();
    await ask.getByRole('button', { name: 'Discard changes' }).click();
    await form.waitFor({ state: 'detached' });
    expect((await stored(created.id)).title).toBe('Illustrated post');
  });

  it('removes stored files from a single and a multi-file field', async () => {
    const [gone, kept] = created.gallery as string[];
    const row = page.locator(`tr[data-id="${created.id}"]`);
    await row.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = dialog(`Edit record ${created.id}`);
    await form.getByRole('button', { name: `Remove ${created.cover}` }).click();
    await form.getByRole('button', { name: `Remove ${gone}` }).click();
    await form.getByRole('button', { name: `Keep ${gone}` }).waitFor();
    // A file chosen meanwhile joins the kept one.
    await form
      .locator('#field-gallery')
      .setInputFiles({ name: 'green.png', mimeType: 'image/png', buffer: RED });
    await b.screenshot('records-04-remove-files');
    await form.getByTestId('save-record').click();
    await form.waitFor({ state: 'detached' });

    const after = await stored(created.id);
    expect(after.cover).toBe('');
    expect(after.gallery).toEqual([kept, expect.stringMatching(/^green.*\.png$/)]);
    const token = await fileToken();
    for (const name of [created.cover as string, gone]) {
      const res = await t.fetch(`/api/files/posts/${created.id}/${name}?token=${token}`);
      expect(res.status).toBe(404);
    }
    expect((await t.fetch(`/api/files/posts/${created.id}/${kept}?token=${token}`)).status).toBe(200);
    await row.locator('td[data-label=cover] img').waitFor({ state: 'detached' });
    expect(await row.locator('td[data-label=gallery] img').count()).toBe(2);
  });

  it('lays the records out as cards on a phone, without horizontal overflow', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/_/#/collections/posts?sort=-views`);
    const row = page.locator(`tr[data-id="${created.id}"]`);
    await row.waitFor();
    await row.locator('td[data-label=gallery] img').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const edit = await row.getByRole('button', { name: 'Edit', exact: true }).boundingBox();
    expect(edit!.x).toBeGreaterThanOrEqual(0);
    expect(edit!.x + edit!.width).toBeLessThanOrEqual(390);
    // Sorting without the hidden headers.
    await page.locator('.phone-sort select').selectOption('title');
    await page.waitForFunction(() => /sort=title/.test(new URL(window.location.href).hash));
    await rows().first().locator('td[data-label=title]', { hasText: 'Illustrated post' }).waitFor();
    await b.screenshot('records-05-phone-cards');

    await rows().first().getByRole('button', { name: 'Edit', exact: true }).click();
    await dialog(/^Edit record/).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await b.screenshot('records-06-phone-form');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('ran without page errors or CSP violations', () => {
    expect(b.pageErrors).toEqual([]);
  });
});
