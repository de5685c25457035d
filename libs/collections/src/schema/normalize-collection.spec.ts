import type { CollectionDef, FieldDef } from './collection.types.js';
import { normalizeCollection } from './normalize-collection.js';
import {
  codesOf,
  normalizeOk,
  posts,
  POSTS_ID,
  problemsOf,
  schema,
  sequentialIds,
  users,
  USERS_ID,
} from './schema.fixture.js';

const HOSTILE = '"; DROP TABLE x; --';

/** A create body with one field. */
const oneField = (field: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'things',
  fields: [field],
  ...extra,
});

/** The single normalized field of a one-field create. */
const fieldOf = (field: Record<string, unknown>): FieldDef => normalizeOk(oneField(field)).fields[0]!;

describe('normalizeCollection: create', () => {
  it('fills in every default for a minimal body', () => {
    const ids = sequentialIds();
    expect(normalizeOk({ name: 'notes' }, null, schema, ids)).toStrictEqual({
      id: '0190b6a1-0000-7000-8000-000000000101',
      name: 'notes',
      type: 'base',
      fields: [],
      indexes: [],
      listRule: null,
      viewRule: null,
      createRule: null,
      updateRule: null,
      deleteRule: null,
    });
    expect(ids.used).toEqual({ collections: 1, fields: 0 });
  });

  it('normalizes the DESIGN example with defaults and fresh ids', () => {
    const value = normalizeOk({
      name: 'articles',
      type: 'base',
      fields: [
        { name: 'title', type: 'text', required: true, max: 200 },
        { name: 'views', type: 'number', min: 0, onlyInt: true },
        { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1, onDelete: 'cascade' },
        {
          name: 'cover',
          type: 'file',
          maxSelect: 1,
          maxSize: 5242880,
          mimeTypes: ['image/png', 'image/jpeg'],
          thumbs: ['100x100'],
        },
      ],
      indexes: [{ fields: ['status', 'views'], unique: false }],
      listRule: "status = 'live' || author = @request.auth.id",
      viewRule: '',
      createRule: "@request.auth.id != ''",
      updateRule: 'author = @request.auth.id',
      deleteRule: null,
    });
    expect(value).toStrictEqual({
      id: '0190b6a1-0000-7000-8000-000000000101',
      name: 'articles',
      type: 'base',
      fields: [
        { id: 'f001', name: 'title', type: 'text', required: true, unique: false, hidden: false, max: 200 },
        {
          id: 'f002',
          name: 'views',
          type: 'number',
          required: false,
          unique: false,
          hidden: false,
          min: 0,
          onlyInt: true,
        },
        {
          id: 'f003',
          name: 'status',
          type: 'select',
          required: false,
          unique: false,
          hidden: false,
          values: ['draft', 'live'],
          maxSelect: 1,
        },
        {
          id: 'f004',
          name: 'author',
          type: 'relation',
          required: false,
          unique: false,
          hidden: false,
          collection: 'users',
          maxSelect: 1,
          onDelete: 'cascade',
        },
        {
          id: 'f005',
          name: 'cover',
          type: 'file',
          required: false,
          unique: false,
          hidden: false,
          maxSelect: 1,
          maxSize: 5242880,
          mimeTypes: ['image/png', 'image/jpeg'],
          thumbs: ['100x100'],
          protected: false,
          inlinePdf: false,
        },
      ],
      indexes: [{ fields: ['status', 'views'], unique: false }],
      listRule: "status = 'live' || author = @request.auth.id",
      viewRule: '',
      createRule: "@request.auth.id != ''",
      updateRule: 'author = @request.auth.id',
      deleteRule: null,
    });
  });

  it('applies per-type defaults', () => {
    expect(fieldOf({ name: 'n', type: 'number' })).toStrictEqual({
      id: 'f001',
      name: 'n',
      type: 'number',
      required: false,
      unique: false,
      hidden: false,
      onlyInt: false,
    });
    expect(fieldOf({ name: 's', type: 'select', values: ['a'] })).toMatchObject({ maxSelect: 1 });
    expect(fieldOf({ name: 'r', type: 'relation', collection: 'users' })).toMatchObject({
      maxSelect: 1,
      onDelete: 'set-null',
    });
    expect(fieldOf({ name: 'f', type: 'file' })).toStrictEqual({
      id: 'f001',
      name: 'f',
      type: 'file',
      required: false,
      unique: false,
      hidden: false,
      maxSelect: 1,
      maxSize: 5 * 1024 * 1024,
      mimeTypes: [],
      thumbs: [],
      protected: false,
      inlinePdf: false,
    });
    for (const type of ['bool', 'email', 'url', 'date', 'json']) {
      expect(fieldOf({ name: 'x', type })).toStrictEqual({
        id: 'f001',
        name: 'x',
        type,
        required: false,
        unique: false,
        hidden: false,
      });
    }
  });

  it('makes a required relation without onDelete restrict, never set-null', () => {
    expect(fieldOf({ name: 'r', type: 'relation', collection: 'users', required: true })).toMatchObject({
      required: true,
      onDelete: 'restrict',
    });
  });

  it('assigns a fresh collection id and field ids in order, ignoring ids sent on create', () => {
    const ids = sequentialIds();
    const value = normalizeOk(
      {
        id: 'mine',
        name: 'notes',
        fields: [
          { id: 'fp1', name: 'a', type: 'text' },
          { name: 'b', type: 'bool' },
        ],
      },
      null,
      schema,
      ids,
    );
    // A client's collection id is kept (PocketBase's and imported ids, docs/decisions/text-ids.md).
    expect(value.id).toBe('mine');
    expect(value.fields.map((f) => f.id)).toEqual(['f001', 'f002']);
    expect(ids.used).toEqual({ collections: 0, fields: 2 });
    expect(normalizeOk({ name: 'other' }, null, schema, ids).id).toBe('0190b6a1-0000-7000-8000-000000000101');
  });

  it('uses no ids when the input is refused', () => {
    const ids = sequentialIds();
    const result = normalizeCollection(
      { name: 'select', fields: [{ name: 'a', type: 'text' }] },
      null,
      schema,
      ids,
    );
    expect(result.ok).toBe(false);
    expect(ids.used).toEqual({ collections: 0, fields: 0 });
  });

  it('accepts and drops the server-managed created/updated keys', () => {
    const value = normalizeOk({ name: 'notes', created: '2020-01-01', updated: '2020-01-01' });
    expect(value).not.toHaveProperty('created');
    expect(value).not.toHaveProperty('updated');
    expect(codesOf({ name: 'notes', created: 5 })).toEqual([['created', 'INVALID_TYPE']]);
  });

  it.each([null, [], 'posts', 42, true])('refuses a body that is not an object: %p', (input) => {
    expect(codesOf(input)).toEqual([['', 'INVALID_TYPE']]);
  });

  it('refuses unknown keys at every level', () => {
    expect(
      codesOf({
        name: 'notes',
        system: true,
        fields: [{ name: 'a', type: 'text', colour: 'red' }],
        indexes: [{ fields: ['a'], where: 'a > 1' }],
      }),
    ).toEqual([
      // PocketBase's `system` flag: only false is accepted.
      ['system', 'INVALID_VALUE'],
      ['fields.0.colour', 'UNKNOWN_KEY'],
      ['indexes.0.where', 'UNKNOWN_KEY'],
    ]);
  });

  it('reports every problem at once, each with a message saying what to do', () => {
    const problems = problemsOf({
      name: 'Bad Name',
      type: 'view',
      fields: [{ name: 'created', type: 'text' }, { name: 'n', type: 'number', max: 'ten' }, 7],
      indexes: 'status',
      listRule: 5,
      viewRule: 'nope = 1',
    });
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['name', 'INVALID_NAME'],
      ['type', 'INVALID_VALUE'],
      ['fields.0.name', 'RESERVED_NAME'],
      ['fields.1.max', 'INVALID_TYPE'],
      ['fields.2', 'INVALID_TYPE'],
      ['indexes', 'INVALID_TYPE'],
      ['listRule', 'INVALID_TYPE'],
      ['viewRule', 'INVALID_RULE'],
    ]);
    expect(problems[1]!.message).toBe('Unknown collection type "view"; use "base" or "auth".');
    expect(problems[3]!.message).toBe('"max" must be a number, not a string.');
    expect(problems[7]!.message).toBe('Unknown field "nope".');
  });
});

describe('normalizeCollection: collection name and type', () => {
  it('requires a name on create', () => {
    expect(problemsOf({})).toEqual([
      { path: 'name', code: 'REQUIRED', message: 'A collection needs a "name", e.g. "posts".' },
    ]);
  });

  it.each([
    [HOSTILE, 'INVALID_NAME'],
    ['Posts', 'INVALID_NAME'],
    ['1posts', 'INVALID_NAME'],
    ['_posts', 'INVALID_NAME'],
    ['blog-posts', 'INVALID_NAME'],
    ['a'.repeat(64), 'INVALID_NAME'],
    ['', 'INVALID_NAME'],
    ['select', 'RESERVED_NAME'],
    ['collections', 'RESERVED_NAME'],
    ['users', 'COLLECTION_NAME_TAKEN'],
  ])('refuses the name %p with %s', (name, code) => {
    expect(codesOf({ name })).toEqual([['name', code]]);
  });

  it('explains the rule for names and quotes hostile input safely', () => {
    const [problem] = problemsOf({ name: HOSTILE });
    expect(problem!.message).toBe(
      'The collection name "\\"; DROP TABLE x; --" is not allowed: use 1 to 63 lowercase letters, digits and underscores, starting with a letter (e.g. "blog_posts").',
    );
  });

  it('names the taken collection and says what to do', () => {
    expect(problemsOf({ name: 'posts' })).toEqual([
      {
        path: 'name',
        code: 'COLLECTION_NAME_TAKEN',
        message: 'A collection named "posts" already exists; choose another name.',
      },
    ]);
  });

  it('accepts the longest name and names with digits and underscores', () => {
    expect(normalizeOk({ name: 'a'.repeat(63) }).name).toBe('a'.repeat(63));
    expect(normalizeOk({ name: 'blog_posts_2' }).name).toBe('blog_posts_2');
  });

  it('refuses a name of the wrong type', () => {
    expect(codesOf({ name: ['posts'] })).toEqual([['name', 'INVALID_TYPE']]);
  });

  it('creates auth collections and refuses unknown types', () => {
    expect(normalizeOk({ name: 'members', type: 'auth' }).type).toBe('auth');
    expect(codesOf({ name: 'members', type: 'view' })).toEqual([['type', 'INVALID_VALUE']]);
    expect(codesOf({ name: 'members', type: 1 })).toEqual([['type', 'INVALID_TYPE']]);
  });
});

describe('normalizeCollection: field names and types', () => {
  it.each([
    [HOSTILE, 'INVALID_NAME'],
    ['1st', 'INVALID_NAME'],
    ['_x', 'INVALID_NAME'],
    ['with space', 'INVALID_NAME'],
    ['a"b', 'INVALID_NAME'],
    ['x'.repeat(64), 'INVALID_NAME'],
    ['Id', 'RESERVED_NAME'],
    ['Created', 'RESERVED_NAME'],
    ['UPDATED', 'RESERVED_NAME'],
    ['email', 'RESERVED_NAME'],
    ['password_hash', 'RESERVED_NAME'],
    ['tokenkey', 'RESERVED_NAME'],
    ['expand', 'RESERVED_NAME'],
    ['xmin', 'RESERVED_NAME'],
    ['ctid', 'RESERVED_NAME'],
  ])('refuses the field name %p with %s', (name, code) => {
    // `email` is reserved in auth collections only (see below).
    const extra = name === 'email' ? { type: 'auth' } : {};
    expect(codesOf(oneField({ name, type: 'text' }, extra))).toEqual([['fields.0.name', code]]);
  });

  // Issue 19: PocketBase apps have `email` (and `verified`) fields in base collections; only an auth
  // collection has those columns of its own.
  it.each(['email', 'emailVisibility', 'verified'])(
    'takes %p as a field name in a base collection only',
    (name) => {
      expect(fieldOf({ name, type: name === 'email' ? 'email' : 'bool' }).name).toBe(name);
      expect(codesOf(oneField({ name, type: 'bool' }, { type: 'auth' }))).toEqual([
        ['fields.0.name', 'RESERVED_NAME'],
      ]);
    },
  );

  it('keeps the case of field names', () => {
    expect(fieldOf({ name: 'publishedAt', type: 'date' }).name).toBe('publishedAt');
  });

  it('refuses field names that differ only in case', () => {
    expect(
      problemsOf({
        name: 'things',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'body', type: 'text' },
          { name: 'Title', type: 'number' },
        ],
      }),
    ).toEqual([
      {
        path: 'fields.2.name',
        code: 'DUPLICATE_FIELD_NAME',
        message:
          'Field 2 is named "Title" like field 0 (names are compared ignoring case); rename one of them.',
      },
    ]);
  });

  it('needs a name and a known type on every field', () => {
    expect(
      codesOf({ name: 'things', fields: [{}, { name: 'a', type: 'string' }, { name: 'b', type: 3 }] }),
    ).toEqual([
      ['fields.0.name', 'REQUIRED'],
      ['fields.0.type', 'REQUIRED'],
      ['fields.1.type', 'INVALID_VALUE'],
      ['fields.2.type', 'INVALID_TYPE'],
    ]);
  });

  it('refuses fields that are not a list', () => {
    expect(codesOf({ name: 'things', fields: { title: 'text' } })).toEqual([['fields', 'INVALID_TYPE']]);
  });

  it('caps the number of fields', () => {
    const fields = Array.from({ length: 501 }, (_, i) => ({ name: `f${i}`, type: 'bool' }));
    expect(codesOf({ name: 'things', fields })).toEqual([['fields', 'OUT_OF_RANGE']]);
    expect(normalizeOk({ name: 'things', fields: fields.slice(0, 500) }).fields).toHaveLength(500);
  });
});

describe('normalizeCollection: options per field type', () => {
  it.each([
    [{ type: 'number', pattern: 'x' }, 'pattern'],
    [{ type: 'text', values: ['a'] }, 'values'],
    [{ type: 'text', onlyInt: true }, 'onlyInt'],
    [{ type: 'bool', min: 1 }, 'min'],
    [{ type: 'email', max: 10 }, 'max'],
    [{ type: 'date', min: 1 }, 'min'],
    [{ type: 'json', maxSelect: 2 }, 'maxSelect'],
    [{ type: 'select', values: ['a'], collection: 'users' }, 'collection'],
    [{ type: 'relation', collection: 'users', maxSize: 10 }, 'maxSize'],
    [{ type: 'file', onDelete: 'cascade' }, 'onDelete'],
    [{ type: 'file', default: 'a.png' }, 'default'],
  ])('refuses an option of another type: %p', (field, key) => {
    expect(codesOf(oneField({ name: 'x', ...field }))).toEqual([[`fields.0.${key}`, 'OPTION_NOT_ALLOWED']]);
  });

  it('says which type the option belongs to', () => {
    expect(problemsOf(oneField({ name: 'x', type: 'number', pattern: 'x' }))[0]!.message).toBe(
      '"pattern" is not an option of number fields; remove it.',
    );
  });

  it('refuses keys that are no option at all', () => {
    expect(problemsOf(oneField({ name: 'x', type: 'text', maxLength: 3 }))).toEqual([
      {
        path: 'fields.0.maxLength',
        code: 'UNKNOWN_KEY',
        message: 'Unknown field option "maxLength"; remove it.',
      },
    ]);
  });

  it('checks the common options are booleans', () => {
    expect(codesOf(oneField({ name: 'x', type: 'text', required: 'yes', unique: 1, hidden: null }))).toEqual([
      ['fields.0.required', 'INVALID_TYPE'],
      ['fields.0.unique', 'INVALID_TYPE'],
      ['fields.0.hidden', 'INVALID_TYPE'],
    ]);
    expect(fieldOf({ name: 'x', type: 'text', required: true, unique: true, hidden: true })).toMatchObject({
      required: true,
      unique: true,
      hidden: true,
    });
  });

  describe('text', () => {
    it('keeps min, max and pattern', () => {
      expect(fieldOf({ name: 'code', type: 'text', min: 0, max: 8, pattern: '^[A-Z]+$' })).toStrictEqual({
        id: 'f001',
        name: 'code',
        type: 'text',
        required: false,
        unique: false,
        hidden: false,
        min: 0,
        max: 8,
        pattern: '^[A-Z]+$',
      });
    });

    it('drops an empty pattern', () => {
      expect(fieldOf({ name: 'x', type: 'text', pattern: '' })).not.toHaveProperty('pattern');
    });

    it.each([
      [{ min: -1 }, 'fields.0.min', 'OUT_OF_RANGE'],
      [{ max: 1.5 }, 'fields.0.max', 'INVALID_VALUE'],
      [{ max: '5' }, 'fields.0.max', 'INVALID_TYPE'],
      [{ min: 5, max: 3 }, 'fields.0.max', 'INVALID_RANGE'],
      [{ pattern: '(' }, 'fields.0.pattern', 'INVALID_PATTERN'],
      [{ pattern: '[\\w-.]' }, 'fields.0.pattern', 'INVALID_PATTERN'],
      [{ pattern: 'a'.repeat(513) }, 'fields.0.pattern', 'OUT_OF_RANGE'],
      [{ pattern: 5 }, 'fields.0.pattern', 'INVALID_TYPE'],
    ])('refuses %p', (options, path, code) => {
      expect(codesOf(oneField({ name: 'x', type: 'text', ...options }))).toEqual([[path, code]]);
    });

    it('accepts a pattern of 512 characters', () => {
      expect(fieldOf({ name: 'x', type: 'text', pattern: 'a'.repeat(512) }).pattern).toHaveLength(512);
    });

    it('explains a broken pattern and a reversed range', () => {
      expect(problemsOf(oneField({ name: 'x', type: 'text', pattern: '[\\w-.]' }))[0]!.message).toBe(
        '"pattern" is not a valid JavaScript regular expression in unicode mode (Invalid character class); correct it or remove it.',
      );
      expect(problemsOf(oneField({ name: 'x', type: 'text', min: 5, max: 3 }))[0]!.message).toBe(
        '"max" (3) is smaller than "min" (5); make max at least min.',
      );
    });
  });

  describe('number', () => {
    it('keeps any finite min and max, and onlyInt', () => {
      expect(fieldOf({ name: 'x', type: 'number', min: -1.5, max: 1e9, onlyInt: true })).toMatchObject({
        min: -1.5,
        max: 1e9,
        onlyInt: true,
      });
    });

    it.each([
      [{ min: 'a' }, 'fields.0.min', 'INVALID_TYPE'],
      [{ min: 10, max: 1 }, 'fields.0.max', 'INVALID_RANGE'],
      [{ onlyInt: 'yes' }, 'fields.0.onlyInt', 'INVALID_TYPE'],
    ])('refuses %p', (options, path, code) => {
      expect(codesOf(oneField({ name: 'x', type: 'number', ...options }))).toEqual([[path, code]]);
    });
  });

  describe('select', () => {
    it('keeps values and maxSelect', () => {
      expect(fieldOf({ name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 })).toMatchObject({
        values: ['a', 'b', 'c'],
        maxSelect: 2,
      });
    });

    it.each([
      [{}, 'fields.0.values', 'REQUIRED'],
      [{ values: [] }, 'fields.0.values', 'OUT_OF_RANGE'],
      [{ values: 'a,b' }, 'fields.0.values', 'INVALID_TYPE'],
      [{ values: Array.from({ length: 101 }, (_, i) => `v${i}`) }, 'fields.0.values', 'OUT_OF_RANGE'],
      [{ values: ['a', 'b', 'a'] }, 'fields.0.values.2', 'DUPLICATE_VALUE'],
      [{ values: ['a', ''] }, 'fields.0.values.1', 'OUT_OF_RANGE'],
      [{ values: ['a', 'x'.repeat(201)] }, 'fields.0.values.1', 'OUT_OF_RANGE'],
      [{ values: ['a', 2] }, 'fields.0.values.1', 'INVALID_TYPE'],
      [{ values: ['a'], maxSelect: 0 }, 'fields.0.maxSelect', 'OUT_OF_RANGE'],
      [{ values: ['a'], maxSelect: 1.5 }, 'fields.0.maxSelect', 'INVALID_VALUE'],
    ])('refuses %p', (options, path, code) => {
      expect(codesOf(oneField({ name: 'x', type: 'select', ...options }))).toEqual([[path, code]]);
    });

    it('accepts 100 values of 200 characters', () => {
      const values = Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(200, 'x'));
      expect(fieldOf({ name: 'x', type: 'select', values }).values).toEqual(values);
    });
  });

  describe('relation', () => {
    it('relates to another collection or to itself', () => {
      expect(fieldOf({ name: 'owner', type: 'relation', collection: 'users' }).collection).toBe('users');
      expect(fieldOf({ name: 'parent', type: 'relation', collection: 'things', maxSelect: 5 })).toMatchObject(
        {
          collection: 'things',
          maxSelect: 5,
        },
      );
    });

    it('refuses a relation to a collection that does not exist', () => {
      expect(problemsOf(oneField({ name: 'owner', type: 'relation', collection: 'members' }))).toEqual([
        {
          path: 'fields.0.collection',
          code: 'RELATION_TARGET_NOT_FOUND',
          message: 'There is no collection "members" to relate to; create it first or correct the name.',
        },
      ]);
    });

    it('matches the target name exactly', () => {
      expect(codesOf(oneField({ name: 'owner', type: 'relation', collection: 'Users' }))).toEqual([
        ['fields.0.collection', 'RELATION_TARGET_NOT_FOUND'],
      ]);
    });

    it.each([
      [{}, 'fields.0.collection', 'REQUIRED'],
      [{ collection: 1 }, 'fields.0.collection', 'INVALID_TYPE'],
      [{ collection: 'users', onDelete: 'nullify' }, 'fields.0.onDelete', 'INVALID_VALUE'],
      [{ collection: 'users', maxSelect: 0 }, 'fields.0.maxSelect', 'OUT_OF_RANGE'],
      [
        { collection: 'users', required: true, onDelete: 'set-null' },
        'fields.0.onDelete',
        'ON_DELETE_CONFLICT',
      ],
    ])('refuses %p', (options, path, code) => {
      expect(codesOf(oneField({ name: 'x', type: 'relation', ...options }))).toEqual([[path, code]]);
    });

    it('keeps each onDelete', () => {
      for (const onDelete of ['cascade', 'restrict', 'set-null']) {
        expect(fieldOf({ name: 'x', type: 'relation', collection: 'users', onDelete }).onDelete).toBe(
          onDelete,
        );
      }
    });
  });

  describe('file', () => {
    it('keeps its options', () => {
      expect(
        fieldOf({
          name: 'docs',
          type: 'file',
          maxSelect: 10,
          maxSize: 1,
          mimeTypes: ['application/pdf', 'image/svg+xml', 'application/vnd.ms-excel'],
          thumbs: ['1x1', '2000x2000', '100x50', '0x80', '80x0', '50x50t', '50x50b', '50x50f'],
          protected: true,
          inlinePdf: true,
        }),
      ).toMatchObject({
        maxSelect: 10,
        maxSize: 1,
        mimeTypes: ['application/pdf', 'image/svg+xml', 'application/vnd.ms-excel'],
        thumbs: ['1x1', '2000x2000', '100x50', '0x80', '80x0', '50x50t', '50x50b', '50x50f'],
        protected: true,
        inlinePdf: true,
      });
    });

    it.each([
      [{ maxSize: 0 }, 'fields.0.maxSize', 'OUT_OF_RANGE'],
      [{ maxSize: 1.5 }, 'fields.0.maxSize', 'INVALID_VALUE'],
      [{ maxSelect: -1 }, 'fields.0.maxSelect', 'OUT_OF_RANGE'],
      [{ mimeTypes: 'image/png' }, 'fields.0.mimeTypes', 'INVALID_TYPE'],
      [{ mimeTypes: ['image/png', 'image'] }, 'fields.0.mimeTypes.1', 'INVALID_VALUE'],
      [{ mimeTypes: ['image/*'] }, 'fields.0.mimeTypes.0', 'INVALID_VALUE'],
      [{ mimeTypes: ['image/png', 'image/png'] }, 'fields.0.mimeTypes.1', 'DUPLICATE_VALUE'],
      [{ thumbs: ['0x0'] }, 'fields.0.thumbs.0', 'INVALID_VALUE'],
      [{ thumbs: ['0x100t'] }, 'fields.0.thumbs.0', 'INVALID_VALUE'],
      [{ thumbs: ['2001x10'] }, 'fields.0.thumbs.0', 'INVALID_VALUE'],
      [{ thumbs: ['100X100'] }, 'fields.0.thumbs.0', 'INVALID_VALUE'],
      [{ thumbs: ['100x'] }, 'fields.0.thumbs.0', 'INVALID_VALUE'],
      [{ thumbs: Array.from({ length: 101 }, (_, i) => `${i + 1}x1`) }, 'fields.0.thumbs', 'OUT_OF_RANGE'],
      [{ protected: 'yes' }, 'fields.0.protected', 'INVALID_TYPE'],
      [{ inlinePdf: 1 }, 'fields.0.inlinePdf', 'INVALID_TYPE'],
    ])('refuses %p', (options, path, code) => {
      expect(codesOf(oneField({ name: 'x', type: 'file', ...options }))).toEqual([[path, code]]);
    });

    it('explains the thumbnail format', () => {
      expect(problemsOf(oneField({ name: 'x', type: 'file', thumbs: ['big'] }))[0]!.message).toBe(
        '"big" is not a thumbnail size; write WIDTHxHEIGHT with each side from 1 to 2000, e.g. "100x100" (a t, b or f suffix crops from the top, the bottom or fits inside; 0 for one side keeps the aspect ratio).',
      );
    });
  });

  describe('unique', () => {
    it.each([
      [{ type: 'json' }],
      [{ type: 'select', values: ['a', 'b'], maxSelect: 2 }],
      [{ type: 'relation', collection: 'users', maxSelect: 3 }],
      [{ type: 'file', maxSelect: 2 }],
    ])('is refused on %p', (field) => {
      expect(codesOf(oneField({ name: 'x', unique: true, ...field }))).toEqual([
        ['fields.0.unique', 'OPTION_NOT_ALLOWED'],
      ]);
    });

    it('is allowed on single values and may be false anywhere', () => {
      expect(fieldOf({ name: 'x', type: 'select', values: ['a'], unique: true }).unique).toBe(true);
      expect(fieldOf({ name: 'x', type: 'relation', collection: 'users', unique: true }).unique).toBe(true);
      expect(fieldOf({ name: 'x', type: 'json', unique: false }).unique).toBe(false);
    });
  });

  describe('default', () => {
    it.each([
      [{ type: 'text', default: 'hello' }],
      [{ type: 'text', min: 2, max: 5, pattern: '^h', default: 'héllo' }],
      [{ type: 'number', default: 0 }],
      [{ type: 'number', min: 1, max: 3, onlyInt: true, default: 2 }],
      [{ type: 'bool', default: false }],
      [{ type: 'email', default: 'a@example.com' }],
      [{ type: 'url', default: 'https://example.com/x' }],
      [{ type: 'date', default: '2025-01-31T12:00:00Z' }],
      [{ type: 'date', default: '2025-01-31' }],
      [{ type: 'select', values: ['a', 'b'], default: 'b' }],
      [{ type: 'select', values: ['a', 'b'], maxSelect: 2, default: ['a', 'b'] }],
      [{ type: 'relation', collection: 'users', default: '0190b6a1-7c2e-7a3b-9f00-0123456789ab' }],
      [
        {
          type: 'relation',
          collection: 'users',
          maxSelect: 2,
          default: ['0190b6a1-7c2e-7a3b-9f00-0123456789ab'],
        },
      ],
      [{ type: 'json', default: { a: [1, 2] } }],
      [{ type: 'json', default: 0 }],
    ])('keeps a fitting default: %p', (field) => {
      expect(fieldOf({ name: 'x', ...field }).default).toEqual(field.default);
    });

    it.each([
      [{ type: 'text', default: 5 }, 'The default of a text field must be a string, not a number.'],
      [{ type: 'text', max: 3, default: 'four' }, 'The default is 4 characters long, longer than "max" (3).'],
      [{ type: 'text', min: 3, default: 'ab' }, 'The default is 2 characters long, shorter than "min" (3).'],
      [{ type: 'text', pattern: '^a', default: 'b' }, 'The default does not match "pattern".'],
      [{ type: 'number', default: '5' }, 'The default of a number field must be a number, not a string.'],
      [{ type: 'number', min: 1, default: 0 }, 'The default 0 is below "min" (1).'],
      [{ type: 'number', max: 1, default: 2 }, 'The default 2 is above "max" (1).'],
      [{ type: 'number', onlyInt: true, default: 1.5 }, 'The default 1.5 is not a whole number ("onlyInt").'],
      [{ type: 'bool', default: 'true' }, 'The default of a bool field must be true or false, not a string.'],
      [{ type: 'email', default: 'nobody' }, 'The default "nobody" is not an email address.'],
      [
        { type: 'url', default: 'ftp://example.com' },
        'The default "ftp://example.com" is not an http(s) URL.',
      ],
      [{ type: 'url', default: 'not a url' }, 'The default "not a url" is not an http(s) URL.'],
      [
        { type: 'date', default: 'yesterday' },
        'The default "yesterday" is not an ISO 8601 date such as "2025-01-31T12:00:00Z".',
      ],
      [
        { type: 'date', default: '2025-02-30T25:00:00Z' },
        'The default "2025-02-30T25:00:00Z" is not an ISO 8601 date such as "2025-01-31T12:00:00Z".',
      ],
      [{ type: 'select', values: ['a'], default: 'z' }, 'The default "z" is not one of "values".'],
      [
        { type: 'select', values: ['a'], default: ['a'] },
        'The default of a select field must be a string, not an array.',
      ],
      [
        { type: 'select', values: ['a', 'b', 'c'], maxSelect: 2, default: ['a', 'b', 'c'] },
        'The default lists 3 values; "maxSelect" allows 2.',
      ],
      [
        { type: 'select', values: ['a', 'b'], maxSelect: 2, default: ['a', 'a'] },
        'The default lists "a" twice.',
      ],
      [
        { type: 'select', values: ['a', 'b'], maxSelect: 2, default: 'a' },
        'The default of a select field holding several values must be an array, not a string.',
      ],
      [
        { type: 'relation', collection: 'users', default: 'someone' },
        'The default "someone" is not a record id (a UUID).',
      ],
    ])('refuses a default that does not fit: %p', (field, message) => {
      expect(problemsOf(oneField({ name: 'x', ...field }))).toEqual([
        { path: 'fields.0.default', code: 'INVALID_DEFAULT', message: `${message} Fix or remove "default".` },
      ]);
    });

    it('treats a null default as none', () => {
      expect(fieldOf({ name: 'x', type: 'text', default: null })).not.toHaveProperty('default');
    });

    it('copies a json default so later changes to the input do not leak in', () => {
      const input = { name: 'x', type: 'json', default: { a: [1] } };
      const field = fieldOf(input);
      input.default.a.push(2);
      expect(field.default).toEqual({ a: [1] });
    });

    it('is not judged against options that are themselves wrong', () => {
      expect(codesOf(oneField({ name: 'x', type: 'text', max: -1, default: 'abc' }))).toEqual([
        ['fields.0.max', 'OUT_OF_RANGE'],
      ]);
    });
  });
});

describe('normalizeCollection: indexes', () => {
  const body = (indexes: unknown, type = 'base') => ({
    name: 'things',
    type,
    fields: [
      { name: 'a', type: 'text' },
      { name: 'b', type: 'number' },
    ],
    indexes,
  });

  it('keeps indexes over fields and system columns, with unique defaulting to false', () => {
    expect(
      normalizeOk(
        body([{ fields: ['a', 'b'] }, { fields: ['created', 'id'], unique: true }, { fields: ['updated'] }]),
      ).indexes,
    ).toStrictEqual([
      { fields: ['a', 'b'], unique: false },
      { fields: ['created', 'id'], unique: true },
      { fields: ['updated'], unique: false },
    ]);
  });

  it('lets auth collections index email and verified, but not base ones', () => {
    expect(normalizeOk(body([{ fields: ['verified', 'email'] }], 'auth')).indexes).toEqual([
      { fields: ['verified', 'email'], unique: false },
    ]);
    expect(codesOf(body([{ fields: ['email'] }]))).toEqual([['indexes.0.fields.0', 'UNKNOWN_INDEX_FIELD']]);
    expect(codesOf(body([{ fields: ['password_hash'] }], 'auth'))).toEqual([
      ['indexes.0.fields.0', 'UNKNOWN_INDEX_FIELD'],
    ]);
  });

  it.each([
    [[{ fields: ['a', 'nope'] }], 'indexes.0.fields.1', 'UNKNOWN_INDEX_FIELD'],
    [[{ fields: ['A'] }], 'indexes.0.fields.0', 'UNKNOWN_INDEX_FIELD'],
    [[{ fields: ['a', 'a'] }], 'indexes.0.fields.1', 'DUPLICATE_VALUE'],
    [[{ fields: [] }], 'indexes.0.fields', 'OUT_OF_RANGE'],
    [[{ fields: 'a' }], 'indexes.0.fields', 'INVALID_TYPE'],
    [[{ fields: [1] }], 'indexes.0.fields.0', 'INVALID_TYPE'],
    [[{ unique: true }], 'indexes.0.fields', 'REQUIRED'],
    [[{ fields: ['a'], unique: 'yes' }], 'indexes.0.unique', 'INVALID_TYPE'],
    [['a'], 'indexes.0', 'INVALID_TYPE'],
    [
      [{ fields: ['a'] }, { fields: ['b'] }, { fields: ['a'], unique: false }],
      'indexes.2',
      'DUPLICATE_INDEX',
    ],
  ])('refuses %j', (indexes, path, code) => {
    expect(codesOf(body(indexes))).toEqual([[path, code]]);
  });

  it('allows at most 20 indexes of at most 8 fields', () => {
    const names = Array.from({ length: 21 }, (_, i) => `f${i}`);
    const wide = (indexes: unknown) => ({
      name: 'things',
      fields: names.map((name) => ({ name, type: 'text' })),
      indexes,
    });
    expect(normalizeOk(wide(names.slice(0, 20).map((n) => ({ fields: [n] })))).indexes).toHaveLength(20);
    expect(codesOf(wide(names.map((n) => ({ fields: [n] }))))).toEqual([['indexes', 'OUT_OF_RANGE']]);
    expect(normalizeOk(wide([{ fields: names.slice(0, 8) }])).indexes[0]!.fields).toHaveLength(8);
    expect(problemsOf(wide([{ fields: names.slice(0, 9) }]))).toEqual([
      {
        path: 'indexes.0.fields',
        code: 'OUT_OF_RANGE',
        message: '"fields" must list 1 to 8 entries; it has 9.',
      },
    ]);
  });

  it('allows the same fields once unique and once not', () => {
    expect(normalizeOk(body([{ fields: ['a'] }, { fields: ['a'], unique: true }])).indexes).toHaveLength(2);
  });

  it('does not blame an index for a field whose own name was refused', () => {
    expect(
      codesOf({
        name: 'things',
        fields: [{ name: 'created', type: 'text' }],
        indexes: [{ fields: ['created'] }, { fields: ['xmin'] }],
      }),
    ).toEqual([
      ['fields.0.name', 'RESERVED_NAME'],
      ['indexes.1.fields.0', 'UNKNOWN_INDEX_FIELD'],
    ]);
  });
});

describe('normalizeCollection: rules', () => {
  it('defaults every rule to null (admins only) and keeps "" (everyone)', () => {
    const value = normalizeOk({ name: 'notes', viewRule: '', listRule: '   ' });
    expect([value.listRule, value.viewRule, value.createRule, value.updateRule, value.deleteRule]).toEqual([
      '',
      '',
      null,
      null,
      null,
    ]);
  });

  it('compiles rules against the collection being defined, its relations and auth fields', () => {
    const value = normalizeOk({
      name: 'notes',
      fields: [
        { name: 'owner', type: 'relation', collection: 'users' },
        { name: 'parent', type: 'relation', collection: 'notes' },
        { name: 'secret', type: 'text', hidden: true },
        { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
      ],
      listRule: "owner = @request.auth.id && owner.name != '' && parent.secret = 'x' && tags ?= 'a'",
      viewRule: "owner.verified = true && owner.email ~ '@example.com'",
      createRule: "@request.body.secret != ''",
    });
    expect(value.listRule).toBe(
      "owner = @request.auth.id && owner.name != '' && parent.secret = 'x' && tags ?= 'a'",
    );
  });

  it('turns a FilterError into INVALID_RULE at the rule, with its message', () => {
    expect(
      problemsOf({
        name: 'notes',
        fields: [{ name: 'views', type: 'number' }],
        listRule: 'views = ',
        viewRule: "views > 'many'",
        createRule: 'nope = 1',
        updateRule: "owner.password_hash = 'x'",
        deleteRule: 'x'.repeat(4097),
      }).map((e) => [e.path, e.code]),
    ).toEqual([
      ['listRule', 'INVALID_RULE'],
      ['viewRule', 'INVALID_RULE'],
      ['createRule', 'INVALID_RULE'],
      ['updateRule', 'INVALID_RULE'],
      ['deleteRule', 'INVALID_RULE'],
    ]);
    expect(problemsOf({ name: 'notes', deleteRule: 'x'.repeat(4097) })[0]!.message).toBe(
      'The filter is 4097 characters long; at most 4096 are allowed.',
    );
  });

  it('does not expose password_hash or token_key of auth collections to rules', () => {
    for (const column of ['password_hash', 'token_key', 'tokenKey']) {
      expect(codesOf({ name: 'members', type: 'auth', listRule: `${column} != ''` })).toEqual([
        ['listRule', 'INVALID_RULE'],
      ]);
    }
    expect(
      normalizeOk({ name: 'members', type: 'auth', listRule: 'verified = true && emailVisibility = true' }),
    ).toBeTruthy();
  });

  it('refuses auth fields in rules of base collections', () => {
    expect(codesOf({ name: 'notes', listRule: 'verified = true' })).toEqual([['listRule', 'INVALID_RULE']]);
  });

  it.each([5, true, {}, []])('refuses a rule of the wrong type: %p', (rule) => {
    expect(problemsOf({ name: 'notes', createRule: rule })).toEqual([
      {
        path: 'createRule',
        code: 'INVALID_TYPE',
        message: expect.stringMatching(
          /^"createRule" must be null \(admins only\), "" \(everyone\) or a filter expression/,
        ),
      },
    ]);
  });

  it('accepts a rule of 4096 characters', () => {
    const rule = `id != '${'x'.repeat(4096 - 8)}'`;
    expect(rule).toHaveLength(4096);
    expect(normalizeOk({ name: 'notes', listRule: rule }).listRule).toBe(rule);
  });
});

describe('normalizeCollection: auth options', () => {
  it('keeps oauth2 of auth collections at the top level, also from the former options.oauth2 (issue 17)', () => {
    const oauth2 = { enabled: true, providers: [{ name: 'google', clientId: 'id' }] };
    expect(normalizeOk({ name: 'members', type: 'auth', oauth2 }).oauth2).toEqual(oauth2);
    const legacy = normalizeOk({ name: 'members', type: 'auth', options: { oauth2 } });
    expect(legacy.oauth2).toEqual(oauth2);
    expect(legacy).not.toHaveProperty('options');
    expect(normalizeOk({ name: 'members', type: 'auth' })).not.toHaveProperty('oauth2');
  });

  it("takes PocketBase's passwordAuth, authToken, authRule and manageRule (issue 17)", () => {
    const value = normalizeOk({
      name: 'members',
      type: 'auth',
      fields: [{ name: 'username', type: 'text', unique: true }],
      passwordAuth: { enabled: false, identityFields: ['email', 'username'] },
      authToken: { duration: 3600 },
      authRule: 'verified = true',
      manageRule: null,
    });
    expect(value).toMatchObject({
      passwordAuth: { enabled: false, identityFields: ['email', 'username'] },
      authToken: { duration: 3600 },
      authRule: 'verified = true',
      manageRule: null,
    });
    expect(
      codesOf({
        name: 'members',
        type: 'auth',
        passwordAuth: { identityFields: ['name'] },
        authRule: 'nope = 1',
      }),
    ).toEqual([
      ['passwordAuth.identityFields.0', 'INVALID_VALUE'],
      ['authRule', 'INVALID_RULE'],
    ]);
    expect(codesOf({ name: 'notes', authRule: '' })).toEqual([['authRule', 'OPTION_NOT_ALLOWED']]);
  });

  it("stores PocketBase's otp and mfa, switched on or off, with defaults for keys left out (issue 26)", () => {
    const on = normalizeOk({
      name: 'members',
      type: 'auth',
      otp: { enabled: true, length: 6 },
      mfa: { enabled: true, rule: "email ~ '@acme.example'" },
    });
    expect(on.otp).toEqual({
      enabled: true,
      duration: 180,
      length: 6,
      emailTemplate: { subject: '', body: '' },
      linkAllowList: [],
    });
    expect(on.mfa).toEqual({ enabled: true, duration: 1800, rule: "email ~ '@acme.example'" });
    // The defaults (as every answer carries them) are not stored: re-applying an export changes nothing.
    const defaults = normalizeOk({
      name: 'members',
      type: 'auth',
      otp: { enabled: false, duration: 180, length: 8 },
      mfa: { enabled: false, duration: 1800, rule: '' },
    });
    expect(defaults).not.toHaveProperty('otp');
    expect(defaults).not.toHaveProperty('mfa');
    // A PATCH keeps what it does not name.
    const patched = normalizeOk({ otp: { duration: 600 } }, on);
    expect(patched.otp).toMatchObject({ enabled: true, duration: 600, length: 6 });
    expect(patched.mfa).toEqual(on.mfa);
    expect(
      codesOf({
        name: 'members',
        type: 'auth',
        otp: { enabled: 'yes', length: 3, duration: 5, linkAllowList: ['javascript:alert(1)'], extra: 1 },
        mfa: { duration: 1, rule: 'nope ===' },
      }),
    ).toEqual([
      ['otp.extra', 'UNKNOWN_KEY'],
      ['otp.enabled', 'INVALID_TYPE'],
      ['otp.duration', 'OUT_OF_RANGE'],
      ['otp.length', 'OUT_OF_RANGE'],
      ['otp.linkAllowList.0', 'INVALID_VALUE'],
      ['mfa.duration', 'OUT_OF_RANGE'],
    ]);
    expect(codesOf({ name: 'members', type: 'auth', mfa: { rule: 'nope ===' } })).toEqual([
      ['mfa.rule', 'INVALID_RULE'],
    ]);
    expect(codesOf({ name: 'members', type: 'auth', otp: 'on' })).toEqual([['otp', 'INVALID_TYPE']]);
    expect(codesOf({ name: 'notes', mfa: { enabled: false } })).toEqual([['mfa', 'OPTION_NOT_ALLOWED']]);
  });

  it('refuses options on base collections and options that are not an object', () => {
    expect(problemsOf({ name: 'notes', options: {} })).toEqual([
      {
        path: 'options',
        code: 'OPTION_NOT_ALLOWED',
        message: 'Only auth collections have "options"; remove it.',
      },
    ]);
    for (const options of [[], 'x', null, 1]) {
      expect(codesOf({ name: 'members', type: 'auth', options })).toEqual([['options', 'INVALID_TYPE']]);
    }
  });
});

describe('normalizeCollection: PATCH', () => {
  const patch = (input: unknown, existing: CollectionDef = posts, ids = sequentialIds()) =>
    normalizeOk(input, existing, schema, ids);

  it('keeps everything when the body is empty', () => {
    const ids = sequentialIds();
    expect(patch({}, posts, ids)).toStrictEqual(posts);
    expect(ids.used).toEqual({ collections: 0, fields: 0 });
  });

  it('accepts its own GET answer unchanged', () => {
    expect(patch(JSON.parse(JSON.stringify(posts)))).toStrictEqual(posts);
    expect(normalizeOk(JSON.parse(JSON.stringify(users)), users)).toStrictEqual(users);
  });

  it('changes only the keys given', () => {
    expect(patch({ listRule: '' })).toStrictEqual({ ...posts, listRule: '' });
    expect(patch({ deleteRule: 'author = @request.auth.id', viewRule: null })).toStrictEqual({
      ...posts,
      deleteRule: 'author = @request.auth.id',
      viewRule: null,
    });
  });

  it('renames a field, keeping its id, and carries indexes over to the new name', () => {
    const fields = posts.fields.map((f) => (f.id === 'fp3' ? { ...f, name: 'state' } : f));
    const value = patch({ fields, listRule: "state = 'live'" });
    expect(value.fields.map((f) => [f.id, f.name])).toEqual([
      ['fp1', 'title'],
      ['fp2', 'views'],
      ['fp3', 'state'],
      ['fp4', 'author'],
      ['fp5', 'parent'],
    ]);
    expect(value.indexes).toEqual([{ fields: ['state', 'views'], unique: false }]);
  });

  it('adds fields without id, removes existing fields missing from the list, and drops their indexes', () => {
    const ids = sequentialIds();
    const value = patch(
      {
        fields: [posts.fields[0], { name: 'views', type: 'text' }, posts.fields[3]],
        listRule: 'author = @request.auth.id',
      },
      posts,
      ids,
    );
    expect(value.fields.map((f) => [f.id, f.name, f.type])).toEqual([
      ['fp1', 'title', 'text'],
      ['f001', 'views', 'text'],
      ['fp4', 'author', 'relation'],
    ]);
    // The old index covered status and the old views (fp2): both gone, so the index goes too.
    expect(value.indexes).toEqual([]);
    expect(ids.used).toEqual({ collections: 0, fields: 1 });
  });

  it('takes a listed field as complete: options left out fall back to their defaults', () => {
    const value = patch({
      fields: [{ id: 'fp1', name: 'title', type: 'text' }],
      listRule: null,
      updateRule: null,
      indexes: [],
    });
    expect(value.fields).toStrictEqual([
      { id: 'fp1', name: 'title', type: 'text', required: false, unique: false, hidden: false },
    ]);
  });

  it('allows changing a field type (the planner decides whether the data can follow)', () => {
    const fields = posts.fields.map((f) => (f.id === 'fp2' ? { id: 'fp2', name: 'views', type: 'text' } : f));
    expect(patch({ fields }).fields[1]).toStrictEqual({
      id: 'fp2',
      name: 'views',
      type: 'text',
      required: false,
      unique: false,
      hidden: false,
    });
  });

  it('refuses field ids it does not know, and the same id twice', () => {
    expect(
      problemsOf(
        {
          fields: [
            ...posts.fields,
            { id: 'zzz', name: 'x', type: 'text' },
            { ...posts.fields[0], name: 'again' },
          ],
        },
        posts,
      ),
    ).toEqual([
      {
        path: 'fields.5.id',
        code: 'UNKNOWN_FIELD_ID',
        message:
          'Collection "posts" has no field with the id "zzz". Leave "id" out to add a new field, or use the id of the field you mean to change.',
      },
      {
        path: 'fields.6.id',
        code: 'DUPLICATE_FIELD_ID',
        message: 'The field id "fp1" appears twice; each existing field may be listed once.',
      },
    ]);
  });

  it('refuses a field id of another collection', () => {
    expect(
      codesOf(
        {
          fields: [{ id: 'fu1', name: 'name', type: 'text' }],
          listRule: null,
          updateRule: null,
          indexes: [],
        },
        posts,
      ),
    ).toEqual([['fields.0.id', 'UNKNOWN_FIELD_ID']]);
  });

  it('refuses a change of the collection type, but accepts the same type', () => {
    expect(problemsOf({ type: 'auth' }, posts)).toEqual([
      {
        path: 'type',
        code: 'COLLECTION_TYPE_IMMUTABLE',
        message:
          'A collection\'s type cannot change (it is "base"). Create a new auth collection and move the records instead.',
      },
    ]);
    expect(patch({ type: 'base' })).toStrictEqual(posts);
  });

  it('accepts its own id, refuses another one', () => {
    expect(patch({ id: POSTS_ID })).toStrictEqual(posts);
    expect(codesOf({ id: USERS_ID }, posts)).toEqual([['id', 'ID_MISMATCH']]);
  });

  it('keeps its own name and refuses one taken by another collection', () => {
    expect(patch({ name: 'posts' }).name).toBe('posts');
    expect(codesOf({ name: 'users' }, posts)).toEqual([['name', 'COLLECTION_NAME_TAKEN']]);
  });

  it('renames the collection and follows with its self relations', () => {
    const value = patch({ name: 'articles' });
    expect(value.name).toBe('articles');
    expect(value.fields.find((f) => f.name === 'parent')!.collection).toBe('articles');
    expect(value.fields.find((f) => f.name === 'author')!.collection).toBe('users');
    // The same when the field list is sent with the old name.
    expect(patch({ name: 'articles', fields: posts.fields }).fields[4]!.collection).toBe('articles');
  });

  it('checks existing rules against the new fields', () => {
    const fields = posts.fields.filter((f) => f.name !== 'status');
    expect(problemsOf({ fields }, posts)).toEqual([
      { path: 'listRule', code: 'INVALID_RULE', message: 'Unknown field "status".' },
    ]);
    expect(patch({ fields, listRule: '' }).fields).toHaveLength(4);
  });

  it('keeps auth options when absent and replaces them when given', () => {
    expect(normalizeOk({ listRule: '' }, users).oauth2).toEqual(users.oauth2);
    expect(normalizeOk({ oauth2: { enabled: true } }, users).oauth2).toEqual({ enabled: true });
  });

  it('keeps created and updated of the existing collection', () => {
    const value = patch({ listRule: '' });
    expect(value.created).toBe(posts.created);
    expect(value.updated).toBe(posts.updated);
  });
});
