import { afterAll, beforeAll } from '@jest/globals';
import { sql, toQuery, type Sql } from '@plinth/core';
import { createTestDatabase, type TestDatabase } from '@plinth/testing';
import { compileFilter, compileRule } from './compile-filter.js';
import { tableSql } from './sql-fragments.js';
import type { FilterCollection, FilterContext, FilterSchema } from './types.js';

// The setup the filter int-specs share: their collections as tables in a fresh database, a caller's
// context, and the labels of the rows a compiled rule or filter lets through, run on PostgreSQL.

/** Who asks. `trusted`: `@request.*`, `@collection` and hidden fields are allowed (as for admins' filters). */
export interface Caller {
  auth?: Record<string, unknown> | null;
  body?: Record<string, unknown>;
  request?: FilterContext['request'];
  isAdmin?: boolean;
  trusted?: boolean;
}

export interface FilterDatabase {
  schema: FilterSchema;
  context(caller?: Caller): FilterContext;
  /** `label` of each row of `on` where `where` holds, sorted (`t` is the row). */
  labels(where: Sql, on: FilterCollection, label?: string): Promise<string[]>;
  /** The labels of the rows of `on` that the access rule lets `caller` see. */
  allowed(rule: string, caller: Caller, on: FilterCollection, label?: string): Promise<string[]>;
  /** The labels of the rows of `on` that the client filter of `caller` matches. */
  filtered(filter: string, caller: Caller, on: FilterCollection, label?: string): Promise<string[]>;
  query<R extends Record<string, unknown>>(statement: Sql): Promise<R[]>;
}

/**
 * Creates a database per test file with `ddl` (tables in schema `data` and their rows) run once,
 * dropped after the file; `now` is the time every context compiles with.
 */
export function useFilterDatabase(
  collections: readonly FilterCollection[],
  ddl: string,
  now = new Date(),
): FilterDatabase {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`CREATE SCHEMA IF NOT EXISTS data;\n${ddl}`);
  });
  afterAll(async () => db?.drop());

  const schema: FilterSchema = { collection: (name) => collections.find((c) => c.name === name) };
  const context = (caller: Caller = {}): FilterContext => {
    const trusted = caller.trusted ?? caller.isAdmin ?? false;
    return {
      schema,
      now,
      auth: caller.auth ?? null,
      body: caller.body ?? {},
      isAdmin: caller.isAdmin ?? false,
      canSeeHidden: trusted,
      allowRequestMacros: trusted,
      ...(caller.request ? { request: caller.request } : {}),
    };
  };
  const query = async <R extends Record<string, unknown>>(statement: Sql) => {
    const { text, values } = toQuery(statement);
    return (await db.query<R>(text, values)).rows;
  };
  const labels = async (where: Sql, on: FilterCollection, label = 't.title') => {
    const rows = await query<{ label: string }>(
      sql`SELECT ${sql.raw(label)} AS label FROM ${tableSql(on.table)} t WHERE ${where} ORDER BY 1`,
    );
    return rows.map((r) => r.label);
  };
  return {
    schema,
    context,
    labels,
    query,
    allowed: (rule, caller, on, label) => labels(compileRule(rule, on, 't', context(caller)), on, label),
    filtered: (filter, caller, on, label) => labels(compileFilter(filter, on, 't', context(caller)), on, label),
  };
}
