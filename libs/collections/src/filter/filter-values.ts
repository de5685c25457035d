import { isUuidText } from '@plinth/core';
import { parseDateLiteral } from '../fields/parse-date.js';
import type { ColumnKind, FilterOperator } from './types.js';

const NUMBER_RE = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
export type Coerced = { ok: true; param: unknown } | { ok: false };

export const NEGATIVE_OPERATORS: ReadonlySet<FilterOperator> = new Set(['!=', '?!=', '!~', '?!~']);
export const LIKE_OPERATORS: ReadonlySet<FilterOperator> = new Set(['~', '!~', '?~', '?!~']);

export function isAnyOf(op: FilterOperator): boolean {
  return op.startsWith('?');
}

/** `?>=` → `>=`: on a single value the any-of forms are the plain ones. */
export function plainOperator(op: FilterOperator): FilterOperator {
  return (isAnyOf(op) ? op.slice(1) : op) as FilterOperator;
}

/** The operator with its sides swapped: `5 < views` is `views > 5`. Not defined for the `~` family. */
export function flipOperator(op: FilterOperator): FilterOperator {
  const prefix = isAnyOf(op) ? '?' : '';
  const flipped: Record<string, string> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=' };
  const plain = plainOperator(op);
  return (prefix + (flipped[plain] ?? plain)) as FilterOperator;
}

/** null, undefined and '' are all "empty", as in PocketBase. */
export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

export function hasNul(value: unknown): boolean {
  return typeof value === 'string' && value.includes('\0');
}

/** The text a value is compared as by `~`. */
export function textForm(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/** `%`, `_` and `\` become literal for LIKE … ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A date from a Date or an ISO-like string (no zone = UTC); undefined when it is not a real date. */
export function parseDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  return typeof value === 'string' ? parseDateLiteral(value) : undefined;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMBER_RE.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** The bound value for a comparison with a column of `kind`, or `{ ok: false }` if it cannot be one. */
export function coerceForKind(value: unknown, kind: ColumnKind): Coerced {
  if (hasNul(value)) return { ok: false };
  switch (kind) {
    case 'text':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        return { ok: true, param: String(value) };
      }
      if (value instanceof Date) return coerceDate(value);
      return { ok: false };
    case 'number': {
      const n = toNumber(value);
      return n === undefined ? { ok: false } : { ok: true, param: n };
    }
    case 'bool': {
      const b = toBool(value);
      return b === undefined ? { ok: false } : { ok: true, param: b };
    }
    case 'date':
      return coerceDate(value);
    case 'uuid':
      return isUuidText(value) ? { ok: true, param: value.toLowerCase() } : { ok: false };
    case 'json': {
      const json = JSON.stringify(value instanceof Date ? value.toISOString() : value);
      // jsonb refuses \u0000 as well.
      return json === undefined || json.includes('\\u0000') ? { ok: false } : { ok: true, param: json };
    }
  }
}

function coerceDate(value: unknown): Coerced {
  const date = parseDate(value);
  return date ? { ok: true, param: date.toISOString() } : { ok: false };
}

/** The cast a bound value needs next to a column of `kind` (text needs none). */
const ARRAY_CASTS: Record<ColumnKind, string> = {
  text: '::text[]',
  number: '::double precision[]',
  bool: '::boolean[]',
  date: '::timestamptz[]',
  uuid: '::uuid[]',
  json: '::jsonb[]',
};

/** The cast of a bound array of values of `kind`. */
export function arrayCastFor(kind: ColumnKind): string {
  return ARRAY_CASTS[kind];
}

export function castFor(kind: ColumnKind): string {
  switch (kind) {
    case 'text':
      return '';
    case 'number':
      return '::double precision';
    case 'bool':
      return '::boolean';
    case 'date':
      return '::timestamptz';
    case 'uuid':
      return '::uuid';
    case 'json':
      return '::jsonb';
  }
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if (isEmptyValue(a) || isEmptyValue(b)) return isEmptyValue(a) && isEmptyValue(b);
  if (a instanceof Date || b instanceof Date) {
    const da = parseDate(a);
    const db = parseDate(b);
    return !!da && !!db && da.getTime() === db.getTime();
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const na = toNumber(a);
    const nb = toNumber(b);
    return na !== undefined && na === nb;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const ba = toBool(a);
    return ba !== undefined && ba === toBool(b);
  }
  return textForm(a) === textForm(b);
}

function compareOrder(a: unknown, b: unknown): number | undefined {
  if (isEmptyValue(a) || isEmptyValue(b)) return undefined;
  if (a instanceof Date || b instanceof Date) {
    const da = parseDate(a);
    const db = parseDate(b);
    return da && db ? Math.sign(da.getTime() - db.getTime()) : undefined;
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const na = toNumber(a);
    const nb = toNumber(b);
    return na !== undefined && nb !== undefined ? Math.sign(na - nb) : undefined;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function evaluateScalar(op: FilterOperator, a: unknown, b: unknown): boolean {
  switch (plainOperator(op)) {
    case '=':
      return valuesEqual(a, b);
    case '!=':
      return !valuesEqual(a, b);
    case '~':
      return textForm(a).toLowerCase().includes(textForm(b).toLowerCase());
    case '!~':
      return !textForm(a).toLowerCase().includes(textForm(b).toLowerCase());
    default: {
      const order = compareOrder(a, b);
      if (order === undefined) return false;
      const plain = plainOperator(op);
      return plain === '>' ? order > 0 : plain === '>=' ? order >= 0 : plain === '<' ? order < 0 : order <= 0;
    }
  }
}

/**
 * Decides a comparison of two known values (literals, `@now`, `@request.*`) at compile time.
 * An array side follows the column rules: `?` forms need one element to match, plain forms all
 * (an empty array acts as one empty value).
 */
export function evaluateStatic(op: FilterOperator, a: unknown, b: unknown): boolean {
  for (const [side, other, flip] of [
    [a, b, false],
    [b, a, true],
  ] as const) {
    if (Array.isArray(side)) {
      const items: unknown[] = side.length === 0 ? [null] : side;
      const test = (item: unknown) =>
        flip ? evaluateStatic(op, other, item) : evaluateStatic(op, item, other);
      return isAnyOf(op) ? items.some(test) : items.every(test);
    }
  }
  return evaluateScalar(op, a, b);
}
