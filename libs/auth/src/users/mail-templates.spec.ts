import { describe, expect, it } from '@jest/globals';
import {
  adminPasswordResetMail,
  emailChangeMail,
  passwordResetMail,
  verificationMail,
} from './mail-templates.js';

const link = 'https://app.example/_/#/page/TOKEN';

describe('mail templates', () => {
  const mails = {
    verification: verificationMail('Acme', link),
    reset: passwordResetMail('Acme', link),
    emailChange: emailChangeMail('Acme', link, 'new@example.com'),
    adminReset: adminPasswordResetMail('Acme', link, 'https://app.example/_/'),
  };

  it.each(Object.entries(mails))(
    '%s names the app, carries the link and says what to do if unasked',
    (_, m) => {
      expect(m.subject).toContain('Acme');
      expect(m.text).toContain('Acme');
      expect(m.text.split('\n')).toContain(link);
      expect(m.text).toContain('If this was not you');
    },
  );

  it('tells the reader how long each link lives', () => {
    expect(mails.verification.text).toContain('7 days');
    expect(mails.reset.text).toContain('1 hour');
    expect(mails.emailChange.text).toContain('1 hour');
    expect(mails.emailChange.text).toContain('new@example.com');
    expect(mails.adminReset.text).toContain('1 hour');
    expect(mails.adminReset.text).toContain('the Acme console at https://app.example/_/');
  });
});
