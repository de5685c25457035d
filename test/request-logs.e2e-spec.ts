import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobsService } from '@plinth/jobs';
import { RequestLogWriter } from '@plinth/logs';
import { eventually } from '@plinth/testing';
import { createClient } from '../sdk/src/index.js';
import { adminToken, api, type ApiAnswer } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, createKey, createUser, ok } from './support/records.js';
import { documentedFetch, startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Entry = Record<string, unknown> & { id: string; url: string; status: number; requestId: string };

/** A GET over node:http, which (unlike fetch) sends tabs and latin-1 control bytes in header values. */
function rawGet(
  t: TestApp,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; id: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(t.url + path, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, id: String(res.headers['x-request-id']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Issue 23: every API request lands in plinth.request_log (in batches, off the request path) and
 * admins read it with the record filter grammar; secrets never reach it, a dead log store never
 * fails a request, and maintenance.cleanup enforces the retention.
 */
describe('request logs', () => {
  let t: App;
  let admin: string;
  let as: ReturnType<typeof api>;

  /**
   * The log entry of the answer with this request id, once the writer has stored it. It writes what it
   * holds first rather than wait for its timer (the timer's own writes are what the store-down test counts).
   */
  const entryOf = async (requestId: string): Promise<Entry> =>
    (await eventually(async () => {
      await t.app.get(RequestLogWriter).flush();
      const res = ok(await as('GET', `/api/logs?filter=${encodeURIComponent(`requestId = "${requestId}"`)}`));
      return res.body.items[0] as Entry | undefined;
    }))!;
  const logs = async (params: Record<string, string>): Promise<ApiAnswer> =>
    as('GET', `/api/logs?${new URLSearchParams(params)}`);

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    as = api(t, admin);
    await createCollection(t, admin, {
      name: 'notes',
      listRule: '',
      viewRule: '',
      createRule: '@request.auth.id != ""',
      fields: [{ name: 'title', type: 'text' }],
    });
  });
  afterAll(() => t?.stop());

  it('logs a request with its method, route, status, duration, size, client, auth and request id', async () => {
    const user = await createUser(t, 'Logged');
    const res = await t.fetch('/api/collections/notes/records?perPage=5', {
      headers: {
        authorization: `Bearer ${user.token}`,
        'user-agent': 'plinth-test/1.0',
        'x-request-id': 'req-ok-1',
      },
    });
    expect(res.status).toBe(200);
    const length = Number(res.headers.get('content-length'));
    const e = await entryOf('req-ok-1');
    expect(e).toMatchObject({
      method: 'GET',
      route: '/api/collections/:collection/records',
      url: '/api/collections/notes/records?perPage=5',
      status: 200,
      size: length,
      ip: '127.0.0.1',
      userAgent: 'plinth-test/1.0',
      authKind: 'user',
      authId: user.id,
      requestId: 'req-ok-1',
      errorCode: '',
      errorMessage: '',
    });
    expect(e.duration).toEqual(expect.any(Number));
    expect(Date.parse(String(e.created))).not.toBeNaN();
    expect(ok(await as('GET', `/api/logs/${e.id}`)).body).toEqual(e);
  });

  it('records the error code and message of 4xx answers, and admin and key callers', async () => {
    const refused = await api(t)('POST', '/api/collections/notes/records', { title: 'x' });
    const problem = expectApiProblem(refused, 403, 'RULE_REFUSED');
    const e = await entryOf(refused.headers.get('x-request-id')!);
    expect(e).toMatchObject({
      method: 'POST',
      status: 403,
      authKind: 'anonymous',
      authId: '',
      errorCode: 'RULE_REFUSED',
      errorMessage: problem.detail,
    });

    const missing = await api(t)('GET', '/api/nothing-here');
    expect(await entryOf(missing.headers.get('x-request-id')!)).toMatchObject({
      status: 404,
      route: '',
      errorCode: 'ROUTE_NOT_FOUND',
    });

    const key = await createKey(t, admin, ['admin']);
    const byKey = await api(t, key)('GET', '/api/collections');
    expect(await entryOf(byKey.headers.get('x-request-id')!)).toMatchObject({ authKind: 'key', status: 200 });
    const byAdmin = await as('GET', '/api/collections');
    expect(await entryOf(byAdmin.headers.get('x-request-id')!)).toMatchObject({
      authKind: 'admin',
      status: 200,
    });
  });

  it('never stores secrets: query tokens, passwords and the Authorization header', async () => {
    const user = await createUser(t, 'Secretive');
    const fileToken = ok(await api(t, user.token)('POST', '/api/files/token')).body.token as string;
    const withToken = await t.fetch(`/api/files/notes/x/y.png?thumb=10x10&token=${fileToken}`, {
      headers: { 'x-request-id': 'req-token-1' },
    });
    const signIn = await api(t)('POST', '/api/admins/auth-with-password', {
      identity: 'admin@example.com',
      password: 'a-wrong-password-that-must-not-show',
    });
    expect(signIn.status).toBe(400);
    const cb = await t.fetch(
      '/api/collections/users/records?code=the-code&state=the-state&key=k1&password=p1&page=1',
      {
        headers: { 'x-request-id': 'req-token-2' },
      },
    );
    expect(cb.status).toBeLessThan(500);

    const fileEntry = await entryOf('req-token-1');
    expect(withToken.status).toBeGreaterThanOrEqual(400);
    expect(fileEntry.url).toBe('/api/files/notes/x/y.png?thumb=10x10&token=[redacted]');
    expect((await entryOf('req-token-2')).url).toBe(
      '/api/collections/users/records?code=[redacted]&state=[redacted]&key=[redacted]&password=[redacted]&page=1',
    );
    await entryOf(signIn.headers.get('x-request-id')!);

    const rows = await t.db.query('SELECT * FROM plinth.request_log');
    const stored = JSON.stringify(rows.rows);
    for (const secret of [
      fileToken,
      user.token,
      admin,
      'a-wrong-password-that-must-not-show',
      'the-code',
      'k1',
    ]) {
      expect(stored).not.toContain(secret);
    }
    expect(stored).not.toMatch(/Bearer/i);
  });

  it('stores untrusted text capped and without control characters', async () => {
    const huge = `evil\tagent\u0085${'A'.repeat(15_000)}`;
    const res = await rawGet(t, '/api/collections/notes/records?title=%07%1b', { 'user-agent': huge });
    expect(res.status).toBe(200);
    const e = await entryOf(res.id);
    expect(e.userAgent).toBe(`evilagent${'A'.repeat(503)}`);
    expect(e.url).toBe('/api/collections/notes/records?title=%07%1b');
    // eslint-disable-next-line no-control-regex
    expect(JSON.stringify(e)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('filters with the record grammar, sorts and pages', async () => {
    for (let i = 0; i < 3; i++) {
      await t.fetch(`/api/collections/notes/records/missing-${i}`, {
        headers: { 'x-request-id': `req-miss-${i}` },
      });
    }
    await entryOf('req-miss-2');
    const errors = ok(
      await logs({ filter: 'status >= 400 && url ~ "/api/collections/notes/records/missing"' }),
    );
    expect(errors.body.totalItems).toBe(3);
    expect(errors.body.items.map((e: Entry) => e.requestId)).toEqual([
      'req-miss-2',
      'req-miss-1',
      'req-miss-0',
    ]);

    const ascending = ok(
      await logs({ filter: 'requestId ~ "req-miss-"', sort: 'created', perPage: '2', page: '2' }),
    );
    expect(ascending.body).toMatchObject({ page: 2, perPage: 2, totalItems: 3, totalPages: 2 });
    expect(ascending.body.items.map((e: Entry) => e.requestId)).toEqual(['req-miss-2']);

    const slowest = ok(await logs({ sort: '-duration', perPage: '1' })).body.items[0] as Entry;
    const all = ok(await logs({ perPage: '500' })).body.items as Entry[];
    expect(all.every((e) => Number(e.duration) <= Number(slowest.duration))).toBe(true);
    const byUsers = ok(await logs({ filter: 'authKind = "user" && status = 200' })).body.items as Entry[];
    expect(byUsers.length).toBeGreaterThan(0);

    const sdk = createClient({ url: t.url, fetch: documentedFetch });
    sdk.authStore.save(admin, null);
    const viaSdk = await sdk.logs.list({ filter: 'requestId ~ "req-miss-"', sort: '-created', perPage: 1 });
    expect(viaSdk).toMatchObject({ totalItems: 3, totalPages: 3 });
    expect((await sdk.logs.get(viaSdk.items[0]!.id)).requestId).toBe('req-miss-2');
  });

  it('answers 400 for a bad filter or sort, 404 for an unknown id, 401/403 for non-admins', async () => {
    expectApiProblem(await logs({ filter: 'status >= ' }), 400, 'FILTER_SYNTAX');
    expectApiProblem(await logs({ filter: 'password = "x"' }), 400, 'FILTER_UNKNOWN_FIELD');
    expectApiProblem(await logs({ filter: 'author.name = "x"' }), 400, 'FILTER_UNKNOWN_FIELD');
    expectApiProblem(await logs({ filter: 'status = "text"' }), 400, 'FILTER_TYPE_MISMATCH');
    expectApiProblem(await logs({ filter: 'a = 1 || '.repeat(800) + 'a = 1' }), 400, 'FILTER_TOO_LONG');
    expectApiProblem(await logs({ sort: 'nope' }), 400, 'SORT_UNKNOWN_FIELD');
    expectApiProblem(await logs({ page: 'x' }), 400, 'INVALID_QUERY');
    const odd = [
      'created >= @now',
      'created > "2020-01-01 00:00:00"',
      '@collection.users.email = "x"',
      '@request.auth.id = ""',
      'id = "nope"',
      'size > 99999999999999999999999',
      'errorCode = null',
      'url:lower ~ "API"',
      'status:length > 1',
      'strftime("%Y", created) = "2026"',
      'userAgent ~ "%_\\\u0000"',
      '((((status = 1))))',
    ];
    for (const filter of odd) {
      const res = await logs({ filter });
      expect({ filter, status: res.status < 500 ? 'not 5xx' : res.status }).toEqual({
        filter,
        status: 'not 5xx',
      });
      if (res.status !== 200) expectApiProblem(res, res.status, String(res.body.code));
    }
    expectApiProblem(await as('GET', '/api/logs/not-an-id'), 404, 'LOG_NOT_FOUND');
    expectApiProblem(await as('GET', '/api/logs/0190a000-0000-7000-8000-000000000000'), 404, 'LOG_NOT_FOUND');

    expectApiProblem(await api(t)('GET', '/api/logs'), 401, 'UNAUTHORIZED');
    const user = await createUser(t, 'Nosy');
    expectApiProblem(await api(t, user.token)('GET', '/api/logs'), 403, 'ADMIN_REQUIRED');
    const reader = await createKey(t, admin, ['notes:read']);
    expectApiProblem(await api(t, reader)('GET', '/api/logs/x'), 403, 'ADMIN_REQUIRED');
  });

  it('deletes entries older than the retention in maintenance.cleanup', async () => {
    const old = await t.fetch('/api/collections/notes/records', { headers: { 'x-request-id': 'req-old' } });
    const recent = await t.fetch('/api/collections/notes/records', {
      headers: { 'x-request-id': 'req-recent' },
    });
    expect([old.status, recent.status]).toEqual([200, 200]);
    await entryOf('req-recent');
    await entryOf('req-old');
    await t.db.query(
      `UPDATE plinth.request_log SET created = now() - interval '8 days' WHERE request_id = 'req-old'`,
    );
    await t.db.query(
      `UPDATE plinth.request_log SET created = now() - interval '6 days' WHERE request_id = 'req-recent'`,
    );
    await t.app.get(JobsService).enqueue('maintenance.cleanup', { reason: 'manual' });
    await eventually(async () => (await logs({ filter: 'requestId = "req-old"' })).body.totalItems === 0);
    expect(ok(await logs({ filter: 'requestId = "req-recent"' })).body.totalItems).toBe(1);
  });

  it('keeps serving requests when the log store is down, and counts the lost entries', async () => {
    const dropped = async () => {
      const text = await (await t.fetch('/metrics')).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('plinth_request_logs_dropped_total{reason="store_error"}'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await dropped();
    await t.app.get(RequestLogWriter).flush();
    await t.db.query('ALTER TABLE plinth.request_log RENAME TO request_log_away');
    try {
      for (let i = 0; i < 5; i++) {
        const res = await t.fetch('/api/collections/notes/records', {
          headers: { 'x-request-id': `req-down-${i}` },
        });
        expect(res.status).toBe(200);
      }
      await eventually(async () => (await dropped()) >= before + 5);
    } finally {
      await t.db.query('ALTER TABLE plinth.request_log_away RENAME TO request_log');
    }
    const after = await t.fetch('/api/collections/notes/records', {
      headers: { 'x-request-id': 'req-back' },
    });
    expect(after.status).toBe(200);
    await entryOf('req-back');
    expect(ok(await logs({ filter: 'requestId ~ "req-down-"' })).body.totalItems).toBe(0);
  });

  it('keeps only errors with PLINTH_LOGS=errors or PLINTH_LOGS_SAMPLE=0, and nothing with PLINTH_LOGS=off', async () => {
    /** Another replica with these settings answers a 200 and a 404, tagged `<tag>-ok` and `<tag>-bad`. */
    const requestsOn = async (env: Record<string, string>, tag: string) => {
      const replica = await startApp({ databaseUrl: t.db.url, redisPrefix: t.redisPrefix, env });
      try {
        const fine = await replica.fetch('/api/collections/notes/records', {
          headers: { 'x-request-id': `${tag}-ok` },
        });
        const bad = await replica.fetch('/api/collections/nope/records', {
          headers: { 'x-request-id': `${tag}-bad` },
        });
        expect([fine.status, bad.status]).toEqual([200, 404]);
        await replica.app.get(RequestLogWriter).flush();
      } finally {
        await replica.close();
      }
    };
    await requestsOn({ PLINTH_LOGS: 'errors' }, 'req-errors');
    await requestsOn({ PLINTH_LOGS_SAMPLE: '0' }, 'req-sampled');
    await requestsOn({ PLINTH_LOGS: 'off' }, 'req-off');

    // Entries written by other replicas are read here: one table for every server.
    expect(await entryOf('req-errors-bad')).toMatchObject({ status: 404, errorCode: 'COLLECTION_NOT_FOUND' });
    expect(await entryOf('req-sampled-bad')).toMatchObject({
      status: 404,
      errorCode: 'COLLECTION_NOT_FOUND',
    });
    const kept = ok(
      await logs({
        filter: 'requestId ~ "req-errors-" || requestId ~ "req-sampled-" || requestId ~ "req-off-"',
      }),
    );
    expect(kept.body.items.map((e: Entry) => e.requestId).sort()).toEqual([
      'req-errors-bad',
      'req-sampled-bad',
    ]);
  });
});
