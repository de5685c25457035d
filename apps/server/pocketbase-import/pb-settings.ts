import type { ImportNote } from './pb-fields.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

/** What of PocketBase's app settings (`_params`) Plinth takes over, and a note for everything else. */
export function mapSettings(source: { value: Json | null; encrypted: boolean }): {
  mail?: Json;
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
  if (meta.appName || meta.appURL)
    notes.push({
      kind: 'limited',
      what: 'meta.appName/appURL',
      why: `Plinth takes its public URL from PLINTH_PUBLIC_URL (PocketBase had ${JSON.stringify(meta.appURL ?? '')}, app name ${JSON.stringify(meta.appName ?? '')}).`,
    });
  if (obj(s.s3).enabled === true)
    notes.push({
      kind: 'limited',
      what: 's3',
      why: "files were copied into Plinth's configured storage; set S3 in Plinth's storage settings to use the same bucket.",
    });
  if (obj(s.rateLimits).enabled === true)
    notes.push({
      kind: 'limited',
      what: 'rateLimits',
      why: "Plinth's own limits apply (PLINTH_AUTH_RATE_* and the per-IP limits).",
    });
  if (obj(obj(s.backups).s3).enabled === true || obj(s.backups).cron)
    notes.push({
      kind: 'skipped',
      what: 'backups',
      why: 'Plinth has no backup schedule yet: back up its PostgreSQL database and file storage with your own tools.',
    });
  for (const key of ['trustedProxy', 'batch', 'logs', 'superuserIPs'])
    if (key in s)
      notes.push({ kind: 'skipped', what: key, why: "Plinth's own settings (environment) apply." });
  return { mail, notes };
}
