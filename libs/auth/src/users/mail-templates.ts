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
