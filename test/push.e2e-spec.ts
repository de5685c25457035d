import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem, errorPaths } from './support/problem.js';
import { startWebPushTesting, type WebPushService } from './support/push-providers.js';
import {
  createCollection,
  createKey,
  createRecord,
  createUser,
  ok,
  type TestUser,
} from './support/records.js';
import { startApp, startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const ENV = {
  PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true',
  PLINTH_PUSH_RETRY_DELAY: '0.1',
};

let t: App;
let wpt: WebPushService;
let admin: string;
let alice: TestUser;
let bob: TestUser;

const fcmToken = (i: number | string) => `fcm-token-${String(i).padStart(4, '0')}-abcdefghijklmnop`;

async function message(id: string) {
  return ok(await api(t, admin)('GET', `/api/push/messages/${id}`)).body;
}

async function settled(id: string) {
  return eventually(async () => {
    const m = await message(id);
    return m.counts.pending === 0 ? m : null;
  }, 20_000);
}

/** A browser-like Web Push subscription at the local push service, registered for `user`. */
async function webPushDevice(user: TestUser) {
  const { publicKey } = ok(await api(t)('GET', '/api/push/vapid-public-key')).body;
  const sub = await wpt.subscribe(publicKey);
  const device = ok(
    await api(t, user.token)('POST', '/api/push/devices', {
      platform: 'webpush',
      subscription: { endpoint: sub.endpoint, keys: sub.keys },
      locale: 'en',
    }),
  ).body;
  return { device, sub };
}

beforeAll(async () => {
  wpt = await startWebPushTesting();
  t = await startIsolatedApp({ env: ENV });
  admin = await adminToken(t);
  alice = await createUser(t, 'Alice');
  bob = await createUser(t, 'Bob');
});

afterAll(async () => {
  await t?.stop();
  await wpt?.stop();
});

describe('VAPID key', () => {
  it('is generated once and kept: another server on the same database answers the same key', async () => {
    const first = ok(await api(t)('GET', '/api/push/vapid-public-key')).body.publicKey;
    expect(Buffer.from(first, 'base64url')).toHaveLength(65);
    const other = await startApp({ databaseUrl: t.db.url, redisPrefix: t.redisPrefix, env: ENV });
    try {
      expect(ok(await api(other)('GET', '/api/push/vapid-public-key')).body).toEqual({ publicKey: first });
    } finally {
      await other.close();
    }
  });
});

describe('devices', () => {
  it('are registered by signed-in app users only', async () => {
    const body = { platform: 'fcm', token: fcmToken('anon') };
    expectApiProblem(await api(t)('POST', '/api/push/devices', body), 401, 'UNAUTHORIZED');
    expectApiProblem(await api(t, admin)('POST', '/api/push/devices', body), 403, 'PUSH_USER_REQUIRED');
  });

  it('refuses bad tokens and subscriptions, naming the field, and writes nothing', async () => {
    const post = (body: unknown) => api(t, alice.token)('POST', '/api/push/devices', body);
    const cases: Array<[unknown, string]> = [
      [{ platform: 'sms', token: fcmToken(1) }, 'platform'],
      [{ platform: 'fcm' }, 'token'],
      [{ platform: 'fcm', token: 'short' }, 'token'],
      [{ platform: 'fcm', token: 'has spaces in it, which no FCM token has' }, 'token'],
      [{ platform: 'apns', token: 'zz'.repeat(32) }, 'token'],
      [{ platform: 'webpush', token: fcmToken(2) }, 'token'],
      [{ platform: 'webpush' }, 'subscription'],
      [
        {
          platform: 'fcm',
          token: fcmToken(3),
          subscription: { endpoint: 'https://x.example', keys: { p256dh: 'a', auth: 'b' } },
        },
        'subscription',
      ],
      [
        { platform: 'webpush', subscription: { endpoint: 'not a url', keys: { p256dh: 'a', auth: 'b' } } },
        'subscription.endpoint',
      ],
      [
        {
          platform: 'webpush',
          subscription: {
            endpoint: 'https://push.example/x',
            keys: { p256dh: 'BAAA', auth: 'AAAAAAAAAAAAAAAAAAAAAA' },
          },
        },
        'subscription.keys.p256dh',
      ],
      [{ platform: 'fcm', token: fcmToken(4), extra: 1 }, 'extra'],
    ];
    for (const [body, path] of cases) {
      const problem = expectApiProblem(await post(body), 400, 'VALIDATION_FAILED');
      expect(errorPaths(problem)).toContain(path);
    }
    const listed = ok(await api(t, admin)('GET', `/api/push/devices?user=${alice.id}`)).body;
    expect(listed.totalItems).toBe(0);
  });

  it('re-registering the same token updates the device instead of adding one', async () => {
    const first = ok(
      await api(t, alice.token)('POST', '/api/push/devices', {
        platform: 'fcm',
        token: fcmToken('same'),
        locale: 'en',
      }),
    ).body;
    const again = ok(
      await api(t, alice.token)('POST', '/api/push/devices', {
        platform: 'fcm',
        token: fcmToken('same'),
        locale: 'de',
        appId: 'dev.plinth.app',
      }),
    ).body;
    expect(again).toMatchObject({
      id: first.id,
      locale: 'de',
      appId: 'dev.plinth.app',
      userId: alice.id,
      active: true,
    });
    const listed = ok(await api(t, admin)('GET', `/api/push/devices?user=${alice.id}&platform=fcm`)).body;
    expect(listed.items.filter((d: { token: string }) => d.token === fcmToken('same'))).toHaveLength(1);
    ok(await api(t, alice.token)('DELETE', `/api/push/devices/${first.id}`), 204);
  });

  it('are limited to 50 per user', async () => {
    const carol = await createUser(t, 'Carol');
    for (let i = 0; i < 50; i++) {
      ok(
        await api(t, carol.token)('POST', '/api/push/devices', { platform: 'fcm', token: fcmToken(`c${i}`) }),
      );
    }
    expectApiProblem(
      await api(t, carol.token)('POST', '/api/push/devices', { platform: 'fcm', token: fcmToken('c50') }),
      409,
      'PUSH_DEVICE_LIMIT',
    );
    // Re-registering one of the 50 still works.
    ok(
      await api(t, carol.token)('POST', '/api/push/devices', {
        platform: 'fcm',
        token: fcmToken('c7'),
        locale: 'fr',
      }),
    );
    const page = ok(await api(t, admin)('GET', `/api/push/devices?user=${carol.id}&perPage=20&page=3`)).body;
    expect(page).toMatchObject({ page: 3, perPage: 20, totalItems: 50, totalPages: 3 });
    expect(page.items).toHaveLength(10);
  });

  it('are listed for admins only, with filters checked', async () => {
    expectApiProblem(await api(t, alice.token)('GET', '/api/push/devices'), 403, 'ADMIN_REQUIRED');
    expectApiProblem(await api(t)('GET', '/api/push/devices'), 401, 'UNAUTHORIZED');
    const bad = expectApiProblem(
      await api(t, admin)('GET', '/api/push/devices?user=nope&platform=sms&active=maybe'),
      400,
      'INVALID_QUERY',
    );
    expect(errorPaths(bad)).toEqual(['active', 'platform', 'user']);
    const inactive = ok(await api(t, admin)('GET', '/api/push/devices?active=false')).body;
    expect(inactive.totalItems).toBe(0);
  });

  it('go with their user when the user is deleted', async () => {
    const lee = await createUser(t, 'Lee');
    ok(await api(t, lee.token)('POST', '/api/push/devices', { platform: 'fcm', token: fcmToken('lee') }));
    expect(ok(await api(t, admin)('GET', `/api/push/devices?user=${lee.id}`)).body.totalItems).toBe(1);
    ok(await api(t, admin)('DELETE', `/api/collections/users/records/${lee.id}`), 204);
    await eventually(
      async () => ok(await api(t, admin)('GET', `/api/push/devices?user=${lee.id}`)).body.totalItems === 0,
    );
  });

  it('are removed by their owner only', async () => {
    const d = ok(
      await api(t, alice.token)('POST', '/api/push/devices', { platform: 'apns', token: 'ab'.repeat(32) }),
    ).body;
    expect(d.token).toBe('ab'.repeat(32));
    expectApiProblem(
      await api(t, bob.token)('DELETE', `/api/push/devices/${d.id}`),
      404,
      'PUSH_DEVICE_NOT_FOUND',
    );
    expectApiProblem(
      await api(t, bob.token)('DELETE', '/api/push/devices/not-an-id'),
      404,
      'PUSH_DEVICE_NOT_FOUND',
    );
    ok(await api(t, alice.token)('DELETE', `/api/push/devices/${d.id}`), 204);
    expectApiProblem(
      await api(t, alice.token)('DELETE', `/api/push/devices/${d.id}`),
      404,
      'PUSH_DEVICE_NOT_FOUND',
    );
  });
});

describe('topics', () => {
  it("subscribe all of the user's devices or one of them, and unsubscribe", async () => {
    const dave = await createUser(t, 'Dave');
    const d1 = ok(
      await api(t, dave.token)('POST', '/api/push/devices', { platform: 'fcm', token: fcmToken('d1') }),
    ).body;
    const d2 = ok(
      await api(t, dave.token)('POST', '/api/push/devices', { platform: 'fcm', token: fcmToken('d2') }),
    ).body;
    const all = ok(await api(t, dave.token)('POST', '/api/push/topics/news/subscribe', {})).body;
    expect(all).toEqual({ topic: 'news', devices: expect.arrayContaining([d1.id, d2.id]) });
    ok(await api(t, dave.token)('POST', '/api/push/topics/sport/subscribe', { deviceId: d2.id }));
    ok(await api(t, dave.token)('POST', '/api/push/topics/news/unsubscribe', { deviceId: d1.id }));
    const listed = ok(await api(t, admin)('GET', `/api/push/devices?user=${dave.id}`)).body.items;
    const topicsOf = (id: string) => listed.find((d: { id: string }) => d.id === id).topics;
    expect(topicsOf(d1.id)).toEqual([]);
    expect(topicsOf(d2.id)).toEqual(['news', 'sport']);

    expectApiProblem(
      await api(t, alice.token)('POST', '/api/push/topics/news/subscribe', { deviceId: d1.id }),
      404,
      'PUSH_DEVICE_NOT_FOUND',
    );
    expectApiProblem(
      await api(t, dave.token)('POST', '/api/push/topics/bad%20topic/subscribe', {}),
      400,
      'VALIDATION_FAILED',
    );
    expectApiProblem(await api(t)('POST', '/api/push/topics/news/subscribe', {}), 401, 'UNAUTHORIZED');
  });
});

describe('POST /api/push/send', () => {
  const note = { title: 'Hello', body: 'World' };

  it('needs an admin or a key with the push:send scope', async () => {
    const body = { targets: { users: [alice.id] }, notification: note };
    expectApiProblem(await api(t)('POST', '/api/push/send', body), 401, 'UNAUTHORIZED');
    expectApiProblem(await api(t, alice.token)('POST', '/api/push/send', body), 403, 'SCOPE_REQUIRED');
    const readKey = await createKey(t, admin, ['users:read']);
    expectApiProblem(await api(t, readKey)('POST', '/api/push/send', body), 403, 'SCOPE_REQUIRED');
    const pushKey = await createKey(t, admin, ['push:send']);
    const sent = await api(t, pushKey)('POST', '/api/push/send', body);
    expect(sent.status).toBe(202);
    expect(ok(await api(t, pushKey)('GET', `/api/push/messages/${sent.body.id}`)).body.id).toBe(sent.body.id);
    expectApiProblem(await api(t, pushKey)('GET', '/api/push/messages'), 403, 'ADMIN_REQUIRED');
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const before = ok(await api(t, admin)('GET', '/api/push/messages')).body.totalItems;
    const send = (body: unknown) => api(t, admin)('POST', '/api/push/send', body);
    expectApiProblem(await send({ targets: {}, notification: note }), 400, 'PUSH_NO_TARGETS');
    expectApiProblem(await send({ targets: { users: [] }, notification: note }), 400, 'PUSH_NO_TARGETS');
    expectApiProblem(await send({ notification: note }), 400, 'VALIDATION_FAILED');
    expectApiProblem(await send({ targets: { users: [alice.id] } }), 400, 'VALIDATION_FAILED');
    expect(
      errorPaths(
        expectApiProblem(
          await send({ targets: { users: ['x'] }, notification: note }),
          400,
          'VALIDATION_FAILED',
        ),
      ),
    ).toEqual(['targets.users.0']);
    expect(
      errorPaths(
        expectApiProblem(
          await send({ targets: { users: [alice.id] }, notification: note, scheduledAt: 'tomorrow' }),
          400,
          'VALIDATION_FAILED',
        ),
      ),
    ).toEqual(['scheduledAt']);
    expectApiProblem(
      await send({ targets: { filter: 'name ~ ' }, notification: note }),
      400,
      'FILTER_SYNTAX',
    );
    expectApiProblem(
      await send({ targets: { filter: 'nope = 1' }, notification: note }),
      400,
      'FILTER_UNKNOWN_FIELD',
    );
    expectApiProblem(
      await send({ targets: { filter: 'id != ""', collection: 'nope' }, notification: note }),
      400,
      'VALIDATION_FAILED',
    );

    const big = await send({
      targets: { users: [alice.id] },
      notification: { title: 'x', body: 'y'.repeat(3990) },
    });
    const problem = expectApiProblem(big, 400, 'PUSH_PAYLOAD_TOO_LARGE');
    expect(problem.detail).toMatch(/Web Push.*3993 bytes/);
    const fcmBig = await send({
      targets: { users: [alice.id] },
      notification: note,
      overrides: { fcm: { data: { k: 'z'.repeat(4100) } } },
    });
    expect(expectApiProblem(fcmBig, 400, 'PUSH_PAYLOAD_TOO_LARGE').detail).toMatch(/FCM.*4096 bytes/);

    expect(ok(await api(t, admin)('GET', '/api/push/messages')).body.totalItems).toBe(before);
  });

  it('delivers through Web Push end to end: the push service decrypts the payload intact', async () => {
    const erin = await createUser(t, 'Erin');
    const { device, sub } = await webPushDevice(erin);
    const data = { orderId: 'o-42', nested: { ünïcode: '✓ 🚀' } };
    const res = await api(t, admin)('POST', '/api/push/send', {
      targets: { users: [erin.id] },
      notification: {
        title: 'Ihre Bestellung',
        body: 'ist unterwegs 🚚',
        clickUrl: 'https://app.example/orders/42',
        badge: 3,
      },
      data,
      ttl: 600,
    });
    expect(res.status).toBe(202);
    const m = await settled(res.body.id);
    expect(m).toMatchObject({
      id: res.body.id,
      status: 'sent',
      counts: { total: 1, pending: 0, sent: 1, failed: 0 },
      deliveries: [{ deviceId: device.id, platform: 'webpush', status: 'sent', attempts: 1 }],
    });
    const received = await wpt.notifications(sub.clientHash);
    expect(received.map((r) => JSON.parse(r))).toEqual([
      {
        title: 'Ihre Bestellung',
        body: 'ist unterwegs 🚚',
        badge: 3,
        url: 'https://app.example/orders/42',
        data,
      },
    ]);
  });

  it('an expired subscription fails as unregistered and deactivates the device', async () => {
    const fay = await createUser(t, 'Fay');
    const { device, sub } = await webPushDevice(fay);
    await wpt.expire(sub.clientHash);
    const res = ok(
      await api(t, admin)('POST', '/api/push/send', {
        targets: { devices: [device.id] },
        notification: note,
      }),
      202,
    );
    const m = await settled(res.body.id);
    expect(m.status).toBe('failed');
    expect(m.deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: expect.stringContaining('410'),
    });
    const listed = ok(await api(t, admin)('GET', `/api/push/devices?user=${fay.id}`)).body.items;
    expect(listed[0]).toMatchObject({
      id: device.id,
      active: false,
      inactiveReason: expect.stringContaining('410'),
    });
    // Inactive devices are no longer targeted; a retry leaves their dead letters alone.
    const again = ok(
      await api(t, admin)('POST', '/api/push/send', { targets: { users: [fay.id] }, notification: note }),
      202,
    );
    expect((await settled(again.body.id)).counts.total).toBe(0);
    expect(ok(await api(t, admin)('POST', `/api/push/messages/${res.body.id}/retry`), 202).body).toEqual({
      id: res.body.id,
      retried: 0,
    });
  });

  it('targets topics and a filter over the users collection', async () => {
    const gus = await createUser(t, 'Gus');
    const hal = await createUser(t, 'Hal');
    const g = await webPushDevice(gus);
    const h = await webPushDevice(hal);
    ok(await api(t, gus.token)('POST', '/api/push/topics/weather/subscribe', {}));
    const byTopic = ok(
      await api(t, admin)('POST', '/api/push/send', {
        targets: { topics: ['weather'] },
        notification: { title: 'Rain' },
      }),
      202,
    );
    expect((await settled(byTopic.body.id)).deliveries.map((d: { deviceId: string }) => d.deviceId)).toEqual([
      g.device.id,
    ]);
    const byFilter = ok(
      await api(t, admin)('POST', '/api/push/send', {
        targets: { filter: `name = 'Hal' || name = 'Gus'` },
        notification: { title: 'Both' },
      }),
      202,
    );
    const both = await settled(byFilter.body.id);
    expect(both.deliveries.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual(
      [g.device.id, h.device.id].sort(),
    );
    expect((await wpt.notifications(h.sub.clientHash)).map((r) => JSON.parse(r).title)).toEqual(['Both']);
    expect((await wpt.notifications(g.sub.clientHash)).map((r) => JSON.parse(r).title)).toEqual([
      'Rain',
      'Both',
    ]);
  });

  it('a repeated idempotencyKey answers the first message and sends nothing more', async () => {
    const ian = await createUser(t, 'Ian');
    const { sub } = await webPushDevice(ian);
    const body = {
      targets: { users: [ian.id] },
      notification: { title: 'Once' },
      idempotencyKey: 'order-7-shipped',
    };
    const first = ok(await api(t, admin)('POST', '/api/push/send', body), 202).body;
    const second = ok(
      await api(t, admin)('POST', '/api/push/send', { ...body, notification: { title: 'Twice?' } }),
      202,
    ).body;
    expect(second).toEqual(first);
    await settled(first.id);
    const third = ok(await api(t, admin)('POST', '/api/push/send', body), 202).body;
    expect(third).toEqual(first);
    expect((await wpt.notifications(sub.clientHash)).map((r) => JSON.parse(r).title)).toEqual(['Once']);
  });

  it('scheduledAt waits until its time', async () => {
    const jo = await createUser(t, 'Jo');
    const { sub } = await webPushDevice(jo);
    // Far enough ahead that the checks below run before it even on a loaded machine.
    const at = new Date(Date.now() + 6000);
    const res = ok(
      await api(t, admin)('POST', '/api/push/send', {
        targets: { users: [jo.id] },
        notification: { title: 'Later' },
        scheduledAt: at.toISOString(),
      }),
      202,
    );
    const early = await message(res.body.id);
    expect(early).toMatchObject({
      status: 'scheduled',
      scheduledAt: at.toISOString(),
      counts: { pending: 1 },
    });
    expect(await wpt.notifications(sub.clientHash)).toEqual([]);
    const done = await settled(res.body.id);
    expect(done.status).toBe('sent');
    const received = await wpt.notifications(sub.clientHash);
    expect(received).toHaveLength(1);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
  });

  it('lists messages for admins with counts', async () => {
    const list = ok(await api(t, admin)('GET', '/api/push/messages?perPage=2')).body;
    expect(list).toMatchObject({ page: 1, perPage: 2 });
    expect(list.items).toHaveLength(2);
    expect(list.items[0]).toMatchObject({
      id: expect.any(String),
      status: expect.any(String),
      counts: expect.any(Object),
    });
    expectApiProblem(
      await api(t, admin)('GET', '/api/push/messages/00000000-0000-4000-8000-000000000000'),
      404,
      'PUSH_MESSAGE_NOT_FOUND',
    );
    expectApiProblem(await api(t, admin)('GET', '/api/push/messages/nope'), 404, 'PUSH_MESSAGE_NOT_FOUND');
    // 36 characters that only look like a UUID: still a 404, never a database error.
    for (const malformed of ['-'.repeat(36), 'abcdefab-cdef-abcd-efab-cdefabcdef-0']) {
      expectApiProblem(
        await api(t, admin)('GET', `/api/push/messages/${malformed}`),
        404,
        'PUSH_MESSAGE_NOT_FOUND',
      );
      expectApiProblem(
        await api(t, admin)('POST', `/api/push/messages/${malformed}/retry`),
        404,
        'PUSH_MESSAGE_NOT_FOUND',
      );
    }
    expectApiProblem(await api(t, admin)('GET', '/api/push/messages?page=0'), 400, 'INVALID_QUERY');
  });
});

describe('push on record events', () => {
  it("sends the collection's template to the users a relation field names", async () => {
    const kim = await createUser(t, 'Kim');
    const { sub } = await webPushDevice(kim);
    await createCollection(t, admin, {
      name: 'orders',
      type: 'base',
      fields: [
        { name: 'item', type: 'text' },
        { name: 'buyer', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      deleteRule: '',
    });
    const bad = await api(t, admin)('PUT', '/api/push/triggers/orders', {
      triggers: [{ on: ['create'], userField: 'item', notification: { title: '{{nope}}' } }],
    });
    expect(errorPaths(expectApiProblem(bad, 400, 'VALIDATION_FAILED'))).toEqual([
      'triggers.0.title',
      'triggers.0.userField',
    ]);
    expectApiProblem(
      await api(t, alice.token)('PUT', '/api/push/triggers/orders', { triggers: [] }),
      403,
      'ADMIN_REQUIRED',
    );
    expectApiProblem(await api(t, admin)('GET', '/api/push/triggers/nope'), 404, 'COLLECTION_NOT_FOUND');

    const triggers = [
      {
        on: ['create', 'update'],
        userField: 'buyer',
        notification: { title: 'Order {{action}}', body: '{{item}} is on its way' },
        data: { item: '{{item}}' },
      },
    ];
    expect(ok(await api(t, admin)('PUT', '/api/push/triggers/orders', { triggers })).body).toEqual({
      collection: 'orders',
      triggers,
    });
    expect(ok(await api(t, admin)('GET', '/api/push/triggers/orders')).body.triggers).toEqual(triggers);

    const order = await createRecord(t, admin, 'orders', { item: 'Teapot', buyer: kim.id });
    await createRecord(t, admin, 'orders', { item: 'Nobody' });
    const got = await eventually(async () => {
      const m = await wpt.notifications(sub.clientHash);
      return m.length ? m : null;
    }, 15_000);
    expect(JSON.parse(got![0]!)).toEqual({
      title: 'Order create',
      body: 'Teapot is on its way',
      data: { item: 'Teapot', collection: 'orders', recordId: order.id, action: 'create' },
    });
    // Deleting is not a trigger here; removing the triggers stops the pushes.
    ok(await api(t, admin)('PUT', '/api/push/triggers/orders', { triggers: [] }));
    ok(await api(t, admin)('PATCH', `/api/collections/orders/records/${order.id}`, { item: 'Kettle' }));
    const triggered = ok(await api(t, admin)('GET', '/api/push/messages?perPage=100')).body.items.filter(
      (m: { source: string }) => m.source === 'trigger',
    );
    expect(triggered).toHaveLength(1);
  });
});
