import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { ADMIN_EMAIL, adminToken, api } from './support/auth.js';
import { createUser, ok, type TestUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';
import { startReceiver, verify, type Received } from './support/webhook-receiver.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Data = { collection: string; record: Record<string, unknown>; previous?: unknown; auth?: unknown };

/**
 * Issue 20: record events tell who made the change (`data.auth`) and, of an update, the record
 * before it (`data.previous`), from the one-statement update, the transactional one and a batch.
 */
describe('webhooks: previous and auth of record events', () => {
  let t: App;
  let adminJwt: string;
  let admin: ReturnType<typeof api>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let plain: { id: string; secret: string };
  let hidden: { id: string; secret: string };
  let user: TestUser;
  let key: { id: string; key: string };

  /** What one webhook received about one record, in order. */
  const deliveries = (hook: { secret: string }, id: unknown): Array<{ type: string; data: Data }> =>
    receiver.received
      .filter((r: Received) => {
        try {
          verify(hook.secret, r);
          return true;
        } catch {
          return false;
        }
      })
      .map((r) => r.json as { type: string; data: Data })
      .filter((j) => j.data.record.id === id);

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' } });
    adminJwt = await adminToken(t);
    admin = api(t, adminJwt);
    receiver = await startReceiver();
    ok(
      await admin('POST', '/api/collections', {
        name: 'orders',
        type: 'base',
        fields: [
          { name: 'status', type: 'text' },
          { name: 'note', type: 'text', hidden: true },
          { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
      }),
    );
    const hook = async (body: Record<string, unknown>) =>
      ok(await admin('POST', '/api/webhooks', { url: receiver.url, events: ['orders.*'], ...body })).body;
    plain = await hook({});
    hidden = await hook({ includeHidden: true });
    user = await createUser(t, 'Owner');
    key = ok(await admin('POST', '/api/keys', { name: 'orders writer', scopes: ['orders:write'] })).body;
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });

  it('carries the record before each update, hidden fields only with includeHidden, and who wrote', async () => {
    const order = ok(
      await api(t)('POST', '/api/collections/orders/records', { status: 'new', note: 'n1' }),
    ).body;
    // One statement (plain fields): admin.
    ok(await admin('PATCH', `/api/collections/orders/records/${order.id}`, { status: 'paid', note: 'n2' }));
    // The transactional path (a relation): the user.
    ok(
      await api(t, user.token)('PATCH', `/api/collections/orders/records/${order.id}`, {
        owner: user.id,
        status: 'shipped',
      }),
    );
    // In a batch: the API key.
    ok(
      await api(t, key.key)('POST', '/api/batch', {
        requests: [
          { method: 'PATCH', url: `/api/collections/orders/records/${order.id}`, body: { status: 'done' } },
        ],
      }),
    );
    ok(await api(t)('DELETE', `/api/collections/orders/records/${order.id}`), 204);

    await eventually(
      () => deliveries(plain, order.id).length === 5 && deliveries(hidden, order.id).length === 5,
    );
    for (const hook of [plain, hidden]) {
      const got = deliveries(hook, order.id);
      expect(got.map((d) => `${d.type}:${String(d.data.record.status)}`)).toEqual([
        'orders.create:new',
        'orders.update:paid',
        'orders.update:shipped',
        'orders.update:done',
        'orders.delete:done',
      ]);
      expect(got.map((d) => d.data.auth)).toEqual([
        { kind: 'anonymous' },
        { kind: 'admin', id: expect.any(String) },
        { kind: 'user', id: user.id, collection: 'users' },
        { kind: 'key', id: key.id },
        { kind: 'anonymous' },
      ]);
      expect(got[0]!.data).not.toHaveProperty('previous');
      expect(got[4]!.data).not.toHaveProperty('previous');
      // Each update's previous is the record as the event before it delivered it.
      for (const i of [1, 2, 3]) expect(got[i]!.data.previous).toEqual(got[i - 1]!.data.record);
      expect(got[3]!.data.previous).toMatchObject({ status: 'shipped', owner: user.id });
    }
    const [, adminUpdate] = deliveries(plain, order.id);
    expect(adminUpdate!.data.previous).toMatchObject({ id: order.id, status: 'new' });
    expect(adminUpdate!.data.previous).not.toHaveProperty('note');
    expect(adminUpdate!.data.record).not.toHaveProperty('note');
    const [, adminUpdateHidden] = deliveries(hidden, order.id);
    expect(adminUpdateHidden!.data.previous).toMatchObject({ status: 'new', note: 'n1' });
    expect(adminUpdateHidden!.data.record).toMatchObject({ status: 'paid', note: 'n2' });
    // No token nor secret reaches the receiver.
    const bodies = receiver.received.map((r) => r.body).join('\n');
    expect(bodies).not.toContain(user.token);
    expect(bodies).not.toContain(key.key);
    expect(bodies).not.toContain(adminJwt);
  });

  it('gives the admin id, and no previous on a create in a batch', async () => {
    const admins = ok(await admin('GET', '/api/admins')).body.items as Array<{ id: string; email: string }>;
    const me = admins.find((a) => a.email === ADMIN_EMAIL)!;
    const res = ok(
      await admin('POST', '/api/batch', {
        requests: [{ method: 'POST', url: '/api/collections/orders/records', body: { status: 'batched' } }],
      }),
    );
    const id = res.body[0].body.id as string;
    ok(await admin('PATCH', `/api/collections/orders/records/${id}`, { status: 'again' }));
    await eventually(() => deliveries(plain, id).length === 2);
    const [created, updated] = deliveries(plain, id);
    expect(created!.data).not.toHaveProperty('previous');
    expect(created!.data.auth).toEqual({ kind: 'admin', id: me.id });
    expect(updated!.data.previous).toEqual(created!.data.record);
  });
});
