import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, signIn, signUp } from './support/auth.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'correct-horse-battery';

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
