import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, signIn, signUp } from './support/auth.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'correct-horse-battery';
const NEW_PASSWORD = 'a-brand-new-password-42';

/** The claims of a JWT, unchecked (the server made it; the test reads its lifetime). */
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };

let t: App;
let admin: string;

beforeAll(async () => {
  t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '10000' } });
  admin = await adminToken(t);
});
afterAll(async () => {
  await t?.stop();
});

/** Signs up in `collection`, lets an admin set `fields`, signs in; returns the id and access token. */
async function account(collection: string, email: string, fields: Record<string, unknown> = {}) {
  const { id } = await signUp(t, email, PASSWORD, collection);
  if (Object.keys(fields).length)
    ok(await api(t, admin)('PATCH', `/api/collections/${collection}/records/${id}`, fields));
  const body = ok(await signIn(t, email, PASSWORD, collection)).body;
  return { id, email, token: body.token as string, refreshToken: body.refreshToken as string };
}

describe("authToken.duration caps an app user's access token (issue 17)", () => {
  it('signs tokens of a collection with authToken {duration: 60} for at most 60 s, also on refresh', async () => {
    await createCollection(t, admin, {
      name: 'kiosks',
      type: 'auth',
      fields: [],
      createRule: '',
      authToken: { duration: 60 },
    });
    const kiosk = await account('kiosks', 'kiosk@example.com');
    const signedIn = claimsOf(kiosk.token);
    expect(signedIn.exp - signedIn.iat).toBeLessThanOrEqual(60);
    expect(signedIn.exp - signedIn.iat).toBeGreaterThan(0);

    const rotated = ok(
      await api(t)('POST', '/api/collections/kiosks/auth-refresh', { refreshToken: kiosk.refreshToken }),
    ).body;
    expect(claimsOf(rotated.token).exp - claimsOf(rotated.token).iat).toBeLessThanOrEqual(60);
    const bearer = ok(await api(t, rotated.token)('POST', '/api/collections/kiosks/auth-refresh', {})).body;
    expect(claimsOf(bearer.token).exp - claimsOf(bearer.token).iat).toBeLessThanOrEqual(60);
  });

  it('keeps PLINTH_ACCESS_TOKEN_TTL without authToken and when the duration is longer (PocketBase’s 7 days)', async () => {
    const ttl = t.config.auth.accessTokenTtlSeconds;
    expect(ttl).toBeLessThan(604800);
    await createCollection(t, admin, {
      name: 'weekly',
      type: 'auth',
      fields: [],
      createRule: '',
      authToken: { duration: 604800 },
    });
    for (const collection of ['users', 'weekly']) {
      const { token } = await account(collection, `ttl-${collection}@example.com`);
      expect({ collection, lifetime: claimsOf(token).exp - claimsOf(token).iat }).toEqual({
        collection,
        lifetime: ttl,
      });
    }
  });
});

describe('manageRule lets non-admins manage other accounts as PocketBase does (issue 17)', () => {
  type Account = Awaited<ReturnType<typeof account>>;
  let manager: Account;
  let member: Account;
  const staff = (who: Account | string) => api(t, typeof who === 'string' ? who : who.token);
  const path = (id: string) => `/api/collections/staff/records/${id}`;
  const stored = async (id: string) => ok(await api(t, admin)('GET', path(id))).body;
  const newPassword = { password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD };

  beforeAll(async () => {
    await createCollection(t, admin, {
      name: 'staff',
      type: 'auth',
      fields: [
        { name: 'role', type: 'text' },
        { name: 'team', type: 'text' },
      ],
      createRule: '',
      listRule: '',
      viewRule: '',
      updateRule: 'team = @request.auth.team',
      // Judged on the record being changed: owners are nobody's to manage.
      manageRule: '@request.auth.role = "manager" && role != "owner"',
    });
    manager = await account('staff', 'mia@example.com', { role: 'manager', team: 'a' });
    member = await account('staff', 'bob@example.com', { role: 'member', team: 'a' });
  });

  it("lets a manager set another user's password without the old one; the user signs in with the new one", async () => {
    const alice = await account('staff', 'alice@example.com', { role: 'member', team: 'a' });
    ok(await staff(manager)('PATCH', path(alice.id), newPassword));
    ok(await signIn(t, alice.email, NEW_PASSWORD, 'staff'));
    expectApiProblem(await signIn(t, alice.email, PASSWORD, 'staff'), 400, 'INVALID_CREDENTIALS');
    // Her sessions ended with the password, as on any password change.
    expectApiProblem(await staff(alice)('GET', path(alice.id)), 401, 'INVALID_TOKEN');
  });

  it('lets a manager set verified and change the email directly', async () => {
    const carl = await account('staff', 'carl@example.com', { role: 'member', team: 'a' });
    expect((await stored(carl.id)).verified).toBe(false);
    ok(await staff(manager)('PATCH', path(carl.id), { verified: true }));
    expect((await stored(carl.id)).verified).toBe(true);
    ok(await staff(manager)('PATCH', path(carl.id), { email: 'carl.new@example.com' }));
    expect(await stored(carl.id)).toMatchObject({ email: 'carl.new@example.com' });
    ok(await signIn(t, 'carl.new@example.com', PASSWORD, 'staff'));
  });

  it("a user's own record is not special: a manager manages it too, a member does not", async () => {
    ok(await staff(manager)('PATCH', path(manager.id), { verified: true }));
    expect((await stored(manager.id)).verified).toBe(true);
    const own = await staff(member)('PATCH', path(member.id), newPassword);
    expect(errorPaths(expectApiProblem(own, 400, 'VALIDATION_FAILED'))).toEqual(['oldPassword']);
  });

  it('gives a member who passes the update rule the usual refusals', async () => {
    const dana = await account('staff', 'dana@example.com', { role: 'member', team: 'a' });
    const password = await staff(member)('PATCH', path(dana.id), newPassword);
    expect(errorPaths(expectApiProblem(password, 400, 'VALIDATION_FAILED'))).toEqual(['oldPassword']);
    const verified = await staff(member)('PATCH', path(dana.id), { verified: true });
    expect(errorPaths(expectApiProblem(verified, 400, 'VALIDATION_FAILED'))).toEqual(['verified']);
    const email = await staff(member)('PATCH', path(dana.id), { email: 'dana.new@example.com' });
    expect(errorPaths(expectApiProblem(email, 400, 'VALIDATION_FAILED'))).toEqual(['email']);
    expect(await stored(dana.id)).toMatchObject({ email: 'dana@example.com', verified: false });
    ok(await signIn(t, dana.email, PASSWORD, 'staff'));
  });

  it('judges manageRule on the record changed: a manager cannot manage an owner', async () => {
    const olive = await account('staff', 'olive@example.com', { role: 'owner', team: 'a' });
    const res = await staff(manager)('PATCH', path(olive.id), newPassword);
    expect(errorPaths(expectApiProblem(res, 400, 'VALIDATION_FAILED'))).toEqual(['oldPassword']);
    ok(await signIn(t, olive.email, PASSWORD, 'staff'));
  });

  it('still needs the update rule: a manager of another team is refused', async () => {
    const dave = await account('staff', 'dave@example.com', { role: 'member', team: 'b' });
    const res = await staff(manager)('PATCH', path(dave.id), { ...newPassword, verified: true });
    expectApiProblem(res, 403, 'RULE_REFUSED');
    expect((await stored(dave.id)).verified).toBe(false);
    ok(await signIn(t, dave.email, PASSWORD, 'staff'));
  });

  it('manageRule null (the default): nobody but admins', async () => {
    ok(await api(t, admin)('PATCH', '/api/collections/staff', { manageRule: null }));
    const erin = await account('staff', 'erin@example.com', { role: 'member', team: 'a' });
    const res = await staff(manager)('PATCH', path(erin.id), newPassword);
    expect(errorPaths(expectApiProblem(res, 400, 'VALIDATION_FAILED'))).toEqual(['oldPassword']);
    const verified = await staff(manager)('PATCH', path(erin.id), { verified: true });
    expect(errorPaths(expectApiProblem(verified, 400, 'VALIDATION_FAILED'))).toEqual(['verified']);
    ok(await api(t, admin)('PATCH', path(erin.id), { ...newPassword, verified: true }));
    ok(await signIn(t, erin.email, NEW_PASSWORD, 'staff'));
  });
});
