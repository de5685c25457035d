import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { assertPublicUrl } from '@plinth/core';
import { Strategy as GithubStrategyTyped } from 'passport-github2';
import { Strategy as GoogleStrategyTyped } from 'passport-google-oauth20';
import type { OAuth2ProviderSettings } from './oauth2-settings.js';
import { githubIdentity, googleIdentity, type ProviderIdentity } from './provider-identity.js';
import type { PassportStrategy } from './run-strategy.js';

/** The strategies as Plinth calls them (their typings assume Express requests). */
type StrategyClass = new (options: object, verify: (...args: never[]) => void) => object;
const GoogleStrategy = GoogleStrategyTyped as unknown as StrategyClass;
const GithubStrategy = GithubStrategyTyped as unknown as StrategyClass;

type Callback = (err: unknown, body?: unknown, res?: unknown) => void;

/** The `oauth` library's client inside every strategy (a "protected" member Passport documents). */
interface OAuthClient {
  get(url: string, accessToken: string, cb: Callback): void;
  getOAuthAccessToken(code: string, params: Record<string, string>, cb: Callback): void;
  useAuthorizationHeaderforGET(use: boolean): void;
  setAgent(agent: https.Agent): void;
}

type Verified = (err: Error | null, user?: ProviderIdentity | false, info?: { message: string }) => void;

const noIdentity = { message: 'The provider did not say who signed in.' };

/**
 * Profile bodies are parsed by the strategies inside the HTTP client's callback, where some of
 * them (passport-github2's email list) would throw out of the
 * request and crash the process on a body that is not JSON. Such a body becomes an error here.
 */
function guardJson(client: OAuthClient): void {
  const get = client.get.bind(client);
  client.get = (url, token, cb) =>
    get(url, token, (err, body, res) => {
      if (err) return cb(err, body, res);
      try {
        JSON.parse(String(body));
      } catch {
        return cb({ statusCode: 502, data: 'The provider answered with something that is not JSON.' });
      }
      cb(null, body, res);
    });
}

const clientOf = (strategy: unknown): OAuthClient => (strategy as { _oauth2: OAuthClient })._oauth2;

export interface StrategyInput {
  settings: OAuth2ProviderSettings;
  callbackUrl: string;
  store: object;
  /**
   * Set unless PLINTH_ALLOW_PRIVATE_ENDPOINTS: token and userinfo requests resolve through it, so a
   * private address is refused on connect (issue 16). Those URLs must then be https.
   */
  lookup?: LookupFunction;
}

/** One agent per lookup: the strategies are built per request, their connections are not. */
const agents = new WeakMap<LookupFunction, https.Agent>();

function guardAddresses(strategy: unknown, lookup: LookupFunction | undefined, urls: unknown[]): void {
  if (!lookup) return;
  for (const url of urls) if (typeof url === 'string' && url) assertPublicUrl(url);
  let agent = agents.get(lookup);
  if (!agent) agents.set(lookup, (agent = new https.Agent({ keepAlive: true, lookup })));
  clientOf(strategy).setAgent(agent);
}

/**
 * A fresh Google or GitHub strategy for one request: per-request state stays out of shared objects.
 * OpenID Connect goes through openid-client instead (oidc-client.ts).
 */
export function buildStrategy(input: StrategyInput): PassportStrategy {
  const { settings, callbackUrl, store } = input;
  const common = {
    clientID: settings.clientId,
    clientSecret: settings.clientSecret,
    callbackURL: callbackUrl,
    store,
    state: true,
    pkce: true,
  };
  switch (settings.name) {
    case 'google': {
      const strategy = new GoogleStrategy(
        {
          ...common,
          authorizationURL: settings.authUrl,
          tokenURL: settings.tokenUrl,
          userProfileURL: settings.userInfoUrl,
          scope: ['openid', 'email', 'profile'],
        },
        (_access: string, _refresh: string, profile: { _json?: unknown }, done: Verified) => {
          const identity = googleIdentity(profile._json);
          return identity ? done(null, identity) : done(null, false, noIdentity);
        },
      );
      const client = clientOf(strategy);
      // Otherwise the access token travels to userinfo in the query string (PITFALLS).
      client.useAuthorizationHeaderforGET(true);
      guardJson(client);
      guardAddresses(strategy, input.lookup, [settings.tokenUrl, settings.userInfoUrl]);
      return strategy as unknown as PassportStrategy;
    }
    case 'github': {
      const strategy = new GithubStrategy(
        {
          ...common,
          authorizationURL: settings.authUrl,
          tokenURL: settings.tokenUrl,
          userProfileURL: settings.userInfoUrl,
          // GitHub Enterprise and tests: the email list sits under the profile URL (…/user/emails).
          userEmailURL: settings.userInfoUrl
            ? `${settings.userInfoUrl.replace(/\/+$/, '')}/emails`
            : undefined,
          scope: ['read:user', 'user:email'],
          allRawEmails: true,
          userAgent: 'Plinth',
        },
        (
          _access: string,
          _refresh: string,
          profile: { _json?: unknown; emails?: unknown },
          done: Verified,
        ) => {
          const identity = githubIdentity(profile._json, profile.emails);
          return identity ? done(null, identity) : done(null, false, noIdentity);
        },
      );
      guardJson(clientOf(strategy));
      guardAddresses(strategy, input.lookup, [settings.tokenUrl, settings.userInfoUrl]);
      return strategy as unknown as PassportStrategy;
    }
    case 'oidc':
      throw new Error('OpenID Connect signs in through OidcClient, not Passport.');
  }
}
