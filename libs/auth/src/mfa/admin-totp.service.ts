import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  newId,
  PLINTH_CONFIG,
  type Principal,
  RateLimiter,
  type ResolvedConfig,
} from '@plinth/core';
import { type AdminView, AdminsService } from '../admins.service.js';
import { SUPERUSERS_COLLECTION_ID } from '../superusers.constants.js';
import { SignInFactorsRepository } from './sign-in-factors.repository.js';
import { type TotpOwner, TotpService, type TotpStatus } from './totp.service.js';

/** How long an admin has between the password and the authenticator code. */
const ADMIN_MFA_SECONDS = 300;

const invalid = () =>
  new AppError('MFA_INVALID', 'This mfaId is unknown or expired. Sign in again with the password.');

/**
 * Admins' own TOTP for the console: an admin with a confirmed authenticator signs in with the
 * password (401 MFA_REQUIRED with an mfaId), then `auth-with-totp {mfaId, code}`. Stored like app
 * users' authenticators, under PocketBase's _superusers collection id.
 */
@Injectable()
export class AdminTotpService {
  constructor(
    private readonly admins: AdminsService,
    private readonly totp: TotpService,
    private readonly factors: SignInFactorsRepository,
    private readonly limiter: RateLimiter,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** The password step of an admin sign-in (rate-limited per account): a session, or 401 MFA_REQUIRED. */
  async signIn(identity: string, password: string): Promise<{ token: string; admin: AdminView }> {
    const admin = await this.limiter.signInAttempt(
      `admin:${identity.trim().toLowerCase()}`,
      this.config.auth.maxFailuresPerAccount,
      () => this.admins.checkPassword(identity, password),
    );
    if (!(await this.totp.confirmed({ collectionId: SUPERUSERS_COLLECTION_ID, recordId: admin.id }))) {
      return this.admins.startSession(admin);
    }
    const mfaId = newId();
    await this.factors.insertMfa({
      id: mfaId,
      collection_id: SUPERUSERS_COLLECTION_ID,
      record_id: admin.id,
      method: 'password',
      expires_at: new Date(Date.now() + ADMIN_MFA_SECONDS * 1000),
    });
    throw new AppError(
      'MFA_REQUIRED',
      'This admin signs in with an authenticator too: send its current code (or a recovery code) with this mfaId.',
      { mfaId },
    );
  }

  /** The authenticator step: `{mfaId, code}` → a console session. */
  async authWithTotp(mfaId: string, code: string): Promise<{ token: string; admin: AdminView }> {
    const row = mfaId.length <= 100 ? await this.factors.findMfa(mfaId) : undefined;
    if (!row || row.collection_id !== SUPERUSERS_COLLECTION_ID) throw invalid();
    if (new Date(row.expires_at).getTime() <= Date.now()) {
      await this.factors.deleteMfa(row.id);
      throw invalid();
    }
    await this.totp.verify({ collectionId: SUPERUSERS_COLLECTION_ID, recordId: row.record_id }, code);
    if (!(await this.factors.deleteMfa(row.id))) throw invalid();
    const admin = await this.admins.findById(row.record_id);
    if (!admin) throw invalid();
    return this.admins.startSession(admin);
  }

  /** The signed-in admin as an authenticator owner; API keys and app users are refused. */
  ownerOf(principal: Principal): TotpOwner {
    if (principal.kind === 'admin') {
      return { collectionId: SUPERUSERS_COLLECTION_ID, recordId: principal.id, label: principal.email };
    }
    if (principal.kind === 'anonymous') {
      throw new AppError('UNAUTHORIZED', 'Sign in as an admin first.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    throw new AppError(
      'ADMIN_REQUIRED',
      'Only a signed-in admin manages its own authenticator (API keys and app users have none here).',
    );
  }

  status(principal: Principal): Promise<TotpStatus> {
    return this.totp.status(this.ownerOf(principal));
  }

  enroll(principal: Principal): Promise<{ secret: string; uri: string }> {
    return this.totp.enroll(this.ownerOf(principal));
  }

  confirm(principal: Principal, code: string): Promise<{ recoveryCodes: string[] }> {
    return this.totp.confirm(this.ownerOf(principal), code);
  }

  remove(principal: Principal, code: string): Promise<void> {
    return this.totp.remove(this.ownerOf(principal), code);
  }
}
