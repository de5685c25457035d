import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import {
  apnsSettings,
  fcmSettings,
  startApns,
  startFcm,
  type ApnsStub,
  type FcmStub,
} from './support/push-providers.js';
import { createUser, ok, type TestUser } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

let t: Awaited<ReturnType<typeof startIsolatedApp>>;
let fcm: FcmStub;
let apns: ApnsStub;
let admin: string;
let user: TestUser;

const fcmToken = (name: string) => `${name}:APA91b-${'x'.repeat(40)}`;
const apnsToken = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

async function settled(id: string) {
  return eventually(async () => {
    const m = ok(await api(t, admin)('GET', `/api/push/messages/${id}`)).body;
    return m.counts.pending === 0 ? m : null;
  }, 20_000);
}

async function device(body: Record<string, unknown>) {
  return ok(await api(t, user.token)('POST', '/api/push/devices', body)).body as { id: string };
}

const send = async (body: Record<string, unknown>) =>
  ok(await api(t, admin)('POST', '/api/push/send', body), 202).body.id as string;

beforeAll(async () => {
  [fcm, apns] = await Promise.all([startFcm(), startApns()]);
  t = await startIsolatedApp({ env: { PLINTH_PUSH_RETRY_DELAY: '0.05', PLINTH_PUSH_MAX_ATTEMPTS: '3' } });
  admin = await adminToken(t);
  user = await createUser(t, 'Pat');
  ok(await api(t, admin)('PATCH', '/api/settings', { push: { ...fcmSettings(fcm), ...apnsSettings(apns) } }));
});

afterAll(async () => {
  await t?.stop();
  await fcm?.close();
  await apns?.close();
});

beforeEach(() => {
  fcm.script = () => undefined;
  apns.script = () => undefined;
});

describe('provider settings', () => {
  it('keep private keys write-only', async () => {
    const view = ok(await api(t, admin)('GET', '/api/settings')).body.push;
    expect(view).toMatchObject({
      fcmProjectId: fcm.projectId,
      fcmPrivateKey: '',
      apnsPrivateKey: '',
      apnsKeyId: apns.keyId,
    });
    expect(JSON.stringify(ok(await api(t, admin)('GET', '/api/settings')).body)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(ok(await api(t, admin)('GET', '/api/settings')).body)).not.toContain('pushVapid');
  });
});

describe('FCM HTTP v1', () => {
  it("signs in with the service account once and sends the message in FCM's shape", async () => {
    const d = await device({ platform: 'fcm', token: fcmToken('shape') });
    const grantsBefore = fcm.tokenGrants;
    const id = await send({
      targets: { devices: [d.id] },
      notification: {
        title: 'T',
        body: 'B',
        image: 'https://img.example/a.png',
        sound: 'ding',
        clickUrl: 'https://app.example/x',
      },
      data: { a: '1', n: 2, o: { k: true } },
      priority: 'high',
      ttl: 60,
      collapseKey: 'c1',
      overrides: { fcm: { android: { notification: { channel_id: 'orders' } } } },
    });
    const m = await settled(id);
    expect(m.deliveries).toEqual([
      { deviceId: d.id, platform: 'fcm', status: 'sent', attempts: 1, sentAt: expect.any(String) },
    ]);
    const req = fcm.requests.at(-1)!;
    expect(req.path).toBe(`/v1/projects/${fcm.projectId}/messages:send`);
    expect(req.authorization).toMatch(/^Bearer ya29\.test-\d+$/);
    expect(req.contentType).toBe('application/json');
    expect(req.message).toEqual({
      token: fcmToken('shape'),
      notification: { title: 'T', body: 'B', image: 'https://img.example/a.png' },
      data: { a: '1', n: '2', o: '{"k":true}' },
      android: {
        priority: 'HIGH',
        ttl: '60s',
        collapse_key: 'c1',
        notification: { sound: 'ding', click_action: 'https://app.example/x', channel_id: 'orders' },
      },
      apns: { headers: { 'apns-collapse-id': 'c1' } },
      webpush: { headers: { Topic: 'c1' }, fcm_options: { link: 'https://app.example/x' } },
    });
    // A second send reuses the cached access token.
    await settled(await send({ targets: { devices: [d.id] }, notification: { title: 'again' } }));
    expect(fcm.tokenGrants - grantsBefore).toBeLessThanOrEqual(1);
  });

  it('retries 503 and 429 with backoff, honouring Retry-After, then succeeds', async () => {
    const d = await device({ platform: 'fcm', token: fcmToken('flaky') });
    fcm.script = ({ n }) =>
      n === 1
        ? { status: 503, body: '<html>Service Unavailable</html>' }
        : n === 2
          ? { status: 429, body: '{}', headers: { 'retry-after': '1' } }
          : undefined;
    const m = await settled(await send({ targets: { devices: [d.id] }, notification: { title: 'retry' } }));
    expect(m.deliveries[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(m.deliveries[0].error).toBeUndefined();
    // Retry-After: 1 held the third attempt back at least a second (the backoff alone is 0.1 s).
    const times = fcm.requests.filter((r) => r.message.token === fcmToken('flaky')).map((r) => r.at);
    expect(times).toHaveLength(3);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(990);
  });

  it('exhausted retries end failed with the reason; the dead-letter retry then sends it', async () => {
    const d = await device({ platform: 'fcm', token: fcmToken('down') });
    let down = true;
    fcm.script = () =>
      down
        ? {
            status: 500,
            body: JSON.stringify({ error: { code: 500, status: 'INTERNAL', message: 'backend error' } }),
          }
        : undefined;
    const id = await send({ targets: { devices: [d.id] }, notification: { title: 'dead letter' } });
    const failed = await settled(id);
    expect(failed).toMatchObject({ status: 'failed', counts: { total: 1, failed: 1, sent: 0, pending: 0 } });
    expect(failed.deliveries[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed.deliveries[0].error).toMatch(/FCM answered 500 INTERNAL: backend error.*after 3 attempts/);

    down = false;
    expectApiProblem(
      await api(t, user.token)('POST', `/api/push/messages/${id}/retry`),
      403,
      'SCOPE_REQUIRED',
    );
    expect(ok(await api(t, admin)('POST', `/api/push/messages/${id}/retry`), 202).body).toEqual({
      id,
      retried: 1,
    });
    const m = await settled(id);
    expect(m).toMatchObject({ status: 'sent', counts: { sent: 1, failed: 0 } });
    expect(m.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('an unregistered token fails at once and deactivates the device', async () => {
    const d = await device({ platform: 'fcm', token: fcmToken('gone') });
    fcm.script = () => ({
      status: 404,
      body: JSON.stringify({
        error: {
          code: 404,
          status: 'NOT_FOUND',
          message: 'Requested entity was not found.',
          details: [
            { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
          ],
        },
      }),
    });
    const m = await settled(await send({ targets: { devices: [d.id] }, notification: { title: 'x' } }));
    expect(m.deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: expect.stringContaining('UNREGISTERED'),
    });
    const listed = ok(await api(t, admin)('GET', `/api/push/devices?user=${user.id}&active=false`)).body
      .items;
    expect(listed.map((x: { id: string }) => x.id)).toContain(d.id);
  });

  it('a provider answering garbage is a failed delivery with the reason, and the worker keeps going', async () => {
    const d = await device({ platform: 'fcm', token: fcmToken('garbage') });
    fcm.script = () => ({ status: 400, body: '\u0000\u0001 not json at all' });
    const m = await settled(await send({ targets: { devices: [d.id] }, notification: { title: 'x' } }));
    expect(m.deliveries[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: expect.stringContaining('FCM answered 400'),
    });
    fcm.script = () => undefined;
    const ok2 = await settled(
      await send({ targets: { devices: [d.id] }, notification: { title: 'still alive' } }),
    );
    expect(ok2.status).toBe('sent');
  });
});

describe('APNs over HTTP/2', () => {
  it('sends with an ES256 provider token, the APNs headers and body', async () => {
    const d = await device({
      platform: 'apns',
      token: apnsToken(1).toUpperCase(),
      appId: 'dev.plinth.other',
    });
    const id = await send({
      targets: { devices: [d.id] },
      notification: {
        title: 'Hi',
        body: 'There',
        badge: 5,
        sound: 'default',
        clickUrl: 'https://app.example/y',
      },
      data: { orderId: 'o-1' },
      ttl: 120,
      collapseKey: 'order-o-1',
      overrides: { apns: { aps: { 'thread-id': 'orders' } } },
    });
    expect((await settled(id)).deliveries[0]).toMatchObject({ status: 'sent', attempts: 1 });
    const req = apns.requests.at(-1)!;
    expect(req.token).toBe(apnsToken(1));
    expect(req.jwt).toEqual({ kid: apns.keyId, alg: 'ES256', iss: apns.teamId });
    expect(req.headers).toMatchObject({
      'apns-topic': 'dev.plinth.other',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-collapse-id': 'order-o-1',
      'content-type': 'application/json',
    });
    const expiration = Number(req.headers['apns-expiration']);
    expect(Math.abs(expiration - (Math.floor(Date.now() / 1000) + 120))).toBeLessThan(30);
    expect(req.body).toEqual({
      aps: { alert: { title: 'Hi', body: 'There' }, badge: 5, sound: 'default', 'thread-id': 'orders' },
      orderId: 'o-1',
      url: 'https://app.example/y',
    });
  });

  it('data-only pushes go as background pushes to the default bundle id', async () => {
    const d = await device({ platform: 'apns', token: apnsToken(2) });
    await settled(await send({ targets: { devices: [d.id] }, data: { sync: true } }));
    const req = apns.requests.at(-1)!;
    expect(req.headers).toMatchObject({
      'apns-topic': 'dev.plinth.app',
      'apns-push-type': 'background',
      'apns-priority': '5',
    });
    expect(req.body).toEqual({ aps: { 'content-available': 1 }, sync: true });
  });

  it('410 Unregistered deactivates the device; BadDeviceToken too; 400 garbage just fails', async () => {
    const gone = await device({ platform: 'apns', token: apnsToken(3) });
    const bad = await device({ platform: 'apns', token: apnsToken(4) });
    const odd = await device({ platform: 'apns', token: apnsToken(5) });
    apns.script = ({ token }) =>
      token === apnsToken(3)
        ? { status: 410, body: JSON.stringify({ reason: 'Unregistered', timestamp: Date.now() }) }
        : token === apnsToken(4)
          ? { status: 400, body: JSON.stringify({ reason: 'BadDeviceToken' }) }
          : { status: 400, body: '}{ garbage' };
    const m = await settled(
      await send({ targets: { devices: [gone.id, bad.id, odd.id] }, notification: { title: 'x' } }),
    );
    const byDevice = Object.fromEntries(m.deliveries.map((x: { deviceId: string }) => [x.deviceId, x]));
    expect(byDevice[gone.id]).toMatchObject({ status: 'failed', error: 'APNs answered 410 Unregistered' });
    expect(byDevice[bad.id]).toMatchObject({ status: 'failed', error: 'APNs answered 400 BadDeviceToken' });
    expect(byDevice[odd.id]).toMatchObject({ status: 'failed', error: 'APNs answered 400: }{ garbage' });
    const inactive = ok(
      await api(t, admin)('GET', `/api/push/devices?user=${user.id}&platform=apns&active=false`),
    ).body.items;
    expect(inactive.map((x: { id: string }) => x.id).sort()).toEqual([gone.id, bad.id].sort());
  });

  it('retries 503 then sends', async () => {
    const d = await device({ platform: 'apns', token: apnsToken(6) });
    apns.script = ({ n }) =>
      n < 3 ? { status: 503, body: JSON.stringify({ reason: 'ServiceUnavailable' }) } : undefined;
    const m = await settled(await send({ targets: { devices: [d.id] }, notification: { title: 'x' } }));
    expect(m.deliveries[0]).toMatchObject({ status: 'sent', attempts: 3 });
  });
});

describe('metrics', () => {
  it('count sends and deliveries by provider and status, and show the queue depth', async () => {
    const text = await (await t.fetch('/metrics')).text();
    expect(text).toMatch(/plinth_push_messages_total\{source="api"\} [1-9]/);
    expect(text).toMatch(/plinth_push_deliveries_total\{provider="fcm",status="sent"\} [1-9]/);
    expect(text).toMatch(/plinth_push_deliveries_total\{provider="apns",status="failed"\} [1-9]/);
    expect(text).toMatch(/plinth_push_deliveries_total\{provider="fcm",status="retry"\} [1-9]/);
    expect(text).toMatch(/plinth_push_queue_depth\{state="waiting"\} \d+/);
  });
});
