import { quoteIdent } from '../filter/index.js';
import type { CompiledCollection, ColumnCast } from '../registry/compiled-collection.js';

export type Row = Record<string, unknown>;

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** A database row as the API shows a record (before hidden fields are stripped). */
export function rowToRecord(row: Row, c: CompiledCollection): Row {
  const record: Row = {
    id: row.id,
    collectionId: c.def.id,
    collectionName: c.def.name,
    created: iso(row.created),
    updated: iso(row.updated),
  };
  if (c.isAuth) {
    record.email = row.email;
    record.emailVisibility = row.emailVisibility;
    record.verified = row.verified;
  }
  for (const col of c.fieldColumns) {
    const v = row[col.name];
    record[col.name] =
      col.cast === 'timestamptz' ? (iso(v) ?? null) : (v ?? (col.cast.endsWith('[]') ? [] : null));
  }
  return record;
}

/** A JS value ready to bind for a column of this cast. */
export function bindValue(value: unknown, cast: ColumnCast): unknown {
  if (value === undefined || value === null) return cast.endsWith('[]') ? [] : null;
  if (cast === 'jsonb') return JSON.stringify(value);
  return value;
}

export function placeholder(params: unknown[], value: unknown, cast: ColumnCast): string {
  params.push(bindValue(value, cast));
  return `$${params.length}::${cast}`;
}

/** INSERT … RETURNING the record's columns. `values` holds column name → value. */
export function insertSql(c: CompiledCollection, values: Map<string, { value: unknown; cast: ColumnCast }>) {
  const params: unknown[] = [];
  const cols: string[] = [];
  const vals: string[] = [];
  for (const [name, { value, cast }] of values) {
    cols.push(quoteIdent(name));
    vals.push(placeholder(params, value, cast));
  }
  return {
    text: `INSERT INTO ${c.table} AS t (${cols.join(', ')}) VALUES (${vals.join(', ')}) RETURNING ${c.selectList}`,
    params,
  };
}

export function updateSql(
  c: CompiledCollection,
  id: string,
  values: Map<string, { value: unknown; cast: ColumnCast } | { sql: (p: unknown[]) => string }>,
  /** Compiles a condition on the current row into the same parameter list (a rule). */
  where?: (params: unknown[]) => string,
) {
  const params: unknown[] = [id];
  const sets = ['"updated" = now()'];
  for (const [name, v] of values) {
    sets.push(`${quoteIdent(name)} = ${'sql' in v ? v.sql(params) : placeholder(params, v.value, v.cast)}`);
  }
  const condition = where ? ` AND (${where(params)})` : '';
  return {
    text: `UPDATE ${c.table} AS t SET ${sets.join(', ')} WHERE t."id" = $1::uuid${condition} RETURNING ${c.selectList}`,
    params,
  };
}
