import type { ImportNote } from './pb-fields.js';
import type { PbCollection } from './pb-reader.js';

/**
 * PocketBase's SQLite view query in PostgreSQL's dialect, with only the rewrites that cannot change
 * its meaning: backtick-quoted names become double-quoted, IFNULL becomes COALESCE. Anything else is
 * left for PostgreSQL to accept or refuse (then the view is skipped and named in the report).
 */
export function rewriteViewQuery(sql: string): { query: string; notes: ImportNote[] } {
  const notes: ImportNote[] = [];
  let query = sql.replace(/`([^`]*)`/g, (_, name: string) => `"${name.replace(/"/g, '""')}"`);
  query = query.replace(/\bIFNULL\s*\(/gi, 'COALESCE(');
  if (query !== sql)
    notes.push({
      kind: 'mapped',
      what: 'viewQuery',
      why: `rewritten for PostgreSQL: ${query.replace(/\s+/g, ' ').slice(0, 300)}`,
    });
  return { query, notes };
}

/** A PocketBase view collection as a Plinth one: the query (rewritten) and its list and view rules. */
export function mapView(pb: PbCollection): { body: Record<string, unknown>; notes: ImportNote[] } {
  const { query, notes } = rewriteViewQuery(String(pb.options.viewQuery ?? ''));
  return {
    body: {
      name: pb.name,
      type: 'view',
      viewQuery: query,
      listRule: pb.listRule,
      viewRule: pb.viewRule,
      createRule: null,
      updateRule: null,
      deleteRule: null,
    },
    notes,
  };
}
