import { FilterError } from './filter-error.js';
import { tokenize } from './lexer.js';

const kinds = (input: string) =>
  tokenize(input).map((t) => ('value' in t ? `${t.type}:${String(t.value)}` : t.type));

describe('tokenize', () => {
  it('reads every operator, longest match first', () => {
    const ops = [
      '=',
      '!=',
      '>',
      '>=',
      '<',
      '<=',
      '~',
      '!~',
      '?=',
      '?!=',
      '?>',
      '?>=',
      '?<',
      '?<=',
      '?~',
      '?!~',
    ];
    for (const op of ops) {
      expect(kinds(`a${op}1`)).toEqual(['identifier:a', `operator:${op}`, 'number:1', 'end']);
    }
  });

  it('reads &&, ||, parentheses and keeps positions', () => {
    const tokens = tokenize('(a=1 || b=2)&&c=3');
    expect(tokens.map((t) => [t.type, t.position])).toEqual([
      ['lparen', 0],
      ['identifier', 1],
      ['operator', 2],
      ['number', 3],
      ['or', 5],
      ['identifier', 8],
      ['operator', 9],
      ['number', 10],
      ['rparen', 11],
      ['and', 12],
      ['identifier', 14],
      ['operator', 15],
      ['number', 16],
      ['end', 17],
    ]);
  });

  it('reads single- and double-quoted strings with escaped quotes and backslashes', () => {
    expect(tokenize(`'it\\'s' "say \\"hi\\"" 'a\\\\b' 'a\\nb' "it's" 'say "x"'`).slice(0, 6)).toEqual([
      { type: 'string', value: "it's", position: 0 },
      { type: 'string', value: 'say "hi"', position: 8 },
      { type: 'string', value: 'a\\b', position: 21 },
      { type: 'string', value: 'a\\nb', position: 28 },
      { type: 'string', value: "it's", position: 35 },
      { type: 'string', value: 'say "x"', position: 42 },
    ]);
  });

  it('reads integers, floats and negative numbers', () => {
    expect(kinds('1 -2 3.25 -0.5 007')).toEqual([
      'number:1',
      'number:-2',
      'number:3.25',
      'number:-0.5',
      'number:7',
      'end',
    ]);
  });

  it('reads true, false and null as keywords, and dotted paths and macros as one token', () => {
    expect(kinds('true false null author.name @now @request.auth.id')).toEqual([
      'keyword:true',
      'keyword:false',
      'keyword:null',
      'identifier:author.name',
      'macro:now',
      'macro:request.auth.id',
      'end',
    ]);
  });

  it.each([
    ['an unclosed string', "title = 'abc", 8],
    ['a string ending in an escaped quote', "title = 'abc\\'", 8],
    ['a stray character', 'title # 1', 6],
    ['a single &', 'a=1 & b=2', 4],
    ['a path ending in a dot', 'author. = 1', 6],
    ['a number glued to letters', 'views = 5abc', 8],
    ['a number with a trailing dot', 'views = 5.', 8],
    ['a bare @', 'a = @ ', 4],
    ['a NUL byte in a string', "title = 'a\u0000b'", 10],
    ['a NUL byte outside strings', 'title\u0000= 1', 5],
    ['a non-ASCII identifier', 'tïtle = 1', 1],
  ])('refuses %s with FILTER_SYNTAX at its position', (_name, input, position) => {
    let error: unknown;
    try {
      tokenize(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FilterError);
    expect(error).toMatchObject({ code: 'FILTER_SYNTAX', position });
  });

  it('refuses a number too large to represent', () => {
    expect(() => tokenize(`views = ${'9'.repeat(400)}`)).toThrow(/too large/);
  });

  it('never echoes control characters in its messages', () => {
    try {
      tokenize('a = \u0007');
      throw new Error('no error');
    } catch (e) {
      expect((e as Error).message).toBe('Unexpected character "\\u0007" at position 4.');
    }
  });

  it('skips "// comments" to the end of the line, but not inside strings', () => {
    const tokens = tokenize('// who may read\ntitle = "a//b" // the author\n&& x = 1 //');
    expect(tokens.map((t) => t.type)).toEqual([
      'identifier',
      'operator',
      'string',
      'and',
      'identifier',
      'operator',
      'number',
      'end',
    ]);
    expect(tokens[2]).toMatchObject({ value: 'a//b' });
  });

  it('keeps a ":modifier" with its name and refuses a second one', () => {
    expect(tokenize('tags:each ?= @request.body.tags:length')).toMatchObject([
      { type: 'identifier', value: 'tags:each' },
      { type: 'operator' },
      { type: 'macro', value: 'request.body.tags:length' },
      { type: 'end' },
    ]);
    expect(() => tokenize('tags:each:each = 1')).toThrow(/Only one modifier/);
    expect(() => tokenize('tags: = 1')).toThrow(/Expected a modifier name/);
  });
});
