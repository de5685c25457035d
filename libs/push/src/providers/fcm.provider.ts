import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  assertPublicUrl,
  httpSend,
  PLINTH_CONFIG,
  publicOnlyLookup,
  type ResolvedConfig,
  retryAfterMs,
  SettingsService,
  snippet,
} from '@plinth/core';
import { importPKCS8, SignJWT } from 'jose';
import { fcmMessage } from '../payload.js';
import { fcmConfigured, type PushSettings } from '../push-settings.js';
import type { DeliveryOutcome, DeviceAddress, PushPayload } from '../push.types.js';
import { parseJson, permanent, retryable, sendTimeoutMs, sent, type PushProvider } from './push-provider.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

class CredentialsRejected extends Error {}

/** FCM HTTP v1: a service-account JWT is exchanged for an OAuth access token, kept until shortly before it expires. */
@Injectable()
export class FcmProvider implements PushProvider {
  readonly platform = 'fcm' as const;
  private token?: { key: string; value: Promise<{ accessToken: string; expiresAt: number }> };
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
    if (!fcmConfigured(s)) {
      return permanent(
        'FCM is not configured: set fcmProjectId, fcmClientEmail and fcmPrivateKey in the push settings',
      );
    }
    try {
      if (this.lookup) for (const url of [s.fcmEndpoint, s.fcmTokenUrl]) assertPublicUrl(url);
    } catch (err) {
      return permanent(`FCM endpoint refused: ${(err as Error).message}`);
    }
    let accessToken: string;
    try {
      accessToken = await this.accessToken(s);
    } catch (err) {
      const message = `FCM sign-in failed: ${(err as Error).message}`;
      return err instanceof CredentialsRejected ? permanent(message) : retryable(message);
    }
    const url = `${s.fcmEndpoint.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(s.fcmProjectId)}/messages:send`;
    let res;
    try {
      res = await httpSend(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: { ...fcmMessage(payload), token: device.token } }),
        timeoutMs: sendTimeoutMs(this.config.push.leaseMs),
        lookup: this.lookup,
      });
    } catch (err) {
      return retryable(`FCM did not answer: ${(err as Error).message}`);
    }
    if (res.status >= 200 && res.status < 300) return sent();
    const error = parseJson(res.body)?.error as
      | { status?: string; message?: string; details?: Array<{ '@type'?: string; errorCode?: string }> }
      | undefined;
    const code =
      error?.details?.find((d) => d['@type']?.endsWith('FcmError') && d.errorCode)?.errorCode ??
      error?.status;
    const reason = `FCM answered ${res.status}${code ? ` ${code}` : ''}: ${snippet(error?.message ?? res.body) || '(empty)'}`;
    if (res.status === 404 || code === 'UNREGISTERED') return permanent(reason, true);
    if (res.status === 401) {
      this.token = undefined;
      return retryable(reason);
    }
    if (res.status === 429 || res.status >= 500)
      return retryable(reason, retryAfterMs(res.headers['retry-after']));
    if (code === 'INVALID_ARGUMENT' && /registration token/i.test(error?.message ?? ''))
      return permanent(reason, true);
    return permanent(reason);
  }

  private async accessToken(s: PushSettings): Promise<string> {
    const key = createHash('sha256')
      .update([s.fcmClientEmail, s.fcmTokenUrl, s.fcmPrivateKey].join('\n'))
      .digest('hex');
    if (this.token?.key === key) {
      const cached = await this.token.value.catch(() => undefined);
      if (cached && cached.expiresAt > Date.now() + 60_000) return cached.accessToken;
    }
    const value = this.fetchToken(s);
    this.token = { key, value };
    value.catch(() => {
      if (this.token?.value === value) this.token = undefined;
    });
    return (await value).accessToken;
  }

  private async fetchToken(s: PushSettings): Promise<{ accessToken: string; expiresAt: number }> {
    let signingKey;
    try {
      signingKey = await importPKCS8(s.fcmPrivateKey, 'RS256');
    } catch {
      throw new CredentialsRejected(
        "fcmPrivateKey is not an RSA private key in PKCS#8 PEM (the service account JSON's private_key)",
      );
    }
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(s.fcmClientEmail)
      .setSubject(s.fcmClientEmail)
      .setAudience(s.fcmTokenUrl)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(signingKey);
    const res = await httpSend(s.fcmTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
      timeoutMs: sendTimeoutMs(this.config.push.leaseMs),
      lookup: this.lookup,
    });
    const body = parseJson(res.body);
    if (res.status !== 200 || typeof body?.access_token !== 'string') {
      const message = `the token endpoint answered ${res.status}: ${snippet(res.body) || '(empty)'}`;
      throw res.status >= 400 && res.status < 500 && res.status !== 429
        ? new CredentialsRejected(message)
        : new Error(message);
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    return { accessToken: body.access_token, expiresAt: Date.now() + expiresIn * 1000 };
  }
}
