import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { messageId, newWebhookSecret, nextRetryDelayMs, signedHeaders } from './webhook-signing.js';

describe('Standard Webhooks signing', () => {
  it('signs so that the standardwebhooks verifier accepts the body with each secret given', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const body = JSON.stringify({ type: 'posts.create', data: { id: 1 } });
    const headers = signedHeaders('0190-abc', body, [a, b]);
    expect(headers['webhook-id']).toBe(messageId('0190-abc'));
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(b).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(a).verify(body + ' ', headers)).toThrow();
  });

  it('waits the schedule step with ±20 % jitter, a longer Retry-After wins, and ends with the schedule', () => {
    const schedule = [1000, 60_000];
    expect(nextRetryDelayMs(schedule, 1, undefined, () => 0)).toBe(800);
    expect(nextRetryDelayMs(schedule, 1, undefined, () => 1)).toBe(1200);
    expect(nextRetryDelayMs(schedule, 2, 5000, () => 0.5)).toBe(60_000);
    expect(nextRetryDelayMs(schedule, 2, 120_000, () => 0.5)).toBe(120_000);
    expect(nextRetryDelayMs(schedule, 3)).toBeUndefined();
  });
});
