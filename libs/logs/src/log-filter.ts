import type { ColumnKind, FilterCollection, FilterContext, FilterField } from '@plinth/collections';

/** The names filters and sorts use (those of the API answer) and their columns in plinth.request_log. */
const FIELDS: ReadonlyArray<[name: string, column: string, kind: ColumnKind]> = [
  ['id', 'id', 'uuid'],
  ['created', 'created', 'date'],
  // The filter language implies `updated` on every collection; a log entry never changes.
  ['updated', 'created', 'date'],
  ['method', 'method', 'text'],
  ['route', 'route', 'text'],
  ['url', 'url', 'text'],
  ['status', 'status', 'number'],
  ['duration', 'duration_ms', 'number'],
  ['size', 'size', 'number'],
  ['ip', 'ip', 'text'],
  ['userAgent', 'user_agent', 'text'],
  ['authKind', 'auth_kind', 'text'],
  ['authId', 'auth_id', 'text'],
  ['requestId', 'request_id', 'text'],
  ['errorCode', 'error_code', 'text'],
  ['errorMessage', 'error_message', 'text'],
];

export const LOG_FILTER_FIELDS = FIELDS.filter(([name]) => name !== 'updated').map(([name]) => name);

/** The request log as the record filter compiler sees a collection (no relations, no rules). */
export const LOG_COLLECTION: FilterCollection = {
  name: 'logs',
  table: 'request_log',
  fields: new Map<string, FilterField>(
    FIELDS.map(([name, column, kind]) => [name, { name, column, kind, multiple: false, hidden: false }]),
  ),
  viewRule: null,
};

/** Admins' filters: no other collection to reach, no request macros. */
export function logFilterContext(): FilterContext {
  return {
    schema: { collection: () => undefined },
    now: new Date(),
    auth: null,
    isAdmin: true,
    canSeeHidden: true,
    allowRequestMacros: false,
  };
}
