import type { Principal } from '@plinth/core';
import type { CompiledCollection } from '../registry/compiled-collection.js';
import { rowToRecord, type Row } from './record-sql.js';

/** A database row as a non-admin sees the record (hidden fields and others' private email removed). */
export function presentRecord(c: CompiledCollection, row: Row, opts: { viewerIsOwner: boolean }): Row {
  return rowToRecord(row, c, { hidden: false, email: opts.viewerIsOwner || row.emailVisibility === true });
}

/**
 * A row as this caller receives the record: everything for admins; without hidden fields for everyone
 * else; the email of an auth record only for keys, its owner, or when it is visible (emailVisibility).
 */
export function presentFor(
  c: CompiledCollection,
  row: Row,
  caller: { principal: Principal; bypass: boolean; canSeeHidden: boolean },
): Row {
  if (caller.canSeeHidden) return rowToRecord(row, c);
  const { principal } = caller;
  const own = principal.kind === 'user' && principal.collectionId === c.def.id && principal.id === row.id;
  // Scoped keys see emails, not hidden fields.
  return presentRecord(c, row, { viewerIsOwner: caller.bypass || own });
}

/** A database row as stored (hidden fields and email included, empty values null): what events carry. */
export function storedRecord(c: CompiledCollection, row: Row): Row {
  return rowToRecord(row, c, { zeroValues: false });
}
