import { Inject, Injectable } from '@nestjs/common';
import {
  httpSend,
  PLINTH_CONFIG,
  publicOnlyLookup,
  type ResolvedConfig,
  retryAfterMs,
  snippet,
  webPushEndpointProblem,
} from '@plinth/core';
import type { LookupFunction } from 'node:net';
import webpush from 'web-push';
import { webPushBody } from '../payload.js';
import type { DeliveryOutcome, DeviceAddress, PushPayload } from '../push.types.js';
import { VapidKeysService, type VapidKeys } from '../vapid-keys.service.js';
import { permanent, retryable, sendTimeoutMs, sent, type PushProvider } from './push-provider.js';

const FOUR_WEEKS = 28 * 24 * 3600;
/** Seconds a VAPID JWT is valid (push services accept at most 24 h). */
const VAPID_LIFETIME = 12 * 3600;

/**
 * Web Push (VAPID, aes128gcm): web-push encrypts and signs (generateRequestDetails), Plinth sends,
 * so one code path serves https push services and the local one tests use.
 */
@Injectable()
export class WebPushProvider implements PushProvider {
  readonly platform = 'webpush' as const;
  private readonly lookup?: LookupFunction;
  private readonly vapidCache = new Map<string, { header: string; renewAt: number }>();

  constructor(
    private readonly vapid: VapidKeysService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    if (!config.push.allowPrivateEndpoints) this.lookup = publicOnlyLookup();
  }

  /**
   * `vapid t=…, k=…` for a push service origin: a JWT valid 12 h, reused for 6 h (signing each
   * push would cost more than encrypting it).
   */
  private vapidAuthorization(audience: string, keys: VapidKeys): string {
    const key = `${audience}\n${keys.subject}\n${keys.publicKey}\n${keys.privateKey}`;
    const now = Math.floor(Date.now() / 1000);
    const cached = this.vapidCache.get(key);
    if (cached && cached.renewAt > now) return cached.header;
    const { Authorization } = webpush.getVapidHeaders(
      audience,
      keys.subject,
      keys.publicKey,
      keys.privateKey,
      'aes128gcm',
      now + VAPID_LIFETIME,
    );
    if (this.vapidCache.size > 1000) this.vapidCache.clear();
    this.vapidCache.set(key, { header: Authorization, renewAt: now + VAPID_LIFETIME / 2 });
    return Authorization;
  }

  async send(device: DeviceAddress, payload: PushPayload): Promise<DeliveryOutcome> {
    const problem = webPushEndpointProblem(device.token, this.config.push.allowPrivateEndpoints);
    if (problem) return permanent(`The Web Push endpoint ${problem}`, true);
    if (!device.keys) return permanent('The Web Push subscription has no keys', true);
    const keys = await this.vapid.get();
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      // Encrypted here; the VAPID header (signed per push service, the costly part) is cached.
      details = webpush.generateRequestDetails(
        { endpoint: device.token, keys: device.keys },
        JSON.stringify(webPushBody(payload)),
        {
          TTL: payload.ttl ?? FOUR_WEEKS,
          urgency: payload.priority === 'normal' ? 'normal' : 'high',
          ...(payload.collapseKey ? { topic: payload.collapseKey } : {}),
          contentEncoding: 'aes128gcm',
        },
      );
    } catch (err) {
      return permanent(
        `The Web Push message could not be encrypted for this subscription: ${(err as Error).message}`,
        true,
      );
    }
    let authorization: string;
    try {
      authorization = this.vapidAuthorization(new URL(device.token).origin, keys);
    } catch (err) {
      return permanent(
        `The VAPID keys cannot sign: ${(err as Error).message}; check vapidPublicKey and vapidPrivateKey in the push settings`,
      );
    }
    let res;
    try {
      res = await httpSend(details.endpoint, {
        method: details.method,
        headers: { ...(details.headers as Record<string, string>), Authorization: authorization },
        body: details.body ?? undefined,
        timeoutMs: sendTimeoutMs(this.config.push.leaseMs),
        lookup: this.lookup,
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EPRIVATEADDRESS') return permanent(`The Web Push endpoint ${e.message}`, true);
      return retryable(`The push service did not answer: ${e.message}`);
    }
    if (res.status >= 200 && res.status < 300) return sent();
    if (res.status === 401 || res.status === 403) this.vapidCache.clear();
    const reason = `The push service answered ${res.status}: ${snippet(res.body) || '(empty)'}`;
    if (res.status === 404 || res.status === 410) return permanent(reason, true);
    if (res.status === 429 || res.status >= 500)
      return retryable(reason, retryAfterMs(res.headers['retry-after']));
    return permanent(reason);
  }
}
