/** Headers as a plain object (any case) or a fetch `Headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** Thrown by `verifyWebhook` when a request is not a genuine, fresh Plinth webhook. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** How far a `webhook-timestamp` may be from now (replayed requests beyond it are refused). */
const TOLERANCE_SECONDS = 5 * 60;

function header(headers: WebhookHeaders, name: string): string {
  const value =
    typeof (headers as Headers).get === 'function'
      ? (headers as Headers).get(name)
      : Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const one = Array.isArray(value) ? value[0] : value;
  if (!one) throw new WebhookVerificationError(`The request has no ${name} header.`);
  return one;
}

const fromBase64 = (text: string): ArrayBuffer => {
  const bytes = atob(text);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out.buffer;
};
const toBase64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** Equal in time independent of where they differ. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks a webhook request the way the Standard Webhooks spec says (what Plinth signs with): the
 * `webhook-signature` holds a `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` under
 * the secret (`whsec_...`), and the timestamp is within 5 minutes. Pass the raw body text, not parsed JSON.
 * Answers the parsed body; throws `WebhookVerificationError` otherwise. Needs WebCrypto (browsers,
 * Node 20+, Deno, Bun, edge runtimes).
 */
export async function verifyWebhook<T = unknown>(
  secret: string,
  headers: WebhookHeaders,
  body: string,
  now: Date = new Date(),
): Promise<T> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const sentAt = Number(timestamp);
  if (!Number.isInteger(sentAt)) throw new WebhookVerificationError('The webhook-timestamp is not a number.');
  if (Math.abs(now.getTime() / 1000 - sentAt) > TOLERANCE_SECONDS) {
    throw new WebhookVerificationError(
      'The webhook-timestamp is more than 5 minutes off: a replayed or delayed request.',
    );
  }
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    fromBase64(secret.replace(/^whsec_/, '')),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const expected = toBase64(
    await globalThis.crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)),
  );
  const ok = signatures.split(' ').some((s) => s.startsWith('v1,') && sameText(s.slice(3), expected));
  if (!ok)
    throw new WebhookVerificationError('No signature matches: the secret is wrong or the body was changed.');
  return JSON.parse(body) as T;
}
