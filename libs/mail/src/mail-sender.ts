import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { isIP } from 'node:net';
import {
  AppError,
  PLINTH_CONFIG,
  PRIVATE_ENDPOINTS_HINT,
  resolvePublicAddress,
  SettingsService,
  type ResolvedConfig,
} from '@plinth/core';
import { createTransport, type Transporter } from 'nodemailer';
import type { JobPayloads } from '@plinth/jobs';
import { MAIL_SETTINGS, mailDefaults, mailSettingsSchema, type MailSettings } from './mail-settings.js';

export type OutgoingMail = JobPayloads['mail.send'];

/** An SMTP reply in the 5xx range is permanent: the same mail sent again would be refused again. */
export function isPermanentSmtpError(err: unknown): boolean {
  const e = err as { responseCode?: unknown; code?: unknown };
  if (typeof e?.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600;
  // Recipients or sender refused before a reply code (an address nodemailer cannot use), or a
  // server on a private address (PLINTH_ALLOW_PRIVATE_ENDPOINTS): sending again changes nothing.
  return e?.code === 'EENVELOPE' || e?.code === 'EPRIVATEADDRESS';
}

interface Built {
  settings: MailSettings;
  /** A transport for one mail: the host is resolved (and checked) anew for each. */
  transport?: () => Promise<Transporter>;
}

/** What went wrong, in the SMTP server's own words when it said something. */
function describeSmtpError(err: unknown): string {
  const e = err as { message?: string; response?: string };
  const message = (e?.message ?? String(err)).trim();
  const response = typeof e?.response === 'string' ? e.response.trim() : '';
  const text = response && !message.includes(response) ? `${message} (server said: ${response})` : message;
  return text.slice(0, 500);
}

/**
 * Sends mail with the `mail` settings (host, port, TLS, credentials, sender), whose defaults come from
 * SMTP_URL and SMTP_FROM, read on first use and again after the section changes on any replica; each
 * mail gets its own nodemailer transport (and address check). Without a host, each mail's recipient, subject and links are logged at warn
 * level instead, so development works without a mail server.
 */
@Injectable()
export class MailSender implements OnModuleInit {
  private readonly logger = new Logger('Mail');
  private current?: Promise<Built>;

  constructor(
    private readonly settings: SettingsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  onModuleInit(): void {
    this.settings.register<MailSettings>({
      key: MAIL_SETTINGS,
      schema: mailSettingsSchema as unknown as Record<string, unknown>,
      defaults: mailDefaults(this.config),
      secrets: ['password'],
      secretEndpoints: { password: ['host', 'port', 'username', 'tls'] },
      outboundHosts: ['host'],
    });
    this.settings.onChange(MAIL_SETTINGS, () => {
      this.current = undefined;
    });
  }

  /** Sends the mail, or logs it when no SMTP server is configured; throws the transport's error. */
  async send(mail: OutgoingMail): Promise<'sent' | 'logged'> {
    const { transport: connect } = await this.built();
    if (!connect) {
      const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
      this.logger.warn(
        `No SMTP server is set (mail settings or SMTP_URL), so this mail was not sent: to ${mail.to}, "${mail.subject}"` +
          (links.length ? `, link: ${links.join(' ')}` : ''),
      );
      return 'logged';
    }
    const transport = await connect();
    try {
      await transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    } finally {
      transport.close();
    }
    return 'sent';
  }

  /** Whether an SMTP server is set; without one, mails are logged instead of sent. */
  async isConfigured(): Promise<boolean> {
    return Boolean((await this.built()).transport);
  }

  /**
   * "Send test mail": sends one mail now with the saved settings (not through the queue, no retries).
   * No host → 400 MAIL_NOT_CONFIGURED; any failure → 502 MAIL_TEST_FAILED with what the server said.
   */
  async sendTest(to: string): Promise<{ ok: true; to: string; server: string }> {
    const { settings, transport: connect } = await this.built();
    if (!connect) {
      throw new AppError(
        'MAIL_NOT_CONFIGURED',
        'No SMTP server is set: enter the host (and port, TLS, credentials) in the mail settings and save them first.',
        { errors: [{ path: 'mail.host', code: 'REQUIRED', message: 'is empty' }] },
      );
    }
    const server = `${settings.host}:${settings.port}`;
    const app = this.config.mail.appName;
    try {
      const transport = await connect();
      try {
        await transport.sendMail({
          to,
          subject: `Test mail from ${app}`,
          text:
            `This is a test mail from ${app}, sent by an admin to check the SMTP settings.\n\n` +
            `It arrived, so account mails (verification, password reset, email change) can be delivered.\n` +
            `If you did not expect it, you can ignore it.\n`,
        });
      } finally {
        transport.close();
      }
    } catch (err) {
      const said = describeSmtpError(err);
      this.logger.warn(`Test mail to ${to} through ${server} failed: ${said}`);
      throw new AppError(
        'MAIL_TEST_FAILED',
        `The test mail could not be sent through ${server}: ${said}. Check the host, port, TLS and credentials in the mail settings, and that the server is reachable from Plinth.`,
        { server },
      );
    }
    return { ok: true, to, server };
  }

  private built(): Promise<Built> {
    if (!this.current) {
      const pending = this.settings.get<MailSettings>(MAIL_SETTINGS).then((s) => this.build(s));
      this.current = pending;
      pending.catch(() => {
        if (this.current === pending) this.current = undefined;
      });
    }
    return this.current;
  }

  private build(settings: MailSettings): Built {
    if (!settings.host) return { settings };
    // No pool: a connection per mail keeps an outage from leaving broken connections around,
    // and account mail is rare. Timeouts keep a silent server from holding a job for minutes.
    const transport = async () => {
      const target = await this.address(settings.host);
      return createTransport(
        {
          host: target.host,
          // TLS still checks the certificate against the configured name.
          ...(target.servername ? { servername: target.servername } : {}),
          port: settings.port,
          secure: settings.tls,
          auth: settings.username ? { user: settings.username, pass: settings.password } : undefined,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        },
        { from: settings.from },
      );
    };
    return { settings, transport };
  }

  /**
   * Where to connect. Unless private endpoints are allowed, the host is resolved here and the
   * checked address is what nodemailer connects to, so a name cannot rebind to an internal address.
   */
  private async address(host: string): Promise<{ host: string; servername?: string }> {
    if (this.config.allowPrivateEndpoints) return { host };
    try {
      const { address } = await resolvePublicAddress(host);
      return { host: address, servername: isIP(host.replace(/^\[|\]$/g, '')) ? undefined : host };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code !== 'EPRIVATEADDRESS') throw err;
      throw Object.assign(new Error(`${e.message}: ${PRIVATE_ENDPOINTS_HINT}`), { code: e.code });
    }
  }
}
