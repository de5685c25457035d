import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService, deriveKey } from '@plinth/auth';
import {
  createRedisPrefix,
  createTestDatabase,
  eventually,
  testRedisUrl,
  type TestDatabase,
} from '@plinth/testing';
import { SignJWT } from 'jose';
import { ADMIN_PASSWORD, adminToken, api, userToken } from './support/auth.js';
import { runCli } from './support/cli.js';
import { expectProblem } from './support/problem.js';
import { startApp, startIsolatedApp, TEST_SECRET } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const signIn = (t: App, identity: string, password: string) =>
  t.fetch('/api/admins/auth-with-password', json({ identity, password }));

/** A problem body without the per-request parts, to compare two answers. */
const withoutRequestId = ({ requestId: _r, ...rest }: Record<string, unknown>) => rest;

describe('Admins: first-admin setup link, sign-in, admin tokens', () => {
  let t: App;
  const email = 'first@example.com';
  const password = 'a very long first password';
  let token: string;

  beforeAll(async () => {
    t = await startIsolatedApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('GET /api/admins/setup says whether a setup link can still be used (no sign-in needed)', async () => {
    const res = await t.fetch('/api/admins/setup');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ adminExists: false });
  });

  it('refuses the setup route with a link that was never issued', async () => {
    const res = await t.fetch('/api/admins/setup', json({ token: 'made-up', email, password }));
    await expectProblem(res, 400, 'SETUP_TOKEN_INVALID');
  });

  it('validates the setup body and names every bad field', async () => {
    const res = await t.fetch(
      '/api/admins/setup',
      json({ email: 'not-an-email', password: 'short', role: 1 }),
    );
    const body = await expectProblem(res, 400, 'VALIDATION_FAILED');
    expect((body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual([
      'email',
      'password',
      'role',
      'token',
    ]);
  });

  let spareLink: string;
  it('creates the first admin through the one-time link and answers {token, admin}', async () => {
    const service = t.app.get(AdminsService);
    const link = await service.issueSetupLinkIfNeeded();
    spareLink = (await service.issueSetupLinkIfNeeded())!;
    expect(link).toEqual(expect.any(String));
    expect(spareLink).toEqual(expect.any(String));

    const res = await t.fetch('/api/admins/setup', json({ token: link, email, password }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; admin: Record<string, unknown> };
    expect(body.admin).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email,
      created: expect.any(String),
      updated: expect.any(String),
    });
    expect(JSON.stringify(body)).not.toMatch(/hash|token_key|tokenKey/);
    token = body.token;
    const list = await api(t, token)('GET', '/api/collections');
    expect(list.status).toBe(200);

    // The same link a second time: refused with how to sign in instead, and no second admin.
    const again = await t.fetch(
      '/api/admins/setup',
      json({ token: link, email: 'second@example.com', password }),
    );
    const problem = await expectProblem(again, 409, 'ADMIN_EXISTS');
    expect(problem.detail).toMatch(
      /An admin exists already, so this setup link no longer works\. Sign in at http/,
    );
    expect(problem.detail).toContain('admin reset-password');
    const { rows } = await t.db.query('SELECT email FROM plinth.admin');
    expect(rows).toEqual([{ email }]);
    expect(await (await t.fetch('/api/admins/setup')).json()).toEqual({ adminExists: true });
  });

  it('refuses another still-valid link once an admin exists, and prints no new one', async () => {
    const res = await t.fetch(
      '/api/admins/setup',
      json({ token: spareLink, email: 'intruder@example.com', password }),
    );
    await expectProblem(res, 409, 'ADMIN_EXISTS');
    expect((await t.db.query('SELECT email FROM plinth.admin')).rows).toEqual([{ email }]);
    expect(await t.app.get(AdminsService).issueSetupLinkIfNeeded()).toBeUndefined();
  });

  it('signs in with the right password (email compared without case)', async () => {
    const res = await signIn(t, email.toUpperCase(), password);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; admin: { email: string } };
    expect(body.admin.email).toBe(email);
    expect(body.token.split('.')).toHaveLength(3);
    expect((await api(t, body.token)('GET', '/api/collections')).status).toBe(200);
  });

  it('answers a wrong password and an unknown email with the same 400 INVALID_CREDENTIALS', async () => {
    const wrong = await expectProblem(
      await signIn(t, email, 'not the password at all'),
      400,
      'INVALID_CREDENTIALS',
    );
    const unknown = await expectProblem(
      await signIn(t, 'nobody@example.com', 'not the password at all'),
      400,
      'INVALID_CREDENTIALS',
    );
    expect(withoutRequestId(unknown)).toEqual(withoutRequestId(wrong));
    expect(JSON.stringify(wrong)).not.toContain('nobody');
  });

  it('answers a malformed sign-in body with 400 VALIDATION_FAILED and the paths', async () => {
    const res = await t.fetch('/api/admins/auth-with-password', json({ identity: 42, admin: true }));
    const body = await expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'identity', code: 'INVALID_TYPE' }),
        expect.objectContaining({ path: 'password', code: 'REQUIRED' }),
        expect.objectContaining({ path: 'admin', code: 'UNKNOWN_FIELD' }),
      ]),
    );
    const notAnObject = await t.fetch('/api/admins/auth-with-password', json(['a', 'b']));
    await expectProblem(notAnObject, 400, 'VALIDATION_FAILED');
  });

  it('accepts the token as "Bearer <token>" and bare (as PocketBase clients send it)', async () => {
    const bearer = await t.fetch('/api/collections', { headers: { authorization: `Bearer ${token}` } });
    expect(bearer.status).toBe(200);
    const bare = await t.fetch('/api/collections', { headers: { authorization: token } });
    expect(bare.status).toBe(200);
    const body = (await bare.json()) as { items: Array<{ name: string }> };
    expect(body.items.map((c) => c.name)).toContain('users');
  });

  it('answers garbage, forged, expired and none-alg tokens with 401 INVALID_TOKEN', async () => {
    const key = deriveKey(TEST_SECRET, 'plinth access token');
    const { rows } = await t.db.query<{ id: string }>('SELECT id FROM plinth.admin');
    const [header, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const expired = await new SignJWT({ typ: 'admin', tk: claims.tk })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(rows[0]!.id)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    const forged = await new SignJWT({ typ: 'admin', tk: claims.tk })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(rows[0]!.id)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-0123456789'));
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '00000000-0000-7000-8000-000000000000' })).toString('base64url')}.${token.split('.')[2]}`;

    for (const bad of ['garbage', 'Bearer x.y.z', expired, forged, noneAlg, tampered]) {
      const res = await t.fetch('/api/collections', {
        headers: { authorization: bad.startsWith('Bearer') ? bad : `Bearer ${bad}` },
      });
      const body = await expectProblem(res, 401, 'INVALID_TOKEN');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(JSON.stringify(body)).not.toMatch(/jose|JWS|signature verification/i);
    }
  });

  it('refuses the admin routes without credentials with 401', async () => {
    await expectProblem(await t.fetch('/api/collections'), 401, 'UNAUTHORIZED');
  });
});

describe('Admins: setup links used at the same moment', () => {
  let t: App;

  beforeAll(async () => {
    t = await startIsolatedApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('create one first admin, not one per link', async () => {
    const service = t.app.get(AdminsService);
    const links = await Promise.all([1, 2, 3, 4].map(() => service.issueSetupLinkIfNeeded()));
    const answers = await Promise.all(
      links.map((link, i) =>
        t.fetch(
          '/api/admins/setup',
          json({ token: link, email: `racer${i}@example.com`, password: 'a long enough password' }),
        ),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect((await t.db.query('SELECT email FROM plinth.admin')).rows).toHaveLength(1);
  });
});

describe('Command line: npm run plinth -- admin create <email>', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'plinth-cli-'));
  let env: Record<string, string>;
  const password = 'a password from standard input';

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      PLINTH_SECRET: TEST_SECRET,
      PLINTH_REDIS_PREFIX: redis.prefix,
      PLINTH_DATA_DIR: dataDir,
    };
  });
  afterAll(async () => {
    await db?.drop();
    await redis.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates an admin from the password on stdin, who can then sign in through a server', async () => {
    const result = await runCli(['admin', 'create', 'x@y.z'], { env, stdin: `${password}\n` });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('Created admin x@y.z') });
    expect(result.stdout + result.stderr).not.toContain(password);

    const app = await startApp({ databaseUrl: db.url, redisPrefix: redis.prefix });
    try {
      const res = await app.fetch('/api/admins/auth-with-password', json({ identity: 'x@y.z', password }));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token: string; admin: { email: string } };
      expect(body.admin.email).toBe('x@y.z');
      const list = await app.fetch('/api/collections', {
        headers: { authorization: `Bearer ${body.token}` },
      });
      expect(list.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses a short password with a clear message and creates nobody', async () => {
    const result = await runCli(['admin', 'create', 'short@y.z'], { env, stdin: 'short\n' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/at least 10 characters/);
    const { rows } = await db.query("SELECT 1 FROM plinth.admin WHERE email = 'short@y.z'");
    expect(rows).toHaveLength(0);
  });

  it('refuses an email that is taken (whatever its case) with a clear message', async () => {
    const result = await runCli(['admin', 'create', 'X@Y.Z'], { env, stdin: `${password}\n` });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/exists already/);
    const { rows } = await db.query('SELECT email FROM plinth.admin');
    expect(rows).toEqual([{ email: 'x@y.z' }]);
  });

  it('refuses a malformed email and prints the usage without arguments', async () => {
    const bad = await runCli(['admin', 'create', 'not-an-email'], { env, stdin: `${password}\n` });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not an email address/);
    const usage = await runCli([], { env });
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toMatch(/admin create <email>/);
  });
});

describe('API keys: scopes, shown once, revocation, expiry, lastUsedAt', () => {
  let t: App;
  let admin: string;
  let userId: string;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    const posts = await api(t, admin)('POST', '/api/collections', {
      name: 'posts',
      fields: [{ name: 'title', type: 'text', required: true }],
      listRule: '',
      viewRule: '',
      createRule: null,
    });
    expect(posts.status).toBe(200);
    const comments = await api(t, admin)('POST', '/api/collections', {
      name: 'comments',
      fields: [{ name: 'body', type: 'text' }],
    });
    expect(comments.status).toBe(200);
    await api(t, admin)('POST', '/api/collections/posts/records', { title: 'hello' });
    const user = await api(t, admin)('POST', '/api/collections/users/records', {
      email: 'someone@example.com',
      password: ADMIN_PASSWORD,
      passwordConfirm: ADMIN_PASSWORD,
    });
    expect(user.status).toBe(200);
    userId = user.body.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const createKey = async (body: Record<string, unknown>) => {
    const res = await api(t, admin)('POST', '/api/keys', body);
    expect(res.status).toBe(200);
    return res.body as { id: string; key: string; scopes: string[] };
  };

  it('answers 401 without credentials on /api/keys and /api/collections', async () => {
    for (const [method, url] of [
      ['GET', '/api/keys'],
      ['POST', '/api/keys'],
      ['DELETE', '/api/keys/00000000-0000-7000-8000-000000000000'],
      ['GET', '/api/collections'],
      ['POST', '/api/collections'],
    ] as const) {
      const res = await t.fetch(url, method === 'POST' ? json({ name: 'x', scopes: ['admin'] }) : { method });
      await expectProblem(res, 401, 'UNAUTHORIZED');
    }
    await expectProblem(
      await t.fetch('/api/keys', { headers: { authorization: 'Bearer plk_nonsense' } }),
      401,
      'INVALID_TOKEN',
    );
  });

  it('answers 403 ADMIN_REQUIRED to an app user', async () => {
    const user = await userToken(t, 'users', userId);
    const call = api(t, user);
    for (const [method, url] of [
      ['GET', '/api/keys'],
      ['POST', '/api/keys'],
      ['GET', '/api/collections'],
      ['GET', '/api/collections/export'],
    ] as const) {
      const res = await call(
        method,
        url,
        method === 'POST' ? { name: 'mine', scopes: ['admin'] } : undefined,
      );
      expect({ url, status: res.status, code: res.body.code }).toEqual({
        url,
        status: 403,
        code: 'ADMIN_REQUIRED',
      });
    }
    expect((await t.db.query('SELECT 1 FROM plinth.api_key')).rows).toHaveLength(0);
  });

  it('shows the key once, stores only its hash and never lists it', async () => {
    const res = await api(t, admin)('POST', '/api/keys', {
      name: ' deploy ',
      scopes: ['posts:read', 'admin', 'posts:read'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'deploy',
      scopes: ['admin', 'posts:read'],
      key: expect.stringMatching(/^plk_[A-Za-z0-9_-]{40,}$/),
      created: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
    });
    const key: string = res.body.key;
    const list = await api(t, admin)('GET', '/api/keys');
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).toMatchObject({ name: 'deploy', scopes: ['admin', 'posts:read'] });
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(list.body)).not.toContain(key.slice(4));
    const { rows } = await t.db.query('SELECT * FROM plinth.api_key WHERE id = $1', [res.body.id]);
    expect(JSON.stringify(rows)).not.toContain(key.slice(4));
  });

  it('refuses bad scopes, names and expiries with 400 and the path of each', async () => {
    const call = api(t, admin);
    const bad = await call('POST', '/api/keys', {
      name: 'x',
      scopes: ['posts:read', 'posts:delete', 'ADMIN', 'admin '],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'scopes.1',
      'scopes.2',
      'scopes.3',
    ]);
    expect(bad.body.detail).toContain('posts:delete');

    const empty = await call('POST', '/api/keys', { name: '', scopes: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['name', 'scopes']);

    const past = await call('POST', '/api/keys', {
      name: 'old',
      scopes: ['admin'],
      expiresAt: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([expect.objectContaining({ path: 'expiresAt' })]);

    const notADate = await call('POST', '/api/keys', {
      name: 'old',
      scopes: ['admin'],
      expiresAt: 'tomorrow',
    });
    expect(notADate.status).toBe(400);
    expect(notADate.body.errors).toEqual([expect.objectContaining({ path: 'expiresAt' })]);
    expect((await call('GET', '/api/keys')).body.items.map((k: { name: string }) => k.name)).not.toContain(
      'old',
    );
  });

  it('lets an admin-scoped key manage collections and keys', async () => {
    const { key } = await createKey({ name: 'ops', scopes: ['admin'] });
    const call = api(t, key);
    const created = await call('POST', '/api/collections', {
      name: 'by_key',
      fields: [{ name: 'n', type: 'number' }],
    });
    expect(created.status).toBe(200);
    expect((await call('GET', '/api/collections/by_key')).body.name).toBe('by_key');
    expect((await call('DELETE', '/api/collections/by_key')).status).toBe(204);
    expect((await call('GET', '/api/keys')).status).toBe(200);
    // A bare key works too.
    const bare = await t.fetch('/api/collections', { headers: { authorization: key } });
    expect(bare.status).toBe(200);
  });

  it('lets a posts:read key list posts but not write them, touch other collections or the admin API', async () => {
    const { key } = await createKey({ name: 'reader', scopes: ['posts:read'] });
    const call = api(t, key);
    const list = await call('GET', '/api/collections/posts/records');
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { title: string }) => r.title)).toEqual(['hello']);

    const write = await call('POST', '/api/collections/posts/records', { title: 'nope' });
    expect({ status: write.status, code: write.body.code }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
    const other = await call('GET', '/api/collections/comments/records');
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 403, code: 'SCOPE_REQUIRED' });
    for (const url of ['/api/collections', '/api/collections/posts', '/api/keys']) {
      const res = await call('GET', url);
      expect({ url, status: res.status, code: res.body.code }).toEqual({
        url,
        status: 403,
        code: 'ADMIN_REQUIRED',
      });
    }
    const { rows } = await t.db.query('SELECT title FROM data.posts ORDER BY title');
    expect(rows).toEqual([{ title: 'hello' }]);
  });

  it('lets a posts:write key create posts (even where the create rule is admins-only)', async () => {
    const { key } = await createKey({ name: 'writer', scopes: ['posts:write'] });
    const res = await api(t, key)('POST', '/api/collections/posts/records', { title: 'by writer' });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('by writer');
    expect((await api(t, key)('GET', '/api/collections/posts/records')).body.totalItems).toBe(2);
    const anonymous = await api(t)('POST', '/api/collections/posts/records', { title: 'anon' });
    expect(anonymous.status).toBe(403);
  });

  it('refuses a revoked key at once on the replica that revoked it', async () => {
    const { id, key } = await createKey({ name: 'short-lived', scopes: ['posts:read'] });
    expect((await api(t, key)('GET', '/api/collections/posts/records')).status).toBe(200);
    expect((await api(t, admin)('DELETE', `/api/keys/${id}`)).status).toBe(204);
    await expectProblem(
      await t.fetch('/api/collections/posts/records', { headers: { authorization: `Bearer ${key}` } }),
      401,
      'INVALID_TOKEN',
    );
    expect(
      (await api(t, admin)('GET', '/api/keys')).body.items.map((k: { id: string }) => k.id),
    ).not.toContain(id);
    const again = await api(t, admin)('DELETE', `/api/keys/${id}`);
    expect({ status: again.status, code: again.body.code }).toEqual({
      status: 404,
      code: 'API_KEY_NOT_FOUND',
    });
    const notAnId = await api(t, admin)('DELETE', `/api/keys/not-an-id`);
    expect({ status: notAnId.status, code: notAnId.body.code }).toEqual({
      status: 404,
      code: 'API_KEY_NOT_FOUND',
    });
  });

  it('records lastUsedAt when a key is used', async () => {
    const { id, key } = await createKey({ name: 'tracked', scopes: ['posts:read'] });
    const before = (await api(t, admin)('GET', '/api/keys')).body.items.find(
      (k: { id: string }) => k.id === id,
    );
    expect(before.lastUsedAt).toBeNull();
    const start = Date.now();
    expect((await api(t, key)('GET', '/api/collections/posts/records')).status).toBe(200);
    const used = (await eventually(async () => {
      const items = (await api(t, admin)('GET', '/api/keys')).body.items;
      return items.find((k: { id: string }) => k.id === id)?.lastUsedAt as string | null;
    }, 5000)) as string;
    expect(Date.parse(used)).toBeGreaterThanOrEqual(start - 1000);
    expect(Date.parse(used)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('refuses a key after its expiry, even one the server has cached', async () => {
    const expiresAt = new Date(Date.now() + 2500).toISOString();
    const { key } = await createKey({ name: 'expiring', scopes: ['posts:read'], expiresAt });
    expect((await api(t, key)('GET', '/api/collections/posts/records')).status).toBe(200);
    await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 100));
    await expectProblem(
      await t.fetch('/api/collections/posts/records', { headers: { authorization: `Bearer ${key}` } }),
      401,
      'INVALID_TOKEN',
    );
  });
});

describe('Admins: auth-refresh renews a still-valid admin token', () => {
  let t: App;
  let token: string;
  const refresh = (authorization?: string) =>
    t.fetch('/api/admins/auth-refresh', json({}, authorization ? { authorization } : {}));
  const claimsOf = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '15' } });
    token = await adminToken(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers a fresh {token, admin} that works, for the same admin, expiring no earlier', async () => {
    const res = await refresh(`Bearer ${token}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; admin: Record<string, unknown> };
    expect(body.admin).toEqual({
      id: expect.any(String),
      email: 'admin@example.com',
      created: expect.any(String),
      updated: expect.any(String),
    });
    const [before, after] = [claimsOf(token), claimsOf(body.token)];
    expect(after).toMatchObject({ typ: 'admin', sub: body.admin.id, tk: before.tk });
    expect(after.exp as number).toBeGreaterThanOrEqual(before.exp as number);
    // Works, and can be refreshed in turn (also with an empty body, as curl would send it).
    expect((await api(t, body.token)('GET', '/api/collections')).status).toBe(200);
    const again = await t.fetch('/api/admins/auth-refresh', {
      method: 'POST',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(again.status).toBe(200);
    token = ((await again.json()) as { token: string }).token;
  });

  it('answers an expired or forged admin token with 401 INVALID_TOKEN, none with 401 UNAUTHORIZED', async () => {
    const key = deriveKey(TEST_SECRET, 'plinth access token');
    const claims = claimsOf(token);
    const expired = await new SignJWT({ typ: 'admin', tk: claims.tk })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub as string)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 5)
      .sign(key);
    for (const bad of [expired, `${token.slice(0, -3)}abc`]) {
      const res = await refresh(`Bearer ${bad}`);
      await expectProblem(res, 401, 'INVALID_TOKEN');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    await expectProblem(await refresh(), 401, 'UNAUTHORIZED');
  });

  it('refuses API keys (even admin-scoped) and app users with 403 ADMIN_REQUIRED', async () => {
    const key = await api(t, token)('POST', '/api/keys', { name: 'ops', scopes: ['admin'] });
    expect(key.status).toBe(200);
    await expectProblem(await refresh(`Bearer ${key.body.key}`), 403, 'ADMIN_REQUIRED');
    const user = await api(t, token)('POST', '/api/collections/users/records', {
      email: 'app-user@example.com',
      password: ADMIN_PASSWORD,
      passwordConfirm: ADMIN_PASSWORD,
    });
    expect(user.status).toBe(200);
    const userJwt = await userToken(t, 'users', user.body.id);
    await expectProblem(await refresh(`Bearer ${userJwt}`), 403, 'ADMIN_REQUIRED');
  });

  it('rejects a body with fields, naming them', async () => {
    const res = await refresh(`Bearer ${token}`);
    expect(res.status).toBe(200);
    const bad = await t.fetch(
      '/api/admins/auth-refresh',
      json({ refreshToken: 'x' }, { authorization: `Bearer ${token}` }),
    );
    const body = await expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect((body.errors as Array<{ path: string }>).map((e) => e.path)).toEqual(['refreshToken']);
  });

  it('does not renew a token whose admin changed its token key a moment ago', async () => {
    // The token works, then its admin's key changes under it.
    expect((await api(t, token)('GET', '/api/collections')).status).toBe(200);
    await t.db.query(`UPDATE plinth.admin SET token_key = 'rotated-by-the-test'`);
    await expectProblem(await refresh(`Bearer ${token}`), 401, 'INVALID_TOKEN');
  });

  it('counts toward the per-IP auth limit like the other auth routes (429 beyond it)', async () => {
    let limited: Response | undefined;
    // Without a token (the one above is revoked now): each call still counts before it is refused.
    for (let i = 0; i < 20 && !limited; i++) {
      const res = await refresh();
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(limited).toBeDefined();
    await expectProblem(limited!, 429, 'TOO_MANY_REQUESTS');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
