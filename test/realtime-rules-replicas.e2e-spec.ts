import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { createCollection, createRecord, createUser, ok, type TestUser } from './support/records.js';
import { SseClient, subscribe } from './support/sse.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

/**
 * DESIGN §1 promises 1 s for a schema change to reach every replica; the polls allow more, since
 * a loaded test machine is not the promise under test.
 */
const WITHIN = 5000;

describe('A rule tightened through one server is enforced by the other (issue 29)', () => {
  let a: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestApp;
  let admin: string;
  let reader: TestUser;
  let stream: SseClient;
  let pingN = 0;

  beforeAll(async () => {
    a = await startIsolatedApp({ env: { PLINTH_WORKERS: 'off' } });
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: { PLINTH_WORKERS: 'off' } });
    admin = await adminToken(a);
    await createCollection(a, admin, {
      name: 'pings',
      fields: [{ name: 'n', type: 'number' }],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
    await createCollection(a, admin, {
      name: 'memos',
      fields: [
        { name: 'text', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
      listRule: '',
      viewRule: '',
      createRule: '',
    });
    reader = await createUser(a, 'Reader');
  });
  afterAll(async () => {
    stream?.close();
    await b?.close();
    await a?.stop();
  });

  /** Creates a memo through A (owned by nobody), then a ping; answers whether B's stream got the memo. */
  const memoReachesStream = async (): Promise<boolean> => {
    const memo = await createRecord(a, admin, 'memos', { text: 'for everyone?' });
    const n = ++pingN;
    await createRecord(a, undefined, 'pings', { n });
    await stream.nextData('pings', (d) => d.record.n === n);
    return stream.messages().some((m) => m.event === 'memos' && m.data.record.id === memo.id);
  };

  it('refuses on B, over REST and realtime, what a rule tightened through A hides', async () => {
    const memo = await createRecord(a, admin, 'memos', { text: 'public for now' });
    stream = await SseClient.connect(`${b.url}/api/realtime`);
    expect((await subscribe(b.url, stream.clientId, ['memos', 'pings'], reader.token)).status).toBe(204);
    // Open rules: B serves the memo, and its stream hears of new ones.
    expect(ok(await api(b, reader.token)('GET', '/api/collections/memos/records')).body.totalItems).toBe(1);
    expect(await memoReachesStream()).toBe(true);

    const patched = await api(a, admin)('PATCH', '/api/collections/memos', {
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
    });
    expect(patched.status).toBe(200);

    await eventually(async () => !(await memoReachesStream()), WITHIN);
    await eventually(async () => {
      const list = await api(b, reader.token)('GET', '/api/collections/memos/records');
      return list.status === 200 && list.body.totalItems === 0;
    }, WITHIN);
    expect((await api(b, reader.token)('GET', `/api/collections/memos/records/${memo.id}`)).status).toBe(404);
    // The reader's own memos still reach them on B.
    const own = await createRecord(a, admin, 'memos', { text: 'mine', owner: reader.id });
    await stream.nextData('memos', (d) => d.record.id === own.id);
    expect(ok(await api(b, reader.token)('GET', '/api/collections/memos/records')).body.totalItems).toBe(1);
  });
});
