import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api, signIn as signInAs, signUp as signUpAs } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, createKey, ok } from './support/records.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'correct-horse-battery';

describe('an admin revokes every session of one user (POST …/records/{id}/revoke-sessions)', () => {
  /** Two replicas on one database and one Redis prefix. */
  let a: App;
  let b: TestApp;
  let admin: string;

  beforeAll(async () => {
    a = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '10000' } });
    b = await startApp({
      databaseUrl: a.db.url,
      redisPrefix: a.redisPrefix,
      env: { PLINTH_AUTH_RATE_PER_IP: '10000' },
    });
    admin = await adminToken(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  const signUp = async (email: string) => (await signUpAs(a, email, PASSWORD)).id;
  const signIn = async (t: TestApp, email: string) =>
    ok(await signInAs(t, email, PASSWORD)).body as {
      token: string;
      refreshToken: string;
      record: { id: string };
    };
  const refresh = (t: TestApp, refreshToken: string) =>
    api(t)('POST', '/api/collections/users/auth-refresh', { refreshToken });
  /** A records request only the signed-in user passes (their own user record). */
  const me = (t: TestApp, token: string, id: string) =>
    api(t, token)('GET', `/api/collections/users/records/${id}`);
  const revoke = (token: string | undefined, id: string, collection = 'users') =>
    api(a, token)('POST', `/api/collections/${collection}/records/${id}/revoke-sessions`);

  it('ends every refresh and access token of that user: at once on this replica, within 2 s on the others', async () => {
    const id = await signUp('revoked@example.com');
    const otherId = await signUp('bystander@example.com');
    const onA = await signIn(a, 'revoked@example.com');
    const onB = await signIn(b, 'revoked@example.com');
    const other = await signIn(a, 'bystander@example.com');
    // Both replicas have the record behind these tokens in their caches now.
    for (const [t, s] of [
      [a, onA],
      [b, onB],
      [a, onB],
      [b, onA],
    ] as const) {
      expect((await me(t, s.token, id)).status).toBe(200);
    }

    const res = await revoke(admin, id);
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    const revokedAt = Date.now();

    // Refresh tokens of both sessions: refused on either replica.
    for (const [t, s] of [
      [a, onA],
      [b, onB],
    ] as const) {
      expectApiProblem(await refresh(t, s.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    }
    const { rows } = await a.db.query(
      'SELECT count(*) FILTER (WHERE revoked_at IS NULL)::int AS live FROM plinth.refresh_token WHERE record_id = $1',
      [id],
    );
    expect(rows[0].live).toBe(0);

    // The replica that revoked refuses the access tokens at once, whatever it had cached.
    for (const s of [onA, onB]) {
      const res = await me(a, s.token, id);
      expectApiProblem(res, 401, 'INVALID_TOKEN');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // The other replica within its 2 s record cache: a timing promise, checked with headroom for load.
    await eventually(async () => (await me(b, onB.token, id)).status === 401);
    expect(Date.now() - revokedAt).toBeLessThan(2000 + 5000);
    expect((await me(b, onA.token, id)).status).toBe(401);

    // Another user's sessions are untouched.
    expect((await me(a, other.token, otherId)).status).toBe(200);
    expect((await me(b, other.token, otherId)).status).toBe(200);
    expect((await refresh(b, other.refreshToken)).status).toBe(200);

    // The user signs in again; the new token works on both replicas at once.
    const again = await signIn(b, 'revoked@example.com');
    expect((await me(a, again.token, id)).status).toBe(200);
    expect((await me(b, again.token, id)).status).toBe(200);
    expect((await refresh(a, again.refreshToken)).status).toBe(200);
  });

  it('is allowed to admin-scoped API keys, refused to everyone else with 401 or 403', async () => {
    const id = await signUp('keyed@example.com');
    const user = await signIn(a, 'keyed@example.com');
    const writeKey = await createKey(a, admin, ['users:write']);
    expectApiProblem(await revoke(undefined, id), 401, 'UNAUTHORIZED');
    expectApiProblem(await revoke(user.token, id), 403, 'ADMIN_REQUIRED');
    expectApiProblem(await revoke(writeKey, id), 403, 'ADMIN_REQUIRED');
    // None of those refusals revoked anything.
    expect((await me(a, user.token, id)).status).toBe(200);
    expect((await refresh(a, user.refreshToken)).status).toBe(200);

    const adminKey = await createKey(a, admin, ['admin']);
    expect((await revoke(adminKey, id)).status).toBe(204);
    expectApiProblem(await me(a, user.token, id), 401, 'INVALID_TOKEN');
  });

  it('answers 404 for unknown records and collections, 400 for base collections', async () => {
    expectApiProblem(await revoke(admin, '0190f1c2-0000-7000-8000-000000000000'), 404, 'RECORD_NOT_FOUND');
    expectApiProblem(await revoke(admin, 'not-a-uuid'), 404, 'RECORD_NOT_FOUND');
    expectApiProblem(
      await revoke(admin, '0190f1c2-0000-7000-8000-000000000000', 'nope'),
      404,
      'COLLECTION_NOT_FOUND',
    );
    await createCollection(a, admin, { name: 'memos', fields: [{ name: 'text', type: 'text' }] });
    const memo = ok(await api(a, admin)('POST', '/api/collections/memos/records', { text: 'x' })).body;
    expectApiProblem(await revoke(admin, memo.id, 'memos'), 400, 'NOT_AUTH_COLLECTION');
    // A user's id under another auth collection is not that collection's record.
    const id = await signUp('elsewhere@example.com');
    await createCollection(a, admin, { name: 'members', type: 'auth', fields: [] });
    expectApiProblem(await revoke(admin, id, 'members'), 404, 'RECORD_NOT_FOUND');
  });
});
