import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { loadConfig, type ResolvedConfig } from '@plinth/core';
import { type Job, UnrecoverableError } from 'bullmq';
import type { JobPayloads } from '../job-definitions.js';
import { MailSendHandler } from './mail-send.handler.js';
import { isPermanentSmtpError, MailSender } from './mail-sender.js';

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

describe('MailSender without SMTP_URL', () => {
  it('logs the recipient, subject and link once at warn level instead of sending', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const sender = new MailSender(config());
      expect(sender.enabled).toBe(false);
      await expect(sender.send(mail)).resolves.toBe('logged');
      expect(warn).toHaveBeenCalledTimes(1);
      const line = String(warn.mock.calls[0]![0]);
      expect(line).toContain('ada@example.com');
      expect(line).toContain('"Hi"');
      expect(line).toContain('https://app.example/_/#/x/abc');
    } finally {
      warn.mockRestore();
    }
  });

  it('is enabled by SMTP_URL', () => {
    const sender = new MailSender(config({ SMTP_URL: 'smtp://user:pass@127.0.0.1:2525' }));
    expect(sender.enabled).toBe(true);
    sender.onApplicationShutdown();
  });
});
