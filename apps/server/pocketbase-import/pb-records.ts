import type { CollectionDef } from '@plinth/collections';
import type { EntityManager } from 'typeorm';
import type { ColumnMap } from './pb-fields.js';
import type { PbImportRepository, TargetColumn } from './pb-import.repository.js';
import type { MappedCollection } from './pb-mapping.js';
import type { PbReader } from './pb-reader.js';
import { convertValue } from './pb-values.js';

/** Rows read from SQLite and written to PostgreSQL per round trip. */
export const BATCH_SIZE = 1000;

/** PocketBase's auth columns under Plinth's names. */
const RENAMED: Record<string, string> = { password: 'password_hash', tokenKey: 'token_key' };

const CASTS: Record<string, string> = {
  text: 'text',
  _text: 'text[]',
  uuid: 'uuid',
  _uuid: 'uuid[]',
  float8: 'double precision',
  bool: 'boolean',
  timestamptz: 'timestamptz',
  jsonb: 'jsonb',
};

/**
 * Collections in an order where single relations point to collections already written where they
 * can (a cycle or a self-relation is set afterwards).
 */
export function loadOrder(mapped: MappedCollection[]): MappedCollection[] {
  const left = [...mapped];
  const done = new Set<string>();
  const out: MappedCollection[] = [];
  while (left.length) {
    const next =
      left.find((m) =>
        m.columns.every((c) => {
          if (c.kind !== 'relation') return true;
          const f = (m.body.fields as Array<Record<string, unknown>>).find((x) => x.name === c.name);
          return f?.collection === m.pb.name || done.has(String(f?.collection));
        }),
      ) ?? left[0]!;
    left.splice(left.indexOf(next), 1);
    done.add(next.pb.name);
    out.push(next);
  }
  return out;
}

/** Copies every collection's rows; answers the number of records per collection name. */
export async function copyRecords(
  tx: EntityManager,
  repo: PbImportRepository,
  reader: PbReader,
  mapped: MappedCollection[],
  created: CollectionDef[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const written = new Set<string>();
  const deferred: Array<() => Promise<void>> = [];
  for (const m of loadOrder(mapped)) {
    const def = created.find((c) => c.id === m.id)!;
    const types: Array<{ column_name: string; udt_name: string }> = await tx.query(
      `SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = 'data' AND table_name = $1`,
      [def.name],
    );
    const castOf = (name: string) =>
      CASTS[types.find((t) => t.column_name === name)?.udt_name ?? ''] ?? 'text';
    const targetOf = (c: ColumnMap): TargetColumn => ({
      name: RENAMED[c.name] ?? c.name,
      cast: castOf(RENAMED[c.name] ?? c.name),
    });
    const relationTarget = (c: ColumnMap) =>
      (def.fields.find((f) => f.name === c.name)?.collection ?? '') as string;
    // A single relation whose target is not written yet (itself, or a cycle) is set after all rows.
    const late = m.columns.filter(
      (c) => c.kind === 'relation' && (relationTarget(c) === def.name || !written.has(relationTarget(c))),
    );
    const columns = m.columns.map(targetOf);
    const pairs = new Map<string, Array<[string, string]>>(late.map((c) => [c.name, []]));
    let count = 0;
    for (const batch of reader.batches(m.pb.name, BATCH_SIZE)) {
      const rows = batch.map((row) =>
        m.columns.map((c) => {
          const value = convertValue(c.kind, row[c.name] ?? null);
          const later = pairs.get(c.name);
          if (later && value !== null) {
            later.push([String(row.id), String(value)]);
            return null;
          }
          return value;
        }),
      );
      await repo.insertRows(tx, def.name, columns, rows);
      count += rows.length;
    }
    for (const c of late) {
      const list = pairs.get(c.name)!;
      if (list.length) deferred.push(() => repo.setRelations(tx, def.name, targetOf(c), castOf('id'), list));
    }
    counts.set(def.name, count);
    written.add(def.name);
  }
  for (const run of deferred) await run();
  return counts;
}
