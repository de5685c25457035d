import type { ReceivedMail } from './mailbox.js';

/** The `/_/account/<page>?collection=…#token=…` link in an account mail, as a URL. */
export function mailedLink(mail: ReceivedMail, page: string): URL {
  const match = mail.text.match(new RegExp(`https?://\\S+/_/account/${page}\\?\\S+`));
  if (!match) throw new Error(`no ${page} link in the mail:\n${mail.text}`);
  return new URL(match[0]);
}

/** The token in the fragment of that link. */
export function linkToken(mail: ReceivedMail, page: string): string {
  const token = new URLSearchParams(mailedLink(mail, page).hash.slice(1)).get('token');
  if (!token) throw new Error(`the ${page} link has no token:\n${mail.text}`);
  return token;
}
