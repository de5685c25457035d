import type { RecordModel } from '@plinth/sdk';

const SYSTEM_KEYS = new Set(['id', 'collectionId', 'collectionName', 'created', 'updated', 'expand']);
/** Fields people name records by, in the order a label is looked for. */
const LABEL_KEYS = ['name', 'title', 'label', 'username', 'email'];

/** How a person recognises a record: its name, title or email, else its first text value ('' if none). */
export function recordLabel(r: RecordModel | Record<string, unknown>): string {
  for (const k of LABEL_KEYS) {
    const v = r[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  const first = Object.entries(r).find(([k, v]) => !SYSTEM_KEYS.has(k) && typeof v === 'string' && v.trim());
  return first ? String(first[1]) : '';
}

/** A short form of a long id for tight places; the full id goes into a title beside it. */
export const shortId = (id: string): string => (id.length > 15 ? `…${id.slice(-10)}` : id);
