/** Names a person knows for the settings sections and keys; keys not listed are named from their key. */

export const SECTION_TITLES: Record<string, string> = {
  mail: 'Mail (SMTP)',
  push: 'Push: FCM, APNs and Web Push (VAPID)',
  storage: 'File storage',
  backups: 'Backups',
};

export const LABELS: Record<string, string> = {
  'mail.host': 'SMTP host',
  'mail.port': 'SMTP port',
  'mail.tls': 'TLS from the start (smtps, usually port 465)',
  'mail.username': 'SMTP user name',
  'mail.password': 'SMTP password',
  'mail.from': 'Sender',
  'push.fcmProjectId': 'FCM project id',
  'push.fcmClientEmail': 'FCM service account email',
  'push.fcmPrivateKey': 'FCM service account private key',
  'push.fcmEndpoint': 'FCM endpoint',
  'push.fcmTokenUrl': 'FCM token URL',
  'push.apnsTeamId': 'APNs team id',
  'push.apnsKeyId': 'APNs key id',
  'push.apnsPrivateKey': 'APNs auth key (.p8)',
  'push.apnsBundleId': 'APNs bundle id (default topic)',
  'push.apnsEndpoint': 'APNs endpoint',
  'push.apnsProduction': 'APNs production (off: the sandbox)',
  'push.webpushSubject': 'Web Push subject (VAPID)',
  'push.vapidPublicKey': 'VAPID public key (Web Push)',
  'push.vapidPrivateKey': 'VAPID private key (Web Push)',
  'backups.keep': 'Scheduled backups to keep',
  'storage.driver': 'Driver',
  'storage.s3Endpoint': 'S3 endpoint',
  'storage.s3Bucket': 'S3 bucket',
  'storage.s3Region': 'S3 region',
  'storage.s3AccessKeyId': 'S3 access key id',
  'storage.s3SecretAccessKey': 'S3 secret access key',
  'storage.s3ForcePathStyle': 'S3 path-style URLs (MinIO and most self-hosted stores)',
};

export const HINTS: Record<string, string> = {
  'backups.keep':
    'After each scheduled backup the oldest made by Plinth beyond this many are deleted; 0 keeps them all. Uploads are never deleted.',
  'mail.host': 'Empty: mails are not sent but written to the server log.',
  'mail.port': '587 (STARTTLS when offered) or 465 (with TLS from the start).',
  'mail.from': 'Like Acme <no-reply@acme.example>.',
  'push.fcmPrivateKey':
    'The private_key of the Firebase service account JSON (-----BEGIN PRIVATE KEY-----…).',
  'push.fcmEndpoint': "Empty or Google's: https://fcm.googleapis.com.",
  'push.apnsPrivateKey': 'The contents of the AuthKey_….p8 file from Apple.',
  'push.apnsEndpoint': "Empty: Apple's production or sandbox host, as chosen below.",
  'push.webpushSubject': 'mailto: or https: address push services may contact; empty: the public URL.',
  'push.vapidPublicKey': 'Leave both VAPID keys empty to use the pair Plinth generated on first start.',
  'storage.s3Endpoint': 'Empty: AWS S3. Otherwise the URL of an S3-compatible store.',
};

/** Secrets that are multi-line PEM keys: a textarea keeps their line breaks. */
export const MULTILINE = new Set(['push.fcmPrivateKey', 'push.apnsPrivateKey']);

export const words = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());
