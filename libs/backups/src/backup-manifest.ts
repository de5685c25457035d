import { AppError } from '@plinth/core';

/**
 * The archive's table of contents (docs/decisions/backups.md): what made it, when, and every entry
 * with its size and SHA-256, so a restore can check the whole archive before it changes anything.
 */
export const BACKUP_FORMAT = 'plinth-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_ENTRY = 'manifest.json';
/** A manifest larger than this is no manifest (a million files take about 200 MB: not supported). */
export const MANIFEST_MAX_BYTES = 64 * 1024 * 1024;
/** An entry may not inflate more than this many times its compressed size (a zip bomb). */
export const MAX_COMPRESSION_RATIO = 500;

export interface ManifestTable {
  schema: 'plinth' | 'data';
  name: string;
  entry: string;
  columns: string[];
  rows: number;
  size: number;
  sha256: string;
}

export interface ManifestFile {
  key: string;
  entry: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  plinthVersion: string;
  /** The newest migration the database had (TypeORM's migration name, ending with its timestamp). */
  migration: string;
  created: string;
  tables: ManifestTable[];
  files: ManifestFile[];
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const KEY = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_.-]+)+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;

export const tableEntry = (schema: string, name: string): string => `tables/${schema}/${name}.ndjson`;
export const fileEntry = (key: string): string => `files/${key}`;

/** Why a stored key may not be restored (null when it may): no `..`, no absolute paths, no odd characters. */
export function fileKeyProblem(key: string): string | null {
  if (key.length > 1024 || !KEY.test(key) || key.split('/').some((s) => s === '.' || s === '..'))
    return `"${key.slice(0, 200)}" is not a stored file's key`;
  return null;
}

/** Why an archive entry's name is refused (path traversal, anything Plinth never writes), or null. */
export function entryNameProblem(name: string): string | null {
  if (name === MANIFEST_ENTRY) return null;
  const table = /^tables\/(plinth|data)\/([^/]+)\.ndjson$/.exec(name);
  if (table) return IDENT.test(table[2]!) ? null : `the entry "${name.slice(0, 200)}" names no table`;
  if (name.startsWith('files/')) return fileKeyProblem(name.slice('files/'.length));
  return `the entry "${name.slice(0, 200)}" is not part of a Plinth backup (path traversal or a foreign file)`;
}

const invalid = (why: string) =>
  new AppError(
    'BACKUP_INVALID',
    `This is not a usable Plinth backup: ${why}. Nothing was changed; use an archive made by "Create backup".`,
  );

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parses and checks the manifest's shape; every problem is a 400 BACKUP_INVALID naming it. */
export function parseManifest(text: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid('its manifest.json is not JSON');
  }
  const m = raw as Partial<BackupManifest>;
  if (!m || typeof m !== 'object' || m.format !== BACKUP_FORMAT)
    throw invalid('its manifest names no Plinth backup');
  if (m.formatVersion !== BACKUP_FORMAT_VERSION)
    throw new AppError(
      'BACKUP_TOO_NEW',
      `This backup has archive format ${String(m.formatVersion)}; this Plinth reads format ${BACKUP_FORMAT_VERSION}. Restore it with the Plinth version that made it (or a newer one). Nothing was changed.`,
    );
  if (typeof m.plinthVersion !== 'string' || !VERSION.test(m.plinthVersion))
    throw invalid('its manifest has no Plinth version');
  if (typeof m.migration !== 'string' || !/^[A-Za-z0-9_]{1,200}$/.test(m.migration))
    throw invalid('its manifest has no migration');
  if (typeof m.created !== 'string' || Number.isNaN(Date.parse(m.created)))
    throw invalid('its manifest has no creation time');
  if (!Array.isArray(m.tables) || !Array.isArray(m.files)) throw invalid('its manifest lists no tables');
  const entries = new Set<string>();
  const unique = (entry: string) => {
    if (entries.has(entry)) throw invalid(`its manifest lists "${entry.slice(0, 200)}" twice`);
    entries.add(entry);
  };
  for (const t of m.tables as unknown[]) {
    const table = t as Partial<ManifestTable>;
    if (
      !table ||
      (table.schema !== 'plinth' && table.schema !== 'data') ||
      typeof table.name !== 'string' ||
      !IDENT.test(table.name) ||
      table.entry !== tableEntry(table.schema, table.name) ||
      !Array.isArray(table.columns) ||
      !table.columns.every((c) => typeof c === 'string' && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(c)) ||
      !isCount(table.rows) ||
      !isCount(table.size) ||
      typeof table.sha256 !== 'string' ||
      !SHA256.test(table.sha256)
    )
      throw invalid('its manifest has a malformed table entry');
    unique(table.entry);
  }
  for (const f of m.files as unknown[]) {
    const file = f as Partial<ManifestFile>;
    if (
      !file ||
      typeof file.key !== 'string' ||
      fileKeyProblem(file.key) !== null ||
      file.entry !== fileEntry(file.key) ||
      !isCount(file.size) ||
      typeof file.sha256 !== 'string' ||
      !SHA256.test(file.sha256)
    )
      throw invalid('its manifest has a malformed file entry (or a key outside the storage)');
    unique(file.entry);
  }
  return m as BackupManifest;
}

/** -1, 0 or 1 as semantic version `a` is older, the same or newer than `b` (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[-+]/)[0]!.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}

const timestampOf = (migration: string): number => Number(/(\d{13})$/.exec(migration)?.[1] ?? NaN);

/**
 * Refuses an archive this install cannot take: made by a newer Plinth, or with a migration this
 * build does not have. Older archives restore (their rows fill today's columns by name).
 */
export function checkCompatible(
  manifest: BackupManifest,
  here: { plinthVersion: string; migrations: readonly string[] },
): void {
  if (compareVersions(manifest.plinthVersion, here.plinthVersion) > 0)
    throw new AppError(
      'BACKUP_TOO_NEW',
      `This backup was made by Plinth ${manifest.plinthVersion}; this is Plinth ${here.plinthVersion}. Upgrade Plinth first, then restore. Nothing was changed.`,
    );
  if (here.migrations.includes(manifest.migration)) return;
  const latest = Math.max(...here.migrations.map(timestampOf));
  if (!(timestampOf(manifest.migration) <= latest))
    throw new AppError(
      'BACKUP_TOO_NEW',
      `This backup's database is at migration ${manifest.migration}, newer than this Plinth knows. Upgrade Plinth first, then restore. Nothing was changed.`,
    );
  throw invalid(`its database is at migration ${manifest.migration}, which this Plinth build does not have`);
}

/** Archive names the API accepts: what Plinth writes, or an uploaded file's cleaned name. */
export const BACKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.zip$/;

/** The name of a backup made at `at`: `plinth-backup-20261208-013000.zip`. */
export function backupName(at: Date): string {
  const iso = at.toISOString(); // 2026-12-08T01:30:00.000Z
  return `plinth-backup-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}.zip`;
}

/** An uploaded file's name made safe for the backup location (always ending in .zip). */
export function uploadName(original: string | undefined, at: Date): string {
  const base = (original ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/\.zip$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 100);
  return base ? `${base}.zip` : backupName(at).replace('plinth-backup', 'uploaded');
}
