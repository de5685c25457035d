import { quoteLiteral } from './quote-literal.js';

describe('quoteLiteral', () => {
  it.each([
    ['plain', "'plain'"],
    ['', "''"],
    ["it's", "'it''s'"],
    ["'; DROP TABLE x; --", "'''; DROP TABLE x; --'"],
    ['a\\b', "E'a\\\\b'"],
    ["\\'", "E'\\\\'''"],
    ['"double"', `'"double"'`],
    ['line\nbreak', "'line\nbreak'"],
    ['ünï', "'ünï'"],
  ])('quotes the string %p as %s', (value, sql) => {
    expect(quoteLiteral(value)).toBe(sql);
  });

  it('renders numbers, negative ones in parentheses', () => {
    expect(quoteLiteral(0)).toBe('0');
    expect(quoteLiteral(1.5)).toBe('1.5');
    expect(quoteLiteral(-2)).toBe('(-2)');
    expect(quoteLiteral(1e21)).toBe('1e+21');
  });

  it('renders booleans and null as keywords', () => {
    expect(quoteLiteral(true)).toBe('TRUE');
    expect(quoteLiteral(false)).toBe('FALSE');
    expect(quoteLiteral(null)).toBe('NULL');
  });

  it('refuses values with no safe literal', () => {
    expect(() => quoteLiteral(Number.NaN)).toThrow(TypeError);
    expect(() => quoteLiteral(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => quoteLiteral('a\u0000b')).toThrow(/NUL/);
    expect(() => quoteLiteral({} as unknown as string)).toThrow(TypeError);
  });
});
