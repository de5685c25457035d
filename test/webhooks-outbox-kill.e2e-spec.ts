import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createRedisPrefix,
  createTestDatabase,
  eventually,
  freePort,
  spawnBuilt,
  testRedisUrl,
  type Spawned,
  type TestDatabase,
} from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { ok } from './support/records.js';
import { startApp, TEST_SECRET, type TestApp } from './support/start-app.js';
import { startReceiver, verify } from './support/webhook-receiver.js';
import { startWorker, type TestWorker } from './support/worker.js';

const WRITES = 1000;
const FAILING_BATCHES = 50;
const MISSING = '0190a0a0-0000-7000-8000-000000000000';
const ENV = {
  PLINTH_WORKERS: 'off',
  PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true',
  PLINTH_WEBHOOKS_SWEEP_EVERY: '1',
};

/**
 * Issue 20: no event lost, none made up. A server and a worker are killed with SIGKILL in the middle
 * of 1,000 record writes with a webhook on them; every write that committed reaches the receiver
 * (maybe twice, then with the same `webhook-id`), and no write that was rolled back does.
 */
describe('webhook events across kill -9 of the server and the worker', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  let admin: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const servers: Spawned[] = [];
  const workers: TestWorker[] = [];

  async function startServer(): Promise<{ proc: Spawned; url: string }> {
    const port = await freePort();
    const proc = spawnBuilt('server', {
      PORT: String(port),
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      PLINTH_REDIS_PREFIX: redis.prefix,
      PLINTH_SECRET: TEST_SECRET,
      LOG_LEVEL: 'warn',
      PLINTH_SHUTDOWN_GRACE: '0',
      ...ENV,
    });
    servers.push(proc);
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`the server exited:\n${proc.output()}`);
        return (await fetch(`${url}/api/ready`).catch(() => null))?.status === 200;
      },
      45_000,
      200,
    );
    return { proc, url };
  }

  async function newWorker(): Promise<TestWorker> {
    const w = await startWorker({ databaseUrl: db.url, redisPrefix: redis.prefix, env: ENV });
    workers.push(w);
    return w;
  }

  const kill = async (p: Spawned) => {
    p.child.kill('SIGKILL');
    await p.exited;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await startReceiver();
    admin = await startApp({ databaseUrl: db.url, redisPrefix: redis.prefix, env: ENV });
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) await w.stop();
    for (const s of servers) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await s.exited;
      }
    }
    await admin?.close();
    await receiver?.close();
    await db?.drop();
    await redis.cleanup();
  });

  it('delivers the event of every committed write and of no rolled-back one', async () => {
    const as = api(admin, await adminToken(admin));
    ok(
      await as('POST', '/api/collections', {
        name: 'things',
        type: 'base',
        fields: [{ name: 'n', type: 'number', onlyInt: true }],
        createRule: '',
      }),
    );
    const hook = ok(await as('POST', '/api/webhooks', { url: receiver.url, events: ['things.create'] }))
      .body as { secret: string };
    // A slow receiver keeps deliveries in flight when the worker dies.
    receiver.answerWith((_r, res) => setTimeout(() => res.end('ok'), 2));

    const firstWorker = await newWorker();
    let server = await startServer();
    const write = async (i: number): Promise<void> => {
      const url = server.url;
      // Every 20th write is a batch that fails after its create (404): rolled back, so no event.
      const body =
        i % 20 === 0
          ? {
              requests: [
                { method: 'POST', url: '/api/collections/things/records', body: { n: -i } },
                { method: 'PATCH', url: `/api/collections/things/records/${MISSING}`, body: { n: 1 } },
              ],
            }
          : undefined;
      const res = await fetch(body ? `${url}/api/batch` : `${url}/api/collections/things/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? { n: i }),
      }).catch(() => undefined); // the server died under it: committed or not, PostgreSQL knows
      if (res) expect(res.status).toBe(body ? 400 : 200);
    };

    let next = 0;
    const total = WRITES + FAILING_BATCHES;
    // While the server restarts, the other lanes wait rather than spend their writes on a dead port.
    let up: Promise<void> = Promise.resolve();
    const lane = async () => {
      while (next < total) {
        const i = next++;
        if (i === Math.floor(total / 3)) await kill(firstWorker);
        if (i === Math.floor(total / 2)) {
          up = (async () => {
            await kill(server.proc);
            server = await startServer();
            await newWorker();
          })();
        }
        await up;
        await write(i);
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));

    const { rows } = await db.query<{ id: string; n: number }>('SELECT id, n FROM data.things');
    const committed = new Set(rows.map((r) => r.id));
    expect(rows.every((r) => r.n > 0)).toBe(true);
    expect(committed.size).toBeGreaterThan(WRITES - 20);

    const received = () => new Set(receiver.received.map((r) => String(r.json.data.record.id)));
    await eventually(() => [...committed].every((id) => received().has(id)), 150_000, 500);
    // Late duplicates would come now: give the sweep a round to show them.
    await new Promise((r) => setTimeout(r, 2000));

    // Every event is signed and is one of the committed writes; duplicates share their webhook-id.
    const idsByRecord = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const event = verify(hook.secret, r) as { type: string; data: { record: { id: string; n: number } } };
      expect(event.type).toBe('things.create');
      expect(committed.has(event.data.record.id)).toBe(true);
      const ids = idsByRecord.get(event.data.record.id) ?? new Set();
      ids.add(String(r.headers['webhook-id']));
      idsByRecord.set(event.data.record.id, ids);
    }
    expect(idsByRecord.size).toBe(committed.size);
    for (const ids of idsByRecord.values()) expect(ids.size).toBe(1);
    // Nothing is left in the outbox.
    const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM plinth.event_outbox');
    expect(left.rows[0]!.n).toBe(0);
  }, 240_000);
});
