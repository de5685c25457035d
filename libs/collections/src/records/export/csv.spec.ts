import { csvCell, csvLine, parseCsv } from './csv.js';

describe('csv', () => {
  it('writes plain values as they are and empties for null', () => {
    expect(csvLine(['a', 1, true, null, undefined, -2.5])).toBe('a,1,true,,,-2.5\r\n');
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r\nlf')).toBe('"cr\r\nlf"');
  });

  it('writes arrays and objects as JSON', () => {
    expect(csvCell(['x', 'y'])).toBe('"[""x"",""y""]"');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell([])).toBe('[]');
  });

  it('escapes formula starts with a leading quote, but not numbers', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) expect(csvCell(s)).toBe(`'${s}`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('parses back what it writes', () => {
    const rows = [
      ['id', 'text', 'list'],
      ['1', 'a,"b"\r\nc', '["x","y"]'],
      ['2', '', 'plain'],
    ];
    expect(parseCsv(rows.map(csvLine).join(''))).toEqual(rows);
    expect(parseCsv('a,b\nc,d')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(() => parseCsv('"open')).toThrow(/quoted/);
  });
});
