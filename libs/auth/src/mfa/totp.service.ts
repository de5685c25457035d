import { Inject, Injectable } from '@nestjs/common';
import { CollectionsRegistry, type CompiledCollection } from '@plinth/collections';
import { AppError, PLINTH_CONFIG, type Principal, RateLimiter, type ResolvedConfig } from '@plinth/core';
import { AuthEvents } from '../auth-events.js';
import { type AccountRow, UserAccountsRepository } from '../users/user-accounts.repository.js';
import { type AuthAnswer, UsersAuthService } from '../users/users-auth.service.js';
import { FactorCodes, normalizeRecoveryCode } from './factor-codes.js';
import { MfaService } from './mfa.service.js';
import { SignInFactorsRepository } from './sign-in-factors.repository.js';
import { matchTotp, newTotpSecret, totpUri } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;

/** Whose authenticator: an app user (collection id, record id) or an admin (PocketBase's _superusers id). */
export interface TotpOwner {
  collectionId: string;
  recordId: string;
  /** The account name authenticator apps show. */
  label: string;
}

export interface TotpStatus {
  enrolled: boolean;
  confirmed: boolean;
  confirmedAt: string | null;
  recoveryCodesLeft: number;
}

const codeInvalid = () =>
  new AppError(
    'TOTP_CODE_INVALID',
    'This code is wrong or was used already. Enter the current 6-digit code of the authenticator app, or an unused recovery code.',
  );

/**
 * TOTP authenticators (RFC 6238) as a second factor, with single-use recovery codes; for app users of
 * auth collections and for admins alike (an owner is a collection id and a record id).
 */
@Injectable()
export class TotpService {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly accounts: UserAccountsRepository,
    private readonly factors: SignInFactorsRepository,
    private readonly codes: FactorCodes,
    private readonly limiter: RateLimiter,
    private readonly mfa: MfaService,
    private readonly users: UsersAuthService,
    private readonly events: AuthEvents,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async status(owner: TotpOwner): Promise<TotpStatus> {
    const row = await this.factors.findTotp(owner.collectionId, owner.recordId);
    return {
      enrolled: Boolean(row),
      confirmed: Boolean(row?.confirmed_at),
      confirmedAt: row?.confirmed_at ? new Date(row.confirmed_at).toISOString() : null,
      recoveryCodesLeft: row?.confirmed_at
        ? await this.factors.countRecoveryCodes(owner.collectionId, owner.recordId)
        : 0,
    };
  }

  /** A new secret and its otpauth:// URI (for a QR code); confirm it with a first code. */
  async enroll(owner: TotpOwner): Promise<{ secret: string; uri: string }> {
    const secret = newTotpSecret();
    if (!(await this.factors.startTotp(owner.collectionId, owner.recordId, this.codes.box.seal(secret)))) {
      throw new AppError(
        'TOTP_ALREADY_ENROLLED',
        'This account has an authenticator already. Remove it first to enrol another one.',
      );
    }
    return { secret, uri: totpUri(secret, this.config.mail.appName, owner.label) };
  }

  /** Confirms the enrolment with its first code; answers the recovery codes, shown this once. */
  async confirm(owner: TotpOwner, code: string): Promise<{ recoveryCodes: string[] }> {
    const row = await this.factors.findTotp(owner.collectionId, owner.recordId);
    if (!row) throw notEnrolled();
    if (row.confirmed_at) {
      throw new AppError('TOTP_ALREADY_ENROLLED', 'This authenticator is confirmed already.');
    }
    await this.checked(owner, async () => this.useTotp(owner, row.secret, code));
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, () => this.codes.recoveryCode());
    await this.factors.replaceRecoveryCodes(
      owner.collectionId,
      owner.recordId,
      recoveryCodes.map((r) => this.recoveryHash(owner, r)),
    );
    return { recoveryCodes };
  }

  /** Removes the authenticator and its recovery codes, proven by a current code or a recovery code. */
  async remove(owner: TotpOwner, code: string): Promise<void> {
    await this.verify(owner, code);
    await this.factors.removeTotp(owner.collectionId, owner.recordId);
  }

  /** Whether the owner has a confirmed authenticator (admins' console sign-in asks for it). */
  async confirmed(owner: Pick<TotpOwner, 'collectionId' | 'recordId'>): Promise<boolean> {
    const row = await this.factors.findTotp(owner.collectionId, owner.recordId);
    return Boolean(row?.confirmed_at);
  }

  /**
   * A second factor: a current code of the confirmed authenticator (each time step once) or an unused
   * recovery code (used up). Failures count toward the owner's failed sign-ins (429 past the limit).
   */
  async verify(owner: Pick<TotpOwner, 'collectionId' | 'recordId'>, code: string): Promise<void> {
    const row = await this.factors.findTotp(owner.collectionId, owner.recordId);
    if (!row?.confirmed_at) throw notEnrolled();
    await this.checked(owner, async () => {
      if (/^\d{6}$/.test(code.trim())) return this.useTotp(owner, row.secret, code.trim());
      const hash = this.recoveryHash(owner, code);
      return this.factors.useRecoveryCode(owner.collectionId, owner.recordId, hash);
    });
  }

  /** Removes an account's authenticator and recovery codes (an admin's reset); false when it had none. */
  reset(owner: Pick<TotpOwner, 'collectionId' | 'recordId'>): Promise<boolean> {
    return this.factors.removeTotp(owner.collectionId, owner.recordId);
  }

  // ---- app users

  /** The signed-in user of `collection` as an owner; 401/403 for anyone else. */
  async userOwner(
    collection: string,
    principal: Principal,
  ): Promise<{ owner: TotpOwner; c: CompiledCollection; account: AccountRow }> {
    const c = this.collection(collection);
    if (principal.kind === 'anonymous') {
      throw new AppError(
        'UNAUTHORIZED',
        `Sign in to "${c.def.name}" first: authenticators are the user's own.`,
        {
          headers: { 'www-authenticate': 'Bearer' },
        },
      );
    }
    if (principal.kind !== 'user' || principal.collectionId !== c.def.id) {
      throw new AppError(
        'FORBIDDEN',
        `Only a signed-in user of "${c.def.name}" manages their own authenticator (admins reset it on the user's record).`,
      );
    }
    const account = await this.accounts.findById(c, principal.id);
    if (!account) throw new AppError('UNAUTHORIZED', 'This account no longer exists.');
    return { owner: this.ownerOf(c, account), c, account };
  }

  async confirmForUser(
    collection: string,
    principal: Principal,
    code: string,
  ): Promise<{ recoveryCodes: string[] }> {
    const { owner, c, account } = await this.userOwner(collection, principal);
    const answer = await this.confirm(owner, code);
    await this.events.account('mfa-enrolled', c, account);
    return answer;
  }

  async removeForUser(collection: string, principal: Principal, code: string): Promise<void> {
    const { owner, c, account } = await this.userOwner(collection, principal);
    await this.remove(owner, code);
    await this.events.account('mfa-removed', c, account);
  }

  /** `auth-with-totp {mfaId, code}`: the second factor of a waiting sign-in → tokens. */
  async authWithTotp(collection: string, mfaId: string, code: string): Promise<AuthAnswer> {
    const c = this.collection(collection);
    const waiting = await this.mfa.waiting(c, mfaId);
    const account = await this.accounts.findById(c, waiting.record_id);
    if (!account) throw new AppError('MFA_INVALID', 'The account of this sign-in no longer exists.');
    await this.verify(this.ownerOf(c, account), code);
    return this.users.completeSignIn(c, account, 'totp', mfaId);
  }

  /** An admin's view of a user's factors. */
  async factorsOf(collection: string, id: string): Promise<TotpStatus> {
    const { c, account } = await this.record(collection, id);
    return this.status(this.ownerOf(c, account));
  }

  /** An admin removes a user's authenticator and recovery codes (a lost phone). */
  async resetForAdmin(collection: string, id: string): Promise<void> {
    const { c, account } = await this.record(collection, id);
    if (await this.reset(this.ownerOf(c, account))) await this.events.account('mfa-removed', c, account);
  }

  private async record(
    collection: string,
    id: string,
  ): Promise<{ c: CompiledCollection; account: AccountRow }> {
    const c = this.collection(collection);
    const account = c.isId(id) ? await this.accounts.findById(c, id) : undefined;
    if (!account) {
      throw new AppError(
        'RECORD_NOT_FOUND',
        `"${c.def.name}" has no record with the id ${JSON.stringify(id.slice(0, 40))}.`,
      );
    }
    return { c, account };
  }

  private ownerOf(c: CompiledCollection, account: AccountRow): TotpOwner {
    return {
      collectionId: c.def.id,
      recordId: String(account.id),
      label: String(account.email || account.id),
    };
  }

  private collection(name: string): CompiledCollection {
    const c = this.registry.get(name);
    if (!c.isAuth) {
      throw new AppError(
        'NOT_AUTH_COLLECTION',
        `"${c.def.name}" is not an auth collection, so it has no accounts.`,
      );
    }
    return c;
  }

  private async useTotp(
    owner: Pick<TotpOwner, 'collectionId' | 'recordId'>,
    sealed: string,
    code: string,
  ): Promise<boolean> {
    const step = matchTotp(this.codes.box.open(sealed), code);
    return step !== undefined && (await this.factors.useTotpStep(owner.collectionId, owner.recordId, step));
  }

  private recoveryHash(owner: Pick<TotpOwner, 'collectionId' | 'recordId'>, code: string): string {
    return this.codes.hash(`recovery:${owner.collectionId}:${owner.recordId}`, normalizeRecoveryCode(code));
  }

  /** Runs a code check as a sign-in attempt of the owner: wrong codes count, 429 past the limit. */
  private async checked(
    owner: Pick<TotpOwner, 'collectionId' | 'recordId'>,
    check: () => Promise<boolean>,
  ): Promise<void> {
    try {
      await this.limiter.signInAttempt(
        `totp:${owner.collectionId}:${owner.recordId}`,
        this.config.auth.maxFailuresPerAccount,
        async () => {
          if (!(await check())) throw new AppError('INVALID_CREDENTIALS', 'wrong code');
        },
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') throw codeInvalid();
      throw err;
    }
  }
}

function notEnrolled(): AppError {
  return new AppError(
    'TOTP_NOT_ENROLLED',
    'This account has no confirmed authenticator. Enrol one (POST …/totp/enroll, then …/totp/confirm) first.',
  );
}
