import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem, expectProblem } from './support/problem.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from './support/records.js';
import { OpenStreams, resumeTokenOf, SseClient, subscribe, subscribeOk } from './support/sse.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

/** No job consumers: nothing here enqueues, and realtime does not depend on them. */
const NO_WORKERS = { PLINTH_WORKERS: 'off' };

describe('Realtime over SSE, two servers on one database and one Redis', () => {
  let a: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestApp;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;
  const open = new OpenStreams();
  let pingN = 0;

  const connect = (t: TestApp, path?: string, headers?: Record<string, string>) =>
    open.connect(t.url, path, headers);
  const sub = (t: TestApp, c: SseClient, topics: string[], token?: string) =>
    subscribeOk(t.url, c, topics, token);
  /**
   * A change everyone may see, made after the changes under test: each server delivers changes in
   * the order Redis received them, so whatever a client got for the earlier changes precedes it.
   */
  const sentinel = async (...clients: SseClient[]) => {
    const n = ++pingN;
    await createRecord(a, undefined, 'pings', { n });
    await Promise.all(clients.map((c) => c.nextData('pings', (d) => d.record.n === n)));
    return clients.map((c) => c.messages().filter((m) => m.event !== 'pings'));
  };

  beforeAll(async () => {
    a = await startIsolatedApp({ env: NO_WORKERS });
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: NO_WORKERS });
    admin = await adminToken(a);
    await createCollection(a, admin, {
      name: 'pings',
      fields: [{ name: 'n', type: 'number' }],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
    await createCollection(a, admin, {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'secret', type: 'text', hidden: true },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: "@request.auth.id != ''",
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
    });
    alice = await createUser(a, 'Alice');
    bob = await createUser(a, 'Bob');
  });
  afterAll(async () => {
    open.closeAll();
    await b?.close();
    await a?.stop();
  });

  it('opens an event stream whose first event is PB_CONNECT with the client id', async () => {
    const c = await connect(a);
    expect(c.status).toBe(200);
    expect(c.headers!.get('content-type')).toMatch(/^text\/event-stream/);
    expect(c.headers!.get('x-accel-buffering')).toBe('no');
    expect(c.headers!.get('cache-control')).toContain('no-cache');
    expect(c.headers!.get('content-encoding')).toBeNull();
    const first = c.events[0]!;
    expect(first.event).toBe('PB_CONNECT');
    expect(JSON.parse(first.data)).toEqual({ clientId: expect.any(String), resumeToken: expect.any(String) });
    // The SSE id is the client id, as PocketBase's SDK reads it; the resume token is another value.
    expect(first.id).toBe(c.clientId);
    expect(resumeTokenOf(c)).not.toContain(c.clientId);
    c.close();
  });

  it('delivers to a client on server B a record created through server A', async () => {
    const c = await connect(b);
    // Subscribed through A as well: B must hold the topics before any change made after the answer.
    await sub(a, c, ['pings']);
    const created = await createRecord(a, undefined, 'pings', { n: 1000 });
    const data = await c.nextData('pings', (d) => d.record.id === created.id);
    expect(data).toEqual({ action: 'create', record: created });
    c.close();
  });

  it('delivers the changes of one batch, published together, in the order they were made', async () => {
    const c = await connect(b);
    await sub(a, c, ['pings']);
    const res = ok(
      await api(a, admin)('POST', '/api/batch', {
        requests: [
          { method: 'POST', url: '/api/collections/pings/records', body: { n: 2001 } },
          { method: 'POST', url: '/api/collections/pings/records', body: { n: 2002 } },
          { method: 'POST', url: '/api/collections/pings/records', body: { n: 2003 } },
        ],
      }),
    );
    const made = (res.body as Array<{ body: { id: string } }>).map((r) => r.body.id);
    const [first] = await Promise.all([
      c.nextData('pings', (d) => d.record.id === made[0]),
      c.nextData('pings', (d) => d.record.id === made[2]),
    ]);
    expect(first).toMatchObject({ action: 'create', record: { n: 2001 } });
    const seen = c
      .messages()
      .filter((m) => m.event === 'pings')
      .map((m) => m.data.record.id as string)
      .filter((id) => made.includes(id));
    expect(seen).toEqual(made);
    c.close();
  });

  it('delivers an owner-only record to its owner only, never with hidden fields', async () => {
    const [ca, cb, canon, cadmin] = await Promise.all([connect(b), connect(a), connect(b), connect(a)]);
    await sub(b, ca, ['posts', 'pings'], alice.token);
    await sub(a, cb, ['posts', 'pings'], bob.token);
    await sub(a, canon, ['posts', 'pings']); // anonymous, through the other server
    await sub(b, cadmin, ['posts', 'pings'], admin);
    const post = await createRecord(a, alice.token, 'posts', {
      title: 'mine',
      owner: alice.id,
      secret: 's3cret',
    });
    expect(post).not.toHaveProperty('secret');
    const [forAlice, forBob, forAnon, forAdmin] = await sentinel(ca, cb, canon, cadmin);
    expect(forAlice).toEqual([{ event: 'posts', data: { action: 'create', record: post } }]);
    expect(forAlice[0]!.data.record).not.toHaveProperty('secret');
    expect(forBob).toEqual([]);
    expect(forAnon).toEqual([]);
    // Admins see hidden fields, as over REST.
    expect(forAdmin).toEqual([
      { event: 'posts', data: { action: 'create', record: { ...post, secret: 's3cret' } } },
    ]);
    for (const c of [ca, cb, canon]) expect(c.events.map((e) => e.data).join('\n')).not.toContain('s3cret');

    // The owner hands the post to Bob: it leaves Alice's view, so she hears nothing more of it.
    const moved = ok(
      await api(a, alice.token)('PATCH', `/api/collections/posts/records/${post.id}`, { owner: bob.id }),
    ).body;
    const [aliceAfter, bobAfter, anonAfter] = await sentinel(ca, cb, canon);
    expect(aliceAfter).toHaveLength(1); // still only the create
    expect(bobAfter).toEqual([{ event: 'posts', data: { action: 'update', record: moved } }]);
    expect(anonAfter).toEqual([]);

    // A delete goes to those who could see the record before it went, with its last state.
    expect((await api(a, bob.token)('DELETE', `/api/collections/posts/records/${post.id}`)).status).toBe(204);
    const [aliceEnd, bobEnd, anonEnd] = await sentinel(ca, cb, canon);
    expect(aliceEnd).toHaveLength(1);
    expect(bobEnd[1]).toEqual({ event: 'posts', data: { action: 'delete', record: moved } });
    expect(anonEnd).toEqual([]);
  });

  it('delivers a record topic for that record only, judged by the view rule', async () => {
    const mine = await createRecord(a, alice.token, 'posts', { title: 'one', owner: alice.id });
    const other = await createRecord(a, alice.token, 'posts', { title: 'two', owner: alice.id });
    const [ca, cb] = await Promise.all([connect(a), connect(b)]);
    await sub(a, ca, [`posts/${mine.id}`, 'pings'], alice.token);
    await sub(b, cb, [`posts/${mine.id}`, 'pings'], bob.token);
    const updated = ok(
      await api(b, alice.token)('PATCH', `/api/collections/posts/records/${mine.id}`, { title: 'one!' }),
    ).body;
    ok(await api(b, alice.token)('PATCH', `/api/collections/posts/records/${other.id}`, { title: 'two!' }));
    const [forAlice, forBob] = await sentinel(ca, cb);
    expect(forAlice).toEqual([{ event: `posts/${mine.id}`, data: { action: 'update', record: updated } }]);
    expect(forBob).toEqual([]);
  });

  it('applies filter and expand options, naming events by the topic as sent', async () => {
    const c = await connect(b);
    const topic = `posts?options=${encodeURIComponent(
      JSON.stringify({ query: { filter: "title ~ 'news'", expand: 'owner' } }),
    )}`;
    const flat = `pings?filter=${encodeURIComponent('n >= 500 && n < 600')}`;
    await sub(b, c, [topic, flat, 'pings'], alice.token);
    await createRecord(a, alice.token, 'posts', { title: 'other', owner: alice.id });
    const news = await createRecord(a, alice.token, 'posts', { title: 'big news', owner: alice.id });
    await createRecord(a, undefined, 'pings', { n: 550 });
    const [got] = await sentinel(c);
    expect(got.map((m) => m.event)).toEqual([topic, flat]);
    expect(got[0]!.data.record.id).toBe(news.id);
    expect(got[0]!.data.record.expand.owner).toMatchObject({ id: alice.id, name: 'Alice' });
    expect(got[0]!.data.record.expand.owner).not.toHaveProperty('password');
    expect(got[1]!.data.record.n).toBe(550);
  });

  it('answers problems for bad input', async () => {
    const c = await connect(a);
    const post = (body: unknown, token?: string) => api(a, token)('POST', '/api/realtime', body);

    const unknown = await post({ clientId: 'no-such-client', subscriptions: ['pings'] });
    expectApiProblem(unknown, 404, 'REALTIME_CLIENT_NOT_FOUND');

    const star = await post({ clientId: c.clientId, subscriptions: ['pings', '*'] });
    expectApiProblem(star, 400, 'REALTIME_TOPIC_INVALID');
    expect(star.body.errors).toEqual([
      { path: 'subscriptions.1', code: 'INVALID_TOPIC', message: expect.stringContaining('"*"') },
    ]);
    for (const bad of ['posts/not-an-id', 'a/b/c', 'posts?sort=title', 'posts?options=nope', 'po sts']) {
      expectApiProblem(
        await post({ clientId: c.clientId, subscriptions: [bad] }),
        400,
        'REALTIME_TOPIC_INVALID',
      );
    }
    const many = Array.from({ length: 101 }, (_, i) => `pings?filter=${encodeURIComponent(`n = ${i}`)}`);
    expectApiProblem(
      await post({ clientId: c.clientId, subscriptions: many }),
      400,
      'REALTIME_TOO_MANY_SUBSCRIPTIONS',
    );
    const badFilter = await post({ clientId: c.clientId, subscriptions: ['pings?filter=nope%20%3D%3D'] });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.code).toMatch(/^FILTER_/);
    expect(badFilter.body.errors[0].path).toBe('subscriptions.0');
    const hiddenFilter = await post(
      { clientId: c.clientId, subscriptions: ["posts?filter=secret%20%3D%20'x'"] },
      alice.token,
    );
    expectApiProblem(hiddenFilter, 400, 'FILTER_HIDDEN_FIELD');
    expectApiProblem(await post({ subscriptions: [] }), 400, 'VALIDATION_FAILED');
    expectApiProblem(await post({ clientId: c.clientId, subscriptions: 'pings' }), 400, 'VALIDATION_FAILED');
    const badToken = await post({ clientId: c.clientId, subscriptions: ['pings'] }, 'not-a-token');
    expect(badToken.status).toBe(401);
    // Nothing was half-applied: the client still subscribes to nothing and can subscribe normally.
    await sub(a, c, ['pings']);
    const [got] = await sentinel(c);
    expect(got).toEqual([]);
  });

  it('restores subscriptions when a client reconnects with its resume token, on any server', async () => {
    const first = await connect(a);
    await sub(a, first, ['pings']);
    const id = first.clientId;
    first.close();
    await first.ended;
    // EventSource's own reconnect sends Last-Event-ID: the resume token of the last stream.
    const again = await connect(b, '/api/realtime', { 'last-event-id': resumeTokenOf(first) });
    expect(again.clientId).toBe(id);
    await sentinel(again); // receives pings without subscribing again
    again.close();
    const third = await connect(a, '/api/realtime', { 'last-event-id': resumeTokenOf(again) });
    expect(third.clientId).toBe(id);
    await sentinel(third);
    // A used token, a bare id or an unknown one gets a fresh client.
    for (const headers of [
      { 'last-event-id': resumeTokenOf(first) },
      { 'last-event-id': id },
      { 'last-event-id': 'unknown-client' },
    ]) {
      const fresh = await connect(a, '/api/realtime', headers);
      expect(fresh.clientId).not.toBe(id);
      fresh.close();
    }
  });

  it('resumes a signed-in client only with the credentials of the same account', async () => {
    const first = await connect(a);
    await sub(a, first, ['posts', 'pings'], alice.token);
    first.close();
    const owner = await connect(b, '/api/realtime', {
      'last-event-id': resumeTokenOf(first),
      authorization: `Bearer ${alice.token}`,
    });
    expect(owner.clientId).toBe(first.clientId);
    const seen = await createRecord(a, alice.token, 'posts', { title: 'resumed', owner: alice.id });
    const [forOwner] = await sentinel(owner);
    expect(forOwner.map((m) => m.data.record.id)).toEqual([seen.id]);
    owner.close();
    // The token without Alice's credentials starts a client of its own, subscribed to nothing.
    const stranger = await connect(a, '/api/realtime', { 'last-event-id': resumeTokenOf(owner) });
    expect(stranger.clientId).not.toBe(first.clientId);
    await sub(a, stranger, ['posts', 'pings']);
    await createRecord(a, alice.token, 'posts', { title: 'not for strangers', owner: alice.id });
    const [forStranger] = await sentinel(stranger);
    expect(forStranger).toEqual([]);
  });

  it('unsubscribes with an empty list', async () => {
    const c = await connect(a);
    await sub(a, c, ['posts'], alice.token);
    await sub(a, c, [], alice.token);
    await createRecord(a, alice.token, 'posts', { title: 'unheard', owner: alice.id });
    const watcher = await connect(a);
    await sub(a, watcher, ['pings']);
    await sentinel(watcher);
    expect(c.messages()).toEqual([]);
  });

  it('counts connections and events in /metrics', async () => {
    const c = await connect(a);
    await sub(a, c, ['pings']);
    await sentinel(c);
    const text = await (await a.fetch('/metrics')).text();
    expect(Number(/^plinth_realtime_connections (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^plinth_realtime_events_sent_total (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
    expect(
      Number(/^plinth_realtime_events_dropped_total\{reason="rule"\} (\d+)/m.exec(text)?.[1]),
    ).toBeGreaterThan(0);
  });
});

describe('Realtime limits and shutdown', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let s: TestApp;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { ...NO_WORKERS, PLINTH_REALTIME_MAX_PER_IP: '2' } });
    s = await startApp({
      databaseUrl: t.db.url,
      redisPrefix: t.redisPrefix,
      env: { ...NO_WORKERS, PLINTH_REALTIME_IDLE_TIMEOUT: '1' },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses connections over the per-IP limit with 429', async () => {
    const one = await SseClient.connect(`${t.url}/api/realtime`);
    const two = await SseClient.connect(`${t.url}/api/realtime`);
    const res = await fetch(`${t.url}/api/realtime`);
    await expectProblem(res, 429, 'REALTIME_TOO_MANY_CONNECTIONS');
    one.close();
    two.close();
  });

  it('closes connections that subscribe to nothing for the idle timeout', async () => {
    const idle = await SseClient.connect(`${s.url}/api/realtime`);
    await idle.ended;
    expect(idle.isClosed).toBe(true);
  });

  it('ends open streams when the server shuts down, without waiting for them', async () => {
    const c = await SseClient.connect(`${s.url}/api/realtime`);
    expect((await subscribe(s.url, c.clientId, ['users'])).status).toBe(204);
    await s.close();
    await c.ended;
    expect(c.isClosed).toBe(true);
  });
});
