import { filterErrorOf } from './filter.fixture.js';
import { FILTER_LIMITS, parseFilter } from './parse-filter.js';
import type { FilterNode } from './types.js';

/** A compact rendering of the AST, to assert structure without positions. */
function show(node: FilterNode): string {
  if (node.type === 'comparison') {
    const side = (o: (typeof node)['left']) =>
      o.type === 'literal' ? JSON.stringify(o.value) : o.type === 'field' ? o.path.join('.') : o.name;
    return `${side(node.left)} ${node.op} ${side(node.right)}`;
  }
  return `${node.type}(${node.children.map(show).join(', ')})`;
}

describe('parseFilter', () => {
  it('parses a comparison with positions', () => {
    expect(parseFilter("  title = 'x'")).toEqual({
      type: 'comparison',
      op: '=',
      left: { type: 'field', path: ['title'], position: 2 },
      right: { type: 'literal', value: 'x', position: 10 },
      position: 2,
    });
  });

  it('parses literals of every type on either side', () => {
    expect(show(parseFilter('1 = -2.5 && true != false && null = "a" && \'b\' ~ title'))).toBe(
      'and(1 = -2.5, true != false, null = "a", "b" ~ title)',
    );
  });

  it('parses macros and relation paths', () => {
    const node = parseFilter('author.team.name = @request.auth.name && publishAt < @now');
    expect(show(node)).toBe('and(author.team.name = @request.auth.name, publishAt < @now)');
    expect(node).toMatchObject({
      children: [
        { right: { type: 'macro', path: ['request', 'auth', 'name'] } },
        { right: { path: ['now'] } },
      ],
    });
  });

  it('binds && tighter than ||', () => {
    expect(show(parseFilter('a = 1 || b = 2 && c = 3'))).toBe('or(a = 1, and(b = 2, c = 3))');
    expect(show(parseFilter('a = 1 && b = 2 || c = 3'))).toBe('or(and(a = 1, b = 2), c = 3)');
  });

  it('lets parentheses override precedence', () => {
    expect(show(parseFilter('(a = 1 || b = 2) && c = 3'))).toBe('and(or(a = 1, b = 2), c = 3)');
    expect(show(parseFilter('((a = 1))'))).toBe('a = 1');
  });

  it('flattens chains of the same operator', () => {
    expect(show(parseFilter('a=1 && b=2 && c=3 || d=4 || e=5'))).toBe(
      'or(and(a = 1, b = 2, c = 3), d = 4, e = 5)',
    );
  });

  it.each([
    ['an empty filter', '   ', 0],
    ['a lone field', 'title', 5],
    ['a missing right side', 'title =', 7],
    ['two operators', 'title = = 1', 8],
    ['a dangling &&', "title = 'x' &&", 14],
    ['a missing operator between terms', "title = 'x' views = 1", 12],
    ['an unbalanced (', "(title = 'x'", 12],
    ['an unbalanced )', "title = 'x')", 11],
    ['an injection attempt', "title = 'x' ) OR (1=1", 12],
    ['empty parentheses', '()', 1],
    ['a literal operator word', "title = 'a' OR 1 = 1", 12],
  ])('refuses %s with FILTER_SYNTAX at the right position', (_name, input, position) => {
    expect(filterErrorOf(() => parseFilter(input))).toMatchObject({ code: 'FILTER_SYNTAX', position });
  });

  it('says what it expected, for the user', () => {
    expect(filterErrorOf(() => parseFilter('title')).message).toBe(
      'Expected an operator such as "=" or "~" at position 5, found the end of the filter.',
    );
    expect(filterErrorOf(() => parseFilter("(title = 'x'")).message).toBe(
      'Expected ")" to close the "(" at position 0, found the end of the filter at position 12.',
    );
  });

  it('limits a path to 4 parts', () => {
    expect(show(parseFilter("a.b.c.d = 'x'"))).toBe('a.b.c.d = "x"');
    expect(filterErrorOf(() => parseFilter("a.b.c.d.e = 'x'"))).toMatchObject({
      code: 'FILTER_SYNTAX',
      position: 0,
    });
  });

  describe('limits', () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `views = ${i}`).join(' || ');

    it(`accepts ${FILTER_LIMITS.maxLength} characters and refuses ${FILTER_LIMITS.maxLength + 1} with FILTER_TOO_LONG`, () => {
      const base = "title = '";
      const fit = `${base}${'x'.repeat(4096 - base.length - 1)}'`;
      expect(fit).toHaveLength(4096);
      expect(parseFilter(fit)).toMatchObject({ type: 'comparison' });
      const error = filterErrorOf(() => parseFilter(`${fit} `));
      expect(error.code).toBe('FILTER_TOO_LONG');
      expect(error.message).toBe('The filter is 4097 characters long; at most 4096 are allowed.');
    });

    it('accepts 200 comparisons and refuses 201 with FILTER_TOO_COMPLEX', () => {
      expect(show(parseFilter(terms(200))).split(' = ')).toHaveLength(201);
      expect(filterErrorOf(() => parseFilter(terms(201)))).toMatchObject({ code: 'FILTER_TOO_COMPLEX' });
    });

    it('counts comparisons inside parentheses too', () => {
      const nested = `(${terms(100)}) && (${terms(101)})`;
      expect(filterErrorOf(() => parseFilter(nested)).code).toBe('FILTER_TOO_COMPLEX');
    });

    it('accepts nesting 32 deep and refuses 33 with FILTER_TOO_DEEP at the 33rd "("', () => {
      const nest = (n: number) => `${'('.repeat(n)}views = 1${')'.repeat(n)}`;
      expect(show(parseFilter(nest(32)))).toBe('views = 1');
      expect(filterErrorOf(() => parseFilter(nest(33)))).toMatchObject({
        code: 'FILTER_TOO_DEEP',
        position: 32,
      });
    });

    it('measures depth, not the number of parentheses', () => {
      const siblings = Array.from({ length: 40 }, () => '(views = 1)').join(' || ');
      expect(() => parseFilter(siblings)).not.toThrow();
    });

    it('refuses deep nesting without overflowing the stack', () => {
      expect(filterErrorOf(() => parseFilter('('.repeat(4000))).code).toBe('FILTER_TOO_DEEP');
    });
  });

  describe('modifiers and @collection aliases', () => {
    it('puts the modifier and the alias on the operand', () => {
      const node = parseFilter('@collection.regs:auth.user.name:lower = tags:length');
      expect(node).toMatchObject({
        left: { type: 'macro', name: '@collection.regs.user.name', alias: 'auth', modifier: 'lower' },
        right: { type: 'field', path: ['tags'], modifier: 'length' },
      });
    });

    it('refuses unknown modifiers and modifiers before the last part', () => {
      expect(filterErrorOf(() => parseFilter('tags:every = 1')).message).toMatch(/Unknown modifier ":every"/);
      expect(filterErrorOf(() => parseFilter('author:each.name = 1')).message).toMatch(/last part/);
      expect(filterErrorOf(() => parseFilter('@request:x.body = 1')).code).toBe('FILTER_SYNTAX');
    });
  });
});
