import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { createCollection, createRecord, ok } from '../support/records.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/start-app.js';
import { RESPONSIVE_MS, whileUnderAttack } from './timing.js';

/** A filter of 200 `~` terms (within the §10 limits) that no index can help: every row is read 200 times. */
const SLOW_FILTER = Array.from({ length: 200 }, (_, i) => `title~'zq${String(i).padStart(3, '0')}'`).join(
  '||',
);
const SLOW_LIST = `/api/collections/posts/records?filter=${encodeURIComponent(SLOW_FILTER)}`;

/**
 * Issue 16, item 2: a slow filter kept PostgreSQL busy long after its request had timed out, and ten
 * of them held the whole pool (503 for everyone). Record queries now run under a statement timeout,
 * are cancelled when their client goes away, and cannot take the connections other work needs.
 */
describe('abuse: unbounded queries', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let noteId: string;
  const password = 'password-123456';

  /** The app's record queries running now that read `posts` through the slow filter. */
  async function slowQueries(): Promise<number> {
    const { rows } = await t.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
          AND query LIKE '%"posts"%' AND query LIKE '%ILIKE%ILIKE%'`,
    );
    return Number(rows[0]!.n);
  }

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_DB_STATEMENT_TIMEOUT: '1' } });
    admin = await adminToken(t);
    const open = { listRule: '', viewRule: '' };
    await createCollection(t, admin, { name: 'posts', fields: [{ name: 'title', type: 'text' }], ...open });
    await createCollection(t, admin, { name: 'notes', fields: [{ name: 'body', type: 'text' }], ...open });
    noteId = (await createRecord(t, admin, 'notes', { body: 'unrelated' })).id;
    await createRecord(t, admin, 'users', {
      email: 'reader@example.com',
      password,
      passwordConfirm: password,
    });
    // 40,000 rows: the slow filter needs several seconds per query without a timeout.
    await t.db.query(
      `INSERT INTO data.posts (id, title) SELECT gen_random_uuid(), md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 40000) g`,
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('stops each of ten parallel slow filters with 503 QUERY_TIMEOUT, while health and other reads stay fast', async () => {
    const run = await whileUnderAttack(t, `/api/collections/notes/records/${noteId}`, async () => {
      const started = performance.now();
      const attacks = Promise.all(Array.from({ length: 10 }, () => api(t)('GET', SLOW_LIST)));
      // Sign-in runs on the connections kept apart for auth and system work.
      await new Promise((r) => setTimeout(r, 200));
      const signInStarted = performance.now();
      const signIn = await api(t)('POST', '/api/collections/users/auth-with-password', {
        identity: 'reader@example.com',
        password,
      });
      const signInMs = performance.now() - signInStarted;
      return { answers: await attacks, ms: performance.now() - started, signIn, signInMs };
    });
    for (const res of run.result.answers) {
      const problem = expectApiProblem(res, 503, 'QUERY_TIMEOUT');
      expect(problem.detail).toMatch(/index/);
      expect(problem.detail).toMatch(/filter/);
    }
    expect(run.result.signIn.status).toBe(200);
    // Not queued behind the slow filters: it answers before they do (a bound relative to the attack,
    // since another test file loading the same 2 cores stretches both).
    expect(run.result.signInMs + 200).toBeLessThan(run.result.ms);
    // Each query stops after 1 s; twenty queries (items + count) share half of the pool.
    expect(run.result.ms).toBeLessThan(15_000);
    expect(run.health).toEqual({ status: 200, ms: expect.any(Number) });
    expect(run.health.ms).toBeLessThan(RESPONSIVE_MS);
    expect(run.read.status).toBe(200);
    expect(run.read.ms).toBeLessThan(RESPONSIVE_MS);
    // Nothing keeps running in PostgreSQL after the answers.
    await eventually(async () => (await slowQueries()) === 0, 5000);
    // Ordinary lists of the same collection work right after.
    expect((await api(t)('GET', '/api/collections/posts/records?perPage=1')).status).toBe(200);
  });

  it('cancels the query in PostgreSQL when the client goes away', async () => {
    // A second server on the same database with a long timeout: only the disconnect can stop the query.
    let patient: TestApp | undefined;
    try {
      patient = await startApp({
        databaseUrl: t.db.url,
        redisPrefix: t.redisPrefix,
        env: { PLINTH_DB_STATEMENT_TIMEOUT: '120' },
      });
      const client = new AbortController();
      const request = fetch(patient.url + SLOW_LIST, { signal: client.signal }).then(
        (res) => `answered ${res.status}`,
        (err: Error) => err.name,
      );
      await eventually(async () => (await slowQueries()) > 0, 10_000, 50);
      client.abort();
      expect(await request).toBe('AbortError');
      const aborted = performance.now();
      // Both the items and the count query are gone well before they could have finished (~10 s).
      await eventually(async () => (await slowQueries()) === 0, 3000, 50);
      expect(performance.now() - aborted).toBeLessThan(3000);
    } finally {
      await patient?.close();
    }
  });

  it('refuses deep pages with 400 naming the limit and the way around it', async () => {
    const deep = await api(t)('GET', '/api/collections/posts/records?page=201&perPage=500&skipTotal=1');
    const problem = expectApiProblem(deep, 400, 'PAGE_TOO_DEEP');
    expect(problem.detail).toMatch(/100000/);
    expect(problem.detail).toMatch(/created|id/);
    expect(problem.errors).toEqual([expect.objectContaining({ path: 'page' })]);
    const last = ok(await api(t)('GET', '/api/collections/posts/records?page=80&perPage=500&skipTotal=1'));
    expect(last.body.items).toHaveLength(500);
  });
});
