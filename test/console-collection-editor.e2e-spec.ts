import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { eventually } from '@plinth/testing';
import type { Page } from 'playwright-core';
import { api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const localStorage: { getItem(key: string): string | null };
declare const window: { innerWidth: number; location: { hash: string } };
declare const document: {
  activeElement: { getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number };
};

const EMAIL = 'editor@example.com';
const PASSWORD = 'a long enough password';
const IMAGES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'];

/**
 * The collection editor in Debian's Chromium, at 1280×860 and 390×844: rule suggestions, the live rule
 * check, presets, the rename rewrite, file options, wording of errors, the unsaved-changes guard.
 */
describe('console: collection editor', () => {
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
    ok(
      await api(t, admin)('POST', '/api/collections', {
        name: 'posts',
        type: 'base',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'published', type: 'bool' },
          { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
        listRule: "title != 'title'",
      }),
    );
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
    await signInConsole(page, t.url, EMAIL, PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const token = async () =>
    JSON.parse((await page.evaluate(() => localStorage.getItem('plinth_console_admin'))) ?? '{}')
      .token as string;
  const stored = async () => ok(await api(t, await token())('GET', '/api/collections/posts')).body;
  const openEditor = async () => {
    await page.goto(`${t.url}/_/#/collections/posts/schema`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Schema of posts' }).waitFor();
  };
  const rule = (key: string) => page.locator(`[data-rule=${key}]`);

  it('opens with the first field focused and each field summarised', async () => {
    await openEditor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'field-name-0');
    expect(await page.getByTestId('field-summary-2').innerText()).toBe('relation → users');
  });

  it('suggests fields and @request.auth.id while a rule is typed', async () => {
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByLabel('Update access').selectOption('rule');
    const box = page.locator('textarea[name=updateRule]');
    await box.pressSequentially('aut');
    const list = page.getByRole('listbox', { name: 'Suggestions for the Update rule' });
    await list.getByRole('option', { name: /^author\b/ }).waitFor();
    await box.press('Enter');
    expect(await box.inputValue()).toBe('author');
    await box.pressSequentially(' = @request.a');
    await list.getByRole('option', { name: /@request\.auth\.id/ }).click();
    expect(await box.inputValue()).toBe('author = @request.auth.id');
    await rule('updateRule').getByText('The rule is valid.').waitFor();
    // The usable names sit beside the rule.
    await rule('updateRule')
      .getByRole('complementary', { name: /Fields you can use/ })
      .getByText('@request.body.title')
      .waitFor();
    await b.screenshot('editor-01-rule-suggestions');
  });

  it('marks the error of a broken rule as it is typed and clears it once fixed', async () => {
    const box = page.locator('textarea[name=deleteRule]');
    await page.getByLabel('Delete access').selectOption('rule');
    await box.fill('published = true && nosuch > 1');
    const mark = rule('deleteRule').locator('.rule-problem mark');
    await mark.waitFor();
    expect(await mark.innerText()).toBe('nosuch');
    expect(await rule('deleteRule').locator('.rule-problem .field-error').innerText()).toMatch(
      /At character 21: .*nosuch/,
    );
    await b.screenshot('editor-02-rule-error');
    await box.fill('published = true');
    await rule('deleteRule').getByText('The rule is valid.').waitFor();
    expect(await rule('deleteRule').locator('.rule-problem').count()).toBe(0);
  });

  it('fills "owner only" with the collection\'s relation to users', async () => {
    await page.getByLabel('View preset').selectOption('owner');
    expect(await page.getByLabel('View access').inputValue()).toBe('rule');
    expect(await page.locator('textarea[name=viewRule]').inputValue()).toBe('author = @request.auth.id');
    await page.getByLabel('Create preset').selectOption('published-or-owner');
    expect(await page.locator('textarea[name=createRule]').inputValue()).toBe(
      'published = true || author = @request.auth.id',
    );
  });

  it('offers to rewrite the rules after a rename, changing names but not string values', async () => {
    await page.getByRole('tab', { name: /Fields/ }).click();
    await page.fill('input[name=field-name-0]', 'headline');
    const offer = page.getByTestId('rename-offer');
    await offer.getByText(/list rule still names/).waitFor();
    await b.screenshot('editor-03-rename-offer');
    await offer.getByRole('button', { name: 'Rewrite the rules' }).click();
    await offer.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+s');
    await page.getByText('Saved posts.').waitFor();
    const saved = await stored();
    expect(saved.fields[0].name).toBe('headline');
    expect(saved.listRule).toBe("headline != 'title'");
    expect(saved.viewRule).toBe('author = @request.auth.id');
    expect(saved.updateRule).toBe('author = @request.auth.id');
    expect(saved.deleteRule).toBe('published = true');
  });

  it('saves file options from the images preset and a size in MB as types and bytes', async () => {
    await page.getByTestId('add-field').click();
    await page.fill('input[name=field-name-3]', 'cover');
    await page.selectOption('select[name=field-type-3]', 'file');
    const row = page.locator('[data-field-index="3"]');
    await row.getByRole('button', { name: 'Images' }).click();
    await row.locator('input[name^=maxSize]').fill('5');
    await row.getByLabel('Size unit').selectOption('MB');
    await row.getByRole('button', { name: '100×100 square' }).click();
    await row.getByRole('button', { name: '300 wide' }).click();
    await row.getByRole('button', { name: '300 high' }).click();
    await b.screenshot('editor-04-file-options');
    await page.getByTestId('save-collection').click();
    await page.getByText('Saved posts.').waitFor();
    const cover = (await stored()).fields.find((f: { name: string }) => f.name === 'cover');
    expect(cover).toMatchObject({
      type: 'file',
      maxSize: 5 * 1024 * 1024,
      thumbs: ['100x100', '300x0', '0x300'],
    });
    expect([...cover.mimeTypes].sort()).toEqual([...IMAGES].sort());
    expect(await page.getByTestId('field-summary-3').innerText()).toBe('file · images · max 5 MB · 3 thumbs');
  });

  it('names a field by its position from one, and shows an index problem on its row', async () => {
    await page.getByTestId('add-field').click();
    await page.fill('input[name=field-name-4]', 'notes');
    await page.getByTestId('add-field').click();
    await page.fill('input[name=field-name-5]', 'Bad Name!');
    await page.getByRole('tab', { name: 'Indexes' }).click();
    await page.getByRole('button', { name: '+ Add index' }).click();
    await page.fill('input[name=index-fields-0]', 'nosuch');
    await page.getByTestId('save-collection').click();
    const banner = page.locator('.banner-error');
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/Field 6 \(name\): /);
    expect(await banner.innerText()).not.toMatch(/fields\.5/);
    await page.getByRole('tab', { name: 'Indexes' }).click();
    expect(await page.locator('[data-index-row="0"] .field-error').innerText()).toMatch(/nosuch/);
    await b.screenshot('editor-05-errors');
  });

  it('asks before leaving with unsaved changes, and stays when told to', async () => {
    const questions: string[] = [];
    page.once('dialog', (d) => {
      questions.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await eventually(() => questions.length === 1);
    expect(questions[0]).toMatch(/unsaved changes/);
    await page.getByRole('heading', { level: 1, name: 'Schema of posts' }).waitFor();
    expect(await page.evaluate(() => window.location.hash)).toBe('#/collections/posts/schema');
    expect(await page.locator('input[name=index-fields-0]').inputValue()).toBe('nosuch');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
  });

  it("shows a text-id collection's id as the record id: lengths and patterns editable, nothing else", async () => {
    ok(
      await api(t, await token())('POST', '/api/collections', {
        name: 'notes',
        fields: [
          { name: 'id', type: 'text', primaryKey: true, system: true },
          { name: 'title', type: 'text' },
        ],
      }),
    );
    await page.goto(`${t.url}/_/#/collections/notes/schema`);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Schema of notes' }).waitFor();
    const id = page.getByTestId('id-field');
    await id.waitFor();
    // Not renameable, removable, movable nor of another type.
    expect(await id.getByRole('button').count()).toBe(0);
    expect(await id.locator('select').count()).toBe(0);
    expect(await page.locator('input[name=field-name-0]').count()).toBe(0);
    expect(await page.locator('input[name=field-name-1]').inputValue()).toBe('title');
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'field-name-1');
    expect(await page.getByRole('button', { name: 'Move title up' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Name of field 1').inputValue()).toBe('title');
    await id.getByLabel('Max length').fill('20');
    await id.locator('input[name=id-pattern]').fill('^[a-z0-9_]+$');
    await b.screenshot('editor-05b-text-id');
    await page.getByTestId('save-collection').click();
    await page.getByText('Saved notes.').waitFor();
    const saved = ok(await api(t, await token())('GET', '/api/collections/notes')).body;
    expect(saved.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'title']);
    expect(saved.fields[0]).toMatchObject({
      type: 'text',
      primaryKey: true,
      min: 15,
      max: 20,
      pattern: '^[a-z0-9_]+$',
      autogeneratePattern: '[a-z0-9]{15}',
    });
  });

  it('works at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openEditor();
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.locator('textarea[name=listRule]').fill('headline = = 1');
    await rule('listRule').locator('.rule-problem mark').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await b.screenshot('editor-06-phone-rules');
    await page.getByRole('tab', { name: /Fields/ }).click();
    await page.getByRole('button', { name: 'Options of cover' }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await b.screenshot('editor-07-phone-file-options');
  });

  it('ran without page errors', () => {
    expect(b.pageErrors).toEqual([]);
  });
});
