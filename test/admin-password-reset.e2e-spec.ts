import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminPasswordResetService, AdminsService } from '@plinth/auth';
import { JobsService } from '@plinth/jobs';
import { eventually } from '@plinth/testing';
import type { Page } from 'playwright-core';
import { adminToken, type ApiAnswer } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { type ReceivedMail, Mailbox } from './support/mailbox.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PUBLIC_URL = 'https://console.acme.example';
const PASSWORD = 'the first long password';
const NEW_PASSWORD = 'a brand new long password';
const RATE_PER_IP = 20;

let ipCounter = 0;
/** Each test speaks from its own address (X-Forwarded-For, trusted here), so per-IP counts stay apart. */
const newIp = () => `198.51.100.${++ipCounter}`;

/** The `#/reset-password?token=…` link of an admin reset mail, and its token. */
function resetLink(mail: ReceivedMail): { url: URL; token: string } {
  const match = mail.text.match(/https?:\/\/\S+\/_\/#\/reset-password\?token=\S+/);
  if (!match) throw new Error(`no reset link in the mail:\n${mail.text}`);
  const url = new URL(match[0]);
  const token = new URLSearchParams(url.hash.split('?')[1]).get('token')!;
  return { url, token };
}

/**
 * "Forgot password?" for admins (issue 28): a link mailed through a local SMTP server sets a new
 * password once and ends every session; unknown addresses get the same answer; requests are limited
 * per address and per IP; the console's sign-in page follows the whole way in Chromium.
 */
describe('admin password reset by mail', () => {
  let t: App;
  let mailbox: Mailbox;
  let b: TestBrowser;
  let page: Page;
  let admin: string;

  const call = async (ip: string, route: string, body: unknown, token?: string): Promise<ApiAnswer> => {
    const res = await t.fetch(route ? `/api/admins/${route}` : '/api/admins', {
      method: route === '' ? 'GET' : 'POST',
      headers: {
        'x-forwarded-for': ip,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const signIn = async (ip: string, email: string, password: string) =>
    call(ip, 'auth-with-password', { identity: email, password });
  const listWith = (ip: string, token: string) => call(ip, '', undefined, token);

  /** Waits until the requested mails are enqueued (or skipped) and the mail queue has run dry. */
  async function settle(): Promise<void> {
    await t.app.get(AdminPasswordResetService).idle();
    const queue = t.app.get(JobsService).queue('mail');
    await eventually(async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    });
  }

  beforeAll(async () => {
    buildConsoleIfStale();
    mailbox = await Mailbox.start();
    t = await startIsolatedApp({
      env: {
        SMTP_URL: mailbox.url,
        SMTP_FROM: 'Acme <ops@acme.example>',
        PLINTH_APP_NAME: 'Acme',
        PUBLIC_URL,
        PLINTH_TRUST_PROXY: 'true',
        PLINTH_AUTH_RATE_PER_IP: String(RATE_PER_IP),
      },
    });
    admin = await adminToken(t, 'settings-admin@example.com');
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
    await mailbox?.stop();
  });

  it('answers an unknown email as a known one, and mails only the admin', async () => {
    const ip = newIp();
    await t.app.get(AdminsService).create('ann@example.com', PASSWORD);
    const known = await call(ip, 'request-password-reset', { email: 'ANN@example.com' });
    const unknown = await call(ip, 'request-password-reset', { email: 'nobody@example.com' });
    expect({ status: unknown.status, body: unknown.body }).toEqual({
      status: known.status,
      body: known.body,
    });
    expect(known).toMatchObject({ status: 204, body: null });
    await settle();
    expect(mailbox.to('nobody@example.com')).toEqual([]);
    const [mail] = mailbox.to('ann@example.com');
    expect(mail!.subject).toBe('Reset your Acme admin password');
    expect(mail!.from).toBe('Acme <ops@acme.example>');
    expect(mail!.text).toContain(`for the Acme console at ${PUBLIC_URL}/_/`);
    expect(mail!.text).toContain('If this was not you, ignore this mail');
    const { url, token } = resetLink(mail!);
    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/_/`);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const bad = await call(ip, 'request-password-reset', { email: 'not an email' });
    expect(errorPaths(expectApiProblem(bad, 400, 'VALIDATION_FAILED'))).toEqual(['email']);
  });

  it('sets the password once, ends every old session, and voids the other links', async () => {
    const ip = newIp();
    await t.app.get(AdminsService).create('bob@example.com', PASSWORD);
    const sessions = [
      (await signIn(ip, 'bob@example.com', PASSWORD)).body.token,
      (await signIn(ip, 'bob@example.com', PASSWORD)).body.token,
    ];
    for (const s of sessions) expect((await listWith(ip, s)).status).toBe(200);

    await call(ip, 'request-password-reset', { email: 'bob@example.com' });
    await call(ip, 'request-password-reset', { email: 'bob@example.com' });
    const [first, second] = (await mailbox.waitFor('bob@example.com', 2)).map((m) => resetLink(m).token);

    // Bad bodies are refused before the token is looked at, so it still works afterwards.
    const mismatch = await call(ip, 'confirm-password-reset', {
      token: first,
      password: NEW_PASSWORD,
      passwordConfirm: `${NEW_PASSWORD}!`,
    });
    expect(errorPaths(expectApiProblem(mismatch, 400, 'VALIDATION_FAILED'))).toEqual(['passwordConfirm']);
    const short = await call(ip, 'confirm-password-reset', {
      token: first,
      password: 'short',
      passwordConfirm: 'short',
    });
    expect(errorPaths(expectApiProblem(short, 400, 'VALIDATION_FAILED'))).toEqual(['password']);

    const body = { token: first, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD };
    expect(await call(ip, 'confirm-password-reset', body)).toMatchObject({ status: 204, body: null });
    for (const s of sessions) expectApiProblem(await listWith(ip, s), 401, 'INVALID_TOKEN');
    expectApiProblem(await signIn(ip, 'bob@example.com', PASSWORD), 400, 'INVALID_CREDENTIALS');
    expect((await signIn(ip, 'bob@example.com', NEW_PASSWORD)).status).toBe(200);

    // Single use; the link mailed before the reset is void too; an unknown token is answered alike.
    const used = expectApiProblem(
      await call(ip, 'confirm-password-reset', body),
      400,
      'PASSWORD_RESET_TOKEN_INVALID',
    );
    expect(used.detail).toMatch(/unknown, used already or expired/);
    expectApiProblem(
      await call(ip, 'confirm-password-reset', {
        token: second,
        password: 'x'.repeat(12),
        passwordConfirm: 'x'.repeat(12),
      }),
      400,
      'PASSWORD_RESET_TOKEN_INVALID',
    );
    expectApiProblem(
      await call(ip, 'confirm-password-reset', { ...body, token: 'not-a-token' }),
      400,
      'PASSWORD_RESET_TOKEN_INVALID',
    );
    expect((await signIn(ip, 'bob@example.com', NEW_PASSWORD)).status).toBe(200);
  });

  it('mails one address at most 3 times in 10 minutes, still answering 204', async () => {
    const ip = newIp();
    await t.app.get(AdminsService).create('cem@example.com', PASSWORD);
    for (let i = 0; i < 5; i++) {
      expect((await call(ip, 'request-password-reset', { email: 'cem@example.com' })).status).toBe(204);
    }
    await settle();
    expect(mailbox.to('cem@example.com')).toHaveLength(3);
  });

  it(`limits requests per IP to PLINTH_AUTH_RATE_PER_IP (${RATE_PER_IP}) a minute`, async () => {
    const ip = newIp();
    const answers: number[] = [];
    for (let i = 0; i <= RATE_PER_IP; i++) {
      answers.push((await call(ip, 'request-password-reset', { email: `x${i}@example.com` })).status);
    }
    expect(answers.slice(0, RATE_PER_IP).every((s) => s === 204)).toBe(true);
    const refused = await call(ip, 'confirm-password-reset', {
      token: 'any',
      password: NEW_PASSWORD,
      passwordConfirm: NEW_PASSWORD,
    });
    expectApiProblem(refused, 429, 'TOO_MANY_REQUESTS');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await call(newIp(), 'request-password-reset', { email: 'y@example.com' })).status).toBe(204);
  });

  it('without an SMTP server, says so for every address (and no address leaks)', async () => {
    const ip = newIp();
    const settings = (mail: Record<string, unknown>) =>
      t.fetch('/api/settings', {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ mail }),
      });
    expect((await settings({ host: '' })).status).toBe(200);
    try {
      for (const email of ['ann@example.com', 'nobody@example.com']) {
        const res = await call(ip, 'request-password-reset', { email });
        const problem = expectApiProblem(res, 400, 'MAIL_NOT_CONFIGURED');
        expect(problem.detail).toContain('npm run plinth -- admin reset-password <email>');
      }
      await page.goto(`${t.url}/_/#/login`);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.getByLabel('Email').fill('ann@example.com');
      await page.getByRole('button', { name: 'Mail me a reset link' }).click();
      await page.getByRole('alert').filter({ hasText: 'This server cannot send mail' }).waitFor();
      await b.screenshot('admin-reset-01-no-mail');
    } finally {
      expect((await settings({ host: '127.0.0.1' })).status).toBe(200);
    }
  });

  it('in the console: "Forgot password?", the mailed link, the new password, sign-in', async () => {
    await t.app.get(AdminsService).create('dee@example.com', PASSWORD);
    const elsewhere = (await signIn(newIp(), 'dee@example.com', PASSWORD)).body.token;
    await page.goto(`${t.url}/_/#/login`);
    await page.getByLabel('Email').fill('dee@example.com');
    // Keyboard only: from the email field to the link.
    await page.getByRole('link', { name: 'Forgot password?' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe('dee@example.com');
    await page.getByRole('button', { name: 'Mail me a reset link' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your mail' }).waitFor();
    await page.getByText('a link to choose a new password is on its way').waitFor();
    await b.screenshot('admin-reset-02-check-mail');

    const [mail] = await mailbox.waitFor('dee@example.com');
    const { url } = resetLink(mail!);
    // The mail names the public URL; the test server listens elsewhere.
    await page.goto('about:blank');
    await page.goto(`${t.url}${url.pathname}${url.hash}`);
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await page.locator('input[name=password]').fill(NEW_PASSWORD);
    await page.locator('input[name=passwordConfirm]').fill(`${NEW_PASSWORD}?`);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('The two passwords differ.').waitFor();
    await page.locator('input[name=passwordConfirm]').fill(NEW_PASSWORD);
    await page.setViewportSize({ width: 390, height: 844 });
    await b.screenshot('admin-reset-03-new-password-phone');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Password changed' }).waitFor();
    expect((await listWith(newIp(), elsewhere)).status).toBe(401);

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill('dee@example.com');
    await page.locator('input[name=password]').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
    await page.setViewportSize({ width: 1280, height: 860 });

    // The link worked once: opened again, the page says so in words.
    await page.evaluate(() => localStorage.clear());
    await page.goto('about:blank');
    await page.goto(`${t.url}${url.pathname}${url.hash}`);
    await page.locator('input[name=password]').fill('yet another long password');
    await page.locator('input[name=passwordConfirm]').fill('yet another long password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown, used already or expired' }).waitFor();
    await b.screenshot('admin-reset-04-link-used');
    expect(b.pageErrors).toEqual([]);
  });
});

declare const localStorage: { clear(): void };
