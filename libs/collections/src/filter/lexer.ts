import { FilterError, quoteForMessage } from './filter-error.js';
import type { FilterOperator } from './types.js';

export type Token =
  | { type: 'string'; value: string; position: number }
  | { type: 'number'; value: number; position: number }
  | { type: 'keyword'; value: 'true' | 'false' | 'null'; position: number }
  /** A field or dot path: `author.name`. */
  | { type: 'identifier'; value: string; position: number }
  /** `@now`, `@request.auth.id` (value without the `@`). */
  | { type: 'macro'; value: string; position: number }
  | { type: 'operator'; value: FilterOperator; position: number }
  | { type: 'and' | 'or' | 'lparen' | 'rparen' | 'comma'; position: number }
  | { type: 'end'; position: number };

// Longest first, so `?!=` wins over `?!` and `>=` over `>`.
const OPERATORS: readonly FilterOperator[] = [
  '?!=',
  '?!~',
  '?>=',
  '?<=',
  '?=',
  '?>',
  '?<',
  '?~',
  '!=',
  '!~',
  '>=',
  '<=',
  '=',
  '>',
  '<',
  '~',
];

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const SPACE = /[ \t\r\n]/;

/** Splits a filter into tokens; the last one is always `end`. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    if (input.startsWith('//', i)) {
      // A comment runs to the end of the line (PocketBase allows them in rules and filters).
      const newline = input.indexOf('\n', i);
      i = newline === -1 ? input.length : newline + 1;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      const { value, end } = readString(input, i);
      tokens.push({ type: 'string', value, position: start });
      i = end;
      continue;
    }
    if (DIGIT.test(c) || (c === '-' && DIGIT.test(input[i + 1] ?? ''))) {
      const { value, end } = readNumber(input, i);
      tokens.push({ type: 'number', value, position: start });
      i = end;
      continue;
    }
    if (IDENT_START.test(c)) {
      const end = readPath(input, i);
      const word = input.slice(i, end);
      if (word === 'true' || word === 'false' || word === 'null') {
        tokens.push({ type: 'keyword', value: word, position: start });
      } else {
        tokens.push({ type: 'identifier', value: word, position: start });
      }
      i = end;
      continue;
    }
    if (c === '@') {
      if (!IDENT_START.test(input[i + 1] ?? '')) {
        throw new FilterError('FILTER_SYNTAX', `Expected a name after "@" at position ${start}.`, start);
      }
      const end = readPath(input, i + 1);
      tokens.push({ type: 'macro', value: input.slice(i + 1, end), position: start });
      i = end;
      continue;
    }
    if (c === ',') {
      tokens.push({ type: 'comma', position: start });
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen', position: start });
      i++;
      continue;
    }
    if (input.startsWith('&&', i) || input.startsWith('||', i)) {
      tokens.push({ type: c === '&' ? 'and' : 'or', position: start });
      i += 2;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'operator', value: op, position: start });
      i += op.length;
      continue;
    }
    throw new FilterError(
      'FILTER_SYNTAX',
      `Unexpected character ${quoteForMessage(String.fromCodePoint(input.codePointAt(i)!))} at position ${start}.`,
      start,
    );
  }
  tokens.push({ type: 'end', position: input.length });
  return tokens;
}

/** Backslash escapes the quote and the backslash; any other backslash stays as written. */
function readString(input: string, start: number): { value: string; end: number } {
  const quote = input[start]!;
  let value = '';
  let i = start + 1;
  while (i < input.length) {
    const c = input[i]!;
    if (c === '\\' && (input[i + 1] === quote || input[i + 1] === '\\')) {
      value += input[i + 1];
      i += 2;
      continue;
    }
    if (c === quote) return { value, end: i + 1 };
    if (c === '\0') {
      // PostgreSQL text cannot hold NUL; refuse it here rather than let the driver fail.
      throw new FilterError('FILTER_SYNTAX', `A string may not contain a NUL character (position ${i}).`, i);
    }
    value += c;
    i++;
  }
  throw new FilterError('FILTER_SYNTAX', `The string starting at position ${start} is not closed.`, start);
}

function readNumber(input: string, start: number): { value: number; end: number } {
  let i = start;
  if (input[i] === '-') i++;
  while (DIGIT.test(input[i] ?? '')) i++;
  if (input[i] === '.' && DIGIT.test(input[i + 1] ?? '')) {
    i++;
    while (DIGIT.test(input[i] ?? '')) i++;
  }
  if (IDENT_PART.test(input[i] ?? '') || input[i] === '.') {
    throw new FilterError('FILTER_SYNTAX', `Invalid number at position ${start}.`, start);
  }
  const value = Number(input.slice(start, i));
  if (!Number.isFinite(value)) {
    throw new FilterError('FILTER_SYNTAX', `The number at position ${start} is too large.`, start);
  }
  return { value, end: i };
}

/**
 * `name(:modifier)?(.name(:modifier)?)*`; the caller has checked the first character. The parser
 * decides which `:suffix` is allowed where (a modifier on the last part, an alias after `@collection.x`).
 */
function readPath(input: string, start: number): number {
  let i = start;
  for (;;) {
    while (IDENT_PART.test(input[i] ?? '')) i++;
    if (input[i] === ':') {
      if (!IDENT_START.test(input[i + 1] ?? '')) {
        throw new FilterError('FILTER_SYNTAX', `Expected a modifier name after ":" at position ${i}.`, i);
      }
      i++;
      while (IDENT_PART.test(input[i] ?? '')) i++;
      if (input[i] === ':') {
        throw new FilterError('FILTER_SYNTAX', `Only one modifier may follow a name (position ${i}).`, i);
      }
    }
    if (input[i] === '.') {
      if (!IDENT_START.test(input[i + 1] ?? '')) {
        throw new FilterError('FILTER_SYNTAX', `Expected a field name after "." at position ${i}.`, i);
      }
      i++;
      continue;
    }
    return i;
  }
}
