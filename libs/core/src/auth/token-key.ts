import { createHash } from 'node:crypto';

/**
 * The short fingerprint of an account's token key that tokens carry as `tk`: changing the key (password
 * change, sign-out everywhere) makes every token issued before it fail this comparison.
 */
export const fingerprint = (tokenKey: string): string =>
  createHash('sha256').update(tokenKey).digest('base64url').slice(0, 16);
