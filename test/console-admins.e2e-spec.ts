import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import type { Page } from 'playwright-core';
import { api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { ok } from './support/records.js';
import { startIsolatedApp, type TestApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const localStorage: { getItem(key: string): string | null };

const OWNER = 'owner@example.com';
const OTHER = 'other@example.com';
const PASSWORD = 'a long enough password';
const NEW_PASSWORD = 'a different long password';

async function signInApi(t: TestApp, email: string, password: string): Promise<string> {
  return ok(await api(t)('POST', '/api/admins/auth-with-password', { identity: email, password })).body.token;
}
const statusWith = async (t: TestApp, token: string) =>
  (await api(t, token)('GET', '/api/collections')).status;

/**
 * The console's admin account actions in Debian's Chromium against a real server: sign out (ending the
 * session on the server), change the password, list and delete admins, sign out everywhere.
 */
describe('admin console: sessions, password and admins', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '1000' } });
    await t.app.get(AdminsService).create(OWNER, PASSWORD);
    await t.app.get(AdminsService).create(OTHER, PASSWORD);
    b = await launchBrowser();
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const consoleToken = async () =>
    JSON.parse((await page.evaluate(() => localStorage.getItem('plinth_console_admin'))) ?? '{}')
      .token as string;
  const signIn = async (password: string) => {
    await page.goto(`${t.url}/_/#/login`);
    await heading('Sign in').waitFor();
    await page.fill('input[name=email]', OWNER);
    await page.fill('input[name=password]', password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Collections').waitFor();
  };

  it('"Sign out" ends the session on the server, not only in the browser', async () => {
    await signIn(PASSWORD);
    const token = await consoleToken();
    expect(token).toEqual(expect.any(String));
    expect(await statusWith(t, token)).toBe(200);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading('Sign in').waitFor();
    expect(await page.evaluate(() => localStorage.getItem('plinth_console_admin'))).toBeNull();
    expect(await statusWith(t, token)).toBe(401);
  });

  it('changes the password: a wrong current one is refused, then the other sessions end', async () => {
    const elsewhere = await signInApi(t, OWNER, PASSWORD);
    await signIn(PASSWORD);
    await page.getByRole('link', { name: 'Admins' }).click();
    await heading('Admins').waitFor();

    await page.fill('input[name=currentPassword]', 'not my password at all');
    await page.fill('input[name=newPassword]', NEW_PASSWORD);
    await page.fill('input[name=newPasswordConfirm]', NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'The current password is wrong.' }).waitFor();
    expect(await statusWith(t, elsewhere)).toBe(200);

    await page.fill('input[name=currentPassword]', PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions have ended').waitFor();
    await b.screenshot('admins-01-password-changed');
    expect(await statusWith(t, elsewhere)).toBe(401);
    expect(await statusWith(t, await consoleToken())).toBe(200);
    expect(await statusWith(t, await signInApi(t, OWNER, NEW_PASSWORD))).toBe(200);
  });

  it('lists the admins and deletes one, whose sessions end; the last admin stays', async () => {
    const other = await signInApi(t, OTHER, PASSWORD);
    await page.reload();
    await heading('Admins').waitFor();
    const table = page.locator('[data-testid=admins-table]');
    await table.locator('tr', { hasText: OTHER }).waitFor();
    await table.locator('tr', { hasText: OWNER }).getByText('you').waitFor();

    await table.locator('tr', { hasText: OTHER }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete admin' }).click();
    await table.locator('tr', { hasText: OTHER }).waitFor({ state: 'detached' });
    expect(await statusWith(t, other)).toBe(401);

    await table.locator('tr', { hasText: OWNER }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete admin' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /last admin/ })
      .waitFor();
    await b.screenshot('admins-02-last-admin');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await t.db.query('SELECT email FROM plinth.admin')).rows).toEqual([{ email: OWNER }]);
  });

  it('"Sign out everywhere" ends every session of the admin, this one too', async () => {
    const elsewhere = await signInApi(t, OWNER, NEW_PASSWORD);
    const mine = await consoleToken();
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
    await heading('Sign in').waitFor();
    expect(await statusWith(t, elsewhere)).toBe(401);
    expect(await statusWith(t, mine)).toBe(401);
    expect(b.pageErrors).toEqual([]);
  });
});
