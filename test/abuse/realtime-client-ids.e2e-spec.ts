import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from '../support/records.js';
import { OpenStreams, resumeTokenOf, SseClient, subscribeOk } from '../support/sse.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/start-app.js';

const NO_WORKERS = { PLINTH_WORKERS: 'off' };

/** Issue 16 item 6: a realtime client id is not a capability. */
describe('Realtime client ids belong to their owner (attacker and victim)', () => {
  let a: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestApp;
  let victim: TestUser;
  let attacker: TestUser;
  const open = new OpenStreams();
  let pingN = 0;

  const connect = (t: TestApp, path?: string, headers?: Record<string, string>) =>
    open.connect(t.url, path, headers);
  const sub = (t: TestApp, c: SseClient, topics: string[], token?: string) =>
    subscribeOk(t.url, c, topics, token);
  /** A change everyone may see: whatever a client got for earlier changes precedes it. */
  const sentinel = async (...clients: SseClient[]) => {
    const n = ++pingN;
    await createRecord(a, undefined, 'pings', { n });
    await Promise.all(clients.map((c) => c.nextData('pings', (d) => d.record.n === n)));
    return clients.map((c) => c.messages().filter((m) => m.event !== 'pings'));
  };

  beforeAll(async () => {
    a = await startIsolatedApp({ env: NO_WORKERS });
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: NO_WORKERS });
    const admin = await adminToken(a);
    await createCollection(a, admin, {
      name: 'pings',
      fields: [{ name: 'n', type: 'number' }],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
    await createCollection(a, admin, {
      name: 'notes',
      fields: [
        { name: 'text', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: "@request.auth.id != ''",
      updateRule: 'owner = @request.auth.id',
    });
    victim = await createUser(a, 'Victim');
    attacker = await createUser(a, 'Attacker');
  });
  afterAll(async () => {
    open.closeAll();
    await b?.close();
    await a?.stop();
  });

  it('does not hand a stranger the stream of a client id given in the URL or Last-Event-ID', async () => {
    const mine = await connect(a);
    await sub(a, mine, ['notes', 'users', 'pings'], victim.token);
    const stolen = mine.clientId;

    // The attacker names the victim's id, with no credentials or with their own, on either server.
    const byUrl = await connect(b, `/api/realtime?clientId=${encodeURIComponent(stolen)}`);
    const byHeader = await connect(a, '/api/realtime', { 'last-event-id': stolen });
    const byOwnToken = await connect(b, `/api/realtime?clientId=${encodeURIComponent(stolen)}`, {
      authorization: `Bearer ${attacker.token}`,
    });
    for (const c of [byUrl, byHeader, byOwnToken]) expect(c.clientId).not.toBe(stolen);
    // The victim's stream was not ended by them.
    expect(mine.isClosed).toBe(false);
    // What the attackers got are clients of their own, to subscribe as themselves.
    await sub(a, byUrl, ['notes', 'users', 'pings']);
    await sub(b, byHeader, ['notes', 'users', 'pings']);
    await sub(a, byOwnToken, ['notes', 'users', 'pings'], attacker.token);

    // The SDK re-POSTs after a reconnect: the victim's events still go to the victim only.
    await sub(b, mine, ['notes', 'users', 'pings'], victim.token);
    const note = await createRecord(a, victim.token, 'notes', { text: 'diary', owner: victim.id });
    ok(await api(a, victim.token)('PATCH', `/api/collections/users/records/${victim.id}`, { name: 'V2' }));
    const [forVictim, ...forAttacker] = await sentinel(mine, byUrl, byHeader, byOwnToken);
    expect(forVictim.map((m) => m.event)).toEqual(['notes', 'users']);
    expect(forVictim[0]!.data.record.id).toBe(note.id);
    for (const got of forAttacker) expect(got).toEqual([]);
    for (const c of [byUrl, byHeader, byOwnToken]) {
      expect(c.events.map((e) => e.data).join('\n')).not.toContain(victim.id);
    }
  });

  it('answers 403 when another user or an anonymous caller POSTs for a client someone subscribed', async () => {
    const mine = await connect(b);
    await sub(b, mine, ['notes', 'pings'], victim.token);
    const post = (t: TestApp, token?: string) =>
      api(t, token)('POST', '/api/realtime', { clientId: mine.clientId, subscriptions: ['notes', 'pings'] });

    expectApiProblem(await post(a, attacker.token), 403, 'REALTIME_CLIENT_FORBIDDEN');
    expectApiProblem(await post(b, attacker.token), 403, 'REALTIME_CLIENT_FORBIDDEN');
    // Dropping the victim's auth (so their stream goes quiet) is refused as well.
    expectApiProblem(await post(a), 403, 'REALTIME_CLIENT_FORBIDDEN');

    // The attacker's own notes never reach the victim's stream, and the victim's auth still holds.
    await createRecord(a, attacker.token, 'notes', { text: 'bait', owner: attacker.id });
    const note = await createRecord(a, victim.token, 'notes', { text: 'still mine', owner: victim.id });
    const [forVictim] = await sentinel(mine);
    expect(forVictim.map((m) => m.data.record.id)).toEqual([note.id]);
    // The owner may change their own subscriptions, with a fresh token of the same account too.
    expect((await post(a, victim.token)).status).toBe(204);
  });

  it('lets an anonymous client sign in on its stream (PocketBase: guest → auth only)', async () => {
    const c = await connect(a);
    await sub(a, c, ['notes', 'pings']);
    await sub(b, c, ['notes', 'pings'], victim.token);
    const note = await createRecord(a, victim.token, 'notes', { text: 'after sign-in', owner: victim.id });
    const [got] = await sentinel(c);
    expect(got.map((m) => m.data.record.id)).toEqual([note.id]);
  });

  it('resumes only with the resume token of the stream and the same credentials, never the bare id', async () => {
    const first = await connect(a, '/api/realtime', { authorization: `Bearer ${victim.token}` });
    await sub(a, first, ['notes', 'pings'], victim.token);
    const resumeToken = resumeTokenOf(first);
    // The resume token is a secret of the stream, not the client id (which EventSource resends).
    expect(resumeToken).toBeTruthy();
    expect(resumeToken).not.toContain(first.clientId);
    first.close();
    await first.ended;

    // The bare id resumes nothing, even with the owner's credentials.
    const bare = await connect(b, '/api/realtime', {
      'last-event-id': first.clientId,
      authorization: `Bearer ${victim.token}`,
    });
    expect(bare.clientId).not.toBe(first.clientId);
    bare.close();

    // With someone else's credentials (or none) the token gives a fresh client.
    const other = await connect(b, '/api/realtime', {
      'last-event-id': resumeToken,
      authorization: `Bearer ${attacker.token}`,
    });
    expect(other.clientId).not.toBe(first.clientId);
    const none = await connect(b, '/api/realtime', { 'last-event-id': resumeToken });
    expect(none.clientId).not.toBe(first.clientId);

    // The owner resumes on any server, subscriptions kept, and gets a new resume token.
    const again = await connect(b, '/api/realtime', {
      'last-event-id': resumeToken,
      authorization: `Bearer ${victim.token}`,
    });
    expect(again.clientId).toBe(first.clientId);
    expect(resumeTokenOf(again)).not.toBe(resumeToken);
    await sub(a, other, ['notes', 'pings'], attacker.token);
    await sub(a, none, ['notes', 'pings']);
    const note = await createRecord(a, victim.token, 'notes', { text: 'resumed', owner: victim.id });
    const [forOwner, forOther, forNone] = await sentinel(again, other, none);
    expect(forOwner.map((m) => m.data.record.id)).toEqual([note.id]);
    expect(forOther).toEqual([]);
    expect(forNone).toEqual([]);
  });

  it('keeps the plain PocketBase flow: GET, then POST with the new id', async () => {
    const c = await connect(b);
    // PocketBase's SDK reads the client id from the SSE id (lastEventId) and from the data.
    expect(c.events[0]!.id).toBe(c.clientId);
    expect(JSON.parse(c.events[0]!.data)).toMatchObject({ clientId: c.clientId });
    await sub(a, c, ['notes', 'pings'], victim.token);
    const note = await createRecord(a, victim.token, 'notes', { text: 'pb', owner: victim.id });
    const [got] = await sentinel(c);
    expect(got).toEqual([{ event: 'notes', data: { action: 'create', record: note } }]);
  });
});
