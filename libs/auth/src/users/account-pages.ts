/**
 * The pages the account mails link to (apps/server/account-pages.ts serves them). They live under
 * /_/ so they never clash with the app's own site at / (DESIGN §11). The token travels in the URL
 * fragment: browsers do not send it, so it stays out of server and proxy logs.
 */
export const ACCOUNT_PAGES = [
  'confirm-verification',
  'confirm-password-reset',
  'confirm-email-change',
] as const;
export type AccountPage = (typeof ACCOUNT_PAGES)[number];

/** `https://host/_/account/confirm-verification?collection=users#token=…` */
export function accountPageLink(
  publicUrl: string,
  page: AccountPage,
  collection: string,
  token: string,
): string {
  return `${publicUrl}/_/account/${page}?collection=${encodeURIComponent(collection)}#token=${encodeURIComponent(token)}`;
}
