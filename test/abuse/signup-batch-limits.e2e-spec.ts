import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, type ApiAnswer } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { createCollection, createRecord, ok } from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';
import { RESPONSIVE_MS, whileUnderAttack } from './timing.js';

const signUp = (tag: string, i: number) => ({
  method: 'POST',
  url: '/api/collections/users/records',
  body: { email: `${tag}-${i}@example.com`, password: 'password-123456', passwordConfirm: 'password-123456' },
});

/**
 * Issue 16, item 3: sign-ups had no rate limit, and a batch hashed up to 100 passwords inside its
 * transaction: 22 concurrent batches of 100 sign-ups held the pool ~31 s and created 2,000 accounts.
 */
describe('abuse: sign-ups and batches', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let noteId: string;

  const accounts = async (tag: string) =>
    Number(
      (
        await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM data.users WHERE email LIKE $1`, [
          `${tag}-%`,
        ])
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    t = await startIsolatedApp({
      env: {
        PLINTH_SIGNUP_RATE_PER_IP: '5',
        PLINTH_BATCH_RATE_PER_IP: '40',
        PLINTH_BATCH_CONCURRENCY_PER_IP: '2',
        // A small pool makes a transaction held during password hashing visible to everyone.
        PLINTH_DB_POOL_SIZE: '2',
      },
    });
    admin = await adminToken(t);
    const open = { listRule: '', viewRule: '', createRule: '' };
    await createCollection(t, admin, { name: 'notes', fields: [{ name: 'body', type: 'text' }], ...open });
    noteId = (await createRecord(t, admin, 'notes', { body: 'unrelated' })).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('limits sign-ups per IP (429 with Retry-After); admins are not limited', async () => {
    const answers: ApiAnswer[] = [];
    for (let i = 0; i < 6; i++)
      answers.push(await api(t)('POST', '/api/collections/users/records', signUp('solo', i).body));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const problem = expectApiProblem(answers[5]!, 429, 'TOO_MANY_REQUESTS');
    expect(problem.detail).toMatch(/sign-up/i);
    expect(Number(answers[5]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await accounts('solo')).toBe(5);
    ok(await api(t, admin)('POST', '/api/collections/users/records', signUp('solo', 99).body));
  });

  it('refuses 22 concurrent batches of 100 sign-ups quickly, creating no account, while health and reads stay fast', async () => {
    const batch = (n: number) => ({
      requests: Array.from({ length: 100 }, (_, i) => signUp(`flood${n}`, i)),
    });
    const run = await whileUnderAttack(t, `/api/collections/notes/records/${noteId}`, async () => {
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 22 }, (_, n) => api(t)('POST', '/api/batch', batch(n))),
      );
      return { answers, ms: performance.now() - started };
    });
    for (const res of run.result.answers) {
      expectApiProblem(res, 429, 'TOO_MANY_REQUESTS');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Those let past the concurrent-batch cap are refused for their 100 sign-ups, before any work.
    expect(run.result.answers.some((res) => /sign-ups/.test(res.body.detail))).toBe(true);
    expect(run.result.ms).toBeLessThan(5000);
    expect(run.health.status).toBe(200);
    expect(run.health.ms).toBeLessThan(RESPONSIVE_MS);
    expect(run.read.status).toBe(200);
    expect(run.read.ms).toBeLessThan(RESPONSIVE_MS);
    expect(await accounts('flood%')).toBe(0);
  });

  it('hashes the passwords of a batch before its transaction: big admin batches do not hold the pool', async () => {
    // Three admin batches of 40 sign-ups (admins are not rate-limited) on a pool of two connections.
    const batch = (n: number) => ({
      requests: Array.from({ length: 40 }, (_, i) => signUp(`import${n}`, i)),
    });
    const run = await whileUnderAttack(t, `/api/collections/notes/records/${noteId}`, () =>
      Promise.all([0, 1, 2].map((n) => api(t, admin)('POST', '/api/batch', batch(n)))),
    );
    for (const res of run.result) expect(res.status).toBe(200);
    expect(await accounts('import%')).toBe(120);
    expect(run.read.status).toBe(200);
    expect(run.read.ms).toBeLessThan(RESPONSIVE_MS);
  });

  it('caps concurrent batches per IP and limits batches per IP per minute', async () => {
    const batch = {
      requests: Array.from({ length: 50 }, (_, i) => ({
        method: 'POST',
        url: '/api/collections/notes/records',
        body: { body: `b${i}` },
      })),
    };
    const answers = await Promise.all(Array.from({ length: 10 }, () => api(t)('POST', '/api/batch', batch)));
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(200);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused) {
      expect(expectApiProblem(res, 429, 'TOO_MANY_REQUESTS').detail).toMatch(/at once/);
      expect(res.headers.get('retry-after')).toBe('1');
    }
    // 40 batches a minute: the 22 refused above and these 10 counted; the rest run out soon.
    let last: ApiAnswer | undefined;
    for (let i = 0; i < 40 && last?.status !== 429; i++) {
      last = await api(t)('POST', '/api/batch', { requests: [batch.requests[0]] });
    }
    const problem = expectApiProblem(last!, 429, 'TOO_MANY_REQUESTS');
    expect(problem.detail).toMatch(/batch/i);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
