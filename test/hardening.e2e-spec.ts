import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { adminToken, api, userToken } from './support/auth.js';
import { startIsolatedApp } from './support/start-app.js';

/** Defects found in review: each answered 500, leaked, or let a limit slip. */
describe('hardening', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let userId: string;
  let user: string;
  const password = 'a-long-enough-password';

  beforeAll(async () => {
    t = await startIsolatedApp({
      env: {
        PLINTH_AUTH_MAX_FAILURES: '10',
        PLINTH_AUTH_RATE_PER_IP: '1000',
        PLINTH_AUTH_RECORD_CACHE_MS: '100',
      },
    });
    admin = await adminToken(t);
    const created = await api(t)('POST', '/api/collections/users/records', {
      email: 'owner@example.com',
      password,
      passwordConfirm: password,
    });
    userId = created.body.id;
    user = await userToken(t, 'users', userId);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('does not let a user change their email through a record update (the address must be confirmed)', async () => {
    await t.db.query('UPDATE data.users SET verified = true WHERE id = $1', [userId]);
    const res = await api(t, user)('PATCH', `/api/collections/users/records/${userId}`, {
      email: 'victim@example.com',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: 'email', code: 'EMAIL_CHANGE_REQUIRES_CONFIRMATION' }),
    ]);
    const row = await t.db.query('SELECT email, verified FROM data.users WHERE id = $1', [userId]);
    expect(row.rows[0]).toEqual({ email: 'owner@example.com', verified: true });
  });

  it("lets an admin change a user's email, which unverifies it and ends the user's sessions", async () => {
    const res = await api(t, admin)('PATCH', `/api/collections/users/records/${userId}`, {
      email: 'moved@example.com',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: 'moved@example.com', verified: false });
    // Within the auth-record cache's lifetime (set short here), the old token stops working.
    await eventually(
      async () => (await api(t, user)('GET', '/api/collections/users/records')).status === 401,
    );
    user = await userToken(t, 'users', userId);
  });

  it('answers filters that fold to a constant on a guarded email column (no 500)', async () => {
    for (const filter of ['email > null', 'id != "" || email < null']) {
      const res = await api(t, user)(
        'GET',
        `/api/collections/users/records?filter=${encodeURIComponent(filter)}`,
      );
      expect({ filter, status: res.status }).toEqual({ filter, status: 200 });
    }
  });

  it('refuses dates outside years 1..9999 in filters with 400, not 500', async () => {
    for (const date of ['0000-01-01', '0001-01-01 00:00+01:00', '10000-01-01']) {
      const res = await api(t, admin)(
        'GET',
        `/api/collections/users/records?filter=${encodeURIComponent(`created > "${date}"`)}`,
      );
      expect({ date, status: res.status }).toEqual({ date, status: 400 });
    }
  });

  it('refuses NUL in sign-in identities with 400, for users and admins', async () => {
    for (const path of ['/api/collections/users/auth-with-password', '/api/admins/auth-with-password']) {
      const res = await api(t)('POST', path, { identity: 'a\u0000b', password: 'x' });
      expect({ path, status: res.status, code: res.body.code }).toEqual({
        path,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
  });

  it('holds the per-account failure limit under parallel guesses', async () => {
    await api(t)('POST', '/api/collections/users/records', {
      email: 'target@example.com',
      password,
      passwordConfirm: password,
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        api(t)('POST', '/api/collections/users/auth-with-password', {
          identity: 'target@example.com',
          password: 'wrong-guess',
        }),
      ),
    );
    const tried = answers.filter((a) => a.body.code === 'INVALID_CREDENTIALS').length;
    expect(tried).toBeLessThanOrEqual(10);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(20);
  });
});
