import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PushDeliveryHandler } from '@plinth/push';
import { eventually } from '@plinth/testing';
import { WebhookEmitter } from '@plinth/webhooks';
import { linkToken } from './support/account-links.js';
import { adminToken, api, signIn, signUp } from './support/auth.js';
import { Mailbox } from './support/mailbox.js';
import { MockProviders, oauth2Browser } from './support/oauth2-provider.js';
import { expectApiProblem } from './support/problem.js';
import { startWebPushTesting, type WebPushService } from './support/push-providers.js';
import { createUser, ok, type TestUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';
import { startReceiver, verify, type Received } from './support/webhook-receiver.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'first-password-123';
const PUBLIC_URL = 'http://plinth.test';
const APP = 'https://app.example/auth';

/**
 * Issue 20, the other event kinds: account events of auth collections (from libs/auth) and push
 * outcomes (from the push worker), each delivered once, signed, verified by `standardwebhooks`.
 */
describe('webhook events beyond records', () => {
  let t: App;
  let admin: ReturnType<typeof api>;
  let mailbox: Mailbox;
  let wpt: WebPushService;
  let providers: MockProviders;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const createWebhook = async (body: Record<string, unknown>) =>
    ok(await admin('POST', '/api/webhooks', { url: receiver.url, ...body })).body as {
      id: string;
      secret: string;
    };
  /** What one webhook received (its deliveries are signed with its own secret). */
  const receivedBy = (secret: string): Received[] =>
    receiver.received.filter((r) => {
      try {
        verify(secret, r);
        return true;
      } catch {
        return false;
      }
    });
  const post = (route: string, body: unknown, token?: string) =>
    api(t, token)('POST', `/api/collections/users/${route}`, body);

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    wpt = await startWebPushTesting();
    providers = await MockProviders.start();
    t = await startIsolatedApp({
      env: {
        SMTP_URL: mailbox.url,
        PUBLIC_URL,
        PLINTH_OAUTH2_OIDC_CLIENT_ID: 'oidc-client',
        PLINTH_OAUTH2_OIDC_CLIENT_SECRET: 'oidc-secret-1234',
        PLINTH_OAUTH2_OIDC_ISSUER: providers.issuer,
        PLINTH_AUTH_RATE_PER_IP: '10000',
        PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true',
        PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true',
        PLINTH_PUSH_RETRY_DELAY: '0.1',
      },
    });
    admin = api(t, await adminToken(t));
    receiver = await startReceiver();
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
    await mailbox?.stop();
    await wpt?.stop();
    await providers?.stop();
  });

  it('refuses account events on a base collection and a filter on push events only', async () => {
    ok(await admin('POST', '/api/collections', { name: 'notes', type: 'base', fields: [] }));
    const base = await admin('POST', '/api/webhooks', { url: receiver.url, events: ['notes.signin'] });
    expect(expectApiProblem(base, 400, 'VALIDATION_FAILED').errors).toEqual([
      expect.objectContaining({ path: 'events.0', message: expect.stringMatching(/not an auth collection/) }),
    ]);
    const unknown = await admin('POST', '/api/webhooks', { url: receiver.url, events: ['users.login'] });
    expectApiProblem(unknown, 400, 'VALIDATION_FAILED');
    const filtered = await admin('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['push.*'],
      filter: 'verified = true',
    });
    expect(expectApiProblem(filtered, 400, 'VALIDATION_FAILED').errors).toEqual([
      expect.objectContaining({ path: 'filter', message: expect.stringMatching(/push events/) }),
    ]);
  });

  it('delivers each account event once, in order, with the account as an admin sees it', async () => {
    const all = await createWebhook({ events: ['users.*'] });
    const signins = await createWebhook({ events: ['users.signin'] });

    const email = `hooked-${Date.now().toString(36)}@example.com`;
    const user = await signUp(t, email, PASSWORD);
    const session = ok(await signIn(t, email, PASSWORD)).body;

    expect((await post('request-verification', { email })).status).toBe(204);
    const [verifyMail] = await mailbox.waitFor(email);
    ok(await post('confirm-verification', { token: linkToken(verifyMail!, 'confirm-verification') }), 204);

    const newEmail = `moved-${Date.now().toString(36)}@example.com`;
    ok(await post('request-email-change', { newEmail }, session.token), 204);
    const [changeMail] = await mailbox.waitFor(newEmail);
    ok(
      await post('confirm-email-change', {
        token: linkToken(changeMail!, 'confirm-email-change'),
        password: PASSWORD,
      }),
      204,
    );

    ok(await post('request-password-reset', { email: newEmail }), 204);
    const [, resetMail] = await mailbox.waitFor(newEmail, 2);
    const password = 'second-password-456';
    ok(
      await post('confirm-password-reset', {
        token: linkToken(resetMail!, 'confirm-password-reset'),
        password,
        passwordConfirm: password,
      }),
      204,
    );

    const mine = () => receivedBy(all.secret).filter((r) => r.json.data.record.id === user.id);
    await eventually(() => mine().some((r) => r.json.type === 'users.password-reset'));
    expect(mine().map((r) => r.json.type)).toEqual([
      'users.create',
      'users.signup',
      'users.signin',
      'users.verified',
      'users.email-changed',
      'users.password-reset',
    ]);
    const byType = Object.fromEntries(mine().map((r) => [r.json.type, verify(all.secret, r)])) as Record<
      string,
      { data: Record<string, unknown> & { record: Record<string, unknown> } }
    >;
    for (const body of Object.values(byType)) {
      expect(body.data.collection).toBe('users');
      expect(body.data.record.id).toBe(user.id);
      expect(Object.keys(body.data.record).filter((k) => /password|token/i.test(k))).toEqual([]);
    }
    expect(byType['users.signup']!.data.record).toMatchObject({ email, verified: false });
    expect(byType['users.signin']!.data).toMatchObject({ method: 'password', record: { email } });
    expect(byType['users.verified']!.data.record).toMatchObject({ email, verified: true });
    expect(byType['users.email-changed']!.data).toMatchObject({
      record: { email: newEmail },
      previous: { email },
    });
    expect(byType['users.password-reset']!.data.record).toMatchObject({ email: newEmail });

    // The webhook that asked for signins only got the one signin.
    await eventually(() => receivedBy(signins.secret).length >= 1);
    const onlySignins = receivedBy(signins.secret);
    expect(onlySignins.map((r) => [r.json.type, r.json.data.record.id])).toEqual([['users.signin', user.id]]);
  });

  it('OAuth2: the first sign-in is a signup and a signin (method oauth2), the next one a signin only', async () => {
    ok(
      await admin('PATCH', '/api/collections/users', {
        options: { oauth2: { enabled: true, redirectAllowList: [APP], providers: [{ name: 'oidc' }] } },
      }),
    );
    const hook = await createWebhook({ events: ['users.*'] });
    const email = `social-${Date.now().toString(36)}@example.com`;
    const person = { sub: `social-${Date.now()}`, email, emailVerified: true };
    const browser = () => oauth2Browser(() => t, providers, { publicUrl: PUBLIC_URL, app: APP });
    const first = await browser().signInOk('oidc', person);
    expect(first.meta.isNew).toBe(true);
    const second = await browser().signInOk('oidc', person);
    expect(second.meta.isNew).toBe(false);

    const mine = () => receivedBy(hook.secret).filter((r) => r.json.data.record.id === first.record.id);
    await eventually(() => mine().filter((r) => r.json.type === 'users.signin').length === 2);
    expect(mine().map((r) => [r.json.type, (r.json.data as { method?: string }).method])).toEqual([
      ['users.create', undefined],
      ['users.signup', undefined],
      ['users.signin', 'oauth2'],
      ['users.signin', 'oauth2'],
    ]);
    expect(mine()[1]!.json.data.record).toMatchObject({ email, verified: true });
  });

  it('reports a push delivery that failed for good and, once, the completed message', async () => {
    const hook = await createWebhook({ events: ['push.*'] });
    const fay: TestUser = await createUser(t, 'Fay');
    const { publicKey } = ok(await api(t)('GET', '/api/push/vapid-public-key')).body;
    const devices: Array<{ device: { id: string }; sub: { clientHash: string } }> = [];
    for (const _ of [1, 2]) {
      const sub = await wpt.subscribe(publicKey);
      const device = ok(
        await api(t, fay.token)('POST', '/api/push/devices', {
          platform: 'webpush',
          subscription: { endpoint: sub.endpoint, keys: sub.keys },
        }),
      ).body;
      devices.push({ device, sub });
    }
    await wpt.expire(devices[0]!.sub.clientHash);
    const sent = ok(
      await admin('POST', '/api/push/send', {
        targets: { users: [fay.id] },
        notification: { title: 'Hi', body: 'there' },
      }),
      202,
    ).body;

    const mine = () =>
      receivedBy(hook.secret).filter((r) => (r.json.data as { messageId?: string }).messageId === sent.id);
    await eventually(() => mine().some((r) => r.json.type === 'push.message.completed'));
    const stored = await t.db.query<{ id: string; device_id: string }>(
      'SELECT id, device_id FROM plinth.push_delivery WHERE message_id = $1',
      [sent.id],
    );
    const failedDelivery = stored.rows.find((d) => d.device_id === devices[0]!.device.id)!;
    expect(mine().map((r) => verify(hook.secret, r))).toEqual([
      {
        type: 'push.delivery.failed',
        timestamp: expect.any(String),
        data: {
          messageId: sent.id,
          deliveryId: failedDelivery.id,
          deviceId: devices[0]!.device.id,
          platform: 'webpush',
          userId: fay.id,
          error: expect.stringContaining('410'),
        },
      },
      {
        type: 'push.message.completed',
        timestamp: expect.any(String),
        data: { messageId: sent.id, counts: { total: 2, pending: 0, sent: 1, failed: 1 } },
      },
    ]);
    // Exactly once: the job run again (a worker killed after its work) reports nothing more.
    await t.app.get(PushDeliveryHandler).handle({
      messageId: sent.id,
      deliveryIds: stored.rows.map((d) => d.id),
    });
    await t.app.get(WebhookEmitter).idle();
    const { rows } = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM plinth.webhook_delivery WHERE webhook_id = $1',
      [hook.id],
    );
    expect(rows[0]!.n).toBe(2);
  });

  it('reports a push message that reaches no device as completed, once', async () => {
    const hook = await createWebhook({ events: ['push.message.completed'] });
    const gus: TestUser = await createUser(t, 'Gus');
    const body = {
      targets: { users: [gus.id] },
      notification: { title: 'Hi', body: 'nobody listens' },
      idempotencyKey: 'no-devices-1',
    };
    const sent = ok(await admin('POST', '/api/push/send', body), 202).body;
    expect(sent.recipients).toBe(0);
    // The same POST again answers the same message and reports nothing more.
    expect(ok(await admin('POST', '/api/push/send', body), 202).body.id).toBe(sent.id);

    const mine = () =>
      receivedBy(hook.secret).filter((r) => (r.json.data as { messageId?: string }).messageId === sent.id);
    await eventually(() => mine().length > 0);
    await t.app.get(WebhookEmitter).idle();
    expect(mine().map((r) => verify(hook.secret, r))).toEqual([
      {
        type: 'push.message.completed',
        timestamp: expect.any(String),
        data: { messageId: sent.id, counts: { total: 0, pending: 0, sent: 0, failed: 0 } },
      },
    ]);
    const m = ok(await admin('GET', `/api/push/messages/${sent.id}`)).body;
    expect(m).toMatchObject({ status: 'sent', counts: { total: 0 } });
  });
});
