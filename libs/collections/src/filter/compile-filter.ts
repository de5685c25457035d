import { sql, type Sql } from '@plinth/core';
import { FilterError } from './filter-error.js';
import {
  arrayCastFor,
  evaluateStatic,
  flipOperator,
  isAnyOf,
  isEmptyValue,
  LIKE_OPERATORS,
  NEGATIVE_OPERATORS,
  plainOperator,
} from './filter-values.js';
import type { ColumnOperand, Operand, ValueOperand } from './operands.js';
import {
  arrayVersusValue,
  columnVersusColumn,
  columnVersusValue,
  compareItems,
  comparePredicate,
  constant,
  missingMatches,
  valueContainsColumn,
  type Binder,
} from './compare-columns.js';
import { parseFilter } from './parse-filter.js';
import { resolveOperand, type ResolveHost } from './resolve-operand.js';
import {
  columnRef,
  FALSE,
  fixed,
  lookupField,
  quantify,
  quoteIdent,
  tableSql,
  TRUE,
  type RowSource,
  type VisibilityGuard,
} from './sql-fragments.js';
import type {
  FilterCollection,
  FilterComparison,
  FilterContext,
  FilterNode,
  FilterOperator,
  FilterSchema,
} from './types.js';

export { lookupField, quoteIdent, visibilityGuard } from './sql-fragments.js';
export { TRUE, FALSE } from './sql-fragments.js';

/** At most this many `@collection` joins per filter or rule: each multiplies the rows scanned. */
export const MAX_COLLECTION_JOINS = 3;

/** Rules reached through rules (a related collection's view rule inside a view rule…) stop here, closed. */
export const MAX_RULE_DEPTH = 3;

const ALIAS_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Compiles a client filter into a SQL boolean expression over the table aliased `alias`, a fragment
 * carrying its bound values; empty input → TRUE.
 */
export function compileFilter(
  input: string | FilterNode,
  collection: FilterCollection,
  alias: string,
  ctx: FilterContext,
): Sql {
  if (typeof input === 'string' && input.trim() === '') return TRUE;
  const node = typeof input === 'string' ? parseFilter(input) : input;
  return new Compiler(ctx, 0, aliasesOf(ctx)).compileRoot(node, collection, checkAlias(alias));
}

/**
 * Compiles an access rule: null → admins only (FALSE for everyone else), '' → TRUE,
 * otherwise the expression, with `@request.*` and hidden fields allowed (rules are trusted).
 */
export function compileRule(
  rule: string | null,
  collection: FilterCollection,
  alias: string,
  ctx: FilterContext,
): Sql {
  return compileRuleAtDepth(rule, collection, checkAlias(alias), ctx, 0, aliasesOf(ctx));
}

/** Throws the FilterError a rule would raise, so it can be refused before it is saved. */
export function validateRuleSyntax(
  rule: string | null,
  collection: FilterCollection,
  schema: FilterSchema,
): void {
  if (rule === null || rule.trim() === '') return;
  const ctx: FilterContext = {
    schema,
    now: new Date(),
    auth: {},
    body: {},
    isAdmin: false,
    canSeeHidden: true,
    allowRequestMacros: true,
  };
  compileRuleAtDepth(rule, collection, 't', ctx, 0, { n: 0 });
}

/** Numbers subquery aliases, so that none shadows another in one statement. */
interface AliasCounter {
  n: number;
}

// One counter per context: the rule and the filter of one statement are compiled with the same one.
const aliasCounters = new WeakMap<FilterContext, AliasCounter>();

function aliasesOf(ctx: FilterContext): AliasCounter {
  let counter = aliasCounters.get(ctx);
  if (!counter) {
    counter = { n: 0 };
    aliasCounters.set(ctx, counter);
  }
  return counter;
}

function compileRuleAtDepth(
  rule: string | null,
  collection: FilterCollection,
  alias: string,
  ctx: FilterContext,
  depth: number,
  aliases: AliasCounter,
): Sql {
  if (ctx.isAdmin) return TRUE;
  if (rule === null) return FALSE;
  if (rule.trim() === '') return TRUE;
  const ruleCtx: FilterContext = { ...ctx, allowRequestMacros: true, canSeeHidden: true };
  return new Compiler(ruleCtx, depth, aliases).compileRoot(parseRule(rule), collection, alias);
}

// Rules are compiled on every request; their text only changes with the schema.
const ruleCache = new Map<string, FilterNode>();
const RULE_CACHE_SIZE = 500;

function parseRule(rule: string): FilterNode {
  let node = ruleCache.get(rule);
  if (!node) {
    node = parseFilter(rule);
    if (ruleCache.size >= RULE_CACHE_SIZE) ruleCache.clear();
    ruleCache.set(rule, node);
  }
  return node;
}

function checkAlias(alias: string): string {
  if (!ALIAS_RE.test(alias)) throw new Error(`Invalid SQL alias ${JSON.stringify(alias)}`);
  return alias;
}

class Compiler implements ResolveHost, Binder {
  /** Position of the comparison being compiled, for errors raised while binding values. */
  position: number | undefined;
  /** `@collection` joins of this filter or rule, by name or alias. */
  private readonly joins = new Map<string, { alias: string; target: FilterCollection }>();

  constructor(
    readonly ctx: FilterContext,
    private readonly ruleDepth: number,
    private readonly aliases: AliasCounter,
  ) {}

  private nextAlias(prefix: 'r' | 'e' | 'c' | 'm' | 'z'): string {
    return `${prefix}${++this.aliases.n}`;
  }

  /** A whole filter or rule: its `@collection` joins wrap it. */
  compileRoot(node: FilterNode, collection: FilterCollection, alias: string): Sql {
    return this.withJoins(this.compile(node, collection, alias));
  }

  compile(node: FilterNode, collection: FilterCollection, alias: string): Sql {
    if (node.type === 'comparison') return this.comparison(node, collection, alias);
    const and = node.type === 'and';
    const absorbing = and ? 'FALSE' : 'TRUE';
    const neutral = and ? 'TRUE' : 'FALSE';
    const parts: Sql[] = [];
    let absorbed = false;
    // Every child is compiled even after the result is known, so errors do not depend on order.
    // A discarded part takes its bound values with it.
    for (const child of node.children) {
      const part = this.compile(child, collection, alias);
      if (part.is(absorbing)) absorbed = true;
      else if (!part.is(neutral)) parts.push(part);
    }
    if (absorbed) return and ? FALSE : TRUE;
    if (parts.length === 0) return and ? TRUE : FALSE;
    if (parts.length === 1) return parts[0]!;
    return sql`(${sql.join(parts, and ? ' AND ' : ' OR ')})`;
  }

  private comparison(node: FilterComparison, collection: FilterCollection, alias: string): Sql {
    this.position = node.position;
    const left = resolveOperand(this, node.left, collection, alias);
    const right = resolveOperand(this, node.right, collection, alias);
    const cond = this.compare(node.op, left, right);
    if (cond.is('FALSE')) return FALSE;
    const kept = [cond, ...this.everyRow(node.op, left, right)].filter((p) => !p.is('TRUE'));
    if (kept.length === 0) return TRUE;
    return kept.length === 1 ? kept[0]! : sql`(${sql.join(kept, ' AND ')})`;
  }

  // ---- @collection joins --------------------------------------------------------------------

  joinCollection(key: string, target: FilterCollection, position: number): string {
    const known = this.joins.get(key);
    if (known) {
      if (known.target !== target) {
        throw new FilterError(
          'FILTER_SYNTAX',
          `The alias "${key.slice('alias:'.length)}" names two different collections.`,
          position,
        );
      }
      return known.alias;
    }
    if (this.joins.size >= MAX_COLLECTION_JOINS) {
      throw new FilterError(
        'FILTER_TOO_COMPLEX',
        `A filter or rule may join at most ${MAX_COLLECTION_JOINS} collections with @collection.`,
        position,
      );
    }
    const alias = this.nextAlias('c');
    this.joins.set(key, { alias, target });
    return alias;
  }

  /**
   * As PocketBase, `@collection.x.*` rows are joined to the whole expression (LEFT JOIN, so an
   * empty collection still yields one row of NULLs): comparisons on the same name see the same row.
   */
  private withJoins(cond: Sql): Sql {
    if (this.joins.size === 0 || cond.is('TRUE') || cond.is('FALSE')) return cond;
    const joins = [...this.joins.values()]
      .map((j) => ` LEFT JOIN "data".${quoteIdent(j.target.table)} AS ${j.alias} ON TRUE`)
      .join('');
    const from = sql.raw(`(SELECT 1) AS ${this.nextAlias('z')}(v)${joins}`);
    return sql`EXISTS (SELECT 1 FROM ${from} WHERE ${cond})`;
  }

  /** A plain operator on `@collection.x.f` also asks every row of x (PocketBase's multi-match). */
  private everyRow(op: FilterOperator, left: Operand, right: Operand): Sql[] {
    if (isAnyOf(op)) return [];
    const checks: Sql[] = [];
    for (const [side, column] of [
      ['left', left],
      ['right', right],
    ] as const) {
      if (column.type !== 'column' || !column.joined) continue;
      const m = this.nextAlias('m');
      const each = { ...column, alias: m };
      const cond = side === 'left' ? this.compare(op, each, right) : this.compare(op, left, each);
      const from = sql.raw(`"data".${quoteIdent(column.joined.table)} AS ${m}`);
      checks.push(sql`NOT EXISTS (SELECT 1 FROM ${from} WHERE (${cond}) IS NOT TRUE)`);
    }
    return checks;
  }

  // ---- comparisons -------------------------------------------------------------------------

  /** A comparison that folds to TRUE/FALSE is that constant: the values it bound go with the rest. */
  private compare(op: FilterOperator, left: Operand, right: Operand): Sql {
    const cond = this.compareOperands(op, left, right);
    if (cond.is('TRUE')) return TRUE;
    return cond.is('FALSE') ? FALSE : cond;
  }

  private compareOperands(op: FilterOperator, left: Operand, right: Operand): Sql {
    if (left.type === 'predicate' || right.type === 'predicate')
      return comparePredicate(this, op, left, right);
    if (left.type === 'items' || right.type === 'items') {
      return compareItems(this, op, left, right, (l, r) => this.compare(op, l, r));
    }
    if (
      (left.type === 'value' && isRuntimeEmpty(left) && right.type === 'column') ||
      (right.type === 'value' && isRuntimeEmpty(right) && left.type === 'column')
    ) {
      return constant(op);
    }
    if (left.type === 'column' && left.hops.length > 0) {
      return this.throughRelation(op, left, right, (inner) => this.compare(op, inner, right));
    }
    if (right.type === 'column' && right.hops.length > 0) {
      return this.throughRelation(op, right, left, (inner) => this.compare(op, left, inner));
    }
    if (left.type === 'value' && right.type === 'value') {
      return evaluateStatic(op, left.value, right.value) ? TRUE : FALSE;
    }
    if (left.type === 'value' && right.type === 'column') {
      if (!LIKE_OPERATORS.has(op)) return this.compare(flipOperator(op), right, left);
      if (right.field.multiple) {
        return this.eachElement(op, right, false, (element) => this.compare(op, left, element));
      }
      return valueContainsColumn(this, op, left, right);
    }
    if (left.type === 'column' && right.type === 'value') {
      if (left.field.multiple) {
        if (LIKE_OPERATORS.has(op)) {
          return this.eachElement(op, left, missingMatches(op, right), (element) =>
            this.compare(op, element, right),
          );
        }
        return arrayVersusValue(this, op, left, right);
      }
      return columnVersusValue(this, plainOperator(op), left, right);
    }
    const l = left as ColumnOperand;
    const r = right as ColumnOperand;
    if (l.field.multiple)
      return this.eachElement(op, l, NEGATIVE_OPERATORS.has(op), (e) => this.compare(op, e, r));
    if (r.field.multiple)
      return this.eachElement(op, r, NEGATIVE_OPERATORS.has(op), (e) => this.compare(op, l, e));
    return columnVersusColumn(this, plainOperator(op), l, r);
  }

  /** The column's SQL; a guarded column reads as NULL on rows where the caller may not see it. */
  columnSql(column: ColumnOperand): Sql {
    const col = column.sql ?? columnRef(column.alias, column.field.column);
    const guard = column.guard;
    const shown = !guard || column.sql ? col : guardedSql(column.alias, guard, col);
    return column.wrap ? column.wrap(shown) : shown;
  }

  // ---- quantifiers ---------------------------------------------------------------------------

  /**
   * Walks the first relation of `column`'s path: the comparison is asked of the related records
   * the caller may view (their collection's view rule is AND-ed in, unless the caller is an admin).
   */
  private throughRelation(
    op: FilterOperator,
    column: ColumnOperand,
    other: Operand,
    build: (inner: ColumnOperand) => Sql,
  ): Sql {
    const [hop, ...rest] = column.hops;
    const r = this.nextAlias('r');
    const id = lookupField(hop!.target, 'id')!;
    const idColumn = columnRef(r, id.column);
    const fk = hop!.ids
      ? sql`${hop!.ids}${fixed(arrayCastFor(id.kind))}`
      : columnRef(column.alias, hop!.field.column);
    const link =
      hop!.field.multiple || hop!.ids ? sql`${idColumn} = ANY(${fk})` : sql`${idColumn} = ${fk}`;
    const cond = build({ ...column, alias: r, hops: rest });
    // Records named by `@request.auth.rel` / `@request.body.rel` are read like `@collection` rows
    // (trusted, as PocketBase's rules read them); relations walked further apply their view rules.
    const visibility = hop!.ids ? TRUE : this.visibility(hop!.target, r);
    const source: RowSource = {
      from: sql.raw(`"data".${quoteIdent(hop!.target.table)} AS ${r}`),
      link: [link],
      visibility: visibility.is('TRUE') ? [] : [sql`(${visibility})`],
    };
    return quantify(source, cond, hop!.field.multiple, isAnyOf(op), missingMatches(op, other));
  }

  /** The comparison asked of each element of an array column (unnest). */
  private eachElement(
    op: FilterOperator,
    column: ColumnOperand,
    matchesEmpty: boolean,
    build: (element: ColumnOperand) => Sql,
  ): Sql {
    const e = this.nextAlias('e');
    const element: ColumnOperand = {
      ...column,
      field: { ...column.field, multiple: false },
      sql: sql.raw(`${e}.v`),
    };
    const cond = build(element);
    const source: RowSource = {
      from: sql`unnest(${this.columnSql(column)}) AS ${sql.raw(`${e}(v)`)}`,
      link: [],
      visibility: [],
    };
    return quantify(source, cond, true, isAnyOf(op), matchesEmpty);
  }

  private visibility(target: FilterCollection, alias: string): Sql {
    // Keys bypass rules, but only on the collections their scopes let them read.
    if (this.ctx.isAdmin) return !this.ctx.mayRead || this.ctx.mayRead(target.name) ? TRUE : FALSE;
    const depth = this.ruleDepth + 1;
    if (depth > MAX_RULE_DEPTH) return FALSE;
    try {
      return compileRuleAtDepth(target.viewRule, target, alias, this.ctx, depth, this.aliases);
    } catch (error) {
      // A related collection's broken rule hides its records rather than failing this request.
      if (!(error instanceof FilterError)) throw error;
      return FALSE;
    }
  }
}

/** `(CASE WHEN a."emailVisibility" IS TRUE [OR a."id" = $own] THEN col END)`: see visibilityGuard. */
export function guardedSql(alias: string, guard: VisibilityGuard, col: Sql): Sql {
  const flag = columnRef(alias, guard.flagColumn);
  return guard.ownId
    ? sql`(CASE WHEN ${flag} IS TRUE OR ${columnRef(alias, guard.idColumn)}::text = ${guard.ownId}::text THEN ${col} END)`
    : sql`(CASE WHEN ${flag} IS TRUE THEN ${col} END)`;
}

/** A value from `@request.*` that is empty never matches a column (anonymous `author = @request.auth.id`). */
function isRuntimeEmpty(value: ValueOperand): boolean {
  return value.source === 'request' && isEmptyValue(value.value);
}
