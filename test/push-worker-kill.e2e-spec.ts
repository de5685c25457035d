import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createRedisPrefix,
  createTestDatabase,
  eventually,
  type Spawned,
  type TestDatabase,
} from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { fcmSettings, startFcm, type FcmStub } from './support/push-providers.js';
import { createUser, ok } from './support/records.js';
import { startApp, type TestApp } from './support/start-app.js';
import { startWorker as startTestWorker } from './support/worker.js';

const DEVICES = 40;
const LEASE = '8';

describe('a worker killed mid-send', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  let app: TestApp;
  let fcm: FcmStub;
  const workers: Spawned[] = [];

  async function startWorker(): Promise<Spawned> {
    const worker = await startTestWorker({
      databaseUrl: db.url,
      redisPrefix: redis.prefix,
      env: { PLINTH_PUSH_LEASE: LEASE },
    });
    workers.push(worker);
    return worker;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    fcm = await startFcm();
    app = await startApp({
      databaseUrl: db.url,
      redisPrefix: redis.prefix,
      env: { PLINTH_WORKERS: 'off', PLINTH_PUSH_LEASE: LEASE },
    });
  });

  afterAll(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGTERM');
        await w.exited;
      }
    }
    await app?.close();
    await fcm?.close();
    await db?.drop();
    await redis.cleanup();
  });

  it('leaves every device with the message exactly once after a new worker takes over', async () => {
    const admin = await adminToken(app);
    ok(await api(app, admin)('PATCH', '/api/settings', { push: fcmSettings(fcm) }));
    const user = await createUser(app, 'Many');
    const tokens = Array.from({ length: DEVICES }, (_, i) => `kill-${i}:APA91b-${'k'.repeat(40)}`);
    // The provider accepts 8 messages one by one, then holds the rest: the worker dies with them in flight.
    fcm.delayMs = 20;
    fcm.pauseAfter = 8;
    const [first] = await Promise.all([
      startWorker(),
      (async () => {
        for (const token of tokens)
          ok(await api(app, user.token)('POST', '/api/push/devices', { platform: 'fcm', token }));
      })(),
    ]);
    const { id } = ok(
      await api(app, admin)('POST', '/api/push/send', {
        targets: { users: [user.id] },
        notification: { title: 'Once' },
      }),
      202,
    ).body;
    const sentRows = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM plinth.push_delivery WHERE message_id = $1 AND status = 'sent'`,
          [id],
        )
      ).rows[0]!.n;
    await eventually(async () => (await sentRows()) === 8, 20_000, 20);
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeKill = new Set(fcm.accepted);
    expect(beforeKill.size).toBe(8);

    fcm.delayMs = 0;
    fcm.pauseAfter = undefined;
    await startWorker();
    const m = await eventually(
      async () => {
        const body = ok(await api(app, admin)('GET', `/api/push/messages/${id}`)).body;
        return body.counts.pending === 0 ? body : null;
      },
      50_000,
      250,
    );

    expect(m).toMatchObject({
      status: 'sent',
      counts: { total: DEVICES, sent: DEVICES, failed: 0, pending: 0 },
    });
    // Every device got it exactly once: nothing recorded as sent was sent again.
    expect([...fcm.accepted].sort()).toEqual([...tokens].sort());
    const { rows } = await db.query<{ token: string; attempts: number }>(
      `SELECT d.token, p.attempts FROM plinth.push_delivery p JOIN plinth.push_device d ON d.id = p.device_id WHERE p.message_id = $1`,
      [id],
    );
    for (const r of rows) expect(r.attempts).toBe(beforeKill.has(r.token) ? 1 : 2);
  });
});
