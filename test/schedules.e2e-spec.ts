import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, testRedisUrl } from '@plinth/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { createClient } from '../sdk/src/index.js';
import { adminToken, api } from './support/auth.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { documentedFetch, startApp, startIsolatedApp, type TestApp } from './support/start-app.js';
import { startWorker, type TestWorker } from './support/worker.js';

interface Tick {
  headers: IncomingHttpHeaders;
  body: string;
  json: {
    type: string;
    timestamp: string;
    data: { schedule: { id: string; name: string }; scheduledFor: string };
  };
}

/** A local receiver of schedule ticks: records each; `answer` decides the reply (200 "ok" by default). */
async function startReceiver() {
  const received: Tick[] = [];
  let answer: (res: ServerResponse) => void = (res) => res.end('ok');
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body, json: JSON.parse(body) });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tick`,
    received,
    answerWith(fn: typeof answer) {
      answer = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const verify = (secret: string, r: Tick) =>
  new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ENV = { PLINTH_WORKERS: 'off', PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' };

/**
 * Issue 20: schedules fire through BullMQ job schedulers; with two servers and two workers on one
 * database and Redis, each tick is delivered once, signed as Standard Webhooks.
 */
describe('schedules (two servers, two workers)', () => {
  let a: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestApp;
  const workers: TestWorker[] = [];
  let adminA: ReturnType<typeof api>;
  let adminB: ReturnType<typeof api>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  const ticksOf = (id: string) => receiver.received.filter((r) => r.json.data.schedule.id === id);
  const runsOf = async (id: string) => {
    const res = await adminB('GET', `/api/schedules/${id}/runs?perPage=500`);
    expect(res.status).toBe(200);
    return res.body.items as Array<Record<string, unknown>>;
  };
  const startOneWorker = async () =>
    workers.push(await startWorker({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: ENV }));

  beforeAll(async () => {
    a = await startIsolatedApp({ env: ENV });
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: ENV });
    await Promise.all([startOneWorker(), startOneWorker()]);
    const token = await adminToken(a);
    adminA = api(a, token);
    adminB = api(b, token);
    receiver = await startReceiver();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await receiver?.close();
    await b?.close();
    await a?.stop();
  });

  it('answers 401 without credentials, 400 naming the field for bad input, 404 and 409', async () => {
    expectApiProblem(await api(a)('GET', '/api/schedules'), 401, 'UNAUTHORIZED');
    const good = { name: 'bad input', cron: '0 3 * * *', target: { type: 'url', url: receiver.url } };

    const badCron = await adminA('POST', '/api/schedules', { ...good, cron: '61 * * * *' });
    expect(errorPaths(expectApiProblem(badCron, 400, 'VALIDATION_FAILED'))).toEqual(['cron']);
    const fourFields = await adminA('POST', '/api/schedules', { ...good, cron: '* * * *' });
    expect(expectApiProblem(fourFields, 400, 'VALIDATION_FAILED').errors[0].message).toMatch(/5/);
    const badZone = await adminA('POST', '/api/schedules', { ...good, timezone: 'Mars/Olympus' });
    expect(errorPaths(expectApiProblem(badZone, 400, 'VALIDATION_FAILED'))).toEqual(['timezone']);
    const badUrl = await adminA('POST', '/api/schedules', {
      ...good,
      target: { type: 'url', url: 'ftp://x' },
    });
    expect(errorPaths(expectApiProblem(badUrl, 400, 'VALIDATION_FAILED'))).toEqual(['target.url']);
    const badJob = await adminA('POST', '/api/schedules', {
      ...good,
      target: { type: 'job', job: 'mail.send' },
    });
    expect(errorPaths(expectApiProblem(badJob, 400, 'VALIDATION_FAILED'))).toEqual(['target.job']);
    const noUrl = await adminA('POST', '/api/schedules', { ...good, target: { type: 'url' } });
    expect(errorPaths(expectApiProblem(noUrl, 400, 'VALIDATION_FAILED'))).toEqual(['target.url']);
    const mixed = await adminA('POST', '/api/schedules', {
      ...good,
      target: { type: 'job', job: 'maintenance.cleanup', url: receiver.url },
    });
    expect(errorPaths(expectApiProblem(mixed, 400, 'VALIDATION_FAILED'))).toEqual(['target.url']);
    const noName = await adminA('POST', '/api/schedules', { cron: '0 3 * * *', target: good.target });
    expect(errorPaths(expectApiProblem(noName, 400, 'VALIDATION_FAILED'))).toContain('name');

    const made = await adminA('POST', '/api/schedules', {
      ...good,
      timezone: 'Europe/Paris',
      enabled: false,
    });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({
      timezone: 'Europe/Paris',
      enabled: false,
      nextRunAt: null,
      lastRun: null,
    });
    expectApiProblem(await adminA('POST', '/api/schedules', good), 409, 'SCHEDULE_NAME_TAKEN');
    const patchBad = await adminB('PATCH', `/api/schedules/${made.body.id}`, { timezone: 'Nowhere/Else' });
    expect(errorPaths(expectApiProblem(patchBad, 400, 'VALIDATION_FAILED'))).toEqual(['timezone']);

    expectApiProblem(await adminA('GET', '/api/schedules/not-a-uuid'), 404, 'SCHEDULE_NOT_FOUND');
    expect((await adminA('DELETE', `/api/schedules/${made.body.id}`)).status).toBe(204);
    expectApiProblem(await adminA('GET', `/api/schedules/${made.body.id}`), 404, 'SCHEDULE_NOT_FOUND');
    expectApiProblem(await adminA('POST', `/api/schedules/${made.body.id}/run`), 404, 'SCHEDULE_NOT_FOUND');
  });

  it('fires each tick once across the replicas, signed, logged, and stops when disabled', async () => {
    // Six fields: a tick every second.
    const made = await adminA('POST', '/api/schedules', {
      name: 'every second',
      cron: '* * * * * *',
      target: { type: 'url', url: receiver.url },
    });
    expect(made.status).toBe(200);
    const { id, secret } = made.body;
    expect(secret).toMatch(/^whsec_/);
    expect((await adminB('GET', `/api/schedules/${id}`)).body).not.toHaveProperty('secret');

    await eventually(() => ticksOf(id).length >= 4, 15_000);
    const ticks = ticksOf(id);
    const scheduledFor = ticks.map((t) => t.json.data.scheduledFor);
    expect(new Set(scheduledFor).size).toBe(ticks.length);
    for (const t of ticks) {
      expect(verify(secret, t)).toMatchObject({
        type: 'schedule.tick',
        data: { schedule: { id, name: 'every second' } },
      });
      expect(new Date(t.json.data.scheduledFor).getMilliseconds()).toBe(0);
    }

    // The run log holds each delivered tick once, with what the URL answered.
    const runs = await runsOf(id);
    const delivered = new Set(scheduledFor);
    const logged = runs.filter((r) => delivered.has(r.scheduledFor as string));
    expect(logged).toHaveLength(ticks.length);
    expect(logged[0]).toMatchObject({
      trigger: 'schedule',
      status: 'succeeded',
      httpStatus: 200,
      response: 'ok',
      error: null,
    });
    expect(typeof logged[0]!.durationMs).toBe('number');
    expect(ticks.map((t) => t.headers['webhook-id']).sort()).toEqual(logged.map((r) => `msg_${r.id}`).sort());

    // Disabled through the other server: no tick after that fires.
    const disabled = await adminB('PATCH', `/api/schedules/${id}`, { enabled: false });
    expect(disabled.body).toMatchObject({ enabled: false, nextRunAt: null });
    const disabledAt = Date.now();
    await sleep(2500);
    const late = ticksOf(id).filter((t) => Date.parse(t.json.data.scheduledFor) > disabledAt);
    expect(late).toEqual([]);
  }, 40_000);

  it('runs now (even while disabled), logs a failing URL with the first KiB of its answer', async () => {
    const made = await adminA('POST', '/api/schedules', {
      name: 'nightly',
      cron: '0 3 * * *',
      timezone: 'America/New_York',
      enabled: false,
      target: { type: 'url', url: receiver.url },
    });
    const { id, secret } = made.body;
    // A run whose worker was killed mid-call five minutes ago.
    const stale = randomUUID();
    await a.db.query(
      `INSERT INTO plinth.schedule_run (id, schedule_id, trigger, scheduled_for, status, started_at)
       VALUES ($1, $2, 'schedule', now() - interval '5 minutes', 'running', now() - interval '5 minutes')`,
      [stale, id],
    );
    const run = await adminB('POST', `/api/schedules/${id}/run`);
    expect(run.status).toBe(202);
    const tick = (await eventually(() =>
      ticksOf(id).find((t) => t.headers['webhook-id'] === `msg_${run.body.runId}`),
    ))!;
    expect(verify(secret, tick)).toMatchObject({ type: 'schedule.tick' });
    await eventually(async () => (await runsOf(id))[0]?.status === 'succeeded');
    expect((await runsOf(id))[0]).toMatchObject({ id: run.body.runId, trigger: 'manual', httpStatus: 200 });
    expect((await runsOf(id)).find((r) => r.id === stale)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/worker stopped/),
    });

    receiver.answerWith((res) => {
      res.statusCode = 500;
      res.end('x'.repeat(2000));
    });
    try {
      const failing = await adminA('POST', `/api/schedules/${id}/run`);
      await eventually(async () => (await runsOf(id))[0]?.status === 'failed');
      const failed = (await runsOf(id))[0]!;
      expect(failed).toMatchObject({
        id: failing.body.runId,
        httpStatus: 500,
        error: expect.stringMatching(/HTTP 500/),
      });
      expect(failed.response).toBe('x'.repeat(1024));
      expect((await adminA('GET', `/api/schedules/${id}`)).body.lastRun).toMatchObject({ status: 'failed' });
    } finally {
      receiver.answerWith((res) => res.end('ok'));
    }
  }, 30_000);

  it('runs a built-in job and logs its result (through the SDK)', async () => {
    const sdk = createClient({ url: b.url, fetch: documentedFetch });
    sdk.authStore.save(await adminToken(a), null);
    const made = await sdk.schedules.create({
      name: 'cleanup',
      cron: '*/15 * * * *',
      target: { type: 'job', job: 'maintenance.cleanup' },
    });
    expect(made.nextRunAt).toEqual(expect.any(String));
    expect((await sdk.schedules.list()).map((s) => s.name)).toContain('cleanup');
    const { runId } = await sdk.schedules.run(made.id);
    await eventually(async () => (await sdk.schedules.runs(made.id)).items[0]?.status === 'succeeded');
    const [logged] = (await sdk.schedules.runs(made.id, { perPage: 1 })).items;
    expect(logged).toMatchObject({ id: runId, trigger: 'manual', httpStatus: null });
    expect(JSON.parse(logged!.response)).toEqual({
      expiredTokens: expect.any(Number),
      expiredRequestLogs: expect.any(Number),
      expiredAuditEntries: expect.any(Number),
    });
    expect(await sdk.schedules.update(made.id, { enabled: false })).toMatchObject({ enabled: false });
    await sdk.schedules.delete(made.id);
    await expect(sdk.schedules.get(made.id)).rejects.toMatchObject({ status: 404 });
  });

  it('puts back at worker boot a scheduler lost from Redis', async () => {
    const made = await adminA('POST', '/api/schedules', {
      name: 'restored',
      cron: '* * * * * *',
      target: { type: 'url', url: receiver.url },
    });
    const { id } = made.body;
    await eventually(() => ticksOf(id).length >= 1, 10_000);
    // Lose it while a worker is down (Redis flushed or restored from an old dump).
    await workers.pop()!.stop();
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue('schedules', { connection, prefix: `${a.redisPrefix}:bull` });
    try {
      expect(await queue.removeJobScheduler(`schedule-${id}`)).toBe(true);
      await queue.drain(true);
      await sleep(1500);
      const before = ticksOf(id).length;
      await sleep(1500);
      expect(ticksOf(id).length).toBe(before);
      await startOneWorker();
      await eventually(() => ticksOf(id).length > before, 10_000);
      expect(await queue.getJobScheduler(`schedule-${id}`)).toMatchObject({
        pattern: '* * * * * *',
        tz: 'UTC',
      });
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect((await adminA('DELETE', `/api/schedules/${id}`)).status).toBe(204);
    expect(await eventually(async () => (await adminA('GET', `/api/schedules/${id}`)).status === 404)).toBe(
      true,
    );
  }, 40_000);
});
