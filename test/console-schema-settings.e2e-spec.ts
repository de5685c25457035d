import { AdminsService } from '@plinth/auth';
import type { Page } from 'playwright-core';
import { api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

// Browser globals used inside page.evaluate callbacks, which run in Chromium (the Node typings lack the DOM).
declare const window: { innerWidth: number; getComputedStyle(e: unknown): { color: string } };
interface BrowserElement {
  tagName: string;
  className: string;
  textContent: string | null;
  getBoundingClientRect(): { right: number };
}
declare const document: {
  documentElement: { scrollWidth: number };
  querySelectorAll(selector: string): Iterable<BrowserElement>;
};

const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';
const SECRET = 'smtp-password-nobody-may-see-42';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };
const DANGER = 'rgb(192, 57, 43)'; // --danger in styles.css

/**
 * The console's schema import preview, settings (app identity, secret status, push names), push triggers,
 * favicon and used setup link, in Debian's Chromium against a real server, at desktop and phone sizes.
 */
describe('console: import preview, settings and push triggers', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;
  let admin: string;
  let setupToken: string;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '1000' } });
    setupToken = (await t.app.get(AdminsService).issueSetupLinkIfNeeded())!;
    b = await launchBrowser(DESKTOP);
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const goto = (hash: string) => page.goto(`${t.url}/_/#${hash}`);
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  /** Screenshots at the phone size too; the page must not scroll sideways there. */
  const shots = async (name: string) => {
    await b.screenshot(`${name}-desktop`);
    await page.setViewportSize(PHONE);
    const wide = await page.evaluate(() =>
      document.documentElement.scrollWidth <= window.innerWidth + 1
        ? []
        : [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(
              (e) =>
                `${e.tagName}.${e.className} ${(e.textContent ?? '').slice(0, 30)} ${e.getBoundingClientRect().right}`,
            )
            .slice(0, 8),
    );
    await b.screenshot(`${name}-phone`);
    expect(wide).toEqual([]);
    await page.setViewportSize(DESKTOP);
  };

  it('a used setup link says an admin exists and how to sign in, without a form', async () => {
    const created = ok(
      await api(t)('POST', '/api/admins/setup', { token: setupToken, email: EMAIL, password: PASSWORD }),
    );
    admin = created.body.token;
    await goto(`/setup?token=${setupToken}`);
    await page.getByText('An admin exists already, so this setup link no longer works').waitFor();
    await page.getByText("Sign in with that admin's email and password.").waitFor();
    await page.getByText('npm run plinth -- admin reset-password').waitFor();
    expect(await page.locator('input[name=password]').count()).toBe(0);
    await shots('schema-settings-01-used-setup-link');

    await page.getByRole('link', { name: 'Go to sign-in' }).click();
    await heading('Sign in').waitFor();
    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Collections').waitFor();
  });

  it('serves the favicon the page links, and the CSP lets it load', async () => {
    const href = await page.locator('link[rel=icon]').getAttribute('href');
    expect(href).toBe('/_/favicon.svg');
    // Outside /api, so not in the OpenAPI document: a plain fetch.
    const res = await fetch(`${t.url}/_/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toContain('<svg');
  });

  it('previews an import as a diff: added, removed (red, with the deletion warning) and a changed rule', async () => {
    ok(
      await api(t, admin)('POST', '/api/collections', {
        name: 'posts',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'summary', type: 'text' },
        ],
        listRule: '',
      }),
    );
    const exported = ok(await api(t, admin)('GET', '/api/collections/export')).body;
    const posts = exported.collections.find((c: { name: string }) => c.name === 'posts');
    posts.fields = [
      ...posts.fields.filter((f: { name: string }) => f.name !== 'summary'),
      { name: 'body', type: 'text' },
    ];
    posts.listRule = "title != ''";
    const file = { collections: exported.collections.filter((c: { name: string }) => c.name === 'posts') };

    await goto('/collections/import');
    await heading('Import and export the schema').waitFor();
    await page.fill('textarea[name=schema]', JSON.stringify(file, null, 2));
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const plan = page.locator('[data-testid=schema-plan] li[data-collection=posts]');
    await plan.waitFor();

    const added = plan.locator('[data-kind=added]');
    const removed = plan.locator('[data-kind=removed]');
    const rule = plan.locator('[data-kind=rule]');
    expect(await added.innerText()).toMatch(/^\+ field body \(text\)/);
    expect(await added.evaluate((e) => window.getComputedStyle(e).color)).not.toBe(DANGER);
    expect(await rule.innerText()).toBe("List rule: anyone → title != ''");
    expect(await plan.locator('[data-kind=changed]').count()).toBe(0);
    // Off, a field the file leaves out is kept, as PocketBase's import keeps it.
    expect(await removed.count()).toBe(0);
    // "Delete missing" is explained, naming what it would delete; off, users is kept.
    expect(await page.locator('[data-testid=delete-missing-hint]').innerText()).toContain(
      'Not in this file: users (kept).',
    );
    await shots('schema-settings-02-import-preview');

    // The preview changed nothing.
    const before = ok(await api(t, admin)('GET', '/api/collections/posts')).body;
    expect(before.fields.map((f: { name: string }) => f.name)).toEqual(['title', 'summary']);

    // With "delete missing", the preview shows summary removed and users deleted, in red.
    await page.getByLabel('Delete missing collections').check();
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const users = page.locator('[data-testid=schema-plan] li[data-collection=users][data-action=delete]');
    await users.waitFor();
    expect(await removed.innerText()).toBe(
      '− field summary (text): removed, the data is deleted from every record',
    );
    expect(await removed.evaluate((e) => window.getComputedStyle(e).color)).toBe(DANGER);
    expect(await users.innerText()).toContain('The collection, all its records and their files are deleted');
    const warning = page.locator('[data-testid=data-loss-warning]');
    expect(await warning.innerText()).toContain(
      'Applying deletes the field posts.summary and the data in it from every record.',
    );
    expect(await warning.innerText()).toContain('Applying deletes the collection users with all its records');
    expect(await page.locator('[data-testid=delete-missing-hint]').innerText()).toContain(
      'users (would be deleted)',
    );
    await page.getByLabel('Delete missing collections').uncheck();

    await page.getByRole('button', { name: 'Preview changes' }).click();
    await plan.waitFor();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Applied 1 change: update posts.').waitFor();
    const after = ok(await api(t, admin)('GET', '/api/collections/posts')).body;
    expect(after.fields.map((f: { name: string }) => f.name)).toEqual(['title', 'body', 'summary']);
    expect(after.listRule).toBe("title != ''");
    expect(ok(await api(t, admin)('GET', '/api/collections/users')).body.name).toBe('users');
  });

  it('settings: the app section, push names, and a secret shown as "not set", then "stored", never in clear', async () => {
    await goto('/settings');
    await heading('Settings').waitFor();
    const app = page.locator('[data-section=app]');
    await app.getByText('App name', { exact: true }).waitFor();
    expect(await app.locator('[data-testid=app-public-url]').innerText()).toContain('PUBLIC_URL');
    expect(await app.locator('[data-testid=app-url]').innerText()).toContain('not set');
    await page.getByRole('heading', { name: 'Push: FCM, APNs and Web Push (VAPID)' }).waitFor();
    await page.getByLabel('FCM service account private key').waitFor();
    await page.getByLabel('APNs auth key (.p8)').waitFor();
    await page.getByLabel('VAPID private key (Web Push)').waitFor();

    const state = page.locator('[data-testid="secret-state-mail.password"]');
    expect(await state.innerText()).toBe('Not set');
    expect(await page.locator('[data-testid="secret-state-push.fcmPrivateKey"]').innerText()).toBe('Not set');
    expect(await page.locator('input[name="mail.password"]').getAttribute('placeholder')).toBe('not set');
    expect(await page.content()).not.toContain('••••');

    const mail = page.locator('form[data-section=mail]');
    await page.fill('input[name="mail.password"]', SECRET);
    await mail.getByRole('button', { name: 'Save mail' }).click();
    await mail.getByText('Saved.').waitFor();
    await page.locator('[data-testid="secret-state-mail.password"]', { hasText: 'Stored' }).waitFor();
    expect(await page.locator('input[name="mail.password"]').inputValue()).toBe('');
    expect(await page.locator('input[name="mail.password"]').getAttribute('placeholder')).toBe(
      'stored (not shown)',
    );
    await shots('schema-settings-03-settings');

    await page.reload();
    await page.locator('[data-testid="secret-state-mail.password"]', { hasText: 'Stored' }).waitFor();
    expect(await page.content()).not.toContain(SECRET);
    const settings = ok(await api(t, admin)('GET', '/api/settings')).body;
    expect(settings.mail.password).toBe('');
    const status = ok(await api(t, admin)('GET', '/api/settings/status')).body;
    expect(status.secrets.mail).toEqual({ password: true });
    expect(JSON.stringify(status)).not.toContain(SECRET);
  });

  it('creates, edits and deletes a push trigger through the console', async () => {
    ok(
      await api(t, admin)('POST', '/api/collections', {
        name: 'messages',
        fields: [
          { name: 'text', type: 'text' },
          { name: 'to', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
      }),
    );
    await page.reload();
    const section = page.locator('[data-section=push-triggers]');
    await section.getByLabel('Collection').selectOption('messages');
    await section.getByText('No push triggers on messages').waitFor();

    await section.getByRole('button', { name: 'Add trigger' }).click();
    const dialog = page.getByRole('dialog', { name: 'New push trigger on messages' });
    await dialog.locator('select[name=userField]').selectOption('to');
    await dialog.locator('input[name=title]').fill('New message');
    await dialog.locator('textarea[name=body]').fill('{{text}}');
    await dialog.getByRole('button', { name: 'Save trigger' }).click();
    await section.getByText('Trigger added to messages.').waitFor();
    const list = section.locator('[data-testid=push-triggers] li');
    expect(await list.count()).toBe(1);
    expect(await list.first().innerText()).toContain('On create: to the users in to');
    expect(ok(await api(t, admin)('GET', '/api/push/triggers/messages')).body.triggers).toEqual([
      { on: ['create'], userField: 'to', notification: { title: 'New message', body: '{{text}}' } },
    ]);
    await shots('schema-settings-04-push-trigger');

    await list.first().getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit push trigger of messages' });
    await edit.getByLabel('updated').check();
    await edit.locator('input[name=title]').fill('Message for you');
    await edit.getByRole('button', { name: 'Save trigger' }).click();
    await section.getByText('Trigger of messages saved.').waitFor();
    expect(ok(await api(t, admin)('GET', '/api/push/triggers/messages')).body.triggers).toEqual([
      {
        on: ['create', 'update'],
        userField: 'to',
        notification: { title: 'Message for you', body: '{{text}}' },
      },
    ]);

    // A bad template is refused with the server's words, on the field.
    await list.first().getByRole('button', { name: 'Edit' }).click();
    await edit.locator('input[name=title]').fill('From {{sender}}');
    await edit.getByRole('button', { name: 'Save trigger' }).click();
    await edit.getByText('{{sender}} is not a field of messages').first().waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();

    await list.first().getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete trigger' }).click();
    await section.getByText('No push triggers on messages').waitFor();
    expect(ok(await api(t, admin)('GET', '/api/push/triggers/messages')).body.triggers).toEqual([]);
  });

  it('reported no page errors (uncaught, console or CSP)', () => {
    expect(b.pageErrors).toEqual([]);
  });
});
