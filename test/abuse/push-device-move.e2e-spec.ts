import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { createUser, ok, type TestUser } from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/**
 * Issue 16 item 17: a device token belongs to the app install (FCM's model), so registering it
 * under another user moves the device. Once moved, nothing the old user set up reaches it.
 */
describe('abuse: a device token registered by another user moves to that user', () => {
  let t: App;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    alice = await createUser(t, 'Alice');
    bob = await createUser(t, 'Bob');
  });
  afterAll(async () => t?.stop());

  const deliveredTo = async (targets: Record<string, unknown>): Promise<string[]> => {
    const { id } = ok(
      await api(t, admin)('POST', '/api/push/send', { targets, notification: { title: 'hi', body: 'x' } }),
      202,
    ).body;
    const message = ok(await api(t, admin)('GET', `/api/push/messages/${id}`)).body;
    return message.deliveries.map((d: { deviceId: string }) => d.deviceId);
  };

  it('moves the device with its token; the old user no longer targets, owns or subscribes it', async () => {
    const token = 'fcm-shared-tablet-token-0123456789abcdef';
    const mine = ok(await api(t, alice.token)('POST', '/api/push/devices', { platform: 'fcm', token })).body;
    ok(await api(t, alice.token)('POST', '/api/push/topics/alice-private/subscribe', { deviceId: mine.id }));
    expect(await deliveredTo({ users: [alice.id] })).toEqual([mine.id]);
    expect(await deliveredTo({ topics: ['alice-private'] })).toEqual([mine.id]);

    // Bob signs in on the same install: the app registers the same token for him.
    const moved = ok(await api(t, bob.token)('POST', '/api/push/devices', { platform: 'fcm', token })).body;
    expect(moved).toMatchObject({ id: mine.id, userId: bob.id, active: true });

    expect(await deliveredTo({ users: [alice.id] })).toEqual([]);
    expect(await deliveredTo({ users: [bob.id] })).toEqual([mine.id]);
    // Alice's topic subscriptions stayed with Alice: her private topic no longer reaches Bob's device.
    expect(await deliveredTo({ topics: ['alice-private'] })).toEqual([]);
    // Alice can neither remove nor subscribe the device any more.
    expectApiProblem(
      await api(t, alice.token)('DELETE', `/api/push/devices/${mine.id}`),
      404,
      'PUSH_DEVICE_NOT_FOUND',
    );
    const listed = ok(await api(t, admin)('GET', `/api/push/devices?user=${alice.id}`)).body;
    expect(listed.totalItems).toBe(0);
  });
});
