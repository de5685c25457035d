import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from './support/auth.js';
import { cookieJar, MockProviders, type Person } from './support/oauth2-provider.js';
import { expectApiProblem, expectProblem } from './support/problem.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/**
 * The server's PUBLIC_URL. Nothing listens there: the tests stand in for the reverse proxy and send
 * what the provider redirects to it to the test server (`toServer`).
 */
const PUBLIC_URL = 'http://plinth.test';
const APP = 'https://app.example/auth';
const SECRETS = {
  google: 'google-client-secret-7f3a',
  oidc: 'oidc-client-secret-91bc',
  github: 'github-client-secret-5d0e',
};

describe('social sign-in (Google, GitHub, OpenID Connect) against local providers', () => {
  let t: App;
  let admin: string;
  /** Google, GitHub and an OpenID provider on this machine; `providers.person` signs in next. */
  let providers: MockProviders;
  let mock: MockProviders['mock'];
  let issuer: string;
  let githubUrl: string;
  /** Bodies of the token requests the provider received, newest last. */
  let tokenRequests: Array<Record<string, string>>;

  const oauth2Options = (secrets: Partial<typeof SECRETS> = SECRETS) => ({
    oauth2: {
      enabled: true,
      redirectAllowList: [APP, 'myapp://oauth'],
      providers: [
        {
          name: 'google',
          clientId: 'google-client',
          clientSecret: secrets.google ?? '',
          authUrl: `${issuer}/authorize`,
          tokenUrl: `${issuer}/token`,
          userInfoUrl: `${issuer}/userinfo`,
        },
        { name: 'oidc', clientId: 'oidc-client', clientSecret: secrets.oidc ?? '', issuer },
        {
          name: 'github',
          clientId: 'github-client',
          clientSecret: secrets.github ?? '',
          authUrl: `${issuer}/authorize`,
          tokenUrl: `${issuer}/token`,
          userInfoUrl: `${githubUrl}/user`,
        },
      ],
    },
  });

  beforeAll(async () => {
    providers = await MockProviders.start();
    ({ mock, issuer, githubUrl, tokenRequests } = providers);

    t = await startIsolatedApp({ env: { PUBLIC_URL, PLINTH_AUTH_RATE_PER_IP: '10000' } });
    admin = await adminToken(t);
    const res = await api(t, admin)('PATCH', '/api/collections/users', { options: oauth2Options() });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
    await providers?.stop();
  });

  const jar = cookieJar();

  /** What the provider redirected to our PUBLIC_URL, sent to the test server instead (with this browser's cookies). */
  const toServer = async (url: URL, cookies = true) => {
    expect(url.origin).toBe(PUBLIC_URL);
    const cookie = cookies ? jar.header() : '';
    return jar.keep(await t.fetch(url.pathname + url.search, { redirect: 'manual', headers: { cookie } }));
  };

  const start = async (provider: string, redirect: string | null = APP, collection = 'users') =>
    jar.keep(
      await t.fetch(
        `/api/collections/${collection}/auth/oauth2/${provider}${redirect === null ? '' : `?redirect=${encodeURIComponent(redirect)}`}`,
        { redirect: 'manual' },
      ),
    );

  /** start → provider's authorize page → callback; answers where the callback sent the browser. */
  async function signIn(provider: string, who: Person, redirect = APP) {
    providers.person = who;
    const started = await start(provider, redirect);
    expect(started.status).toBe(302);
    const authorize = new URL(started.headers.get('location')!);
    const atProvider = await fetch(authorize, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const callback = new URL(atProvider.headers.get('location')!);
    const back = await toServer(callback);
    expect(back.status).toBe(302);
    expect(back.headers.get('cache-control')).toBe('no-store');
    return { authorize, callback, app: new URL(back.headers.get('location')!) };
  }

  const exchange = (code: string, collection = 'users') =>
    api(t)('POST', `/api/collections/${collection}/auth-with-oauth2-code`, { code });

  /** A full sign-in that must succeed; answers the tokens. */
  async function signInOk(provider: string, who: Person) {
    const { app } = await signIn(provider, who);
    expect(app.searchParams.get('error')).toBeNull();
    const code = app.searchParams.get('code')!;
    expect(code).toBeTruthy();
    const res = await exchange(code);
    expect(res.status).toBe(200);
    return res.body as {
      token: string;
      refreshToken: string;
      record: Record<string, unknown> & { id: string };
      meta: { isNew: boolean };
    };
  }

  const identityCount = async () =>
    Number((await t.db.query('SELECT count(*)::int AS n FROM plinth.external_identity')).rows[0].n);

  const createPasswordUser = async (email: string) => {
    const res = await api(t)('POST', '/api/collections/users/records', {
      email,
      password: 'password-123456',
      passwordConfirm: 'password-123456',
    });
    expect(res.status).toBe(200);
    return res.body.id as string;
  };
  const passwordSignIn = (email: string) =>
    api(t)('POST', '/api/collections/users/auth-with-password', {
      identity: email,
      password: 'password-123456',
    });

  describe('configuration', () => {
    it('never answers client secrets and stores them encrypted', async () => {
      const answers = [
        await api(t, admin)('GET', '/api/collections/users'),
        await api(t, admin)('GET', '/api/collections'),
        await api(t, admin)('GET', '/api/collections/export'),
        await api(t, admin)('PATCH', '/api/collections/users', { listRule: 'id = @request.auth.id' }),
      ];
      for (const res of answers) {
        expect(res.status).toBe(200);
        const text = JSON.stringify(res.body);
        for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
        expect(text).not.toContain('enc:v1:');
      }
      const providers = answers[0]!.body.oauth2.providers;
      expect(providers.map((p: { name: string; clientSecret: string }) => [p.name, p.clientSecret])).toEqual([
        ['google', ''],
        ['oidc', ''],
        ['github', ''],
      ]);
      expect(providers[0]).toMatchObject({ clientId: 'google-client', tokenUrl: `${issuer}/token` });

      const raw = await t.db.query("SELECT options::text AS o FROM plinth.collection WHERE name = 'users'");
      const stored = raw.rows[0].o as string;
      for (const secret of Object.values(SECRETS)) expect(stored).not.toContain(secret);
      expect(stored.match(/enc:v1:/g)).toHaveLength(3);
    });

    it('keeps the stored secret when a PATCH sends clientSecret "" (and uses it at the token endpoint)', async () => {
      const sealedOf = async () =>
        (
          await t.db.query(
            "SELECT options->'oauth2'->'providers' AS p FROM plinth.collection WHERE name = 'users'",
          )
        ).rows[0].p as Array<{ name: string; clientSecret: string }>;
      const before = await sealedOf();
      const res = await api(t, admin)('PATCH', '/api/collections/users', {
        options: oauth2Options({ oidc: 'oidc-client-secret-rotated' }),
      });
      expect(res.status).toBe(200);
      const after = await sealedOf();
      expect(after[0]!.clientSecret).toBe(before[0]!.clientSecret);
      expect(after[2]!.clientSecret).toBe(before[2]!.clientSecret);
      expect(after[1]!.clientSecret).not.toBe(before[1]!.clientSecret);

      tokenRequests.length = 0;
      await signInOk('google', {
        sub: 'secret-check',
        email: 'secret-check@example.com',
        emailVerified: true,
      });
      await signInOk('oidc', {
        sub: 'secret-check',
        email: 'secret-check2@example.com',
        emailVerified: true,
      });
      expect(tokenRequests.map((r) => [r.client_id, r.client_secret])).toEqual([
        ['google-client', SECRETS.google],
        ['oidc-client', 'oidc-client-secret-rotated'],
      ]);
    });

    it('refuses invalid oauth2 options, naming each path, and keeps the stored ones', async () => {
      const res = await api(t, admin)('PATCH', '/api/collections/users', {
        options: {
          oauth2: {
            enabled: 'yes',
            redirectAllowList: ['not a url', 'https://app.example/auth?next=1', 'javascript://x'],
            providers: [
              { name: 'facebook', clientId: 'x' },
              { name: 'google', clientId: ' ', clientSecret: 'x' },
              { name: 'github', clientId: 'x', tokenUrl: 'ftp://x', issuer: 'https://x' },
              { name: 'oidc', clientId: 'x', issuer: 'id.example' },
              { name: 'google', clientId: 'y', extra: 1 },
            ],
          },
        },
      });
      const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
      expect(problem.errors.map((e: { path: string; code: string }) => [e.path, e.code])).toEqual(
        expect.arrayContaining([
          ['options.oauth2.enabled', 'INVALID_TYPE'],
          ['options.oauth2.redirectAllowList.0', 'INVALID_VALUE'],
          ['options.oauth2.redirectAllowList.1', 'INVALID_VALUE'],
          ['options.oauth2.redirectAllowList.2', 'INVALID_VALUE'],
          ['options.oauth2.providers.0.name', 'INVALID_VALUE'],
          ['options.oauth2.providers.1.clientId', 'REQUIRED'],
          ['options.oauth2.providers.2.tokenUrl', 'INVALID_VALUE'],
          ['options.oauth2.providers.2.issuer', 'OPTION_NOT_ALLOWED'],
          ['options.oauth2.providers.3.issuer', 'INVALID_VALUE'],
          ['options.oauth2.providers.4.name', 'DUPLICATE_VALUE'],
          ['options.oauth2.providers.4.extra', 'UNKNOWN_KEY'],
        ]),
      );
      const methods = await api(t)('GET', '/api/collections/users/auth-methods');
      expect(methods.body.oauth2.providers.map((p: { name: string }) => p.name)).toEqual([
        'google',
        'oidc',
        'github',
      ]);
    });

    it('auth-methods lists each enabled provider with its start route', async () => {
      const res = await api(t)('GET', '/api/collections/users/auth-methods');
      expect(res.status).toBe(200);
      expect(res.body.oauth2).toEqual({
        enabled: true,
        providers: ['google', 'oidc', 'github'].map((name) => ({
          name,
          authUrl: `${PUBLIC_URL}/api/collections/users/auth/oauth2/${name}`,
        })),
      });
      expect(JSON.stringify(res.body)).not.toContain('client');
    });
  });

  describe('Google (passport-google-oauth20)', () => {
    it('redirects to the provider with state, PKCE S256 and the absolute callback', async () => {
      const res = await start('google');
      expect(res.status).toBe(302);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const to = new URL(res.headers.get('location')!);
      expect(`${to.origin}${to.pathname}`).toBe(`${issuer}/authorize`);
      const q = to.searchParams;
      expect(q.get('client_id')).toBe('google-client');
      expect(q.get('response_type')).toBe('code');
      expect(q.get('redirect_uri')).toBe(`${PUBLIC_URL}/api/collections/users/auth/oauth2/google/callback`);
      expect(q.get('scope')).toBe('openid email profile');
      expect(q.get('code_challenge_method')).toBe('S256');
      expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
      expect(q.get('client_secret')).toBeNull();
    });

    it('creates the user on first sign-in, signs the same user in the second time', async () => {
      tokenRequests.length = 0;
      const who = { sub: 'g-1001', email: 'grace@example.com', emailVerified: true };
      const first = await signInOk('google', who);
      expect(first.meta).toEqual({ isNew: true });
      expect(typeof first.token).toBe('string');
      expect(typeof first.refreshToken).toBe('string');
      expect(first.record).toMatchObject({
        email: 'grace@example.com',
        verified: true,
        collectionName: 'users',
      });
      expect(first.record).not.toHaveProperty('password_hash');

      // PKCE: the token request carried the verifier of the challenge sent at the start.
      const [request] = tokenRequests;
      expect(request!.code_verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);

      // The access token is the user's: the users rules let them see their own record only.
      const me = await api(t, first.token)('GET', `/api/collections/users/records/${first.record.id}`);
      expect(me.status).toBe(200);
      expect(me.body.email).toBe('grace@example.com');
      const list = await api(t, first.token)('GET', '/api/collections/users/records');
      expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([first.record.id]);
      // And the refresh token works like a password sign-in's.
      const refreshed = await api(t)('POST', '/api/collections/users/auth-refresh', {
        refreshToken: first.refreshToken,
      });
      expect(refreshed.status).toBe(200);

      const second = await signInOk('google', who);
      expect(second.meta).toEqual({ isNew: false });
      expect(second.record.id).toBe(first.record.id);
    });

    it('sends the verifier whose S256 hash is the challenge of the same sign-in', async () => {
      tokenRequests.length = 0;
      const { authorize } = await signIn('google', {
        sub: 'g-pkce',
        email: 'pkce@example.com',
        emailVerified: true,
      });
      const verifier = tokenRequests[0]!.code_verifier!;
      expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
        authorize.searchParams.get('code_challenge'),
      );
    });

    it('keeps the redirect URL as given and adds the code to it', async () => {
      const { app } = await signIn(
        'google',
        { sub: 'g-1001', email: 'grace@example.com', emailVerified: true },
        `${APP}/done?next=%2Fhome`,
      );
      expect(`${app.origin}${app.pathname}`).toBe(`${APP}/done`);
      expect(app.searchParams.get('next')).toBe('/home');
      expect(app.searchParams.get('code')).toBeTruthy();
    });
  });

  describe('OpenID Connect (openid-client, issuer discovery)', () => {
    it('redirects to the discovered authorization endpoint with state, nonce and PKCE', async () => {
      const res = await start('oidc');
      expect(res.status).toBe(302);
      const to = new URL(res.headers.get('location')!);
      expect(`${to.origin}${to.pathname}`).toBe(`${issuer}/authorize`);
      expect(to.searchParams.get('scope')).toBe('openid email profile');
      expect(to.searchParams.get('redirect_uri')).toBe(
        `${PUBLIC_URL}/api/collections/users/auth/oauth2/oidc/callback`,
      );
      expect(to.searchParams.get('nonce')).toBeTruthy();
      expect(to.searchParams.get('state')).toBeTruthy();
      expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    });

    it('creates the user from the ID token claims, then signs them in again', async () => {
      tokenRequests.length = 0;
      const who = { sub: 'oidc-42', email: 'olga@example.com', emailVerified: true };
      const first = await signInOk('oidc', who);
      expect(first.meta.isNew).toBe(true);
      expect(first.record).toMatchObject({ email: 'olga@example.com', verified: true });
      expect(tokenRequests[0]!.code_verifier).toBeTruthy();
      const second = await signInOk('oidc', who);
      expect(second.meta.isNew).toBe(false);
      expect(second.record.id).toBe(first.record.id);
    });

    it('links an existing verified account through a verified email; its password keeps working', async () => {
      const id = await createPasswordUser('vera@example.com');
      await t.db.query(`UPDATE "data"."users" SET verified = true WHERE id = $1`, [id]);
      const signedIn = await signInOk('oidc', {
        sub: 'oidc-vera',
        email: 'Vera@example.com',
        emailVerified: true,
      });
      expect(signedIn.meta.isNew).toBe(false);
      expect(signedIn.record.id).toBe(id);
      expect((await passwordSignIn('vera@example.com')).status).toBe(200);
    });
  });

  describe('GitHub (passport-github2)', () => {
    it('signs in with the primary verified email from /user/emails', async () => {
      const who = {
        sub: '583231',
        githubEmails: [
          { email: 'octo-old@example.com', primary: false, verified: true },
          { email: 'octocat@example.com', primary: true, verified: true },
        ],
      };
      const first = await signInOk('github', who);
      expect(first.meta.isNew).toBe(true);
      expect(first.record).toMatchObject({ email: 'octocat@example.com', verified: true });
      const second = await signInOk('github', who);
      expect(second.meta.isNew).toBe(false);
      expect(second.record.id).toBe(first.record.id);
    });

    it('does not link through a primary email GitHub has not verified', async () => {
      await createPasswordUser('hubert@example.com');
      const before = await identityCount();
      const { app } = await signIn('github', {
        sub: '777',
        githubEmails: [{ email: 'hubert@example.com', primary: true, verified: false }],
      });
      expect(app.searchParams.get('code')).toBeNull();
      expect(app.searchParams.get('error')).toBe('OAUTH2_EMAIL_TAKEN');
      expect(await identityCount()).toBe(before);
    });
  });

  describe('linking by email', () => {
    it('links an unverified password account through a verified provider email and locks out its old password', async () => {
      const id = await createPasswordUser('linus@example.com');
      expect((await passwordSignIn('linus@example.com')).status).toBe(200);
      const signedIn = await signInOk('google', {
        sub: 'g-linus',
        email: 'linus@example.com',
        emailVerified: true,
      });
      expect(signedIn.meta.isNew).toBe(false);
      expect(signedIn.record.id).toBe(id);
      expect(signedIn.record.verified).toBe(true);
      // Whoever registered the address before its owner proved it no longer gets in with that password.
      expect((await passwordSignIn('linus@example.com')).body.code).toBe('INVALID_CREDENTIALS');
    });

    it('refuses to link through an email the provider has not verified', async () => {
      const id = await createPasswordUser('uma@example.com');
      const before = await identityCount();
      const { app } = await signIn('google', {
        sub: 'g-uma',
        email: 'uma@example.com',
        emailVerified: false,
      });
      expect(`${app.origin}${app.pathname}`).toBe(APP);
      expect(app.searchParams.get('code')).toBeNull();
      expect(app.searchParams.get('error')).toBe('OAUTH2_EMAIL_TAKEN');
      expect(app.searchParams.get('error_description')).toBeTruthy();
      expect(await identityCount()).toBe(before);
      // The password account is untouched.
      expect((await passwordSignIn('uma@example.com')).body.record.id).toBe(id);
    });

    it('creates an unverified account for an unverified email nobody has', async () => {
      const res = await signInOk('google', {
        sub: 'g-newbie',
        email: 'newbie@example.com',
        emailVerified: false,
      });
      expect(res.meta.isNew).toBe(true);
      expect(res.record).toMatchObject({ email: 'newbie@example.com', verified: false });
    });

    it('treats the identity of a deleted user as absent', async () => {
      const who = { sub: 'g-gone', email: 'gone@example.com', emailVerified: true };
      const first = await signInOk('google', who);
      expect(
        (await api(t, admin)('DELETE', `/api/collections/users/records/${first.record.id}`)).status,
      ).toBe(204);
      const again = await signInOk('google', who);
      expect(again.meta.isNew).toBe(true);
      expect(again.record.id).not.toBe(first.record.id);
    });
  });

  describe('refusals', () => {
    it('refuses a redirect outside the allow-list with 400, before any provider is involved', async () => {
      for (const redirect of [
        'https://evil.example/auth',
        'https://app.example.evil.test/auth',
        'https://app.example/authority',
        'http://app.example/auth',
        'https://user@app.example/auth',
        'javascript:alert(1)',
        '/auth',
        null,
      ]) {
        const res = await start('google', redirect);
        await expectProblem(res, 400, 'OAUTH2_REDIRECT_NOT_ALLOWED');
        expect(res.headers.get('location')).toBeNull();
      }
      expect((await start('google', 'myapp://oauth/callback')).status).toBe(302);
    });

    it('refuses providers that are not configured', async () => {
      await expectProblem(await start('facebook'), 400, 'OAUTH2_PROVIDER_UNAVAILABLE');
      await expectProblem(await start('google', APP, 'nope'), 404, 'COLLECTION_NOT_FOUND');
    });

    it("refuses a callback with a wrong, missing, reused or other provider's state, and issues nothing", async () => {
      providers.person = { sub: 'g-state', email: 'state@example.com', emailVerified: true };
      const before = await identityCount();
      const started = await start('google');
      const atProvider = await fetch(new URL(started.headers.get('location')!), { redirect: 'manual' });
      const callback = new URL(atProvider.headers.get('location')!);

      const tampered = new URL(callback);
      tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
      await expectProblem(await toServer(tampered), 400, 'OAUTH2_STATE_INVALID');
      const missing = new URL(callback);
      missing.searchParams.delete('state');
      await expectProblem(await toServer(missing), 400, 'OAUTH2_STATE_INVALID');
      const otherProvider = new URL(callback.toString().replace('/oauth2/google/', '/oauth2/oidc/'));
      await expectProblem(await toServer(otherProvider), 400, 'OAUTH2_STATE_INVALID');
      // The state was taken by that attempt: the genuine callback now finds nothing either.
      await expectProblem(await toServer(callback), 400, 'OAUTH2_STATE_INVALID');
      expect(await identityCount()).toBe(before);

      // A state works once: replaying a successful callback is refused.
      const { callback: used } = await signIn('google', providers.person);
      await expectProblem(await toServer(used), 400, 'OAUTH2_STATE_INVALID');
    });

    it('refuses a callback link opened in another browser (login CSRF), without using up the state', async () => {
      providers.person = { sub: 'g-csrf', email: 'csrf@example.com', emailVerified: true };
      const before = await identityCount();
      const started = await start('google');
      const atProvider = await fetch(new URL(started.headers.get('location')!), { redirect: 'manual' });
      const callback = new URL(atProvider.headers.get('location')!);
      // The attacker forwards their callback link: the victim's browser has no cookie for this flow.
      const forwarded = await toServer(callback, false);
      const body = await expectProblem(forwarded, 400, 'OAUTH2_STATE_INVALID');
      expect(String(body.detail)).toMatch(/not started in this browser/);
      expect(await identityCount()).toBe(before);
      // The browser that started it still finishes.
      const back = await toServer(callback);
      expect(back.status).toBe(302);
      expect(new URL(back.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    });

    it('accepts a one-time code once', async () => {
      const { app } = await signIn('google', {
        sub: 'g-once',
        email: 'once@example.com',
        emailVerified: true,
      });
      const code = app.searchParams.get('code')!;
      expect((await exchange(code)).status).toBe(200);
      expectApiProblem(await exchange(code), 400, 'OAUTH2_CODE_INVALID');
      expectApiProblem(await exchange('made-up-code'), 400, 'OAUTH2_CODE_INVALID');
      expectApiProblem(await exchange(''), 400, 'VALIDATION_FAILED');
    });

    it('sends the app an error when the user cancels at the provider', async () => {
      mock.service.once('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
        redirect.url.searchParams.delete('code');
        redirect.url.searchParams.set('error', 'access_denied');
      });
      const { app } = await signIn('google', { sub: 'g-cancel' });
      expect(`${app.origin}${app.pathname}`).toBe(APP);
      expect(app.searchParams.get('error')).toBe('OAUTH2_ACCESS_DENIED');
      expect(app.searchParams.get('code')).toBeNull();
    });

    it('sends the app an error when the provider refuses the code', async () => {
      mock.service.once('beforeResponse', (res: { body: unknown; statusCode: number }) => {
        res.body = { error: 'invalid_grant' };
        res.statusCode = 400;
      });
      const { app } = await signIn('google', {
        sub: 'g-badcode',
        email: 'badcode@example.com',
        emailVerified: true,
      });
      expect(app.searchParams.get('error')).toBe('OAUTH2_PROVIDER_FAILED');
      expect(app.searchParams.get('code')).toBeNull();
    });

    it('stops offering sign-in once oauth2 is switched off', async () => {
      const off = oauth2Options({});
      off.oauth2.enabled = false;
      expect((await api(t, admin)('PATCH', '/api/collections/users', { options: off })).status).toBe(200);
      await expectProblem(await start('google'), 400, 'OAUTH2_PROVIDER_UNAVAILABLE');
      expect((await api(t)('GET', '/api/collections/users/auth-methods')).body.oauth2).toEqual({
        enabled: false,
        providers: [],
      });
    });
  });
});
