import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  assertPublicUrl,
  PLINTH_CONFIG,
  publicOnlyLookup,
  type ResolvedConfig,
  retryAfterMs,
  SettingsService,
  snippet,
} from '@plinth/core';
import { importPKCS8, SignJWT } from 'jose';
import { apnsBody } from '../payload.js';
import { apnsConfigured, type PushSettings } from '../push-settings.js';
import type { DeliveryOutcome, DeviceAddress, PushPayload } from '../push.types.js';
import { parseJson, permanent, retryable, sendTimeoutMs, sent, type PushProvider } from './push-provider.js';

/** Apple refuses provider tokens older than an hour and throttles ones renewed more often than every 20 minutes. */
const TOKEN_LIFETIME_MS = 50 * 60_000;

const DEACTIVATING = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic']);

/** APNs over HTTP/2 with token (ES256) authentication; one HTTP/2 session per endpoint, reused. */
@Injectable()
export class ApnsProvider implements PushProvider, OnApplicationShutdown {
  readonly platform = 'apns' as const;
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private token?: { key: string; value: Promise<string>; at: number };
  /** Admin-set endpoints resolve through the private-address guard unless PLINTH_ALLOW_PRIVATE_ENDPOINTS. */
  private readonly lookup;

  constructor(
    private readonly settings: SettingsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.lookup = config.allowPrivateEndpoints ? undefined : publicOnlyLookup();
  }

  async send(device: DeviceAddress, payload: PushPayload): Promise<DeliveryOutcome> {
    const s = await this.settings.get<PushSettings>('push');
    if (!apnsConfigured(s)) {
      return permanent(
        'APNs is not configured: set apnsTeamId, apnsKeyId and apnsPrivateKey in the push settings',
      );
    }
    const topic = device.appId || s.apnsBundleId;
    if (!topic)
      return permanent(
        'APNs needs a topic: register the device with appId or set apnsBundleId in the push settings',
      );
    let jwt: string;
    try {
      jwt = await this.providerToken(s);
    } catch (err) {
      return permanent(`APNs provider token: ${(err as Error).message}`);
    }
    const alert = Boolean(payload.notification?.title || payload.notification?.body);
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': `/3/device/${device.token}`,
      authorization: `bearer ${jwt}`,
      'apns-topic': topic,
      'apns-push-type': alert ? 'alert' : 'background',
      'apns-priority': alert && payload.priority !== 'normal' ? '10' : '5',
      'content-type': 'application/json',
    };
    if (payload.ttl !== undefined)
      headers['apns-expiration'] = String(Math.floor(Date.now() / 1000) + payload.ttl);
    if (payload.collapseKey) headers['apns-collapse-id'] = payload.collapseKey;
    const endpoint =
      s.apnsEndpoint ||
      (s.apnsProduction ? 'https://api.push.apple.com' : 'https://api.sandbox.push.apple.com');

    try {
      if (this.lookup) assertPublicUrl(endpoint);
    } catch (err) {
      return permanent(`APNs endpoint refused: ${(err as Error).message}`);
    }
    let res: { status: number; headers: http2.IncomingHttpHeaders; body: string };
    try {
      res = await this.request(endpoint, headers, JSON.stringify(apnsBody(payload)));
    } catch (err) {
      return retryable(`APNs did not answer: ${(err as Error).message}`);
    }
    if (res.status === 200) return sent();
    const apnsReason = parseJson(res.body)?.reason;
    const why = typeof apnsReason === 'string' ? apnsReason : '';
    const reason = `APNs answered ${res.status}${why ? ` ${why}` : `: ${snippet(res.body) || '(empty)'}`}`;
    if (res.status === 410 || DEACTIVATING.has(why)) return permanent(reason, true);
    if (res.status === 403 && (why === 'ExpiredProviderToken' || why === 'InvalidProviderToken')) {
      this.token = undefined;
      return retryable(reason);
    }
    if (res.status === 429 || res.status >= 500)
      return retryable(reason, retryAfterMs(res.headers['retry-after']));
    return permanent(reason);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  private request(
    endpoint: string,
    headers: http2.OutgoingHttpHeaders,
    body: string,
  ): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
    const session = this.session(endpoint);
    return new Promise((resolve, reject) => {
      const req = session.request(headers);
      const timer = setTimeout(
        () => req.close(http2.constants.NGHTTP2_CANCEL),
        sendTimeoutMs(this.config.push.leaseMs),
      );
      let status = 0;
      let answerHeaders: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      req.on('response', (h) => {
        status = Number(h[':status']);
        answerHeaders = h;
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        clearTimeout(timer);
        resolve({ status, headers: answerHeaders, body: Buffer.concat(chunks).toString('utf8') });
      });
      req.on('close', () => {
        clearTimeout(timer);
        if (!status) reject(new Error('the stream closed without an answer'));
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }

  private session(endpoint: string): http2.ClientHttp2Session {
    const existing = this.sessions.get(endpoint);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(endpoint, this.lookup ? { lookup: this.lookup } : {});
    const drop = () => {
      if (this.sessions.get(endpoint) === session) this.sessions.delete(endpoint);
    };
    session.on('error', drop);
    session.on('goaway', drop);
    session.on('close', drop);
    session.unref();
    this.sessions.set(endpoint, session);
    return session;
  }

  private async providerToken(s: PushSettings): Promise<string> {
    const key = createHash('sha256')
      .update([s.apnsTeamId, s.apnsKeyId, s.apnsPrivateKey].join('\n'))
      .digest('hex');
    if (this.token?.key === key && Date.now() - this.token.at < TOKEN_LIFETIME_MS) {
      const cached = await this.token.value.catch(() => undefined);
      if (cached) return cached;
    }
    const value = (async () => {
      let signingKey;
      try {
        signingKey = await importPKCS8(s.apnsPrivateKey, 'ES256');
      } catch {
        throw new Error('apnsPrivateKey is not an EC P-256 private key in PKCS#8 PEM (the .p8 file)');
      }
      return new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: s.apnsKeyId })
        .setIssuer(s.apnsTeamId)
        .setIssuedAt()
        .sign(signingKey);
    })();
    this.token = { key, value, at: Date.now() };
    value.catch(() => (this.token = undefined));
    return value;
  }
}
