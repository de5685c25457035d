import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppError, type FieldProblem } from '@plinth/core';
import type { PoolClient, QueryResult } from 'pg';
import type { EntityManager } from 'typeorm';
import { FilterError, quoteIdent, validateRuleSyntax } from '../filter/index.js';
import { CollectionsRepository } from '../registry/collections.repository.js';
import type { CollectionDef } from '../schema/collection.types.js';
import { toFilterCollection, toFilterSchema } from '../schema/index.js';
import { backingViewSql, inferViewFields, type ViewColumn } from './infer-view-fields.js';
import {
  type FunctionRef,
  queryTreeRefs,
  referenceProblems,
  type RelationRef,
  starOfAuthProblem,
} from './view-query.js';

/** The scratch view a query is checked in (collection names start with a letter, so it clashes with none). */
const CHECK_VIEW = '_plinth_view_check';

/** PostgreSQL error classes that are the query's fault: syntax and access (42), data (22), features (0A)... */
const QUERY_FAULT = /^(42|22|0A|21|2B|54|57014)/;

/** Why a view could not be (re)built, in words for the person who wrote its query. */
class ViewBuildError extends Error {
  constructor(
    readonly problems: string[],
    readonly path: 'viewQuery' | 'listRule' | 'viewRule' = 'viewQuery',
  ) {
    super(problems.join(' '));
  }
}

function queryFault(err: unknown): ViewBuildError {
  const e = err as { code?: string; message?: string };
  if (typeof e.code !== 'string' || !QUERY_FAULT.test(e.code)) throw err;
  // Wrapped as a subquery, a second statement is a syntax error at its ";" (PostgreSQL's lexer skips strings and comments).
  if (e.code === '42601' && /multiple commands|at or near ";"/.test(e.message ?? ''))
    return new ViewBuildError([
      'The view query must be one SELECT statement; remove the ";" and what follows it.',
    ]);
  if (e.code === '0A000' && /data-modifying/.test(e.message ?? ''))
    return new ViewBuildError([
      'The view query may only read: INSERT, UPDATE and DELETE are not allowed in it.',
    ]);
  return new ViewBuildError([`The view query does not run on PostgreSQL: ${e.message ?? 'unknown error'}.`]);
}

const extended = (client: PoolClient, text: string, values: unknown[] = []): Promise<QueryResult> =>
  // The extended protocol runs exactly one statement: "SELECT 1; DROP TABLE x" is refused by PostgreSQL.
  client.query({ text, values, queryMode: 'extended' } as never);

/**
 * Builds the PostgreSQL views behind view collections (docs/decisions/view-collections.md): each
 * query is checked by PostgreSQL itself in a scratch view, its fields are inferred from its result
 * columns, and every view is rebuilt after any schema change so it follows its source collections.
 */
@Injectable()
export class ViewSync {
  constructor(private readonly repository: CollectionsRepository) {}

  /** Drops the views of these collections (and any view built on them) before a schema change. */
  async drop(tx: EntityManager, names: readonly string[]): Promise<void> {
    if (!names.length) return;
    await tx.query(`DROP VIEW IF EXISTS ${names.map((n) => `"data".${quoteIdent(n)}`).join(', ')} CASCADE`);
  }

  /**
   * (Re)creates the view of every view collection in `all`, a view read by another first, and stores
   * fields that changed. `saving` is the collection being saved: its problems are a 400 on its own
   * keys; a view broken by a change elsewhere refuses that change (409).
   */
  async rebuild(
    tx: EntityManager,
    all: readonly CollectionDef[],
    saving: CollectionDef | null,
  ): Promise<void> {
    let pending = all.filter((c) => c.type === 'view');
    if (!pending.length) return;
    const client = (await tx.queryRunner!.connect()) as PoolClient;
    const [{ path }] = (await client.query(`SELECT current_setting('search_path') AS path`)).rows;
    // Unqualified names in a query mean collections; the view stores what they resolved to.
    await client.query(`SELECT set_config('search_path', 'data', true)`);
    let schema = [...all];
    const failures = new Map<string, ViewBuildError>();
    while (pending.length) {
      const left: CollectionDef[] = [];
      for (const def of pending) {
        await client.query('SAVEPOINT plinth_view');
        try {
          const built = await this.build(client, def, schema);
          await client.query('RELEASE SAVEPOINT plinth_view');
          if (built !== def) await this.repository.upsert(tx, built);
          schema = schema.map((c) => (c.id === built.id ? built : c));
          failures.delete(def.id);
        } catch (err) {
          await client.query('ROLLBACK TO SAVEPOINT plinth_view');
          if (!(err instanceof ViewBuildError)) throw err;
          failures.set(def.id, err);
          left.push(def);
        }
      }
      // A view over another view fails until that one exists: go round while views get built.
      if (left.length === pending.length) break;
      pending = left;
    }
    await client.query(`SELECT set_config('search_path', $1, true)`, [path]);
    if (failures.size) throw this.refusal(failures, all, saving);
  }

  private refusal(
    failures: Map<string, ViewBuildError>,
    all: readonly CollectionDef[],
    saving: CollectionDef | null,
  ) {
    const own = saving && failures.get(saving.id);
    if (own) {
      const errors: FieldProblem[] = own.problems.map((message) => ({
        path: own.path,
        code: 'INVALID_VALUE',
        message,
      }));
      return new AppError('VALIDATION_FAILED', `The view "${saving.name}" cannot be saved: ${own.message}`, {
        errors,
      });
    }
    const [id, failure] = [...failures][0]!;
    const view = all.find((c) => c.id === id)!;
    const message =
      `The change cannot be applied: view collection "${view.name}" reads what it changes, and its query would fail (${failure.message}) ` +
      'Change or delete that view first.';
    return new AppError('COLLECTION_REFERENCED', message, {
      errors: [{ path: '', code: 'COLLECTION_REFERENCED', message }],
    });
  }

  /** Checks one view's query, infers its fields and creates its view; the def as it must be stored. */
  private async build(
    client: PoolClient,
    def: CollectionDef,
    all: readonly CollectionDef[],
  ): Promise<CollectionDef> {
    const query = def.viewQuery ?? '';
    try {
      await extended(
        client,
        `CREATE VIEW "data".${quoteIdent(CHECK_VIEW)} AS SELECT * FROM (\n${query}\n) AS q`,
      );
    } catch (err) {
      throw queryFault(err);
    }
    await this.checkReferences(client, query, all);
    let result: QueryResult;
    try {
      result = await extended(client, `SELECT * FROM (\n${query}\n) AS q LIMIT 0`);
    } catch (err) {
      throw queryFault(err);
    }
    await client.query(`DROP VIEW "data".${quoteIdent(CHECK_VIEW)}`);

    const columns = await this.describe(client, result);
    const inferred = inferViewFields(columns, all, def.fields, () => newViewFieldId());
    if (!inferred.ok) throw new ViewBuildError(inferred.problems);
    const next: CollectionDef = {
      ...def,
      fields: inferred.fields,
      viewDates: inferred.dates,
      viewFileSources: inferred.fileSources,
    };
    this.checkRules(next, all);
    const types = new Map(columns.map((c) => [c.name, c.typeOid]));
    try {
      await extended(client, backingViewSql(def.name, query, next.fields, next.viewDates!, types, all));
    } catch (err) {
      throw queryFault(err);
    }
    return JSON.stringify(next) === JSON.stringify(def) ? def : next;
  }

  /** What the scratch view reads and calls, as PostgreSQL resolved it. */
  private async checkReferences(
    client: PoolClient,
    query: string,
    all: readonly CollectionDef[],
  ): Promise<void> {
    const { rows } = await client.query(
      `SELECT ev_action::text AS tree FROM pg_rewrite WHERE ev_class = $1::regclass`,
      [`"data".${quoteIdent(CHECK_VIEW)}`],
    );
    const refs = queryTreeRefs(rows.map((r: { tree: string }) => r.tree).join('\n'));
    const relations: RelationRef[] = (
      await client.query(
        `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[]) AND c.relname <> $2`,
        [refs.relations, CHECK_VIEW],
      )
    ).rows;
    const functions: FunctionRef[] = (
      await client.query(
        `SELECT p.oid::int AS oid, n.nspname AS schema, p.proname AS name, p.provolatile AS volatility FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = ANY($1::oid[])`,
        [refs.functions],
      )
    ).rows;
    const names = new Set(all.map((c) => c.name));
    const auth = new Set(all.filter((c) => c.type === 'auth').map((c) => c.name));
    const problems = referenceProblems(refs, relations, functions, names, auth);
    const readsAuth = relations.some((r) => r.schema === 'data' && auth.has(r.name));
    const star = starOfAuthProblem(query, readsAuth);
    if (star) problems.push(star);
    if (problems.length) throw new ViewBuildError(problems);
  }

  /** The result columns with the collection column each one comes straight from, if any. */
  private async describe(client: PoolClient, result: QueryResult): Promise<ViewColumn[]> {
    const tables = [...new Set(result.fields.map((f) => f.tableID).filter((t) => t))];
    const origins = new Map<string, { collection: string; column: string }>();
    if (tables.length) {
      const { rows } = await client.query(
        `SELECT c.oid::int AS "table", a.attnum::int AS "attnum", c.relname AS "collection", a.attname AS "column"
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'data' AND c.oid = ANY($1::oid[]) AND a.attnum > 0`,
        [tables],
      );
      for (const r of rows)
        origins.set(`${r.table}:${r.attnum}`, { collection: r.collection, column: r.column });
    }
    return result.fields.map((f) => {
      const origin = origins.get(`${f.tableID}:${f.columnID}`);
      return { name: f.name, typeOid: f.dataTypeID, ...(origin ? { origin } : {}) };
    });
  }

  /** The list and view rules compile against the inferred fields. */
  private checkRules(def: CollectionDef, all: readonly CollectionDef[]): void {
    const schema = toFilterSchema([...all.filter((c) => c.id !== def.id), def]);
    for (const rule of ['listRule', 'viewRule'] as const) {
      try {
        validateRuleSyntax(def[rule], toFilterCollection(def), schema);
      } catch (err) {
        if (!(err instanceof FilterError)) throw err;
        throw new ViewBuildError([`"${rule}": ${err.message}`], rule);
      }
    }
  }
}

const newViewFieldId = () => 'f' + randomBytes(6).toString('hex');
