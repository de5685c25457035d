import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { createClient, verifyWebhook, WebhookVerificationError } from '../sdk/src/index.js';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { startIsolatedApp } from './support/start-app.js';
import { startReceiver, verify } from './support/webhook-receiver.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/**
 * Issue 20: signed webhooks on record events, verified by the `standardwebhooks` package as any
 * receiver would; retries, Retry-After, dead letters, replay, auto-disable and secret rotation.
 */
describe('webhooks', () => {
  let t: App;
  let admin: ReturnType<typeof api>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const createWebhook = async (body: Record<string, unknown>) => {
    const res = await admin('POST', '/api/webhooks', { url: receiver.url, ...body });
    expect(res.status).toBe(200);
    return res.body as { id: string; secret: string };
  };
  const forType = (type: string, id?: unknown) =>
    receiver.received.filter(
      (r) => r.json.type === type && (id === undefined || r.json.data.record.id === id),
    );

  beforeAll(async () => {
    t = await startIsolatedApp({
      env: {
        PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true',
        PLINTH_WEBHOOKS_RETRY_SCHEDULE: '0.2,0.2,0.2',
        PLINTH_WEBHOOKS_DISABLE_AFTER: '6',
      },
    });
    admin = api(t, await adminToken(t));
    receiver = await startReceiver();
    const made = await admin('POST', '/api/collections', {
      name: 'orders',
      type: 'base',
      fields: [
        { name: 'status', type: 'text' },
        { name: 'total', type: 'number' },
        { name: 'note', type: 'text', hidden: true },
      ],
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
    });
    expect(made.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });

  it('signs record events as Standard Webhooks, leaves hidden fields out, and sends them in order', async () => {
    const hook = await createWebhook({ name: 'all orders', events: ['orders.*'] });
    expect(hook.secret).toMatch(/^whsec_/);
    expect((await admin('GET', `/api/webhooks/${hook.id}`)).body).not.toHaveProperty('secret');

    const order = (
      await api(t)('POST', '/api/collections/orders/records', { status: 'new', total: 5, note: 'x' })
    ).body;
    for (const status of ['paid', 'shipped', 'done']) {
      expect((await api(t)('PATCH', `/api/collections/orders/records/${order.id}`, { status })).status).toBe(
        200,
      );
    }
    expect((await api(t)('DELETE', `/api/collections/orders/records/${order.id}`)).status).toBe(204);

    await eventually(() => forType('orders.delete', order.id).length === 1);
    const mine = receiver.received.filter((r) => r.json.data.record.id === order.id);
    expect(mine.map((r) => `${r.json.type}:${String(r.json.data.record.status)}`)).toEqual([
      'orders.create:new',
      'orders.update:paid',
      'orders.update:shipped',
      'orders.update:done',
      'orders.delete:done',
    ]);
    for (const r of mine) {
      expect(verify(hook.secret, r)).toEqual(r.json);
      expect(r.headers['webhook-id']).toMatch(/^msg_/);
      expect(r.json.data.collection).toBe('orders');
      expect(r.json.data.record).not.toHaveProperty('note');
    }
    expect(() => verify('whsec_' + Buffer.alloc(24, 1).toString('base64'), mine[0]!)).toThrow();
    // @plinth/sdk's verifyWebhook (WebCrypto, no dependency) agrees with the reference library.
    const first = mine[0]!;
    expect(await verifyWebhook(hook.secret, first.headers as Record<string, string>, first.body)).toEqual(
      first.json,
    );
    await expect(
      verifyWebhook(hook.secret, first.headers as Record<string, string>, first.body + ' '),
    ).rejects.toThrow(WebhookVerificationError);
    const stale = new Date((Number(first.headers['webhook-timestamp']) + 600) * 1000);
    await expect(
      verifyWebhook(hook.secret, first.headers as Record<string, string>, first.body, stale),
    ).rejects.toThrow(/5 minutes/);
    expect((await admin('DELETE', `/api/webhooks/${hook.id}`)).status).toBe(204);
  });

  it('sends only the events and records the webhook asks for (event list and filter)', async () => {
    const hook = await createWebhook({
      events: ['orders.create'],
      filter: 'status = "paid" && total > 100',
      includeHidden: true,
    });
    const post = (body: Record<string, unknown>) => api(t)('POST', '/api/collections/orders/records', body);
    const small = (await post({ status: 'paid', total: 50 })).body;
    const unpaid = (await post({ status: 'new', total: 500 })).body;
    const big = (await post({ status: 'paid', total: 500, note: 'secret note' })).body;
    await api(t)('PATCH', `/api/collections/orders/records/${big.id}`, { total: 501 });
    await eventually(() => forType('orders.create', big.id).length === 1);
    expect(forType('orders.create', big.id)[0]!.json.data.record.note).toBe('secret note');
    // The dispatcher judged the other records long before the test event below was even written.
    const test = await admin('POST', `/api/webhooks/${hook.id}/test`);
    await eventually(() => forType('webhook.test').length === 1);
    expect(test.status).toBe(202);
    const deliveries = (await admin('GET', `/api/webhooks/${hook.id}/deliveries`)).body;
    expect(deliveries.items.map((d: { type: string }) => d.type).sort()).toEqual([
      'orders.create',
      'webhook.test',
    ]);
    expect(forType('orders.create', small.id)).toHaveLength(0);
    expect(forType('orders.create', unpaid.id)).toHaveLength(0);
    expect(forType('orders.update', big.id)).toHaveLength(0);
    await admin('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('judges search() in a filter on the record, as a list would', async () => {
    const made = await admin('POST', '/api/collections', {
      name: 'recipes',
      type: 'base',
      fields: [{ name: 'title', type: 'text', searchable: true, language: 'english' }],
      createRule: '',
    });
    expect(made.status).toBe(200);
    const hook = await createWebhook({ events: ['recipes.create'], filter: '@search("pasta")' });
    const post = (title: string) => api(t)('POST', '/api/collections/recipes/records', { title });
    const salad = (await post('Green salad')).body;
    const pasta = (await post('Fresh pastas with basil')).body;
    await eventually(() => forType('recipes.create', pasta.id).length === 1);
    // The dispatcher judged the salad long before the test event below was even written.
    const tests = forType('webhook.test').length;
    await admin('POST', `/api/webhooks/${hook.id}/test`);
    await eventually(() => forType('webhook.test').length === tests + 1);
    expect(forType('recipes.create', salad.id)).toHaveLength(0);
    await admin('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('retries failures with the same webhook-id, honours Retry-After, then keeps a dead letter to replay', async () => {
    const hook = await createWebhook({ events: ['orders.create'], filter: 'status = "retry"' });
    let calls = 0;
    receiver.answerWith((r, res) => {
      if (r.json.data.record.status !== 'retry') return void res.end('ok');
      calls++;
      if (calls === 1) res.writeHead(503, { 'retry-after': '1' }).end('busy, come back later');
      else res.writeHead(500).end('still broken');
    });
    const order = (await api(t)('POST', '/api/collections/orders/records', { status: 'retry' })).body;
    const deliveryOf = async () => (await admin('GET', `/api/webhooks/${hook.id}/deliveries`)).body.items[0];
    await eventually(async () => (await deliveryOf()).status === 'dead', { timeout: 15_000 });
    const attempts = forType('orders.create', order.id);
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Retry-After: 1 s beats the 0.2 s schedule step.
    const gap =
      Number(attempts[1]!.headers['webhook-timestamp']) - Number(attempts[0]!.headers['webhook-timestamp']);
    expect(gap).toBeGreaterThanOrEqual(1);

    const dead = await deliveryOf();
    const detail: ApiAnswer = await admin('GET', `/api/webhooks/${hook.id}/deliveries/${dead.id}`);
    expect(detail.body.attemptLog.map((a: { status: number }) => a.status)).toEqual([503, 500, 500, 500]);
    expect(detail.body.attemptLog[0].response).toBe('busy, come back later');
    expect(detail.body.lastError).toContain('HTTP 500');

    receiver.answerWith((_r, res) => res.end('ok'));
    expect((await admin('POST', `/api/webhooks/${hook.id}/replay-dead`)).body).toEqual({ queued: 1 });
    await eventually(async () => (await deliveryOf()).status === 'delivered');
    const all = forType('orders.create', order.id);
    expect(all).toHaveLength(5);
    expect(all[4]!.headers['webhook-id']).toBe(attempts[0]!.headers['webhook-id']);
    await admin('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('disables a webhook after the configured failures in a row and says why', async () => {
    const hook = await createWebhook({ events: ['orders.create'], filter: 'status = "down"' });
    receiver.answerWith((r, res) =>
      r.json.data.record.status === 'down' ? void res.writeHead(500).end('down') : void res.end('ok'),
    );
    for (let i = 0; i < 2; i++) await api(t)('POST', '/api/collections/orders/records', { status: 'down' });
    await eventually(async () => (await admin('GET', `/api/webhooks/${hook.id}`)).body.enabled === false, {
      timeout: 15_000,
    });
    const disabled = (await admin('GET', `/api/webhooks/${hook.id}`)).body;
    expect(disabled.disabledReason).toContain('6 failed attempts in a row');
    expect(disabled.disabledReason).toContain('HTTP 500');
    receiver.answerWith((_r, res) => res.end('ok'));
    const enabled = await admin('PATCH', `/api/webhooks/${hook.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    await admin('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('rotates the secret: for 24 hours both the new and the old secret verify', async () => {
    const hook = await createWebhook({ events: ['orders.create'], filter: 'status = "rotated"' });
    const sdk = createClient({ url: t.url });
    sdk.authStore.save(await adminToken(t), null);
    const rotated = await sdk.webhooks.rotateSecret(hook.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(hook.secret);
    expect(Date.parse(rotated.previousSecretValidUntil!) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await sdk.webhooks.list()).find((w) => w.id === hook.id)).not.toHaveProperty('secret');
    const order = (await api(t)('POST', '/api/collections/orders/records', { status: 'rotated' })).body;
    await eventually(() => forType('orders.create', order.id).length === 1);
    const r = forType('orders.create', order.id)[0]!;
    expect(verify(rotated.secret!, r)).toEqual(r.json);
    expect(verify(hook.secret, r)).toEqual(r.json);
    await admin('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('refuses bad configuration with the field named', async () => {
    const badUrl = await admin('POST', '/api/webhooks', {
      url: 'ftp://example.com/x',
      events: ['orders.create'],
    });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.errors).toEqual([expect.objectContaining({ path: 'url' })]);
    const badEvent = await admin('POST', '/api/webhooks', { url: receiver.url, events: ['orders.explode'] });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.errors[0].path).toBe('events.0');
    const unknownCollection = await admin('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['nope.create'],
    });
    expect(unknownCollection.status).toBe(400);
    expect(unknownCollection.body.errors[0]).toMatchObject({ path: 'events.0' });
    const badFilter = await admin('POST', '/api/webhooks', {
      url: receiver.url,
      events: ['orders.create'],
      filter: 'missing_field = 1',
    });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.errors[0].path).toBe('filter');
    expect((await admin('GET', '/api/webhooks/not-an-id')).status).toBe(404);
    expect((await api(t)('GET', '/api/webhooks')).status).toBe(401);
  });
});

describe('webhooks: outbound safety', () => {
  let t: App;
  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'false' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:8080/x',
    'http://localhost/x',
    'http://10.0.0.1/',
  ])('refuses the private endpoint %s', async (url) => {
    const res = await api(t, await adminToken(t))('POST', '/api/webhooks', { url, events: ['*'] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('url');
    expect(res.body.errors[0].message).toContain('PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS');
  });

  it('refuses the same private endpoints for blocking hooks', async () => {
    const admin = api(t, await adminToken(t));
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/x',
      'http://127.0.0.1/x',
    ]) {
      const res = await admin('POST', '/api/hooks', { url, events: ['users.create'] });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['url']);
      expect(res.body.errors[0].message).toContain('PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS');
    }
  });
});
