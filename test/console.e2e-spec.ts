import { AdminsService } from '@plinth/auth';
import { eventually } from '@plinth/testing';
import type { Page } from 'playwright-core';
import { api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { startWebPushTesting, type WebPushService } from './support/push-providers.js';
import { Mailbox } from './support/mailbox.js';
import { createUser, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

// Browser globals used inside page.evaluate callbacks, which run in Chromium (the Node typings lack the DOM).
interface BrowserElement {
  alt?: string;
  naturalWidth?: number;
  tagName: string;
  className: string;
  textContent: string | null;
  children: ArrayLike<BrowserElement>;
  closest(selector: string): BrowserElement | null;
  getBoundingClientRect(): { right: number };
  querySelectorAll(selector: string): Iterable<BrowserElement>;
}
declare const localStorage: { getItem(key: string): string | null; clear(): void };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const window: { innerWidth: number };
declare const document: {
  documentElement: { scrollWidth: number };
  querySelector(selector: string): BrowserElement | null;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
};

const EMAIL = 'owner@example.com';
// A 2×2 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==',
  'base64',
);
const PASSWORD = 'a long enough password';

/**
 * The admin console in Debian's Chromium against a real server: first admin through the setup link,
 * a collection with three field types and a rule, records through the form, filter, rename, API key.
 * Steps run in order and share the browser; screenshots go to test-output/console/.
 */
describe('admin console in a browser', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;
  let setupToken: string;
  let wpt: WebPushService;
  let pat: Awaited<ReturnType<typeof createUser>>;
  let mailbox: Mailbox;

  beforeAll(async () => {
    buildConsoleIfStale();
    wpt = await startWebPushTesting();
    mailbox = await Mailbox.start();
    t = await startIsolatedApp({ env: { PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true' } });
    // The server printed a link at boot; a second one is as valid while no admin exists.
    setupToken = (await t.app.get(AdminsService).issueSetupLinkIfNeeded())!;
    b = await launchBrowser();
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
    await wpt?.stop();
    await mailbox?.stop();
  });

  const goto = async (hash: string) => {
    await page.goto(`${t.url}/_/#${hash}`);
  };
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  it('creates the first admin through the one-time setup link and keeps the session', async () => {
    await goto(`/setup?token=${setupToken}`);
    await heading('Create the first admin').waitFor();
    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=passwordConfirm]', 'something else entirely');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.getByText('The two passwords differ.').waitFor();
    await page.fill('input[name=passwordConfirm]', PASSWORD);
    await b.screenshot('01-setup');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();

    await heading('Collections').waitFor();
    // Only the default auth collection so far.
    await page.locator('[data-testid=collections-table] tr', { hasText: 'users' }).waitFor();
    await b.screenshot('02-collections');

    // The session survives a reload (localStorage).
    await page.reload();
    await heading('Collections').waitFor();
    expect(await page.evaluate(() => Object.keys(localStorage))).toContain('plinth_console_admin');

    // The link is single-use: opening it again says an admin exists and how to sign in.
    await page.evaluate(() => localStorage.clear());
    await goto(`/setup?token=${setupToken}`);
    await page.getByText('An admin exists already, so this setup link no longer works').waitFor();
    expect(await page.locator('input[name=password]').count()).toBe(0);
  });

  it('signs in with the password, refuses a wrong one, and signs out', async () => {
    await goto('/login');
    await heading('Sign in').waitFor();
    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', 'wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The email or password is wrong.' }).waitFor();
    await b.screenshot('03-sign-in-error');

    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Collections').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('plinth_console_admin'))).toBeNull();

    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Collections').waitFor();
  });

  it('creates a collection with three field types and a rule the server checked', async () => {
    await page.getByRole('button', { name: 'New collection' }).click();
    await heading('New collection').waitFor();
    await page.fill('input[name=name]', 'tasks');
    const fields: Array<[string, string, boolean]> = [
      ['title', 'text', true],
      ['points', 'number', false],
      ['done', 'bool', false],
      ['cover', 'file', false],
    ];
    for (const [i, [name, type, required]] of fields.entries()) {
      await page.getByTestId('add-field').click();
      await page.fill(`input[name=field-name-${i}]`, name);
      await page.selectOption(`select[name=field-type-${i}]`, type);
      if (required) await page.check(`input[name=field-required-${i}]`);
    }

    // A rule naming a field that does not exist: the server's problem is shown at the rule.
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByLabel('List access').selectOption('rule');
    await page.fill('textarea[name=listRule]', 'nosuchfield > 1');
    await page.getByLabel('View access').selectOption('anyone');
    await page.getByTestId('save-collection').click();
    const ruleCard = page.locator('[data-rule=listRule]');
    await ruleCard.locator('.field-error').waitFor();
    expect(await ruleCard.locator('.field-error').innerText()).toMatch(/nosuchfield/);
    await b.screenshot('04-collection-rule-error');

    await page.fill('textarea[name=listRule]', "title != '' && points >= 0");
    await page.getByTestId('save-collection').click();
    await heading('Schema of tasks').waitFor();
    await page.getByText('Saved tasks.').waitFor();

    const saved = await api(t, await adminTokenFromPage(page))('GET', '/api/collections/tasks');
    expect(saved.status).toBe(200);
    expect(saved.body.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual([
      'title:text',
      'points:number',
      'done:bool',
      'cover:file',
    ]);
    expect(saved.body.fields[0].required).toBe(true);
    expect(saved.body.listRule).toBe("title != '' && points >= 0");
    expect(saved.body.viewRule).toBe('');
    expect(saved.body.createRule).toBeNull();
    await page.getByRole('tab', { name: /Fields/ }).click();
    await b.screenshot('05-collection-editor');
  });

  it('adds records through the form, shows field errors, sorts and filters', async () => {
    await goto('/collections/tasks');
    await heading('tasks').waitFor();
    await page.getByText('No records in tasks yet').waitFor();

    // Missing the required title: the server's field error appears under the field.
    await page.getByTestId('new-record').click();
    await page.fill('#field-points', '3');
    await page.getByTestId('save-record').click();
    await page.locator('label:has(#field-title) .field-error').waitFor();
    await b.screenshot('06-record-form-error');

    await page.fill('#field-title', 'Write the docs');
    await page.getByTestId('save-record').click();
    await page
      .getByRole('dialog')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await page.locator('[data-testid=records-table] tbody tr').first().waitFor();

    for (const [title, points, done] of [
      ['Fix the login bug', '8', true],
      ['Plan the release', '13', false],
    ] as const) {
      await page.getByTestId('new-record').click();
      await page.fill('#field-title', title);
      await page.fill('#field-points', points);
      if (done) await page.check('#field-done');
      await page.getByTestId('save-record').click();
      await page.locator('[data-testid=records-table] tbody tr', { hasText: title }).waitFor();
    }
    const rows = page.locator('[data-testid=records-table] tbody tr');
    expect(await rows.count()).toBe(3);
    await page.getByText('3 records').waitFor();

    // Sort by points, ascending then descending.
    await page.getByRole('button', { name: /^points/ }).click();
    await expectColumn(page, 'title', ['Write the docs', 'Fix the login bug', 'Plan the release']);
    await page.getByRole('button', { name: /^points/ }).click();
    await expectColumn(page, 'title', ['Plan the release', 'Fix the login bug', 'Write the docs']);
    await b.screenshot('07-records');

    await page.fill('input[name=filter]', 'points > 5 && done = false');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expectColumn(page, 'title', ['Plan the release']);

    await page.fill('input[name=filter]', 'points >>> 5');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.locator('.filter-error').waitFor();
    expect((await page.locator('.filter-error').innerText()).length).toBeGreaterThan(10);
    await b.screenshot('08-filter-error');

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(rows.count()).resolves.toBeGreaterThan(0);
    await page.getByText('3 records').waitFor();

    // Edit one record through the form, with an image: previewed before saving, shown from the server after.
    await page.locator('tr', { hasText: 'Write the docs' }).getByRole('button', { name: 'Edit' }).click();
    await page.fill('#field-points', '4');
    await page.setInputFiles('#field-cover', { name: 'cover.png', mimeType: 'image/png', buffer: PNG });
    await page.locator('img[alt=preview]').waitFor();
    await page.getByTestId('save-record').click();
    await page.locator('tr', { hasText: 'Write the docs' }).getByText('4', { exact: true }).waitFor();
    const stored = await api(t, await adminTokenFromPage(page))(
      'GET',
      `/api/collections/tasks/records?filter=${encodeURIComponent("title = 'Write the docs'")}`,
    );
    expect(stored.body.items[0].cover).toMatch(/\.png$/);
    await page.locator('tr', { hasText: 'Write the docs' }).getByRole('button', { name: 'Edit' }).click();
    const img = page.locator(`.thumbs img[alt="${stored.body.items[0].cover}"]`);
    await img.waitFor();
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll('.thumbs img')].some((el) => el.alt === name && el.naturalWidth! > 0),
      stored.body.items[0].cover,
    );
    await b.screenshot('09-record-with-file');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('renames a field in the schema and the data stays', async () => {
    await goto('/collections/tasks/schema');
    await heading('Schema of tasks').waitFor();
    await page.fill('input[name=field-name-1]', 'score');
    await page.getByText('Renamed from points; the data stays.').waitFor();
    // Reorder: done moves above score.
    await page.getByRole('button', { name: 'Move done up' }).click();
    await page.getByTestId('save-collection').click();
    // The list rule still names the old field: the server refuses, and the console shows it at the rule.
    const ruleError = page.locator('[data-rule=listRule] .field-error');
    await ruleError.waitFor();
    expect(await ruleError.innerText()).toMatch(/points/);
    await page.fill('textarea[name=listRule]', "title != '' && score >= 0");
    await page.getByTestId('save-collection').click();
    await page.getByText('Saved tasks.').waitFor();

    await goto('/collections/tasks');
    await page.getByRole('button', { name: /^score/ }).click();
    await expectColumn(page, 'score', ['4', '8', '13']);
    const token = await adminTokenFromPage(page);
    const list = await api(t, token)('GET', '/api/collections/tasks/records?sort=score');
    expect(list.body.items.map((r: { score: number }) => r.score)).toEqual([4, 8, 13]);
    expect(list.body.items[0].points).toBeUndefined();
    const c = await api(t, token)('GET', '/api/collections/tasks');
    expect(c.body.fields.map((f: { name: string }) => f.name)).toEqual(['title', 'done', 'score', 'cover']);
  });

  it('creates an API key shown once, which then works with fetch, and revokes it', async () => {
    await goto('/keys');
    await heading('API keys').waitFor();
    await page.getByText('No API keys yet').waitFor();
    await page.getByRole('button', { name: 'Create an API key' }).click();
    await page.fill('input[name=name]', 'reporting');
    await page.check('input[name=scope][value="tasks:read"]');
    await b.screenshot('10-key-create');
    await page.getByTestId('create-key').click();
    const key = (await page.getByTestId('new-key').innerText()).trim();
    expect(key).toMatch(/^plk_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await b.screenshot('11-key-shown-once');
    await page.getByRole('button', { name: 'I have stored it' }).click();

    const read = await fetch(`${t.url}/api/collections/tasks/records`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { totalItems: number }).totalItems).toBe(3);
    const write = await fetch(`${t.url}/api/collections/tasks/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'not allowed' }),
    });
    expect(write.status).toBe(403);

    await page.reload();
    const row = page.locator('[data-testid=keys-table] tr', { hasText: 'reporting' });
    await row.waitFor();
    expect(await row.innerText()).toContain('tasks:read');
    expect(await row.locator('td').nth(3).innerText()).not.toBe('never'); // last used
    await b.screenshot('12-keys');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('No API keys yet').waitFor();
    const after = await fetch(`${t.url}/api/collections/tasks/records`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(after.status).toBe(401);
  });

  it('sends a push to a Web Push device and shows its per-device result', async () => {
    // A user's browser subscribed at the local push service and registered as a device.
    const user = (pat = await createUser(t, 'Pat'));
    const { publicKey } = ok(await api(t)('GET', '/api/push/vapid-public-key')).body;
    const sub = await wpt.subscribe(publicKey);
    const device = ok(
      await api(t, user.token)('POST', '/api/push/devices', {
        platform: 'webpush',
        subscription: { endpoint: sub.endpoint, keys: sub.keys },
      }),
    ).body;

    await goto('/push');
    await heading('Push').waitFor();
    await page.fill('input[name=title]', 'Release day');
    await page.fill('textarea[name=body]', 'Version 2 is out 🚀');
    await page.fill('input[name=users]', user.id);
    await page.locator('.notif-title', { hasText: 'Release day' }).waitFor();
    await b.screenshot('14-push-compose');
    await page.getByRole('button', { name: 'Send now' }).click();
    const deliveries = page.getByTestId('push-deliveries');
    await deliveries.waitFor();
    expect(await deliveries.innerText()).toContain(device.id);
    // The worker runs inline; refresh until the delivery is recorded as sent.
    await eventually(async () => {
      if ((await deliveries.innerText()).includes('sent')) return true;
      const answered = page.waitForResponse((r) => r.url().includes('/api/push/messages/'));
      await page.getByRole('button', { name: 'Refresh' }).click();
      await answered;
      return false;
    }, 20_000);
    expect(await deliveries.locator('tbody tr').first().innerText()).toMatch(/webpush\s+sent\s+1/);
    await b.screenshot('15-push-message');
    const received = (await wpt.notifications(sub.clientHash)).map((r) => JSON.parse(r));
    expect(received).toEqual([
      expect.objectContaining({ title: 'Release day', body: 'Version 2 is out 🚀' }),
    ]);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('push-messages').getByText('Release day').waitFor();
  });

  it('lists the users of an auth collection and ends the sessions of one user', async () => {
    await goto('/collections/users');
    const row = page.locator('[data-testid=records-table] tr', { hasText: pat.email });
    await row.waitFor();
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Revoke sessions' }).click();
    await page.getByText('Every session of this user has ended; they must sign in again.').waitFor();
    await b.screenshot('16-user');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Sign-in settings of the auth collection: a bad redirect entry is refused in place, then saved.
    await goto('/collections/users/schema');
    await page.getByRole('tab', { name: 'Sign-in' }).click();
    await page.check('input[name=oauth2-enabled]');
    await page.fill('textarea[name=redirectAllowList]', 'not a url');
    await page.getByRole('button', { name: '+ Add provider' }).click();
    await page.fill('input[name=provider-0-clientId]', 'google-client-id');
    await page.fill('input[name=provider-0-clientSecret]', 'google-client-secret');
    await page.getByTestId('save-collection').click();
    await page.locator('label:has(textarea[name=redirectAllowList]) .field-error').waitFor();
    await b.screenshot('17-sign-in-settings-error');
    await page.fill('textarea[name=redirectAllowList]', 'https://app.example/auth');
    await page.getByTestId('save-collection').click();
    await page.getByText('Saved users.').waitFor();
    const users = ok(await api(t, await adminTokenFromPage(page))('GET', '/api/collections/users')).body;
    expect(users.oauth2).toMatchObject({
      enabled: true,
      redirectAllowList: ['https://app.example/auth'],
      providers: [{ name: 'google', clientId: 'google-client-id', clientSecret: '' }],
    });
  });

  it('picks a related record by searching for it', async () => {
    const token = await adminTokenFromPage(page);
    ok(
      await api(t, token)('POST', '/api/collections', {
        name: 'notes',
        type: 'base',
        fields: [
          { name: 'text', type: 'text' },
          { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
      }),
    );
    await goto('/collections/notes');
    await page.getByRole('button', { name: 'Add the first record' }).click();
    await page.fill('#field-text', 'hello');
    await page.getByLabel('Search users').fill('pat-');
    await page.locator('.picker button', { hasText: pat.id }).click();
    expect(await page.inputValue('input[name=author]')).toBe(pat.id);
    await page.getByTestId('save-record').click();
    // The table shows the expanded user, not only an id.
    const noteRow = page.locator('[data-testid=records-table] tr', { hasText: 'hello' });
    await noteRow.waitFor();
    expect(await noteRow.innerText()).toContain(`(…${pat.id.slice(-6)})`);
    expect(await noteRow.innerText()).toMatch(/Pat|pat-/);
    const notes = ok(await api(t, token)('GET', '/api/collections/notes/records')).body;
    expect(notes.items.map((n: { author: string }) => n.author)).toEqual([pat.id]);
  });

  it('previews a schema import before applying it', async () => {
    await goto('/collections/import');
    await heading('Import and export the schema').waitFor();
    const exported = ok(await api(t, await adminTokenFromPage(page))('GET', '/api/collections/export')).body;
    const tasks = exported.collections.find((c: { name: string }) => c.name === 'tasks');
    tasks.fields.push({ name: 'notes', type: 'text' });
    await page.fill('textarea[name=schema]', JSON.stringify(exported));
    await page.getByRole('button', { name: 'Preview changes' }).click();
    const plan = page.getByTestId('schema-plan');
    await plan.waitFor();
    expect(await plan.innerText()).toMatch(/tasks\s+changed\s+\+ field notes \(text\)/);
    await b.screenshot('18-schema-import');
    let c = await api(t, await adminTokenFromPage(page))('GET', '/api/collections/tasks');
    expect(c.body.fields.map((f: { name: string }) => f.name)).not.toContain('notes'); // a preview changes nothing
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/Applied 1 change/).waitFor();
    c = await api(t, await adminTokenFromPage(page))('GET', '/api/collections/tasks');
    expect(c.body.fields.map((f: { name: string }) => f.name)).toContain('notes');
  });

  it('renders the settings sections and works at phone width', async () => {
    await goto('/settings');
    await heading('Settings').waitFor();
    await page.locator('.loading').waitFor({ state: 'detached' });
    expect(await page.locator('.banner-error').count()).toBe(0);
    // Storage settings: the driver is a choice, secrets are write-only, the connection can be tested.
    const storage = page.locator('[data-section=storage]');
    expect(await storage.locator('select[name="storage.driver"]').inputValue()).toBe('local');
    expect(await storage.locator('input[name="storage.s3SecretAccessKey"]').getAttribute('type')).toBe(
      'password',
    );
    await storage.getByRole('button', { name: 'Test connection' }).click();
    await storage.getByText('The local storage answered').waitFor();
    await b.screenshot('19-settings');

    // Mail settings: point them at the local SMTP server, save, and send a test mail from the page.
    const mail = page.locator('[data-section=mail]');
    expect(await mail.locator('input[name="mail.password"]').getAttribute('type')).toBe('password');
    await mail.locator('input[name="mail.host"]').fill('127.0.0.1');
    await mail.locator('input[name="mail.port"]').fill(new URL(mailbox.url).port);
    await mail.locator('input[name="mail.from"]').fill('Console <console@example.com>');
    await mail.getByRole('button', { name: 'Save mail' }).click();
    await mail.getByText('Saved.').waitFor();
    await mail.locator('input[name="mail.testTo"]').fill('ops@example.com');
    await mail.getByRole('button', { name: 'Send test mail' }).click();
    await mail.getByText(/took the test mail to ops@example\.com/).waitFor();
    expect(mailbox.to('ops@example.com')).toEqual([
      expect.objectContaining({ from: 'Console <console@example.com>', subject: 'Test mail from Plinth' }),
    ]);
    await b.screenshot('19b-settings-test-mail');

    await page.setViewportSize({ width: 390, height: 844 });
    await goto('/collections');
    await heading('Collections').waitFor();
    expect(await page.locator('nav.sidebar').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.locator('nav.sidebar').getByRole('link', { name: 'API keys' }).waitFor();
    await b.screenshot('20-phone-menu');
    await page.locator('nav.sidebar').getByRole('link', { name: 'Collections' }).click();
    await goto('/collections/tasks');
    await page.locator('[data-testid=records-table]').waitFor();
    // Nothing wider than the screen but the table's own scroller.
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (el) => !el.closest('.table-wrap') && el.getBoundingClientRect().right > window.innerWidth + 1,
        )
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    );
    expect(overflowing).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await b.screenshot('21-phone-records');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('ran without page errors or CSP violations', () => {
    expect(b.pageErrors).toEqual([]);
  });
});

async function adminTokenFromPage(page: Page): Promise<string> {
  const raw = await page.evaluate(() => localStorage.getItem('plinth_console_admin'));
  return (JSON.parse(raw ?? '{}') as { token: string }).token;
}

/** The texts of one column, top to bottom, once they equal `expected` (the table reloads asynchronously). */
async function expectColumn(page: Page, column: string, expected: string[]): Promise<void> {
  const read = () =>
    page.evaluate((col) => {
      const table = document.querySelector('[data-testid=records-table]');
      if (!table) return [];
      const heads = [...table.querySelectorAll('thead th')].map((th) =>
        th.textContent?.replace(/[▲▼]/g, '').trim(),
      );
      const i = heads.indexOf(col);
      return [...table.querySelectorAll('tbody tr')].map((tr) => tr.children[i]?.textContent?.trim() ?? '');
    }, column);
  await page
    .waitForFunction(
      ([col, want]) => {
        const table = document.querySelector('[data-testid=records-table]');
        if (!table) return false;
        const heads = [...table.querySelectorAll('thead th')].map((th) =>
          th.textContent?.replace(/[▲▼]/g, '').trim(),
        );
        const i = heads.indexOf(col as string);
        const got = [...table.querySelectorAll('tbody tr')].map(
          (tr) => tr.children[i]?.textContent?.trim() ?? '',
        );
        return JSON.stringify(got) === JSON.stringify(want);
      },
      [column, expected] as const,
      { timeout: 10_000 },
    )
    .catch(async () => {
      throw new Error(
        `column ${column} shows ${JSON.stringify(await read())}, expected ${JSON.stringify(expected)}`,
      );
    });
}
