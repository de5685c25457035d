import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { eventually } from '@plinth/testing';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const document: { documentElement: { scrollWidth: number } };

const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';

/** The console's Schedules page in Debian's Chromium: create one, keep its secret, run it now, read the run log. */
describe('admin console: schedules', () => {
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
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('report sent');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cron`;
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
  const card = () => page.locator('[data-testid=schedules-list] li', { hasText: 'nightly report' });

  it('creates a schedule (naming a wrong time zone), shows its secret once, runs it now and logs the run', async () => {
    await signInConsole(page, t.url, EMAIL, PASSWORD);
    await page.getByRole('link', { name: 'Schedules' }).click();
    await heading('Schedules').waitFor();
    await page.getByText('No schedules yet').waitFor();

    await page.getByRole('button', { name: 'New schedule' }).first().click();
    await page.fill('input[name=name]', 'nightly report');
    await page.fill('input[name=cron]', '30 3 * * 1-5');
    await page.fill('input[name=timezone]', 'Mars/Olympus');
    await page.fill('input[name=url]', receiverUrl);
    await page.getByTestId('save-schedule').click();
    await page.getByText('is not an IANA time zone').first().waitFor();
    await b.screenshot('schedules-01-bad-zone');
    await page.fill('input[name=timezone]', 'Europe/Paris');
    await page.getByTestId('save-schedule').click();
    const secret = (await page.getByTestId('shown-once').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await card().getByText('30 3 * * 1-5').waitFor();
    await card().getByText('in Europe/Paris').waitFor();
    await card().getByText(/next /).waitFor();

    await card().getByRole('button', { name: 'Run now' }).click();
    await eventually(() => received.length === 1);
    const tick = new Webhook(secret).verify(received[0]!.body, {
      'webhook-id': String(received[0]!.headers['webhook-id']),
      'webhook-timestamp': String(received[0]!.headers['webhook-timestamp']),
      'webhook-signature': String(received[0]!.headers['webhook-signature']),
    });
    expect(tick).toMatchObject({ type: 'schedule.tick', data: { schedule: { name: 'nightly report' } } });

    const dialog = page.getByRole('dialog', { name: 'Runs of nightly report' });
    const rows = dialog.locator('[data-testid=runs-table] tbody tr');
    await eventually(async () => {
      await dialog.getByRole('button', { name: 'Refresh' }).click();
      return (await rows.filter({ hasText: 'succeeded' }).count()) === 1;
    });
    await rows.first().getByText('HTTP 200').waitFor();
    await rows.first().getByText('report sent').waitFor();
    await b.screenshot('schedules-02-runs');
    await dialog.locator('.dialog-foot .btn', { hasText: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('disables and deletes a schedule; the page works on a phone', async () => {
    await card().getByRole('button', { name: 'Disable' }).click();
    await card().getByText('disabled', { exact: true }).waitFor();
    const [row] = (await t.db.query<{ enabled: boolean }>('SELECT enabled FROM plinth.schedule')).rows;
    expect(row!.enabled).toBe(false);

    await page.setViewportSize({ width: 390, height: 844 });
    await b.screenshot('schedules-03-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 860 });

    await card().getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete schedule' }).click();
    await page.getByText('No schedules yet').waitFor();
    expect((await t.db.query('SELECT 1 FROM plinth.schedule')).rows).toEqual([]);
    expect(b.pageErrors).toEqual([]);
  });
});
