import type { ColumnKind, FilterCollection, FilterField } from '@plinth/collections';

/** The names filters and sorts use (those of the API answer) and their columns in plinth.audit_log. */
const FIELDS: ReadonlyArray<[name: string, column: string, kind: ColumnKind]> = [
  ['id', 'id', 'uuid'],
  ['created', 'created', 'date'],
  // The filter language implies `updated` on every collection; an audit entry never changes.
  ['updated', 'created', 'date'],
  ['action', 'action', 'text'],
  ['targetType', 'target_type', 'text'],
  ['targetId', 'target_id', 'text'],
  ['targetName', 'target_name', 'text'],
  ['actorKind', 'actor_kind', 'text'],
  ['actorId', 'actor_id', 'text'],
  ['actorName', 'actor_name', 'text'],
  ['ip', 'ip', 'text'],
  ['requestId', 'request_id', 'text'],
  ['summary', 'summary', 'text'],
];

export const AUDIT_FILTER_FIELDS = FIELDS.filter(([name]) => name !== 'updated').map(([name]) => name);

/** The audit trail as the record filter compiler sees a collection (no relations, no rules). */
export const AUDIT_COLLECTION: FilterCollection = {
  name: 'audit',
  table: 'audit_log',
  fields: new Map<string, FilterField>(
    FIELDS.map(([name, column, kind]) => [name, { name, column, kind, multiple: false, hidden: false }]),
  ),
  viewRule: null,
};
