import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { eventually } from '@plinth/testing';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const document: { documentElement: { scrollWidth: number } };

const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';

/** The console's Webhooks page in Debian's Chromium: create one, keep its secret, watch a delivery, disable, delete. */
describe('admin console: webhooks', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;
  let server: Server;
  let receiverUrl = '';
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp({ env: { PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' } });
    await t.app.get(AdminsService).create(EMAIL, PASSWORD);
    const token = ok(
      await api(t)('POST', '/api/admins/auth-with-password', { identity: EMAIL, password: PASSWORD }),
    ).body.token as string;
    ok(
      await api(t, token)('POST', '/api/collections', {
        name: 'orders',
        type: 'base',
        fields: [{ name: 'status', type: 'text' }],
        createRule: '',
      }),
    );
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('thanks');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    b = await launchBrowser();
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await new Promise((resolve) => server?.close(resolve));
    await t?.stop();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  it('creates a webhook, shows its secret once, and the delivery log shows the event it sent', async () => {
    await signInConsole(page, t.url, EMAIL, PASSWORD);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await heading('Webhooks').waitFor();
    await page.getByText('No webhooks yet').waitFor();

    await page.getByRole('button', { name: 'New webhook' }).first().click();
    await page.fill('input[name=url]', receiverUrl);
    await page.fill('input[name=name]', 'Order mails');
    await page.locator('input[name=event][value="orders.create"]').check();
    // Account events are offered for auth collections only; push events always.
    expect(await page.locator('input[name=event][value="users.signin"]').count()).toBe(1);
    await page.locator('input[name=event][value="push.message.completed"]').check();
    expect(await page.locator('input[name=event][value="orders.signin"]').count()).toBe(0);
    await page.fill('input[name=filter]', 'status = "paid"');
    await b.screenshot('webhooks-01-form');
    await page.getByTestId('save-webhook').click();
    const secret = (await page.getByTestId('shown-once').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await b.screenshot('webhooks-02-secret');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    const card = page.locator('[data-testid=webhooks-list] li', { hasText: 'Order mails' });
    await card.getByText('orders.create').waitFor();
    await card.getByText('push.message.completed').waitFor();
    await card.getByText('where status = "paid"').waitFor();

    ok(await api(t)('POST', '/api/collections/orders/records', { status: 'new' }));
    ok(await api(t)('POST', '/api/collections/orders/records', { status: 'paid' }));
    await eventually(() => received.length === 1);
    const event = new Webhook(secret).verify(received[0]!.body, {
      'webhook-id': String(received[0]!.headers['webhook-id']),
      'webhook-timestamp': String(received[0]!.headers['webhook-timestamp']),
      'webhook-signature': String(received[0]!.headers['webhook-signature']),
    }) as { type: string; data: { record: { status: string } } };
    expect(event).toMatchObject({ type: 'orders.create', data: { record: { status: 'paid' } } });

    await card.getByRole('button', { name: 'Deliveries' }).click();
    const rows = page.locator('[data-testid=deliveries-table] tbody tr');
    await rows.filter({ hasText: 'delivered' }).waitFor();
    expect(await rows.count()).toBe(1);
    await rows.first().getByRole('button', { name: 'Details' }).click();
    const detail = page.getByRole('dialog', { name: /^Delivery / });
    await detail.getByText('HTTP 200').waitFor();
    await detail.getByText('thanks').waitFor();
    await b.screenshot('webhooks-03-delivery');
    await page
      .getByRole('dialog', { name: /^Delivery / })
      .locator('.btn', { hasText: 'Close' })
      .click();
    await page.getByRole('dialog', { name: /^Delivery / }).waitFor({ state: 'detached' });
    await page
      .getByRole('dialog', { name: /^Deliveries/ })
      .locator('.dialog-foot .btn', { hasText: 'Close' })
      .click();
    await page.getByRole('dialog', { name: /^Deliveries/ }).waitFor({ state: 'detached' });
  });

  it('disables and deletes a webhook; the page works on a phone', async () => {
    const card = page.locator('[data-testid=webhooks-list] li', { hasText: 'Order mails' });
    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByText('disabled', { exact: true }).waitFor();
    const [hook] = (await t.db.query<{ enabled: boolean }>('SELECT enabled FROM plinth.webhook')).rows;
    expect(hook!.enabled).toBe(false);

    await page.setViewportSize({ width: 390, height: 844 });
    await b.screenshot('webhooks-04-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });

    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete webhook' }).click();
    await page.getByText('No webhooks yet').waitFor();
    expect((await t.db.query('SELECT 1 FROM plinth.webhook')).rows).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
