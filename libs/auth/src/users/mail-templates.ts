/**
 * The plain-text mails sent to app users. Edit the wording here; each mail says what happened,
 * what the link does and what to do if the reader did not ask for it.
 */
export interface MailContent {
  subject: string;
  text: string;
}

export function verificationMail(appName: string, link: string): MailContent {
  return {
    subject: `Confirm your email for ${appName}`,
    text: [
      'Hello,',
      '',
      `Someone signed up for ${appName} with this email address, or asked to confirm it.`,
      'To confirm that the address is yours, open this link within 7 days:',
      '',
      link,
      '',
      'If this was not you, ignore this mail: nothing changes without the link.',
      '',
      `— ${appName}`,
    ].join('\n'),
  };
}

export function passwordResetMail(appName: string, link: string): MailContent {
  return {
    subject: `Reset your ${appName} password`,
    text: [
      'Hello,',
      '',
      `Someone asked to reset the password of the ${appName} account with this email address.`,
      'To choose a new password, open this link within 1 hour:',
      '',
      link,
      '',
      'Setting a new password signs the account out on every device.',
      'If this was not you, ignore this mail: your password stays as it is.',
      '',
      `— ${appName}`,
    ].join('\n'),
  };
}

export function emailChangeMail(appName: string, link: string, newEmail: string): MailContent {
  return {
    subject: `Confirm your new email for ${appName}`,
    text: [
      'Hello,',
      '',
      `Someone asked to make ${newEmail} the new email of their ${appName} account.`,
      'To confirm the change, open this link within 1 hour; it asks for the account password:',
      '',
      link,
      '',
      'If this was not you, ignore this mail: the account keeps its current email.',
      '',
      `— ${appName}`,
    ].join('\n'),
  };
}

export function adminPasswordResetMail(appName: string, link: string, consoleUrl: string): MailContent {
  return {
    subject: `Reset your ${appName} admin password`,
    text: [
      'Hello,',
      '',
      `Someone asked to reset the password of the admin account with this email address, for the ${appName} console at ${consoleUrl}.`,
      'To choose a new password, open this link within 1 hour:',
      '',
      link,
      '',
      'Setting a new password ends every console session of this admin.',
      'If this was not you, ignore this mail: your password stays as it is.',
      '',
      `— ${appName}`,
    ].join('\n'),
  };
}

const minutes = (seconds: number): string =>
  seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} seconds`;

/**
 * A one-time sign-in code (PocketBase's OTP). A collection's `otp.emailTemplate` replaces the wording
 * when it has both a subject and a body; `{OTP}` and `{APP_NAME}` are filled in.
 */
export function otpMail(
  appName: string,
  code: string,
  seconds: number,
  template?: { subject: string; body: string },
): MailContent {
  if (template?.subject && template.body) {
    const fill = (text: string) => text.replaceAll('{OTP}', code).replaceAll('{APP_NAME}', appName);
    return { subject: fill(template.subject), text: fill(template.body) };
  }
  return {
    subject: `Your ${appName} sign-in code`,
    text: [
      'Hello,',
      '',
      `Someone asked to sign in to ${appName} with this email address. The code is:`,
      '',
      code,
      '',
      `It works once, within ${minutes(seconds)}. Never tell it to anyone: ${appName} will not ask for it.`,
      'If this was not you, ignore this mail: nobody signs in without the code.',
      '',
      `— ${appName}`,
    ].join('\n'),
  };
}

/** A magic link: one click signs in (the app exchanges its one-time code). */
export function magicLinkMail(appName: string, link: string, seconds: number): MailContent {
  return {
    subject: `Sign in to ${appName}`,
    text: [
      'Hello,',
      '',
      `Someone asked to sign in to ${appName} with this email address.`,
      `To sign in, open this link within ${minutes(seconds)}; it works once:`,
      '',
      link,
      '',
      'If this was not you, ignore this mail: nobody signs in without the link.',
      '',
      `— ${appName}`,
    ].join('\n'),
  };
}
