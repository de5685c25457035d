import { FilterError } from './filter-error.js';
import { Token, tokenize } from './lexer.js';
import { FILTER_FUNCTIONS, FILTER_MODIFIERS } from './types.js';
import type { FilterComparison, FilterFunction, FilterModifier, FilterNode, FilterOperand } from './types.js';

/** PocketBase caps strftime at 10 arguments. */
const MAX_CALL_ARGS = 10;

/** DESIGN §10: filter ≤ 4,096 characters, ≤ 200 terms, nesting ≤ 32. */
export const FILTER_LIMITS = { maxLength: 4096, maxTerms: 200, maxDepth: 32, maxPathSegments: 4 } as const;

/**
 * Parses the filter language into an AST. `&&` binds tighter than `||`. Throws FilterError
 * (FILTER_SYNTAX, FILTER_TOO_LONG, FILTER_TOO_COMPLEX, FILTER_TOO_DEEP). An empty or
 * whitespace-only input is a syntax error here; compileFilter treats it as "no filter".
 */
export function parseFilter(input: string): FilterNode {
  if (input.length > FILTER_LIMITS.maxLength) {
    throw new FilterError(
      'FILTER_TOO_LONG',
      `The filter is ${input.length} characters long; at most ${FILTER_LIMITS.maxLength} are allowed.`,
    );
  }
  return new Parser(tokenize(input)).parse();
}

class Parser {
  private index = 0;
  private terms = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    if (this.peek().type === 'end') {
      throw new FilterError('FILTER_SYNTAX', 'The filter is empty.', 0);
    }
    const node = this.parseOr();
    const next = this.peek();
    if (next.type !== 'end') {
      throw new FilterError(
        'FILTER_SYNTAX',
        next.type === 'rparen'
          ? `Unbalanced ")" at position ${next.position}.`
          : `Expected "&&", "||" or the end of the filter at position ${next.position}.`,
        next.position,
      );
    }
    return node;
  }

  private parseOr(): FilterNode {
    const children = [this.parseAnd()];
    while (this.peek().type === 'or') {
      this.index++;
      children.push(this.parseAnd());
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  }

  private parseAnd(): FilterNode {
    const children = [this.parsePrimary()];
    while (this.peek().type === 'and') {
      this.index++;
      children.push(this.parsePrimary());
    }
    return children.length === 1 ? children[0]! : { type: 'and', children };
  }

  private parsePrimary(): FilterNode {
    const token = this.peek();
    if (token.type === 'lparen') {
      this.index++;
      this.depth++;
      if (this.depth > FILTER_LIMITS.maxDepth) {
        throw new FilterError(
          'FILTER_TOO_DEEP',
          `The filter nests parentheses more than ${FILTER_LIMITS.maxDepth} levels deep.`,
          token.position,
        );
      }
      const node = this.parseOr();
      const close = this.peek();
      if (close.type !== 'rparen') {
        throw new FilterError(
          'FILTER_SYNTAX',
          `Expected ")" to close the "(" at position ${token.position}, found ${describe(close)} at position ${close.position}.`,
          close.position,
        );
      }
      this.index++;
      this.depth--;
      return node;
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterComparison {
    const left = this.parseOperand();
    const opToken = this.peek();
    if (opToken.type !== 'operator' && left.type === 'call' && left.name === 'search') {
      // `search("words")` stands alone as a condition: read as `search("words") = true`.
      this.count(left.position);
      return {
        type: 'comparison',
        op: '=',
        left,
        right: { type: 'literal', value: true, position: left.position },
        position: left.position,
      };
    }
    if (opToken.type !== 'operator') {
      throw new FilterError(
        'FILTER_SYNTAX',
        `Expected an operator such as "=" or "~" at position ${opToken.position}, found ${describe(opToken)}.`,
        opToken.position,
      );
    }
    this.index++;
    const right = this.parseOperand();
    this.count(left.position);
    return { type: 'comparison', op: opToken.value, left, right, position: left.position };
  }

  private count(position: number): void {
    this.terms++;
    if (this.terms > FILTER_LIMITS.maxTerms) {
      throw new FilterError(
        'FILTER_TOO_COMPLEX',
        `The filter has more than ${FILTER_LIMITS.maxTerms} comparisons.`,
        position,
      );
    }
  }

  private parseOperand(): FilterOperand {
    const token = this.peek();
    switch (token.type) {
      case 'string':
      case 'number':
        this.index++;
        return { type: 'literal', value: token.value, position: token.position };
      case 'keyword':
        this.index++;
        return {
          type: 'literal',
          value: token.value === 'null' ? null : token.value === 'true',
          position: token.position,
        };
      case 'identifier': {
        this.index++;
        if (this.peek().type === 'lparen') return this.parseCall(token.value, token.position);
        const { path, modifier } = splitPath(token.value, token.position, false);
        if (path.length > FILTER_LIMITS.maxPathSegments) {
          throw new FilterError(
            'FILTER_SYNTAX',
            `A field path may have at most ${FILTER_LIMITS.maxPathSegments} parts (position ${token.position}).`,
            token.position,
          );
        }
        return { type: 'field', path, ...(modifier ? { modifier } : {}), position: token.position };
      }
      case 'macro': {
        this.index++;
        // `@search("words")`: the same function as `search("words")`.
        if (token.value === 'search' && this.peek().type === 'lparen')
          return this.parseCall('search', token.position);
        const { path, modifier, alias } = splitPath(token.value, token.position, true);
        // @collection.name.field… and @request.auth.relation.field… may walk as far as a plain field
        // path, after their two heading parts.
        const walks = path[0] === 'collection' || path[0] === 'request';
        if (walks && path.length > FILTER_LIMITS.maxPathSegments + 2) {
          throw new FilterError(
            'FILTER_SYNTAX',
            `A field path may have at most ${FILTER_LIMITS.maxPathSegments} parts (position ${token.position}).`,
            token.position,
          );
        }
        return {
          type: 'macro',
          name: `@${path.join('.')}`,
          path,
          ...(modifier ? { modifier } : {}),
          ...(alias ? { alias } : {}),
          position: token.position,
        };
      }
      default:
        throw new FilterError(
          'FILTER_SYNTAX',
          `Expected a field, a value or a macro at position ${token.position}, found ${describe(token)}.`,
          token.position,
        );
    }
  }

  /** `name(arg, …)`: PocketBase's filter functions; arguments are operands, not expressions. */
  private parseCall(name: string, position: number): FilterOperand {
    if (!(FILTER_FUNCTIONS as readonly string[]).includes(name)) {
      throw new FilterError(
        'FILTER_SYNTAX',
        `Unknown function "${name.slice(0, 40)}" at position ${position}; use ${FILTER_FUNCTIONS.join(' or ')}.`,
        position,
      );
    }
    this.index++;
    const args: FilterOperand[] = [];
    for (;;) {
      if (args.length === MAX_CALL_ARGS) {
        throw new FilterError(
          'FILTER_TOO_COMPLEX',
          `${name} takes at most ${MAX_CALL_ARGS} arguments.`,
          position,
        );
      }
      const arg = this.parseOperand();
      if (arg.type === 'call') {
        throw new FilterError(
          'FILTER_SYNTAX',
          `Functions cannot be nested (position ${arg.position}).`,
          arg.position,
        );
      }
      args.push(arg);
      const next = this.peek();
      this.index++;
      if (next.type === 'rparen') break;
      if (next.type !== 'comma') {
        throw new FilterError(
          'FILTER_SYNTAX',
          `Expected "," or ")" in the arguments of ${name} at position ${next.position}, found ${describe(next)}.`,
          next.position,
        );
      }
    }
    return { type: 'call', name: name as FilterFunction, args, position };
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }
}

/**
 * Splits `a.b:mod` into its parts and modifier. A `:suffix` is allowed on the last part (a
 * modifier) and, in `@collection.name:alias.field`, on the collection name (an alias).
 */
function splitPath(
  raw: string,
  position: number,
  macro: boolean,
): { path: string[]; modifier?: FilterModifier; alias?: string } {
  const parts = raw.split('.');
  const path: string[] = [];
  let modifier: FilterModifier | undefined;
  let alias: string | undefined;
  parts.forEach((part, i) => {
    const [name, suffix] = part.split(':') as [string, string | undefined];
    path.push(name);
    if (suffix === undefined) return;
    if (macro && parts[0] === 'collection' && i === 1) {
      alias = suffix;
    } else if (i === parts.length - 1 && (FILTER_MODIFIERS as readonly string[]).includes(suffix)) {
      modifier = suffix as FilterModifier;
    } else {
      throw new FilterError(
        'FILTER_SYNTAX',
        i === parts.length - 1
          ? `Unknown modifier ":${suffix.slice(0, 40)}" at position ${position}; use one of ${FILTER_MODIFIERS.map((m) => `:${m}`).join(', ')}.`
          : `A modifier may only follow the last part of a name (":${suffix.slice(0, 40)}" at position ${position}).`,
        position,
      );
    }
  });
  return { path, ...(modifier ? { modifier } : {}), ...(alias ? { alias } : {}) };
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the filter';
    case 'and':
      return '"&&"';
    case 'or':
      return '"||"';
    case 'lparen':
      return '"("';
    case 'rparen':
      return '")"';
    case 'comma':
      return '","';
    case 'operator':
      return `"${token.value}"`;
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    default:
      return `"${token.type === 'macro' ? '@' : ''}${String(token.value).slice(0, 40)}"`;
  }
}
