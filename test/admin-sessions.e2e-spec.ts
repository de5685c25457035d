import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { createRedisPrefix, createTestDatabase, testRedisUrl, type TestDatabase } from '@plinth/testing';
import { ADMIN_PASSWORD, api } from './support/auth.js';
import { runCli } from './support/cli.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { createKey, createUser, ok } from './support/records.js';
import { createClient, type FetchLike } from '../sdk/src/index.js';
import { startApp, startIsolatedApp, TEST_SECRET, type TestApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const NEW_PASSWORD = 'another long password for this admin';

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

async function signIn(t: TestApp, email: string, password = ADMIN_PASSWORD): Promise<string> {
  return ok(await api(t)('POST', '/api/admins/auth-with-password', { identity: email, password })).body.token;
}

/** Status of an admin-only read with this token (200 while its session lives, 401 after). */
const statusWith = async (t: TestApp, token: string) =>
  (await api(t, token)('GET', '/api/collections')).status;

describe('Admin sessions: sign out, sign out everywhere, password change, delete (across replicas)', () => {
  let t: App;
  // A second replica on the same database and Redis: what one ends, the other refuses at once.
  let other: TestApp;
  const A = 'alice@example.com';
  const B = 'bob@example.com';
  let aliceId: string;
  let bobId: string;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '1000' } });
    other = await startApp({
      databaseUrl: t.db.url,
      redisPrefix: t.redisPrefix,
      env: { PLINTH_AUTH_RATE_PER_IP: '1000' },
    });
    aliceId = (await t.app.get(AdminsService).create(A, ADMIN_PASSWORD)).id;
    bobId = (await t.app.get(AdminsService).create(B, ADMIN_PASSWORD)).id;
  });
  afterAll(async () => {
    await other?.close();
    await t?.stop();
  });

  const routes = (id: string) =>
    [
      ['POST', '/api/admins/auth-logout', {}],
      ['GET', '/api/admins', undefined],
      ['DELETE', `/api/admins/${id}`, undefined],
      ['POST', '/api/admins/me/password', { currentPassword: ADMIN_PASSWORD, password: NEW_PASSWORD }],
    ] as const;

  it('answers 401 without credentials and 403 ADMIN_REQUIRED to an app user on every new route', async () => {
    for (const [method, url, body] of routes(bobId)) {
      const res = await api(t)(method, url, body);
      expect({ url, status: res.status, code: res.body?.code }).toEqual({
        url,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
    const user = await createUser(t, 'app user');
    for (const [method, url, body] of routes(bobId)) {
      const res = await api(t, user.token)(method, url, body);
      expectApiProblem(res, 403, 'ADMIN_REQUIRED');
    }
    expect((await t.db.query('SELECT email FROM plinth.admin ORDER BY email')).rows).toHaveLength(2);
  });

  it('refuses the session routes to an admin-scoped API key (it has no session or password)', async () => {
    const key = await createKey(t, await signIn(t, A), ['admin']);
    for (const [method, url, body] of [routes(bobId)[0], routes(bobId)[3]]) {
      expectApiProblem(await api(t, key)(method, url, body), 403, 'ADMIN_REQUIRED');
    }
  });

  it('answers bad input with 400 VALIDATION_FAILED and the path of each bad field', async () => {
    const token = await signIn(t, A);
    const logout = await api(t, token)('POST', '/api/admins/auth-logout', { all: 'yes', session: 1 });
    expect(errorPaths(expectApiProblem(logout, 400, 'VALIDATION_FAILED'))).toEqual(['all', 'session']);
    const password = await api(t, token)('POST', '/api/admins/me/password', { currentPassword: 42 });
    expect(errorPaths(expectApiProblem(password, 400, 'VALIDATION_FAILED'))).toEqual([
      'currentPassword',
      'password',
    ]);
    const short = await api(t, token)('POST', '/api/admins/me/password', {
      currentPassword: ADMIN_PASSWORD,
      password: 'short',
    });
    expect(errorPaths(expectApiProblem(short, 400, 'VALIDATION_FAILED'))).toEqual(['password']);
    expect(await statusWith(t, token)).toBe(200);
  });

  it('auth-logout ends this session at once on every replica, and only this one', async () => {
    const [one, two] = [await signIn(t, A), await signIn(t, A)];
    // Both replicas have seen (and may have cached) both sessions.
    for (const app of [t, other]) for (const s of [one, two]) expect(await statusWith(app, s)).toBe(200);

    expect((await api(t, one)('POST', '/api/admins/auth-logout', {})).status).toBe(204);
    for (const app of [other, t]) {
      expectApiProblem(await api(app, one)('GET', '/api/collections'), 401, 'INVALID_TOKEN');
      expectApiProblem(await api(app, one)('POST', '/api/admins/auth-refresh', {}), 401, 'INVALID_TOKEN');
      expect(await statusWith(app, two)).toBe(200);
    }
    // Signing out twice: the token is already refused.
    expectApiProblem(await api(t, one)('POST', '/api/admins/auth-logout', {}), 401, 'INVALID_TOKEN');
  });

  it("an admin's file token for protected files ends with its session", async () => {
    const token = await signIn(t, A);
    ok(
      await api(t, token)('POST', '/api/collections', {
        name: 'vault',
        fields: [{ name: 'secret', type: 'file', protected: true }],
      }),
    );
    const data = new FormData();
    data.append('secret', new Blob(['top secret'], { type: 'text/plain' }), 'plan.txt');
    const created = await t.fetch('/api/collections/vault/records', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: data,
    });
    expect(created.status).toBe(200);
    const rec = (await created.json()) as { id: string; secret: string };
    const fileToken = ok(await api(t, token)('POST', '/api/files/token')).body.token as string;
    const url = `/api/files/vault/${rec.id}/${rec.secret}?token=${encodeURIComponent(fileToken)}`;
    const before = await other.fetch(url);
    expect([before.status, await before.text()]).toEqual([200, 'top secret']);

    expect((await api(t, token)('POST', '/api/admins/auth-logout', {})).status).toBe(204);
    const after = await other.fetch(url);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe('FILE_TOKEN_INVALID');
  });

  it('auth-logout {all: true} ends every session of this admin everywhere, not other admins', async () => {
    const [one, two, bob] = [await signIn(t, A), await signIn(t, A), await signIn(t, B)];
    for (const s of [one, two, bob]) expect(await statusWith(other, s)).toBe(200);

    expect((await api(t, two)('POST', '/api/admins/auth-logout', { all: true })).status).toBe(204);
    for (const app of [other, t]) {
      expect(await statusWith(app, one)).toBe(401);
      expect(await statusWith(app, two)).toBe(401);
      expect(await statusWith(app, bob)).toBe(200);
    }
  });

  it('a password change needs the current password, ends the other sessions and keeps this one', async () => {
    const [mine, elsewhere] = [await signIn(t, A), await signIn(t, A)];
    expect(await statusWith(other, elsewhere)).toBe(200);

    const wrong = await api(t, mine)('POST', '/api/admins/me/password', {
      currentPassword: 'not the current password',
      password: NEW_PASSWORD,
    });
    expect(errorPaths(expectApiProblem(wrong, 400, 'INVALID_CREDENTIALS'))).toEqual(['currentPassword']);
    expect(await statusWith(other, elsewhere)).toBe(200);

    const changed = await api(t, mine)('POST', '/api/admins/me/password', {
      currentPassword: ADMIN_PASSWORD,
      password: NEW_PASSWORD,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      id: aliceId,
      email: A,
      created: expect.any(String),
      updated: expect.any(String),
    });
    expect(await statusWith(other, mine)).toBe(200);
    expect(await statusWith(other, elsewhere)).toBe(401);
    expectApiProblem(
      await api(t)('POST', '/api/admins/auth-with-password', { identity: A, password: ADMIN_PASSWORD }),
      400,
      'INVALID_CREDENTIALS',
    );
    expect(await statusWith(other, await signIn(other, A, NEW_PASSWORD))).toBe(200);
  });

  it('lists admins without secrets, and deleting one ends its sessions at once on every replica', async () => {
    const alice = await signIn(t, A, NEW_PASSWORD);
    const bob = await signIn(t, B);
    expect(await statusWith(other, bob)).toBe(200);

    const list = await api(t, alice)('GET', '/api/admins');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, totalItems: 2, totalPages: 1 });
    expect(list.body.items.map((a: { email: string }) => a.email)).toEqual([A, B]);
    expect(JSON.stringify(list.body)).not.toMatch(/hash|token_?key|argon/i);

    expect((await api(t, alice)('DELETE', `/api/admins/${bobId}`)).status).toBe(204);
    expect(await statusWith(other, bob)).toBe(401);
    expect(await statusWith(t, bob)).toBe(401);
    expect(
      (await api(other, alice)('GET', '/api/admins')).body.items.map((a: { id: string }) => a.id),
    ).toEqual([aliceId]);

    expectApiProblem(await api(t, alice)('DELETE', `/api/admins/${bobId}`), 404, 'ADMIN_NOT_FOUND');
    expectApiProblem(await api(t, alice)('DELETE', '/api/admins/not-a-uuid'), 404, 'ADMIN_NOT_FOUND');
  });

  it('refuses to delete the last admin with 409 LAST_ADMIN', async () => {
    const alice = await signIn(t, A, NEW_PASSWORD);
    const res = expectApiProblem(await api(t, alice)('DELETE', `/api/admins/${aliceId}`), 409, 'LAST_ADMIN');
    expect(res.detail).toMatch(/last admin/i);
    expect(await statusWith(other, alice)).toBe(200);
    expect((await t.db.query('SELECT id FROM plinth.admin')).rows).toEqual([{ id: aliceId }]);
  });

  it('two admins deleting each other at the same moment leave one admin', async () => {
    const carol = await t.app.get(AdminsService).create('carol@example.com', ADMIN_PASSWORD);
    const [alice, carolToken] = [await signIn(t, A, NEW_PASSWORD), await signIn(t, 'carol@example.com')];
    const answers = await Promise.all([
      api(t, alice)('DELETE', `/api/admins/${carol.id}`),
      api(other, carolToken)('DELETE', `/api/admins/${aliceId}`),
    ]);
    // One wins; the other finds itself the last admin, or its own session already gone.
    const [first, second] = answers.map((a) => a.status).sort();
    expect(first).toBe(204);
    expect([401, 409]).toContain(second);
    expect((await t.db.query('SELECT id FROM plinth.admin')).rows).toHaveLength(1);
  });
});

describe('Admin sessions: an absolute lifetime since sign-in (PLINTH_ADMIN_SESSION_TTL)', () => {
  let t: App;
  const TTL = 3;

  beforeAll(async () => {
    t = await startIsolatedApp({
      env: { PLINTH_ADMIN_SESSION_TTL: String(TTL), PLINTH_AUTH_RATE_PER_IP: '1000' },
    });
    await t.app.get(AdminsService).create('timed@example.com', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('renews tokens only until the lifetime since sign-in has passed, then answers 401', async () => {
    const signedInAt = Date.now();
    let token = await signIn(t, 'timed@example.com');
    const first = claimsOf(token);
    // The token says when its session began, and never outlives it.
    expect(first.auth_time).toEqual(expect.any(Number));
    expect(Math.abs((first.auth_time as number) * 1000 - signedInAt)).toBeLessThan(5000);
    expect(first.exp as number).toBeLessThanOrEqual((first.auth_time as number) + TTL);

    let renewals = 0;
    let refused: Awaited<ReturnType<ReturnType<typeof api>>> | undefined;
    while (!refused && Date.now() - signedInAt < 30_000) {
      const res = await api(t, token)('POST', '/api/admins/auth-refresh', {});
      if (res.status === 200) {
        renewals++;
        token = res.body.token;
        expect(claimsOf(token)).toMatchObject({ auth_time: first.auth_time, sid: first.sid });
        await new Promise((r) => setTimeout(r, 250));
      } else refused = res;
    }
    expect(renewals).toBeGreaterThan(0);
    expectApiProblem(refused!, 401, 'INVALID_TOKEN');
    // Refused no earlier than the lifetime (the second-granular claims allow one second less).
    expect(Date.now() - signedInAt).toBeGreaterThanOrEqual((TTL - 1) * 1000);
    expect(await statusWith(t, token)).toBe(401);
    // A new sign-in starts a new session.
    expect(await statusWith(t, await signIn(t, 'timed@example.com'))).toBe(200);
  });

  it('the SDK stops renewing a token its session cannot outlive, then reports the ended session', async () => {
    const paths: string[] = [];
    const counting: FetchLike = (input, init) => {
      paths.push(new URL(input).pathname);
      return fetch(input, init);
    };
    // A margin longer than the whole session: every call would renew, were renewal not known to be futile.
    const client = createClient({ url: t.url, refreshMargin: 60, fetch: counting });
    await client.admins.authWithPassword('timed@example.com', ADMIN_PASSWORD);
    for (let i = 0; i < 5; i++) expect((await client.admins.list()).length).toBe(1);
    expect(paths.filter((p) => p === '/api/admins/auth-refresh').length).toBe(1);
    // Past the session's end the call rejects with 401 and the store is cleared.
    await new Promise((r) => setTimeout(r, TTL * 1000 + 500));
    await expect(client.admins.list()).rejects.toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
    expect(client.authStore.token).toBe('');
  });
});

describe('Command line: admin reset-password <email> and admin delete <email>', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-cli-'));
  let env: Record<string, string>;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      PLINTH_SECRET: TEST_SECRET,
      PLINTH_REDIS_PREFIX: redis.prefix,
      PLINTH_DATA_DIR: dataDir,
    };
    app = await startApp({ databaseUrl: db.url, redisPrefix: redis.prefix });
    await app.app.get(AdminsService).create('keep@example.com', ADMIN_PASSWORD);
    await app.app.get(AdminsService).create('gone@example.com', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await redis.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reset-password sets the password from stdin and ends every session of that admin', async () => {
    const before = await signIn(app, 'keep@example.com');
    const result = await runCli(['admin', 'reset-password', 'KEEP@example.com'], {
      env,
      stdin: `${NEW_PASSWORD}\n`,
    });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('keep@example.com') });
    expect(result.stdout + result.stderr).not.toContain(NEW_PASSWORD);
    expect(await statusWith(app, before)).toBe(401);
    expectApiProblem(
      await api(app)('POST', '/api/admins/auth-with-password', {
        identity: 'keep@example.com',
        password: ADMIN_PASSWORD,
      }),
      400,
      'INVALID_CREDENTIALS',
    );
    expect(await statusWith(app, await signIn(app, 'keep@example.com', NEW_PASSWORD))).toBe(200);
  });

  it('reset-password refuses a short password and an unknown email with a clear message', async () => {
    const short = await runCli(['admin', 'reset-password', 'keep@example.com'], { env, stdin: 'short\n' });
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/at least 10 characters/);
    const unknown = await runCli(['admin', 'reset-password', 'nobody@example.com'], {
      env,
      stdin: `${NEW_PASSWORD}\n`,
    });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no admin with the email nobody@example.com/i);
    expect(await statusWith(app, await signIn(app, 'keep@example.com', NEW_PASSWORD))).toBe(200);
  });

  it('delete removes an admin and ends its sessions, but never the last admin', async () => {
    const gone = await signIn(app, 'gone@example.com');
    const result = await runCli(['admin', 'delete', 'gone@example.com'], { env });
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Deleted admin gone@example.com'),
    });
    expect(await statusWith(app, gone)).toBe(401);
    expect((await db.query('SELECT email FROM plinth.admin')).rows).toEqual([{ email: 'keep@example.com' }]);

    const last = await runCli(['admin', 'delete', 'keep@example.com'], { env });
    expect(last.code).not.toBe(0);
    expect(last.stderr).toMatch(/last admin/i);
    expect((await db.query('SELECT email FROM plinth.admin')).rows).toEqual([{ email: 'keep@example.com' }]);

    const usage = await runCli([], { env });
    expect(usage.stderr).toMatch(/admin reset-password <email>/);
    expect(usage.stderr).toMatch(/admin delete <email>/);
  });
});
