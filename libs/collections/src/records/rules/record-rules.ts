import { Injectable } from '@nestjs/common';
import { AppError, isAdminLike, keyAllows, type Principal, type Sql } from '@plinth/core';
import { compileRule, FALSE, FilterError, TRUE, type FilterContext } from '../../filter/index.js';
import { CollectionsRegistry } from '../../registry/collections.registry.js';
import type { ColumnCast, CompiledCollection } from '../../registry/compiled-collection.js';
import type { RuleName } from '../../schema/collection.types.js';
import { keyReads } from '../key-reads.js';
import { manageRuleWhere } from '../manage-access.js';
import type { Queryable } from '../pg.js';
import type { Row } from '../record-sql.js';
import { RecordsRepository } from '../records.repository.js';
import { currentRequestInfo } from '../request-info.js';

export type Op = 'list' | 'view' | 'create' | 'update' | 'delete';

/** Who asks, for one operation on one collection: whether rules bind them and what they may see. */
export interface Caller {
  principal: Principal;
  /** Admins and scoped API keys: no rules. */
  bypass: boolean;
  canSeeHidden: boolean;
}

type Values = Map<string, { value: unknown; cast: ColumnCast }>;

const RULE_OF: Record<Op, RuleName> = {
  list: 'listRule',
  view: 'viewRule',
  create: 'createRule',
  update: 'updateRule',
  delete: 'deleteRule',
};

const REFUSAL: Record<'create' | 'update' | 'delete', string> = {
  create: 'does not allow this record',
  update: 'does not allow changing this record',
  delete: 'does not allow deleting this record',
};

/** A filter, sort or rule the caller's input broke, as a 400 naming the parameter. */
export function filterProblem(err: FilterError, param: string): AppError {
  return new AppError(err.code, `${param}: ${err.message}`, {
    errors: [{ path: param, code: err.code, message: err.message }],
    ...(err.position !== undefined ? { position: err.position } : {}),
  });
}

/**
 * The one place where record rules are judged (DESIGN §4, §10): who may ask at all (locked rules, key
 * scopes), each rule as SQL for the caller, and the answers of a refusal: 404 for a record the view
 * rule hides, 403 RULE_REFUSED for a write the rule refuses. Writes are judged before they write.
 */
@Injectable()
export class RecordRules {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsRepository,
  ) {}

  /** The caller's standing for `op`; 403 when a locked rule or a key's scopes shut them out. */
  caller(c: CompiledCollection, principal: Principal, op: Op): Caller {
    if (isAdminLike(principal)) return { principal, bypass: true, canSeeHidden: true };
    if (principal.kind === 'key') {
      const need = op === 'list' || op === 'view' ? 'read' : 'write';
      if (!keyAllows(principal, c.def.name, need)) {
        throw new AppError('SCOPE_REQUIRED', `This API key lacks the "${c.def.name}:${need}" scope.`);
      }
      return { principal, bypass: true, canSeeHidden: false };
    }
    if (c.def[RULE_OF[op]] === null) {
      throw new AppError(
        'ADMIN_REQUIRED',
        `Only admins may ${op} records of "${c.def.name}" (its ${RULE_OF[op]} is locked).`,
      );
    }
    return { principal, bypass: false, canSeeHidden: false };
  }

  /** What filters and rules compiled for this caller see (`@request.*`, hidden fields, now). */
  context(caller: Caller, body?: Record<string, unknown>): FilterContext {
    const { principal } = caller;
    const request = currentRequestInfo();
    return {
      schema: this.registry.filterSchema,
      now: new Date(),
      auth:
        principal.kind === 'user'
          ? {
              ...principal.record,
              id: principal.id,
              collectionId: principal.collectionId,
              collectionName: principal.collectionName,
            }
          : null,
      body,
      isAdmin: caller.bypass,
      canSeeHidden: caller.canSeeHidden,
      // PocketBase lets superusers filter by @request.* and @collection.*; here admins and keys.
      allowRequestMacros: caller.bypass,
      ...keyReads(principal),
      ...(request ? { request } : {}),
    };
  }

  /** The rule of `op` as SQL on the record `t` for this caller (TRUE when rules are bypassed). */
  where(c: CompiledCollection, op: Op, ctx: FilterContext): Sql {
    if (ctx.isAdmin) return TRUE;
    try {
      return compileRule(c.def[RULE_OF[op]], c.filter, 't', {
        ...ctx,
        allowRequestMacros: true,
        canSeeHidden: true,
      });
    } catch (err) {
      // Too many submitted items for `@request.body.x:each`: the body's fault, not the rule's.
      if (err instanceof FilterError && err.code === 'FILTER_TOO_COMPLEX') throw filterProblem(err, 'body');
      // A rule that no longer compiles (e.g. a field it names was removed) hides everything.
      return FALSE;
    }
  }

  /** The rule of `op` as a condition for a statement to carry; undefined when no rule binds the caller. */
  condition(c: CompiledCollection, op: Op, caller: Caller, body?: unknown): Sql | undefined {
    if (caller.bypass || c.def[RULE_OF[op]] === '') return undefined;
    const submitted = body === undefined ? undefined : bodyOf(body);
    return this.where(c, op, this.context(caller, submitted));
  }

  /** The record if it exists and the caller's view rule shows it; 404 otherwise (no leak). */
  async visible(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    caller: Caller,
    opts: { forUpdate?: boolean; withSecrets?: boolean } = {},
  ): Promise<Row> {
    // Built only when needed: an Error (with its stack) per request costs on the hot path.
    const notFound = () =>
      new AppError(
        'RECORD_NOT_FOUND',
        `There is no record "${String(id).slice(0, 64)}" in "${c.def.name}" that you can see.`,
      );
    if (!c.isId(id)) throw notFound();
    const where = caller.bypass
      ? TRUE
      : c.def.viewRule === null
        ? FALSE
        : this.where(c, 'view', this.context(caller));
    const row = await this.records.findOne(db, c, id, where, opts);
    if (!row) throw notFound();
    return row;
  }

  /** 403 unless the update or delete rule allows the caller to change the stored record `id`. */
  async mayChange(
    db: Queryable,
    c: CompiledCollection,
    id: string,
    op: 'update' | 'delete',
    caller: Caller,
    body?: unknown,
  ): Promise<void> {
    const rule = this.condition(c, op, caller, body);
    if (!rule) return;
    if (!(await this.records.matches(db, c, id, rule))) throw this.refused(c, op);
  }

  /**
   * Judges the create rule (and, with `manage`, the auth collection's manageRule) on the record that
   * `values` would create, without writing it: 403 when the create rule refuses; whether it manages.
   */
  async judgeNew(
    db: Queryable,
    c: CompiledCollection,
    values: Values,
    caller: Caller,
    body: unknown,
  ): Promise<{ manages: boolean }> {
    const rule = this.condition(c, 'create', caller, body) ?? TRUE;
    const manage = manageRuleWhere(c, this.context(caller, bodyOf(body))) ?? FALSE;
    const [allowed, manages] = await this.records.judgeNew(db, c, values, [rule, manage]);
    if (!allowed) throw this.refused(c, 'create');
    return { manages: manages! };
  }

  /** PocketBase's manageRule judged on the stored record `id` (only admins manage when it grants nothing). */
  async manages(db: Queryable, c: CompiledCollection, id: string, caller: Caller, body: unknown) {
    const where = manageRuleWhere(c, this.context(caller, bodyOf(body)));
    return where !== undefined && this.records.matches(db, c, id, where);
  }

  /** A write the caller's rule does not allow (DESIGN §10: 403 RULE_REFUSED). */
  refused(c: CompiledCollection, op: 'create' | 'update' | 'delete'): AppError {
    return new AppError('RULE_REFUSED', `The ${op} rule of "${c.def.name}" ${REFUSAL[op]}.`);
  }
}

export function bodyOf(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
