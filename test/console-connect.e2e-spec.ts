import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken, api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const navigator: { clipboard: { readText(): Promise<string>; writeText(s: string): Promise<void> } };
declare const document: { documentElement: { scrollWidth: number } };

/**
 * The console's "Connect your app" page (issue 27) in Chromium against a real server: this server's
 * address in the install command (the URL shape test/sdk-package.e2e-spec.ts installs with npm), a real
 * collection in the examples, working Copy buttons, and the OpenAPI documents.
 */
describe('console: Connect your app', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp();
    const admin = await adminToken(t);
    ok(
      await api(t, admin)('POST', '/api/collections', {
        name: 'posts',
        type: 'base',
        fields: [{ name: 'title', type: 'text' }],
        listRule: '',
      }),
    );
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name });
  const block = (label: string) => page.locator('figure', { hasText: label }).locator('code');

  it('shows this server in the install command and a real collection in the examples (1280×860)', async () => {
    await signInConsole(page, t.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Connect your app' }).click();
    await heading('Connect your app').waitFor();

    expect(await page.getByTestId('server-url').textContent()).toBe(t.url);
    // The very URL test/sdk-package.e2e-spec.ts installs with npm.
    expect(await page.getByTestId('install-command').locator('code').textContent()).toBe(
      `npm install "${t.url}/api/sdk.tgz"`,
    );
    expect(await block('.npmrc line').textContent()).toBe(
      `//${new URL(t.url).host}/:_authToken=\${PLINTH_KEY}`,
    );
    expect(await block('Typegen command').textContent()).toBe(
      `npx plinth typegen --url "${t.url}" --key "$PLINTH_KEY" --out src/plinth-types.ts`,
    );
    expect(await page.getByTestId('example-collection').textContent()).toBe('posts');
    for (const label of ['Web example', 'Node example', 'React Native example']) {
      const text = (await block(label).textContent())!;
      expect(text).toContain(`client.collection('posts')`);
      expect(text).toContain(`from '@plinth/sdk'`);
      expect(text.split('\n').length).toBeLessThanOrEqual(11);
    }
    expect(await block('Web example').textContent()).toContain(`createClient({ url: '${t.url}'`);
    expect(await block('Web example').textContent()).toContain(`collection('users').authWithPassword`);

    // The documents for other languages are there, and answer.
    for (const [name, path] of [
      ['OpenAPI 3.1 (JSON)', '/api/openapi.json'],
      ['OpenAPI 3.1 (YAML)', '/api/openapi.yaml'],
      ['OpenAPI 3.0.3', '/api/openapi-3.0.json'],
      ['API reference (Swagger UI)', '/docs'],
    ] as const) {
      expect(await page.getByRole('link', { name }).getAttribute('href')).toBe(`${t.url}${path}`);
      expect((await fetch(`${t.url}${path}`)).status).toBe(200);
    }
    await b.screenshot('connect-01-desktop');
  });

  it('copies with the keyboard: the command lands on the clipboard', async () => {
    await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
    await page.getByRole('button', { name: 'Copy install command' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('install-command').getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      `npm install "${t.url}/api/sdk.tgz"`,
    );

    await page.getByRole('button', { name: 'Copy node example' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      await block('Node example').textContent(),
    );
  });

  it('fits a phone (390×844) and shows no page errors', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/_/#/collections`);
    await heading('Collections').waitFor();
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Connect your app' }).click();
    await heading('Connect your app').waitFor();
    await page.getByTestId('example-collection').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await b.screenshot('connect-02-phone');
    expect(b.pageErrors).toEqual([]);
  });
});
