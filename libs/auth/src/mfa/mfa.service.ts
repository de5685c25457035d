import { Injectable, Logger } from '@nestjs/common';
import { CollectionsRegistry, type CompiledCollection } from '@plinth/collections';
import { AppError, newId } from '@plinth/core';
import type { SignInMethod } from '../auth-events.js';
import { accountRuleWhere } from '../users/account-rule.js';
import { type AccountRow, UserAccountsRepository } from '../users/user-accounts.repository.js';
import { type MfaRow, SignInFactorsRepository } from './sign-in-factors.repository.js';

const invalid = () =>
  new AppError(
    'MFA_INVALID',
    'This mfaId is unknown, expired or not for this account. Sign in again from the first factor.',
  );

/**
 * PocketBase's multi-factor sign-in (apis/record_helpers.go checkMFA): a first factor that proves
 * an account answers 401 MFA_REQUIRED with `mfaId`; a second, different factor sent with that
 * `mfaId` (body or query) completes the sign-in. An mfaId belongs to one account of one collection
 * and lives `mfa.duration` seconds.
 */
@Injectable()
export class MfaService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly accounts: UserAccountsRepository,
    private readonly factors: SignInFactorsRepository,
  ) {}

  /**
   * Whether this account needs a second factor: the collection's `mfa` is on and its rule matches the
   * account, or the account confirmed a TOTP authenticator (it asked for one).
   */
  async required(c: CompiledCollection, account: AccountRow): Promise<boolean> {
    const totp = await this.factors.findTotp(c.def.id, account.id);
    if (totp?.confirmed_at) return true;
    const mfa = c.def.mfa;
    if (!mfa?.enabled) return false;
    if (mfa.rule === '') return true;
    try {
      return await this.accounts.matches(
        c,
        account.id,
        accountRuleWhere(this.registry, c, account, mfa.rule),
      );
    } catch (err) {
      // A rule a schema change broke asks for the second factor rather than skipping it.
      this.logger.warn(`The mfa.rule of "${c.def.name}" could not be judged: ${(err as Error).message}`);
      return true;
    }
  }

  /**
   * Lets a sign-in by `method` through (undefined: one factor sufficed; the factors in order when
   * `mfaId` completed a multi-factor sign-in), or throws 401 MFA_REQUIRED with a new mfaId.
   */
  async pass(
    c: CompiledCollection,
    account: AccountRow,
    method: SignInMethod,
    mfaId: string | undefined,
  ): Promise<SignInMethod[] | undefined> {
    if (!mfaId) {
      if (!(await this.required(c, account))) return undefined;
      const id = newId();
      const duration = c.def.mfa?.duration ?? 1800;
      await this.factors.insertMfa({
        id,
        collection_id: c.def.id,
        record_id: account.id,
        method,
        expires_at: new Date(Date.now() + duration * 1000),
      });
      throw new AppError(
        'MFA_REQUIRED',
        'This account signs in with two factors: send a second, different one (a one-time code or an authenticator code) with this mfaId.',
        { mfaId: id },
      );
    }
    const row = await this.waiting(c, mfaId);
    if (row.record_id !== account.id) throw invalid();
    if (row.method === method) {
      throw new AppError(
        'MFA_SAME_FACTOR',
        `The first factor was ${row.method}; the second must be a different one (for example an emailed code or an authenticator code).`,
      );
    }
    // Used up by the one request that deletes it: two second factors racing cannot both sign in.
    if (!(await this.factors.deleteMfa(row.id))) throw invalid();
    return [row.method as SignInMethod, method];
  }

  /** A waiting sign-in of this collection, unexpired; 400 MFA_INVALID otherwise. */
  async waiting(c: CompiledCollection, mfaId: string): Promise<MfaRow> {
    if (mfaId.length > 100) throw invalid();
    const row = await this.factors.findMfa(mfaId);
    if (!row || row.collection_id !== c.def.id) throw invalid();
    if (new Date(row.expires_at).getTime() <= Date.now()) {
      await this.factors.deleteMfa(row.id);
      throw invalid();
    }
    return row;
  }
}
