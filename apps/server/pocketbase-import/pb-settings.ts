import type { ImportNote } from './pb-fields.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

/** What of PocketBase's app settings (`_params`) Plinth takes over, and a note for everything else. */
export function mapSettings(source: { value: Json | null; encrypted: boolean }): {
  mail?: Json;
  /** Plinth's `storage` section, when PocketBase stored files in S3. */
  storage?: Json;
  notes: ImportNote[];
} {
  const notes: ImportNote[] = [];
  if (source.encrypted) {
    notes.push({
      kind: 'skipped',
      what: 'settings',
      why: 'they are encrypted (PB_ENCRYPTION_KEY); set SMTP and the rest again in Plinth.',
    });
    return { notes };
  }
  const s = source.value ?? {};
  const meta = obj(s.meta);
  const smtp = obj(s.smtp);
  let mail: Json | undefined;
  if (smtp.enabled === true && typeof smtp.host === 'string' && smtp.host) {
    const sender = typeof meta.senderAddress === 'string' ? meta.senderAddress : '';
    mail = {
      host: smtp.host,
      port: Number(smtp.port) || 587,
      tls: smtp.tls === true,
      username: String(smtp.username ?? ''),
      password: String(smtp.password ?? ''),
      ...(sender.includes('@')
        ? { from: meta.senderName ? `${String(meta.senderName)} <${sender}>` : sender }
        : {}),
    };
    notes.push({
      kind: 'mapped',
      what: 'smtp',
      why: 'carried into the mail settings (host, port, TLS, credentials, sender).',
    });
  } else {
    notes.push({ kind: 'skipped', what: 'smtp', why: 'it was switched off in PocketBase.' });
  }
  notes.push(...appNotes(meta));
  const storage = mapS3(obj(s.s3));
  if (storage) {
    notes.push({
      kind: 'mapped',
      what: 's3',
      why: `carried into the storage settings (bucket "${String(storage.s3Bucket)}"): PocketBase kept the files there under the same keys, so Plinth serves them from it.`,
    });
  } else if (obj(s.s3).enabled === true) {
    notes.push({
      kind: 'skipped',
      what: 's3',
      why: 'PocketBase had S3 switched on without a bucket; set the storage in Settings → Storage.',
    });
  }
  notes.push(...rateLimitNotes(obj(s.rateLimits)));
  if (obj(obj(s.backups).s3).enabled === true || obj(s.backups).cron)
    notes.push({
      kind: 'skipped',
      what: 'backups',
      why: 'Plinth has no backup schedule yet: back up its PostgreSQL database and file storage with your own tools.',
    });
  for (const key of ['trustedProxy', 'batch', 'logs', 'superuserIPs'])
    if (key in s)
      notes.push({ kind: 'skipped', what: key, why: "Plinth's own settings (environment) apply." });
  return { mail, ...(storage ? { storage } : {}), notes };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A value for an environment line, quoted when it needs to be. */
const envValue = (v: string): string => (/^[\w@%+=:,./-]+$/.test(v) ? v : JSON.stringify(v));

/**
 * The app's name and URL: Plinth reads them from its environment when a server starts (they are no
 * run-time settings), so the report gives the lines to set rather than setting them.
 */
function appNotes(meta: Json): ImportNote[] {
  const notes: ImportNote[] = [];
  const name = str(meta.appName).trim();
  if (name)
    notes.push({
      kind: 'limited',
      what: 'meta.appName',
      why: `Plinth reads its app name from the environment at start, not from settings: set PLINTH_APP_NAME=${envValue(name.slice(0, 100))} for the servers.`,
    });
  const url = str(meta.appURL).trim();
  if (url)
    notes.push({
      kind: 'limited',
      what: 'meta.appURL',
      why: `Plinth reads its public URL from the environment at start, not from settings: set PUBLIC_URL=${envValue(url)} for the servers (the URL PocketBase was reached at; clients only change this URL).`,
    });
  return notes;
}

/** PocketBase's S3 settings as Plinth's `storage` section (same keys `<collection id>/<record id>/<name>`). */
function mapS3(s3: Json): Json | undefined {
  if (s3.enabled !== true || !str(s3.bucket)) return undefined;
  const endpoint = str(s3.endpoint).trim();
  return {
    driver: 's3',
    // PocketBase takes a bare host ("s3.amazonaws.com") and means https.
    s3Endpoint: endpoint && !/^https?:\/\//i.test(endpoint) ? `https://${endpoint}` : endpoint,
    s3Bucket: str(s3.bucket),
    s3Region: str(s3.region),
    s3AccessKeyId: str(s3.accessKey),
    s3SecretAccessKey: str(s3.secret),
    s3ForcePathStyle: s3.forcePathStyle === true,
  };
}

/** Plinth's per-IP limits (per minute, from the environment) that a PocketBase rule label means. */
const RATE_ENV: Record<string, string> = {
  '*:auth': 'PLINTH_AUTH_RATE_PER_IP',
  '/api/batch': 'PLINTH_BATCH_RATE_PER_IP',
};

/**
 * PocketBase's rate limit rules (`{label, maxRequests, duration}` in seconds): Plinth's limits are
 * environment settings per client IP per minute, so each rule that has one becomes a line to set,
 * and the others (per path, per collection action, per audience) are named as not carried.
 */
function rateLimitNotes(limits: Json): ImportNote[] {
  if (limits.enabled !== true) return [];
  const rules = Array.isArray(limits.rules) ? limits.rules.map(obj) : [];
  const lines: string[] = [];
  const left: string[] = [];
  for (const rule of rules) {
    const label = str(rule.label);
    const env = RATE_ENV[label];
    const max = Number(rule.maxRequests);
    const seconds = Number(rule.duration);
    if (env && !str(rule.audience) && max > 0 && seconds > 0)
      lines.push(`${env}=${Math.max(1, Math.ceil((max * 60) / seconds))}`);
    else left.push(label || '(no label)');
  }
  const notes: ImportNote[] = [];
  if (lines.length)
    notes.push({
      kind: 'limited',
      what: 'rateLimits',
      why: `Plinth's rate limits are environment settings per client IP per minute, read at start: set ${lines.join(', ')} for the servers to keep PocketBase's limits.`,
    });
  if (left.length)
    notes.push({
      kind: 'skipped',
      what: 'rateLimits',
      why: `Plinth has no limit like PocketBase's ${left.map((l) => `"${l}"`).join(', ')} (per path, per collection action or per audience); its own per-IP limits (PLINTH_*_RATE_PER_IP) apply instead.`,
    });
  if (Array.isArray(limits.excludedIPs) && limits.excludedIPs.length)
    notes.push({
      kind: 'skipped',
      what: 'rateLimits.excludedIPs',
      why: 'Plinth does not exempt addresses from its rate limits.',
    });
  return notes;
}
