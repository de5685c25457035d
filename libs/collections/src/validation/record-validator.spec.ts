import { ajvCacheSizeForTests } from './record-validator.js';
import { compileRecordValidators, MAX_JSON_DEPTH, MAX_REPORTED_ERRORS, normalizeDate } from './index.js';
import type { RecordFieldError, ValidationResult } from './index.js';
import { collection, posts, users, UUID_A, UUID_B, UUID_C } from './validation.fixture.js';

const postsV = compileRecordValidators(posts());
const usersV = compileRecordValidators(users());

function value(result: ValidationResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

function errors(result: ValidationResult): RecordFieldError[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

/** The errors as `path CODE` strings, for compact assertions. */
const codes = (result: ValidationResult): string[] => errors(result).map((e) => `${e.path} ${e.code}`);

const createPost = (body: Record<string, unknown>) => postsV.create({ title: 'Hello', ...body });

const PASSWORD = 'correct horse';

describe('compileRecordValidators', () => {
  describe('create', () => {
    it('accepts a minimal body and fills defaults and empty multi-value fields', () => {
      expect(value(postsV.create({ title: 'Hello' }))).toEqual({
        title: 'Hello',
        status: 'draft',
        tags: [],
        related: [],
        gallery: [],
      });
    });

    it('accepts a full body and normalizes it', () => {
      const body = {
        id: UUID_A.toUpperCase(),
        title: 'Hello',
        slug: 'hello-world',
        body: '',
        contact: 'a@example.com',
        website: 'https://example.com/a?b=c',
        views: 10,
        rating: -2.5,
        featured: false,
        publishedAt: '2024-01-31 10:00:00Z',
        status: 'live',
        tags: ['a', 'c'],
        meta: { nested: [1, 'two', null, { three: true }] },
        author: UUID_B.toUpperCase(),
        related: [UUID_B, UUID_C.toUpperCase()],
        cover: 'cover_abc.png',
        gallery: ['g1.png', 'g2.png'],
        secret: 's',
      };
      expect(value(postsV.create(body))).toEqual({
        ...body,
        id: UUID_A,
        publishedAt: '2024-01-31T10:00:00.000Z',
        author: UUID_B,
        related: [UUID_B, UUID_C],
      });
    });

    it('does not mutate the body', () => {
      const body = { title: 'Hello', author: UUID_A.toUpperCase(), publishedAt: '2024-01-31', contact: '' };
      const copy = structuredClone(body);
      value(postsV.create(body));
      expect(body).toEqual(copy);
    });

    it('returns a plain object', () => {
      expect(Object.getPrototypeOf(value(postsV.create({ title: 'x' })))).toBe(Object.prototype);
    });

    it('refuses a body that is not an object', () => {
      for (const body of [null, undefined, [], 'x', 5, true, new Date()]) {
        expect(errors(postsV.create(body))).toEqual([
          { path: '', code: 'INVALID_TYPE', message: 'the body must be a JSON object' },
        ]);
      }
    });

    it('reports a missing required field', () => {
      expect(errors(postsV.create({}))).toEqual([
        { path: 'title', code: 'REQUIRED', message: 'is required' },
      ]);
    });

    it('reports null and empty values of required fields as REQUIRED', () => {
      expect(errors(postsV.create({ title: null }))).toEqual([
        { path: 'title', code: 'REQUIRED', message: 'is required and cannot be null' },
      ]);
      expect(errors(postsV.create({ title: '' }))).toEqual([
        { path: 'title', code: 'REQUIRED', message: 'is required and cannot be empty' },
      ]);
    });

    it('refuses unknown fields and names the known ones', () => {
      const [e, ...rest] = errors(createPost({ titel: 'x' }));
      expect(rest).toEqual([]);
      expect(e).toEqual({
        path: 'titel',
        code: 'UNKNOWN_FIELD',
        message: expect.stringContaining('unknown field "titel"; the fields are: id, title, slug, body'),
      });
    });

    it('refuses system and modifier keys on create', () => {
      expect(
        codes(createPost({ created: '2024-01-01', updated: 'x', collectionId: 'c', 'tags+': 'a' })),
      ).toEqual([
        'created UNKNOWN_FIELD',
        'updated UNKNOWN_FIELD',
        'collectionId UNKNOWN_FIELD',
        'tags+ UNKNOWN_FIELD',
      ]);
    });

    it('reports every failing field, one error per path', () => {
      const result = postsV.create({
        title: 'x'.repeat(201),
        slug: 'Not A Slug',
        views: 1.5,
        publishedAt: 'someday',
        status: 'gone',
        tags: ['a', 'z', 'a', 'b'],
        website: 'ftp://x',
      });
      expect(codes(result)).toEqual([
        'title TOO_LONG',
        'slug PATTERN_MISMATCH',
        'website INVALID_FORMAT',
        'views NOT_AN_INTEGER',
        'publishedAt INVALID_FORMAT',
        'status INVALID_VALUE',
        'tags TOO_MANY_ITEMS',
        'tags.1 INVALID_VALUE',
      ]);
    });
  });

  describe('text', () => {
    it('checks max length in characters, not bytes or UTF-16 units', () => {
      const def = collection('t', [{ name: 't', type: 'text', max: 2 }]);
      const v = compileRecordValidators(def);
      expect(value(v.create({ t: '😀é' })).t).toBe('😀é');
      expect(errors(v.create({ t: '😀😀😀' }))).toEqual([
        { path: 't', code: 'TOO_LONG', message: 'must be at most 2 characters' },
      ]);
    });

    it('applies min and pattern to non-empty optional values only', () => {
      expect(value(createPost({ slug: '' })).slug).toBe('');
      expect(value(createPost({ slug: null })).slug).toBeNull();
      expect(value(createPost({ slug: 'ok-slug' })).slug).toBe('ok-slug');
      expect(errors(createPost({ slug: 'ab' }))).toEqual([
        { path: 'slug', code: 'TOO_SHORT', message: 'must be at least 3 characters' },
      ]);
      expect(errors(createPost({ slug: 'UPPER' }))).toEqual([
        { path: 'slug', code: 'PATTERN_MISMATCH', message: 'must match the pattern /^[a-z0-9-]+$/' },
      ]);
    });

    it('applies min and pattern to required values', () => {
      const v = compileRecordValidators(
        collection('t', [{ name: 'code', type: 'text', required: true, min: 4, max: 4, pattern: '^\\d+$' }]),
      );
      expect(value(v.create({ code: '1234' })).code).toBe('1234');
      expect(codes(v.create({ code: '123' }))).toEqual(['code TOO_SHORT']);
      expect(codes(v.create({ code: 'abcd' }))).toEqual(['code PATTERN_MISMATCH']);
      expect(codes(v.create({ code: '' }))).toEqual(['code REQUIRED']);
    });

    it('compiles patterns with the unicode flag', () => {
      const v = compileRecordValidators(collection('t', [{ name: 'w', type: 'text', pattern: '^\\p{L}+$' }]));
      expect(value(v.create({ w: 'Ünïcødé' })).w).toBe('Ünïcødé');
      expect(codes(v.create({ w: 'a1' }))).toEqual(['w PATTERN_MISMATCH']);
    });

    it('refuses non-strings', () => {
      expect(errors(postsV.create({ title: 5 }))).toEqual([
        { path: 'title', code: 'INVALID_TYPE', message: 'must be a string' },
      ]);
      expect(errors(createPost({ body: ['x'] }))).toEqual([
        { path: 'body', code: 'INVALID_TYPE', message: 'must be a string or null' },
      ]);
    });

    it('refuses NUL characters, which PostgreSQL cannot store', () => {
      expect(errors(postsV.create({ title: 'a\u0000b' }))).toEqual([
        { path: 'title', code: 'INVALID_VALUE', message: 'must not contain the NUL character (\\u0000)' },
      ]);
      expect(codes(createPost({ body: '\u0000' }))).toEqual(['body INVALID_VALUE']);
      expect(codes(createPost({ tags: ['a'], gallery: ['ok.png', 'x\u0000.png'] }))).toEqual([
        'gallery.1 INVALID_VALUE',
      ]);
    });

    it('answers quickly on huge strings', () => {
      const started = Date.now();
      expect(codes(postsV.create({ title: 'x'.repeat(1_000_000) }))).toEqual(['title TOO_LONG']);
      expect(codes(createPost({ slug: 'a'.repeat(500_000) + '!' }))).toEqual(['slug TOO_LONG']);
      expect(value(createPost({ body: 'b'.repeat(1_000_000) })).body).toHaveLength(1_000_000);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  describe('email and url', () => {
    it('checks the email format; "" means null when optional', () => {
      expect(value(createPost({ contact: 'x.y+z@sub.example.org' })).contact).toBe('x.y+z@sub.example.org');
      expect(value(createPost({ contact: '' })).contact).toBeNull();
      expect(errors(createPost({ contact: 'not an email' }))).toEqual([
        { path: 'contact', code: 'INVALID_FORMAT', message: 'must be a valid email address' },
      ]);
    });

    it('accepts only http and https URLs', () => {
      expect(value(createPost({ website: 'http://localhost:3000/x#y' })).website).toBe(
        'http://localhost:3000/x#y',
      );
      expect(value(createPost({ website: '' })).website).toBeNull();
      for (const bad of [
        'ftp://example.com',
        'javascript:alert(1)',
        'https://',
        'example.com',
        'https://a b',
      ]) {
        expect(errors(createPost({ website: bad }))).toEqual([
          { path: 'website', code: 'INVALID_FORMAT', message: 'must be a valid http:// or https:// URL' },
        ]);
      }
    });

    it('keeps "" an error for required email and url fields', () => {
      const v = compileRecordValidators(
        collection('t', [
          { name: 'e', type: 'email', required: true },
          { name: 'u', type: 'url', required: true },
        ]),
      );
      expect(codes(v.create({ e: '', u: '' }))).toEqual(['e REQUIRED', 'u REQUIRED']);
    });
  });

  describe('number', () => {
    it('checks integer, minimum and maximum', () => {
      expect(value(createPost({ views: 0, rating: 4.5 }))).toMatchObject({ views: 0, rating: 4.5 });
      expect(errors(createPost({ views: 1.5 }))).toEqual([
        { path: 'views', code: 'NOT_AN_INTEGER', message: 'must be an integer' },
      ]);
      expect(errors(createPost({ views: -1 }))).toEqual([
        { path: 'views', code: 'TOO_SMALL', message: 'must be at least 0' },
      ]);
      expect(errors(createPost({ rating: 5.01 }))).toEqual([
        { path: 'rating', code: 'TOO_LARGE', message: 'must be at most 5' },
      ]);
      expect(value(createPost({ views: null })).views).toBeNull();
    });

    it('does not coerce strings', () => {
      expect(errors(createPost({ views: '5' }))).toEqual([
        { path: 'views', code: 'INVALID_TYPE', message: 'must be an integer or null' },
      ]);
      expect(codes(createPost({ rating: true }))).toEqual(['rating INVALID_TYPE']);
    });

    it('refuses NaN and Infinity', () => {
      for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        expect(errors(createPost({ rating: n }))).toEqual([
          { path: 'rating', code: 'INVALID_VALUE', message: 'must be a finite number' },
        ]);
      }
    });

    it('allows 0 in a required number (required means present, not non-zero)', () => {
      const v = compileRecordValidators(collection('t', [{ name: 'n', type: 'number', required: true }]));
      expect(value(v.create({ n: 0 }))).toEqual({ n: 0 });
      expect(codes(v.create({ n: null }))).toEqual(['n REQUIRED']);
    });
  });

  describe('bool', () => {
    it('takes only booleans; false is a value', () => {
      const v = compileRecordValidators(collection('t', [{ name: 'b', type: 'bool', required: true }]));
      expect(value(v.create({ b: false }))).toEqual({ b: false });
      expect(codes(v.create({ b: 'true' }))).toEqual(['b INVALID_TYPE']);
      expect(codes(v.create({ b: 1 }))).toEqual(['b INVALID_TYPE']);
      expect(codes(v.create({}))).toEqual(['b REQUIRED']);
    });
  });

  describe('date', () => {
    it.each([
      ['2024-01-31', '2024-01-31T00:00:00.000Z'],
      ['2024-01-31 10:00:00Z', '2024-01-31T10:00:00.000Z'],
      ['2024-01-31 10:00:00.5Z', '2024-01-31T10:00:00.500Z'],
      ['2024-01-31T10:00:00Z', '2024-01-31T10:00:00.000Z'],
      ['2024-01-31t10:00:00.123456z', '2024-01-31T10:00:00.123Z'],
      ['2024-01-31T10:00:00.123456+02:00', '2024-01-31T08:00:00.123Z'],
      ['2024-01-31T23:30:00-01:00', '2024-02-01T00:30:00.000Z'],
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ])('normalizes %s to %s', (input, iso) => {
      expect(value(createPost({ publishedAt: input })).publishedAt).toBe(iso);
    });

    it.each([
      'yesterday',
      '2024-13-01',
      '2024-02-30',
      '2023-02-29',
      '2024-01-31T10:00:00',
      '2024-01-31 10:00',
      '2024-01-31T25:00:00Z',
      '31.01.2024',
      '0000-01-01',
      '0001-01-01T00:00:00+01:00',
    ])('refuses %s with one INVALID_FORMAT', (input) => {
      expect(codes(createPost({ publishedAt: input }))).toEqual(['publishedAt INVALID_FORMAT']);
    });

    it('refuses non-strings with INVALID_TYPE; "" and null mean empty', () => {
      expect(errors(createPost({ publishedAt: 1706659200000 }))).toEqual([
        { path: 'publishedAt', code: 'INVALID_TYPE', message: 'must be a string or null' },
      ]);
      expect(value(createPost({ publishedAt: '' })).publishedAt).toBeNull();
      expect(value(createPost({ publishedAt: null })).publishedAt).toBeNull();
    });

    it('normalizeDate', () => {
      expect(normalizeDate('2024-01-31T10:00:00+0530')).toBe('2024-01-31T04:30:00.000Z');
      expect(normalizeDate('2016-12-31T23:59:60Z')).toBe('2016-12-31T23:59:59.999Z');
      expect(normalizeDate('9999-12-31T23:59:59Z')).toBe('9999-12-31T23:59:59.000Z');
      expect(normalizeDate('9999-12-31T23:59:59-01:00')).toBeNull();
      expect(normalizeDate('2024-01-31T10:00:00+24:00')).toBeNull();
      expect(normalizeDate('nope')).toBeNull();
    });
  });

  describe('select', () => {
    it('single: one of the values; "" means null when optional', () => {
      expect(value(createPost({ status: 'live' })).status).toBe('live');
      expect(value(createPost({ status: '' })).status).toBeNull();
      expect(value(createPost({ status: null })).status).toBeNull();
      expect(errors(createPost({ status: 'gone' }))).toEqual([
        { path: 'status', code: 'INVALID_VALUE', message: 'must be one of "draft", "live", or null' },
      ]);
      expect(codes(createPost({ status: ['live'] }))).toEqual(['status INVALID_TYPE']);
    });

    it('single required: "" is REQUIRED', () => {
      const v = compileRecordValidators(
        collection('t', [{ name: 's', type: 'select', values: ['x', 'y'], required: true }]),
      );
      expect(codes(v.create({ s: '' }))).toEqual(['s REQUIRED']);
      expect(errors(v.create({ s: 'z' }))).toEqual([
        { path: 's', code: 'INVALID_VALUE', message: 'must be one of "x", "y"' },
      ]);
    });

    it('multi: distinct values, at most maxSelect, null means []', () => {
      expect(value(createPost({ tags: ['b', 'a'] })).tags).toEqual(['b', 'a']);
      expect(value(createPost({ tags: null })).tags).toEqual([]);
      expect(value(createPost({ tags: [] })).tags).toEqual([]);
      expect(errors(createPost({ tags: ['a', 'b', 'a'] }))).toEqual([
        {
          path: 'tags',
          code: 'NOT_UNIQUE_ITEMS',
          message: 'must not contain duplicates (items 0 and 2 are equal)',
        },
      ]);
      expect(errors(createPost({ tags: ['a', 'b', 'c', 'd'] }))).toEqual([
        { path: 'tags', code: 'TOO_MANY_ITEMS', message: 'must have at most 3 items' },
      ]);
      expect(codes(createPost({ tags: ['a', 'x'] }))).toEqual(['tags.1 INVALID_VALUE']);
      expect(codes(createPost({ tags: 'a' }))).toEqual(['tags INVALID_TYPE']);
      expect(codes(createPost({ tags: [1] }))).toEqual(['tags.0 INVALID_TYPE']);
    });

    it('multi required: at least one value', () => {
      const v = compileRecordValidators(
        collection('t', [{ name: 'm', type: 'select', values: ['x', 'y'], maxSelect: 2, required: true }]),
      );
      expect(errors(v.create({ m: [] }))).toEqual([
        { path: 'm', code: 'REQUIRED', message: 'is required and cannot be empty' },
      ]);
      expect(codes(v.create({}))).toEqual(['m REQUIRED']);
      expect(codes(v.create({ m: null }))).toEqual(['m REQUIRED']);
      expect(value(v.create({ m: ['y'] }))).toEqual({ m: ['y'] });
    });
  });

  describe('json', () => {
    it('takes any JSON value', () => {
      for (const meta of [null, 0, 'text', true, [1, [2]], { a: { b: null } }]) {
        expect(value(createPost({ meta })).meta).toEqual(meta);
      }
    });

    it('required: not null', () => {
      const v = compileRecordValidators(collection('t', [{ name: 'j', type: 'json', required: true }]));
      expect(value(v.create({ j: false }))).toEqual({ j: false });
      expect(value(v.create({ j: {} }))).toEqual({ j: {} });
      expect(codes(v.create({ j: null }))).toEqual(['j REQUIRED']);
      expect(codes(v.create({}))).toEqual(['j REQUIRED']);
    });

    it('refuses NUL in nested strings and keys', () => {
      expect(codes(createPost({ meta: { a: ['ok', 'b\u0000'] } }))).toEqual(['meta.a.1 INVALID_VALUE']);
      expect(codes(createPost({ meta: { ['k\u0000']: 1 } }))).toEqual(['meta.k\u0000 INVALID_VALUE']);
    });

    it(`refuses nesting deeper than ${MAX_JSON_DEPTH}`, () => {
      const nest = (depth: number): unknown => {
        let v: unknown = 'leaf';
        for (let i = 0; i < depth; i++) v = i % 2 ? { k: v } : [v];
        return v;
      };
      expect(value(createPost({ meta: nest(MAX_JSON_DEPTH) })).meta).toEqual(nest(MAX_JSON_DEPTH));
      const [e] = errors(createPost({ meta: nest(MAX_JSON_DEPTH + 1) }));
      expect(e).toMatchObject({
        code: 'INVALID_VALUE',
        message: `is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`,
      });
      expect(e!.path.startsWith('meta.')).toBe(true);
      // Very deep input does not overflow the stack.
      expect(codes(createPost({ meta: nest(100_000) }))[0]).toMatch(/^meta\..* INVALID_VALUE$/);
    });
  });

  describe('relation', () => {
    it('single: a uuid (lowercased); "" means null', () => {
      expect(value(createPost({ author: UUID_A.toUpperCase() })).author).toBe(UUID_A);
      expect(value(createPost({ author: '' })).author).toBeNull();
      expect(errors(createPost({ author: 'abc' }))).toEqual([
        { path: 'author', code: 'INVALID_FORMAT', message: 'must be a record id (a UUID)' },
      ]);
      expect(codes(createPost({ author: `urn:uuid:${UUID_A}` }))).toEqual(['author INVALID_FORMAT']);
      expect(codes(createPost({ author: 5 }))).toEqual(['author INVALID_TYPE']);
    });

    it('multi: distinct uuids, at most maxSelect', () => {
      expect(value(createPost({ related: [UUID_A, UUID_B] })).related).toEqual([UUID_A, UUID_B]);
      expect(codes(createPost({ related: [UUID_A, UUID_A] }))).toEqual(['related NOT_UNIQUE_ITEMS']);
      expect(codes(createPost({ related: [UUID_A, 'nope'] }))).toEqual(['related.1 INVALID_FORMAT']);
      expect(
        codes(createPost({ related: Array.from({ length: 6 }, (_, i) => UUID_A.slice(0, -1) + i) })),
      ).toEqual(['related TOO_MANY_ITEMS']);
    });
  });

  describe('file', () => {
    it('single: a name or null; multi: distinct names', () => {
      expect(value(createPost({ cover: 'a.png' })).cover).toBe('a.png');
      expect(value(createPost({ cover: '' })).cover).toBeNull();
      expect(codes(createPost({ cover: 5 }))).toEqual(['cover INVALID_TYPE']);
      expect(value(createPost({ gallery: ['a.png'] })).gallery).toEqual(['a.png']);
      expect(codes(createPost({ gallery: ['a.png', ''] }))).toEqual(['gallery.1 TOO_SHORT']);
      expect(codes(createPost({ gallery: ['1', '2', '3', '4', '5'] }))).toEqual(['gallery TOO_MANY_ITEMS']);
    });
  });

  describe('id', () => {
    it('takes a client uuid, lowercased', () => {
      expect(value(createPost({ id: UUID_C.toUpperCase() })).id).toBe(UUID_C);
      expect(errors(createPost({ id: 'my-id' }))).toEqual([
        { path: 'id', code: 'INVALID_FORMAT', message: 'must be a record id (a UUID)' },
      ]);
      expect(codes(createPost({ id: 5 }))).toEqual(['id INVALID_TYPE']);
    });
  });

  describe('defaults', () => {
    const def = collection('d', [
      { name: 'n', type: 'number', required: true, default: 3 },
      { name: 'j', type: 'json', default: { list: [1] } },
      { name: 'm', type: 'select', values: ['x', 'y'], maxSelect: 2, default: ['x'] },
      { name: 'd', type: 'date', default: '2024-01-31' },
      { name: 'bad', type: 'select', values: ['x'], default: 'nope' },
    ]);
    const v = compileRecordValidators(def);

    it('applies defaults to absent fields only, and validates them', () => {
      expect(value(v.create({ bad: 'x' }))).toEqual({
        bad: 'x',
        n: 3,
        j: { list: [1] },
        m: ['x'],
        d: '2024-01-31T00:00:00.000Z',
      });
      expect(value(v.create({ n: 0, j: null, m: [], d: null, bad: null }))).toEqual({
        n: 0,
        j: null,
        m: [],
        d: null,
        bad: null,
      });
      // A default the field itself refuses surfaces instead of being stored.
      expect(codes(v.create({}))).toEqual(['bad INVALID_VALUE']);
    });

    it('does not share default objects between records', () => {
      const a = value(v.create({ bad: 'x' }));
      (a.j as { list: number[] }).list.push(2);
      expect(value(v.create({ bad: 'x' })).j).toEqual({ list: [1] });
      expect(def.fields[1]!.default).toEqual({ list: [1] });
    });

    it('does not apply defaults on update', () => {
      expect(value(v.update({}))).toEqual({});
    });
  });

  describe('hostile input', () => {
    it('refuses prototype keys as unknown fields without polluting anything', () => {
      const body = JSON.parse(
        '{"title":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1}',
      );
      expect(codes(postsV.create(body))).toEqual([
        '__proto__ UNKNOWN_FIELD',
        'constructor UNKNOWN_FIELD',
        'prototype UNKNOWN_FIELD',
      ]);
      expect(codes(postsV.update(body))).toEqual([
        '__proto__ UNKNOWN_FIELD',
        'constructor UNKNOWN_FIELD',
        'prototype UNKNOWN_FIELD',
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('only looks at own properties', () => {
      const v = compileRecordValidators(
        collection('t', [
          { name: 'constructor', type: 'text', required: true },
          { name: 'toString', type: 'text' },
        ]),
      );
      expect(codes(v.create({}))).toEqual(['constructor REQUIRED']);
      const inherited = Object.create({ constructor: 'x' }) as Record<string, unknown>;
      expect(codes(v.create(inherited))).toEqual(['constructor REQUIRED']);
      const ok = value(v.create(JSON.parse('{"constructor":"c","toString":"t"}')));
      expect(Object.keys(ok)).toEqual(['constructor', 'toString']);
      expect(ok.constructor).toBe('c');
    });

    it('truncates huge unknown keys in errors', () => {
      const key = 'k'.repeat(10_000);
      const [e] = errors(createPost({ [key]: 1 }));
      expect(e!.code).toBe('UNKNOWN_FIELD');
      expect(e!.path).toBe(`${'k'.repeat(100)}…`);
      expect(e!.message.length).toBeLessThan(500);
    });

    it(`reports at most ${MAX_REPORTED_ERRORS} errors`, () => {
      const body: Record<string, unknown> = { title: 'x' };
      for (let i = 0; i < 5000; i++) body[`junk${i}`] = i;
      const list = errors(postsV.create(body));
      expect(list).toHaveLength(MAX_REPORTED_ERRORS);
      expect(list[0]).toMatchObject({ path: 'junk0', code: 'UNKNOWN_FIELD' });
    });

    it('never reports one path twice', () => {
      const list = errors(
        postsV.create({
          title: 7,
          slug: 'A',
          publishedAt: 'x',
          tags: ['x', 'x', 'x', 'x'],
          related: ['bad', 'bad'],
          meta: { a: '\u0000' },
        }),
      );
      const paths = list.map((e) => e.path);
      expect(new Set(paths).size).toBe(paths.length);
      expect(paths).toEqual([
        'title',
        'slug',
        'publishedAt',
        'tags',
        'tags.0',
        'tags.1',
        'tags.2',
        'tags.3',
        'related.0',
        'related.1',
        'related',
        'meta.a',
      ]);
    });
  });

  describe('update', () => {
    it('accepts an empty body and partial bodies without filling anything', () => {
      expect(value(postsV.update({}))).toEqual({});
      expect(value(postsV.update({ views: 3 }))).toEqual({ views: 3 });
    });

    it('still refuses null for required fields', () => {
      expect(codes(postsV.update({ title: null }))).toEqual(['title REQUIRED']);
      expect(codes(postsV.update({ title: '' }))).toEqual(['title REQUIRED']);
    });

    it('refuses id and system keys', () => {
      expect(codes(postsV.update({ id: UUID_A, created: 'x', expand: {} }))).toEqual([
        'id UNKNOWN_FIELD',
        'created UNKNOWN_FIELD',
        'expand UNKNOWN_FIELD',
      ]);
    });

    it('normalizes like create', () => {
      expect(value(postsV.update({ publishedAt: '2024-01-31', author: '', status: '' }))).toEqual({
        publishedAt: '2024-01-31T00:00:00.000Z',
        author: null,
        status: null,
      });
    });

    describe('modifiers', () => {
      it('takes a value or an array for field+, +field and field-, and hands back arrays', () => {
        expect(
          value(
            postsV.update({
              'tags+': 'a',
              '+tags': ['b', 'c'],
              'tags-': ['d'],
              'related+': UUID_A.toUpperCase(),
              'related-': [UUID_B.toUpperCase()],
              'gallery-': ['old.png'],
            }),
          ),
        ).toEqual({
          'tags+': ['a'],
          '+tags': ['b', 'c'],
          'tags-': ['d'],
          'related+': [UUID_A],
          'related-': [UUID_B],
          'gallery-': ['old.png'],
        });
      });

      it('validates the values', () => {
        expect(errors(postsV.update({ 'tags+': 'z' }))).toEqual([
          { path: 'tags+', code: 'INVALID_VALUE', message: 'must be one of "a", "b", "c", "d"' },
        ]);
        expect(codes(postsV.update({ 'tags+': ['a', 'z'] }))).toEqual(['tags+.1 INVALID_VALUE']);
        expect(errors(postsV.update({ 'tags-': 5 }))).toEqual([
          { path: 'tags-', code: 'INVALID_TYPE', message: 'must be a string or an array' },
        ]);
        expect(codes(postsV.update({ 'related+': 'nope' }))).toEqual(['related+ INVALID_FORMAT']);
        expect(codes(postsV.update({ '+related': [UUID_A, 'nope'] }))).toEqual(['+related.1 INVALID_FORMAT']);
        expect(codes(postsV.update({ 'gallery+': 'x\u0000' }))).toEqual(['gallery+ INVALID_VALUE']);
      });

      it('exist only for multi-value fields', () => {
        expect(codes(postsV.update({ 'status+': 'live', 'title+': 'x', 'views-': 1, 'nope+': 1 }))).toEqual([
          'status+ UNKNOWN_FIELD',
          'title+ UNKNOWN_FIELD',
          'views- UNKNOWN_FIELD',
          'nope+ UNKNOWN_FIELD',
        ]);
      });

      it('mentions them in the unknown-field message', () => {
        expect(errors(postsV.update({ x: 1 }))[0]!.message).toContain('field+, +field and field-');
      });
    });
  });

  describe('auth collections', () => {
    const signUp = { email: 'ann@example.com', password: PASSWORD, passwordConfirm: PASSWORD };

    it('create: takes email and password, defaults emailVisibility to false, keeps the passwords', () => {
      expect(value(usersV.create({ ...signUp, name: 'Ann' }))).toEqual({
        ...signUp,
        name: 'Ann',
        emailVisibility: false,
      });
      expect(value(usersV.create({ ...signUp, emailVisibility: true })).emailVisibility).toBe(true);
    });

    it('create: email, password and passwordConfirm are required', () => {
      expect(codes(usersV.create({}))).toEqual([
        'email REQUIRED',
        'password REQUIRED',
        'passwordConfirm REQUIRED',
      ]);
      expect(codes(usersV.create({ ...signUp, email: '' }))).toEqual(['email REQUIRED']);
      expect(codes(usersV.create({ ...signUp, email: 'nope' }))).toEqual(['email INVALID_FORMAT']);
      expect(codes(usersV.create({ ...signUp, email: `${'a'.repeat(250)}@x.io` }))).toEqual([
        'email TOO_LONG',
      ]);
    });

    it('create: passwords must match and be 8 to 256 characters', () => {
      expect(errors(usersV.create({ ...signUp, passwordConfirm: 'something else' }))).toEqual([
        { path: 'passwordConfirm', code: 'PASSWORDS_DONT_MATCH', message: "passwords don't match" },
      ]);
      expect(errors(usersV.create({ ...signUp, password: 'short', passwordConfirm: 'short' }))).toEqual([
        { path: 'password', code: 'TOO_SHORT', message: 'must be at least 8 characters' },
        { path: 'passwordConfirm', code: 'TOO_SHORT', message: 'must be at least 8 characters' },
      ]);
      const long = 'p'.repeat(257);
      expect(codes(usersV.create({ ...signUp, password: long, passwordConfirm: long }))).toEqual([
        'password TOO_LONG',
        'passwordConfirm TOO_LONG',
      ]);
      const max = 'p'.repeat(256);
      expect(value(usersV.create({ ...signUp, password: max, passwordConfirm: max })).password).toBe(max);
    });

    it('create: verified, tokenKey, the hash and oldPassword are not writable', () => {
      expect(
        codes(
          usersV.create({
            ...signUp,
            verified: true,
            tokenKey: 'x',
            password_hash: 'x',
            token_key: 'x',
            oldPassword: 'x',
          }),
        ),
      ).toEqual([
        'verified UNKNOWN_FIELD',
        'tokenKey UNKNOWN_FIELD',
        'password_hash UNKNOWN_FIELD',
        'token_key UNKNOWN_FIELD',
        'oldPassword UNKNOWN_FIELD',
      ]);
    });

    it('update: changing the password needs passwordConfirm and oldPassword', () => {
      expect(errors(usersV.update({ password: PASSWORD }))).toEqual([
        { path: 'passwordConfirm', code: 'REQUIRED', message: 'is required to change the password' },
        { path: 'oldPassword', code: 'REQUIRED', message: 'is required to change the password' },
      ]);
      expect(
        codes(usersV.update({ password: PASSWORD, passwordConfirm: 'other pass', oldPassword: 'old' })),
      ).toEqual(['passwordConfirm PASSWORDS_DONT_MATCH']);
      expect(codes(usersV.update({ passwordConfirm: PASSWORD }))).toEqual([
        'passwordConfirm PASSWORDS_DONT_MATCH',
      ]);
      expect(
        value(usersV.update({ password: PASSWORD, passwordConfirm: PASSWORD, oldPassword: 'old' })),
      ).toEqual({
        password: PASSWORD,
        passwordConfirm: PASSWORD,
        oldPassword: 'old',
      });
      expect(
        codes(usersV.update({ password: 'short', passwordConfirm: 'short', oldPassword: 'old' })),
      ).toEqual(['password TOO_SHORT', 'passwordConfirm TOO_SHORT']);
    });

    it('update: admins may set a password without oldPassword', () => {
      expect(
        value(usersV.update({ password: PASSWORD, passwordConfirm: PASSWORD }, { isAdmin: true })),
      ).toEqual({
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      });
      expect(
        codes(usersV.update({ password: PASSWORD, passwordConfirm: PASSWORD }, { isAdmin: false })),
      ).toEqual(['oldPassword REQUIRED']);
      expect(codes(usersV.update({ password: PASSWORD }, { isAdmin: true }))).toEqual([
        'passwordConfirm REQUIRED',
      ]);
    });

    it('update: email and emailVisibility are optional; verified is not writable; no default fill', () => {
      expect(value(usersV.update({ email: 'new@example.com' }))).toEqual({ email: 'new@example.com' });
      expect(value(usersV.update({ emailVisibility: true }))).toEqual({ emailVisibility: true });
      expect(codes(usersV.update({ email: '' }))).toEqual(['email REQUIRED']);
      expect(codes(usersV.update({ verified: true, tokenKey: 'x' }))).toEqual([
        'verified UNKNOWN_FIELD',
        'tokenKey UNKNOWN_FIELD',
      ]);
    });

    it('refuses NUL in passwords and emails', () => {
      const nul = 'pass\u0000word';
      expect(codes(usersV.create({ ...signUp, password: nul, passwordConfirm: nul }))).toEqual([
        'password INVALID_VALUE',
        'passwordConfirm INVALID_VALUE',
      ]);
    });
  });

  describe('caching', () => {
    it('compiles once per def object', () => {
      const def = posts();
      const a = compileRecordValidators(def);
      const b = compileRecordValidators(def);
      expect(b).toBe(a);
      expect(b.create).toBe(a.create);
      expect(b.update).toBe(a.update);
      expect(b.schemas).toBe(a.schemas);
      expect(compileRecordValidators(structuredClone(def))).not.toBe(a);
    });

    it('exposes the schemas it validates with', () => {
      expect(postsV.schemas.create.title).toBe('posts.create');
      expect(postsV.schemas.update.title).toBe('posts.update');
      expect(postsV.schemas.response.title).toBe('posts.response');
    });

    it('does not keep compiled schemas in the shared ajv instance', () => {
      compileRecordValidators(posts());
      const before = ajvCacheSizeForTests();
      for (let i = 0; i < 20; i++) compileRecordValidators(posts());
      expect(ajvCacheSizeForTests()).toBe(before);
    });

    it('names the collection when a pattern cannot be compiled', () => {
      expect(() =>
        compileRecordValidators(collection('broken', [{ name: 't', type: 'text', pattern: '(' }])),
      ).toThrow(/collection "broken": cannot compile the broken\.create schema/);
    });
  });
});
