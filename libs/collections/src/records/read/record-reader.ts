import { Inject, Injectable } from '@nestjs/common';
import { AppError, PLINTH_CONFIG, type PlinthConfig, type Principal, sql, type Sql } from '@plinth/core';
import { compileFilter, FilterError, TRUE } from '../../filter/index.js';
import { listOrder, planSearch, searchMeta, type SearchPlan } from './search-plan.js';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import type { CompiledCollection } from '../../registry/compiled-collection.js';
import type { FieldDef } from '../../schema/collection.types.js';
import type { ListQuery } from '../list-query.js';
import { presentFor } from '../present-record.js';
import type { ListResult } from '../record-ports.js';
import { expandRecords, parseExpand, type ExpandTree, type ViewOf } from '../record-expand.js';
import type { Row } from '../record-sql.js';
import { RecordsRepository } from '../records.repository.js';
import { type Caller, filterProblem, RecordRules } from '../rules/record-rules.js';

/** A list's SQL for one caller: see RecordReader.plan. */
export interface ListPlan {
  c: CompiledCollection;
  caller: Caller;
  where: Sql;
  order: Sql;
  expand?: ExpandTree;
  /** With `?search=`: the rank and highlights each item carries in `meta`. */
  search?: SearchPlan;
}

/** The stored file behind a view's file: the source collection, its file field and record. */
export interface ViewFileOwner {
  collectionId: string;
  field: FieldDef;
  recordId: string;
}

/** Views of views a file is followed through (PocketBase's limit too). */
const MAX_VIEW_DEPTH = 5;

/** PocketBase's `@request.context` of a realtime delivery. */
const REALTIME_REQUEST = { query: {}, headers: {}, method: 'GET', context: 'realtime' } as const;

/** Reads of records: list, view, realtime snapshots, each with the caller's rule, filter and expand. */
@Injectable()
export class RecordReader {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
    private readonly rules: RecordRules,
    @Inject(PLINTH_CONFIG) private readonly config: PlinthConfig,
  ) {}

  /** `signal`: aborted when the client went away (the queries are cancelled). */
  async list(
    collection: string,
    q: ListQuery,
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<ListResult> {
    this.checkDepth(q);
    const plan = this.plan(collection, q, principal);
    const { c } = plan;
    const { rows, total } = await this.records.list(
      c,
      plan.where,
      plan.order,
      q.perPage,
      (q.page - 1) * q.perPage,
      !q.skipTotal,
      signal,
      plan.search?.extra,
    );
    const items = await this.present(plan, rows, q.fields, principal);
    if (plan.search) items.forEach((item, i) => (item.meta = searchMeta(rows[i]!, plan.search!)));
    return {
      page: q.page,
      perPage: q.perPage,
      totalItems: total,
      totalPages: total < 0 ? -1 : Math.ceil(total / q.perPage),
      items,
    };
  }

  /**
   * The SQL of a list for this caller (rule, filter, sort) and its parsed expand: what the list and
   * the export run. Bad filters, sorts and expands throw their 400 here, before anything is read.
   */
  plan(
    collection: string,
    q: Pick<ListQuery, 'filter' | 'sort' | 'expand' | 'search' | 'highlight'>,
    principal: Principal,
  ): ListPlan {
    const c = this.registry.get(collection);
    const caller = this.rules.caller(c, principal, 'list');
    const ctx = this.rules.context(caller);
    const where: Sql[] = [];
    if (!caller.bypass) where.push(this.rules.where(c, 'list', ctx));
    let order: Sql;
    let search: SearchPlan | undefined;
    let param = 'search';
    try {
      if (q.search?.trim()) {
        search = planSearch(c, q.search, q.highlight, caller.canSeeHidden);
        where.push(search.where);
      } else if (q.highlight?.length) {
        throw new FilterError('SEARCH_INVALID', 'highlight needs a search: add search=<words>.');
      }
      param = 'filter';
      if (q.filter?.trim()) where.push(compileFilter(q.filter, c.filter, 't', ctx));
      param = 'sort';
      order = listOrder(c, q.sort, ctx, search);
    } catch (err) {
      if (err instanceof FilterError) throw filterProblem(err, param);
      throw err;
    }
    const expand = q.expand ? this.parseExpand(c, q.expand, caller) : undefined;
    return { c, caller, where: conjunction(where), order, expand, ...(search ? { search } : {}) };
  }

  /** Rows of a plan as the caller receives them: hidden fields removed, expanded, narrowed to `fields`. */
  async present(plan: ListPlan, rows: Row[], fields: string[] | undefined, principal: Principal) {
    let items = rows.map((r) => presentFor(plan.c, r, plan.caller));
    if (plan.expand) await this.expand(items, plan.expand, principal);
    if (fields) items = items.map((r) => project(r, fields));
    return items;
  }

  /**
   * Where a file shown by a view's file field is stored (PocketBase's `FindRecordByViewFile`): the
   * record of the source collection whose file field holds `filename`, following views of views.
   * Undefined when the view's field is not straight from a collection's file field, or no record holds it.
   * Rules are the caller's business: the view's record was read with the view's rule first.
   */
  async viewFileOwner(view: string, field: string, filename: string): Promise<ViewFileOwner | undefined> {
    let c = this.registry.get(view);
    let name = field;
    for (let depth = 0; c.def.type === 'view'; depth++) {
      const source = c.def.viewFileSources?.[name];
      const next = source ? this.registry.find(source.collection) : undefined;
      if (!source || !next || depth >= MAX_VIEW_DEPTH) return undefined;
      c = next;
      name = source.field;
    }
    const sourceField = c.def.fields.find((f) => f.name === name && f.type === 'file');
    if (!sourceField) return undefined;
    const recordId = await this.records.fileOwner(c, name, filename);
    return recordId === undefined ? undefined : { collectionId: c.def.id, field: sourceField, recordId };
  }

  async view(
    collection: string,
    id: string,
    q: { fields?: string[]; expand?: string },
    principal: Principal,
  ): Promise<Row> {
    const c = this.registry.get(collection);
    const caller = this.rules.caller(c, principal, 'view');
    const expand = q.expand ? this.parseExpand(c, q.expand, caller) : undefined;
    const row = await this.rules.visible(this.records.pool, c, id, caller);
    let record = presentFor(c, row, caller);
    if (expand) await this.expand([record], expand, principal);
    if (q.fields) record = project(record, q.fields);
    return record;
  }

  /**
   * Realtime: the record as `principal` may receive it for a collection topic (list rule) or a
   * record topic (view rule), with the subscriber's filter and expand. The rule is judged on
   * `snapshot`, the state the change carries (for a delete, the row as it was before), not on
   * the table; undefined when the rule or the filter hides it. With no `snapshot`, only checks
   * that the filter and expand compile for this caller (bad ones throw their 400).
   */
  async viewSnapshot(
    collection: string,
    op: 'list' | 'view',
    q: { filter?: string; expand?: string },
    principal: Principal,
    snapshot?: Row,
  ): Promise<Row | undefined> {
    const c = this.registry.find(collection);
    if (!c) return undefined;
    let caller: Caller;
    try {
      caller = this.rules.caller(c, principal, op);
    } catch {
      return undefined; // a locked rule: nothing is ever sent, whatever the options
    }
    const ctx = { ...this.rules.context(caller), request: REALTIME_REQUEST };
    const where: Sql[] = [];
    if (!caller.bypass) where.push(this.rules.where(c, op, ctx));
    try {
      if (q.filter?.trim()) where.push(compileFilter(q.filter, c.filter, 't', ctx));
    } catch (err) {
      if (err instanceof FilterError) throw filterProblem(err, 'filter');
      throw err;
    }
    const expand = q.expand ? this.parseExpand(c, q.expand, caller) : undefined;
    if (!snapshot) return undefined;
    const row = await this.records.findSnapshot(c, snapshot, conjunction(where));
    if (!row) return undefined;
    const record = presentFor(c, row, caller);
    if (expand) await this.expand([record], expand, principal);
    return record;
  }

  private parseExpand(c: CompiledCollection, raw: string, caller: Caller): ExpandTree {
    return parseExpand(this.registry, c, raw, caller.canSeeHidden);
  }

  /** Deep pages cost a scan of every row before them: beyond the limit, a filter on id or created does better. */
  private checkDepth(q: ListQuery): void {
    const max = this.config.limits.listMaxDepth;
    if (q.page * q.perPage <= max) return;
    const message = `page × perPage may reach row ${max} at most (PLINTH_LIST_MAX_DEPTH)`;
    throw new AppError(
      'PAGE_TOO_DEEP',
      `This page starts beyond row ${max}, the deepest a list may page (page × perPage, PLINTH_LIST_MAX_DEPTH). To read further, sort by created or id and filter past the last record you have, e.g. sort=-created&filter=created<"<its created>".`,
      { errors: [{ path: 'page', code: 'PAGE_TOO_DEEP', message }] },
    );
  }

  /** Attaches `expand` to `records` within this answer's budget; see record-expand.ts. */
  private expand(records: Row[], tree: ExpandTree, principal: Principal): Promise<void> {
    const budget = this.config.limits.expandBudget;
    const viewOf: ViewOf = (target) => {
      let caller: Caller;
      try {
        caller = this.rules.caller(target, principal, 'view');
      } catch {
        return undefined;
      }
      const where = caller.bypass ? TRUE : this.rules.where(target, 'view', this.rules.context(caller));
      return { where, present: (row) => presentFor(target, row, caller) };
    };
    return expandRecords(this.registry, this.records, records, tree, viewOf, { limit: budget, left: budget });
  }
}

/** `(a) AND (b)`; TRUE when there is nothing to ask. */
function conjunction(parts: Sql[]): Sql {
  if (parts.length === 0) return TRUE;
  return sql.join(
    parts.map((w) => sql`(${w})`),
    ' AND ',
  );
}

function project(record: Row, fields: string[]): Row {
  if (fields.includes('*')) return record;
  const out: Row = {};
  for (const f of fields) {
    const key = f.split('.')[0]!;
    if (key in record) out[key] = record[key];
  }
  return out;
}
