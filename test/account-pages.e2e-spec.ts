import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { api } from './support/auth.js';
import { mailedLink } from './support/account-links.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { Mailbox, type ReceivedMail } from './support/mailbox.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const document: {
  documentElement: { scrollWidth: number; lang: string };
  activeElement: { id: string } | null;
};

const PASSWORD = 'first-password-123';
const NEW_PASSWORD = 'a brand new password';
const PUBLIC_URL = 'https://accounts.acme.example';
const APP_URL = 'https://acme.example/home';

let counter = 0;
const address = (name: string) => `${name}-${++counter}-${Date.now().toString(36)}@example.com`;

/**
 * The pages the account mails link to, in Debian's Chromium at phone width: each flow starts from the
 * mail the local SMTP server received and ends in the state a user expects (issue 28).
 */
describe('account pages followed from the mails', () => {
  let t: App;
  let mailbox: Mailbox;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    t = await startIsolatedApp({
      env: {
        SMTP_URL: mailbox.url,
        PLINTH_APP_NAME: 'Acme <Notes>',
        PLINTH_APP_URL: APP_URL,
        PUBLIC_URL,
        PLINTH_AUTH_RATE_PER_IP: '10000',
      },
    });
    b = await launchBrowser({ width: 390, height: 844 });
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
    await mailbox?.stop();
  });

  const post = (route: string, body: unknown, token?: string) =>
    api(t, token)('POST', `/api/collections/users/${route}`, body);
  const signIn = (identity: string, password: string) =>
    api(t)('POST', '/api/collections/users/auth-with-password', { identity, password });

  async function signUp(name: string): Promise<{ id: string; email: string }> {
    const email = address(name);
    const res = await post('records', { email, password: PASSWORD, passwordConfirm: PASSWORD });
    expect(res.status).toBe(200);
    return { id: res.body.id, email };
  }

  /** Opens the mailed link: the test server listens on a free port, so only the origin is swapped. */
  async function follow(mail: ReceivedMail, name: string) {
    const link = mailedLink(mail, name);
    expect(link.origin).toBe(PUBLIC_URL);
    expect(link.hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);
    await page.goto('about:blank'); // a fresh load, as from the mail app (not a same-page hash change)
    const res = await page.goto(`${t.url}${link.pathname}${link.search}${link.hash}`);
    expect(res!.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-frame-options']).toBe('DENY');
    await page.getByText('Acme <Notes>', { exact: true }).waitFor();
    return link;
  }

  const status = () => page.getByRole('status');
  const h1 = () => page.getByRole('heading', { level: 1 });
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
  const fitsTheWidth = () => page.evaluate(() => document.documentElement.scrollWidth <= 390);

  it('verification: the user confirms from the mail and is verified', async () => {
    const user = await signUp('verify');
    expect((await post('request-verification', { email: user.email })).status).toBe(204);
    const [mail] = await mailbox.waitFor(user.email);

    await follow(mail!, 'confirm-verification');
    expect(await h1().textContent()).toBe('Confirm your email');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.getByRole('heading').count()).toBe(1);
    expect(new URL(page.url()).hash).toBe('');
    expect(await fitsTheWidth()).toBe(true);
    await b.screenshot('account-verification-form');

    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await status().getByText('Your email is confirmed').waitFor();
    expect(await page.getByRole('link', { name: 'Back to Acme <Notes>' }).getAttribute('href')).toBe(APP_URL);
    await b.screenshot('account-verification-done');

    const after = await signIn(user.email, PASSWORD);
    expect(after.body.record).toMatchObject({ id: user.id, verified: true });
    expect(b.pageErrors).toEqual([]);
  });

  it('password reset: the rules are shown, the entries must match, then only the new password works', async () => {
    const user = await signUp('reset');
    expect((await post('request-password-reset', { email: user.email })).status).toBe(204);
    const [mail] = await mailbox.waitFor(user.email);

    await follow(mail!, 'confirm-password-reset');
    expect(await h1().textContent()).toBe('Set a new password');
    await page.getByText('Use 8 to 256 characters.').waitFor();
    expect(await focusedId()).toBe('password');
    expect(await page.getByLabel('New password', { exact: true }).getAttribute('minlength')).toBe('8');

    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD + '!');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await status().getByText('The two passwords differ').waitFor();
    expect(await focusedId()).toBe('passwordConfirm');
    expect(await fitsTheWidth()).toBe(true);
    await b.screenshot('account-reset-mismatch');
    expect((await signIn(user.email, PASSWORD)).status).toBe(200);

    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await status().getByText('Your new password is set').waitFor();
    expect(await page.locator('form').isHidden()).toBe(true);
    await b.screenshot('account-reset-done');

    const fresh = await signIn(user.email, NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    expect(fresh.body.record.id).toBe(user.id);
    expect((await signIn(user.email, PASSWORD)).status).toBe(400);

    // The same link again: used up, said in words, no form left to retry.
    await follow(mail!, 'confirm-password-reset');
    await page.getByLabel('New password', { exact: true }).fill('yet another password');
    await page.getByLabel('New password again').fill('yet another password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await status().getByText('This link is unknown, used already or expired. Ask for a new one.').waitFor();
    expect(await page.locator('form').isHidden()).toBe(true);
    expect((await signIn(user.email, NEW_PASSWORD)).status).toBe(200);
    expect(b.pageErrors).toEqual([]);
  });

  it('email change: the new address gets the link; with the password the account has the new email', async () => {
    const user = await signUp('mover');
    const session = (await signIn(user.email, PASSWORD)).body;
    const newEmail = address('moved');
    expect((await post('request-email-change', { newEmail }, session.token)).status).toBe(204);
    const [mail] = await mailbox.waitFor(newEmail);

    await follow(mail!, 'confirm-email-change');
    expect(await h1().textContent()).toBe('Confirm your new email');
    expect(await focusedId()).toBe('password');
    await page.getByLabel('Your current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm the new email' }).click();
    await status().getByText('Your email is changed').waitFor();
    await b.screenshot('account-email-change-done');

    const moved = await signIn(newEmail, PASSWORD);
    expect(moved.status).toBe(200);
    expect(moved.body.record).toMatchObject({ id: user.id, email: newEmail });
    expect((await signIn(user.email, PASSWORD)).status).toBe(400);
    expect(b.pageErrors).toEqual([]);
  });

  it('a bad, missing or foreign link ends with a clear message', async () => {
    await page.goto(`${t.url}/_/account/confirm-verification?collection=users#token=not-a-real-token`);
    await page.getByRole('button', { name: 'Confirm my email' }).click();
    await status().getByText('This link is unknown, used already or expired. Ask for a new one.').waitFor();
    await b.screenshot('account-invalid-token');

    await page.goto(`${t.url}/_/account/confirm-verification?collection=users`);
    await status().getByText('This link is incomplete').waitFor();
    expect(await page.locator('form').isHidden()).toBe(true);

    const res = await page.goto(`${t.url}/_/account/confirm-verification?collection=nope%3Cb%3E`);
    expect(res!.status()).toBe(404);
    expect(await h1().textContent()).toBe('This link does not work');
    await page.getByText('names no existing user collection').waitFor();
    expect((await page.goto(`${t.url}/_/account/other-page?collection=users`))!.status()).toBe(404);
    expect(b.pageErrors).toEqual([]);
  });
});
