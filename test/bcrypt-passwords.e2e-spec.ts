import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { AdminsService } from '@plinth/auth';
import { adminSignIn, signIn, signUp } from './support/auth.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

// A hash PocketBase itself stored for the password "1234567890" (../shared/fixtures/pocketbase-testdata/data.db).
const POCKETBASE_HASH = '$2a$13$RC6/uXsHWM1ZV1v0cPJLRuWPXxyNINDmUDIHTq1x1dM.K.TBgWzFK';
const POCKETBASE_PASSWORD = '1234567890';

/**
 * Issue 19: accounts moved from PocketBase keep their bcrypt hashes; they sign in with their password
 * and the first successful sign-in stores the argon2id form instead.
 */
describe('bcrypt password hashes from an import', () => {
  let t: App;
  const userHash = async (email: string) =>
    (
      await t.db.query<{ password_hash: string }>('SELECT password_hash FROM data.users WHERE email = $1', [
        email,
      ])
    ).rows[0]!.password_hash;
  const setUserHash = (email: string, hashed: string) =>
    t.db.query('UPDATE data.users SET password_hash = $2 WHERE email = $1', [email, hashed]);

  beforeAll(async () => {
    t = await startIsolatedApp({
      env: { PLINTH_AUTH_RATE_PER_IP: '1000', PLINTH_AUTH_RECORD_CACHE_MS: '0' },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("signs in an app user with PocketBase's stored hash and upgrades it to argon2id", async () => {
    await signUp(t, 'pb-user@example.com', 'a placeholder password');
    await setUserHash('pb-user@example.com', POCKETBASE_HASH);

    expect((await signIn(t, 'pb-user@example.com', 'wrong password')).status).toBe(400);
    expect(await userHash('pb-user@example.com')).toBe(POCKETBASE_HASH);

    const first = await signIn(t, 'pb-user@example.com', POCKETBASE_PASSWORD);
    expect(first.status).toBe(200);
    expect(first.body.record.email).toBe('pb-user@example.com');
    expect(await userHash('pb-user@example.com')).toMatch(/^\$argon2id\$/);

    expect((await signIn(t, 'pb-user@example.com', POCKETBASE_PASSWORD)).status).toBe(200);
    expect((await signIn(t, 'pb-user@example.com', 'wrong password')).status).toBe(400);
  });

  it.each(['$2a$', '$2b$', '$2y$'])('accepts the %s bcrypt variant', async (prefix) => {
    const email = `variant-${prefix.slice(2, 3)}@example.com`;
    await signUp(t, email, 'a placeholder password');
    // The three prefixes name the same algorithm for these bytes: only the prefix differs.
    const hashed = prefix + (await bcrypt.hash('moved from elsewhere', 4)).slice(4);
    await setUserHash(email, hashed);
    expect((await signIn(t, email, 'moved from elsewhere')).status).toBe(200);
    expect(await userHash(email)).toMatch(/^\$argon2id\$/);
  });

  it('refuses a malformed hash as a wrong password, never a server error', async () => {
    await signUp(t, 'broken@example.com', 'a placeholder password');
    await setUserHash('broken@example.com', '$2a$13$tooShort');
    expect((await signIn(t, 'broken@example.com', 'a placeholder password')).status).toBe(400);
  });

  it('signs in an admin (a PocketBase superuser) with a bcrypt hash and upgrades it', async () => {
    await t.app.get(AdminsService).create('pb-admin@example.com', 'a placeholder password');
    await t.db.query('UPDATE plinth.admin SET password_hash = $2 WHERE email = $1', [
      'pb-admin@example.com',
      POCKETBASE_HASH,
    ]);
    expect((await adminSignIn(t, 'pb-admin@example.com', 'wrong password')).status).toBe(400);
    expect((await adminSignIn(t, 'pb-admin@example.com', POCKETBASE_PASSWORD)).status).toBe(200);
    const { rows } = await t.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM plinth.admin WHERE email = $1',
      ['pb-admin@example.com'],
    );
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect((await adminSignIn(t, 'pb-admin@example.com', POCKETBASE_PASSWORD)).status).toBe(200);
  });
});
