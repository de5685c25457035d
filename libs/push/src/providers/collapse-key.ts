import { createHash } from 'node:crypto';

/**
 * Fits every provider: a Web Push `Topic` is at most 32 characters of the URL-safe base64 alphabet
 * (RFC 8030 §5.4), an APNs collapse id at most 64 bytes, an FCM collapse key any short string.
 */
const COLLAPSE_KEY = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The collapse key of a message without one of its own: a send repeated after its worker died (DESIGN
 * §6) then replaces the first on the device instead of showing twice. A UUID gives its 32 hex digits.
 */
export function collapseKeyOf(messageId: string): string {
  const compact = messageId.replace(/-/g, '');
  return COLLAPSE_KEY.test(compact)
    ? compact
    : createHash('sha256').update(messageId).digest('base64url').slice(0, 32);
}
