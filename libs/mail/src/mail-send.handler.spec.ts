import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { loadConfig, type ResolvedConfig, type SettingsService } from '@plinth/core';
import { type Job, UnrecoverableError } from 'bullmq';
import type { JobPayloads } from '@plinth/jobs';
import { MailSendHandler } from './mail-send.handler.js';
import { isPermanentSmtpError, MailSender } from './mail-sender.js';
import { mailDefaults } from './mail-settings.js';

type MailJob = Job<JobPayloads['mail.send']>;
const mail = { to: 'ada@example.com', subject: 'Hi', text: 'Open https://app.example/_/#/x/abc now.' };
const job = { id: '1' } as MailJob;
const config = (env: Record<string, string> = {}) => loadConfig(env) as ResolvedConfig;

const smtpError = (props: Record<string, unknown>) => Object.assign(new Error('refused'), props);

describe('isPermanentSmtpError', () => {
  it('calls 5xx replies and refused envelopes permanent, everything else temporary', () => {
    expect(isPermanentSmtpError(smtpError({ responseCode: 550 }))).toBe(true);
    expect(isPermanentSmtpError(smtpError({ responseCode: 535 }))).toBe(true);
    expect(isPermanentSmtpError(smtpError({ code: 'EENVELOPE' }))).toBe(true);
    expect(isPermanentSmtpError(smtpError({ responseCode: 421 }))).toBe(false);
    expect(isPermanentSmtpError(smtpError({ code: 'ECONNECTION' }))).toBe(false);
    expect(isPermanentSmtpError(new Error('socket hang up'))).toBe(false);
  });
});

describe('MailSendHandler', () => {
  const handlerFailingWith = (err: Error) =>
    new MailSendHandler({ send: () => Promise.reject(err) } as unknown as MailSender);

  it('rethrows temporary failures so BullMQ retries them', async () => {
    const err = smtpError({ code: 'ECONNECTION' });
    await expect(handlerFailingWith(err).handle(mail, job)).rejects.toBe(err);
  });

  it('fails a permanently refused mail at once (no retries)', async () => {
    await expect(handlerFailingWith(smtpError({ responseCode: 550 })).handle(mail, job)).rejects.toThrow(
      UnrecoverableError,
    );
  });
});

/** The settings as SettingsService would answer them (the section's defaults; storage is not the point here). */
const senderFor = (env: Record<string, string> = {}) => {
  const cfg = config(env);
  const settings = {
    register: () => undefined,
    onChange: () => () => undefined,
    get: async () => mailDefaults(cfg),
  } as unknown as SettingsService;
  return new MailSender(settings, cfg);
};

describe('mailDefaults', () => {
  it('takes SMTP_URL apart, decoding the credentials', () => {
    expect(
      mailDefaults(config({ SMTP_URL: 'smtps://us%40er:p%3Ass@mail.example:2465', SMTP_FROM: 'A <a@b.c>' })),
    ).toEqual({
      host: 'mail.example',
      port: 2465,
      tls: true,
      username: 'us@er',
      password: 'p:ss',
      from: 'A <a@b.c>',
    });
    expect(mailDefaults(config({ SMTP_URL: 'smtp://127.0.0.1' }))).toMatchObject({
      host: '127.0.0.1',
      port: 587,
      tls: false,
      username: '',
    });
    expect(mailDefaults(config()).host).toBe('');
  });
});

describe('MailSender without an SMTP host', () => {
  it('logs the recipient, subject and link once at warn level instead of sending', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await expect(senderFor().send(mail)).resolves.toBe('logged');
      expect(warn).toHaveBeenCalledTimes(1);
      const line = String(warn.mock.calls[0]![0]);
      expect(line).toContain('ada@example.com');
      expect(line).toContain('"Hi"');
      expect(line).toContain('https://app.example/_/#/x/abc');
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a test mail with MAIL_NOT_CONFIGURED', async () => {
    await expect(senderFor().sendTest('ada@example.com')).rejects.toMatchObject({
      code: 'MAIL_NOT_CONFIGURED',
    });
  });
});
