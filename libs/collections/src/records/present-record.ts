import type { CompiledCollection } from '../registry/compiled-collection.js';
import { rowToRecord, type Row } from './record-sql.js';

/** A database row as a non-admin sees the record (hidden fields and others' private email removed). */
export function presentRecord(c: CompiledCollection, row: Row, opts: { viewerIsOwner: boolean }): Row {
  return rowToRecord(row, c, { hidden: false, email: opts.viewerIsOwner || row.emailVisibility === true });
}
