import { AppError } from '@plinth/core';
import type { Platform, PushPayload } from './push.types.js';

/**
 * Largest payload each platform accepts. Web Push: push services must take 4096 bytes of body
 * (RFC 8030); aes128gcm spends 86 on its header and 17 on padding delimiter and tag (RFC 8291).
 */
export const PAYLOAD_LIMITS: Record<Platform, number> = { fcm: 4096, apns: 4096, webpush: 4096 - 86 - 17 };

type Json = Record<string, unknown>;

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` merged into `base`: objects recursively, anything else replaced; `null` removes a key. */
export function deepMerge(base: Json, over: Json | undefined): Json {
  if (!over) return base;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isPlain(v) && isPlain(out[k])) out[k] = deepMerge(out[k] as Json, v);
    else out[k] = v;
  }
  return out;
}

const compact = (o: Json): Json | undefined => {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  return entries.length ? Object.fromEntries(entries) : undefined;
};

/** FCM data values must be strings. */
function stringData(data: Json | undefined): Record<string, string> | undefined {
  if (!data || !Object.keys(data).length) return undefined;
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

/** The FCM HTTP v1 `message` without its `token`. */
export function fcmMessage(p: PushPayload): Json {
  const n = p.notification ?? {};
  const message: Json = {};
  const notification = compact({ title: n.title, body: n.body, image: n.image });
  if (notification) message.notification = notification;
  const data = stringData(p.data);
  if (data) message.data = data;
  const androidNotification = compact({ sound: n.sound, click_action: n.clickUrl });
  const android = compact({
    priority: p.priority ? (p.priority === 'high' ? 'HIGH' : 'NORMAL') : undefined,
    ttl: p.ttl !== undefined ? `${p.ttl}s` : undefined,
    collapse_key: p.collapseKey,
    notification: androidNotification,
  });
  if (android) message.android = android;
  // An FCM token may be an iOS or web app: its collapse key goes to APNs and the Web Push service too.
  if (p.collapseKey) message.apns = { headers: { 'apns-collapse-id': p.collapseKey } };
  const webpush = compact({
    headers: p.collapseKey ? { Topic: p.collapseKey } : undefined,
    fcm_options: n.clickUrl?.startsWith('https://') ? { link: n.clickUrl } : undefined,
  });
  if (webpush) message.webpush = webpush;
  return deepMerge(message, p.overrides?.fcm);
}

/** The APNs JSON body. */
export function apnsBody(p: PushPayload): Json {
  const n = p.notification ?? {};
  const alert = compact({ title: n.title, body: n.body });
  const aps = compact({
    alert,
    badge: n.badge,
    sound: n.sound,
    'mutable-content': n.image ? 1 : undefined,
    'content-available': alert ? undefined : 1,
  });
  const body: Json = { ...(p.data ?? {}), aps };
  if (n.clickUrl) body.url = n.clickUrl;
  if (n.image) body.image = n.image;
  return deepMerge(body, p.overrides?.apns);
}

/** The plaintext a service worker receives in its `push` event (JSON). */
export function webPushBody(p: PushPayload): Json {
  const n = p.notification ?? {};
  const body: Json =
    compact({
      title: n.title,
      body: n.body,
      image: n.image,
      badge: n.badge,
      sound: n.sound,
      url: n.clickUrl,
      data: p.data && Object.keys(p.data).length ? p.data : undefined,
    }) ?? {};
  return deepMerge(body, p.overrides?.webpush);
}

export const PLATFORM_NAMES: Record<Platform, string> = { fcm: 'FCM', apns: 'APNs', webpush: 'Web Push' };

const RENDER: Record<Platform, (p: PushPayload) => Json> = {
  fcm: fcmMessage,
  apns: apnsBody,
  webpush: webPushBody,
};

export const payloadBytes = (platform: Platform, p: PushPayload): number =>
  Buffer.byteLength(JSON.stringify(RENDER[platform](p)));

/** Refuses a payload one of `platforms` would reject, naming the limit. */
export function checkPayloadSizes(p: PushPayload, platforms: Iterable<Platform>): void {
  for (const platform of new Set(platforms)) {
    const size = payloadBytes(platform, p);
    const limit = PAYLOAD_LIMITS[platform];
    if (size > limit) {
      throw new AppError(
        'PUSH_PAYLOAD_TOO_LARGE',
        `The push is ${size} bytes for ${PLATFORM_NAMES[platform]}, over its limit of ${limit} bytes: shorten the notification or data.`,
        {
          errors: [
            {
              path: 'notification',
              code: 'TOO_LARGE',
              message: `${PLATFORM_NAMES[platform]} accepts at most ${limit} bytes`,
            },
          ],
          limit,
          platform,
        },
      );
    }
  }
}
