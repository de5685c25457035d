import type { FieldModel, RecordModel } from '@plinth/sdk';

/** What the form holds for a file field: files chosen to upload, stored files marked for removal. */
export interface FileChange {
  add: File[];
  remove: string[];
}

export type Value = string | boolean | string[] | FileChange;

export const multi = (f: FieldModel) => (f.maxSelect ?? 1) > 1;

/** The stored file names of a record's file field. */
export function storedFiles(record: RecordModel | null, f: FieldModel): string[] {
  const v = record?.[f.name];
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [];
}

/** `2024-05-01T10:00:00.000Z` → the `datetime-local` input's local time. */
function toLocalInput(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function initial(f: FieldModel, record: RecordModel | null): Value {
  const v = record ? record[f.name] : f.default;
  switch (f.type) {
    case 'bool':
      return v === true;
    case 'date':
      return toLocalInput(v);
    case 'autodate':
      return typeof v === 'string' ? v : '';
    case 'geoPoint': {
      const p = (v ?? {}) as { lon?: unknown; lat?: unknown };
      const empty = typeof p.lon !== 'number' || (p.lon === 0 && p.lat === 0);
      return empty ? ['', ''] : [String(p.lon), String(p.lat)];
    }
    case 'json':
      return v === undefined || v === null ? '' : JSON.stringify(v, null, 2);
    case 'select':
      return multi(f) ? (Array.isArray(v) ? v.map(String) : []) : typeof v === 'string' ? v : '';
    case 'relation':
      return Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : '';
    case 'file':
      return { add: [], remove: [] };
    default:
      return v === undefined || v === null ? '' : String(v);
  }
}

/** Relation ids typed or picked, comma separated. */
export const splitIds = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** A form value's fingerprint, to tell whether the form differs from what it opened with. */
export function fingerprint(v: Value): string {
  if (typeof v === 'object' && !Array.isArray(v))
    return JSON.stringify({ add: v.add.map((f) => [f.name, f.size]), remove: v.remove });
  return JSON.stringify(v);
}

/**
 * The body keys one field sends, or an error message for the form to show. File fields use the
 * update API's forms: a single file is replaced or cleared with "", a multi-file field gains files
 * through `name+` and loses them through `name-` (PocketBase's modifiers).
 */
export function outgoing(
  f: FieldModel,
  v: Value,
  editing: boolean,
): { body?: Record<string, unknown>; error?: string } {
  const one = (value: unknown) => ({ body: { [f.name]: value } });
  switch (f.type) {
    case 'bool':
      return one(v === true);
    case 'number': {
      if (v === '') return one(null);
      const n = Number(v);
      return Number.isFinite(n) ? one(n) : { error: 'is not a number' };
    }
    case 'date':
      return one(v ? new Date(v as string).toISOString() : null);
    case 'autodate':
      return {};
    case 'geoPoint': {
      const [lon = '', lat = ''] = v as string[];
      if (lon === '' && lat === '') return one(null);
      const point = { lon: Number(lon), lat: Number(lat) };
      if (lon === '' || lat === '' || !Number.isFinite(point.lon) || !Number.isFinite(point.lat))
        return { error: 'needs both a longitude and a latitude' };
      return one(point);
    }
    case 'json':
      if (v === '') return one(null);
      try {
        return one(JSON.parse(v as string));
      } catch (err) {
        return { error: `is not valid JSON: ${(err as Error).message}` };
      }
    case 'select':
      return one(multi(f) ? v : v === '' ? null : v);
    case 'relation': {
      const ids = splitIds(v as string);
      return one(multi(f) ? ids : (ids[0] ?? null));
    }
    case 'file': {
      const { add, remove } = v as FileChange;
      if (!multi(f)) return add.length ? one(add[0]) : remove.length ? one('') : {};
      if (!editing) return add.length ? one(add) : {};
      const body: Record<string, unknown> = {};
      if (add.length) body[`${f.name}+`] = add;
      if (remove.length) body[`${f.name}-`] = remove;
      return { body };
    }
    default:
      return one(v === '' ? (f.required ? '' : null) : v);
  }
}
