import { Injectable } from '@nestjs/common';
import { poolOf, quoteIdent, RequestPool, sql, type Sql, toQuery } from '@plinth/core';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { CompiledCollection } from '../registry/compiled-collection.js';
import { recordQuery, type Queryable, withTransaction } from './pg.js';
import { snapshotTable } from './snapshot-row.js';
import {
  type ColumnValues,
  insertIfSql,
  insertSql,
  judgeNewSql,
  RECORD_TYPES,
  type Row,
  splitPrevious,
  type UpdateValues,
  updateSql,
} from './record-sql.js';

/** The element type of relation column `field` of `c`: the id type of its target. */
function relationIdCast(c: CompiledCollection, field: string): Sql {
  const cast = c.fieldColumns.find((col) => col.name === field)?.cast ?? 'uuid';
  return sql.raw(`::${cast.replace('[]', '')}`);
}

/**
 * SQL for records, through the request pool (statement timeout; or the caller's transaction
 * client); the auth record behind a token is read on the system pool, which record queries cannot fill.
 */
@Injectable()
export class RecordsRepository {
  readonly pool: Pool;
  private readonly system: Pool;

  constructor(
    private readonly requests: RequestPool,
    dataSource: DataSource,
  ) {
    this.pool = requests.pool;
    this.system = poolOf(dataSource);
  }

  /** Runs `work` in a transaction on a request-pool connection: committed when it resolves, else rolled back. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }

  async list(
    c: CompiledCollection,
    where: Sql,
    order: Sql,
    limit: number,
    offset: number,
    withTotal: boolean,
    /** Aborted when the client went away: the queries are cancelled in PostgreSQL. */
    signal?: AbortSignal,
    /** More output columns (a search's rank and highlights), after the record's. */
    extra?: Sql,
  ): Promise<{ rows: Row[]; total: number }> {
    const { table, select } = c.sql;
    const page = sql.raw(`LIMIT ${limit} OFFSET ${offset}`);
    const columns = extra ? sql`${select}, ${extra}` : select;
    const items = this.requests.list<Row>(
      {
        ...toQuery(sql`SELECT ${columns} FROM ${table} AS t WHERE ${where} ORDER BY ${order} ${page}`),
        types: RECORD_TYPES,
      },
      signal,
    );
    const count = withTotal
      ? this.requests.list<{ n: string }>(
          toQuery(sql`SELECT count(*) AS n FROM ${table} AS t WHERE ${where}`),
          signal,
        )
      : undefined;
    const [r, n] = await Promise.all([items, count]);
    return { rows: r.rows, total: n ? Number(n.rows[0]!.n) : -1 };
  }

  async findOne(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    where: Sql,
    opts: { forUpdate?: boolean; withSecrets?: boolean } = {},
  ): Promise<Row | undefined> {
    const { table, select } = c.sql;
    const extra = opts.withSecrets && c.isAuth ? SECRETS : sql.empty;
    const lock = opts.forUpdate ? FOR_UPDATE : sql.empty;
    const { rows } = await run(
      db,
      sql`SELECT ${select}${extra} FROM ${table} AS t WHERE t."id" = ${id}${c.sql.idCast} AND (${where})${lock}`,
    );
    return rows[0];
  }

  /** Whether the record with this id satisfies `where` (a compiled rule). */
  async matches(db: Queryable, c: CompiledCollection, id: string, where: Sql): Promise<boolean> {
    const { rows } = await run(
      db,
      sql`SELECT 1 FROM ${c.sql.table} AS t WHERE t."id" = ${id}${c.sql.idCast} AND (${where})`,
    );
    return rows.length > 0;
  }

  async findMany(c: CompiledCollection, ids: string[], where: Sql): Promise<Row[]> {
    const { table, select } = c.sql;
    const { rows } = await run(
      this.pool,
      sql`SELECT ${select} FROM ${table} AS t WHERE t."id" = ANY(${ids}${c.sql.idArrayCast}) AND (${where})`,
    );
    return rows;
  }

  /**
   * `snapshot` (a record as the API shows it) read as a row of the collection's table, if it
   * satisfies `where`: rules are judged on a state that may no longer be stored (a deleted row).
   */
  async findSnapshot(c: CompiledCollection, snapshot: Row, where: Sql): Promise<Row | undefined> {
    const { rows } = await run(
      this.pool,
      sql`SELECT ${c.sql.select} FROM ${snapshotTable(c, snapshot)} WHERE ${where}`,
    );
    return rows[0];
  }

  /** The id of a record of `c` whose file field `field` holds `filename` (stored names are unique). */
  async fileOwner(c: CompiledCollection, field: string, filename: string): Promise<string | undefined> {
    const column = c.fieldColumns.find((col) => col.name === field && col.field?.type === 'file');
    if (!column) return undefined;
    const ref = sql.raw(`t.${quoteIdent(field)}`);
    const holds = column.cast.endsWith('[]')
      ? sql`${filename}::text = ANY(${ref})`
      : sql`${ref} = ${filename}::text`;
    const { rows } = await run<{ id: string }>(
      this.pool,
      sql`SELECT t."id"::text AS "id" FROM ${c.sql.table} AS t WHERE ${holds} LIMIT 1`,
    );
    return rows[0]?.id;
  }

  async insert(db: Queryable, c: CompiledCollection, values: ColumnValues): Promise<Row> {
    return (await run(db, insertSql(c, values))).rows[0]!;
  }

  /** The inserted row, or undefined when `where` (the create rule) does not hold for it: nothing written. */
  async insertIf(
    db: Queryable,
    c: CompiledCollection,
    values: ColumnValues,
    where: Sql,
  ): Promise<Row | undefined> {
    return (await run(db, insertIfSql(c, values, where))).rows[0];
  }

  /** Whether each condition holds for the record `values` would create, judged without writing it. */
  async judgeNew(
    db: Queryable,
    c: CompiledCollection,
    values: ColumnValues,
    conditions: Sql[],
  ): Promise<boolean[]> {
    const row = (await run(db, judgeNewSql(c, values, conditions))).rows[0]!;
    return conditions.map((_, i) => row[`j${i}`] === true);
  }

  async update(db: Queryable, c: CompiledCollection, id: string, values: UpdateValues): Promise<Row> {
    return (await run(db, updateSql(c, id, values))).rows[0]!;
  }

  /**
   * One statement, outside any transaction: the row and the row before if it exists and `where`
   * held for it, else undefined.
   */
  async updateIf(
    c: CompiledCollection,
    id: string,
    values: UpdateValues,
    where: Sql,
  ): Promise<{ row: Row; previous: Row } | undefined> {
    const row = (await run(this.pool, updateSql(c, id, values, where, true))).rows[0];
    return row && splitPrevious(row);
  }

  async delete(db: Queryable, c: CompiledCollection, id: string): Promise<Row | undefined> {
    const { table, select } = c.sql;
    const { rows } = await run(
      db,
      sql`DELETE FROM ${table} AS t WHERE t."id" = ${id}${c.sql.idCast} RETURNING ${select}`,
    );
    return rows[0];
  }

  /** How many of `ids` exist in the collection. */
  async countExisting(db: Queryable, c: CompiledCollection, ids: string[]): Promise<number> {
    const { rows } = await run<{ n: string }>(
      db,
      sql`SELECT count(*) AS n FROM ${c.sql.table} WHERE "id" = ANY(${ids}${c.sql.idArrayCast})`,
    );
    return Number(rows[0]!.n);
  }

  /** Records whose relation `field` points at `id` (single: equals it; multi: holds it), locked. */
  async referencing(
    db: Queryable,
    c: CompiledCollection,
    field: string,
    multiple: boolean,
    id: string,
  ): Promise<Row[]> {
    const { table, select } = c.sql;
    const col = sql.raw(`t.${quoteIdent(field)}`);
    const ref = sql`${id}${relationIdCast(c, field)}`;
    const where = multiple ? sql`${ref} = ANY(${col})` : sql`${col} = ${ref}`;
    const { rows } = await run(db, sql`SELECT ${select} FROM ${table} AS t WHERE ${where} FOR UPDATE OF t`);
    return rows;
  }

  /** Clears a relation to `id` (single: NULL; multi: the id leaves the array); returns the changed rows. */
  async clearReferences(
    db: Queryable,
    c: CompiledCollection,
    field: string,
    multiple: boolean,
    id: string,
  ): Promise<Row[]> {
    const { table, select } = c.sql;
    const col = sql.raw(quoteIdent(field));
    const ref = sql`${id}${relationIdCast(c, field)}`;
    const { rows } = await run(
      db,
      multiple
        ? sql`UPDATE ${table} AS t SET ${col} = array_remove(${col}, ${ref}), "updated" = now() WHERE ${ref} = ANY(t.${col}) RETURNING ${select}`
        : sql`UPDATE ${table} AS t SET ${col} = NULL, "updated" = now() WHERE t.${col} = ${ref} RETURNING ${select}`,
    );
    return rows;
  }

  /**
   * A server-side cursor over `SELECT … WHERE where ORDER BY order`, in a read-only repeatable-read
   * transaction on its own request-pool connection (every FETCH under the statement timeout).
   * `close` ends the transaction and gives the connection back; call it once reading stops.
   */
  async openCursor(c: CompiledCollection, where: Sql, order: Sql): Promise<RecordCursor> {
    const client = await this.pool.connect();
    const close = async () => {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch (err) {
        client.release(err as Error); // a broken connection is discarded
      }
    };
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { table, select } = c.sql;
      await client.query(
        toQuery(
          sql`DECLARE record_cursor NO SCROLL CURSOR FOR SELECT ${select} FROM ${table} AS t WHERE ${where} ORDER BY ${order}`,
        ),
      );
    } catch (err) {
      await close();
      throw err;
    }
    return {
      fetch: async (count) =>
        (
          await client.query<Row>({
            text: `FETCH ${Math.trunc(count)} FROM record_cursor`,
            types: RECORD_TYPES,
          })
        ).rows,
      close,
    };
  }

  async authRecord(c: CompiledCollection, id: string): Promise<Row | undefined> {
    const { rows } = await recordQuery(
      this.system,
      `SELECT ${c.selectList}, t."token_key" FROM ${c.table} AS t WHERE t."id" = $1::${c.idType}`,
      [id],
    );
    return rows[0];
  }
}

/** Rows of a list read batch by batch (see RecordsRepository.openCursor). */
export interface RecordCursor {
  fetch(count: number): Promise<Row[]>;
  close(): Promise<void>;
}

const SECRETS = sql.raw(', t."password_hash", t."token_key"');
const FOR_UPDATE = sql.raw(' FOR UPDATE OF t');

/** Runs a record statement: its fragments numbered `$1..$n`, timestamps read as the API's strings. */
function run<R extends Row = Row>(db: Queryable, statement: Sql) {
  const { text, values } = toQuery(statement);
  return recordQuery<R>(db, text, values);
}
