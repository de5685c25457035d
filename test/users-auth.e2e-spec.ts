import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { api, adminToken, signIn as signInAs } from './support/auth.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

describe('app users: password sign-in, refresh rotation, logout', () => {
  let t: App;
  const email = 'ada@example.com';
  const password = 'analytical-engine-1843';

  beforeAll(async () => {
    t = await startIsolatedApp({
      env: {
        PLINTH_AUTH_MAX_FAILURES: '3',
        PLINTH_AUTH_RATE_PER_IP: '1000',
        PLINTH_AUTH_RECORD_CACHE_MS: '100',
      },
    });
    const created = await api(t)('POST', '/api/collections/users/records', {
      email,
      password,
      passwordConfirm: password,
      name: 'Ada',
    });
    expect(created.status).toBe(200);
    expect(created.body).not.toHaveProperty('password_hash');
    expect(created.body).not.toHaveProperty('tokenKey');
  });
  afterAll(async () => {
    await t?.stop();
  });

  const signIn = (identity: string, pw: string) => signInAs(t, identity, pw);

  it('signs in with {identity, password} and answers {token, refreshToken, record}', async () => {
    const res = await signIn(email, password);
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
    expect(typeof res.body.refreshToken).toBe('string');
    expect(res.body.record).toMatchObject({ email, name: 'Ada', verified: false, collectionName: 'users' });
    expect(res.body.record).not.toHaveProperty('password_hash');

    // The token is the user's: their own record is visible under the default users rules.
    const me = await api(t, res.body.token)('GET', `/api/collections/users/records/${res.body.record.id}`);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await signIn(email, 'not-the-password');
    const unknown = await signIn('nobody@example.com', 'not-the-password');
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    const { requestId: _a, ...w } = wrong.body;
    const { requestId: _b, ...u } = unknown.body;
    expect(w).toEqual(u);
  });

  it('rotates refresh tokens, and reuse of a rotated one revokes the whole family', async () => {
    const first = (await signIn(email, password)).body;
    const second = await api(t)('POST', '/api/collections/users/auth-refresh', {
      refreshToken: first.refreshToken,
    });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.record.email).toBe(email);

    // The old token again: refused, and the family (including the new token) is revoked.
    const reuse = await api(t)('POST', '/api/collections/users/auth-refresh', {
      refreshToken: first.refreshToken,
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('INVALID_REFRESH_TOKEN');
    const after = await api(t)('POST', '/api/collections/users/auth-refresh', {
      refreshToken: second.body.refreshToken,
    });
    expect(after.status).toBe(401);

    // Another sign-in (another family) is unaffected.
    const other = (await signIn(email, password)).body;
    expect(
      (await api(t)('POST', '/api/collections/users/auth-refresh', { refreshToken: other.refreshToken }))
        .status,
    ).toBe(200);
  });

  it('auth-logout ends one session, {all: true} every session and access token', async () => {
    const a = (await signIn(email, password)).body;
    const b = (await signIn(email, password)).body;
    expect(
      (await api(t)('POST', '/api/collections/users/auth-logout', { refreshToken: a.refreshToken })).status,
    ).toBe(401);

    expect(
      (await api(t, a.token)('POST', '/api/collections/users/auth-logout', { refreshToken: a.refreshToken }))
        .status,
    ).toBe(204);
    expect(
      (await api(t)('POST', '/api/collections/users/auth-refresh', { refreshToken: a.refreshToken })).status,
    ).toBe(401);
    const bRefreshed = await api(t)('POST', '/api/collections/users/auth-refresh', {
      refreshToken: b.refreshToken,
    });
    expect(bRefreshed.status).toBe(200);

    expect(
      (await api(t, bRefreshed.body.token)('POST', '/api/collections/users/auth-logout', { all: true }))
        .status,
    ).toBe(204);
    expect(
      (
        await api(t)('POST', '/api/collections/users/auth-refresh', {
          refreshToken: bRefreshed.body.refreshToken,
        })
      ).status,
    ).toBe(401);
    // The access token itself is revoked too (token key rotated), within the auth-record cache's lifetime.
    const me = await eventually(async () => {
      const res = await api(t, bRefreshed.body.token)('GET', '/api/collections/users/records');
      return res.status === 401 ? res : null;
    });
    expect(me!.body.code).toBe('INVALID_TOKEN');
  });

  it('a password change revokes the refresh tokens issued before it', async () => {
    const s = (await signIn(email, password)).body;
    const changed = await api(t, s.token)('PATCH', `/api/collections/users/records/${s.record.id}`, {
      oldPassword: password,
      password: 'a-brand-new-password',
      passwordConfirm: 'a-brand-new-password',
    });
    expect(changed.status).toBe(200);
    expect(
      (await api(t)('POST', '/api/collections/users/auth-refresh', { refreshToken: s.refreshToken })).status,
    ).toBe(401);
    expect((await signIn(email, 'a-brand-new-password')).status).toBe(200);
    // Put it back for the other tests.
    const again = (await signIn(email, 'a-brand-new-password')).body;
    // A token signed right after the password change works at once (no stale cache in the way).
    const back = await api(t, again.token)('PATCH', `/api/collections/users/records/${again.record.id}`, {
      oldPassword: 'a-brand-new-password',
      password,
      passwordConfirm: password,
    });
    expect(back.status).toBe(200);
  });

  it('lists the enabled auth methods', async () => {
    const res = await api(t)('GET', '/api/collections/users/auth-methods');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      password: { enabled: true, identityFields: ['email'] },
      oauth2: { enabled: false, providers: [] },
      mfa: { enabled: false, duration: 0 },
      otp: { enabled: false, duration: 0 },
    });
  });

  it('refuses sign-in on a base collection and bad bodies with 400', async () => {
    const admin = await adminToken(t);
    await api(t, admin)('POST', '/api/collections', {
      name: 'notes',
      fields: [{ name: 'text', type: 'text' }],
    });
    const res = await api(t)('POST', '/api/collections/notes/auth-with-password', {
      identity: 'x',
      password: 'y',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('NOT_AUTH_COLLECTION');
    const bad = await api(t)('POST', '/api/collections/users/auth-with-password', { identity: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['identity', 'password']);
  });

  it('locks an account for a while after too many failures (429 with Retry-After), even with the right password', async () => {
    const victim = 'locked@example.com';
    await api(t)('POST', '/api/collections/users/records', {
      email: victim,
      password,
      passwordConfirm: password,
    });
    for (let i = 0; i < 3; i++) expect((await signIn(victim, 'wrong-password')).status).toBe(400);
    const locked = await signIn(victim, password);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not affected.
    expect((await signIn(email, password)).status).toBe(200);
  });
});

describe('per-IP limit on auth requests', () => {
  let t: App;
  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '5' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers 429 after the limit within a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (
          await api(t)('POST', '/api/collections/users/auth-with-password', {
            identity: `u${i}@x.io`,
            password: 'p',
          })
        ).status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});
