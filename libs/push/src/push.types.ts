/** The push model shared by the API, the worker and the providers (DESIGN §6, §10). */

export const PLATFORMS = ['fcm', 'apns', 'webpush'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface PushNotification {
  title?: string;
  body?: string;
  image?: string;
  badge?: number;
  sound?: string;
  clickUrl?: string;
}

/** What a message says, the same for every device; each provider renders it for its platform. */
export interface PushPayload {
  notification?: PushNotification;
  data?: Record<string, unknown>;
  /** Merged over what Plinth builds for that platform (FCM `message`, APNs body, Web Push JSON). */
  overrides?: Partial<Record<Platform, Record<string, unknown>>>;
  /** Seconds the push service keeps an undelivered message. */
  ttl?: number;
  priority?: 'high' | 'normal';
  /** Replaces an earlier undelivered message with the same key (FCM collapse key, APNs collapse id, Web Push Topic). */
  collapseKey?: string;
}

export interface PushTargets {
  users?: string[];
  devices?: string[];
  topics?: string[];
  /** A filter over the auth collection `collection` (default `users`); its users' devices are targeted. */
  filter?: string;
  collection?: string;
}

/** A device as the worker needs it to send. */
export interface DeviceAddress {
  id: string;
  platform: Platform;
  token: string;
  keys: { p256dh: string; auth: string } | null;
  appId: string | null;
}

/** What one send attempt came to; providers never throw for a provider's answer. */
export type DeliveryOutcome =
  | { kind: 'sent' }
  | { kind: 'retryable'; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; reason: string; deactivate?: boolean };

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';
