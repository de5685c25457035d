import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import { createTransport, type Transporter } from 'nodemailer';
import type { JobPayloads } from '../job-definitions.js';

export type OutgoingMail = JobPayloads['mail.send'];

/** An SMTP reply in the 5xx range is permanent: the same mail sent again would be refused again. */
export function isPermanentSmtpError(err: unknown): boolean {
  const e = err as { responseCode?: unknown; code?: unknown };
  if (typeof e?.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600;
  // Recipients or sender refused before a reply code (an address nodemailer cannot use).
  return e?.code === 'EENVELOPE';
}

/**
 * Sends mail over SMTP_URL through one nodemailer transport created at boot. Without SMTP_URL it
 * logs each mail's recipient, subject and links at warn level instead, so development works
 * without a mail server.
 */
@Injectable()
export class MailSender implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly transport?: Transporter;

  constructor(@Inject(PLINTH_CONFIG) config: ResolvedConfig) {
    const { smtpUrl, from } = config.mail;
    // No pool: a connection per mail keeps an outage from leaving broken connections around,
    // and account mail is rare. Timeouts keep a silent server from holding a job for minutes.
    this.transport = smtpUrl
      ? createTransport(
          { url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
          { from },
        )
      : undefined;
  }

  get enabled(): boolean {
    return this.transport !== undefined;
  }

  /** Sends the mail, or logs it when no SMTP server is configured; throws the transport's error. */
  async send(mail: OutgoingMail): Promise<'sent' | 'logged'> {
    if (!this.transport) {
      const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
      this.logger.warn(
        `SMTP_URL is not set, so this mail was not sent: to ${mail.to}, "${mail.subject}"` +
          (links.length ? `, link: ${links.join(' ')}` : ''),
      );
      return 'logged';
    }
    await this.transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    return 'sent';
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
