import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { JobsService } from '@plinth/jobs';
import { RequestLogWriter, StatsRollupHandler } from '@plinth/logs';
import { eventually } from '@plinth/testing';
import { ADMIN_EMAIL, adminToken, api, type ApiAnswer } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, createKey, createUser, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Entry = {
  id: string;
  action: string;
  actorKind: string;
  actorId: string;
  actorName: string;
  ip: string;
  requestId: string;
  summary: string;
  targetName: string;
  changes: Array<{ path: string; before?: unknown; after?: unknown; secret?: boolean }>;
};
type Series = { metric: string; dim: string; values: Array<number | null>; total: number | null };

/**
 * Issue 23: the audit trail (every admin action with who, where, the request id and a diff; secrets
 * only as "changed"; retention) and the statistics (rollups of the request log that match the
 * traffic sent).
 */
describe('audit trail and statistics', () => {
  let t: App;
  let admin: string;
  let as: ReturnType<typeof api>;

  /** An admin call with its own request id, so that its audit entry can be found. */
  const call = async (
    requestId: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiAnswer> => {
    const res = await t.fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        'x-request-id': requestId,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const audit = async (filter: string): Promise<Entry[]> =>
    ok(await as('GET', `/api/audit?${new URLSearchParams({ filter, perPage: '100' })}`)).body.items;
  const entryOf = async (requestId: string): Promise<Entry> => {
    const [entry, ...more] = await audit(`requestId = "${requestId}"`);
    expect(more).toEqual([]);
    return entry!;
  };

  beforeAll(async () => {
    // The webhook of the test points at a local address that is never called.
    t = await startIsolatedApp({ env: { PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' } });
    admin = await adminToken(t);
    as = api(t, admin);
  });
  afterAll(() => t?.stop());

  describe('audit trail', () => {
    it('records a schema change and a rule change with who, from where, the request id and a diff', async () => {
      ok(
        await call('aud-create', 'POST', '/api/collections', {
          name: 'posts',
          listRule: '',
          fields: [{ name: 'title', type: 'text', max: 100 }],
        }),
      );
      const created = await entryOf('aud-create');
      expect(created).toMatchObject({
        action: 'collection.create',
        targetName: 'posts',
        actorKind: 'admin',
        actorName: ADMIN_EMAIL,
        ip: '127.0.0.1',
      });
      expect(created.changes).toContainEqual({ path: 'listRule', before: null, after: '' });

      const posts = ok(await as('GET', '/api/collections/posts')).body;
      const title = posts.fields.find((f: { name: string }) => f.name === 'title');
      ok(
        await call('aud-rule', 'PATCH', '/api/collections/posts', {
          listRule: '@request.auth.id != ""',
          fields: [
            ...posts.fields.filter((f: { name: string }) => f.name !== 'title'),
            { ...title, max: 250 },
          ],
        }),
      );
      const changed = await entryOf('aud-rule');
      expect(changed.action).toBe('collection.update');
      expect(changed.summary).toContain('rules: listRule');
      expect(changed.summary).toMatch(/fields: (.*, )?title\b/);
      expect(changed.changes).toEqual(
        expect.arrayContaining([
          { path: 'listRule', before: '', after: '@request.auth.id != ""' },
          { path: 'fields[title].max', before: 100, after: 250 },
        ]),
      );
      // GET /api/audit/{id} answers the same entry.
      expect(ok(await as('GET', `/api/audit/${changed.id}`)).body).toEqual(changed);
    });

    it('records settings changes, with secrets only as changed', async () => {
      const secret = 'hunter2-very-secret-smtp-password';
      ok(
        await call('aud-settings', 'PATCH', '/api/settings', {
          mail: { host: '127.0.0.1', port: 2525, tls: false, username: 'ops', password: secret },
        }),
      );
      const entry = await entryOf('aud-settings');
      expect(entry.action).toBe('settings.update');
      expect(entry.changes).toEqual(
        expect.arrayContaining([
          { path: 'mail.host', before: expect.anything(), after: '127.0.0.1' },
          { path: 'mail.password', secret: true },
        ]),
      );
      const stored = await t.db.query(
        `SELECT changes::text AS c FROM plinth.audit_log WHERE request_id = 'aud-settings'`,
      );
      expect(stored.rows).toHaveLength(1);
      expect(JSON.stringify(entry) + JSON.stringify(stored.rows)).not.toContain(secret);
    });

    it('records keys, admins, webhooks, revoked sessions and push sends, naming the key that acted', async () => {
      const key = ok(
        await call('aud-key', 'POST', '/api/keys', { name: 'deployer', scopes: ['admin'] }),
      ).body;
      expect(await entryOf('aud-key')).toMatchObject({ action: 'api_key.create', targetName: 'deployer' });

      // The key itself acts: the entry names it, not an admin.
      const hook = await t.fetch('/api/webhooks', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key.key}`,
          'content-type': 'application/json',
          'x-request-id': 'aud-hook',
        },
        body: JSON.stringify({ url: 'http://127.0.0.1:9/in', events: ['posts.create'] }),
      });
      expect(hook.status).toBe(200);
      const hookBody = (await hook.json()) as { id: string; secret: string };
      const hookEntry = await entryOf('aud-hook');
      expect(hookEntry).toMatchObject({
        action: 'webhook.create',
        actorKind: 'key',
        actorId: key.id,
        actorName: 'deployer',
      });
      expect(JSON.stringify(hookEntry)).not.toContain(hookBody.secret);
      ok(await call('aud-hook-off', 'PATCH', `/api/webhooks/${hookBody.id}`, { enabled: false }));
      expect((await entryOf('aud-hook-off')).changes).toEqual([
        { path: 'enabled', before: true, after: false },
      ]);
      ok(await call('aud-hook-del', 'DELETE', `/api/webhooks/${hookBody.id}`), 204);
      expect((await entryOf('aud-hook-del')).action).toBe('webhook.delete');

      ok(await call('aud-key-del', 'DELETE', `/api/keys/${key.id}`), 204);
      expect(await entryOf('aud-key-del')).toMatchObject({
        action: 'api_key.revoke',
        actorName: ADMIN_EMAIL,
      });

      // Added from the command line (no request): the system acted.
      const other = await t.app.get(AdminsService).create('second@example.com', 'another long password');
      const [added] = await audit('action = "admin.create" && targetName = "second@example.com"');
      expect(added).toMatchObject({ actorKind: 'system', requestId: '', targetId: other.id });
      ok(await call('aud-admin-del', 'DELETE', `/api/admins/${other.id}`), 204);
      expect(await entryOf('aud-admin-del')).toMatchObject({
        action: 'admin.delete',
        targetName: 'second@example.com',
      });

      const user = await createUser(t, 'Audited');
      ok(await call('aud-revoke', 'POST', `/api/collections/users/records/${user.id}/revoke-sessions`), 204);
      expect(await entryOf('aud-revoke')).toMatchObject({
        action: 'user.sessions_revoke',
        targetId: user.id,
      });

      ok(
        await call('aud-push', 'POST', '/api/push/send', {
          targets: { users: [user.id] },
          notification: { title: 'Hello', body: 'there' },
        }),
        202,
      );
      expect(await entryOf('aud-push')).toMatchObject({ action: 'push.send', targetName: 'Hello' });
    });

    it('leaves no entry for a refused change or a dry run (same transaction)', async () => {
      expect((await call('aud-bad', 'POST', '/api/collections', { name: '1bad' })).status).toBe(400);
      const dry = await call('aud-dry', 'PUT', '/api/collections/import?dryRun=true', {
        collections: [{ name: 'dryrun_only', type: 'base', fields: [{ name: 'x', type: 'text' }] }],
      });
      expect(dry.status).toBe(200);
      expect(dry.body.changes).toEqual([
        expect.objectContaining({ collection: 'dryrun_only', action: 'create' }),
      ]);
      expect(await audit('requestId = "aud-bad" || requestId = "aud-dry"')).toEqual([]);
    });

    it('filters, sorts and pages; refuses bad filters, non-admins and writes', async () => {
      const page = ok(
        await as('GET', '/api/audit?filter=action%20~%20%22webhook.%22&sort=action&perPage=2'),
      ).body;
      expect(page).toMatchObject({ page: 1, perPage: 2, totalItems: 3, totalPages: 2 });
      expect(page.items.map((e: Entry) => e.action)).toEqual(['webhook.create', 'webhook.delete']);
      expectApiProblem(await as('GET', '/api/audit?filter=nosuch%20%3D%201'), 400, 'FILTER_UNKNOWN_FIELD');
      expectApiProblem(await as('GET', '/api/audit/not-an-id'), 404, 'AUDIT_ENTRY_NOT_FOUND');
      expectApiProblem(await api(t)('GET', '/api/audit'), 401, 'UNAUTHORIZED');
      const reader = await createKey(t, admin, ['posts:read']);
      expectApiProblem(await api(t, reader)('GET', '/api/audit'), 403, 'ADMIN_REQUIRED');
      const [one] = await audit('action = "api_key.revoke"');
      for (const method of ['PATCH', 'DELETE', 'PUT']) {
        const write = await as(method, `/api/audit/${one!.id}`, method === 'DELETE' ? undefined : {});
        expect([404, 405]).toContain(write.status);
      }
      expect(ok(await as('GET', `/api/audit/${one!.id}`)).body.id).toBe(one!.id);
    });

    it('deletes entries past PLINTH_AUDIT_RETENTION_DAYS (90) in maintenance.cleanup', async () => {
      await t.db.query(
        `UPDATE plinth.audit_log SET created = now() - interval '91 days' WHERE request_id = 'aud-key'`,
      );
      await t.db.query(
        `UPDATE plinth.audit_log SET created = now() - interval '89 days' WHERE request_id = 'aud-hook'`,
      );
      await t.app.get(JobsService).enqueue('maintenance.cleanup', { reason: 'manual' });
      await eventually(async () => (await audit('requestId = "aud-key"')).length === 0);
      expect(await audit('requestId = "aud-hook"')).toHaveLength(1);
    });
  });

  describe('statistics', () => {
    let marks = 0;
    /**
     * Folds what was sent: a marker request goes last, and once the log writer has stored it (entries
     * are taken in the onResponse hook, a moment after the client has its answer) the rollup runs.
     */
    const rollup = async () => {
      const mark = `stats-mark-${++marks}`;
      await t.fetch('/api/collections/no_such_mark/records', { headers: { 'x-request-id': mark } });
      await eventually(async () => {
        await t.app.get(RequestLogWriter).flush();
        const found = await t.db.query('SELECT 1 FROM plinth.request_log WHERE request_id = $1', [mark]);
        return found.rows.length === 1;
      });
      await t.app.get(StatsRollupHandler).handle();
    };
    const stats = async (query: Record<string, string>) =>
      ok(await as('GET', `/api/stats?${new URLSearchParams(query)}`)).body as {
        buckets: string[];
        series: Series[];
      };
    const total = (s: { series: Series[] }, metric: string, dim: string) =>
      s.series.find((x) => x.metric === metric && x.dim === dim)?.total ?? 0;

    it('counts the requests, errors, sign-ups, sign-ins and records that were sent', async () => {
      await createCollection(t, admin, {
        name: 'tally',
        listRule: '',
        viewRule: '',
        fields: [{ name: 'n', type: 'number' }],
      });
      await createCollection(t, admin, { name: 'members', type: 'auth', createRule: '', fields: [] });
      const from = new Date(Date.now() - 60 * 60_000).toISOString();
      await rollup();
      const before = await stats({ from, interval: 'minute' });

      for (let i = 0; i < 2; i++) ok(await as('POST', '/api/collections/tally/records', { n: i }));
      for (let i = 0; i < 5; i++) ok(await api(t)('GET', '/api/collections/tally/records'));
      for (let i = 0; i < 3; i++)
        expect(
          (await api(t)('GET', '/api/collections/tally/records/0190a0a0-0000-7000-8000-000000000000')).status,
        ).toBe(404);
      for (const who of ['ann', 'bob']) {
        const password = 'password-123456';
        ok(
          await api(t)('POST', '/api/collections/members/records', {
            email: `${who}@example.com`,
            password,
            passwordConfirm: password,
          }),
        );
      }
      ok(
        await api(t)('POST', '/api/collections/members/auth-with-password', {
          identity: 'ann@example.com',
          password: 'password-123456',
        }),
      );
      expect(
        (
          await api(t)('POST', '/api/collections/members/auth-with-password', {
            identity: 'ann@example.com',
            password: 'wrong-password',
          })
        ).status,
      ).toBe(400);

      await rollup();
      const after = await stats({ from, interval: 'minute' });
      const sent = (metric: string, dim: string) => total(after, metric, dim) - total(before, metric, dim);
      expect(sent('requests', '2xx|tally')).toBe(7);
      expect(sent('requests', '4xx|tally')).toBe(3);
      expect(sent('errors', 'RECORD_NOT_FOUND')).toBe(3);
      expect(sent('errors', 'INVALID_CREDENTIALS')).toBe(1);
      expect(sent('signups', 'members')).toBe(2);
      expect(sent('signins', 'members')).toBe(1);
      expect(total(after, 'records', 'tally')).toBe(2);
      expect(total(after, 'records', 'members')).toBe(2);
      const p50 = after.series.find((x) => x.metric === 'latency_p50')!;
      expect(p50.total).toBeGreaterThan(0);
      expect(after.series.find((x) => x.metric === 'latency_p99')!.total).toBeGreaterThanOrEqual(p50.total!);

      // Hours and days are folded from the minutes: the same totals.
      for (const interval of ['hour', 'day']) {
        const coarse = await stats({ from, interval });
        expect(total(coarse, 'requests', '2xx|tally')).toBe(total(after, 'requests', '2xx|tally'));
        expect(total(coarse, 'signups', 'members')).toBe(2);
        expect(total(coarse, 'records', 'tally')).toBe(2);
      }
      // Running the rollup again counts nothing twice.
      await rollup();
      expect(total(await stats({ from, interval: 'minute' }), 'requests', '4xx|tally')).toBe(
        total(after, 'requests', '4xx|tally'),
      );
    });

    it('answers aligned time series and refuses bad ranges', async () => {
      const to = new Date();
      const week = await stats({
        from: new Date(to.getTime() - 7 * 86_400_000).toISOString(),
        to: to.toISOString(),
        interval: 'hour',
      });
      expect(week.buckets.length).toBeGreaterThanOrEqual(168);
      for (const s of week.series) expect(s.values).toHaveLength(week.buckets.length);
      expectApiProblem(await as('GET', '/api/stats?interval=week'), 400, 'VALIDATION_FAILED');
      expectApiProblem(
        await as('GET', `/api/stats?from=${to.toISOString()}&to=2020-01-01`),
        400,
        'VALIDATION_FAILED',
      );
      expectApiProblem(await as('GET', '/api/stats?from=yesterday'), 400, 'VALIDATION_FAILED');
      const month = new Date(to.getTime() - 30 * 86_400_000).toISOString();
      expectApiProblem(await as('GET', `/api/stats?from=${month}&interval=minute`), 400, 'VALIDATION_FAILED');
      expectApiProblem(await api(t)('GET', '/api/stats'), 401, 'UNAUTHORIZED');
    });
  });
});
