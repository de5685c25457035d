import { randomBytes } from 'node:crypto';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AppError, newId, OneTimeTokenRepository, RateLimiter } from '@plinth/core';
import { JobsService } from '@plinth/jobs';
import { MAIL_SEND_OPTIONS } from '@plinth/mail';
import { sha256 } from './tokens.service.js';
import type { MailContent } from './users/mail-templates.js';

/** Mails per address per window, whatever their kind; requests beyond still answer 204. */
const MAILS_PER_ADDRESS = 3;
const MAIL_WINDOW_SECONDS = 600;

const lower = (email: unknown): string => String(email).trim().toLowerCase();

/**
 * What mailing a one-time link takes, for app users' account mails and admins' password resets alike:
 * work done after the answer (so neither the answer nor its timing says whether an address is known),
 * a per-address mail limit, single-use tokens stored hashed, and the `mail.send` job.
 */
@Injectable()
export class MailedLinks implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AccountMail');
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly oneTime: OneTimeTokenRepository,
    private readonly jobs: JobsService,
    private readonly limiter: RateLimiter,
  ) {}

  /** Runs `work` after the caller has answered; a failure is logged as "could not send the <what>". */
  later(what: string, work: () => Promise<void>): void {
    const run: Promise<void> = work()
      .catch((err: Error) => this.logger.error(`Could not send the ${what}: ${err.message}`))
      .finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** Counts a mail to this address; false (and no mail) past MAILS_PER_ADDRESS in the window. */
  async mayMail(address: unknown): Promise<boolean> {
    try {
      await this.limiter.hit(`mail:${sha256(lower(address))}`, MAILS_PER_ADDRESS, MAIL_WINDOW_SECONDS, '');
      return true;
    } catch (err) {
      if (err instanceof AppError && err.code === 'TOO_MANY_REQUESTS') return false;
      throw err;
    }
  }

  /** A new single-use token of `purpose` for `subject`, valid `ttlMs`; only its hash is stored. */
  async issue(
    purpose: string,
    subject: string,
    data: Record<string, string>,
    ttlMs: number,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.oneTime.create({
      id: newId(),
      purpose,
      tokenHash: sha256(token),
      subject,
      data,
      expiresAt: new Date(Date.now() + ttlMs),
    });
    return token;
  }

  /** Uses the token up: its subject and data, or undefined when unknown, used or expired. */
  async consume(
    purpose: string,
    token: string,
  ): Promise<{ subject: string; data: Record<string, unknown> } | undefined> {
    const found = await this.oneTime.consume(purpose, sha256(token));
    return found?.subject ? { subject: found.subject, data: found.data } : undefined;
  }

  async send(to: string, mail: MailContent): Promise<void> {
    await this.jobs.enqueue('mail.send', { to, ...mail }, MAIL_SEND_OPTIONS);
  }

  /** Resolves when the mails requested so far are enqueued (or skipped): for shutdown and tests. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.idle();
  }
}
