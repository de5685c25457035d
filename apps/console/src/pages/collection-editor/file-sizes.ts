/** File sizes as people read them; the API stores bytes. */

export const UNITS = { KB: 1024, MB: 1024 * 1024 } as const;
export type SizeUnit = keyof typeof UNITS;

/** The unit a stored size reads best in: MB from 1 MB up, otherwise KB. */
export function unitFor(bytes: number | undefined): SizeUnit {
  return bytes !== undefined && bytes >= UNITS.MB ? 'MB' : 'KB';
}

/** `5242880` → `5 MB`, `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  const unit = unitFor(bytes);
  const value = Math.round((bytes / UNITS[unit]) * 100) / 100;
  return `${value} ${unit}`;
}

/** The number shown in the size input for a stored size in the given unit. */
export function sizeIn(bytes: number | undefined, unit: SizeUnit): string {
  if (bytes === undefined) return '';
  return String(Math.round((bytes / UNITS[unit]) * 100) / 100);
}

/** Bytes from what was typed; undefined when empty or not a positive number. */
export function toBytes(typed: string, unit: SizeUnit): number | undefined {
  if (typed.trim() === '') return undefined;
  const n = Number(typed);
  return Number.isFinite(n) && n > 0 ? Math.round(n * UNITS[unit]) : undefined;
}

export const MIME_PRESETS = [
  {
    key: 'images',
    label: 'Images',
    types: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'],
  },
  {
    key: 'documents',
    label: 'Documents',
    types: [
      'application/pdf',
      'text/plain',
      'text/csv',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.oasis.opendocument.text',
    ],
  },
  { key: 'video', label: 'Video', types: ['video/mp4', 'video/webm', 'video/quicktime'] },
  {
    key: 'audio',
    label: 'Audio',
    types: ['audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/webm', 'audio/aac'],
  },
] as const;

export const THUMB_PRESETS = [
  { size: '100x100', label: '100×100 square' },
  { size: '300x0', label: '300 wide' },
  { size: '0x300', label: '300 high' },
] as const;

/** Presets whose every type is allowed: the words a collapsed row shows for its types. */
export function mimePresetsOf(types: readonly string[]): string[] {
  return MIME_PRESETS.filter((p) => p.types.every((t) => types.includes(t))).map((p) => p.key);
}
