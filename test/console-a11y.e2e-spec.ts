import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import type { Page } from 'playwright-core';
import { adminToken, api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { createKey, createUser, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}
declare const axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> };
declare const window: { axe?: unknown };
interface FocusedElement {
  id: string;
  name: string;
  textContent: string | null;
  closest(selector: string): unknown;
}
declare const document: { activeElement: FocusedElement | null };

const EMAIL = 'keyboard@example.com';
const PASSWORD = 'a long enough password';
/** axe-core's browser build, evaluated in the page (the console's CSP refuses inline script tags, not this). */
const AXE_SOURCE = readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

/**
 * The console by keyboard and for assistive technology (issue 28), in Debian's Chromium: a skip link
 * first, dialogs that take focus, keep Tab inside and give focus back, and no serious or critical axe
 * violation on the main pages and the account pages, at desktop and phone sizes.
 */
describe('console keyboard and accessibility', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    await t.app.get(AdminsService).create(EMAIL, PASSWORD);
    const admin = await adminToken(t);
    const user = await createUser(t, 'Dana');
    await createKey(t, admin, ['push:send']);
    ok(
      await api(t, admin)('POST', '/api/push/send', {
        targets: { users: [user.id] },
        notification: { title: 'Welcome' },
      }),
      202,
    );
    b = await launchBrowser(DESKTOP);
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const goto = async (route: string, title: string | RegExp) => {
    await page.goto(`${t.url}/_/#${route}`);
    await heading(title).waitFor();
  };
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return {
        id: el?.id ?? '',
        name: el?.name ?? '',
        text: el?.textContent?.trim() ?? '',
        inDialog: Boolean(el?.closest('dialog[open]')),
        inMain: Boolean(el?.closest('main')),
      };
    });

  /** The serious and critical violations axe finds on the page as it is now. */
  async function axeProblems(): Promise<string[]> {
    if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () =>
      (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target })),
      })),
    );
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  it('the sign-in page passes axe at both sizes', async () => {
    const found: Record<string, string[]> = {};
    for (const size of [DESKTOP, PHONE]) {
      await page.setViewportSize(size);
      await goto('/login', 'Sign in');
      const problems = await axeProblems();
      if (problems.length) found[`sign-in ${size.width}`] = problems;
    }
    await page.setViewportSize(DESKTOP);
    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Collections').waitFor();
    expect(found).toEqual({});
  });

  it('"Skip to content" is the first Tab stop and moves focus past the navigation', async () => {
    await goto('/collections', 'Collections');
    await page.reload();
    await heading('Collections').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ text: 'Skip to content' });
    await b.screenshot('a11y-01-skip-link');
    await page.keyboard.press('Enter');
    expect(await focused()).toMatchObject({ id: 'main' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ inMain: true });
    expect(page.url()).toMatch(/#\/collections$/);
  });

  it('a dialog focuses its first field, keeps Tab inside, closes on Escape and gives focus back', async () => {
    await goto('/keys', 'API keys');
    await page.getByRole('button', { name: 'New API key' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'New API key' }).waitFor();
    expect(await focused()).toMatchObject({ name: 'name', inDialog: true });
    await b.screenshot('a11y-02-dialog-focus');
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      expect(await focused()).toMatchObject({ inDialog: true });
    }
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toMatchObject({ inDialog: true });
    }
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await focused()).toMatchObject({ text: 'New API key' });
  });

  it('a dialog a page closes by removing it gives focus back to its opener too', async () => {
    await goto('/push', 'Push');
    await page.getByRole('tab', { name: 'Messages' }).click();
    const details = page.getByRole('button', { name: 'Details of Welcome' });
    await details.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /^Message / });
    await dialog.getByText('Status').waitFor();
    expect(await focused()).toMatchObject({ inDialog: true });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await focused()).toMatchObject({ text: 'Details' });
  });

  it('the console pages and the account pages have no serious or critical axe violation', async () => {
    const open = (button: string, dialog: string | RegExp) => async () => {
      await page.getByRole('button', { name: button, exact: true }).first().click();
      await page.getByRole('dialog', { name: dialog }).waitFor();
    };
    const pages: Array<[string, string | RegExp, (() => Promise<void>)?]> = [
      ['/collections', 'Collections'],
      ['/collections/new', /collection/i],
      ['/collections/users/schema', /users/],
      ['/collections/users', /users/],
      ['/collections/users', /users/, open('New record', /record/i)],
      ['/keys', 'API keys'],
      ['/keys', 'API keys', open('New API key', 'New API key')],
      ['/push', 'Push'],
      ['/push', 'Push', () => page.getByRole('tab', { name: 'Messages' }).click()],
      ['/push', 'Push', () => page.getByRole('tab', { name: 'Devices' }).click()],
      [
        '/push',
        'Push',
        async () => {
          await page.getByRole('tab', { name: 'Messages' }).click();
          await open('Details of Welcome', /^Message /)();
        },
      ],
      ['/settings', 'Settings'],
      ['/admins', 'Admins'],
    ];
    const account = [
      'confirm-verification',
      'confirm-password-reset',
      'confirm-email-change',
      'no-such-page',
    ];
    // Phones get the pages whose layout changes most (tables fold, forms stack), to keep the run short.
    const onPhone = new Set([0, 3, 4, 6, 7, 8]);
    const found: Record<string, string[]> = {};
    for (const size of [DESKTOP, PHONE]) {
      await page.setViewportSize(size);
      for (const [i, [route, title, then]] of pages.entries()) {
        if (size === PHONE && !onPhone.has(i)) continue;
        await goto(route, title);
        await then?.();
        await page.locator('.loading').waitFor({ state: 'detached' });
        const problems = await axeProblems();
        if (problems.length) found[`${route}${then ? ` (step ${i})` : ''} ${size.width}`] = problems;
      }
      for (const name of size === PHONE ? account.slice(1, 2) : account) {
        await page.goto(`${t.url}/_/account/${name}?collection=users`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        const problems = await axeProblems();
        if (problems.length) found[`account ${name} ${size.width}`] = problems;
      }
      await b.screenshot(`a11y-03-account-${size.width}`);
    }
    await page.setViewportSize(DESKTOP);
    expect(found).toEqual({});
    expect(b.pageErrors).toEqual([]);
  });
});
