import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobsService } from '@plinth/jobs';
import { PushSweepHandler } from '@plinth/push';
import { eventually, freePort, testRedisUrl } from '@plinth/testing';
import { DataSource } from 'typeorm';
import { adminToken, api } from './support/auth.js';
import { startWebPushTesting, type WebPushService } from './support/push-providers.js';
import { createUser, ok, type TestUser } from './support/records.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const ENV = { PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true', PLINTH_PUSH_RETRY_DELAY: '0.1' };

/** A TCP relay in front of the test Redis that can be cut (Redis "down" for one server only). */
async function startRedisRelay(): Promise<{ url: string; down(): Promise<void>; up(): Promise<void> }> {
  const target = new URL(testRedisUrl());
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = async () => {
    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await up();
  return { url: `redis://127.0.0.1:${port}`, up, down };
}

let t: App;
let wpt: WebPushService;
let admin: string;
let user: TestUser;
let db: DataSource;

async function webPushDevice(u: TestUser) {
  const { publicKey } = ok(await api(t)('GET', '/api/push/vapid-public-key')).body;
  const sub = await wpt.subscribe(publicKey);
  const device = ok(
    await api(t, u.token)('POST', '/api/push/devices', {
      platform: 'webpush',
      subscription: { endpoint: sub.endpoint, keys: sub.keys },
    }),
  ).body;
  return { device, sub };
}

const received = (clientHash: string) => wpt.notifications(clientHash);

beforeAll(async () => {
  wpt = await startWebPushTesting();
  t = await startIsolatedApp({ env: ENV });
  admin = await adminToken(t);
  user = await createUser(t, 'Sweep');
  db = t.app.get(DataSource);
});

afterAll(async () => {
  await t?.stop();
  await wpt?.stop();
});

describe('push.sweep', () => {
  it('is scheduled on the push queue every PLINTH_PUSH_SWEEP_EVERY seconds', async () => {
    const schedulers = await t.app.get(JobsService).queue('push').getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'push.sweep', every: 60_000 })]);
  });

  it('sends deliveries written by a send whose jobs were never queued, each exactly once', async () => {
    const a = await webPushDevice(user);
    const b = await webPushDevice(user);
    const c = await webPushDevice(user);
    const later = await webPushDevice(user);

    // A producer-only server whose Redis goes away right before the send: rows committed, jobs not queued.
    const relay = await startRedisRelay();
    let other: TestApp | undefined = await startApp({
      databaseUrl: t.db.url,
      redisPrefix: t.redisPrefix,
      env: { ...ENV, REDIS_URL: relay.url, PLINTH_WORKERS: 'off' },
    });
    try {
      // The producer's queue connection was up before (a queue first used while Redis is down waits for it).
      await other.app.get(JobsService).queue('push').waitUntilReady();
      await relay.down();
      const send = (body: Record<string, unknown>) => api(other!, admin)('POST', '/api/push/send', body);
      const now = await send({
        targets: { devices: [a.device.id, b.device.id, c.device.id] },
        notification: { title: 'Stranded' },
      });
      expect(now.status).toBe(503);
      const scheduled = await send({
        targets: { devices: [later.device.id] },
        notification: { title: 'Not yet' },
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      expect(scheduled.status).toBe(503);
    } finally {
      await relay.up();
      await other.close();
      other = undefined;
      await relay.down(); // nothing may stay listening when the file ends, or Jest cannot exit
    }

    const messages = ok(await api(t, admin)('GET', '/api/push/messages')).body.items;
    const stranded = messages.find(
      (m: { notification: { title: string } }) => m.notification.title === 'Stranded',
    );
    const notYet = messages.find(
      (m: { notification: { title: string } }) => m.notification.title === 'Not yet',
    );
    expect(stranded).toMatchObject({ status: 'sending', counts: { total: 3, pending: 3 } });
    expect(notYet).toMatchObject({ status: 'scheduled', counts: { total: 1, pending: 1 } });

    // b: a worker claimed it and died, and its job was lost too; c: already sent (must not be sent again).
    await db.query(
      `UPDATE plinth.push_delivery SET status = 'sending', attempts = 1, lease_until = now() - interval '2 minutes'
       WHERE message_id = $1 AND device_id = $2`,
      [stranded.id, b.device.id],
    );
    await db.query(
      `UPDATE plinth.push_delivery SET status = 'sent', attempts = 1, sent_at = now() WHERE message_id = $1 AND device_id = $2`,
      [stranded.id, c.device.id],
    );

    const sweep = t.app.get(PushSweepHandler);
    // Pending for less than a minute: their jobs may still be on their way, so nothing is queued.
    expect(await sweep.handle()).toEqual({ messages: 0, deliveries: 0 });

    // A minute and more later (the rows' times moved back instead of waiting).
    await db.query(
      `UPDATE plinth.push_delivery SET next_attempt_at = next_attempt_at - interval '2 minutes'
       WHERE message_id = ANY($1::uuid[])`,
      [[stranded.id, notYet.id]],
    );
    // The scheduled message is not due even though its row looks overdue: only the stranded one is queued.
    expect(await sweep.handle()).toEqual({ messages: 1, deliveries: 2 });
    // A second run before the jobs ran queues them again; the claim keeps every device at one push.
    const again = await sweep.handle();
    expect(again.messages).toBeLessThanOrEqual(1);

    const queue = t.app.get(JobsService).queue('push');
    await eventually(async () => {
      // (Delayed: only the push.sweep schedule's next run.)
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      const m = ok(await api(t, admin)('GET', `/api/push/messages/${stranded.id}`)).body;
      return Object.values(counts).every((n) => n === 0) && m.counts.pending === 0 ? m : null;
    }, 20_000);

    const done = ok(await api(t, admin)('GET', `/api/push/messages/${stranded.id}`)).body;
    expect(done).toMatchObject({ status: 'sent', counts: { total: 3, sent: 3, pending: 0, failed: 0 } });
    expect((await received(a.sub.clientHash)).map((r) => JSON.parse(r).title)).toEqual(['Stranded']);
    expect((await received(b.sub.clientHash)).map((r) => JSON.parse(r).title)).toEqual(['Stranded']);
    expect(await received(c.sub.clientHash)).toEqual([]);
    expect(await received(later.sub.clientHash)).toEqual([]);
    const notYetNow = ok(await api(t, admin)('GET', `/api/push/messages/${notYet.id}`)).body;
    expect(notYetNow).toMatchObject({ status: 'scheduled', counts: { pending: 1 } });

    // Nothing is left to sweep, and a swept delivery is not sent again.
    expect(await sweep.handle()).toEqual({ messages: 0, deliveries: 0 });
    const metrics = await (await t.fetch('/metrics')).text();
    expect(metrics).toMatch(/^plinth_push_swept_total [2-4]$/m);
  });
});
