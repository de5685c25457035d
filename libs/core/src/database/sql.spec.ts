import { quoteIdent, sql, Sql, toQuery } from './sql.js';

describe('sql fragments', () => {
  it('binds every ${} as a value, numbered where the statement is built', () => {
    const title = "x' OR '1'='1";
    expect(toQuery(sql`SELECT 1 WHERE title = ${title} AND views > ${3}`)).toEqual({
      text: 'SELECT 1 WHERE title = $1 AND views > $2',
      values: [title, 3],
    });
  });

  it('nests fragments, numbering their values in the order they appear in the text', () => {
    const a = sql`a = ${1}`;
    const b = sql`b = ${'two'} OR c = ${[3]}`;
    const where = sql`(${b}) AND ${a}`;
    expect(toQuery(sql`SELECT * FROM t WHERE ${where} LIMIT ${10}`)).toEqual({
      text: 'SELECT * FROM t WHERE (b = $1 OR c = $2) AND a = $3 LIMIT $4',
      values: ['two', [3], 1, 10],
    });
  });

  it('numbers a fragment anew in each statement it is part of', () => {
    const rule = sql`owner = ${'u1'}`;
    expect(toQuery(sql`SELECT ${0}, ${rule}`).text).toBe('SELECT $1, owner = $2');
    expect(toQuery(sql`SELECT ${rule}`)).toEqual({ text: 'SELECT owner = $1', values: ['u1'] });
    expect(toQuery(sql`${rule} ${rule}`.values[0] as Sql)).toEqual({ text: 'owner = $1', values: ['u1'] });
  });

  it('binds the values of a fragment placed twice in one statement once', () => {
    const cond = sql`x = ${5}`;
    expect(toQuery(sql`EXISTS (${cond}) AND NOT (${cond}) IS NOT TRUE AND y = ${6}`)).toEqual({
      text: 'EXISTS (x = $1) AND NOT (x = $1) IS NOT TRUE AND y = $2',
      values: [5, 6],
    });
  });

  it('gives the same text for the same shape, whatever the values (prepared statements)', () => {
    const q = (v: unknown[]) => toQuery(sql`SELECT ${sql.join(v.map((x) => sql`${x}::int`))}`);
    expect(q([1, 2]).text).toBe(q([8, 9]).text);
    expect(q([1, 2]).values).toEqual([1, 2]);
  });

  it('joins fragments with a separator; one part is itself, none is empty', () => {
    const parts = [sql`a = ${1}`, sql`b`, sql`c = ${2}`];
    expect(toQuery(sql.join(parts, ' AND '))).toEqual({ text: 'a = $1 AND b AND c = $2', values: [1, 2] });
    expect(toQuery(sql.join(parts))).toEqual({ text: 'a = $1, b, c = $2', values: [1, 2] });
    expect(sql.join([parts[0]!])).toBe(parts[0]);
    expect(toQuery(sql.join([]))).toEqual({ text: '', values: [] });
  });

  it('has an empty fragment that adds nothing', () => {
    expect(toQuery(sql`SELECT 1${sql.empty}`)).toEqual({ text: 'SELECT 1', values: [] });
    expect(sql.empty.is('')).toBe(true);
  });

  it('keeps raw text as it is, without values', () => {
    expect(toQuery(sql`SELECT ${sql.raw('now()')}::text, ${'now()'}`)).toEqual({
      text: 'SELECT now()::text, $1',
      values: ['now()'],
    });
    expect(sql.raw('TRUE').is('TRUE')).toBe(true);
    expect(sql`TRUE`.is('TRUE')).toBe(true);
    expect(sql`${true}`.is('TRUE')).toBe(false);
  });

  it('quotes identifiers, doubling quotes, and qualifies with several names', () => {
    expect(quoteIdent('a"b""c')).toBe('"a""b""""c"');
    expect(toQuery(sql`SELECT ${sql.ident('t', 'x"y')} FROM ${sql.ident('data', 'po"sts')}`).text).toBe(
      'SELECT "t"."x""y" FROM "data"."po""sts"',
    );
  });

  it.each([[''], ['a\0b'], ['x'.repeat(64)], ['é'.repeat(32)]])(
    'refuses %j as an identifier (PostgreSQL would refuse or cut it)',
    (name) => {
      expect(() => sql.ident(name)).toThrow(TypeError);
      expect(() => sql.ident('data', name)).toThrow('cannot be an identifier');
    },
  );

  it('accepts identifiers up to 63 bytes', () => {
    expect(sql.ident('x'.repeat(63)).is(`"${'x'.repeat(63)}"`)).toBe(true);
  });

  it('numbers after the values of the text a fragment goes into, answering only its own', () => {
    expect(toQuery(sql`a = ${1} OR b = ${[2]}`, 2)).toEqual({ text: 'a = $3 OR b = $4', values: [1, [2]] });
  });

  it('refuses an undefined value, which would bind as NULL unnoticed', () => {
    expect(() => sql`a = ${undefined}`).toThrow('undefined');
    expect(toQuery(sql`a = ${null}`).values).toEqual([null]);
  });
});
