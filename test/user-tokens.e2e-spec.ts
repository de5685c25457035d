import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deriveKey } from '@plinth/auth';
import { SignJWT } from 'jose';
import { adminToken, api, signIn as signInAs, signUp } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp, TEST_SECRET } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'correct-horse-battery';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * App-user access tokens that must not pass: every one is a genuine token of a signed-in user with
 * exactly one thing changed, and each is tried on a records request that only that user passes.
 */
describe('app-user access tokens that are not valid answer 401 on records requests', () => {
  let t: App;
  let admin: string;
  let alice: { token: string; id: string };
  let member: { token: string; id: string };
  let claims: Record<string, unknown>;
  let collections: { users: string; members: string; notes: string };
  let aliceNote: string;
  const key = deriveKey(TEST_SECRET, 'plinth access token');

  const signIn = async (collection: string, email: string) => {
    await signUp(t, email, PASSWORD, collection);
    const body = ok(await signInAs(t, email, PASSWORD, collection)).body;
    return { token: body.token as string, id: body.record.id as string };
  };

  /** Signs these claims as the server would (HS256 with its key unless told otherwise). */
  const sign = (
    payload: Record<string, unknown>,
    opts: { key?: Uint8Array; exp?: number; iat?: number } = {},
  ) => {
    const { sub, exp: _exp, iat: _iat, ...rest } = payload;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(rest)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(sub))
      .setIssuedAt(opts.iat ?? now)
      .setExpirationTime(opts.exp ?? now + 600)
      .sign(opts.key ?? key);
  };

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '10000' } });
    admin = await adminToken(t);
    const members = await createCollection(t, admin, {
      name: 'members',
      type: 'auth',
      fields: [],
      createRule: '',
    });
    const notes = await createCollection(t, admin, {
      name: 'notes',
      fields: [
        { name: 'text', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
    });
    const users = ok(await api(t, admin)('GET', '/api/collections/users')).body;
    collections = { users: users.id, members: members.id, notes: notes.id };
    alice = await signIn('users', 'alice@example.com');
    member = await signIn('members', 'mel@example.com');
    aliceNote = ok(
      await api(t, admin)('POST', '/api/collections/notes/records', { text: 'hers', owner: alice.id }),
    ).body.id;
    claims = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const list = (token: string) => api(t, token)('GET', '/api/collections/notes/records');
  const view = (token: string) => api(t, token)('GET', `/api/collections/notes/records/${aliceNote}`);

  it('the genuine tokens work (so each refusal below is for what was changed)', async () => {
    expect(claims).toMatchObject({ typ: 'auth', sub: alice.id, col: collections.users });
    const res = await list(alice.token);
    expect(res.status).toBe(200);
    expect(res.body.items.map((n: { id: string }) => n.id)).toEqual([aliceNote]);
    expect((await view(alice.token)).status).toBe(200);
    // Re-signed with the server's key, the same claims pass too: the forgeries below differ in one thing.
    expect((await view(await sign(claims))).status).toBe(200);
    // The other auth collection's user is a real user as well, who sees nothing of Alice's.
    const theirs = await list(member.token);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items).toEqual([]);
    expect((await view(member.token)).status).toBe(404);
  });

  const forgeries: Array<[string, () => Promise<string> | string]> = [
    [
      'tampered: the payload names another user, the signature is kept',
      () => {
        const [header, , signature] = alice.token.split('.');
        return `${header}.${b64({ ...claims, sub: member.id })}.${signature}`;
      },
    ],
    [
      'tampered: the payload claims a longer life, the signature is kept',
      () => {
        const [header, , signature] = alice.token.split('.');
        return `${header}.${b64({ ...claims, exp: Number(claims.exp) + 86_400 })}.${signature}`;
      },
    ],
    [
      'tampered: the signature is altered',
      () => {
        const [header, payload, signature] = alice.token.split('.');
        const flipped = (signature![0] === 'A' ? 'B' : 'A') + signature!.slice(1);
        return `${header}.${payload}.${flipped}`;
      },
    ],
    [
      'expired',
      () => {
        const now = Math.floor(Date.now() / 1000);
        return sign(claims, { iat: now - 3600, exp: now - 5 });
      },
    ],
    [
      'alg "none" without a signature',
      () => `${b64({ alg: 'none', typ: 'JWT' })}.${alice.token.split('.')[1]}.`,
    ],
    [
      'alg "none" with the genuine signature',
      () => {
        const [, payload, signature] = alice.token.split('.');
        return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${signature}`;
      },
    ],
    [
      'alg "HS512" with the server key (the algorithm is pinned to HS256)',
      () => {
        const { sub, ...rest } = claims;
        return new SignJWT(rest)
          .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
          .setSubject(String(sub))
          .sign(key);
      },
    ],
    [
      'wrong secret: signed with the key of another PLINTH_SECRET',
      () =>
        sign(claims, {
          key: deriveKey('another-plinth-secret-that-is-long-enough-0123456789', 'plinth access token'),
        }),
    ],
    [
      'wrong secret: signed with PLINTH_SECRET itself instead of the derived key',
      () => sign(claims, { key: new TextEncoder().encode(TEST_SECRET) }),
    ],
    [
      'other collection: "col" is another auth collection where this record does not exist',
      () => sign({ ...claims, col: collections.members }),
    ],
    [
      "other collection: the other collection's user presented as a user of this one",
      () => {
        const theirs = JSON.parse(Buffer.from(member.token.split('.')[1]!, 'base64url').toString());
        return sign({ ...theirs, col: collections.users });
      },
    ],
    ['other collection: "col" is a base collection', () => sign({ ...claims, col: collections.notes })],
    ['no "col"', () => sign({ ...claims, col: undefined })],
    ['an app user presented as an admin', () => sign({ ...claims, typ: 'admin', col: undefined })],
    ['a stale token key fingerprint', () => sign({ ...claims, tk: 'AAAAAAAAAAAAAAAA' })],
  ];

  for (const [name, make] of forgeries) {
    it(`${name} → 401 INVALID_TOKEN`, async () => {
      const token = await make();
      expect(token).not.toBe(alice.token);
      for (const res of [await list(token), await view(token)]) {
        const problem = expectApiProblem(res, 401, 'INVALID_TOKEN');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(JSON.stringify(problem)).not.toMatch(/jose|JWS|signature verification/i);
      }
    });
  }

  it('the refusals did not harm the genuine token', async () => {
    expect((await list(alice.token)).body.items.map((n: { id: string }) => n.id)).toEqual([aliceNote]);
  });
});
