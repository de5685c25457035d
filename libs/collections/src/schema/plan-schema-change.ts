import { createHash } from 'node:crypto';
import { quoteIdent } from '../filter/index.js';
import {
  type CollectionDef,
  type FieldDef,
  type IndexDef,
  type OnDelete,
  isMultiple,
} from './collection.types.js';
import { idTypeOf, type RecordIdType } from '../fields/id-field.js';
import type { SchemaIssue } from './schema-issue.js';
import type { ColumnCast } from '../fields/field-type.js';
import { fieldModule } from '../fields/registry.js';
import { SEARCH_COLUMN, searchColumnDdl, searchSignature } from './search-column.js';

export type PlanResult = { ok: true; statements: string[] } | { ok: false; errors: SchemaIssue[] };

const SCHEMA = 'data';
const MAX_IDENTIFIER_BYTES = 63;

const ON_DELETE_SQL: Record<OnDelete, string> = {
  cascade: 'CASCADE',
  restrict: 'RESTRICT',
  'set-null': 'SET NULL',
};

/** Columns outside `fields` that declared indexes may name. */
const BUILTIN_COLUMNS = new Set(['id', 'created', 'updated', 'email', 'emailVisibility', 'verified']);

const table = (name: string): string => `${SCHEMA}.${quoteIdent(name)}`;

/**
 * A generated object name (index, constraint). PostgreSQL silently truncates names over 63 bytes,
 * which could make two of them collide, so that is a programming error here, not a user one.
 */
function objectName(name: string): string {
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new Error(`Generated identifier "${name}" is longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  }
  return quoteIdent(name);
}

/**
 * The collection id as used in its object names. Index names are unique per schema, so the whole
 * id is used: the first 12 hex digits of a UUIDv7 are its creation millisecond, shared by
 * collections an import creates together.
 */
const collectionTag = (def: CollectionDef): string => def.id.replace(/-/g, '').toLowerCase();

const uniqueIndexName = (f: FieldDef) => objectName(`uq_${f.id}`);
const relationIndexName = (f: FieldDef) => objectName(`rel_${f.id}`);
const foreignKeyName = (f: FieldDef) => objectName(`fk_${f.id}`);
const tempColumnName = (f: FieldDef) => objectName(`_tmp_${f.id}`);
const trigramIndexName = (f: FieldDef) => objectName(`trg_${f.id}`);
const searchIndexName = (def: CollectionDef) => objectName(`fts_${collectionTag(def)}`);

/** A text field's pg_trgm index (the extension is made sure of before the plan runs). */
const createTrigramIndex = (def: CollectionDef, f: FieldDef, t = table(def.name)): string =>
  `CREATE INDEX ${trigramIndexName(f)} ON ${t} USING gin (${quoteIdent(f.name)} gin_trgm_ops)`;

const createSearchIndex = (def: CollectionDef): string =>
  `CREATE INDEX ${searchIndexName(def)} ON ${table(def.name)} USING gin (${quoteIdent(SEARCH_COLUMN)})`;

export type { ColumnCast } from '../fields/field-type.js';

/**
 * The PostgreSQL type of a field's column; records bind values with the same cast. `targetIdType`:
 * the id type of a relation's target (relations to text-id collections hold text).
 */
export function columnType(f: FieldDef, targetIdType: RecordIdType = 'uuid'): ColumnCast {
  const cast = fieldModule(f).columnType(f);
  return targetIdType === 'text' ? (cast.replace('uuid', 'text') as ColumnCast) : cast;
}

/** The column type of `f` in `def`, whose relations are resolved against `all`. */
function columnOf(def: CollectionDef, f: FieldDef, all: readonly CollectionDef[]): ColumnCast {
  if (f.type !== 'relation') return columnType(f);
  const target = f.collection === def.name ? def : all.find((c) => c.name === f.collection);
  return columnType(f, target ? idTypeOf(target) : 'uuid');
}

const hasForeignKey = (f: FieldDef): boolean => f.type === 'relation' && !isMultiple(f);

/** A relation's target, with the collection itself as '' so a rename of it is no retarget. */
const targetOf = (def: CollectionDef, f: FieldDef): string =>
  f.collection === def.name ? '' : (f.collection ?? '');

/**
 * The name of a declared index: stable over field renames because it hashes field ids (and the
 * unique flag), so a rename never recreates an index.
 */
export function declaredIndexName(def: CollectionDef, index: IndexDef): string {
  const columns = index.fields.map((name) => {
    const field = def.fields.find((f) => f.name === name);
    if (field) return `f:${field.id}`;
    if (BUILTIN_COLUMNS.has(name)) return `s:${name}`;
    throw new Error(`Index of "${def.name}" names unknown field "${name}"`);
  });
  const key = `${index.unique === true ? 'u' : 'n'}:${columns.join(',')}`;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return `idx_${collectionTag(def)}_${hash}`;
}

function createDeclaredIndex(def: CollectionDef, index: IndexDef): string {
  const columns = index.fields.map(quoteIdent).join(', ');
  const kind = index.unique === true ? 'UNIQUE INDEX' : 'INDEX';
  return `CREATE ${kind} ${objectName(declaredIndexName(def, index))} ON ${table(def.name)} (${columns})`;
}

function addForeignKey(def: CollectionDef, f: FieldDef): string {
  const target = f.collection ?? def.name;
  return (
    `ALTER TABLE ${table(def.name)} ADD CONSTRAINT ${foreignKeyName(f)} FOREIGN KEY (${quoteIdent(f.name)}) ` +
    `REFERENCES ${table(target)} (${quoteIdent('id')}) ON DELETE ${ON_DELETE_SQL[f.onDelete ?? 'set-null']}`
  );
}

/** The indexes a field brings with it: its unique index and, for a single relation, a lookup index. */
function fieldIndexes(def: CollectionDef, f: FieldDef): string[] {
  const out: string[] = [];
  if (f.unique)
    out.push(`CREATE UNIQUE INDEX ${uniqueIndexName(f)} ON ${table(def.name)} (${quoteIdent(f.name)})`);
  if (hasForeignKey(f))
    out.push(`CREATE INDEX ${relationIndexName(f)} ON ${table(def.name)} (${quoteIdent(f.name)})`);
  if (f.trigram) out.push(createTrigramIndex(def, f));
  return out;
}

/**
 * PostgreSQL DDL that turns the table of `prev` into the table of `next` (null = absent), in an
 * order PostgreSQL accepts. `all` is the schema after the change. Run the statements in one
 * transaction with the metadata; a statement can still fail on existing data (a new unique index
 * over duplicates → 23505, a foreign key over dangling ids → 23503), which the caller reports as a
 * conflict and rolls back.
 */
export function planSchemaChange(
  prev: CollectionDef | null,
  next: CollectionDef | null,
  all: readonly CollectionDef[],
): PlanResult {
  if (prev && next) return planUpdate(prev, next, all);
  if (next) return planCreate(next, all);
  if (prev) return planDelete(prev, all);
  throw new Error('planSchemaChange needs a previous or a next collection');
}

function missingTargets(
  def: CollectionDef,
  fields: readonly FieldDef[],
  all: readonly CollectionDef[],
): SchemaIssue[] {
  const errors: SchemaIssue[] = [];
  for (const f of fields) {
    if (f.type !== 'relation' || targetOf(def, f) === '') continue;
    if (all.some((c) => c.id !== def.id && c.name === f.collection)) continue;
    errors.push({
      path: `fields.${def.fields.indexOf(f)}.collection`,
      code: 'RELATION_TARGET_NOT_FOUND',
      message: `Field "${f.name}" relates to collection "${f.collection}", which does not exist; create it first or change the field.`,
    });
  }
  return errors;
}

function planCreate(def: CollectionDef, all: readonly CollectionDef[]): PlanResult {
  const errors = missingTargets(def, def.fields, all);
  if (errors.length) return { ok: false, errors };
  const tag = collectionTag(def);
  const columns = [
    `${quoteIdent('id')} ${idTypeOf(def)} CONSTRAINT ${objectName(`pk_${tag}`)} PRIMARY KEY`,
    `${quoteIdent('created')} timestamptz NOT NULL DEFAULT now()`,
    `${quoteIdent('updated')} timestamptz NOT NULL DEFAULT now()`,
  ];
  if (def.type === 'auth') {
    columns.push(
      `${quoteIdent('email')} text NOT NULL`,
      `${quoteIdent('emailVisibility')} boolean NOT NULL DEFAULT false`,
      `${quoteIdent('verified')} boolean NOT NULL DEFAULT false`,
      `${quoteIdent('password_hash')} text NOT NULL`,
      `${quoteIdent('token_key')} text NOT NULL`,
    );
  }
  for (const f of def.fields) columns.push(`${quoteIdent(f.name)} ${columnOf(def, f, all)}`);
  if (searchSignature(def) !== null) columns.push(searchColumnDdl(def));

  const statements = [`CREATE TABLE ${table(def.name)} (${columns.join(', ')})`];
  for (const f of def.fields) if (hasForeignKey(f)) statements.push(addForeignKey(def, f));
  statements.push(
    `CREATE INDEX ${objectName(`idx_${tag}_created`)} ON ${table(def.name)} (${quoteIdent('created')})`,
  );
  if (def.type === 'auth') {
    statements.push(
      `CREATE UNIQUE INDEX ${objectName(`uq_${tag}_email`)} ON ${table(def.name)} (lower(${quoteIdent('email')}))`,
    );
  }
  for (const f of def.fields) statements.push(...fieldIndexes(def, f));
  for (const index of def.indexes) statements.push(createDeclaredIndex(def, index));
  if (searchSignature(def) !== null) statements.push(createSearchIndex(def));
  return { ok: true, statements };
}

function planDelete(def: CollectionDef, all: readonly CollectionDef[]): PlanResult {
  const errors: SchemaIssue[] = [];
  for (const other of all) {
    if (other.id === def.id) continue;
    for (const f of other.fields) {
      if (f.type !== 'relation' || f.collection !== def.name) continue;
      errors.push({
        path: '',
        code: 'COLLECTION_REFERENCED',
        message: `Collection "${def.name}" cannot be deleted: field "${f.name}" of collection "${other.name}" relates to it. Remove that field (or point it elsewhere) first.`,
      });
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, statements: [`DROP TABLE ${table(def.name)}`] };
}

type Conversion = { kind: 'none' } | { kind: 'alter'; using: string } | { kind: 'refused' };

const TEXT_SINGLE = new Set(['text', 'email', 'url', 'select']);

/** How the column of `from` becomes the column of `to` (same field id). */
function conversion(from: FieldDef, to: FieldDef): Conversion {
  const fromMulti = isMultiple(from);
  const toMulti = isMultiple(to);
  if (from.type === to.type && fromMulti === toMulti) return { kind: 'none' };
  const col = quoteIdent(to.name);
  if (!fromMulti && !toMulti) {
    if (TEXT_SINGLE.has(from.type) && TEXT_SINGLE.has(to.type)) return { kind: 'none' };
    if ((from.type === 'number' || from.type === 'bool') && to.type === 'text') {
      return { kind: 'alter', using: `${col}::text` };
    }
    return { kind: 'refused' };
  }
  if (!fromMulti && toMulti && from.type === to.type) {
    // select, file and relation: one value becomes a one-element list.
    return { kind: 'alter', using: `CASE WHEN ${col} IS NULL THEN NULL ELSE ARRAY[${col}] END` };
  }
  return { kind: 'refused' };
}

const describeType = (f: FieldDef): string =>
  fieldModule(f).multiValued ? `${f.type} (${isMultiple(f) ? 'multiple' : 'single'})` : f.type;

function planUpdate(prev: CollectionDef, next: CollectionDef, all: readonly CollectionDef[]): PlanResult {
  if (prev.id !== next.id) throw new Error('planSchemaChange: prev and next are different collections');
  if (prev.type !== next.type) throw new Error('planSchemaChange: a collection type cannot change');

  const prevById = new Map(prev.fields.map((f) => [f.id, f]));
  const nextIds = new Set(next.fields.map((f) => f.id));
  const removed = prev.fields.filter((f) => !nextIds.has(f.id));
  const added = next.fields.filter((f) => !prevById.has(f.id));
  const kept = next.fields
    .map((to, index) => ({ from: prevById.get(to.id), to, index }))
    .filter((k): k is { from: FieldDef; to: FieldDef; index: number } => k.from !== undefined);

  const errors: SchemaIssue[] = [];
  const alters: string[] = [];
  const t = table(next.name);
  for (const { from, to, index } of kept) {
    const change = conversion(from, to);
    if (change.kind === 'refused') {
      const multiplicityOnly = from.type === to.type;
      errors.push({
        path: `fields.${index}.${multiplicityOnly ? 'maxSelect' : 'type'}`,
        code: 'FIELD_TYPE_CHANGE_UNSUPPORTED',
        message:
          `Field "${to.name}" cannot change from ${describeType(from)} to ${describeType(to)}: ` +
          `${multiplicityOnly ? 'existing records may hold several values' : 'existing values cannot be converted safely'}. ` +
          'Add a new field, copy the data, then remove the old one.',
      });
    } else if (change.kind === 'alter') {
      alters.push(
        `ALTER TABLE ${t} ALTER COLUMN ${quoteIdent(to.name)} TYPE ${columnOf(next, to, all)} USING ${change.using}`,
      );
    }
  }
  for (const { from, to, index } of kept) {
    if (to.type !== 'relation' || from.type !== 'relation') continue;
    if (columnOf(prev, from, all).startsWith('uuid') === columnOf(next, to, all).startsWith('uuid')) continue;
    errors.push({
      path: `fields.${index}.collection`,
      code: 'FIELD_TYPE_CHANGE_UNSUPPORTED',
      message: `Field "${to.name}" cannot point to a collection with another id type (UUID or text ids); add a new relation field instead.`,
    });
  }
  const retargeted = kept.filter(
    ({ from, to }) => to.type === 'relation' && targetOf(prev, from) !== targetOf(next, to),
  );
  errors.push(...missingTargets(next, [...added, ...retargeted.map((k) => k.to)], all));
  if (errors.length) return { ok: false, errors };

  const statements: string[] = [];
  // 1. The table's new name; everything after uses it.
  if (prev.name !== next.name)
    statements.push(`ALTER TABLE ${table(prev.name)} RENAME TO ${quoteIdent(next.name)}`);

  // 2. The search column when what it is made of changes (it depends on the columns it reads, so
  //    it goes before any of them is removed or converted; its index goes with it).
  const searchChanged = searchSignature(prev) !== searchSignature(next);
  if (searchChanged && searchSignature(prev) !== null)
    statements.push(`ALTER TABLE ${t} DROP COLUMN ${quoteIdent(SEARCH_COLUMN)}`);

  //    Foreign keys and indexes that go away or change (before column types change under them).
  const fkChanged = (from: FieldDef, to: FieldDef) =>
    hasForeignKey(from) &&
    (!hasForeignKey(to) ||
      targetOf(prev, from) !== targetOf(next, to) ||
      (from.onDelete ?? 'set-null') !== (to.onDelete ?? 'set-null'));
  for (const { from, to } of kept) {
    if (fkChanged(from, to)) statements.push(`ALTER TABLE ${t} DROP CONSTRAINT ${foreignKeyName(from)}`);
  }
  for (const { from, to } of kept) {
    if (from.unique && !to.unique) statements.push(`DROP INDEX ${SCHEMA}.${uniqueIndexName(from)}`);
    if (hasForeignKey(from) && !hasForeignKey(to))
      statements.push(`DROP INDEX ${SCHEMA}.${relationIndexName(from)}`);
    if (from.trigram && !to.trigram) statements.push(`DROP INDEX ${SCHEMA}.${trigramIndexName(from)}`);
  }
  const prevIndexes = new Map(prev.indexes.map((i) => [declaredIndexName(prev, i), i]));
  const nextIndexes = new Map(next.indexes.map((i) => [declaredIndexName(next, i), i]));
  for (const name of prevIndexes.keys()) {
    if (!nextIndexes.has(name)) statements.push(`DROP INDEX ${SCHEMA}.${objectName(name)}`);
  }

  // 3. Removed fields (their unique/lookup indexes and foreign key go with the column).
  for (const f of removed) statements.push(`ALTER TABLE ${t} DROP COLUMN ${quoteIdent(f.name)}`);

  // 4. Renames; through temporary names when one field takes a name another one is leaving.
  const renames = kept.filter(({ from, to }) => from.name !== to.name);
  const leaving = new Set(renames.map(({ from }) => from.name));
  if (renames.some(({ to }) => leaving.has(to.name))) {
    for (const { from, to } of renames) {
      statements.push(`ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(from.name)} TO ${tempColumnName(to)}`);
    }
    for (const { to } of renames) {
      statements.push(`ALTER TABLE ${t} RENAME COLUMN ${tempColumnName(to)} TO ${quoteIdent(to.name)}`);
    }
  } else {
    for (const { from, to } of renames) {
      statements.push(`ALTER TABLE ${t} RENAME COLUMN ${quoteIdent(from.name)} TO ${quoteIdent(to.name)}`);
    }
  }

  // 5. Type conversions (by the new column names).
  statements.push(...alters);

  // 6. New columns.
  for (const f of added)
    statements.push(`ALTER TABLE ${t} ADD COLUMN ${quoteIdent(f.name)} ${columnOf(next, f, all)}`);

  // 7. Foreign keys, then indexes, that are new or changed.
  for (const { from, to } of kept) {
    if (hasForeignKey(to) && (!hasForeignKey(from) || fkChanged(from, to)))
      statements.push(addForeignKey(next, to));
  }
  for (const f of added) if (hasForeignKey(f)) statements.push(addForeignKey(next, f));
  for (const { from, to } of kept) {
    if (to.unique && !from.unique) {
      statements.push(`CREATE UNIQUE INDEX ${uniqueIndexName(to)} ON ${t} (${quoteIdent(to.name)})`);
    }
    if (hasForeignKey(to) && !hasForeignKey(from)) {
      statements.push(`CREATE INDEX ${relationIndexName(to)} ON ${t} (${quoteIdent(to.name)})`);
    }
    if (to.trigram && !from.trigram) statements.push(createTrigramIndex(next, to, t));
  }
  for (const f of added) statements.push(...fieldIndexes(next, f));
  for (const [name, index] of nextIndexes) {
    if (!prevIndexes.has(name)) statements.push(createDeclaredIndex(next, index));
  }
  // 8. The search column as it is now, and its index.
  if (searchChanged && searchSignature(next) !== null) {
    statements.push(`ALTER TABLE ${t} ADD COLUMN ${searchColumnDdl(next)}`);
    statements.push(createSearchIndex(next));
  }
  return { ok: true, statements };
}
