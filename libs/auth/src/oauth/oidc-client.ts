import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import {
  assertPublicUrl,
  httpSend,
  PLINTH_CONFIG,
  publicOnlyLookup,
  type ResolvedConfig,
} from '@plinth/core';
import * as client from 'openid-client';
import type { OAuth2ProviderSettings } from './oauth2-settings.js';
import { oidcIdentity, type ProviderIdentity } from './provider-identity.js';

const CACHE_MS = 60 * 60 * 1000;
const TIMEOUT_MS = 10_000;
const NO_BODY = new Set([101, 204, 205, 304]);

/** What the start route keeps for the callback (next to the state, in Redis). */
export interface OidcSecrets {
  verifier: string;
  nonce: string;
}

/** The body of a request openid-client makes, as the HTTP client sends it. */
function bodyOf(body: client.CustomFetchOptions['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer || body instanceof Uint8Array) return Buffer.from(body as Uint8Array);
  throw new Error('A streamed request body is not supported.');
}

/**
 * openid-client's requests go through Plinth's HTTP client: a timeout, a capped answer, and unless
 * PLINTH_ALLOW_PRIVATE_ENDPOINTS the outbound guard, which checks the URL and the address actually
 * connected to (issue 16). openid-client itself refuses http unless private endpoints are allowed.
 */
function guardedFetch(lookup: LookupFunction | undefined): client.CustomFetch {
  return async (url, options) => {
    if (lookup) assertPublicUrl(url);
    const answer = await httpSend(url, {
      method: options.method,
      headers: options.headers,
      body: bodyOf(options.body),
      timeoutMs: TIMEOUT_MS,
      lookup,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const v of [value ?? []].flat()) headers.append(name, v);
    }
    return new Response(NO_BODY.has(answer.status) ? null : answer.body, { status: answer.status, headers });
  };
}

/**
 * OpenID Connect sign-in through openid-client (issue 18): discovery, the authorization URL with
 * state, nonce and PKCE (S256), the code exchange with its ID token checks (issuer, audience, nonce,
 * expiry) and userinfo. Discovery is kept an hour per issuer, client and replica; a failure is not kept.
 */
@Injectable()
export class OidcClient {
  private readonly cache = new Map<string, { at: number; config: Promise<client.Configuration> }>();
  private readonly lookup?: LookupFunction;
  private readonly fetch: client.CustomFetch;

  constructor(@Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig) {
    if (!config.allowPrivateEndpoints) this.lookup = publicOnlyLookup();
    this.fetch = guardedFetch(this.lookup);
  }

  private options(): client.DiscoveryRequestOptions {
    return {
      [client.customFetch]: this.fetch,
      timeout: TIMEOUT_MS / 1000,
      // Local issuers (tests, a Keycloak on the LAN) speak http; only where private endpoints are allowed.
      execute: this.config.allowPrivateEndpoints ? [client.allowInsecureRequests] : [],
    };
  }

  /**
   * The client of `issuer` from its discovery document (`${issuer}/.well-known/openid-configuration`),
   * so openid-client's own issuer rules apply (Entra ID's tenant issuers among them).
   */
  private discover(issuer: string, clientId: string, secret: string): Promise<client.Configuration> {
    const key = `${issuer} ${clientId} ${createHash('sha256').update(secret).digest('hex')}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.config;
    const discover = (url: string) =>
      client.discovery(new URL(url), clientId, secret, undefined, this.options());
    const config = discover(issuer).catch((err: unknown) => {
      // An issuer configured with(out) a trailing slash its document does not have: the same issuer.
      const named = (err as { cause?: { body?: { issuer?: unknown } } }).cause?.body?.issuer;
      const trim = (v: string) => v.replace(/\/+$/, '');
      if (typeof named === 'string' && named !== issuer && trim(named) === trim(issuer))
        return discover(named);
      throw err;
    });
    this.cache.set(key, { at: Date.now(), config });
    config.catch(() => this.cache.delete(key));
    return config;
  }

  /** The client of this provider: discovered endpoints, unless the collection sets its own. */
  async configuration(provider: OAuth2ProviderSettings): Promise<client.Configuration> {
    const discovered = await this.discover(provider.issuer!, provider.clientId!, provider.clientSecret);
    if (!provider.authUrl && !provider.tokenUrl && !provider.userInfoUrl) return discovered;
    // Without openid-client's helper method: the metadata is cloned later, a function cannot be.
    const { supportsPKCE, ...metadata } = discovered.serverMetadata();
    void supportsPKCE;
    const server: client.ServerMetadata = {
      ...metadata,
      authorization_endpoint: provider.authUrl ?? metadata.authorization_endpoint,
      token_endpoint: provider.tokenUrl ?? metadata.token_endpoint,
      userinfo_endpoint: provider.userInfoUrl ?? metadata.userinfo_endpoint,
    };
    const config = new client.Configuration(server, provider.clientId!, provider.clientSecret);
    config[client.customFetch] = this.fetch;
    config.timeout = TIMEOUT_MS / 1000;
    for (const extension of this.options().execute ?? []) extension(config);
    return config;
  }

  /** Fresh PKCE verifier and nonce for one sign-in. */
  newSecrets(): OidcSecrets {
    return { verifier: client.randomPKCECodeVerifier(), nonce: client.randomNonce() };
  }

  /** The provider's authorization page for one sign-in. */
  async authorizationUrl(
    config: client.Configuration,
    input: OidcSecrets & { state: string; callbackUrl: string },
  ): Promise<string> {
    return client
      .buildAuthorizationUrl(config, {
        redirect_uri: input.callbackUrl,
        scope: 'openid email profile',
        state: input.state,
        nonce: input.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(input.verifier),
        code_challenge_method: 'S256',
      })
      .toString();
  }

  /**
   * The callback: code → tokens (sending the PKCE verifier; the ID token's issuer, audience, nonce
   * and expiry checked) → who signed in, completed by userinfo when the issuer has one.
   */
  async signIn(
    config: client.Configuration,
    input: OidcSecrets & { state: string; callbackUrl: string; query: Record<string, string | undefined> },
  ): Promise<{ identity: ProviderIdentity | null; issuer: string }> {
    const current = new URL(input.callbackUrl);
    for (const [key, value] of Object.entries(input.query)) {
      if (value !== undefined) current.searchParams.set(key, value);
    }
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: input.verifier,
      expectedState: input.state,
      expectedNonce: input.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) return { identity: null, issuer: '' };
    const userinfo = config.serverMetadata().userinfo_endpoint
      ? await client.fetchUserInfo(config, tokens.access_token, claims.sub)
      : undefined;
    return { identity: oidcIdentity(claims, userinfo), issuer: claims.iss.replace(/\/+$/, '') };
  }
}
