import { randomBytes } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CollectionsRegistry,
  type CompiledCollection,
  RecordEvents,
  ChangeOutbox,
  changeEvent,
  type RecordChange,
  storedRecord,
} from '@plinth/collections';
import {
  AppError,
  type ErrorCode,
  hashPassword,
  newId,
  newTokenKey,
  OneTimeTokenRepository,
  PLINTH_CONFIG,
  publicOnlyLookup,
  type ResolvedConfig,
  SecretBox,
  toProblem,
} from '@plinth/core';
import { AuthEvents } from '../auth-events.js';
import { sha256 } from '../tokens.service.js';
import { type AccountRow, UserAccountsRepository } from '../users/user-accounts.repository.js';
import { type AuthAnswer, UsersAuthService } from '../users/users-auth.service.js';
import { ExternalIdentitiesRepository, type IdentityKey } from './external-identities.repository.js';
import {
  isRedirectAllowed,
  missingProviderSettings,
  type OAuth2ProviderSettings,
  oauth2SettingsOf,
  providerSettings,
  withParams,
} from './oauth2-settings.js';
import { type OAuth2StateEntry, OAuth2StateRepository, OAuth2StateStore } from './oauth2-state.js';
import { buildStrategy } from './oauth2-strategies.js';
import { OidcClient } from './oidc-client.js';
import type { Configuration } from 'openid-client';
import type { ProviderIdentity } from './provider-identity.js';
import { runStrategy, type StrategyOutcome, type StrategyRequest } from './run-strategy.js';

const CODE_PURPOSE = 'oauth2-code';
const CODE_TTL_SECONDS = 120;

export interface OAuth2CodeAnswer extends AuthAnswer {
  meta: { isNew: boolean };
}

/** A failure after the state was verified: the browser goes back to the app with `?error=`. */
class SignInRefused extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * Social sign-in for auth collections (DESIGN §4, §5, §10): start → provider → callback → the app
 * receives a one-time code → tokens. State, PKCE verifier and redirect wait in Redis; the code is
 * stored hashed in one_time_token; accounts are linked only through an email the provider verified.
 */
@Injectable()
export class OAuth2Service {
  private readonly logger = new Logger('OAuth2');
  private readonly box: SecretBox;
  /** Unless PLINTH_ALLOW_PRIVATE_ENDPOINTS: token and userinfo requests refuse private addresses. */
  private readonly lookup?: LookupFunction;

  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly identities: ExternalIdentitiesRepository,
    private readonly accounts: UserAccountsRepository,
    private readonly users: UsersAuthService,
    private readonly oneTime: OneTimeTokenRepository,
    private readonly states: OAuth2StateRepository,
    private readonly oidc: OidcClient,
    private readonly recordEvents: RecordEvents,
    private readonly outbox: ChangeOutbox,
    private readonly authEvents: AuthEvents,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.box = new SecretBox(config.secret);
    if (!config.allowPrivateEndpoints) this.lookup = publicOnlyLookup();
  }

  /** Whether clients reach this server over https (the state cookie is then Secure). */
  publicUrlIsHttps(): boolean {
    return this.config.http.publicUrl.startsWith('https:');
  }

  /** The start route of a provider on this server (auth-methods lists it). */
  startUrl(c: CompiledCollection, provider: string): string {
    return `${this.config.http.publicUrl}/api/collections/${encodeURIComponent(c.def.name)}/auth/oauth2/${provider}`;
  }

  private callbackUrl(c: CompiledCollection, provider: string): string {
    return `${this.startUrl(c, provider)}/callback`;
  }

  private collection(name: string): CompiledCollection {
    const c = this.registry.get(name);
    if (!c.isAuth) {
      throw new AppError(
        'NOT_AUTH_COLLECTION',
        `"${c.def.name}" is not an auth collection, so nobody signs in to it.`,
      );
    }
    return c;
  }

  private provider(c: CompiledCollection, name: string): OAuth2ProviderSettings {
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

  /** Where the start route sends the browser: the provider's authorization page, or back to the app with an error. */
  async start(collection: string, providerName: string, redirect: string | undefined): Promise<string> {
    const c = this.collection(collection);
    const provider = this.provider(c, providerName);
    const { redirectAllowList } = oauth2SettingsOf(c.def);
    if (!redirect || !isRedirectAllowed(redirect, redirectAllowList)) {
      throw new AppError(
        'OAUTH2_REDIRECT_NOT_ALLOWED',
        redirect
          ? `The redirect URL is not on the allow-list of "${c.def.name}"; it must start with one of options.oauth2.redirectAllowList.`
          : 'Add ?redirect=<your app URL>: where the app receives the sign-in code.',
        {
          errors: [
            {
              path: 'redirect',
              code: redirect ? 'NOT_ALLOWED' : 'REQUIRED',
              message: 'is not an allowed redirect URL',
            },
          ],
        },
      );
    }
    const entry: OAuth2StateEntry = {
      collectionId: c.def.id,
      provider: provider.name,
      redirect,
      callbackUrl: this.callbackUrl(c, provider.name),
    };
    try {
      if (provider.name === 'oidc') return await this.startOidc(provider, entry);
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
    } catch (err) {
      return this.backToApp(redirect, err);
    }
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

  /** The app URL with `?error=<code>&error_description=…` for any failure once the redirect is known. */
  private backToApp(redirect: string, err: unknown): string {
    if (err instanceof SignInRefused) {
      return withParams(redirect, { error: err.code, error_description: err.description });
    }
    const { problem, internal } = toProblem(err, '');
    if (internal) this.logger.error({ err }, 'Social sign-in failed unexpectedly');
    return withParams(redirect, { error: problem.code, error_description: problem.detail });
  }

  /**
   * Where the callback sends the browser: the app URL with `?code=` or `?error=`. Throws (400) only
   * when the state is unknown, used, expired or belongs to another sign-in, since then no app URL is
   * known to send the error to.
   */
  async callback(
    collection: string,
    providerName: string,
    query: Record<string, string | undefined>,
  ): Promise<string> {
    const c = this.collection(collection);
    const entry = await this.states.take(query.state);
    if (!entry || entry.collectionId !== c.def.id || entry.provider !== providerName) {
      throw new AppError(
        'OAUTH2_STATE_INVALID',
        'This sign-in callback does not match a sign-in started here (unknown, used or expired state). Start the sign-in again.',
      );
    }
    try {
      const { identity, provider, issuer } = await this.authenticate(c, providerName, entry, query);
      const { account, isNew } = await this.resolveAccount(c, provider.name, issuer, identity);
      const code = randomBytes(32).toString('base64url');
      await this.oneTime.create({
        id: newId(),
        purpose: CODE_PURPOSE,
        tokenHash: sha256(code),
        subject: account.id,
        data: { collectionId: c.def.id, isNew },
        expiresAt: new Date(Date.now() + CODE_TTL_SECONDS * 1000),
      });
      return withParams(entry.redirect, { code });
    } catch (err) {
      return this.backToApp(entry.redirect, err);
    }
  }

  /** Runs the provider's strategy on the callback: code → tokens → who signed in. */
  private async authenticate(
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

  /** Finds the linked account, links one through a verified email, or creates one. */
  private async resolveAccount(
    c: CompiledCollection,
    provider: string,
    issuer: string,
    identity: ProviderIdentity,
    attempt = 0,
  ): Promise<{ account: AccountRow; isNew: boolean }> {
    const key: IdentityKey = { collectionId: c.def.id, provider, issuer, providerUserId: identity.id };
    try {
      const linked = await this.identities.findAccount(c, key);
      if (linked) return { account: linked, isNew: false };
      if (!identity.email) {
        throw new SignInRefused(
          'OAUTH2_EMAIL_REQUIRED',
          `${provider} did not share an email address; allow it to, then sign in again.`,
        );
      }
      const existing = await this.accounts.findByEmail(c, identity.email);
      if (existing) {
        if (!identity.emailVerified) {
          // Linking through an address the provider has not verified would let anyone claim any account.
          throw new SignInRefused(
            'OAUTH2_EMAIL_TAKEN',
            `An account with this email exists and ${provider} has not verified the address, so they cannot be linked. ` +
              'Sign in with the password, or verify the address at the provider.',
          );
        }
        const account =
          existing.verified === true
            ? (await this.identities.link(key, existing.id, identity.email), existing)
            : await this.identities.claimUnverified(c, key, existing.id, identity.email, await newSecrets());
        return { account, isNew: false };
      }
      if (c.def.createRule === null) {
        throw new SignInRefused(
          'OAUTH2_SIGNUP_CLOSED',
          `New accounts of "${c.def.name}" are created by admins only (its createRule is null).`,
        );
      }
      const secrets = await newSecrets();
      const created = (row: AccountRow): RecordChange => ({
        action: 'create',
        collectionId: c.def.id,
        collectionName: c.def.name,
        record: storedRecord(c, row),
        // Made by a caller who had no token yet (as a sign-up through the records API).
        actor: { kind: 'anonymous' },
      });
      // A new record like any other: its event goes into the outbox with it (webhooks), then to
      // realtime and push triggers (AuthEvents derives signup).
      const account = await this.identities.createAccount(
        c,
        key,
        { email: identity.email, verified: identity.emailVerified, ...secrets },
        (tx, row) => this.outbox.write(tx, [changeEvent(created(row))]),
      );
      this.recordEvents.emit(created(account));
      return { account, isNew: true };
    } catch (err) {
      // Two callbacks of the same person at once: the loser finds what the winner created.
      if ((err as { code?: string }).code === '23505' && attempt === 0) {
        return this.resolveAccount(c, provider, issuer, identity, 1);
      }
      throw err;
    }
  }

  /** `auth-with-oauth2-code`: the one-time code (single use, 2 minutes) → tokens. */
  async exchange(collection: string, code: string): Promise<OAuth2CodeAnswer> {
    const c = this.collection(collection);
    const invalid = () =>
      new AppError(
        'OAUTH2_CODE_INVALID',
        'This sign-in code is unknown, used or expired (codes work once, for 2 minutes). Sign in again.',
      );
    const row = await this.oneTime.consume(CODE_PURPOSE, sha256(code));
    if (!row || row.data.collectionId !== c.def.id || !row.subject) throw invalid();
    const account = await this.accounts.findById(c, row.subject);
    if (!account) throw invalid();
    await this.users.checkAuthRule(c, account, OAUTH2_REQUEST);
    const answer = await this.users.issue(c, account, newId());
    await this.authEvents.account('signin', c, account, { method: 'oauth2' });
    return { ...answer, meta: { isNew: row.data.isNew === true } };
  }
}

/** PocketBase judges the authRule of a social sign-in (its POST auth-with-oauth2) in context "oauth2". */
const OAUTH2_REQUEST = { query: {}, headers: {}, method: 'POST', context: 'oauth2' } as const;

/** A random password nobody knows (the account signs in through the provider) and a token key. */
async function newSecrets(): Promise<{ passwordHash: string; tokenKey: string }> {
  return { passwordHash: await hashPassword(randomBytes(32).toString('base64url')), tokenKey: newTokenKey() };
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
