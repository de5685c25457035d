import { Inject, Injectable } from '@nestjs/common';
import {
  CollectionsRegistry,
  type CompiledCollection,
  fillMailLink,
  type MailLinkKind,
  mailLinkTemplate,
} from '@plinth/collections';
import {
  AppError,
  type ErrorCode,
  hashPassword,
  newTokenKey,
  PLINTH_CONFIG,
  type Principal,
  type ResolvedConfig,
  verifyPassword,
} from '@plinth/core';
import { AuthEvents, type AuthEventKind } from '../auth-events.js';
import { MailedLinks } from '../mailed-links.js';
import { fingerprint } from '../tokens.service.js';
import { accountPageLink } from './account-pages.js';
import { AccountUpdatesRepository } from './account-updates.repository.js';
import { emailChangeMail, passwordResetMail, verificationMail } from './mail-templates.js';
import { RateLimiter } from '@plinth/core';
import { type AccountRow, UserAccountsRepository } from './user-accounts.repository.js';

const HOUR_MS = 3600 * 1000;
/**
 * What each mailed link does: its one_time_token purpose prefix, lifetime, page, the collection's
 * mailLinks key that replaces the page, and error code.
 */
const LINKS = {
  verify: {
    ttlMs: 7 * 24 * HOUR_MS,
    page: 'confirm-verification',
    option: 'verification',
    invalid: 'VERIFICATION_TOKEN_INVALID',
  },
  reset: {
    ttlMs: HOUR_MS,
    page: 'confirm-password-reset',
    option: 'passwordReset',
    invalid: 'PASSWORD_RESET_TOKEN_INVALID',
  },
  'email-change': {
    ttlMs: HOUR_MS,
    page: 'confirm-email-change',
    option: 'emailChange',
    invalid: 'EMAIL_CHANGE_TOKEN_INVALID',
  },
} as const satisfies Record<
  string,
  { ttlMs: number; page: string; option: MailLinkKind; invalid: ErrorCode }
>;
type LinkKind = keyof typeof LINKS;

export interface AccountOwner {
  c: CompiledCollection;
  account: AccountRow;
}

const lower = (email: unknown): string => String(email).trim().toLowerCase();

/**
 * Verification, password reset and email change through links mailed to app users (DESIGN §5, §10).
 * The request-* methods answer before looking the address up: the lookup, the token and the
 * `mail.send` job happen afterwards, so neither the answer nor its timing says whether an
 * account exists.
 */
@Injectable()
export class AccountMailService {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly accounts: UserAccountsRepository,
    private readonly updates: AccountUpdatesRepository,
    private readonly links: MailedLinks,
    private readonly limiter: RateLimiter,
    private readonly events: AuthEvents,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  requestVerification(collection: string, email: string): void {
    const c = this.authCollection(collection);
    this.links.later('verification mail', async () => {
      const account = await this.accounts.findByEmail(c, email.trim());
      if (!account || account.verified === true || !(await this.links.mayMail(account.email))) return;
      const token = await this.issue(c, 'verify', account, { email: lower(account.email) });
      await this.links.send(
        String(account.email),
        verificationMail(this.appName, this.link(c, 'verify', token)),
      );
    });
  }

  async confirmVerification(collection: string, token: string): Promise<void> {
    const c = this.authCollection(collection);
    const { account, data } = await this.consume(c, 'verify', token);
    // A link mailed to an address the account no longer has proves nothing about the current one.
    if (lower(account.email) !== data.email) throw this.invalid('verify');
    if (await this.updates.markVerified(c, account.id)) await this.emit('verified', c, account.id);
  }

  requestPasswordReset(collection: string, email: string): void {
    const c = this.authCollection(collection);
    this.links.later('password reset mail', async () => {
      const account = await this.accounts.findByEmail(c, email.trim());
      if (!account || !(await this.links.mayMail(account.email))) return;
      const token = await this.issue(c, 'reset', account, {
        email: lower(account.email),
        tk: fingerprint(account.token_key),
      });
      await this.links.send(
        String(account.email),
        passwordResetMail(this.appName, this.link(c, 'reset', token)),
      );
    });
  }

  /** Sets the password, signs the account out everywhere and marks it verified (it read the mail). */
  async confirmPasswordReset(collection: string, token: string, password: string): Promise<void> {
    const c = this.authCollection(collection);
    const { account, data } = await this.consume(c, 'reset', token);
    // Bound to the token key: a later reset or password change voids the other links.
    if (lower(account.email) !== data.email || fingerprint(account.token_key) !== data.tk) {
      throw this.invalid('reset');
    }
    await this.updates.resetPassword(c, account.id, await hashPassword(password), newTokenKey());
    await this.accounts.revokeAll(c.def.id, account.id);
    // The owner proved the mailbox: lift a lock from failed sign-ins.
    await this.limiter.reset(`fail:${c.def.id}:${lower(account.email)}`);
    await this.emit('password-reset', c, account.id);
  }

  /** The caller's own account, which only a user of this collection has: 401/403 otherwise. */
  async signedInAccount(collection: string, principal: Principal): Promise<AccountOwner> {
    const c = this.authCollection(collection);
    if (principal.kind === 'anonymous') {
      throw new AppError(
        'UNAUTHORIZED',
        `Sign in to "${c.def.name}" first: only a user changes their email.`,
        {
          headers: { 'www-authenticate': 'Bearer' },
        },
      );
    }
    if (principal.kind !== 'user' || principal.collectionId !== c.def.id) {
      throw new AppError(
        'FORBIDDEN',
        `Only a signed-in user of "${c.def.name}" can change their own email (admins edit the record instead).`,
      );
    }
    const account = await this.accounts.findById(c, principal.id);
    if (!account) throw new AppError('UNAUTHORIZED', 'This account no longer exists.');
    return { c, account };
  }

  /**
   * Mails a link to the new address. When another account has it already no mail goes out, and
   * the answer is the same, so this cannot be used to test which addresses are registered.
   */
  requestEmailChange({ c, account }: AccountOwner, newEmail: string): void {
    if (lower(account.email) === lower(newEmail)) {
      throw new AppError('VALIDATION_FAILED', 'The new email is the one the account has already.', {
        errors: [{ path: 'newEmail', code: 'INVALID_VALUE', message: 'is the current email' }],
      });
    }
    this.links.later('email change mail', async () => {
      if ((await this.accounts.findByEmail(c, newEmail.trim())) || !(await this.links.mayMail(newEmail)))
        return;
      const token = await this.issue(c, 'email-change', account, {
        newEmail: newEmail.trim(),
        tk: fingerprint(account.token_key),
      });
      await this.links.send(
        newEmail.trim(),
        emailChangeMail(this.appName, this.link(c, 'email-change', token), newEmail.trim()),
      );
    });
  }

  /**
   * Checks the account password and sets the new email. The token is used up first, so a link
   * allows one password guess.
   */
  async confirmEmailChange(collection: string, token: string, password: string): Promise<void> {
    const c = this.authCollection(collection);
    const { account, data } = await this.consume(c, 'email-change', token);
    if (fingerprint(account.token_key) !== data.tk || typeof data.newEmail !== 'string') {
      throw this.invalid('email-change');
    }
    if (!(await verifyPassword(account.password_hash, password))) {
      throw new AppError('VALIDATION_FAILED', 'The password is wrong; request a new link and try again.', {
        errors: [{ path: 'password', code: 'INVALID_VALUE', message: 'is not the account password' }],
      });
    }
    if (!(await this.updates.changeEmail(c, account.id, data.newEmail, newTokenKey()))) {
      throw new AppError(
        'EMAIL_TAKEN',
        `Another account uses ${data.newEmail} now, so it cannot be this one's.`,
      );
    }
    await this.accounts.revokeAll(c.def.id, account.id);
    await this.emit('email-changed', c, account.id, account);
  }

  /** Resolves when the mails requested so far are enqueued (or skipped): for tests. */
  idle(): Promise<void> {
    return this.links.idle();
  }

  private get appName(): string {
    return this.config.mail.appName;
  }

  private authCollection(name: string): CompiledCollection {
    const c = this.registry.get(name);
    if (!c.isAuth) {
      throw new AppError(
        'NOT_AUTH_COLLECTION',
        `"${c.def.name}" is not an auth collection, so it has no accounts.`,
      );
    }
    return c;
  }

  /** An account event with the account as it is now (read again after the change). */
  private async emit(
    kind: AuthEventKind,
    c: CompiledCollection,
    id: string,
    previousRow?: AccountRow,
  ): Promise<void> {
    const now = await this.accounts.findById(c, id);
    if (now) await this.events.account(kind, c, now, { previousRow });
  }

  private issue(
    c: CompiledCollection,
    kind: LinkKind,
    account: AccountRow,
    data: Record<string, string>,
  ): Promise<string> {
    return this.links.issue(`${kind}:${c.def.id}`, account.id, data, LINKS[kind].ttlMs);
  }

  /** Uses the token up and loads its account; unknown, used, expired or orphaned → 400. */
  private async consume(
    c: CompiledCollection,
    kind: LinkKind,
    token: string,
  ): Promise<{ account: AccountRow; data: Record<string, unknown> }> {
    const found = await this.links.consume(`${kind}:${c.def.id}`, token);
    const account = found ? await this.accounts.findById(c, found.subject) : undefined;
    if (!found || !account) throw this.invalid(kind);
    return { account, data: found.data };
  }

  private invalid(kind: LinkKind): AppError {
    return new AppError(
      LINKS[kind].invalid,
      'This link is unknown, used already or expired. Ask for a new one.',
    );
  }

  /** The collection's own page (mailLinks) if it set one, else Plinth's account page. */
  private link(c: CompiledCollection, kind: LinkKind, token: string): string {
    const own = mailLinkTemplate(c.def, LINKS[kind].option);
    if (own) return fillMailLink(own, token, c.def.name);
    return accountPageLink(this.config.http.publicUrl, LINKS[kind].page, c.def.name, token);
  }
}
