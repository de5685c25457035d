import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CollectionsRegistry, type CompiledCollection, type OtpOptions } from '@plinth/collections';
import {
  AppError,
  hashPassword,
  newId,
  newTokenKey,
  PLINTH_CONFIG,
  RateLimiter,
  type ResolvedConfig,
} from '@plinth/core';
import { AuthEvents } from '../auth-events.js';
import { CredentialFailures } from '../credential-failures.js';
import { MailedLinks } from '../mailed-links.js';
import { isRedirectAllowed, withParams } from '../oauth/oauth2-settings.js';
import { AccountUpdatesRepository } from '../users/account-updates.repository.js';
import { magicLinkMail, otpMail } from '../users/mail-templates.js';
import { UserAccountsRepository } from '../users/user-accounts.repository.js';
import { type AuthAnswer, UsersAuthService } from '../users/users-auth.service.js';
import { FactorCodes } from './factor-codes.js';
import { SignInFactorsRepository } from './sign-in-factors.repository.js';

/** Tries one code gets before it is void (PocketBase's 5). */
export const OTP_MAX_ATTEMPTS = 5;

const lower = (email: unknown): string => String(email).trim().toLowerCase();
const sameHash = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const invalid = () =>
  new AppError(
    'OTP_INVALID',
    'This code is wrong, used already or expired, or the otpId is unknown. Check the code or ask for a new one.',
  );

/**
 * PocketBase's email one-time codes (apis/record_auth_otp_request.go, record_auth_with_otp.go) and
 * Plinth's magic links, which are the same thing with a long code carried by a link to the app.
 */
@Injectable()
export class OtpService {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly accounts: UserAccountsRepository,
    private readonly updates: AccountUpdatesRepository,
    private readonly factors: SignInFactorsRepository,
    private readonly codes: FactorCodes,
    private readonly links: MailedLinks,
    private readonly limiter: RateLimiter,
    private readonly failures: CredentialFailures,
    private readonly users: UsersAuthService,
    private readonly events: AuthEvents,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /**
   * Answers `{otpId}` at once, whether or not the address has an account (no mail then): the lookup,
   * the code and the mail happen after the answer. With `redirect` (an app URL of `otp.linkAllowList`)
   * the mail carries a magic link `redirect?otpId=…&code=…` instead of digits.
   */
  requestOtp(collection: string, email: string, redirect?: string): { otpId: string } {
    const c = this.collection(collection);
    const otp = this.enabled(c);
    if (redirect !== undefined && !isRedirectAllowed(redirect, otp.linkAllowList)) {
      throw new AppError(
        'OTP_REDIRECT_NOT_ALLOWED',
        otp.linkAllowList.length
          ? `"redirect" must start with an URL of the collection's otp.linkAllowList (${otp.linkAllowList.join(', ')}).`
          : `"${c.def.name}" sends no magic links: its otp.linkAllowList is empty. Add the app URL the link should open.`,
        { errors: [{ path: 'redirect', code: 'NOT_ALLOWED', message: 'is not allow-listed' }] },
      );
    }
    const otpId = newId();
    this.links.later(redirect ? 'magic link mail' : 'sign-in code mail', async () => {
      const account = await this.accounts.findByEmail(c, email.trim());
      if (!account || !(await this.links.mayMail(account.email))) return;
      const code = redirect ? this.codes.linkCode() : this.codes.digits(otp.length);
      await this.factors.insertOtp({
        id: otpId,
        collection_id: c.def.id,
        record_id: account.id,
        kind: redirect ? 'link' : 'code',
        code_hash: this.codes.hash(`otp:${otpId}`, code),
        sent_to: lower(account.email),
        expires_at: new Date(Date.now() + otp.duration * 1000),
      });
      const appName = this.config.mail.appName;
      await this.links.send(
        String(account.email),
        redirect
          ? magicLinkMail(appName, withParams(redirect, { otpId, code }), otp.duration)
          : otpMail(appName, code, otp.duration, otp.emailTemplate),
      );
    });
    return { otpId };
  }

  /**
   * `{otpId, password: <code>}` → tokens (or 401 MFA_REQUIRED). Each otpId takes OTP_MAX_ATTEMPTS
   * tries; wrong codes also count toward the account's failed sign-ins and the address's failed
   * credentials; a right code works once.
   */
  async authWithOtp(
    collection: string,
    otpId: string,
    code: string,
    ip: string,
    mfaId?: string,
  ): Promise<AuthAnswer> {
    const c = this.collection(collection);
    this.enabled(c);
    if (otpId.length > 100) throw invalid();
    const row = await this.factors.attemptOtp(otpId, c.def.id);
    if (!row) throw invalid();
    if (row.attempts > OTP_MAX_ATTEMPTS) {
      await this.factors.deleteOtp(row.id);
      throw new AppError(
        'OTP_ATTEMPTS_EXCEEDED',
        `This code was tried ${OTP_MAX_ATTEMPTS} times and no longer works. Ask for a new one.`,
      );
    }
    const account = await this.accounts.findById(c, row.record_id);
    if (!account) throw invalid();
    const hash = this.codes.hash(`otp:${row.id}`, code);
    try {
      // The account's failed sign-ins, shared with its password: a lock stops codes and passwords alike.
      await this.limiter.signInAttempt(
        `${c.def.id}:${lower(account.email)}`,
        this.config.auth.maxFailuresPerAccount,
        async () => {
          if (!sameHash(hash, row.code_hash)) throw new AppError('INVALID_CREDENTIALS', 'wrong code');
        },
      );
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'INVALID_CREDENTIALS')) throw err;
      await this.failures.fail(ip);
      throw invalid();
    }
    if (!(await this.factors.consumeOtp(row.id, hash))) throw invalid();
    await this.users.checkAuthRule(c, account);
    let signedIn = account;
    if (account.verified !== true && row.sent_to === lower(account.email)) {
      // The code proved the mailbox. As PocketBase does, a password set before that proof (perhaps
      // by someone else, pre-registering this address) stops working unless MFA guards the account.
      if (c.def.mfa?.enabled) await this.updates.markVerified(c, account.id);
      else await this.updates.resetPassword(c, account.id, await hashPassword(newId()), newTokenKey());
      signedIn = (await this.accounts.findById(c, account.id)) ?? account;
      await this.events.account('verified', c, signedIn);
    }
    return this.users.completeSignIn(c, signedIn, 'otp', mfaId);
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

  private enabled(c: CompiledCollection): OtpOptions {
    if (!c.def.otp?.enabled) {
      throw new AppError(
        'OTP_AUTH_DISABLED',
        `"${c.def.name}" does not sign in with one-time codes: an admin switches its otp on first.`,
      );
    }
    return c.def.otp;
  }
}
