import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testRedisUrl } from '@plinth/testing';
import { Redis } from 'ioredis';
import { adminToken, api } from './support/auth.js';
import { MockProviders, oauth2Browser, type Person, type SignedIn } from './support/oauth2-provider.js';
import { expectProblem } from './support/problem.js';
import { createCollection, ok } from './support/records.js';
import { startApp, startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PUBLIC_URL = 'http://plinth.test';
const APP = 'https://app.example/auth';
/** What the operator put in the server's environment. */
const ENV_CLIENTS = {
  google: { id: 'env-google-client', secret: 'env-google-secret-4c1d' },
  github: { id: 'env-github-client', secret: 'env-github-secret-8e2f' },
  oidc: { id: 'env-oidc-client', secret: 'env-oidc-secret-0a9b' },
};
const PROVIDERS = ['google', 'github', 'oidc'] as const;

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** A person at `provider` whose verified email is `<tag>@example.com` (GitHub ids are numbers). */
function personFor(provider: (typeof PROVIDERS)[number], tag: string, githubId: number): Person {
  const email = `${tag}@example.com`;
  return provider === 'github'
    ? { sub: String(githubId), githubEmails: [{ email, primary: true, verified: true }] }
    : { sub: tag, email, emailVerified: true };
}

describe('social sign-in: providers from the environment, PKCE, rules on the signed-in user', () => {
  let providers: MockProviders;
  let t: App;
  let admin: string;
  let redis: Redis;
  const browser = () => oauth2Browser(() => t, providers, { publicUrl: PUBLIC_URL, app: APP });

  /** Providers listed without client ids, secrets or issuer: all of them from the environment. */
  const envOnlyOptions = () => ({
    oauth2: {
      enabled: true,
      redirectAllowList: [APP],
      providers: [
        { name: 'google' },
        { name: 'github', clientId: '', clientSecret: '' },
        { name: 'oidc' },
      ] as Array<Record<string, unknown>>,
    },
  });

  const env = () => ({
    PUBLIC_URL,
    PLINTH_AUTH_RATE_PER_IP: '10000',
    PLINTH_OAUTH2_GOOGLE_CLIENT_ID: ENV_CLIENTS.google.id,
    PLINTH_OAUTH2_GOOGLE_CLIENT_SECRET: ENV_CLIENTS.google.secret,
    PLINTH_OAUTH2_GOOGLE_AUTH_URL: providers.endpoints('google').authUrl,
    PLINTH_OAUTH2_GOOGLE_TOKEN_URL: providers.endpoints('google').tokenUrl,
    PLINTH_OAUTH2_GOOGLE_USERINFO_URL: providers.endpoints('google').userInfoUrl,
    PLINTH_OAUTH2_GITHUB_CLIENT_ID: ENV_CLIENTS.github.id,
    PLINTH_OAUTH2_GITHUB_CLIENT_SECRET: ENV_CLIENTS.github.secret,
    PLINTH_OAUTH2_GITHUB_AUTH_URL: providers.endpoints('github').authUrl,
    PLINTH_OAUTH2_GITHUB_TOKEN_URL: providers.endpoints('github').tokenUrl,
    PLINTH_OAUTH2_GITHUB_USERINFO_URL: providers.endpoints('github').userInfoUrl,
    PLINTH_OAUTH2_OIDC_CLIENT_ID: ENV_CLIENTS.oidc.id,
    PLINTH_OAUTH2_OIDC_CLIENT_SECRET: ENV_CLIENTS.oidc.secret,
    PLINTH_OAUTH2_OIDC_ISSUER: providers.issuer,
  });

  beforeAll(async () => {
    providers = await MockProviders.start();
    t = await startIsolatedApp({ env: env() });
    admin = await adminToken(t);
    ok(await api(t, admin)('PATCH', '/api/collections/users', { options: envOnlyOptions() }));
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.stop();
    await providers?.stop();
  });

  const identityCount = async () =>
    Number((await t.db.query('SELECT count(*)::int AS n FROM plinth.external_identity')).rows[0].n);
  const userCount = async () =>
    Number((await t.db.query('SELECT count(*)::int AS n FROM data.users')).rows[0].n);

  describe('client ids, secrets and the OIDC issuer from the environment', () => {
    it('saves providers without them, stores and answers none of the environment secrets', async () => {
      const res = ok(await api(t, admin)('GET', '/api/collections/users'));
      expect(res.body.oauth2.providers).toEqual([
        { name: 'google', clientSecret: '' },
        { name: 'github', clientId: '', clientSecret: '' },
        { name: 'oidc', clientSecret: '' },
      ]);
      const stored = (
        await t.db.query("SELECT options::text AS o FROM plinth.collection WHERE name = 'users'")
      ).rows[0].o as string;
      for (const { id, secret } of Object.values(ENV_CLIENTS)) {
        expect(stored).not.toContain(id);
        expect(stored).not.toContain(secret);
      }
      const methods = await api(t)('GET', '/api/collections/users/auth-methods');
      expect(methods.body.oauth2).toEqual({
        enabled: true,
        providers: ['google', 'github', 'oidc'].map((name) => ({
          name,
          authUrl: `${PUBLIC_URL}/api/collections/users/auth/oauth2/${name}`,
        })),
      });
      expect(JSON.stringify(methods.body)).not.toMatch(/env-/);
    });

    for (const provider of PROVIDERS) {
      it(`${provider}: signs in with the client id and secret of the environment`, async () => {
        providers.tokenRequests.length = 0;
        const signedIn = await browser().signInOk(provider, personFor(provider, `env-${provider}`, 4242));
        expect(signedIn.meta.isNew).toBe(true);
        expect(signedIn.record.email).toBe(`env-${provider}@example.com`);
        // The authorization request named the environment's client, at the environment's issuer for OIDC.
        expect(signedIn.authorize.searchParams.get('client_id')).toBe(ENV_CLIENTS[provider].id);
        expect(`${signedIn.authorize.origin}${signedIn.authorize.pathname}`).toBe(
          `${providers.issuer}/authorize`,
        );
        expect(providers.tokenRequests.map((r) => [r.client_id, r.client_secret])).toEqual([
          [ENV_CLIENTS[provider].id, ENV_CLIENTS[provider].secret],
        ]);
        const me = await api(t, signedIn.token)(
          'GET',
          `/api/collections/users/records/${signedIn.record.id}`,
        );
        expect(me.status).toBe(200);
      });
    }

    it('takes a value set in the collection over the environment, field by field', async () => {
      const options = envOnlyOptions();
      options.oauth2.providers[0] = {
        name: 'google',
        clientId: 'settings-google-client',
        clientSecret: 'settings-google-secret',
        ...providers.endpoints('google'),
      };
      options.oauth2.providers[1] = {
        name: 'github',
        clientId: 'settings-github-client',
        clientSecret: '',
        ...providers.endpoints('github'),
      };
      ok(await api(t, admin)('PATCH', '/api/collections/users', { options }));
      providers.tokenRequests.length = 0;
      await browser().signInOk('google', personFor('google', 'env-google', 0));
      await browser().signInOk('github', personFor('github', 'env-github', 4242));
      expect(providers.tokenRequests.map((r) => [r.client_id, r.client_secret])).toEqual([
        ['settings-google-client', 'settings-google-secret'],
        // No secret in the collection: the environment's, with the collection's client id.
        ['settings-github-client', ENV_CLIENTS.github.secret],
      ]);
      // Back to the environment's: a secret stored for a provider is kept by a PATCH that sends none,
      // so the provider is removed first, then listed again without it.
      ok(
        await api(t, admin)('PATCH', '/api/collections/users', {
          options: { oauth2: { ...options.oauth2, providers: options.oauth2.providers.slice(1) } },
        }),
      );
      ok(await api(t, admin)('PATCH', '/api/collections/users', { options: envOnlyOptions() }));
      providers.tokenRequests.length = 0;
      await browser().signInOk('google', personFor('google', 'env-google', 0));
      expect(providers.tokenRequests.map((r) => [r.client_id, r.client_secret])).toEqual([
        [ENV_CLIENTS.google.id, ENV_CLIENTS.google.secret],
      ]);
    });

    it("never sends the environment's client secret to a URL an admin sets in the collection", async () => {
      const received: string[] = [];
      const listener = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          received.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body}`);
          res.end('{}');
        });
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const at = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
      try {
        const options = envOnlyOptions();
        options.oauth2.providers[0] = { name: 'google', tokenUrl: `${at}/token` };
        options.oauth2.providers[2] = { name: 'oidc', issuer: at };
        ok(await api(t, admin)('PATCH', '/api/collections/users', { options }));

        const methods = await api(t)('GET', '/api/collections/users/auth-methods');
        expect(methods.body.oauth2.providers.map((p: { name: string }) => p.name)).toEqual(['github']);
        for (const provider of ['google', 'oidc']) {
          const refused = await expectProblem(
            await t.fetch(
              `/api/collections/users/auth/oauth2/${provider}?redirect=${encodeURIComponent(APP)}`,
              { redirect: 'manual' },
            ),
            400,
            'OAUTH2_PROVIDER_UNAVAILABLE',
          );
          expect(refused.detail).toContain(`PLINTH_OAUTH2_${provider.toUpperCase()}_CLIENT_SECRET`);
        }
        expect(received.join('\n')).not.toContain(ENV_CLIENTS.google.secret);
        expect(received.join('\n')).not.toContain(ENV_CLIENTS.oidc.secret);
        expect(received).toEqual([]);
      } finally {
        await new Promise((resolve) => listener.close(resolve));
        ok(await api(t, admin)('PATCH', '/api/collections/users', { options: envOnlyOptions() }));
      }
    });

    it('a server without these variables does not offer the providers the collection leaves empty', async () => {
      const bare = await startApp({
        databaseUrl: t.db.url,
        redisPrefix: t.redisPrefix,
        env: { PUBLIC_URL, PLINTH_AUTH_RATE_PER_IP: '10000' },
      });
      try {
        const methods = await api(bare)('GET', '/api/collections/users/auth-methods');
        expect(methods.body.oauth2).toEqual({ enabled: true, providers: [] });
        const google = await expectProblem(
          await bare.fetch(`/api/collections/users/auth/oauth2/google?redirect=${encodeURIComponent(APP)}`, {
            redirect: 'manual',
          }),
          400,
          'OAUTH2_PROVIDER_UNAVAILABLE',
        );
        expect(google.detail).toContain('PLINTH_OAUTH2_GOOGLE_CLIENT_ID');
        const oidc = await expectProblem(
          await bare.fetch(`/api/collections/users/auth/oauth2/oidc?redirect=${encodeURIComponent(APP)}`, {
            redirect: 'manual',
          }),
          400,
          'OAUTH2_PROVIDER_UNAVAILABLE',
        );
        expect(oidc.detail).toContain('PLINTH_OAUTH2_OIDC_CLIENT_ID');
        expect(oidc.detail).toContain('PLINTH_OAUTH2_OIDC_ISSUER');
      } finally {
        await bare.close();
      }
      // The server with the variables still offers all three.
      const methods = await api(t)('GET', '/api/collections/users/auth-methods');
      expect(methods.body.oauth2.providers).toHaveLength(3);
    });

    it('still refuses a blank client id in the collection', async () => {
      const options = envOnlyOptions();
      options.oauth2.providers[0]!.clientId = '   ';
      const res = await api(t, admin)('PATCH', '/api/collections/users', { options });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual([
        'options.oauth2.providers.0.clientId',
      ]);
    });
  });

  describe('PKCE', () => {
    for (const provider of PROVIDERS) {
      it(`${provider}: a token request with a verifier that does not match the challenge gives no session`, async () => {
        const who = personFor(provider, `pkce-${provider}`, 5150);
        providers.person = who;
        const identities = await identityCount();
        const users = await userCount();
        const b = browser();
        const started = await b.start(provider);
        expect(started.status).toBe(302);
        const authorize = new URL(started.headers.get('location')!);
        const challenge = authorize.searchParams.get('code_challenge')!;

        // The verifier waiting in Redis under this state is the one whose S256 hash went to the provider…
        const key = `${t.redisPrefix}:oauth2:state:${createHash('sha256').update(authorize.searchParams.get('state')!).digest('hex')}`;
        const entry = JSON.parse((await redis.get(key))!) as { verifier: string };
        expect(s256(entry.verifier)).toBe(challenge);
        // …replace it with another, as if the code had been intercepted and redeemed by someone else.
        const other = randomBytes(32).toString('base64url');
        expect(await redis.set(key, JSON.stringify({ ...entry, verifier: other }), 'KEEPTTL')).toBe('OK');

        providers.tokenRequests.length = 0;
        const app = await b.finish(await b.atProvider(authorize));
        expect(`${app.origin}${app.pathname}`).toBe(APP);
        expect(app.searchParams.get('code')).toBeNull();
        expect(app.searchParams.get('error')).toBe('OAUTH2_PROVIDER_FAILED');
        // The provider answered no token request (it refused the verifier), and nothing was created.
        expect(providers.tokenRequests).toEqual([]);
        expect(await identityCount()).toBe(identities);
        expect(await userCount()).toBe(users);

        // The same person with an untouched sign-in gets in: only the verifier made the difference.
        const signedIn = await browser().signInOk(provider, who);
        expect(signedIn.meta.isNew).toBe(true);
        expect(s256(providers.tokenRequests[0]!.code_verifier!)).toBe(
          signedIn.authorize.searchParams.get('code_challenge'),
        );
      });
    }
  });

  describe('an authenticated record request after social sign-in', () => {
    beforeAll(async () => {
      await createCollection(t, admin, {
        name: 'notes',
        fields: [
          { name: 'text', type: 'text' },
          { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
        listRule: 'owner = @request.auth.id',
        viewRule: 'owner = @request.auth.id',
        createRule: "@request.auth.id != '' && @request.body.owner = @request.auth.id",
      });
    });

    it('lets each provider’s user see and write only their own notes', async () => {
      const signedIn = {} as Record<(typeof PROVIDERS)[number], SignedIn>;
      for (const provider of PROVIDERS) {
        signedIn[provider] = await browser().signInOk(
          provider,
          personFor(provider, `notes-${provider}`, 9001),
        );
        expect(signedIn[provider].meta.isNew).toBe(true);
      }
      const noteOf: Record<string, string> = {};
      for (const provider of PROVIDERS) {
        const { token, record } = signedIn[provider];
        const created = await api(t, token)('POST', '/api/collections/notes/records', {
          text: `${provider}'s note`,
          owner: record.id,
        });
        expect(created.status).toBe(200);
        noteOf[provider] = created.body.id;
      }
      for (const provider of PROVIDERS) {
        const { token, record } = signedIn[provider];
        const as = api(t, token);
        const list = await as('GET', '/api/collections/notes/records');
        expect(list.status).toBe(200);
        expect(list.body.items.map((n: { text: string; owner: string }) => [n.text, n.owner])).toEqual([
          [`${provider}'s note`, record.id],
        ]);
        for (const other of PROVIDERS.filter((p) => p !== provider)) {
          expect((await as('GET', `/api/collections/notes/records/${noteOf[other]}`)).status).toBe(404);
          // Nor may they write a note in someone else's name.
          const forged = await as('POST', '/api/collections/notes/records', {
            text: 'forged',
            owner: signedIn[other].record.id,
          });
          expect(forged.status).toBe(403);
          expect(forged.body.code).toBe('RULE_REFUSED');
        }
      }
      expect((await api(t)('GET', '/api/collections/notes/records')).body.items).toEqual([]);
      expect((await api(t, admin)('GET', '/api/collections/notes/records')).body.totalItems).toBe(3);

      // A token from the social sign-in's refresh token is the same user's.
      const refreshed = ok(
        await api(t)('POST', '/api/collections/users/auth-refresh', {
          refreshToken: signedIn.github.refreshToken,
        }),
      );
      const list = await api(t, refreshed.body.token)('GET', '/api/collections/notes/records');
      expect(list.body.items.map((n: { id: string }) => n.id)).toEqual([noteOf.github]);
    });
  });
});
