import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CollectionsRegistry, type CompiledCollection } from '@plinth/collections';
import {
  AppError,
  newId,
  OneTimeTokenRepository,
  PLINTH_CONFIG,
  type ResolvedConfig,
  toProblem,
} from '@plinth/core';
import { sha256 } from '../tokens.service.js';
import { UserAccountsRepository } from '../users/user-accounts.repository.js';
import { type AuthAnswer, UsersAuthService } from '../users/users-auth.service.js';
import { OAuth2AccountsService } from './oauth2-accounts.service.js';
import { OAuth2ProviderSignIn } from './oauth2-provider-sign-in.js';
import { isRedirectAllowed, oauth2SettingsOf, withParams } from './oauth2-settings.js';
import { type OAuth2StateEntry, OAuth2StateRepository } from './oauth2-state.js';
import { SignInRefused } from './sign-in-refused.js';

const CODE_PURPOSE = 'oauth2-code';
const CODE_TTL_SECONDS = 120;

export interface OAuth2CodeAnswer extends AuthAnswer {
  meta: { isNew: boolean };
}

/**
 * Social sign-in for auth collections (DESIGN §4, §5, §10): start → provider → callback → the app
 * receives a one-time code → tokens. State, PKCE verifier and redirect wait in Redis; the code is
 * stored hashed in one_time_token; accounts are linked only through an email the provider verified.
 */
@Injectable()
export class OAuth2Service {
  private readonly logger = new Logger('OAuth2');

  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly signIn: OAuth2ProviderSignIn,
    private readonly linked: OAuth2AccountsService,
    private readonly accounts: UserAccountsRepository,
    private readonly users: UsersAuthService,
    private readonly oneTime: OneTimeTokenRepository,
    private readonly states: OAuth2StateRepository,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Whether clients reach this server over https (the state cookie is then Secure). */
  publicUrlIsHttps(): boolean {
    return this.config.http.publicUrl.startsWith('https:');
  }

  /** The redirect_uri the provider sends the browser back to. */
  private callbackUrl(c: CompiledCollection, provider: string): string {
    return `${this.config.http.publicUrl}/api/collections/${encodeURIComponent(c.def.name)}/auth/oauth2/${provider}/callback`;
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

  /** Where the start route sends the browser: the provider's authorization page, or back to the app with an error. */
  async start(collection: string, providerName: string, redirect: string | undefined): Promise<string> {
    const c = this.collection(collection);
    const provider = this.signIn.provider(c, providerName);
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
      return await this.signIn.authorizationUrl(c, provider, entry);
    } catch (err) {
      return this.backToApp(redirect, err);
    }
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
      const { identity, provider, issuer } = await this.signIn.authenticate(c, providerName, entry, query);
      const { account, isNew } = await this.linked.resolve(c, provider.name, issuer, identity);
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

  /** `auth-with-oauth2-code`: the one-time code (single use, 2 minutes) → tokens. */
  async exchange(collection: string, code: string, mfaId?: string): Promise<OAuth2CodeAnswer> {
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
    const answer = await this.users.completeSignIn(c, account, 'oauth2', mfaId);
    return { ...answer, meta: { isNew: row.data.isNew === true } };
  }
}

/** PocketBase judges the authRule of a social sign-in (its POST auth-with-oauth2) in context "oauth2". */
const OAUTH2_REQUEST = { query: {}, headers: {}, method: 'POST', context: 'oauth2' } as const;
