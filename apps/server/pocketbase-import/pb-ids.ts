import { normalizeCollection } from '@plinth/collections';
import type { MappedCollection } from './pb-mapping.js';
import type { PbReader } from './pb-reader.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether this Plinth has text record ids (PocketBase's): a collection may declare an `id` text field. */
function textIdsSupported(): boolean {
  const probe = normalizeCollection(
    {
      name: 'probe',
      type: 'base',
      fields: [{ name: 'id', type: 'text', pattern: '^[a-z0-9]+$', min: 15, max: 15 }],
    },
    null,
    [],
    { newId: () => 'probe', newFieldId: () => 'fprobe' },
  );
  return probe.ok;
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
