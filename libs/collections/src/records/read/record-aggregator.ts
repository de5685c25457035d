import { Injectable } from '@nestjs/common';
import { type Principal, RequestPool, toQuery } from '@plinth/core';
import { TRUE } from '../../filter/index.js';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import { RECORD_TYPES, type Row } from '../record-sql.js';
import { RecordRules } from '../rules/record-rules.js';
import { compileAggregate, parseAggregateQuery } from './aggregate-query.js';

/** One page of groups: each item holds its group values and its aggregates. */
export interface AggregateResult {
  page: number;
  perPage: number;
  /** How many groups there are in all (after `having`). */
  totalGroups: number;
  items: Row[];
}

/**
 * Aggregates of a collection's records for one caller: the list rule narrows the rows before they
 * are grouped, as it narrows a list; the query runs under the list statement timeout.
 */
@Injectable()
export class RecordAggregator {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly rules: RecordRules,
    private readonly requests: RequestPool,
  ) {}

  async aggregate(
    collection: string,
    query: Record<string, unknown>,
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<AggregateResult> {
    const q = parseAggregateQuery(query);
    const c = this.registry.get(collection);
    const caller = this.rules.caller(c, principal, 'list');
    const ctx = this.rules.context(caller);
    const where = caller.bypass ? TRUE : this.rules.where(c, 'list', ctx);
    const { statement, keys } = compileAggregate(c, q, where, ctx);
    const { rows } = await this.requests.list<Row>({ ...toQuery(statement), types: RECORD_TYPES }, signal);
    const totalGroups = rows.length > 0 ? Number(rows[0]!._total) : 0;
    const items = rows.map((row) => {
      const item: Row = {};
      for (const key of keys) item[key] = row[key] ?? null;
      return item;
    });
    return { page: q.page, perPage: q.perPage, totalGroups, items };
  }
}
