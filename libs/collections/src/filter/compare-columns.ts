import { sql, type Sql } from '@plinth/core';
import { FilterError } from './filter-error.js';
import {
  castFor,
  coerceForKind,
  escapeLike,
  flipOperator,
  isAnyOf,
  isEmptyValue,
  NEGATIVE_OPERATORS,
  plainOperator,
  textForm,
} from './filter-values.js';
import type { ColumnOperand, ItemsOperand, Operand, PredicateOperand, ValueOperand } from './operands.js';
import {
  asText,
  emptySql,
  FALSE,
  fixed,
  KIND_NOUNS,
  likeEscapeSql,
  notEmptySql,
  TRUE,
} from './sql-fragments.js';
import type { FilterOperator } from './types.js';

// Comparisons of one column (or array element) with a value or another column, as SQL.

/** What the comparisons need from the compiler. */
export interface Binder {
  /** Position of the comparison being compiled, for errors. */
  readonly position: number | undefined;
  columnSql(column: ColumnOperand): Sql;
}

/** The answer when nothing can match: TRUE for the negative operators, FALSE otherwise. */
export function constant(op: FilterOperator): Sql {
  return NEGATIVE_OPERATORS.has(op) ? TRUE : FALSE;
}

/** A single column against a known value. `op` is a plain operator. */
export function columnVersusValue(
  b: Binder,
  op: FilterOperator,
  column: ColumnOperand,
  value: ValueOperand,
): Sql {
  const col = b.columnSql(column);
  const kind = column.field.kind;
  if (op === '~' || op === '!~') {
    const text = textForm(value.value);
    if (text.includes('\0')) return constant(op);
    const p = `%${escapeLike(text)}%`;
    const colText = asText(col, kind);
    return op === '~'
      ? sql`${colText} ILIKE ${p} ESCAPE '\\'`
      : sql`COALESCE(${colText}, '') NOT ILIKE ${p} ESCAPE '\\'`;
  }
  if (isEmptyValue(value.value)) {
    if (op === '=') return emptySql(col, kind);
    if (op === '!=') return notEmptySql(col, kind);
    // Nothing is greater or smaller than null; '' goes on and is type-checked like any string.
    if (value.value === null || value.value === undefined) return FALSE;
  }
  const p = bind(b, op, column, value);
  if (p === undefined) return constant(op);
  switch (op) {
    case '=':
      return sql`${col} = ${p}`;
    case '!=':
      return sql`${col} IS DISTINCT FROM ${p}`;
    default:
      return sql`${col} ${fixed(op)} ${p}`;
  }
}

/** An array column against a known value (not the `~` family). */
export function arrayVersusValue(
  b: Binder,
  op: FilterOperator,
  column: ColumnOperand,
  value: ValueOperand,
): Sql {
  const col = b.columnSql(column);
  const plain = plainOperator(op);
  if (isEmptyValue(value.value)) {
    if (plain === '=') return sql`(${col} IS NULL OR cardinality(${col}) = 0)`;
    if (plain === '!=') return sql`cardinality(${col}) > 0`;
    if (value.value === null || value.value === undefined) return FALSE;
  }
  const p = bind(b, op, column, value);
  if (p === undefined) return constant(op);
  // `p < ANY(col)` reads "some element > p": the value sits on the left, so the operator flips.
  const flipped = fixed(plainOperator(flipOperator(plain)));
  if (isAnyOf(op)) {
    if (plain === '!=') return sql`(COALESCE(cardinality(${col}), 0) = 0 OR ${p} <> ANY(${col}))`;
    return sql`${p} ${flipped} ANY(${col})`;
  }
  if (plain === '!=') return sql`(${col} IS NULL OR ${p} <> ALL(${col}))`;
  return sql`(cardinality(${col}) > 0 AND ${p} ${flipped} ALL(${col}))`;
}

/** `'some text' ~ title`: the value contains the column's text. */
export function valueContainsColumn(
  b: Binder,
  op: FilterOperator,
  value: ValueOperand,
  column: ColumnOperand,
): Sql {
  const text = textForm(value.value);
  if (text.includes('\0')) return constant(op);
  const colText = asText(b.columnSql(column), column.field.kind);
  return plainOperator(op) === '~'
    ? sql`${text}::text ILIKE ('%' || ${likeEscapeSql(colText)} || '%') ESCAPE '\\'`
    : sql`${text}::text NOT ILIKE ('%' || ${likeEscapeSql(sql`COALESCE(${colText}, '')`)} || '%') ESCAPE '\\'`;
}

export function columnVersusColumn(
  binder: Binder,
  op: FilterOperator,
  left: ColumnOperand,
  right: ColumnOperand,
): Sql {
  let a = binder.columnSql(left);
  let b = binder.columnSql(right);
  if (op === '~' || op === '!~') {
    const at = asText(a, left.field.kind);
    const bt = asText(b, right.field.kind);
    return op === '~'
      ? sql`${at} ILIKE ('%' || ${likeEscapeSql(bt)} || '%') ESCAPE '\\'`
      : sql`COALESCE(${at}, '') NOT ILIKE ('%' || ${likeEscapeSql(sql`COALESCE(${bt}, '')`)} || '%') ESCAPE '\\'`;
  }
  let kind = left.field.kind;
  if (kind !== right.field.kind) {
    const kinds = new Set([kind, right.field.kind]);
    if (!(kinds.has('text') && kinds.has('uuid'))) {
      throw new FilterError(
        'FILTER_TYPE_MISMATCH',
        `The fields "${left.label}" and "${right.label}" hold different types and cannot be compared.`,
        binder.position,
        left.label,
      );
    }
    a = asText(a, left.field.kind);
    b = asText(b, right.field.kind);
    kind = 'text';
  }
  if (op === '=')
    return kind === 'text' ? sql`COALESCE(${a}, '') = COALESCE(${b}, '')` : sql`${a} IS NOT DISTINCT FROM ${b}`;
  if (op === '!=')
    return kind === 'text' ? sql`COALESCE(${a}, '') <> COALESCE(${b}, '')` : sql`${a} IS DISTINCT FROM ${b}`;
  return sql`${a} ${fixed(op)} ${b}`;
}

/**
 * The placeholder (with its cast) for `value` next to `column`; undefined when the value can
 * never equal such a column's contents. A client literal of the wrong type is the user's
 * mistake (FILTER_TYPE_MISMATCH), except against ids, where PocketBase answers "no match".
 */
function bind(b: Binder, op: FilterOperator, column: ColumnOperand, value: ValueOperand): Sql | undefined {
  const kind = column.field.kind;
  const coerced = coerceForKind(value.value, kind);
  if (!coerced.ok) {
    if (kind === 'uuid' || value.source === 'request') return undefined;
    throw new FilterError(
      'FILTER_TYPE_MISMATCH',
      `The field "${column.label}" holds ${KIND_NOUNS[kind]}; ${value.label} cannot be compared with it using "${op}".`,
      b.position,
      column.label,
    );
  }
  return sql`${coerced.param}${fixed(castFor(kind))}`;
}

/** `@request.body.x:changed = true|false`: the predicate, or its negation. */
export function comparePredicate(b: Binder, op: FilterOperator, left: Operand, right: Operand): Sql {
  const [pred, other] = left.type === 'predicate' ? [left, right] : [right as PredicateOperand, left];
  const plain = plainOperator(op);
  if (other.type !== 'value' || typeof other.value !== 'boolean' || (plain !== '=' && plain !== '!=')) {
    throw new FilterError(
      'FILTER_TYPE_MISMATCH',
      `${pred.label} is true or false; compare it with "= true" or "= false".`,
      b.position,
      pred.label,
    );
  }
  const wantTrue = other.value === (plain === '=');
  if (pred.sql.is('TRUE') || pred.sql.is('FALSE')) return pred.sql.is('TRUE') === wantTrue ? TRUE : FALSE;
  return wantTrue ? sql`(${pred.sql})` : sql`(${pred.sql}) IS NOT TRUE`;
}

/** `@request.body.tags:each op x`: plain forms hold when every item does (and there is one), `?` forms when one does. */
export function compareItems(
  b: Binder,
  op: FilterOperator,
  left: Operand,
  right: Operand,
  compare: (left: Operand, right: Operand) => Sql,
): Sql {
  const [items, other, onLeft] =
    left.type === 'items' ? [left, right, true] : [right as ItemsOperand, left, false];
  if (other.type === 'items' || other.type === 'predicate') {
    throw new FilterError(
      'FILTER_TYPE_MISMATCH',
      `${items.label} can only be compared with a field or a value.`,
      b.position,
      items.label,
    );
  }
  if (items.items.length === 0) return missingMatches(op, other) ? TRUE : FALSE;
  const anyOf = isAnyOf(op);
  const decided = anyOf ? 'TRUE' : 'FALSE';
  const neutral = anyOf ? 'FALSE' : 'TRUE';
  const parts: Sql[] = [];
  for (const item of items.items) {
    const cond = onLeft ? compare(item, other) : compare(other, item);
    if (cond.is(decided)) return cond;
    if (!cond.is(neutral)) parts.push(cond);
  }
  if (parts.length === 0) return anyOf ? FALSE : TRUE;
  return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, anyOf ? ' OR ' : ' AND ')})`;
}

/**
 * Whether the comparison holds for a missing value (no related record, an empty array): as for
 * a NULL column, `= null` and the negative operators do, the others don't.
 */
export function missingMatches(op: FilterOperator, other: Operand): boolean {
  if (other.type !== 'value' || other.source === 'request') return NEGATIVE_OPERATORS.has(op);
  const plain = plainOperator(op);
  if (plain === '=') return isEmptyValue(other.value);
  if (plain === '!=') return !isEmptyValue(other.value);
  if (plain === '!~') return textForm(other.value) !== '';
  return false;
}
