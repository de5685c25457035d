import type { CompiledCollection } from '../registry/compiled-collection.js';
import { rowToRecord, type Row } from './record-sql.js';

/** A database row as a non-admin sees the record (hidden fields and others' private email removed). */
export function presentRecord(c: CompiledCollection, row: Row, opts: { viewerIsOwner: boolean }): Row {
  return rowToRecord(row, c, { hidden: false, email: opts.viewerIsOwner || row.emailVisibility === true });
}

/** A database row as stored (hidden fields and email included, empty values null): what events carry. */
export function storedRecord(c: CompiledCollection, row: Row): Row {
  return rowToRecord(row, c, { zeroValues: false });
}
