import { FilterError, quoteForMessage } from './filter-error.js';
import {
  castFor,
  coerceForKind,
  escapeLike,
  evaluateStatic,
  flipOperator,
  isAnyOf,
  isEmptyValue,
  LIKE_OPERATORS,
  NEGATIVE_OPERATORS,
  plainOperator,
  textForm,
} from './filter-values.js';
import { parseFilter } from './parse-filter.js';
import type {
  ColumnKind,
  FilterCollection,
  FilterComparison,
  FilterContext,
  FilterField,
  FilterNode,
  FilterOperand,
  FilterOperator,
  FilterSchema,
} from './types.js';

/** Rules reached through rules (a related collection's view rule inside a view rule…) stop here, closed. */
export const MAX_RULE_DEPTH = 3;

const ALIAS_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DATA_SCHEMA = '"data"';

/** Quotes an identifier that came from the schema (never from filter text): `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The columns every collection has, whether or not its field list names them. */
const SYSTEM_FIELDS: ReadonlyMap<string, FilterField> = new Map<string, FilterField>([
  ['id', { name: 'id', column: 'id', kind: 'uuid', multiple: false, hidden: false }],
  ['created', { name: 'created', column: 'created', kind: 'date', multiple: false, hidden: false }],
  ['updated', { name: 'updated', column: 'updated', kind: 'date', multiple: false, hidden: false }],
]);

/** A field of the collection, or one of id/created/updated; undefined when there is none. */
export function lookupField(collection: FilterCollection, name: string): FilterField | undefined {
  return collection.fields.get(name) ?? SYSTEM_FIELDS.get(name);
}

/**
 * Compiles a client filter into a SQL boolean expression over the table aliased `alias`.
 * Every value is pushed to `ctx.params`; empty input → 'TRUE'.
 */
export function compileFilter(
  input: string | FilterNode,
  collection: FilterCollection,
  alias: string,
  ctx: FilterContext,
): string {
  if (typeof input === 'string' && input.trim() === '') return 'TRUE';
  const node = typeof input === 'string' ? parseFilter(input) : input;
  return new Compiler(ctx, 0).compile(node, collection, checkAlias(alias));
}

/**
 * Compiles an access rule: null → admins only ('FALSE' for everyone else), '' → 'TRUE',
 * otherwise the expression, with `@request.*` and hidden fields allowed (rules are trusted).
 */
export function compileRule(
  rule: string | null,
  collection: FilterCollection,
  alias: string,
  ctx: FilterContext,
): string {
  return compileRuleAtDepth(rule, collection, checkAlias(alias), ctx, 0);
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
    params: [],
    now: new Date(),
    auth: {},
    body: {},
    isAdmin: false,
    canSeeHidden: true,
    allowRequestMacros: true,
  };
  compileRuleAtDepth(rule, collection, 't', ctx, 0);
}

function compileRuleAtDepth(
  rule: string | null,
  collection: FilterCollection,
  alias: string,
  ctx: FilterContext,
  depth: number,
): string {
  if (ctx.isAdmin) return 'TRUE';
  if (rule === null) return 'FALSE';
  if (rule.trim() === '') return 'TRUE';
  const ruleCtx: FilterContext = { ...ctx, allowRequestMacros: true, canSeeHidden: true };
  return new Compiler(ruleCtx, depth).compile(parseRule(rule), collection, alias);
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

// One counter per statement: all fragments of a statement share its params array.
const aliasCounters = new WeakMap<unknown[], { n: number }>();

function nextAlias(ctx: FilterContext, prefix: 'r' | 'e'): string {
  let counter = aliasCounters.get(ctx.params);
  if (!counter) {
    counter = { n: 0 };
    aliasCounters.set(ctx.params, counter);
  }
  counter.n++;
  return `${prefix}${counter.n}`;
}

type ValueSource = 'literal' | 'now' | 'auth' | 'body';

interface ValueOperand {
  type: 'value';
  value: unknown;
  source: ValueSource;
  /** How the user wrote it, for messages. */
  label: string;
}

interface Hop {
  field: FilterField;
  target: FilterCollection;
}

interface ColumnOperand {
  type: 'column';
  /** Alias of the table the first hop (or the field itself) belongs to. */
  alias: string;
  /** Relations still to walk before `field`. */
  hops: Hop[];
  field: FilterField;
  /** Replaces `alias."column"`; used for array elements. */
  sql?: string;
  /** Set when the value is only visible on some rows (see `visibilityGuard`). */
  guard?: VisibilityGuard;
  label: string;
}

type Operand = ValueOperand | ColumnOperand;

interface RowSource {
  from: string;
  link: string[];
  visibility: string[];
}

class Compiler {
  /** Position of the comparison being compiled, for errors raised while binding values. */
  private position: number | undefined;

  constructor(
    private readonly ctx: FilterContext,
    private readonly ruleDepth: number,
  ) {}

  compile(node: FilterNode, collection: FilterCollection, alias: string): string {
    if (node.type === 'comparison') return this.comparison(node, collection, alias);
    const and = node.type === 'and';
    const absorbing = and ? 'FALSE' : 'TRUE';
    const neutral = and ? 'TRUE' : 'FALSE';
    const start = this.ctx.params.length;
    const parts: string[] = [];
    let absorbed = false;
    // Every child is compiled even after the result is known, so errors do not depend on order.
    for (const child of node.children) {
      const sql = this.compile(child, collection, alias);
      if (sql === absorbing) absorbed = true;
      else if (sql !== neutral) parts.push(sql);
    }
    if (absorbed) {
      // The discarded fragments' placeholders must not stay behind: PostgreSQL refuses unused ones.
      this.ctx.params.length = start;
      return absorbing;
    }
    if (parts.length === 0) return neutral;
    if (parts.length === 1) return parts[0]!;
    return `(${parts.join(and ? ' AND ' : ' OR ')})`;
  }

  private comparison(node: FilterComparison, collection: FilterCollection, alias: string): string {
    this.position = node.position;
    const left = this.resolve(node.left, collection, alias);
    const right = this.resolve(node.right, collection, alias);
    return this.compare(node.op, left, right);
  }

  // ---- identifiers -------------------------------------------------------------------------

  private resolve(operand: FilterOperand, collection: FilterCollection, alias: string): Operand {
    switch (operand.type) {
      case 'literal':
        return {
          type: 'value',
          value: operand.value,
          source: 'literal',
          label: typeof operand.value === 'string' ? quoteForMessage(operand.value) : String(operand.value),
        };
      case 'macro':
        return this.resolveMacro(operand);
      case 'field':
        return this.resolveField(operand, collection, alias);
    }
  }

  private resolveMacro(operand: Extract<FilterOperand, { type: 'macro' }>): ValueOperand {
    const [root, scope, name, ...rest] = operand.path;
    if (root === 'now' && scope === undefined) {
      return { type: 'value', value: this.ctx.now, source: 'now', label: operand.name };
    }
    if (root === 'request') {
      if (!this.ctx.allowRequestMacros) {
        throw new FilterError(
          'FILTER_FORBIDDEN_MACRO',
          `${operand.name} can only be used in access rules, not in filters.`,
          operand.position,
          operand.name,
        );
      }
      if ((scope === 'auth' || scope === 'body') && name !== undefined && rest.length === 0) {
        const label = operand.name;
        if (scope === 'auth') {
          const auth = this.ctx.auth;
          // Anonymous: every auth field is '', so `@request.auth.id != ''` is false.
          const value = auth === null ? '' : Object.hasOwn(auth, name) ? (auth[name] ?? null) : null;
          return { type: 'value', value, source: 'auth', label };
        }
        const body = this.ctx.body;
        const value = body && Object.hasOwn(body, name) ? (body[name] ?? null) : null;
        return { type: 'value', value, source: 'body', label };
      }
    }
    throw new FilterError(
      'FILTER_UNKNOWN_FIELD',
      `Unknown macro ${operand.name}.`,
      operand.position,
      operand.name,
    );
  }

  private resolveField(
    operand: Extract<FilterOperand, { type: 'field' }>,
    collection: FilterCollection,
    alias: string,
  ): ColumnOperand {
    const label = operand.path.join('.');
    const hops: Hop[] = [];
    let current = collection;
    for (let i = 0; ; i++) {
      const field = lookupField(current, operand.path[i]!);
      if (!field) {
        throw new FilterError('FILTER_UNKNOWN_FIELD', `Unknown field "${label}".`, operand.position, label);
      }
      if (field.hidden && !this.ctx.canSeeHidden) {
        throw new FilterError(
          'FILTER_HIDDEN_FIELD',
          `The field "${label}" cannot be used in a filter.`,
          operand.position,
          label,
        );
      }
      if (i === operand.path.length - 1) {
        const guard = visibilityGuard(current, field, this.ctx);
        return { type: 'column', alias, hops, field, label, ...(guard ? { guard } : {}) };
      }
      const target =
        field.relationTo === undefined ? undefined : this.ctx.schema.collection(field.relationTo);
      if (!target) {
        throw new FilterError('FILTER_UNKNOWN_FIELD', `Unknown field "${label}".`, operand.position, label);
      }
      hops.push({ field, target });
      current = target;
    }
  }

  // ---- comparisons -------------------------------------------------------------------------

  /** A comparison that folds to TRUE/FALSE leaves no bound values behind (PostgreSQL refuses unused ones). */
  private compare(op: FilterOperator, left: Operand, right: Operand): string {
    const start = this.ctx.params.length;
    const sql = this.compareOperands(op, left, right);
    if (sql === 'TRUE' || sql === 'FALSE') this.ctx.params.length = start;
    return sql;
  }

  private compareOperands(op: FilterOperator, left: Operand, right: Operand): string {
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
      return evaluateStatic(op, left.value, right.value) ? 'TRUE' : 'FALSE';
    }
    if (left.type === 'value' && right.type === 'column') {
      if (!LIKE_OPERATORS.has(op)) return this.compare(flipOperator(op), right, left);
      if (right.field.multiple) {
        return this.eachElement(op, right, false, (element) => this.compare(op, left, element));
      }
      return this.valueContainsColumn(op, left, right);
    }
    if (left.type === 'column' && right.type === 'value') {
      if (left.field.multiple) {
        if (LIKE_OPERATORS.has(op)) {
          return this.eachElement(op, left, missingMatches(op, right), (element) =>
            this.compare(op, element, right),
          );
        }
        return this.arrayVersusValue(op, left, right);
      }
      return this.columnVersusValue(plainOperator(op), left, right);
    }
    const l = left as ColumnOperand;
    const r = right as ColumnOperand;
    if (l.field.multiple)
      return this.eachElement(op, l, NEGATIVE_OPERATORS.has(op), (e) => this.compare(op, e, r));
    if (r.field.multiple)
      return this.eachElement(op, r, NEGATIVE_OPERATORS.has(op), (e) => this.compare(op, l, e));
    return this.columnVersusColumn(plainOperator(op), l, r);
  }

  /** A single column against a known value. `op` is a plain operator. */
  private columnVersusValue(op: FilterOperator, column: ColumnOperand, value: ValueOperand): string {
    const col = this.columnSql(column);
    const kind = column.field.kind;
    if (op === '~' || op === '!~') {
      const text = textForm(value.value);
      if (text.includes('\0')) return constant(op);
      const p = this.push(`%${escapeLike(text)}%`);
      const colText = asText(col, kind);
      return op === '~'
        ? `${colText} ILIKE ${p} ESCAPE '\\'`
        : `COALESCE(${colText}, '') NOT ILIKE ${p} ESCAPE '\\'`;
    }
    if (isEmptyValue(value.value)) {
      if (op === '=') return emptySql(col, kind);
      if (op === '!=') return notEmptySql(col, kind);
      // Nothing is greater or smaller than null; '' goes on and is type-checked like any string.
      if (value.value === null || value.value === undefined) return 'FALSE';
    }
    const p = this.bind(op, column, value);
    if (p === undefined) return constant(op);
    switch (op) {
      case '=':
        return `${col} = ${p}`;
      case '!=':
        return `${col} IS DISTINCT FROM ${p}`;
      default:
        return `${col} ${op} ${p}`;
    }
  }

  /** An array column against a known value (not the `~` family). */
  private arrayVersusValue(op: FilterOperator, column: ColumnOperand, value: ValueOperand): string {
    const col = this.columnSql(column);
    const plain = plainOperator(op);
    if (isEmptyValue(value.value)) {
      if (plain === '=') return `(${col} IS NULL OR cardinality(${col}) = 0)`;
      if (plain === '!=') return `cardinality(${col}) > 0`;
      if (value.value === null || value.value === undefined) return 'FALSE';
    }
    const p = this.bind(op, column, value);
    if (p === undefined) return constant(op);
    // `p < ANY(col)` reads "some element > p": the value sits on the left, so the operator flips.
    const flipped = plainOperator(flipOperator(plain));
    if (isAnyOf(op)) {
      if (plain === '!=') return `(COALESCE(cardinality(${col}), 0) = 0 OR ${p} <> ANY(${col}))`;
      return `${p} ${flipped} ANY(${col})`;
    }
    if (plain === '!=') return `(${col} IS NULL OR ${p} <> ALL(${col}))`;
    return `(cardinality(${col}) > 0 AND ${p} ${flipped} ALL(${col}))`;
  }

  /** `'some text' ~ title`: the value contains the column's text. */
  private valueContainsColumn(op: FilterOperator, value: ValueOperand, column: ColumnOperand): string {
    const text = textForm(value.value);
    if (text.includes('\0')) return constant(op);
    const p = this.push(text);
    const colText = asText(this.columnSql(column), column.field.kind);
    return plainOperator(op) === '~'
      ? `${p}::text ILIKE ('%' || ${likeEscapeSql(colText)} || '%') ESCAPE '\\'`
      : `${p}::text NOT ILIKE ('%' || ${likeEscapeSql(`COALESCE(${colText}, '')`)} || '%') ESCAPE '\\'`;
  }

  private columnVersusColumn(op: FilterOperator, left: ColumnOperand, right: ColumnOperand): string {
    let a = this.columnSql(left);
    let b = this.columnSql(right);
    if (op === '~' || op === '!~') {
      const at = asText(a, left.field.kind);
      const bt = asText(b, right.field.kind);
      return op === '~'
        ? `${at} ILIKE ('%' || ${likeEscapeSql(bt)} || '%') ESCAPE '\\'`
        : `COALESCE(${at}, '') NOT ILIKE ('%' || ${likeEscapeSql(`COALESCE(${bt}, '')`)} || '%') ESCAPE '\\'`;
    }
    let kind = left.field.kind;
    if (kind !== right.field.kind) {
      const kinds = new Set([kind, right.field.kind]);
      if (!(kinds.has('text') && kinds.has('uuid'))) {
        throw new FilterError(
          'FILTER_TYPE_MISMATCH',
          `The fields "${left.label}" and "${right.label}" hold different types and cannot be compared.`,
          this.position,
          left.label,
        );
      }
      a = asText(a, left.field.kind);
      b = asText(b, right.field.kind);
      kind = 'text';
    }
    if (op === '=')
      return kind === 'text' ? `COALESCE(${a}, '') = COALESCE(${b}, '')` : `${a} IS NOT DISTINCT FROM ${b}`;
    if (op === '!=')
      return kind === 'text' ? `COALESCE(${a}, '') <> COALESCE(${b}, '')` : `${a} IS DISTINCT FROM ${b}`;
    return `${a} ${op} ${b}`;
  }

  /**
   * The placeholder (with its cast) for `value` next to `column`; undefined when the value can
   * never equal such a column's contents. A client literal of the wrong type is the user's
   * mistake (FILTER_TYPE_MISMATCH), except against ids, where PocketBase answers "no match".
   */
  private bind(op: FilterOperator, column: ColumnOperand, value: ValueOperand): string | undefined {
    const kind = column.field.kind;
    const coerced = coerceForKind(value.value, kind);
    if (!coerced.ok) {
      if (kind === 'uuid' || value.source === 'auth' || value.source === 'body') return undefined;
      throw new FilterError(
        'FILTER_TYPE_MISMATCH',
        `The field "${column.label}" holds ${KIND_NOUNS[kind]}; ${value.label} cannot be compared with it using "${op}".`,
        this.position,
        column.label,
      );
    }
    return this.push(coerced.param) + castFor(kind);
  }

  private push(value: unknown): string {
    this.ctx.params.push(value);
    return `$${this.ctx.params.length}`;
  }

  /** The column's SQL; a guarded column reads as NULL on rows where the caller may not see it. */
  private columnSql(column: ColumnOperand): string {
    const sql = column.sql ?? `${column.alias}.${quoteIdent(column.field.column)}`;
    const guard = column.guard;
    if (!guard || column.sql) return sql;
    const own = guard.ownId
      ? ` OR ${column.alias}.${quoteIdent(guard.idColumn)} = ${this.push(guard.ownId)}::uuid`
      : '';
    return `(CASE WHEN ${column.alias}.${quoteIdent(guard.flagColumn)} IS TRUE${own} THEN ${sql} END)`;
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
    build: (inner: ColumnOperand) => string,
  ): string {
    const [hop, ...rest] = column.hops;
    const r = nextAlias(this.ctx, 'r');
    const idColumn = quoteIdent(lookupField(hop!.target, 'id')!.column);
    const fk = `${column.alias}.${quoteIdent(hop!.field.column)}`;
    const link = hop!.field.multiple ? `${r}.${idColumn} = ANY(${fk})` : `${r}.${idColumn} = ${fk}`;
    const cond = build({ ...column, alias: r, hops: rest });
    const visibility = this.visibility(hop!.target, r);
    const source: RowSource = {
      from: `${DATA_SCHEMA}.${quoteIdent(hop!.target.table)} AS ${r}`,
      link: [link],
      visibility: visibility === 'TRUE' ? [] : [`(${visibility})`],
    };
    return quantify(source, cond, hop!.field.multiple, isAnyOf(op), missingMatches(op, other));
  }

  /** The comparison asked of each element of an array column (unnest). */
  private eachElement(
    op: FilterOperator,
    column: ColumnOperand,
    matchesEmpty: boolean,
    build: (element: ColumnOperand) => string,
  ): string {
    const e = nextAlias(this.ctx, 'e');
    const element: ColumnOperand = {
      ...column,
      field: { ...column.field, multiple: false },
      sql: `${e}.v`,
    };
    const cond = build(element);
    const source: RowSource = {
      from: `unnest(${this.columnSql(column)}) AS ${e}(v)`,
      link: [],
      visibility: [],
    };
    return quantify(source, cond, true, isAnyOf(op), matchesEmpty);
  }

  private visibility(target: FilterCollection, alias: string): string {
    // Keys bypass rules, but only on the collections their scopes let them read.
    if (this.ctx.isAdmin) return !this.ctx.mayRead || this.ctx.mayRead(target.name) ? 'TRUE' : 'FALSE';
    const depth = this.ruleDepth + 1;
    if (depth > MAX_RULE_DEPTH) return 'FALSE';
    const start = this.ctx.params.length;
    try {
      return compileRuleAtDepth(target.viewRule, target, alias, this.ctx, depth);
    } catch (error) {
      // A related collection's broken rule hides its records rather than failing this request.
      if (!(error instanceof FilterError)) throw error;
      this.ctx.params.length = start;
      return 'FALSE';
    }
  }
}

const KIND_NOUNS: Record<ColumnKind, string> = {
  text: 'text',
  number: 'numbers',
  bool: 'true or false',
  date: 'dates',
  json: 'JSON',
  uuid: 'record ids',
};

export interface VisibilityGuard {
  /** Column of the bool that makes the value visible to everyone. */
  flagColumn: string;
  idColumn: string;
  /** The caller's own record id when the caller is a record of this collection (it sees its own value). */
  ownId?: string;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Auth collections show `email` only to admins (and keys that may read the collection), to the record
 * itself, and to everyone when the record's `emailVisibility` is true (DESIGN §10). A client filter or sort of anyone else
 * must not see it either, or `email ~ 'a'` would spell hidden addresses out one letter at a time:
 * on other rows the field reads as empty. Rules are trusted (canSeeHidden) and see it.
 */
export function visibilityGuard(
  collection: FilterCollection,
  field: FilterField,
  ctx: Pick<FilterContext, 'canSeeHidden'> & Partial<Pick<FilterContext, 'isAdmin' | 'auth' | 'mayRead'>>,
): VisibilityGuard | undefined {
  if (ctx.canSeeHidden) return undefined;
  if (ctx.isAdmin && (!ctx.mayRead || ctx.mayRead(collection.name))) return undefined;
  if (field.name !== 'email') return undefined;
  const flag = collection.fields.get('emailVisibility');
  if (!flag || flag.kind !== 'bool' || flag.multiple) return undefined;
  const id = lookupField(collection, 'id')!;
  const auth = ctx.auth;
  const ownId =
    auth && auth.collectionName === collection.name && typeof auth.id === 'string' && UUID_TEXT.test(auth.id)
      ? auth.id
      : undefined;
  return { flagColumn: flag.column, idColumn: id.column, ...(ownId ? { ownId } : {}) };
}

function asText(sql: string, kind: ColumnKind): string {
  return kind === 'text' ? sql : `${sql}::text`;
}

function likeEscapeSql(sql: string): string {
  return `replace(replace(replace(${sql}, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
}

function emptySql(col: string, kind: ColumnKind): string {
  if (kind === 'text') return `(${col} IS NULL OR ${col} = '')`;
  if (kind === 'json') return `(${col} IS NULL OR ${col} IN (${JSON_EMPTY}))`;
  return `${col} IS NULL`;
}

function notEmptySql(col: string, kind: ColumnKind): string {
  if (kind === 'text') return `${col} <> ''`;
  if (kind === 'json') return `${col} NOT IN (${JSON_EMPTY})`;
  return `${col} IS NOT NULL`;
}

const JSON_EMPTY = `'null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb`;

/** A value from `@request.*` that is empty never matches a column (anonymous `author = @request.auth.id`). */
function isRuntimeEmpty(value: ValueOperand): boolean {
  return (value.source === 'auth' || value.source === 'body') && isEmptyValue(value.value);
}

/** The answer when nothing can match: TRUE for the negative operators, FALSE otherwise. */
function constant(op: FilterOperator): string {
  return NEGATIVE_OPERATORS.has(op) ? 'TRUE' : 'FALSE';
}

/**
 * Whether the comparison holds for a missing value (no related record, an empty array): as for
 * a NULL column, `= null` and the negative operators do, the others don't.
 */
function missingMatches(op: FilterOperator, other: Operand): boolean {
  if (other.type === 'column' || other.source === 'auth' || other.source === 'body') {
    return NEGATIVE_OPERATORS.has(op);
  }
  const plain = plainOperator(op);
  if (plain === '=') return isEmptyValue(other.value);
  if (plain === '!=') return !isEmptyValue(other.value);
  if (plain === '!~') return textForm(other.value) !== '';
  return false;
}

/**
 * Asks `cond` of the rows of `source` (related records or array elements).
 * Single relation: the related record matches; a missing one counts as NULL values.
 * Many, `?` forms: at least one matches. Many, plain forms: all match and there is at least one.
 * When the comparison holds for a missing value (`!=`, `!~`, `= null`), "none" also matches.
 */
function quantify(
  source: RowSource,
  cond: string,
  many: boolean,
  anyOf: boolean,
  matchesMissing: boolean,
): string {
  const exists = (extra?: string) => {
    const where = [...source.link, ...(extra ? [extra] : []), ...source.visibility];
    return `EXISTS (SELECT 1 FROM ${source.from}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''})`;
  };
  const some = exists(`(${cond})`);
  const noneFail = `NOT ${exists(`(${cond}) IS NOT TRUE`)}`;
  if (!many) return matchesMissing ? noneFail : some;
  if (anyOf) return matchesMissing ? `(NOT ${exists()} OR ${some})` : some;
  return matchesMissing ? noneFail : `(${some} AND ${noneFail})`;
}
