import { Injectable } from '@nestjs/common';
import { quoteIdent } from '@plinth/core';
import { DataSource, EntityManager } from 'typeorm';
import { AUTH_OPTION_KEYS, type CollectionDef } from '../schema/collection.types.js';

interface CollectionRow {
  id: string;
  name: string;
  type: CollectionDef['type'];
  fields: CollectionDef['fields'];
  indexes: CollectionDef['indexes'];
  list_rule: string | null;
  view_rule: string | null;
  create_rule: string | null;
  update_rule: string | null;
  delete_rule: string | null;
  options: Record<string, unknown>;
  created: Date;
  updated: Date;
}

/** The auth settings of the `options` column (where PocketBase's top-level keys are stored together). */
function authOptionsOf(stored: Record<string, unknown> | null): Partial<CollectionDef> {
  const out: Record<string, unknown> = {};
  for (const key of AUTH_OPTION_KEYS) if (stored?.[key] !== undefined) out[key] = stored[key];
  return out as Partial<CollectionDef>;
}

/** A view collection's query and timestamps, kept in the `options` column. */
function viewOptionsOf(stored: Record<string, unknown> | null): Partial<CollectionDef> {
  return {
    viewQuery: typeof stored?.viewQuery === 'string' ? stored.viewQuery : '',
    viewDates: (stored?.viewDates as CollectionDef['viewDates']) ?? { created: false, updated: false },
    viewFileSources: (stored?.viewFileSources as CollectionDef['viewFileSources']) ?? {},
  };
}

const storedOptions = (def: CollectionDef): Record<string, unknown> => ({
  ...(def.type === 'auth' ? authOptionsOf(def as unknown as Record<string, unknown>) : {}),
  ...(def.type === 'view'
    ? { viewQuery: def.viewQuery, viewDates: def.viewDates, viewFileSources: def.viewFileSources ?? {} }
    : {}),
  ...(def.idField ? { idField: def.idField } : {}),
});

const toDef = (r: CollectionRow): CollectionDef => ({
  id: r.id,
  name: r.name,
  type: r.type,
  fields: r.fields,
  indexes: r.indexes,
  listRule: r.list_rule,
  viewRule: r.view_rule,
  createRule: r.create_rule,
  updateRule: r.update_rule,
  deleteRule: r.delete_rule,
  ...(r.type === 'auth' ? authOptionsOf(r.options) : {}),
  ...(r.type === 'view' ? viewOptionsOf(r.options) : {}),
  ...(r.options?.idField ? { idField: r.options.idField as CollectionDef['idField'] } : {}),
  created: new Date(r.created).toISOString(),
  updated: new Date(r.updated).toISOString(),
});

/** Serialises schema changes across replicas (transaction-scoped advisory lock). */
const SCHEMA_LOCK = 0x706c7363; // "plsc"

/**
 * Collection metadata in plinth.collection, and the schema changes of the record tables in "data"
 * (DDL from planSchemaChange). Writes take the caller's transaction.
 */
@Injectable()
export class CollectionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One schema change: a transaction holding the schema lock, so replicas change the schema one at a time. */
  schemaChange<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      return work(tx);
    });
  }

  /** Which of `names` are text search configurations of this database (pg_ts_config). */
  async textSearchConfigs(tx: EntityManager, names: readonly string[]): Promise<Set<string>> {
    const rows: Array<{ cfgname: string }> = await tx.query(
      'SELECT cfgname FROM pg_catalog.pg_ts_config WHERE cfgname = ANY($1::text[])',
      [names],
    );
    return new Set(rows.map((r) => r.cfgname));
  }

  /**
   * Makes sure pg_trgm is installed, creating it when this role may; false when it cannot be
   * (the error is undone in a savepoint, the caller's transaction goes on).
   */
  async ensureTrigram(tx: EntityManager): Promise<boolean> {
    const found: unknown[] = await tx.query(
      "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm'",
    );
    if (found.length > 0) return true;
    await tx.query('SAVEPOINT plinth_trgm');
    try {
      await tx.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      await tx.query('RELEASE SAVEPOINT plinth_trgm');
      return true;
    } catch {
      await tx.query('ROLLBACK TO SAVEPOINT plinth_trgm');
      return false;
    }
  }

  /** Takes the schema lock in the caller's transaction (a restore that rebuilds every table). */
  async lockSchema(tx: EntityManager): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
  }

  /** Runs the DDL statements of a planned schema change, in order, in the caller's transaction. */
  async runDdl(tx: EntityManager, statements: readonly string[]): Promise<void> {
    for (const statement of statements) await tx.query(statement);
  }

  /** The file names held in `columns` of the collection's table, per record that holds any. */
  async storedFiles(
    tx: EntityManager,
    collection: string,
    columns: readonly string[],
  ): Promise<Array<Record<string, string | string[] | null>>> {
    const quoted = columns.map(quoteIdent);
    return tx.query(
      `SELECT id::text AS "_id", ${quoted.join(', ')} FROM data.${quoteIdent(collection)}
       WHERE ${quoted.map((c) => `${c} IS NOT NULL`).join(' OR ')}`,
    );
  }

  async all(manager: EntityManager = this.dataSource.manager): Promise<CollectionDef[]> {
    const rows: CollectionRow[] = await manager.query('SELECT * FROM plinth.collection ORDER BY created, id');
    return rows.map(toDef);
  }

  async upsert(manager: EntityManager, def: CollectionDef): Promise<void> {
    await manager.query(
      `INSERT INTO plinth.collection (id, name, type, fields, indexes, list_rule, view_rule, create_rule, update_rule, delete_rule, options)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET name = $2, fields = $4, indexes = $5, list_rule = $6, view_rule = $7,
         create_rule = $8, update_rule = $9, delete_rule = $10, options = $11, updated = now()`,
      [
        def.id,
        def.name,
        def.type,
        JSON.stringify(def.fields),
        JSON.stringify(def.indexes),
        def.listRule,
        def.viewRule,
        def.createRule,
        def.updateRule,
        def.deleteRule,
        JSON.stringify(storedOptions(def)),
      ],
    );
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.query('DELETE FROM plinth.collection WHERE id = $1', [id]);
  }

  async getSetting(manager: EntityManager, key: string): Promise<unknown> {
    const [row] = await manager.query('SELECT value FROM plinth.setting WHERE key = $1', [key]);
    return row?.value;
  }

  async setSetting(manager: EntityManager, key: string, value: unknown): Promise<void> {
    await manager.query(
      `INSERT INTO plinth.setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2, updated = now()`,
      [key, JSON.stringify(value)],
    );
  }
}
