import { describe, expect, it } from '@jest/globals';
import { AppError } from '@plinth/core';
import {
  apnsBody,
  checkPayloadSizes,
  deepMerge,
  fcmMessage,
  PAYLOAD_LIMITS,
  webPushBody,
} from './payload.js';

describe('payload rendering', () => {
  const p = {
    notification: {
      title: 'T',
      body: 'B',
      badge: 2,
      sound: 's',
      clickUrl: 'https://a.example/x',
      image: 'https://i.example/p.png',
    },
    data: { n: 1, s: 'x' },
    priority: 'normal' as const,
    ttl: 30,
  };

  it('FCM: string data, Android options, the click link for web clients', () => {
    expect(fcmMessage(p)).toEqual({
      notification: { title: 'T', body: 'B', image: 'https://i.example/p.png' },
      data: { n: '1', s: 'x' },
      android: {
        priority: 'NORMAL',
        ttl: '30s',
        notification: { sound: 's', click_action: 'https://a.example/x' },
      },
      webpush: { fcm_options: { link: 'https://a.example/x' } },
    });
  });

  it('APNs: aps with alert, badge, sound, mutable-content for images; data beside it', () => {
    expect(apnsBody(p)).toEqual({
      n: 1,
      s: 'x',
      aps: { alert: { title: 'T', body: 'B' }, badge: 2, sound: 's', 'mutable-content': 1 },
      url: 'https://a.example/x',
      image: 'https://i.example/p.png',
    });
    expect(apnsBody({ data: { a: 1 } })).toEqual({ a: 1, aps: { 'content-available': 1 } });
  });

  it('Web Push: one JSON object; overrides merge and null removes', () => {
    expect(webPushBody({ ...p, overrides: { webpush: { badge: null, tag: 't' } } })).toEqual({
      title: 'T',
      body: 'B',
      image: 'https://i.example/p.png',
      sound: 's',
      url: 'https://a.example/x',
      data: { n: 1, s: 'x' },
      tag: 't',
    });
  });

  it('deepMerge merges objects and replaces everything else', () => {
    expect(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, d: { e: 1 } })).toEqual({
      a: { b: 1, c: [2] },
      d: { e: 1 },
    });
  });
});

describe('size limits', () => {
  it('refuse a payload over a platform limit, naming platform and limit', () => {
    expect(PAYLOAD_LIMITS).toEqual({ fcm: 4096, apns: 4096, webpush: 3993 });
    const big = { notification: { title: 'x', body: 'y'.repeat(4100) } };
    expect(() => checkPayloadSizes(big, ['apns'])).toThrow(/APNs.*4096 bytes/);
    const mid = { notification: { title: 'x', body: 'y'.repeat(4000) } };
    expect(() => checkPayloadSizes(mid, ['apns', 'fcm'])).not.toThrow();
    expect(() => checkPayloadSizes(mid, ['webpush'])).toThrow(AppError);
    const fits = { notification: { title: 'x', body: 'y'.repeat(3900) } };
    expect(() => checkPayloadSizes(fits, ['fcm', 'apns', 'webpush'])).not.toThrow();
  });

  it('count bytes, not characters', () => {
    const emoji = { notification: { body: '🚀'.repeat(1100) } };
    expect(() => checkPayloadSizes(emoji, ['fcm'])).toThrow(/FCM/);
  });
});
