import { Injectable } from '@nestjs/common';
import { poolOf, RequestPool } from '@plinth/core';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { quoteIdent } from '../filter/index.js';
import type { CompiledCollection } from '../registry/compiled-collection.js';
import { recordQuery, type Queryable } from './pg.js';
import {
  insertIfSql,
  insertSql,
  judgeNewSql,
  RECORD_TYPES,
  type Row,
  splitPrevious,
  updateSql,
} from './record-sql.js';

/** The element type of relation column `field` of `c`: the id type of its target. */
function relationIdCast(c: CompiledCollection, field: string): string {
  const cast = c.fieldColumns.find((col) => col.name === field)?.cast ?? 'uuid';
  return cast.replace('[]', '');
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

  async list(
    c: CompiledCollection,
    where: string,
    order: string,
    params: unknown[],
    limit: number,
    offset: number,
    withTotal: boolean,
    /** The params of `where` alone, when `order` binds values of its own. */
    whereParams: unknown[] = params,
    /** Aborted when the client went away: the queries are cancelled in PostgreSQL. */
    signal?: AbortSignal,
  ): Promise<{ rows: Row[]; total: number }> {
    const items = this.requests.list<Row>(
      {
        text: `SELECT ${c.selectList} FROM ${c.table} AS t WHERE ${where} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`,
        values: params,
        types: RECORD_TYPES,
      },
      signal,
    );
    const count = withTotal
      ? this.requests.list<{ n: string }>(
          { text: `SELECT count(*) AS n FROM ${c.table} AS t WHERE ${where}`, values: whereParams },
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
    where: string,
    params: unknown[],
    opts: { forUpdate?: boolean; withSecrets?: boolean } = {},
  ): Promise<Row | undefined> {
    const extra = opts.withSecrets && c.isAuth ? ', t."password_hash", t."token_key"' : '';
    const p = [...params, id];
    const { rows } = await recordQuery(
      db,
      `SELECT ${c.selectList}${extra} FROM ${c.table} AS t WHERE t."id" = $${p.length}::${c.idType} AND (${where})${opts.forUpdate ? ' FOR UPDATE OF t' : ''}`,
      p,
    );
    return rows[0];
  }

  /** Whether the record with this id satisfies `where` (a compiled rule). */
  async matches(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    where: string,
    params: unknown[],
  ): Promise<boolean> {
    const p = [...params, id];
    const { rows } = await recordQuery(
      db,
      `SELECT 1 FROM ${c.table} AS t WHERE t."id" = $${p.length}::${c.idType} AND (${where})`,
      p,
    );
    return rows.length > 0;
  }

  async findMany(c: CompiledCollection, ids: string[], where: string, params: unknown[]): Promise<Row[]> {
    const p = [...params, ids];
    const { rows } = await recordQuery(
      this.pool,
      `SELECT ${c.selectList} FROM ${c.table} AS t WHERE t."id" = ANY($${p.length}::${c.idType}[]) AND (${where})`,
      p,
    );
    return rows;
  }

  /**
   * `snapshot` (a record as the API shows it) read as a row of the collection's table, if it
   * satisfies `where`: rules are judged on a state that may no longer be stored (a deleted row).
   */
  async findSnapshot(
    c: CompiledCollection,
    snapshot: Row,
    where: string,
    params: unknown[],
  ): Promise<Row | undefined> {
    const p = [...params, JSON.stringify(snapshot)];
    const { rows } = await recordQuery(
      this.pool,
      `SELECT ${c.selectList} FROM jsonb_populate_record(NULL::${c.table}, $${p.length}::jsonb) AS t WHERE ${where}`,
      p,
    );
    return rows[0];
  }

  async insert(db: Queryable, c: CompiledCollection, values: Parameters<typeof insertSql>[1]): Promise<Row> {
    const { text, params } = insertSql(c, values);
    return (await recordQuery(db, text, params)).rows[0]!;
  }

  /** The inserted row, or undefined when `where` (the create rule) does not hold for it: nothing written. */
  async insertIf(
    db: Queryable,
    c: CompiledCollection,
    values: Parameters<typeof insertSql>[1],
    where: (params: unknown[]) => string,
  ): Promise<Row | undefined> {
    const { text, params } = insertIfSql(c, values, where);
    return (await recordQuery(db, text, params)).rows[0];
  }

  /** Whether each condition holds for the record `values` would create, judged without writing it. */
  async judgeNew(
    db: Queryable,
    c: CompiledCollection,
    values: Parameters<typeof insertSql>[1],
    conditions: Array<(params: unknown[]) => string>,
  ): Promise<boolean[]> {
    const { text, params } = judgeNewSql(c, values, conditions);
    const row = (await recordQuery(db, text, params)).rows[0]!;
    return conditions.map((_, i) => row[`j${i}`] === true);
  }

  async update(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    values: Parameters<typeof updateSql>[2],
  ): Promise<Row> {
    const { text, params } = updateSql(c, id, values);
    return (await recordQuery(db, text, params)).rows[0]!;
  }

  /**
   * One statement, outside any transaction: the row and the row before if it exists and `where`
   * held for it, else undefined.
   */
  async updateIf(
    c: CompiledCollection,
    id: string,
    values: Parameters<typeof updateSql>[2],
    where: (params: unknown[]) => string,
  ): Promise<{ row: Row; previous: Row } | undefined> {
    const { text, params } = updateSql(c, id, values, where, true);
    const row = (await recordQuery(this.pool, text, params)).rows[0];
    return row && splitPrevious(row);
  }

  async delete(db: Queryable, c: CompiledCollection, id: string): Promise<Row | undefined> {
    const { rows } = await recordQuery(
      db,
      `DELETE FROM ${c.table} AS t WHERE t."id" = $1::${c.idType} RETURNING ${c.selectList}`,
      [id],
    );
    return rows[0];
  }

  /** How many of `ids` exist in the collection. */
  async countExisting(db: Queryable, c: CompiledCollection, ids: string[]): Promise<number> {
    const { rows } = await recordQuery<{ n: string }>(
      db,
      `SELECT count(*) AS n FROM ${c.table} WHERE "id" = ANY($1::${c.idType}[])`,
      [ids],
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
    const col = `t.${quoteIdent(field)}`;
    const cast = relationIdCast(c, field);
    const { rows } = await recordQuery(
      db,
      `SELECT ${c.selectList} FROM ${c.table} AS t WHERE ${multiple ? `$1::${cast} = ANY(${col})` : `${col} = $1::${cast}`} FOR UPDATE OF t`,
      [id],
    );
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
    const col = quoteIdent(field);
    const cast = relationIdCast(c, field);
    const { rows } = await recordQuery(
      db,
      multiple
        ? `UPDATE ${c.table} AS t SET ${col} = array_remove(${col}, $1::${cast}), "updated" = now() WHERE $1::${cast} = ANY(t.${col}) RETURNING ${c.selectList}`
        : `UPDATE ${c.table} AS t SET ${col} = NULL, "updated" = now() WHERE t.${col} = $1::${cast} RETURNING ${c.selectList}`,
      [id],
    );
    return rows;
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
