import type { SettingsSection } from '@plinth/core';

/**
 * Provider credentials, edited by admins through GET/PATCH /api/settings (section `push`). Keys
 * are flat because the settings store seals top-level keys: the private keys are secrets.
 */
export interface PushSettings extends Record<string, unknown> {
  fcmProjectId: string;
  fcmClientEmail: string;
  /** The service account's `private_key` (PKCS#8 PEM). */
  fcmPrivateKey: string;
  fcmEndpoint: string;
  fcmTokenUrl: string;
  apnsTeamId: string;
  apnsKeyId: string;
  /** The .p8 key (PKCS#8 PEM) of the APNs auth key. */
  apnsPrivateKey: string;
  /** Default `apns-topic`; a device's appId wins. */
  apnsBundleId: string;
  /** Empty: Apple's production or sandbox host, by `apnsProduction`. */
  apnsEndpoint: string;
  apnsProduction: boolean;
  /** VAPID subject (`mailto:` or https URL). Empty: derived from PUBLIC_URL. */
  webpushSubject: string;
  /** Both empty: a key pair generated on first start is used. */
  vapidPublicKey: string;
  vapidPrivateKey: string;
}

/** What FCM needs to send; the provider refuses to send without it. */
export const fcmConfigured = (s: PushSettings): boolean =>
  Boolean(s.fcmProjectId && s.fcmClientEmail && s.fcmPrivateKey);

/** What APNs needs to sign its provider tokens. */
export const apnsConfigured = (s: PushSettings): boolean =>
  Boolean(s.apnsTeamId && s.apnsKeyId && s.apnsPrivateKey);

const text = (maxLength = 500) => ({ type: 'string', maxLength });
const httpUrl = { type: 'string', maxLength: 500, pattern: '^$|^https?://' };
const pem = { type: 'string', maxLength: 10_000, pattern: '^$|-----BEGIN PRIVATE KEY-----' };

export const PUSH_SETTINGS: SettingsSection<PushSettings> = {
  key: 'push',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      fcmProjectId: text(200),
      fcmClientEmail: text(),
      fcmPrivateKey: pem,
      fcmEndpoint: httpUrl,
      fcmTokenUrl: httpUrl,
      apnsTeamId: text(20),
      apnsKeyId: text(20),
      apnsPrivateKey: pem,
      apnsBundleId: text(200),
      apnsEndpoint: httpUrl,
      apnsProduction: { type: 'boolean' },
      webpushSubject: { type: 'string', maxLength: 500, pattern: '^$|^(mailto:|https://)' },
      vapidPublicKey: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]*$' },
      vapidPrivateKey: { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]*$' },
    },
  },
  defaults: {
    fcmProjectId: '',
    fcmClientEmail: '',
    fcmPrivateKey: '',
    fcmEndpoint: 'https://fcm.googleapis.com',
    fcmTokenUrl: 'https://oauth2.googleapis.com/token',
    apnsTeamId: '',
    apnsKeyId: '',
    apnsPrivateKey: '',
    apnsBundleId: '',
    apnsEndpoint: '',
    apnsProduction: true,
    webpushSubject: '',
    vapidPublicKey: '',
    vapidPrivateKey: '',
  },
  secrets: ['fcmPrivateKey', 'apnsPrivateKey', 'vapidPrivateKey'],
  // The FCM key signs the assertion sent to fcmTokenUrl; the APNs key signs tokens sent to apnsEndpoint.
  secretEndpoints: {
    fcmPrivateKey: ['fcmEndpoint', 'fcmTokenUrl', 'fcmClientEmail'],
    apnsPrivateKey: ['apnsEndpoint'],
  },
  outboundUrls: ['fcmEndpoint', 'fcmTokenUrl', 'apnsEndpoint'],
};

/** The generated VAPID key pair (internal: never shown to admins). */
export const PUSH_VAPID_SECTION = 'pushVapid';

export const PUSH_VAPID_SETTINGS: SettingsSection<{ publicKey: string; privateKey: string }> = {
  key: PUSH_VAPID_SECTION,
  schema: { type: 'object' },
  defaults: { publicKey: '', privateKey: '' },
  secrets: ['privateKey'],
  internal: true,
};
