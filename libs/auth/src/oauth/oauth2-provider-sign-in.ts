import type { LookupFunction } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CompiledCollection } from '@plinth/collections';
import { AppError, PLINTH_CONFIG, publicOnlyLookup, type ResolvedConfig, SecretBox } from '@plinth/core';
import type { Configuration } from 'openid-client';
import {
  missingProviderSettings,
  type OAuth2ProviderSettings,
  oauth2SettingsOf,
  providerSettings,
} from './oauth2-settings.js';
import { type OAuth2StateEntry, OAuth2StateRepository, OAuth2StateStore } from './oauth2-state.js';
import { buildStrategy } from './oauth2-strategies.js';
import { OidcClient } from './oidc-client.js';
import type { ProviderIdentity } from './provider-identity.js';
import { runStrategy, type StrategyOutcome, type StrategyRequest } from './run-strategy.js';
import { SignInRefused } from './sign-in-refused.js';

/**
 * The conversation with the provider: the authorization URL of a start, and on the callback the code
 * exchanged for who signed in. Passport strategies for Google and GitHub, openid-client for OIDC.
 */
@Injectable()
export class OAuth2ProviderSignIn {
  private readonly logger = new Logger('OAuth2');
  private readonly box: SecretBox;
  /** Unless PLINTH_ALLOW_PRIVATE_ENDPOINTS: token and userinfo requests refuse private addresses. */
  private readonly lookup?: LookupFunction;

  constructor(
    private readonly states: OAuth2StateRepository,
    private readonly oidc: OidcClient,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.box = new SecretBox(config.secret);
    if (!config.allowPrivateEndpoints) this.lookup = publicOnlyLookup();
  }

  /** The provider's settings for this collection; OAUTH2_PROVIDER_UNAVAILABLE when it is off or not set up. */
  provider(c: CompiledCollection, name: string): OAuth2ProviderSettings {
    const settings = oauth2SettingsOf(c.def);
    const provider = settings.enabled
      ? providerSettings(settings, name, this.box, this.config.oauth2)
      : undefined;
    if (!provider) {
      throw new AppError(
        'OAUTH2_PROVIDER_UNAVAILABLE',
        `Sign-in with "${String(name).slice(0, 40)}" is not enabled for "${c.def.name}". ` +
          "An admin enables it in the collection's options.oauth2.",
      );
    }
    const missing = missingProviderSettings(provider);
    if (missing.length) {
      // Listed, but neither the collection nor this server's environment says which client to be.
      throw new AppError(
        'OAUTH2_PROVIDER_UNAVAILABLE',
        `Sign-in with ${provider.name} is not set up for "${c.def.name}": it needs ${missing.join(' and ')}.`,
      );
    }
    return provider;
  }

  /** The provider's authorization page for a start; the state (with PKCE verifier and nonce) waits in Redis. */
  async authorizationUrl(
    c: CompiledCollection,
    provider: OAuth2ProviderSettings,
    entry: OAuth2StateEntry,
  ): Promise<string> {
    if (provider.name === 'oidc') return this.startOidc(provider, entry);
    let storeError: unknown;
    const save = (extra: Partial<OAuth2StateEntry>) =>
      this.states.save({ ...entry, ...extra }).catch((err: unknown) => {
        storeError = err;
        throw err;
      });
    const strategy = buildStrategy({
      settings: provider,
      callbackUrl: entry.callbackUrl,
      store: new OAuth2StateStore(save),
      lookup: this.lookup,
    });
    const outcome = await runStrategy(strategy, request('/'));
    if (storeError) throw storeError;
    if (outcome.kind === 'redirect') return outcome.url;
    throw this.providerFailed(c, provider.name, outcome);
  }

  /** OpenID Connect through openid-client: state, nonce and PKCE verifier wait in Redis. */
  private async startOidc(provider: OAuth2ProviderSettings, entry: OAuth2StateEntry): Promise<string> {
    const config = await this.oidcConfiguration(provider);
    const secrets = this.oidc.newSecrets();
    const state = await this.states.save({ ...entry, ...secrets });
    return this.oidc.authorizationUrl(config, { ...secrets, state, callbackUrl: entry.callbackUrl });
  }

  private async oidcConfiguration(provider: OAuth2ProviderSettings): Promise<Configuration> {
    try {
      return await this.oidc.configuration(provider);
    } catch (err) {
      this.logger.warn(`OpenID Connect discovery at ${provider.issuer} failed: ${describe(err)}`);
      throw new SignInRefused(
        'OAUTH2_PROVIDER_FAILED',
        'The OpenID Connect provider could not be reached. Try again later.',
      );
    }
  }

  /** A strategy outcome other than the expected one, logged in full and answered in general terms. */
  private providerFailed(c: CompiledCollection, provider: string, outcome: StrategyOutcome): SignInRefused {
    const why =
      outcome.kind === 'error'
        ? outcome.error.message
        : outcome.kind === 'fail'
          ? outcome.message
          : outcome.kind;
    this.logger.warn(`${provider} sign-in for "${c.def.name}" failed: ${why}`);
    return new SignInRefused('OAUTH2_PROVIDER_FAILED', `Sign-in with ${provider} failed. Try again.`);
  }

  /** Runs the provider's strategy on the callback: code → tokens → who signed in. */
  async authenticate(
    c: CompiledCollection,
    providerName: string,
    entry: OAuth2StateEntry,
    query: Record<string, string | undefined>,
  ): Promise<{ identity: ProviderIdentity; provider: OAuth2ProviderSettings; issuer: string }> {
    if (query.error) {
      throw query.error === 'access_denied'
        ? new SignInRefused('OAUTH2_ACCESS_DENIED', 'The sign-in was cancelled at the provider.')
        : new SignInRefused(
            'OAUTH2_PROVIDER_FAILED',
            `The provider refused the sign-in (${query.error.slice(0, 60)}).`,
          );
    }
    if (!query.code)
      throw new SignInRefused('OAUTH2_PROVIDER_FAILED', 'The provider sent no authorization code.');
    let provider: OAuth2ProviderSettings;
    try {
      provider = this.provider(c, providerName);
    } catch {
      throw new SignInRefused(
        'OAUTH2_PROVIDER_UNAVAILABLE',
        `Sign-in with ${providerName} was switched off.`,
      );
    }
    if (provider.name === 'oidc') return { ...(await this.finishOidc(c, provider, entry, query)), provider };
    const taken = { handle: query.state!, entry };
    const save = () => Promise.reject(new Error('A callback does not start a sign-in.'));
    let strategy: ReturnType<typeof buildStrategy>;
    try {
      strategy = buildStrategy({
        settings: provider,
        callbackUrl: entry.callbackUrl,
        store: new OAuth2StateStore(save, taken),
        lookup: this.lookup,
      });
    } catch (err) {
      if (!isPrivateAddressError(err)) throw err;
      throw this.privateEndpoint(provider, err);
    }
    const outcome = await runStrategy(strategy, request('/callback', query));
    if (outcome.kind === 'success') {
      return { identity: outcome.user as ProviderIdentity, provider, issuer: '' };
    }
    throw this.providerFailed(c, provider.name, outcome);
  }

  /** The OpenID Connect callback through openid-client, with the state, nonce and verifier of the start. */
  private async finishOidc(
    c: CompiledCollection,
    provider: OAuth2ProviderSettings,
    entry: OAuth2StateEntry,
    query: Record<string, string | undefined>,
  ): Promise<{ identity: ProviderIdentity; issuer: string }> {
    const config = await this.oidcConfiguration(provider);
    let answer: Awaited<ReturnType<OidcClient['signIn']>>;
    try {
      answer = await this.oidc.signIn(config, {
        state: query.state!,
        nonce: entry.nonce ?? '',
        verifier: entry.verifier ?? '',
        callbackUrl: entry.callbackUrl,
        query,
      });
    } catch (err) {
      if (isPrivateAddressError(err)) throw this.privateEndpoint(provider, err);
      throw this.providerFailed(c, provider.name, { kind: 'error', error: new Error(describe(err)) });
    }
    if (!answer.identity) {
      throw this.providerFailed(c, provider.name, {
        kind: 'fail',
        message: 'The provider did not say who signed in.',
      });
    }
    return { identity: answer.identity, issuer: answer.issuer };
  }

  private privateEndpoint(provider: OAuth2ProviderSettings, err: unknown): SignInRefused {
    this.logger.warn(`Sign-in with ${provider.name} refused: ${describe(err)}`);
    return new SignInRefused(
      'OAUTH2_PROVIDER_FAILED',
      "The provider's token or userinfo URL is on a private address, which this server does not connect to.",
    );
  }
}

/** An error and its causes in one line (openid-client wraps the HTTP client's errors). */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(': ') || String(err);
}

/** Whether the outbound guard refused the connection, anywhere in the chain of causes. */
function isPrivateAddressError(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: string }).code === 'EPRIVATEADDRESS') return true;
  }
  return false;
}

function request(path: string, query: Record<string, string | undefined> = {}): StrategyRequest {
  return { method: 'GET', url: path, query, headers: {} };
}
