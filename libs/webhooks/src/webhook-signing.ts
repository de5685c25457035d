import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new signing secret in the Standard Webhooks form: `whsec_` and 24 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

/** The id receivers deduplicate on: the same for every attempt of one delivery. */
export const messageId = (deliveryId: string): string => `msg_${deliveryId}`;

/**
 * The Standard Webhooks headers of one attempt (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`), signed with every secret
 * given: during a rotation the new and the old one, space-separated, so either verifies.
 */
export function signedHeaders(
  deliveryId: string,
  body: string,
  secrets: string[],
  now = new Date(),
): Record<string, string> {
  const id = messageId(deliveryId);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, now, body)).join(' '),
  };
}

/**
 * The wait before the next attempt after `attempts` failed ones: the schedule's step with ±20 %
 * jitter, or the receiver's Retry-After when that is longer; undefined once the schedule is spent.
 */
export function nextRetryDelayMs(
  schedule: number[],
  attempts: number,
  retryAfterMs?: number,
  random = Math.random,
): number | undefined {
  const step = schedule[attempts - 1];
  if (step === undefined) return undefined;
  const jittered = Math.round(step * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}
