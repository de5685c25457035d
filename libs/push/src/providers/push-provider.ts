import type { DeliveryOutcome, DeviceAddress, Platform, PushPayload } from '../push.types.js';

/** One vendor's delivery. Never throws for what a provider answers: every answer is an outcome. */
export interface PushProvider {
  readonly platform: Platform;
  send(device: DeviceAddress, payload: PushPayload): Promise<DeliveryOutcome>;
}

export const sent = (): DeliveryOutcome => ({ kind: 'sent' });
export const retryable = (reason: string, retryAfterMs?: number): DeliveryOutcome => ({
  kind: 'retryable',
  reason,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});
export const permanent = (reason: string, deactivate = false): DeliveryOutcome => ({
  kind: 'permanent',
  reason,
  deactivate,
});

/** Request timeout: at most 10 s, and well inside the lease so no live send is taken over. */
export const sendTimeoutMs = (leaseMs: number): number =>
  Math.max(1000, Math.min(10_000, Math.floor(leaseMs / 2)));

/** Parses a JSON answer, or undefined when the provider answered something else. */
export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
