import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedisPrefix, createTestDatabase, eventually, type TestDatabase } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { startWebPushTesting, type WebPushService } from './support/push-providers.js';
import { createUser, ok } from './support/records.js';
import { startApp, type TestApp } from './support/start-app.js';
import { startWorker, type TestWorker } from './support/worker.js';

/** The separate worker process (dist/apps/worker/main.js, built first) serves its own registry. */
describe('the worker’s /metrics', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  let app: TestApp;
  let wpt: WebPushService;
  let worker: TestWorker | undefined;
  let workerUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    wpt = await startWebPushTesting();
    const env = { PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true' };
    // A server that only produces: every delivery is sent (and counted) by the worker.
    app = await startApp({
      databaseUrl: db.url,
      redisPrefix: redis.prefix,
      env: { ...env, PLINTH_WORKERS: 'off' },
    });
    worker = await startWorker({ databaseUrl: db.url, redisPrefix: redis.prefix, env });
    workerUrl = worker.url;
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await wpt?.stop();
    await db?.drop();
    await redis.cleanup();
  });

  const scrape = async () => {
    const res = await fetch(`${workerUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  const sentByWorker = (text: string) =>
    Number(/^plinth_push_deliveries_total\{provider="webpush",status="sent"\} (\d+)$/m.exec(text)?.[1] ?? 0);

  it('shows a delivery the worker sent, beside its process metrics and the queue depth', async () => {
    const before = await scrape();
    expect(before).toMatch(/^# TYPE plinth_push_deliveries_total counter$/m);
    expect(before).toMatch(/^process_cpu_user_seconds_total /m);
    expect(before).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(before).not.toMatch(/^plinth_(process|nodejs)_/m);
    expect(sentByWorker(before)).toBe(0);

    const admin = await adminToken(app);
    const user = await createUser(app, 'Metric');
    const { publicKey } = ok(await api(app)('GET', '/api/push/vapid-public-key')).body;
    const sub = await wpt.subscribe(publicKey);
    ok(
      await api(app, user.token)('POST', '/api/push/devices', {
        platform: 'webpush',
        subscription: { endpoint: sub.endpoint, keys: sub.keys },
      }),
    );
    const { id } = ok(
      await api(app, admin)('POST', '/api/push/send', {
        targets: { users: [user.id] },
        notification: { title: 'Counted' },
      }),
      202,
    ).body;
    await eventually(async () => {
      const m = ok(await api(app, admin)('GET', `/api/push/messages/${id}`)).body;
      return m.counts.sent === 1;
    }, 20_000);
    expect((await wpt.notifications(sub.clientHash)).map((r) => JSON.parse(r).title)).toEqual(['Counted']);

    const after = await scrape();
    expect(sentByWorker(after)).toBe(1);
    expect(after).toMatch(/^plinth_push_queue_depth\{state="failed"\} 0$/m);
    // The server did not send it, so its own registry has no such delivery.
    const server = await (await app.fetch('/metrics')).text();
    expect(sentByWorker(server)).toBe(0);
  });

  it('keeps /health, and answers 404 elsewhere', async () => {
    expect((await fetch(`${workerUrl}/health`)).status).toBe(200);
    expect((await fetch(`${workerUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${workerUrl}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});
