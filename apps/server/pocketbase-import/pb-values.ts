import type { SqlValue } from './pb-reader.js';
import type { ValueKind } from './pb-fields.js';

const text = (v: SqlValue): string | null => {
  if (v === null || v === undefined) return null;
  const s = v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
  return s === '' ? null : s;
};

const parsed = (v: SqlValue): unknown => {
  const s = text(v);
  if (s === null) return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

/** PocketBase stores dates as `2022-10-01 12:00:00.000Z` (UTC); PostgreSQL reads that as it is. */
const date = (v: SqlValue): string | null => text(v);

/** Multi-value columns hold a JSON array (or, after a field was made multiple, a bare value). */
const list = (v: SqlValue): string[] => {
  const value = parsed(v);
  const items = Array.isArray(value) ? value : value === null ? [] : [value];
  return items.filter((x) => x !== null && x !== '').map(String);
};

/**
 * A value as PocketBase stored it in SQLite, as Plinth stores it in PostgreSQL: empty values
 * (`''`, `[]`) become NULL or an empty array, as Plinth writes them.
 */
export function convertValue(kind: ValueKind, v: SqlValue): unknown {
  switch (kind) {
    case 'text':
    case 'relation':
      return text(v);
    case 'number': {
      if (v === null || v === '') return null;
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    }
    case 'bool':
      return v === 1 || v === '1' || v === 'true';
    case 'date':
      return date(v);
    case 'json':
    case 'geo':
      return parsed(v);
    case 'list':
    case 'relations':
      return list(v);
  }
}
