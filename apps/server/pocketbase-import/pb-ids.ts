import { normalizeCollection } from '@plinth/collections';
import type { MappedCollection } from './pb-mapping.js';
import type { PbReader } from './pb-reader.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ID_KEYS = [
  'id',
  'name',
  'type',
  'min',
  'max',
  'pattern',
  'autogeneratePattern',
  'primaryKey',
  'system',
  'required',
];

/** PocketBase's `id` field of a collection, with the options Plinth's text ids take. */
export function pbIdField(fields: Array<Record<string, unknown>>): Record<string, unknown> | undefined {
  const raw = fields.find((f) => f.name === 'id' && f.type === 'text');
  if (!raw) return undefined;
  return Object.fromEntries(ID_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
}

/** Whether this Plinth has text record ids (PocketBase's): a collection may declare an `id` text field. */
export function textIdsSupported(): boolean {
  const idField = {
    name: 'id',
    type: 'text',
    min: 15,
    max: 15,
    pattern: '^[a-z0-9]+$',
    autogeneratePattern: '[a-z0-9]{15}',
    primaryKey: true,
    system: true,
    required: true,
  };
  const probe = normalizeCollection({ name: 'probe', type: 'base', fields: [idField] }, null, [], {
    newId: () => '0190b6a1-0000-7000-8000-000000000001',
    newFieldId: () => 'fprobe',
  });
  return probe.ok && (probe.value as { idField?: unknown }).idField !== undefined;
}

/**
 * Records keep their ids. Without text ids in Plinth, PocketBase's 15-character ids cannot be kept,
 * and the import refuses rather than give records new ids (relations, file paths and clients use them).
 */
export function textIdProblem(live: MappedCollection[], reader: PbReader): string | null {
  if (textIdsSupported()) return null;
  for (const m of live) {
    for (const batch of reader.batches(m.pb.name, 1)) {
      const id = String(batch[0]?.id ?? '');
      if (!UUID.test(id)) {
        return `Collection "${m.pb.name}" has PocketBase text ids (such as "${id.slice(0, 40)}"), and this version of Plinth has UUID record ids only. The import refuses rather than give records new ids; nothing was changed. Update Plinth to a version with text ids.`;
      }
      break;
    }
  }
  return null;
}

export const isUuid = (value: string) => UUID.test(value);
