import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, loadConfig, type ResolvedConfig } from '@plinth/core';
import {
  createRedisPrefix,
  createTestDatabase,
  eventually,
  freePort,
  testRedisUrl,
  type TestDatabase,
} from '@plinth/testing';
import { createServer } from '../apps/server/create-server.js';
import { RealtimeClient, RealtimeError, type RealtimeEvent } from '../sdk/src/realtime.js';
import { adminToken, userToken } from './support/auth.js';
import { createCollection, createRecord, createUser, type TestUser } from './support/records.js';
import { TEST_SECRET, type TestApp } from './support/start-app.js';

/** Boots the server on a fixed port (start-app always picks a free one): a restart keeps the URL. */
async function bootOn(
  port: number,
  databaseUrl: string,
  redisPrefix: string,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const base = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    REDIS_URL: testRedisUrl(),
    PLINTH_REDIS_PREFIX: redisPrefix,
    DATABASE_URL: databaseUrl,
    PLINTH_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_FORMAT: 'json',
    PLINTH_SHUTDOWN_GRACE: '0',
    PLINTH_WORKERS: 'off',
    ...env,
  });
  const config: ResolvedConfig = { ...base, databaseUrl: base.databaseUrl!, secret: base.secret! };
  const app: NestFastifyApplication = await createServer(config, createLogger(config));
  await app.listen({ port, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  return { app, url, config, fetch: (path, init) => fetch(url + path, init), close: () => app.close() };
}

/** Collects events and lets the test wait for one. */
class Inbox {
  readonly events: RealtimeEvent[] = [];
  private waiters: Array<[(e: RealtimeEvent) => boolean, (e: RealtimeEvent) => void]> = [];
  push = (e: RealtimeEvent) => {
    this.events.push(e);
    this.waiters = this.waiters.filter(([match, resolve]) => (match(e) ? (resolve(e), false) : true));
  };
  next(match: (e: RealtimeEvent) => boolean): Promise<RealtimeEvent> {
    const found = this.events.find(match);
    return found ? Promise.resolve(found) : new Promise((resolve) => this.waiters.push([match, resolve]));
  }
}

describe('sdk/src/realtime.ts against a real server', () => {
  let db: TestDatabase;
  let redis: ReturnType<typeof createRedisPrefix>;
  let port: number;
  let server: TestApp;
  let alice: TestUser;
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = createRedisPrefix();
    port = await freePort();
    server = await bootOn(port, db.url, redis.prefix);
    const admin = await adminToken(server);
    await createCollection(server, admin, {
      name: 'notes',
      fields: [{ name: 'text', type: 'text' }],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
    await createCollection(server, admin, {
      name: 'diary',
      fields: [
        { name: 'text', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: "@request.auth.id != ''",
    });
    alice = await createUser(server, 'Alice');
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.close();
    await db?.drop();
    await redis?.cleanup();
  });

  it('gets events, reconnects after the server restarts, and gets events again', async () => {
    const inbox = new Inbox();
    let connects = 0;
    let onConnect: () => void = () => undefined;
    const rt = new RealtimeClient({
      baseUrl: server.url,
      fetch,
      getToken: () => undefined,
      reconnectDelays: [50, 100, 200],
      onConnect: () => {
        connects++;
        onConnect();
      },
    });
    clients.push(rt);
    const unsubscribe = await rt.subscribe('notes', inbox.push);
    const first = await createRecord(server, undefined, 'notes', { text: 'before' });
    expect(await inbox.next((e) => e.record.id === first.id)).toEqual({ action: 'create', record: first });
    const idBefore = rt.clientId;

    const reconnected = new Promise<void>((resolve) => (onConnect = resolve));
    await server.close(); // ends the stream; the client retries while nothing listens
    server = await bootOn(port, db.url, redis.prefix);
    await reconnected;
    expect(connects).toBe(2);
    expect(rt.isConnected).toBe(true);
    expect(rt.clientId).toBe(idBefore); // resumed through Redis

    const second = await createRecord(server, undefined, 'notes', { text: 'after' });
    expect(await inbox.next((e) => e.record.id === second.id)).toEqual({ action: 'create', record: second });

    await unsubscribe();
    expect(rt.isConnected).toBe(false);
  });

  it('sends subscriptions again when the auth changes, and applies filter options', async () => {
    let token: string | undefined = undefined; // signed out at first
    const diary = new Inbox();
    const notes = new Inbox();
    const rt = new RealtimeClient({ baseUrl: server.url, fetch, getToken: () => token });
    clients.push(rt);
    await rt.subscribe('diary', diary.push);
    await rt.subscribe('notes/*', notes.push, { filter: "text ~ 'mark'" });

    await createRecord(server, alice.token, 'diary', { text: 'hidden from anonymous', owner: alice.id });
    await createRecord(server, undefined, 'notes', { text: 'no' });
    const mark1 = await createRecord(server, undefined, 'notes', { text: 'mark 1' });
    await notes.next((e) => e.record.id === mark1.id);
    expect(diary.events).toEqual([]); // anonymous: the owner-only rule hides it
    expect(notes.events.map((e) => e.record.text)).toEqual(['mark 1']);

    token = alice.token;
    await rt.onAuthChange();
    const entry = await createRecord(server, alice.token, 'diary', { text: 'mine', owner: alice.id });
    expect(await diary.next((e) => e.record.id === entry.id)).toEqual({ action: 'create', record: entry });
    expect(diary.events).toHaveLength(1);

    await expect(rt.subscribe('*', () => undefined)).rejects.toMatchObject({
      status: 400,
      code: 'REALTIME_TOPIC_INVALID',
    });
    await expect(rt.subscribe('notes', () => undefined, { filter: 'nope ==' })).rejects.toBeInstanceOf(
      RealtimeError,
    );
    // The refused topics were not kept: the good ones still work.
    const mark2 = await createRecord(server, undefined, 'notes', { text: 'mark 2' });
    await notes.next((e) => e.record.id === mark2.id);

    // Signed out: the server keeps the client bound to Alice (403), so the SDK takes a new one.
    const boundId = rt.clientId;
    token = undefined;
    await rt.onAuthChange();
    await eventually(() => rt.isConnected && rt.clientId !== boundId);
    await createRecord(server, alice.token, 'diary', { text: 'not for guests', owner: alice.id });
    const mark3 = await createRecord(server, undefined, 'notes', { text: 'mark 3' });
    await notes.next((e) => e.record.id === mark3.id);
    expect(diary.events).toHaveLength(1);
  });

  it('subscribes again with a fresh token before the token expires, so the stream stays open', async () => {
    const shortPort = await freePort();
    const short = await bootOn(shortPort, db.url, redis.prefix, { PLINTH_ACCESS_TOKEN_TTL: '8' });
    try {
      let token = await userToken(short, 'users', alice.id);
      const firstExp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp * 1000;
      let connects = 0;
      const diary = new Inbox();
      const rt = new RealtimeClient({
        baseUrl: short.url,
        fetch,
        // As the client's auto refresh does: a new token once the old one is half spent.
        getToken: async () => {
          if (Date.now() > firstExp - 4000) token = await userToken(short, 'users', alice.id);
          return token;
        },
        onConnect: () => connects++,
      });
      clients.push(rt);
      await rt.subscribe('diary', diary.push);
      await new Promise((r) => setTimeout(r, firstExp - Date.now() + 1500));
      const entry = await createRecord(short, alice.token, 'diary', { text: 'later', owner: alice.id });
      await diary.next((e) => e.record.id === entry.id);
      expect(connects).toBe(1); // never cut off at the first token's exp
      rt.disconnect();
    } finally {
      await short.close();
    }
  });
});
