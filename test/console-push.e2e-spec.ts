import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import type { Page, Request } from 'playwright-core';
import { adminToken, api } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, signInConsole, type TestBrowser } from './support/browser.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { createKey, createUser, ok, type TestUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

declare const document: { documentElement: { scrollWidth: number } };

const EMAIL = 'pusher@example.com';
const PASSWORD = 'a long enough password';

/**
 * Who a push reaches, before and after sending (issue 28): `POST /api/push/recipients` and the send's
 * `recipients`, and the console's composer in Debian's Chromium: it warns when the targets reach no
 * active device or a platform without credentials, says "no recipients" when nobody was addressed, finds
 * users by email or name, and sends to a filter.
 */
describe('push recipients and the composer', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;
  let admin: string;
  let alice: TestUser; // no device
  let bob: TestUser; // a Web Push device (its provider needs no credentials)
  let carol: TestUser; // an FCM device, and FCM has no credentials

  const register = (user: TestUser, device: Record<string, unknown>) =>
    api(t, user.token)('POST', '/api/push/devices', device).then((r) => ok(r).body as { id: string });
  const storedTargets = async (id: string) =>
    (await t.db.query('SELECT targets FROM plinth.push_message WHERE id = $1', [id])).rows[0]?.targets;

  beforeAll(async () => {
    buildConsoleIfStale();
    t = await startIsolatedApp({ env: { PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true' } });
    await t.app.get(AdminsService).create(EMAIL, PASSWORD);
    admin = await adminToken(t);
    [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => createUser(t, n)));
    const p256dh = createECDH('prime256v1');
    p256dh.generateKeys();
    await register(bob, {
      platform: 'webpush',
      // Nothing listens there: the sends to Bob are scheduled for later, so none is attempted.
      subscription: {
        endpoint: `http://127.0.0.1:9/push/${bob.id}`,
        keys: {
          p256dh: p256dh.getPublicKey().toString('base64url'),
          auth: randomBytes(16).toString('base64url'),
        },
      },
    });
    await register(carol, { platform: 'fcm', token: `fcm-token-carol-${'x'.repeat(40)}` });
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  describe('POST /api/push/recipients', () => {
    const recipients = (token: string | undefined, body: unknown) =>
      api(t, token)('POST', '/api/push/recipients', body);

    it('needs an admin or a push:send key', async () => {
      expect((await recipients(undefined, { targets: { users: [bob.id] } })).status).toBe(401);
      expect((await recipients(bob.token, { targets: { users: [bob.id] } })).status).toBe(403);
      const key = await createKey(t, admin, ['push:send']);
      expect(ok(await recipients(key, { targets: { users: [bob.id] } })).body.devices).toBe(1);
    });

    it('refuses empty targets and a bad filter, naming the field', async () => {
      const empty = await recipients(admin, { targets: {} });
      expectApiProblem(empty, 400, 'PUSH_NO_TARGETS');
      const bad = await recipients(admin, { targets: { filter: 'nosuchfield = 1' } });
      expect(bad.status).toBe(400);
      expect(errorPaths(bad.body)).toContain('targets.filter');
      expect(errorPaths((await recipients(admin, { targets: { users: ['not-an-id'] } })).body)).toContain(
        'targets.users.0',
      );
    });

    it('counts active devices per platform and says which providers have credentials', async () => {
      const users = [alice.id, bob.id, carol.id];
      expect(ok(await recipients(admin, { targets: { users } })).body).toEqual({
        devices: 2,
        platforms: { fcm: 1, apns: 0, webpush: 1 },
        providers: { fcm: false, apns: false, webpush: true },
      });
      const none = ok(await recipients(admin, { targets: { users: [alice.id] } })).body;
      expect(none.devices).toBe(0);
      const byFilter = await recipients(admin, { targets: { filter: `email = "${bob.email}"` } });
      expect(ok(byFilter).body.platforms).toEqual({ fcm: 0, apns: 0, webpush: 1 });
    });

    it('the send answers how many devices it addressed', async () => {
      const send = (users: string[]) =>
        api(t, admin)('POST', '/api/push/send', {
          targets: { users },
          notification: { title: 'Count' },
          scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
          idempotencyKey: `count-${users.join()}`,
        });
      expect(ok(await send([alice.id]), 202).body).toEqual({ id: expect.any(String), recipients: 0 });
      const first = ok(await send([bob.id]), 202).body;
      expect(first.recipients).toBe(1);
      // The same idempotency key answers the first message, with its count.
      expect(ok(await send([bob.id]), 202).body).toEqual(first);
    });
  });

  describe('the composer', () => {
    const heading = (name: string) => page.getByRole('heading', { level: 1, name });
    const reach = () => page.getByTestId('push-reach');
    const sendRequest = () =>
      page.waitForRequest((r) => r.url().endsWith('/api/push/send') && r.method() === 'POST');
    const sentBody = (r: Request) => r.postDataJSON() as { targets: Record<string, unknown> };
    const pick = async (query: string, user: TestUser) => {
      await page.getByRole('searchbox', { name: /Find users of users/ }).fill(query);
      await page.getByTestId('user-picker-results').getByRole('button', { name: user.email }).click();
      await page.getByTestId('picked-users').getByText(user.email).waitFor();
    };

    beforeAll(async () => {
      await signInConsole(page, t.url, EMAIL, PASSWORD);
    });

    it('finds a user by email, warns that nobody would get it, then says "no recipients"', async () => {
      await page.getByRole('link', { name: 'Push' }).click();
      await heading('Push').waitFor();
      await page.fill('input[name=title]', 'Nobody home');
      await pick(alice.email.slice(0, 8), alice);
      await reach().getByText('No active device matches these targets').waitFor();
      await b.screenshot('push-a11y-01-no-device-warning');

      await page.getByRole('button', { name: 'Send now' }).click();
      const dialog = page.getByRole('dialog', { name: 'Send this push anyway?' });
      await dialog.getByText('nobody would receive this push').waitFor();
      const request = sendRequest();
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/push/send'));
      await dialog.getByRole('button', { name: 'Send anyway' }).click();
      expect(sentBody(await request).targets).toEqual({ users: [alice.id] });
      const sent = (await (await answer).json()) as { id: string; recipients: number };
      expect(sent.recipients).toBe(0);
      await page.getByTestId('push-result').getByText('No recipients').waitFor();
      expect(await page.getByTestId('push-result').innerText()).toMatch(/^No recipients: no active device/);
      await b.screenshot('push-a11y-02-no-recipients');
      expect(await storedTargets(sent.id)).toEqual({ users: [alice.id] });
    });

    it('finds a user by name and warns that their platform has no credentials', async () => {
      await page
        .getByTestId('picked-users')
        .getByRole('button', { name: `Remove Alice <${alice.email}>` })
        .click();
      await pick('Carol', carol);
      await reach()
        .getByText(/1 active device uses FCM \(Android\), which is not configured/)
        .waitFor();
      await b.screenshot('push-a11y-03-no-provider-warning');
      await page.getByRole('button', { name: 'Send now' }).click();
      const dialog = page.getByRole('dialog', { name: 'Send this push anyway?' });
      await dialog.getByText(/FCM \(Android\), which is not configured/).waitFor();
      const request = sendRequest();
      await dialog.getByRole('button', { name: 'Send anyway' }).click();
      expect(sentBody(await request).targets).toEqual({ users: [carol.id] });
      // Somebody was addressed: the message opens with its delivery to Carol's device.
      const message = page.getByRole('dialog', { name: /^Message / });
      await message.getByTestId('push-deliveries').getByRole('cell', { name: 'fcm', exact: true }).waitFor();
      await message.getByRole('button', { name: 'Close' }).click();
      const nobody = page.getByTestId('push-messages').locator('tr', { hasText: 'Nobody home' });
      await nobody.getByText('no recipients').waitFor();
    });

    it('sends to the users a filter matches, without a warning when they can be reached', async () => {
      await page.getByRole('tab', { name: 'Compose' }).click();
      await page.fill('input[name=title]', 'Filtered');
      await page.fill('input[name=filter]', 'nosuchfield = 1');
      await reach().locator('.field-error').waitFor();
      await page.fill('input[name=filter]', `email = "${bob.email}"`);
      await reach().getByText('Reaches 1 active device (1 Web Push).').waitFor();
      expect(await reach().locator('.banner-warn').count()).toBe(0);
      await page.fill('input[name=scheduledAt]', '2099-01-01T09:00');
      await b.screenshot('push-a11y-04-filter');
      const request = sendRequest();
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/push/send'));
      await page.getByRole('button', { name: 'Schedule' }).click();
      expect(sentBody(await request).targets).toEqual({
        filter: `email = "${bob.email}"`,
        collection: 'users',
      });
      const { id } = (await (await answer).json()) as { id: string };
      expect(await storedTargets(id)).toEqual({ filter: `email = "${bob.email}"`, collection: 'users' });
      const message = page.getByRole('dialog', { name: `Message ${id}` });
      await message
        .getByTestId('push-deliveries')
        .getByRole('cell', { name: 'webpush', exact: true })
        .waitFor();
      await message.getByRole('button', { name: 'Close' }).click();
    });

    it('fits a phone: the picker and the warnings without sideways scrolling', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await page.getByRole('tab', { name: 'Compose' }).click();
        await page.getByRole('button', { name: 'Menu' }).waitFor();
        await pick(carol.email, carol);
        await reach()
          .getByText(/which is not configured/)
          .waitFor();
        await page.getByRole('searchbox', { name: /Find users of users/ }).fill('Bob');
        await page.getByTestId('user-picker-results').getByRole('button', { name: bob.email }).waitFor();
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        await b.screenshot('push-a11y-05-phone');
      } finally {
        await page.setViewportSize({ width: 1280, height: 860 });
      }
      expect(b.pageErrors).toEqual([]);
    });
  });
});
