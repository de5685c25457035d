import { sql, toQuery } from '@plinth/core';
import pg from 'pg';
import { compileCollection } from '../registry/compiled-collection.js';
import { posts, users, UUID_A } from '../validation/validation.fixture.js';
import {
  type ColumnValues,
  insertIfSql,
  judgeNewSql,
  rowToRecord,
  splitPrevious,
  timestamptzToIso,
  updateSql,
} from './record-sql.js';

// Record queries read timestamps as ISO strings already (RECORD_TYPES); other reads give Dates.
const stamp = '2024-01-01T00:00:00.500Z';
const base = { id: UUID_A, created: stamp, updated: stamp };

describe('rowToRecord', () => {
  const postsC = compileCollection(posts());
  const usersC = compileCollection(users());

  it('answers every field to admins and internal uses, with empty lists and nulls filled in', () => {
    const record = rowToRecord(
      { ...base, created: new Date('2024-01-01T00:00:00.5Z'), title: 'Hi', secret: 's' },
      postsC,
    );
    expect(record).toMatchObject({
      id: UUID_A,
      collectionId: postsC.def.id,
      collectionName: 'posts',
      created: '2024-01-01T00:00:00.500Z',
      title: 'Hi',
      secret: 's',
      tags: [],
      meta: null,
    });
    expect(Object.keys(record).slice(0, 5)).toEqual([
      'id',
      'collectionId',
      'collectionName',
      'created',
      'updated',
    ]);
  });

  it('leaves out hidden fields for other viewers, keeping the order of the rest', () => {
    const full = rowToRecord({ ...base, title: 'Hi', secret: 's' }, postsC);
    const shown = rowToRecord({ ...base, title: 'Hi', secret: 's' }, postsC, { hidden: false });
    expect(shown).not.toHaveProperty('secret');
    const { secret, ...rest } = full;
    expect(secret).toBe('s');
    expect(Object.keys(shown)).toEqual(Object.keys(rest));
  });

  it('never carries secret columns that a row read with them holds', () => {
    const row = { ...base, email: 'a@example.com', password_hash: 'h', token_key: 't', name: 'Ann' };
    expect(rowToRecord(row, usersC)).not.toHaveProperty('password_hash');
    expect(rowToRecord(row, usersC)).not.toHaveProperty('token_key');
  });

  it('leaves out the email of an auth record when asked, and hidden fields of auth records', () => {
    const row = {
      ...base,
      email: 'ann@example.com',
      emailVisibility: false,
      verified: true,
      name: 'Ann',
      notes: 'n',
    };
    expect(rowToRecord(row, usersC, { hidden: false, email: false })).toEqual({
      id: UUID_A,
      collectionId: usersC.def.id,
      collectionName: 'users',
      created: stamp,
      updated: stamp,
      emailVisibility: false,
      verified: true,
      name: 'Ann',
    });
    expect(rowToRecord(row, usersC, { hidden: false }).email).toBe('ann@example.com');
  });
});

describe('timestamptzToIso', () => {
  const viaDate = (text: string) => (pg.types.getTypeParser(1184, 'text')(text) as Date).toISOString();

  it.each([
    '2026-11-26 02:33:57+00',
    '2026-11-26 02:33:57.1+00',
    '2026-11-26 02:33:57.291+00',
    '2026-11-26 02:33:57.291999+00',
    '0001-01-01 00:00:00+00',
    '9999-12-31 23:59:59.999999+00',
    '2026-11-26 08:03:57.123456+05:30',
    '2026-11-25 21:33:57.5-05',
  ])('reads %s as pg and Date would', (text) => {
    expect(timestamptzToIso(text)).toBe(viaDate(text));
  });

  it('agrees with pg on every millisecond of a second', () => {
    for (let us = 0; us < 1_000_000; us += 997) {
      const text = `2026-11-26 02:33:57.${String(us).padStart(6, '0')}+00`;
      expect(timestamptzToIso(text)).toBe(viaDate(text));
    }
  });
});

describe('the row a create would store (rules first)', () => {
  const postsC = compileCollection(posts());
  const usersC = compileCollection(users());
  const values: ColumnValues = new Map([
    ['id', { value: UUID_A, cast: 'uuid' }],
    ['title', { value: 'Hi', cast: 'text' }],
  ]);

  it('inserts only when the rule holds for the new row, the rule binding after the values', () => {
    const { text, values: params } = toQuery(insertIfSql(postsC, values, sql`t."title" = ${'Hi'}::text`));
    expect(params).toEqual([UUID_A, 'Hi', 'Hi']);
    expect(text).toContain(
      'INSERT INTO "data"."posts" AS t ("id", "title") SELECT t."id", t."title" FROM (SELECT',
    );
    expect(text).toContain('WHERE t."title" = $3::text RETURNING');
  });

  it('gives the rule every column: omitted fields NULL of their type, timestamps now(), auth flags false', () => {
    const { text } = toQuery(
      judgeNewSql(usersC, new Map([['id', { value: UUID_A, cast: 'uuid' }]]), [sql.raw('TRUE')]),
    );
    expect(text).toContain('now() AS "created"');
    expect(text).toContain('false AS "verified"');
    expect(text).toContain('NULL::text AS "email"');
    for (const col of usersC.fieldColumns) expect(text).toContain(`NULL::${col.cast} AS "${col.name}"`);
    expect(text).toMatch(/^SELECT \(TRUE\) AS "j0" FROM \(SELECT /);
  });
});

describe('updateSql with the row before', () => {
  const postsC = compileCollection(posts());
  const values: ColumnValues = new Map([['title', { value: 'New', cast: 'text' }]]);

  it('reads and locks the row in the same statement and returns it as previous.<column>', () => {
    const { text, values: params } = toQuery(updateSql(postsC, UUID_A, values, sql.raw('TRUE'), true));
    expect(text).toContain('FROM (SELECT ');
    expect(text).toContain('FOR UPDATE OF t) AS "previous" WHERE t."id" = "previous"."id" AND (TRUE)');
    expect(text).toContain('"previous"."title" AS "previous.title"');
    // Numbered in the order they appear: SET before WHERE; the id, named twice, is bound once.
    expect(params).toEqual(['New', UUID_A]);
    expect(text.match(/"id" = \$2::uuid/g)).toHaveLength(1);
    expect(text).toContain('"title" = $1::text');
    expect(toQuery(updateSql(postsC, UUID_A, values)).text).not.toContain('previous');
  });

  it('splits such a row into the row after and the row before', () => {
    expect(
      splitPrevious({ id: UUID_A, title: 'New', 'previous.id': UUID_A, 'previous.title': 'Old' }),
    ).toEqual({
      row: { id: UUID_A, title: 'New' },
      previous: { id: UUID_A, title: 'Old' },
    });
  });
});
