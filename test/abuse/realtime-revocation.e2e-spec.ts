import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, userToken } from '../support/auth.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from '../support/records.js';
import { OpenStreams, SseClient, subscribe, subscribeOk } from '../support/sse.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/start-app.js';

const NO_WORKERS = { PLINTH_WORKERS: 'off' };

/**
 * How long a revocation made on one server may take to end a stream on another: the auth caches
 * of the other server (10 s for keys and admins, 2 s for app users) plus realtime's sweep.
 */
const ACROSS_REPLICAS_MS = 25_000;

/** Settles when the stream ends; fails when it is still open after `ms`. */
async function endsWithin(c: SseClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the stream was still open after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([c.ended, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function setup(t: TestApp, admin: string): Promise<void> {
  await createCollection(t, admin, {
    name: 'pings',
    fields: [{ name: 'n', type: 'number' }],
    listRule: '',
    viewRule: '',
    createRule: '',
  });
  await createCollection(t, admin, {
    name: 'notes',
    fields: [
      { name: 'text', type: 'text' },
      { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
    ],
    listRule: 'owner = @request.auth.id',
    viewRule: 'owner = @request.auth.id',
    createRule: "@request.auth.id != ''",
  });
}

/** Issue 16 item 5: a stream is judged by credentials that are still valid, or it ends. */
describe('Realtime streams end when their credentials are revoked (two servers)', () => {
  let a: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestApp;
  let admin: string;
  let writer: TestUser;
  const open = new OpenStreams();

  const connect = (t: TestApp) => open.connect(t.url);
  const sub = (t: TestApp, c: SseClient, topics: string[], token?: string) =>
    subscribeOk(t.url, c, topics, token);

  beforeAll(async () => {
    a = await startIsolatedApp({ env: NO_WORKERS });
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: NO_WORKERS });
    admin = await adminToken(a);
    await setup(a, admin);
    writer = await createUser(a, 'Writer');
  });
  afterAll(async () => {
    open.closeAll();
    await b?.close();
    await a?.stop();
  });

  it('sends nothing more to a revoked API key and closes its streams on every server', async () => {
    const created = ok(await api(a, admin)('POST', '/api/keys', { name: 'reader', scopes: ['notes:read'] }));
    const key: string = created.body.key;
    const [onA, onB] = await Promise.all([connect(a), connect(b)]);
    await sub(a, onA, ['notes'], key);
    await sub(a, onB, ['notes'], key);
    const before = await createRecord(a, writer.token, 'notes', { text: 'before', owner: writer.id });
    await Promise.all([onA, onB].map((c) => c.nextData('notes', (d) => d.record.id === before.id)));

    expect((await api(a, admin)('DELETE', `/api/keys/${created.body.id}`)).status).toBe(204);
    const after = await createRecord(a, writer.token, 'notes', { text: 'after', owner: writer.id });
    // The server that revoked it knows at once: the change after the revocation never goes out.
    await endsWithin(onA, 10_000);
    expect(onA.messages().map((m) => m.data.record.id)).not.toContain(after.id);
    expect(onA.messages().map((m) => m.data.record.id)).toEqual([before.id]);
    await endsWithin(onB, ACROSS_REPLICAS_MS);
    // The key cannot subscribe again.
    const fresh = await connect(b);
    expect((await subscribe(b.url, fresh.clientId, ['notes'], key)).status).toBe(401);
  });

  it("closes an app user's streams on every server when an admin revokes their sessions", async () => {
    const user = await createUser(a, 'Revoked');
    const [onA, onB] = await Promise.all([connect(a), connect(b)]);
    await sub(a, onA, ['notes'], user.token);
    await sub(b, onB, ['notes'], user.token);
    const mine = await createRecord(a, user.token, 'notes', { text: 'mine', owner: user.id });
    await Promise.all([onA, onB].map((c) => c.nextData('notes', (d) => d.record.id === mine.id)));

    const res = await api(a, admin)('POST', `/api/collections/users/records/${user.id}/revoke-sessions`);
    expect(res.status).toBe(204);
    await endsWithin(onA, 10_000);
    await endsWithin(onB, ACROSS_REPLICAS_MS);
  });

  it('closes the streams of a deleted admin', async () => {
    const other = await adminToken(a, 'leaving-admin@example.com');
    const [onA, onB] = await Promise.all([connect(a), connect(b)]);
    await sub(a, onA, ['notes'], other);
    await sub(b, onB, ['notes'], other);
    const note = await createRecord(a, writer.token, 'notes', { text: 'seen by admins', owner: writer.id });
    await Promise.all([onA, onB].map((c) => c.nextData('notes', (d) => d.record.id === note.id)));

    const admins = ok(await api(a, admin)('GET', '/api/admins'));
    const leaving = admins.body.items.find((x: { email: string }) => x.email === 'leaving-admin@example.com');
    expect((await api(a, admin)('DELETE', `/api/admins/${leaving.id}`)).status).toBe(204);
    await Promise.all([endsWithin(onA, ACROSS_REPLICAS_MS), endsWithin(onB, ACROSS_REPLICAS_MS)]);
  });

  it('closes the streams of an admin session that signed out', async () => {
    const other = await adminToken(a, 'signing-out@example.com');
    const [onA, onB] = await Promise.all([connect(a), connect(b)]);
    await sub(a, onA, ['notes'], other);
    await sub(b, onB, ['notes'], other);
    const note = await createRecord(a, writer.token, 'notes', {
      text: 'seen before sign-out',
      owner: writer.id,
    });
    await Promise.all([onA, onB].map((c) => c.nextData('notes', (d) => d.record.id === note.id)));

    expect((await api(a, other)('POST', '/api/admins/auth-logout', {})).status).toBe(204);
    await Promise.all([endsWithin(onA, ACROSS_REPLICAS_MS), endsWithin(onB, ACROSS_REPLICAS_MS)]);
  });
});

describe('Realtime streams end when their credentials expire', () => {
  /** Access tokens live 10 s here. */
  const TTL_S = 10;
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  const open: SseClient[] = [];

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { ...NO_WORKERS, PLINTH_ACCESS_TOKEN_TTL: String(TTL_S) } });
    admin = await adminToken(t);
    await setup(t, admin);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await t?.stop();
  });

  const expOf = (token: string): number =>
    (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;

  it("ends a user's stream at its token's exp unless the client re-authorises", async () => {
    const user = await createUser(t, 'Short');
    const stale = await SseClient.connect(`${t.url}/api/realtime`);
    const renewed = await SseClient.connect(`${t.url}/api/realtime`);
    open.push(stale, renewed);
    expect((await subscribe(t.url, stale.clientId, ['notes'], user.token)).status).toBe(204);
    expect((await subscribe(t.url, renewed.clientId, ['notes'], user.token)).status).toBe(204);
    const exp = expOf(user.token);

    // Shortly before the first token expires, one client re-authorises with a fresh token.
    await new Promise((r) => setTimeout(r, Math.max(0, exp - Date.now() - 3000)));
    const fresh = await userToken(t, 'users', user.id);
    expect(expOf(fresh)).toBeGreaterThan(exp);
    expect((await subscribe(t.url, renewed.clientId, ['notes'], fresh)).status).toBe(204);

    await endsWithin(stale, exp - Date.now() + 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(exp - 1000);
    expect(renewed.isClosed).toBe(false);
    const note = await createRecord(t, fresh, 'notes', { text: 'after the first exp', owner: user.id });
    expect((await renewed.nextData('notes', (d) => d.record.id === note.id)).action).toBe('create');
    expect(stale.messages()).toEqual([]);
  });

  it('ends the stream of an API key when the key expires', async () => {
    admin = await adminToken(t); // the first one expired with the test before
    const expiresAt = new Date(Date.now() + 4000).toISOString();
    const key = ok(
      await api(t, admin)('POST', '/api/keys', { name: 'short', scopes: ['notes:read'], expiresAt }),
    ).body.key;
    const c = await SseClient.connect(`${t.url}/api/realtime`);
    open.push(c);
    expect((await subscribe(t.url, c.clientId, ['notes'], key)).status).toBe(204);
    await endsWithin(c, 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
  });
});
