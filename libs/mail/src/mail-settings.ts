import type { ResolvedConfig } from '@plinth/core';

export const MAIL_SETTINGS = 'mail';

/**
 * The admin-editable `mail` settings section. Defaults come from SMTP_URL and SMTP_FROM; an empty
 * `host` means no SMTP server: mails are logged instead of sent.
 */
export interface MailSettings extends Record<string, unknown> {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (smtps, usually port 465); false: STARTTLS when the server offers it. */
  tls: boolean;
  username: string;
  password: string;
  from: string;
}

export const mailSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port', 'tls', 'username', 'password', 'from'],
  properties: {
    host: {
      type: 'string',
      maxLength: 255,
      pattern: '^[^\\s/]*$',
      description: 'SMTP server host name or IP; empty: mails are logged instead of sent.',
    },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    tls: { type: 'boolean', description: 'true: TLS from the start (smtps); false: STARTTLS when offered.' },
    username: { type: 'string', maxLength: 320 },
    password: { type: 'string', maxLength: 1000 },
    from: {
      type: 'string',
      minLength: 3,
      maxLength: 320,
      pattern: '@',
      description: 'Sender, like Plinth <no-reply@example.com>.',
    },
  },
} as const;

/** The section's defaults: SMTP_URL taken apart (credentials URL-decoded) and SMTP_FROM. */
export function mailDefaults(config: ResolvedConfig): MailSettings {
  const { smtpUrl, from } = config.mail;
  if (!smtpUrl) return { host: '', port: 587, tls: false, username: '', password: '', from };
  const url = new URL(smtpUrl);
  const tls = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : tls ? 465 : 587,
    tls,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    from,
  };
}

export const mailTestBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    to: { type: 'string', format: 'email', maxLength: 320, description: 'Who gets the test mail.' },
  },
} as const;

export const mailTestResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'to', 'server'],
  properties: {
    ok: { const: true },
    to: { type: 'string' },
    server: { type: 'string', description: 'host:port of the SMTP server that took the mail.' },
  },
} as const;
