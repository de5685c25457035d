import { Inject, Injectable } from '@nestjs/common';
import { AppError, hashPassword, PLINTH_CONFIG, RateLimiter, type ResolvedConfig } from '@plinth/core';
import { MailSender } from '@plinth/mail';
import { AdminsRepository } from './admins.repository.js';
import { MailedLinks } from './mailed-links.js';
import { fingerprint } from './tokens.service.js';
import { adminPasswordResetMail } from './users/mail-templates.js';

const PURPOSE = 'admin-reset';
const TTL_MS = 60 * 60 * 1000;

const lower = (email: string): string => email.trim().toLowerCase();

/**
 * "Forgot password?" of the console: a single-use link, valid an hour, mailed to the admin; it sets a new
 * password and ends every session of that admin. Requests are answered before the address is looked
 * up, the same whether an admin has it or not, and mails per address are limited as for app users.
 */
@Injectable()
export class AdminPasswordResetService {
  constructor(
    private readonly admins: AdminsRepository,
    private readonly links: MailedLinks,
    private readonly mail: MailSender,
    private readonly limiter: RateLimiter,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async request(email: string): Promise<void> {
    // Says nothing about the address: without SMTP no admin could get the link.
    if (!(await this.mail.isConfigured())) {
      throw new AppError(
        'MAIL_NOT_CONFIGURED',
        'This server cannot send mail (no SMTP server is set in the mail settings or SMTP_URL), so it cannot mail a reset link. ' +
          'On the server, run npm run plinth -- admin reset-password <email>, or ask another admin to set up mail under Settings.',
      );
    }
    this.links.later('admin password reset mail', async () => {
      const admin = await this.admins.findByEmail(email.trim());
      if (!admin || !(await this.links.mayMail(admin.email))) return;
      // Bound to the password: once it changes (this link, another one, the console), the others are void.
      const token = await this.links.issue(
        PURPOSE,
        admin.id,
        { email: lower(admin.email), pw: fingerprint(admin.password_hash) },
        TTL_MS,
      );
      const consoleUrl = `${this.config.http.publicUrl}/_/`;
      const link = `${consoleUrl}#/reset-password?token=${encodeURIComponent(token)}`;
      await this.links.send(admin.email, adminPasswordResetMail(this.config.mail.appName, link, consoleUrl));
    });
  }

  /** Sets the new password and ends every session of the admin; the link is used up either way. */
  async confirm(token: string, password: string): Promise<void> {
    const found = await this.links.consume(PURPOSE, token);
    const admin = found ? await this.admins.findById(found.subject) : undefined;
    if (
      !found ||
      !admin ||
      lower(admin.email) !== found.data.email ||
      fingerprint(admin.password_hash) !== found.data.pw
    ) {
      throw new AppError(
        'PASSWORD_RESET_TOKEN_INVALID',
        'This reset link is unknown, used already or expired. Ask for a new one on the sign-in page.',
      );
    }
    await this.admins.setPassword(admin.id, await hashPassword(password));
    // The owner proved the mailbox: lift a lock from failed sign-ins (the key of admin sign-ins).
    await this.limiter.reset(`fail:admin:${lower(admin.email)}`);
  }

  /** Resolves when the mails requested so far are enqueued (or skipped): for tests. */
  idle(): Promise<void> {
    return this.links.idle();
  }
}
