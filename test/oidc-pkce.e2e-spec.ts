import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from './support/auth.js';
import { MockProviders, oauth2Browser } from './support/oauth2-provider.js';
import { expectProblem } from './support/problem.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PUBLIC_URL = 'http://plinth.test';
const APP = 'https://app.example/auth';

/**
 * Issue 18: OpenID Connect runs on openid-client. What the issuer sees proves PKCE (S256) and the
 * nonce are really used, and what Plinth refuses proves state, nonce and issuer are checked.
 */
describe('social sign-in: OpenID Connect through openid-client (PKCE, state, nonce, issuer)', () => {
  let idp: MockProviders;
  let t: App;
  let flow: ReturnType<typeof oauth2Browser>;
  let admin = '';
  /** Query strings of the authorize requests the issuer received, newest last. */
  const authorizeRequests: URLSearchParams[] = [];
  /** Changes the next ID tokens' claims (a misbehaving or hostile issuer). */
  let tamper: Record<string, unknown> = {};

  const identityCount = async () =>
    Number((await t.db.query('SELECT count(*)::int AS n FROM plinth.external_identity')).rows[0].n);

  const configure = (endpoints: { tokenUrl?: string; userInfoUrl?: string }) =>
    api(t, admin)('PATCH', '/api/collections/users', {
      options: {
        oauth2: {
          enabled: true,
          redirectAllowList: [APP],
          providers: [
            {
              name: 'oidc',
              clientId: 'plinth',
              clientSecret: 'oidc-secret',
              issuer: idp.issuer,
              ...endpoints,
            },
          ],
        },
      },
    });

  beforeAll(async () => {
    idp = await MockProviders.start();
    idp.mock.service.on('beforeAuthorizeRedirect', (_uri: unknown, req: IncomingMessage) => {
      authorizeRequests.push(new URL(req.url ?? '/', idp.issuer).searchParams);
    });
    // Registered after MockProviders' own handler, so these claims win.
    idp.mock.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
      Object.assign(token.payload, tamper);
    });
    t = await startIsolatedApp({ env: { PUBLIC_URL, PLINTH_AUTH_RATE_PER_IP: '10000' } });
    admin = await adminToken(t);
    ok(await configure({}));
    flow = oauth2Browser(() => t, idp, { publicUrl: PUBLIC_URL, app: APP });
  });
  afterAll(async () => {
    await t?.stop();
    await idp?.stop();
  });

  it('sends an S256 code_challenge with the authorization request and its verifier with the code', async () => {
    authorizeRequests.length = 0;
    idp.tokenRequests.length = 0;
    const signedIn = await flow.signInOk('oidc', {
      sub: 'pkce-1',
      email: 'pkce@example.com',
      emailVerified: true,
    });
    expect(signedIn.record).toMatchObject({ email: 'pkce@example.com', verified: true });

    expect(authorizeRequests).toHaveLength(1);
    const authorize = authorizeRequests[0]!;
    expect(authorize.get('code_challenge_method')).toBe('S256');
    expect(authorize.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(authorize.get('client_id')).toBe('plinth');
    const tokenRequest = idp.tokenRequests.find((r) => r.grant_type === 'authorization_code')!;
    expect(tokenRequest.code_verifier).toMatch(/^[\w-]{43,128}$/);
    // The verifier sent with the code is the one whose S256 hash went with the authorization request.
    expect(createHash('sha256').update(tokenRequest.code_verifier!).digest('base64url')).toBe(
      authorize.get('code_challenge'),
    );
    expect(tokenRequest.redirect_uri).toBe(`${PUBLIC_URL}/api/collections/users/auth/oauth2/oidc/callback`);
  });

  it('refuses a callback with a wrong state before any code reaches the issuer', async () => {
    const started = await flow.start('oidc');
    const callback = await flow.atProvider(new URL(started.headers.get('location')!));
    idp.tokenRequests.length = 0;
    const before = await identityCount();
    const wrong = new URL(callback);
    wrong.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    await expectProblem(await flow.toServer(wrong), 400, 'OAUTH2_STATE_INVALID');
    expect(idp.tokenRequests).toEqual([]);
    expect(await identityCount()).toBe(before);
  });

  it.each([
    ['a nonce of another sign-in', { nonce: 'not-the-nonce-of-this-sign-in' }],
    ['another issuer', { iss: 'https://evil.example' }],
    ['another audience', { aud: 'someone-else' }],
  ])('refuses an ID token with %s and creates nobody', async (_what, claims) => {
    const before = await identityCount();
    tamper = claims;
    try {
      const { app } = await flow.signIn('oidc', {
        sub: 'tampered',
        email: 't@example.com',
        emailVerified: true,
      });
      expect(`${app.origin}${app.pathname}`).toBe(APP);
      expect(app.searchParams.get('code')).toBeNull();
      expect(app.searchParams.get('error')).toBe('OAUTH2_PROVIDER_FAILED');
      expect(app.searchParams.get('error_description')).toBe('Sign-in with oidc failed. Try again.');
    } finally {
      tamper = {};
    }
    expect(await identityCount()).toBe(before);
  });

  it('uses token and userinfo URLs the collection sets instead of the discovered ones', async () => {
    const seen: string[] = [];
    const note = (_res: unknown, req: IncomingMessage) => seen.push(req.url ?? '');
    idp.mock.service.on('beforeResponse', note);
    idp.mock.service.on('beforeUserinfo', note);
    try {
      ok(
        await configure({
          tokenUrl: `${idp.issuer}/token?via=collection`,
          userInfoUrl: `${idp.issuer}/userinfo?via=collection`,
        }),
      );
      const signedIn = await flow.signInOk('oidc', {
        sub: 'override-1',
        email: 'o@example.com',
        emailVerified: true,
      });
      expect(signedIn.record).toMatchObject({ email: 'o@example.com' });
      expect(seen).toEqual(['/token?via=collection', '/userinfo?via=collection']);
    } finally {
      idp.mock.service.off('beforeResponse', note);
      idp.mock.service.off('beforeUserinfo', note);
      ok(await configure({}));
    }
  });
});
