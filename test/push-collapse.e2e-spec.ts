import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import {
  apnsSettings,
  fcmSettings,
  startApns,
  startFcm,
  startWebPushRecorder,
  type ApnsStub,
  type FcmStub,
  type WebPushRecorder,
} from './support/push-providers.js';
import { createUser, ok, type TestUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

/**
 * A send in flight when its worker dies is sent again (DESIGN §6): every send carries a collapse key
 * made from the message id, so the repeat replaces the first on the device, and a worker keeps at
 * most PLINTH_PUSH_CONCURRENCY sends in flight, which bounds how many can be repeated.
 */
let t: Awaited<ReturnType<typeof startIsolatedApp>>;
let fcm: FcmStub;
let apns: ApnsStub;
let wp: WebPushRecorder;
let admin: string;
let user: TestUser;

const LIMIT = 4;

async function settled(id: string) {
  return eventually(async () => {
    const m = ok(await api(t, admin)('GET', `/api/push/messages/${id}`)).body;
    return m.counts.pending === 0 ? m : null;
  }, 30_000);
}

async function device(body: Record<string, unknown>): Promise<string> {
  return (ok(await api(t, user.token)('POST', '/api/push/devices', body)).body as { id: string }).id;
}

const send = async (body: Record<string, unknown>) =>
  ok(await api(t, admin)('POST', '/api/push/send', body), 202).body.id as string;

/** The collapse key Plinth derives from a message id: its 32 hex digits. */
const keyOf = (messageId: string) => messageId.replace(/-/g, '');

beforeAll(async () => {
  [fcm, apns, wp] = await Promise.all([startFcm(), startApns(), startWebPushRecorder()]);
  t = await startIsolatedApp({
    env: { PLINTH_PUSH_CONCURRENCY: String(LIMIT), PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true' },
  });
  admin = await adminToken(t);
  user = await createUser(t, 'Kim');
  ok(await api(t, admin)('PATCH', '/api/settings', { push: { ...fcmSettings(fcm), ...apnsSettings(apns) } }));
});

afterAll(async () => {
  await t?.stop();
  await Promise.all([fcm?.close(), apns?.close(), wp?.close()]);
});

describe('collapse keys from the message id', () => {
  it('FCM gets it for Android, APNs and Web Push alike', async () => {
    const d = await device({ platform: 'fcm', token: `collapse:APA91b-${'x'.repeat(40)}` });
    const id = await send({ targets: { devices: [d] }, notification: { title: 'once' } });
    await settled(id);
    const message = fcm.requests.at(-1)!.message as Record<string, Record<string, unknown>>;
    expect(message.android!.collapse_key).toBe(keyOf(id));
    expect(message.apns).toEqual({ headers: { 'apns-collapse-id': keyOf(id) } });
    expect(message.webpush).toEqual({ headers: { Topic: keyOf(id) } });
  });

  it('APNs gets apns-collapse-id', async () => {
    const d = await device({ platform: 'apns', token: 'ab'.repeat(32) });
    const id = await send({ targets: { devices: [d] }, notification: { title: 'once' } });
    await settled(id);
    expect(apns.requests.at(-1)!.headers['apns-collapse-id']).toBe(keyOf(id));
  });

  it('Web Push gets a Topic of at most 32 URL-safe characters', async () => {
    const d = await device({ platform: 'webpush', subscription: wp.subscription('topic') });
    const id = await send({ targets: { devices: [d] }, notification: { title: 'once' } });
    await settled(id);
    const topic = wp.requests.find((r) => r.name === 'topic')!.headers.topic;
    expect(topic).toBe(keyOf(id));
    expect(topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });

  it("keeps the sender's own collapseKey where one is given", async () => {
    const d = await device({ platform: 'apns', token: 'cd'.repeat(32) });
    await settled(
      await send({ targets: { devices: [d] }, notification: { title: 'x' }, collapseKey: 'score-7' }),
    );
    expect(apns.requests.at(-1)!.headers['apns-collapse-id']).toBe('score-7');
  });
});

describe('sends in flight per worker', () => {
  it(`never exceed PLINTH_PUSH_CONCURRENCY (${LIMIT}), over several messages at once`, async () => {
    const devices: string[] = [];
    for (let i = 0; i < 40; i++)
      devices.push(await device({ platform: 'webpush', subscription: wp.subscription(`flight-${i}`) }));
    wp.holdMs = 50;
    wp.peakInFlight = 0;
    // Four messages: four jobs, which the push queue runs side by side.
    const ids = await Promise.all(
      [0, 1, 2, 3].map((m) =>
        send({ targets: { devices: devices.slice(m * 10, m * 10 + 10) }, notification: { title: `m${m}` } }),
      ),
    );
    for (const id of ids) expect((await settled(id)).counts.sent).toBe(10);
    expect(wp.requests.filter((r) => r.name.startsWith('flight-'))).toHaveLength(40);
    expect(wp.peakInFlight).toBeLessThanOrEqual(LIMIT);
    expect(wp.peakInFlight).toBeGreaterThan(1); // sends do overlap: the bound, not a queue of one
  });
});
