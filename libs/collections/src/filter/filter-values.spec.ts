import {
  coerceForKind,
  escapeLike,
  evaluateStatic,
  flipOperator,
  parseDate,
  textForm,
} from './filter-values.js';

describe('filter values', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('50%_off\\now')).toBe('50\\%\\_off\\\\now');
    expect(escapeLike('plain')).toBe('plain');
  });

  it('flips comparison operators, keeping the any-of prefix', () => {
    expect(['>', '>=', '<', '<=', '?>', '?<=', '=', '?!='].map((op) => flipOperator(op as never))).toEqual([
      '<',
      '<=',
      '>',
      '>=',
      '?<',
      '?>=',
      '=',
      '?!=',
    ]);
  });

  describe('parseDate', () => {
    it.each([
      ['2024-01-31', '2024-01-31T00:00:00.000Z'],
      ['2024-01-31 10:20:30.456Z', '2024-01-31T10:20:30.456Z'],
      ['2024-01-31T10:20', '2024-01-31T10:20:00.000Z'],
      ['2024-01-31T10:20:30+0200', '2024-01-31T08:20:30.000Z'],
      ['2024-01-31T10:20:30-05:30', '2024-01-31T15:50:30.000Z'],
      ['0099-06-01', '0099-06-01T00:00:00.000Z'],
    ])('reads %s as %s (no zone = UTC)', (text, iso) => {
      expect(parseDate(text)?.toISOString()).toBe(iso);
    });

    it.each([
      ['2024-02-30'],
      ['2024-00-10'],
      ['2024-01-00'],
      ['2024-1-1'],
      ['31/01/2024'],
      ['2024-01-31T25:00'],
      ['now'],
      [''],
    ])('refuses %s', (text) => {
      expect(parseDate(text)).toBeUndefined();
    });
  });

  describe('coerceForKind', () => {
    it.each([
      ['7', 'number', { ok: true, param: 7 }],
      [7, 'text', { ok: true, param: '7' }],
      ['x', 'number', { ok: false }],
      ['Infinity', 'number', { ok: false }],
      ['false', 'bool', { ok: true, param: false }],
      [0, 'bool', { ok: false }],
      [
        '0190B6A1-7C2E-7A3B-9F00-0123456789AB',
        'uuid',
        { ok: true, param: '0190b6a1-7c2e-7a3b-9f00-0123456789ab' },
      ],
      ['abc', 'uuid', { ok: false }],
      [{ a: 1 }, 'json', { ok: true, param: '{"a":1}' }],
      ['a\u0000', 'json', { ok: false }],
      ['a\u0000', 'text', { ok: false }],
      [['a'], 'text', { ok: false }],
      [new Date('2024-01-01T00:00:00Z'), 'date', { ok: true, param: '2024-01-01T00:00:00.000Z' }],
      [new Date('x'), 'date', { ok: false }],
    ] as const)('%p as %s → %p', (value, kind, expected) => {
      expect(coerceForKind(value, kind)).toEqual(expected);
    });
  });

  describe('evaluateStatic', () => {
    it.each([
      ['=', '', null, true],
      ['=', 'a', null, false],
      ['!=', '', null, false],
      ['=', 5, '5', true],
      ['=', true, 'true', true],
      ['>', 10, '9', true],
      ['>', 'b', 'a', true],
      ['<', null, 5, false],
      ['>=', new Date('2024-01-02T00:00:00Z'), '2024-01-01', true],
      ['~', 'Hello', 'LL', true],
      ['!~', 'Hello', 'x', true],
      ['?=', ['a', 'b'], 'b', true],
      ['=', ['a', 'b'], 'b', false],
      ['=', ['b', 'b'], 'b', true],
      ['=', [], null, true],
      ['?!=', [], 'a', true],
    ] as const)('%s %p %p → %p', (op, a, b, expected) => {
      expect(evaluateStatic(op, a, b)).toBe(expected);
    });
  });

  it('gives ~ the text form of any value', () => {
    expect([null, 'a', 1.5, false, new Date('2024-01-01T00:00:00Z'), { a: 1 }].map(textForm)).toEqual([
      '',
      'a',
      '1.5',
      'false',
      '2024-01-01T00:00:00.000Z',
      '{"a":1}',
    ]);
  });
});
