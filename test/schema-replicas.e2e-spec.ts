import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON; tests assert them
type Json = any;

/** DESIGN §1: a schema change made on one replica is served by all within 1 s. */
const WITHIN = 1000;

describe('Two servers on one database: schema changes reach the other replica', () => {
  let a: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestApp;
  let callA: ReturnType<typeof api>;
  let callB: ReturnType<typeof api>;

  beforeAll(async () => {
    a = await startIsolatedApp();
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix });
    const token = await adminToken(a);
    callA = api(a, token);
    callB = api(b, token);
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('serves on B a collection created through A within 1 s', async () => {
    // B knows nothing of it yet.
    expect((await callB('GET', '/api/collections/notes/records')).status).toBe(404);
    const created = await callA('POST', '/api/collections', {
      name: 'notes',
      fields: [{ name: 'text', type: 'text', required: true }],
      listRule: '',
      createRule: '',
    });
    expect(created.status).toBe(200);
    const record = await eventually(async () => {
      const res = await callB('POST', '/api/collections/notes/records', { text: 'via B' });
      return res.status === 200 ? res.body : null;
    }, WITHIN);
    expect(record).toMatchObject({ text: 'via B', collectionName: 'notes' });
    const onA = await api(a)('GET', `/api/collections/notes/records/${record.id}`);
    expect(onA.status).toBe(403); // viewRule null: only admins
    expect((await callA('GET', `/api/collections/notes/records/${record.id}`)).body.text).toBe('via B');
    // B's validation is the new collection's: text is required.
    const invalid = await callB('POST', '/api/collections/notes/records', {});
    expect(invalid.status).toBe(400);
  });

  it('serves on B a field rename made through A within 1 s', async () => {
    const notes = (await callA('GET', '/api/collections/notes')).body;
    const fields = notes.fields.map((f: Json) => (f.name === 'text' ? { ...f, name: 'body' } : f));
    expect((await callA('PATCH', '/api/collections/notes', { fields })).status).toBe(200);
    await eventually(async () => {
      const res = await callB('GET', '/api/collections/notes/records');
      return res.status === 200 && res.body.items[0]?.body === 'via B' && !('text' in res.body.items[0]);
    }, WITHIN);
    expect((await callB('GET', '/api/collections/notes')).body.fields.map((f: Json) => f.name)).toEqual([
      'body',
    ]);
    const created = await callB('POST', '/api/collections/notes/records', { body: 'renamed' });
    expect(created.status).toBe(200);
    const old = await callB('POST', '/api/collections/notes/records', { text: 'old name' });
    expect(old.status).toBe(400);
  });

  it('serves on B a collection rename and a delete made through A within 1 s', async () => {
    expect((await callA('PATCH', '/api/collections/notes', { name: 'memos' })).status).toBe(200);
    await eventually(
      async () => (await callB('GET', '/api/collections/memos/records')).status === 200,
      WITHIN,
    );
    expect((await callB('GET', '/api/collections/notes/records')).body.code).toBe('COLLECTION_NOT_FOUND');
    expect((await callB('GET', '/api/collections/memos/records')).body.totalItems).toBe(2);

    expect((await callA('DELETE', '/api/collections/memos')).status).toBe(204);
    await eventually(
      async () => (await callB('GET', '/api/collections/memos/records')).status === 404,
      WITHIN,
    );
    expect((await callB('GET', '/api/collections')).body.items.map((c: Json) => c.name)).toEqual(['users']);
  });

  it('keeps both replicas current through a burst of changes made on both', async () => {
    for (const name of ['left', 'right', 'up', 'down']) {
      expect((await callA('POST', '/api/collections', { name, fields: [] })).status).toBe(200);
    }
    await eventually(
      async () => (await callB('GET', '/api/collections/right/records')).status === 200,
      WITHIN,
    );

    // Each replica changes its own collection, one field after another, at the same time; every
    // change must be served at once by the replica that made it (its answer and its records API).
    const burst = async (call: ReturnType<typeof api>, name: string) => {
      const fields: Json[] = [];
      for (let i = 0; i < 16; i++) {
        const res = await call('PATCH', `/api/collections/${name}`, {
          fields: [...fields, { name: `f${i}`, type: 'number' }],
        });
        expect(res.status).toBe(200);
        fields.splice(0, fields.length, ...res.body.fields);
        expect(fields.map((f) => f.name)).toContain(`f${i}`);
        const record = await call('POST', `/api/collections/${name}/records`, { [`f${i}`]: i });
        expect({ status: record.status, value: record.body[`f${i}`] }).toEqual({ status: 200, value: i });
      }
    };
    const results = await Promise.allSettled([
      burst(callA, 'left'),
      burst(callB, 'right'),
      burst(callA, 'up'),
      burst(callB, 'down'),
    ]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;

    // And each sees the other's last change within 1 s.
    await eventually(
      async () => (await callA('POST', '/api/collections/right/records', { f15: 1 })).status === 200,
      WITHIN,
    );
    await eventually(
      async () => (await callB('POST', '/api/collections/left/records', { f15: 1 })).status === 200,
      WITHIN,
    );
  });

  it('refuses on B, within its 10 s key cache, an API key revoked through A', async () => {
    const created = await callA('POST', '/api/keys', { name: 'shared', scopes: ['admin'] });
    expect(created.status).toBe(200);
    const key = api(b, created.body.key);
    expect((await key('GET', '/api/collections')).status).toBe(200); // now cached on B
    expect((await callA('DELETE', `/api/keys/${created.body.id}`)).status).toBe(204);
    expect((await api(a, created.body.key)('GET', '/api/collections')).status).toBe(401);
    const revokedAt = Date.now();
    await eventually(async () => (await key('GET', '/api/collections')).status === 401, 11_000, 250);
    expect(Date.now() - revokedAt).toBeLessThan(11_000);
    expect((await key('GET', '/api/collections')).body.code).toBe('INVALID_TOKEN');
  }, 20_000);
});
