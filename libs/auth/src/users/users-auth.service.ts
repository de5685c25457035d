import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AuthRecordLoader,
  CollectionsRegistry,
  type CompiledCollection,
  presentRecord,
  type RequestInfo,
} from '@plinth/collections';
import {
  AppError,
  hashPassword,
  needsRehash,
  newId,
  newTokenKey,
  PLINTH_CONFIG,
  type Principal,
  type ResolvedConfig,
  verifyAgainstNothing,
  verifyPassword,
} from '@plinth/core';
import { AuthEvents, type SignInMethod } from '../auth-events.js';
import { oauth2SettingsOf, usableProviderNames } from '../oauth/oauth2-settings.js';
import { fingerprint, sha256, TokensService } from '../tokens.service.js';
import { AuditTrail, RateLimiter } from '@plinth/core';
import { accountRuleWhere } from './account-rule.js';
import { type AccountRow, UserAccountsRepository } from './user-accounts.repository.js';
import { MfaService } from '../mfa/mfa.service.js';

export interface AuthAnswer {
  token: string;
  refreshToken: string;
  record: Record<string, unknown>;
}

/** Refresh tokens are 43 characters; anything far from that is refused before any lookup. */
const MAX_REFRESH_TOKEN_LENGTH = 200;

const invalidRefresh = () =>
  new AppError(
    'INVALID_REFRESH_TOKEN',
    'This refresh token is unknown, used, revoked or expired. Sign in again.',
  );

/** App users of auth collections: password sign-in, rotating refresh tokens, logout (DESIGN §5, §10). */
@Injectable()
export class UsersAuthService {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly accounts: UserAccountsRepository,
    private readonly tokens: TokensService,
    private readonly limiter: RateLimiter,
    private readonly loader: AuthRecordLoader,
    private readonly events: AuthEvents,
    private readonly mfa: MfaService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    private readonly audit: AuditTrail,
  ) {}

  private authCollection(name: string): CompiledCollection {
    const c = this.registry.get(name);
    if (!c.isAuth)
      throw new AppError(
        'NOT_AUTH_COLLECTION',
        `"${c.def.name}" is not an auth collection, so nobody signs in to it.`,
      );
    return c;
  }

  /** Counts an auth request of this IP (60 a minute by default). */
  async countIp(ip: string): Promise<void> {
    await this.limiter.hit(
      `ip:${ip}`,
      this.config.auth.ratePerIp,
      60,
      'Too many sign-in requests from this address.',
    );
  }

  async authWithPassword(
    collection: string,
    identity: string,
    password: string,
    mfaId?: string,
  ): Promise<AuthAnswer> {
    const c = this.authCollection(collection);
    const passwordAuth = c.def.passwordAuth ?? { enabled: true, identityFields: ['email'] };
    if (!passwordAuth.enabled) {
      throw new AppError(
        'PASSWORD_AUTH_DISABLED',
        `"${c.def.name}" does not take password sign-in (its passwordAuth is off). Use another sign-in method.`,
      );
    }
    const account = `${c.def.id}:${identity.trim().toLowerCase()}`;
    const row = await this.limiter.signInAttempt(
      account,
      this.config.auth.maxFailuresPerAccount,
      async () => {
        const found = await this.accounts.findByIdentity(c, passwordAuth.identityFields, identity.trim());
        const ok = found
          ? await verifyPassword(found.password_hash, password)
          : await verifyAgainstNothing(password);
        if (!found || !ok) throw new AppError('INVALID_CREDENTIALS', 'The email or password is wrong.');
        return found;
      },
    );
    await this.checkAuthRule(c, row);
    if (needsRehash(row.password_hash)) {
      await this.accounts.upgradePasswordHash(c, row.id, row.password_hash, await hashPassword(password));
    }
    return this.completeSignIn(c, row, 'password', mfaId);
  }

  /**
   * An account proved itself by `method`: tokens and a signin event, unless a second factor is due
   * (401 MFA_REQUIRED with a new mfaId; with `mfaId` of an earlier, different factor, it completes).
   */
  async completeSignIn(
    c: CompiledCollection,
    account: AccountRow,
    method: SignInMethod,
    mfaId?: string,
  ): Promise<AuthAnswer> {
    const factors = await this.mfa.pass(c, account, method, mfaId);
    const answer = await this.issue(c, account, newId());
    await this.events.account('signin', c, account, { method, ...(factors ? { factors } : {}) });
    return answer;
  }

  /** The collection's authRule (PocketBase's), judged on the account that proved itself: 403 when it fails. */
  async checkAuthRule(c: CompiledCollection, account: AccountRow, request?: RequestInfo): Promise<void> {
    const rule = c.def.authRule;
    if (rule === undefined || rule === '') return;
    const where = accountRuleWhere(this.registry, c, account, rule, request);
    if (!(await this.accounts.matches(c, account.id, where))) {
      throw new AppError(
        'AUTH_RULE_REFUSED',
        `This account may not sign in to "${c.def.name}" (its authRule is not met, e.g. the email is not verified yet).`,
      );
    }
  }

  /** Rotates a refresh token; reusing a rotated one revokes its whole family. */
  async refresh(collection: string, refreshToken: string): Promise<AuthAnswer> {
    const c = this.authCollection(collection);
    if (!refreshToken || refreshToken.length > MAX_REFRESH_TOKEN_LENGTH) throw invalidRefresh();
    const row = await this.accounts.useRefresh(sha256(refreshToken), c.def.id);
    if (!row) throw invalidRefresh();
    if (row.used_at) {
      // A stolen token used after its owner (or the other way round): end every session of this family.
      await this.accounts.revokeFamily(row.family);
      throw invalidRefresh();
    }
    if (row.revoked_at || new Date(row.expires_at).getTime() <= Date.now()) throw invalidRefresh();
    const account = await this.accounts.findById(c, row.record_id);
    // A password change or "log out everywhere" rotated the token key: old refresh tokens die with it.
    if (!account || fingerprint(account.token_key) !== row.key_fingerprint) throw invalidRefresh();
    return this.issue(c, account, row.family);
  }

  /**
   * PocketBase's refresh: a new access token for the bearer's own session, while that session lives
   * (not logged out, within PLINTH_REFRESH_TOKEN_TTL of its sign-in). The resolver has already refused
   * tokens whose key changed (logout-all, password change, an admin's revoke).
   */
  async bearerRefresh(collection: string, principal: Principal): Promise<Omit<AuthAnswer, 'refreshToken'>> {
    const c = this.authCollection(collection);
    if (principal.kind === 'anonymous') {
      throw new AppError(
        'UNAUTHORIZED',
        'Send {refreshToken}, or the access token of a live session as Authorization, to refresh.',
        { headers: { 'www-authenticate': 'Bearer' } },
      );
    }
    const ended = () =>
      new AppError('INVALID_TOKEN', 'This session has ended (signed out or too old). Sign in again.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    if (principal.kind !== 'user' || principal.collectionId !== c.def.id) {
      throw new AppError(
        'FORBIDDEN',
        `Only a user of "${c.def.name}" refreshes here; admins refresh at /api/collections/_superusers/auth-refresh.`,
      );
    }
    if (!principal.session) throw ended();
    // The account as stored now, not the resolver's briefly cached copy: a key changed a moment ago counts.
    const account = await this.accounts.findById(c, principal.id);
    if (!account) throw ended();
    const tk = fingerprint(account.token_key);
    const session = await this.accounts.session(principal.session, c.def.id, principal.id, tk);
    const ttlMs = this.config.auth.refreshTokenTtlSeconds * 1000;
    if (!session?.live || session.started.getTime() + ttlMs <= Date.now()) throw ended();
    const token = await this.signFor(c, {
      typ: 'auth',
      sub: account.id,
      col: c.def.id,
      tk,
      sid: principal.session,
    });
    return { token, record: presentRecord(c, account, { viewerIsOwner: true }) };
  }

  async logout(
    collection: string,
    principal: Principal,
    input: { refreshToken?: string; all?: boolean },
  ): Promise<void> {
    const c = this.authCollection(collection);
    if (principal.kind !== 'user' || principal.collectionId !== c.def.id) {
      throw new AppError(
        'UNAUTHORIZED',
        `Sign in to "${c.def.name}" first: auth-logout needs the user's access token.`,
      );
    }
    if (input.all) {
      await this.accounts.revokeAll(c.def.id, principal.id);
      // A new token key also ends the access tokens already handed out.
      await this.accounts.rotateTokenKey(c, principal.id, newTokenKey());
      return;
    }
    if (!input.refreshToken) {
      throw new AppError(
        'VALIDATION_FAILED',
        'Send {refreshToken} to end one session or {all: true} to end all of them.',
        {
          errors: [{ path: 'refreshToken', code: 'REQUIRED', message: 'is required unless all is true' }],
        },
      );
    }
    const row = await this.accounts.findRefresh(sha256(input.refreshToken));
    if (!row || row.record_id !== principal.id || row.collection_id !== c.def.id) throw invalidRefresh();
    await this.accounts.revokeFamily(row.family);
  }

  /**
   * An admin ends every session of one user: the token key is rotated (every access token dies,
   * here at once, on other replicas within the 2 s the record loader caches) and every refresh
   * token of the user is revoked.
   */
  async revokeSessions(collection: string, id: string): Promise<void> {
    const c = this.authCollection(collection);
    const notFound = () =>
      new AppError(
        'RECORD_NOT_FOUND',
        `"${c.def.name}" has no record with the id ${JSON.stringify(id.slice(0, 40))}.`,
      );
    if (!c.isId(id)) throw notFound();
    if (!(await this.accounts.revokeSessions(c, id, newTokenKey()))) throw notFound();
    await this.audit.record({
      action: 'user.sessions_revoke',
      targetType: 'user',
      targetId: id,
      targetName: c.def.name,
      summary: `ended every session of a "${c.def.name}" user`,
    });
    // This replica's cached copy of the record gets the new key now, not in up to 2 s.
    await this.loader.load(c.def.id, id, { fresh: true });
  }

  authMethods(collection: string) {
    const c = this.authCollection(collection);
    const otp = c.def.otp;
    const mfa = c.def.mfa;
    const settings = oauth2SettingsOf(c.def);
    return {
      password: c.def.passwordAuth ?? { enabled: true, identityFields: ['email'] },
      oauth2: {
        enabled: settings.enabled,
        // Providers usable now: listed, with a client id (and issuer) from the collection or the environment.
        // authUrl: this server's start route; the app adds ?redirect=<allow-listed URL>.
        providers: usableProviderNames(settings, this.config.oauth2).map((name) => ({
          name,
          authUrl: `${this.config.http.publicUrl}/api/collections/${encodeURIComponent(c.def.name)}/auth/oauth2/${name}`,
        })),
      },
      // PocketBase's shapes: durations only while switched on.
      mfa: { enabled: mfa?.enabled === true, duration: mfa?.enabled ? mfa.duration : 0 },
      otp: { enabled: otp?.enabled === true, duration: otp?.enabled ? otp.duration : 0 },
    };
  }

  /**
   * An access token of this collection: PLINTH_ACCESS_TOKEN_TTL, or the collection's shorter
   * `authToken.duration` (PocketBase's 7-day default must not make 7-day tokens; refresh renews them).
   */
  private signFor(c: CompiledCollection, claims: Parameters<TokensService['sign']>[0]): Promise<string> {
    const duration = c.def.authToken?.duration;
    return this.tokens.sign(claims, duration ? Date.now() / 1000 + duration : Infinity);
  }

  /** Tokens for an account that proved itself (password, refresh, or a social sign-in code). */
  async issue(c: CompiledCollection, account: AccountRow, family: string): Promise<AuthAnswer> {
    const refreshToken = randomBytes(32).toString('base64url');
    const tk = fingerprint(account.token_key);
    await this.accounts.insertRefresh({
      id: newId(),
      family,
      collection_id: c.def.id,
      record_id: account.id,
      token_hash: sha256(refreshToken),
      key_fingerprint: tk,
      expires_at: new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000),
    });
    const token = await this.signFor(c, { typ: 'auth', sub: account.id, col: c.def.id, tk, sid: family });
    return { token, refreshToken, record: presentRecord(c, account, { viewerIsOwner: true }) };
  }
}
