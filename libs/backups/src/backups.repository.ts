import { Injectable } from '@nestjs/common';
import { quoteIdent } from '@plinth/core';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';

export interface TableInfo {
  schema: 'plinth' | 'data';
  name: string;
  /** Insertable columns (generated ones excluded), in table order. */
  columns: string[];
}

export interface FileColumns {
  id: string;
  name: string;
  columns: Array<{ name: string; multi: boolean }>;
}

const BATCH = 1000;
const qualified = (schema: string, name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;

/** Reads of one REPEATABLE READ snapshot: everything a backup holds, as one consistent moment. */
export class Snapshot {
  constructor(private readonly runner: QueryRunner) {}

  /** Every base table of "plinth" (but TypeORM's migrations) and "data" (views are rebuilt from the schema). */
  async tables(): Promise<TableInfo[]> {
    const rows: Array<{ schema: 'plinth' | 'data'; name: string; columns: string[] }> =
      await this.runner.query(
        `SELECT n.nspname AS schema, c.relname AS name,
              array_agg(a.attname::text ORDER BY a.attnum) AS columns
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        WHERE n.nspname IN ('plinth', 'data') AND c.relkind IN ('r', 'p')
          AND NOT (n.nspname = 'plinth' AND c.relname = 'migrations')
        GROUP BY n.nspname, c.relname
        ORDER BY n.nspname DESC, c.relname`,
      );
    return rows;
  }

  async latestMigration(): Promise<string> {
    const [row] = await this.runner.query(
      'SELECT name FROM plinth.migrations ORDER BY "timestamp" DESC, id DESC LIMIT 1',
    );
    return String(row?.name ?? '');
  }

  /** The table's rows as JSON text (one per row), a batch at a time from a cursor. */
  async *rows(table: TableInfo): AsyncGenerator<string[]> {
    const columns = table.columns.map(quoteIdent).join(', ');
    await this.runner.query(
      `DECLARE backup_rows NO SCROLL CURSOR FOR
         SELECT row_to_json(r)::text AS j FROM (SELECT ${columns} FROM ${qualified(table.schema, table.name)}) r`,
    );
    try {
      for (;;) {
        const batch: Array<{ j: string }> = await this.runner.query(`FETCH ${BATCH} FROM backup_rows`);
        if (!batch.length) return;
        yield batch.map((r) => r.j);
      }
    } finally {
      await this.runner.query('CLOSE backup_rows').catch(() => undefined);
    }
  }

  /** The collections of the snapshot with file fields: their columns, and whether each holds a list. */
  async fileColumns(): Promise<FileColumns[]> {
    const rows: Array<{
      id: string;
      name: string;
      type: string;
      fields: Array<{ type: string; name: string }>;
    }> = await this.runner.query(
      `SELECT id::text AS id, name, type, fields FROM plinth.collection ORDER BY name`,
    );
    const out: FileColumns[] = [];
    for (const r of rows) {
      const names = r.type === 'view' ? [] : r.fields.filter((f) => f.type === 'file').map((f) => f.name);
      if (!names.length) continue;
      const types: Array<{ name: string; multi: boolean }> = await this.runner.query(
        `SELECT attname::text AS name, atttypid = 'text[]'::regtype AS multi FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attname = ANY($2)`,
        [qualified('data', r.name), names],
      );
      out.push({ id: r.id, name: r.name, columns: types });
    }
    return out;
  }

  /** Every stored file's key the snapshot's records reference, a batch at a time. */
  async *fileKeys(collection: FileColumns): AsyncGenerator<string[]> {
    const values = collection.columns
      .map((c) =>
        c.multi ? `SELECT unnest(t.${quoteIdent(c.name)}) AS f` : `SELECT t.${quoteIdent(c.name)} AS f`,
      )
      .join(' UNION ALL ');
    await this.runner.query(
      `DECLARE backup_files NO SCROLL CURSOR FOR
         SELECT t.id::text AS id, x.f AS name
           FROM ${qualified('data', collection.name)} t CROSS JOIN LATERAL (${values}) x
          WHERE x.f IS NOT NULL AND x.f <> ''`,
    );
    try {
      for (;;) {
        const batch: Array<{ id: string; name: string }> = await this.runner.query(
          `FETCH ${BATCH} FROM backup_files`,
        );
        if (!batch.length) return;
        yield batch.map((r) => `${collection.id}/${r.id}/${r.name}`);
      }
    } finally {
      await this.runner.query('CLOSE backup_files').catch(() => undefined);
    }
  }
}

/**
 * The SQL of backups: a read-only REPEATABLE READ snapshot for creating one, and the statements
 * that replace every table's rows for restoring one (in the caller's transaction).
 */
@Injectable()
export class BackupsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` on one connection in one REPEATABLE READ, READ ONLY transaction. */
  async snapshot<T>(work: (snapshot: Snapshot) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await work(new Snapshot(runner));
      } finally {
        await runner.query('ROLLBACK').catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }

  /** Runs `work` in one transaction (the restore: all or nothing). */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Today's tables of "plinth" (but migrations), with their insertable columns. */
  async systemTables(tx: EntityManager): Promise<TableInfo[]> {
    return (await tx.query(
      `SELECT n.nspname AS schema, c.relname AS name,
              array_agg(a.attname::text ORDER BY a.attnum) AS columns
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        WHERE n.nspname = 'plinth' AND c.relkind IN ('r', 'p') AND c.relname <> 'migrations'
        GROUP BY n.nspname, c.relname`,
    )) as TableInfo[];
  }

  /** The tables of "data" (after the rebuild), with their insertable columns. */
  async dataTables(tx: EntityManager): Promise<TableInfo[]> {
    return (await tx.query(
      `SELECT n.nspname AS schema, c.relname AS name,
              array_agg(a.attname::text ORDER BY a.attnum) AS columns
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        WHERE n.nspname = 'data' AND c.relkind IN ('r', 'p')
        GROUP BY n.nspname, c.relname`,
    )) as TableInfo[];
  }

  /** Foreign keys between system tables: [referencing, referenced] names. */
  async systemForeignKeys(tx: EntityManager): Promise<Array<[string, string]>> {
    const rows: Array<{ from: string; to: string }> = await tx.query(
      `SELECT c.relname AS "from", r.relname AS "to"
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_class r ON r.oid = k.confrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE k.contype = 'f' AND n.nspname = 'plinth' AND c.oid <> r.oid`,
    );
    return rows.map((r) => [r.from, r.to]);
  }

  /** Empties the system tables and drops every record table and view (rebuilt from plinth.collection). */
  async clear(tx: EntityManager, systemTables: readonly string[]): Promise<void> {
    // A lock wait must not hang the restore behind a long job: fail and leave the install as it was.
    await tx.query(`SET LOCAL lock_timeout = '30s'`);
    if (systemTables.length)
      await tx.query(`TRUNCATE ${systemTables.map((t) => qualified('plinth', t)).join(', ')} CASCADE`);
    await tx.query('DROP SCHEMA data CASCADE');
    await tx.query('CREATE SCHEMA data');
  }

  /** Inserts rows given as JSON objects; `columns` are those the archive and the table share. */
  async insertRows(
    tx: EntityManager,
    table: TableInfo,
    columns: readonly string[],
    rows: string[],
  ): Promise<void> {
    if (!rows.length || !columns.length) return;
    const list = columns.map(quoteIdent).join(', ');
    await tx.query(
      `INSERT INTO ${qualified(table.schema, table.name)} (${list})
       SELECT ${list} FROM json_populate_recordset(NULL::${qualified(table.schema, table.name)}, $1::json)`,
      [`[${rows.join(',')}]`],
    );
  }

  /** Moves each serial column's sequence past the restored rows. */
  async resetSequences(tx: EntityManager, table: TableInfo): Promise<void> {
    const name = qualified(table.schema, table.name);
    const serials: Array<{ column: string; seq: string }> = await tx.query(
      `SELECT a.attname AS column, pg_get_serial_sequence($1, a.attname) AS seq
         FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
      [name],
    );
    for (const s of serials.filter((x) => x.seq)) {
      await tx.query(
        `SELECT setval($1, COALESCE((SELECT max(${quoteIdent(s.column)}) FROM ${name}), 0) + 1, false)`,
        [s.seq],
      );
    }
  }
}
