import type { CollectionDef, FieldDef } from './collection.types.js';
import { declaredIndexName, planSchemaChange } from './plan-schema-change.js';
import type { SchemaIssue } from './schema-issue.js';
import { normalizeOk, POSTS_TAG, posts, schema, USERS_TAG, users } from './schema.fixture.js';

/** The statements of an accepted plan; fails the test with the problems otherwise. */
function ddl(
  prev: CollectionDef | null,
  next: CollectionDef | null,
  all: readonly CollectionDef[] = schema,
): string[] {
  const result = planSchemaChange(prev, next, all);
  if (!result.ok) throw new Error(`expected a plan, got:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.statements;
}

/** The problems of a refused plan; fails the test when the plan is accepted. */
function refusal(
  prev: CollectionDef | null,
  next: CollectionDef | null,
  all: readonly CollectionDef[] = schema,
): SchemaIssue[] {
  const result = planSchemaChange(prev, next, all);
  if (result.ok) throw new Error(`expected a refusal, got:\n${result.statements.join('\n')}`);
  return result.errors;
}

/** `posts` with the field of id `id` replaced by `field` (id kept). */
function changeField(id: string, field: Partial<FieldDef>, def: CollectionDef = posts): CollectionDef {
  return { ...def, fields: def.fields.map((f) => (f.id === id ? ({ ...field, id } as FieldDef) : f)) };
}

const base = { required: false, unique: false, hidden: false };
const T = 'data."posts"';

describe('planSchemaChange: create', () => {
  it('creates a base table with one column per field, foreign keys and indexes', () => {
    const def = normalizeOk({
      name: 'articles',
      fields: [
        { name: 'title', type: 'text', unique: true },
        { name: 'views', type: 'number' },
        { name: 'published', type: 'bool' },
        { name: 'contact', type: 'email' },
        { name: 'site', type: 'url' },
        { name: 'publishAt', type: 'date' },
        { name: 'status', type: 'select', values: ['a', 'b'] },
        { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
        { name: 'meta', type: 'json' },
        { name: 'author', type: 'relation', collection: 'users', required: true },
        { name: 'editors', type: 'relation', collection: 'users', maxSelect: 5 },
        { name: 'parent', type: 'relation', collection: 'articles', onDelete: 'cascade' },
        { name: 'cover', type: 'file' },
        { name: 'docs', type: 'file', maxSelect: 3 },
      ],
      indexes: [{ fields: ['status', 'publishAt'] }, { fields: ['site'], unique: true }],
    });
    const tag = '0190b6a1000070008000000000000101';
    const t = 'data."articles"';
    expect(ddl(null, def, [...schema, def])).toEqual([
      `CREATE TABLE ${t} (` +
        [
          `"id" uuid CONSTRAINT "pk_${tag}" PRIMARY KEY`,
          '"created" timestamptz NOT NULL DEFAULT now()',
          '"updated" timestamptz NOT NULL DEFAULT now()',
          '"title" text',
          '"views" double precision',
          '"published" boolean',
          '"contact" text',
          '"site" text',
          '"publishAt" timestamptz',
          '"status" text',
          '"tags" text[]',
          '"meta" jsonb',
          '"author" uuid',
          '"editors" uuid[]',
          '"parent" uuid',
          '"cover" text',
          '"docs" text[]',
        ].join(', ') +
        ')',
      `ALTER TABLE ${t} ADD CONSTRAINT "fk_f010" FOREIGN KEY ("author") REFERENCES data."users" ("id") ON DELETE RESTRICT`,
      `ALTER TABLE ${t} ADD CONSTRAINT "fk_f012" FOREIGN KEY ("parent") REFERENCES data."articles" ("id") ON DELETE CASCADE`,
      `CREATE INDEX "idx_${tag}_created" ON ${t} ("created")`,
      `CREATE UNIQUE INDEX "uq_f001" ON ${t} ("title")`,
      `CREATE INDEX "rel_f010" ON ${t} ("author")`,
      `CREATE INDEX "rel_f012" ON ${t} ("parent")`,
      `CREATE INDEX "${declaredIndexName(def, def.indexes[0]!)}" ON ${t} ("status", "publishAt")`,
      `CREATE UNIQUE INDEX "${declaredIndexName(def, def.indexes[1]!)}" ON ${t} ("site")`,
    ]);
  });

  it('gives an auth table its account columns and a case-insensitive unique email', () => {
    expect(ddl(null, users)).toEqual([
      'CREATE TABLE data."users" (' +
        [
          `"id" uuid CONSTRAINT "pk_${USERS_TAG}" PRIMARY KEY`,
          '"created" timestamptz NOT NULL DEFAULT now()',
          '"updated" timestamptz NOT NULL DEFAULT now()',
          '"email" text NOT NULL',
          '"emailVisibility" boolean NOT NULL DEFAULT false',
          '"verified" boolean NOT NULL DEFAULT false',
          '"password_hash" text NOT NULL',
          '"token_key" text NOT NULL',
          '"name" text',
          '"secretNote" text',
        ].join(', ') +
        ')',
      `CREATE INDEX "idx_${USERS_TAG}_created" ON data."users" ("created")`,
      `CREATE UNIQUE INDEX "uq_${USERS_TAG}_email" ON data."users" (lower("email"))`,
    ]);
  });

  it('maps set-null to ON DELETE SET NULL', () => {
    const def = normalizeOk({
      name: 'notes',
      fields: [{ name: 'owner', type: 'relation', collection: 'users' }],
    });
    expect(ddl(null, def)).toContain(
      'ALTER TABLE data."notes" ADD CONSTRAINT "fk_f001" FOREIGN KEY ("owner") REFERENCES data."users" ("id") ON DELETE SET NULL',
    );
  });

  it('refuses a relation to a collection that is not in the schema', () => {
    const def = normalizeOk({
      name: 'notes',
      fields: [{ name: 'owner', type: 'relation', collection: 'users' }],
    });
    expect(refusal(null, def, [posts, def])).toEqual([
      {
        path: 'fields.0.collection',
        code: 'RELATION_TARGET_NOT_FOUND',
        message:
          'Field "owner" relates to collection "users", which does not exist; create it first or change the field.',
      },
    ]);
  });

  it('quotes every identifier, doubling quotes, even ones normalize would have refused', () => {
    const hostile: CollectionDef = {
      ...posts,
      id: 'c1',
      name: 'x"; DROP TABLE y; --',
      fields: [{ id: 'f"1', name: 'a"b', type: 'text', unique: true }],
      indexes: [{ fields: ['a"b'] }],
    };
    const statements = ddl(null, hostile, [hostile]);
    expect(statements[0]).toBe(
      'CREATE TABLE data."x""; DROP TABLE y; --" ("id" uuid CONSTRAINT "pk_c1" PRIMARY KEY, "created" timestamptz NOT NULL DEFAULT now(), "updated" timestamptz NOT NULL DEFAULT now(), "a""b" text)',
    );
    expect(statements[2]).toBe('CREATE UNIQUE INDEX "uq_f""1" ON data."x""; DROP TABLE y; --" ("a""b")');
    expect(statements[3]).toMatch(
      /^CREATE INDEX "idx_c1_[0-9a-f]{10}" ON data\."x""; DROP TABLE y; --" \("a""b"\)$/,
    );
  });

  it('refuses to generate an object name PostgreSQL would truncate', () => {
    const def: CollectionDef = {
      ...posts,
      fields: [{ id: 'f'.repeat(61), name: 'x', type: 'text', unique: true }],
      indexes: [],
    };
    expect(() => planSchemaChange(null, def, schema)).toThrow(/longer than 63 bytes/);
  });
});

describe('planSchemaChange: delete', () => {
  it('drops the table', () => {
    const notes = normalizeOk({
      name: 'notes',
      fields: [{ name: 'up', type: 'relation', collection: 'notes' }],
    });
    expect(ddl(notes, null, schema)).toEqual(['DROP TABLE data."notes"']);
  });

  it('is not blocked by its own self relation', () => {
    const withoutUsersRef = schema.filter((c) => c.id !== posts.id);
    expect(ddl(posts, null, withoutUsersRef)).toEqual(['DROP TABLE data."posts"']);
  });

  it('refuses while another collection relates to it, naming each field', () => {
    const comments = normalizeOk({
      name: 'comments',
      fields: [
        { name: 'post', type: 'relation', collection: 'posts' },
        { name: 'mentions', type: 'relation', collection: 'posts', maxSelect: 9 },
      ],
    });
    expect(refusal(posts, null, [users, comments])).toEqual([
      {
        path: '',
        code: 'COLLECTION_REFERENCED',
        message:
          'Collection "posts" cannot be deleted: field "post" of collection "comments" relates to it. Remove that field (or point it elsewhere) first.',
      },
      {
        path: '',
        code: 'COLLECTION_REFERENCED',
        message:
          'Collection "posts" cannot be deleted: field "mentions" of collection "comments" relates to it. Remove that field (or point it elsewhere) first.',
      },
    ]);
    expect(refusal(users, null, [posts]).map((e) => e.message)).toEqual([
      'Collection "users" cannot be deleted: field "author" of collection "posts" relates to it. Remove that field (or point it elsewhere) first.',
    ]);
  });
});

describe('planSchemaChange: update', () => {
  it('has nothing to do when only rules change', () => {
    expect(ddl(posts, { ...posts, listRule: '', deleteRule: '' })).toEqual([]);
  });

  it('renames the table; foreign keys, indexes and the self relation follow', () => {
    const next = normalizeOk({ name: 'articles' }, posts);
    expect(ddl(posts, next, [users, next])).toEqual(['ALTER TABLE data."posts" RENAME TO "articles"']);
  });

  it('renames a field in place (its indexes are id-based and stay)', () => {
    const next = normalizeOk(
      { fields: posts.fields.map((f) => (f.id === 'fp3' ? { ...f, name: 'state' } : f)), listRule: '' },
      posts,
    );
    expect(ddl(posts, next)).toEqual([`ALTER TABLE ${T} RENAME COLUMN "status" TO "state"`]);
  });

  it('swaps two field names through temporary names', () => {
    const swapped = changeField(
      'fp1',
      { ...posts.fields[0], name: 'status' },
      changeField('fp3', { ...posts.fields[2], name: 'title' }),
    );
    // The declared index follows field fp3, now called title.
    const next = { ...swapped, indexes: [{ fields: ['title', 'views'], unique: false }] };
    expect(ddl(posts, next)).toEqual([
      `ALTER TABLE ${T} RENAME COLUMN "title" TO "_tmp_fp1"`,
      `ALTER TABLE ${T} RENAME COLUMN "status" TO "_tmp_fp3"`,
      `ALTER TABLE ${T} RENAME COLUMN "_tmp_fp1" TO "status"`,
      `ALTER TABLE ${T} RENAME COLUMN "_tmp_fp3" TO "title"`,
    ]);
  });

  it('adds a field with its column, foreign key and indexes', () => {
    const next: CollectionDef = {
      ...posts,
      fields: [
        ...posts.fields,
        {
          id: 'fp6',
          name: 'editor',
          type: 'relation',
          ...base,
          collection: 'users',
          maxSelect: 1,
          onDelete: 'restrict',
        },
        { id: 'fp7', name: 'slug', type: 'text', ...base, unique: true },
        { id: 'fp8', name: 'labels', type: 'select', ...base, values: ['x'], maxSelect: 3 },
      ],
    };
    expect(ddl(posts, next)).toEqual([
      `ALTER TABLE ${T} ADD COLUMN "editor" uuid`,
      `ALTER TABLE ${T} ADD COLUMN "slug" text`,
      `ALTER TABLE ${T} ADD COLUMN "labels" text[]`,
      `ALTER TABLE ${T} ADD CONSTRAINT "fk_fp6" FOREIGN KEY ("editor") REFERENCES data."users" ("id") ON DELETE RESTRICT`,
      `CREATE INDEX "rel_fp6" ON ${T} ("editor")`,
      `CREATE UNIQUE INDEX "uq_fp7" ON ${T} ("slug")`,
    ]);
  });

  it('drops a removed field with its column only (indexes and foreign key go with it)', () => {
    const next = { ...posts, fields: posts.fields.filter((f) => f.id !== 'fp4') };
    expect(ddl(posts, next)).toEqual([`ALTER TABLE ${T} DROP COLUMN "author"`]);
  });

  it('drops a declared index over a removed field before dropping the column', () => {
    const next = { ...posts, fields: posts.fields.filter((f) => f.id !== 'fp3'), indexes: [] };
    expect(ddl(posts, next)).toEqual([
      `DROP INDEX data."${declaredIndexName(posts, posts.indexes[0]!)}"`,
      `ALTER TABLE ${T} DROP COLUMN "status"`,
    ]);
  });

  it('reuses a name: drop the old field, then add the new one under the same name', () => {
    const next: CollectionDef = {
      ...posts,
      fields: [
        ...posts.fields.filter((f) => f.id !== 'fp2'),
        { id: 'fp9', name: 'views', type: 'json', ...base },
      ],
      indexes: [],
    };
    expect(ddl(posts, next)).toEqual([
      `DROP INDEX data."${declaredIndexName(posts, posts.indexes[0]!)}"`,
      `ALTER TABLE ${T} DROP COLUMN "views"`,
      `ALTER TABLE ${T} ADD COLUMN "views" jsonb`,
    ]);
  });

  it('creates and drops the unique index when unique is switched', () => {
    const on = changeField('fp1', { ...posts.fields[0], unique: true });
    expect(ddl(posts, on)).toEqual([`CREATE UNIQUE INDEX "uq_fp1" ON ${T} ("title")`]);
    expect(ddl(on, posts)).toEqual(['DROP INDEX data."uq_fp1"']);
  });

  it('re-adds the foreign key when onDelete changes', () => {
    const next = changeField('fp4', { ...posts.fields[3], onDelete: 'restrict' });
    expect(ddl(posts, next)).toEqual([
      `ALTER TABLE ${T} DROP CONSTRAINT "fk_fp4"`,
      `ALTER TABLE ${T} ADD CONSTRAINT "fk_fp4" FOREIGN KEY ("author") REFERENCES data."users" ("id") ON DELETE RESTRICT`,
    ]);
  });

  it('re-adds the foreign key when the target changes (PostgreSQL checks the existing ids)', () => {
    const next = changeField('fp4', { ...posts.fields[3], collection: 'posts' });
    expect(ddl(posts, next)).toEqual([
      `ALTER TABLE ${T} DROP CONSTRAINT "fk_fp4"`,
      `ALTER TABLE ${T} ADD CONSTRAINT "fk_fp4" FOREIGN KEY ("author") REFERENCES data."posts" ("id") ON DELETE CASCADE`,
    ]);
  });

  it('refuses a new target that does not exist', () => {
    const next = changeField('fp4', { ...posts.fields[3], collection: 'members' });
    expect(refusal(posts, next)).toEqual([
      {
        path: 'fields.3.collection',
        code: 'RELATION_TARGET_NOT_FOUND',
        message:
          'Field "author" relates to collection "members", which does not exist; create it first or change the field.',
      },
    ]);
  });

  it('renames a relation column between dropping and re-adding its foreign key', () => {
    const next = changeField('fp4', { ...posts.fields[3], name: 'writer', onDelete: 'set-null' });
    expect(ddl(posts, next)).toEqual([
      `ALTER TABLE ${T} DROP CONSTRAINT "fk_fp4"`,
      `ALTER TABLE ${T} RENAME COLUMN "author" TO "writer"`,
      `ALTER TABLE ${T} ADD CONSTRAINT "fk_fp4" FOREIGN KEY ("writer") REFERENCES data."users" ("id") ON DELETE SET NULL`,
    ]);
  });

  it('keeps declared indexes over renamed fields and diffs the others by name', () => {
    const renamed = changeField('fp2', { ...posts.fields[1], name: 'hits' });
    const next = {
      ...renamed,
      indexes: [
        { fields: ['status', 'hits'], unique: false },
        { fields: ['title'], unique: true },
      ],
    };
    const added = declaredIndexName(next, next.indexes[1]!);
    expect(declaredIndexName(next, next.indexes[0]!)).toBe(declaredIndexName(posts, posts.indexes[0]!));
    expect(ddl(posts, next)).toEqual([
      `ALTER TABLE ${T} RENAME COLUMN "views" TO "hits"`,
      `CREATE UNIQUE INDEX "${added}" ON ${T} ("title")`,
    ]);
    expect(ddl(next, { ...next, indexes: [] })).toEqual([
      `DROP INDEX data."${declaredIndexName(posts, posts.indexes[0]!)}"`,
      `DROP INDEX data."${added}"`,
    ]);
  });

  describe('field type changes', () => {
    const text = (over: Partial<FieldDef> = {}): FieldDef => ({
      id: 'fx',
      name: 'x',
      type: 'text',
      ...base,
      ...over,
    });
    const holder = (field: FieldDef): CollectionDef => ({ ...posts, fields: [...posts.fields, field] });
    const convert = (from: FieldDef, to: FieldDef) => planSchemaChange(holder(from), holder(to), schema);

    it.each([
      ['text', 'email'],
      ['email', 'url'],
      ['url', 'text'],
      ['text', 'select'],
      ['select', 'email'],
    ])('%s → %s keeps the text column as it is', (from, to) => {
      const extra = (type: string) => (type === 'select' ? { values: ['a'], maxSelect: 1 } : {});
      expect(
        convert(
          text({ type: from as FieldDef['type'], ...extra(from) }),
          text({ type: to as FieldDef['type'], ...extra(to) }),
        ),
      ).toEqual({
        ok: true,
        statements: [],
      });
    });

    it('number → text and bool → text convert with a cast', () => {
      expect(convert(text({ type: 'number' }), text())).toEqual({
        ok: true,
        statements: [`ALTER TABLE ${T} ALTER COLUMN "x" TYPE text USING "x"::text`],
      });
      expect(convert(text({ type: 'bool' }), text())).toEqual({
        ok: true,
        statements: [`ALTER TABLE ${T} ALTER COLUMN "x" TYPE text USING "x"::text`],
      });
    });

    it('a renamed field converts under its new name', () => {
      expect(convert(text({ type: 'number' }), text({ name: 'y' }))).toEqual({
        ok: true,
        statements: [
          `ALTER TABLE ${T} RENAME COLUMN "x" TO "y"`,
          `ALTER TABLE ${T} ALTER COLUMN "y" TYPE text USING "y"::text`,
        ],
      });
    });

    it('select and file single → multiple wrap the value in a one-element array', () => {
      const wrap = `CASE WHEN "x" IS NULL THEN NULL ELSE ARRAY["x"] END`;
      expect(
        convert(
          text({ type: 'select', values: ['a'], maxSelect: 1, unique: true }),
          text({ type: 'select', values: ['a'], maxSelect: 2 }),
        ),
      ).toEqual({
        ok: true,
        statements: [
          'DROP INDEX data."uq_fx"',
          `ALTER TABLE ${T} ALTER COLUMN "x" TYPE text[] USING ${wrap}`,
        ],
      });
      expect(convert(text({ type: 'file', maxSelect: 1 }), text({ type: 'file', maxSelect: 4 }))).toEqual({
        ok: true,
        statements: [`ALTER TABLE ${T} ALTER COLUMN "x" TYPE text[] USING ${wrap}`],
      });
    });

    it('relation single → multiple drops its foreign key and lookup index first', () => {
      const single = text({ type: 'relation', collection: 'users', maxSelect: 1, onDelete: 'set-null' });
      expect(convert(single, { ...single, maxSelect: 5 })).toEqual({
        ok: true,
        statements: [
          `ALTER TABLE ${T} DROP CONSTRAINT "fk_fx"`,
          'DROP INDEX data."rel_fx"',
          `ALTER TABLE ${T} ALTER COLUMN "x" TYPE uuid[] USING CASE WHEN "x" IS NULL THEN NULL ELSE ARRAY["x"] END`,
        ],
      });
    });

    it('changes between multiple sizes and multi-relation targets need no DDL', () => {
      const multi = text({ type: 'relation', collection: 'users', maxSelect: 5, onDelete: 'set-null' });
      expect(convert(multi, { ...multi, maxSelect: 9, collection: 'posts', onDelete: 'cascade' })).toEqual({
        ok: true,
        statements: [],
      });
    });

    const refused: Array<[string, Partial<FieldDef>, Partial<FieldDef>, string, string]> = [
      ['text → number', { type: 'text' }, { type: 'number' }, 'type', 'text to number'],
      ['text → bool', { type: 'text' }, { type: 'bool' }, 'type', 'text to bool'],
      ['text → date', { type: 'text' }, { type: 'date' }, 'type', 'text to date'],
      ['text → json', { type: 'text' }, { type: 'json' }, 'type', 'text to json'],
      [
        'text → relation',
        { type: 'text' },
        { type: 'relation', collection: 'users', maxSelect: 1 },
        'type',
        'text to relation (single)',
      ],
      ['text → file', { type: 'text' }, { type: 'file', maxSelect: 1 }, 'type', 'text to file (single)'],
      [
        'text → select multiple',
        { type: 'text' },
        { type: 'select', values: ['a'], maxSelect: 2 },
        'type',
        'text to select (multiple)',
      ],
      ['number → email', { type: 'number' }, { type: 'email' }, 'type', 'number to email'],
      ['number → bool', { type: 'number' }, { type: 'bool' }, 'type', 'number to bool'],
      ['bool → number', { type: 'bool' }, { type: 'number' }, 'type', 'bool to number'],
      ['date → text', { type: 'date' }, { type: 'text' }, 'type', 'date to text'],
      ['json → text', { type: 'json' }, { type: 'text' }, 'type', 'json to text'],
      ['json → number', { type: 'json' }, { type: 'number' }, 'type', 'json to number'],
      ['file → text', { type: 'file', maxSelect: 1 }, { type: 'text' }, 'type', 'file (single) to text'],
      [
        'relation → text',
        { type: 'relation', collection: 'users', maxSelect: 1 },
        { type: 'text' },
        'type',
        'relation (single) to text',
      ],
      [
        'select → file',
        { type: 'select', values: ['a'], maxSelect: 1 },
        { type: 'file', maxSelect: 1 },
        'type',
        'select (single) to file (single)',
      ],
      [
        'select multiple → single',
        { type: 'select', values: ['a'], maxSelect: 3 },
        { type: 'select', values: ['a'], maxSelect: 1 },
        'maxSelect',
        'select (multiple) to select (single)',
      ],
      [
        'file multiple → single',
        { type: 'file', maxSelect: 3 },
        { type: 'file', maxSelect: 1 },
        'maxSelect',
        'file (multiple) to file (single)',
      ],
      [
        'relation multiple → single',
        { type: 'relation', collection: 'users', maxSelect: 3 },
        { type: 'relation', collection: 'users', maxSelect: 1 },
        'maxSelect',
        'relation (multiple) to relation (single)',
      ],
      [
        'select multiple → text',
        { type: 'select', values: ['a'], maxSelect: 3 },
        { type: 'text' },
        'type',
        'select (multiple) to text',
      ],
    ];

    it.each(refused)('refuses %s', (_label, from, to, key, fromTo) => {
      const result = convert(text(from), text(to));
      const reason =
        key === 'maxSelect'
          ? 'existing records may hold several values'
          : 'existing values cannot be converted safely';
      expect(result).toEqual({
        ok: false,
        errors: [
          {
            path: `fields.5.${key}`,
            code: 'FIELD_TYPE_CHANGE_UNSUPPORTED',
            message: `Field "x" cannot change from ${fromTo}: ${reason}. Add a new field, copy the data, then remove the old one.`,
          },
        ],
      });
    });

    it('reports every refused field at once and plans nothing', () => {
      const next: CollectionDef = {
        ...posts,
        fields: posts.fields.map((f) =>
          f.id === 'fp1' ? { ...f, type: 'number' } : f.id === 'fp2' ? { ...f, type: 'date' } : f,
        ),
      };
      expect(refusal(posts, next).map((e) => [e.path, e.code])).toEqual([
        ['fields.0.type', 'FIELD_TYPE_CHANGE_UNSUPPORTED'],
        ['fields.1.type', 'FIELD_TYPE_CHANGE_UNSUPPORTED'],
      ]);
    });
  });

  it('orders a large change the way PostgreSQL needs it', () => {
    // Rename the table, retarget author, remove status (and its index), rename views→status,
    // switch title to unique, add a relation, and declare a new index over the renamed field.
    const next: CollectionDef = {
      ...posts,
      name: 'articles',
      fields: [
        { ...posts.fields[0]!, unique: true },
        { ...posts.fields[1]!, name: 'status', type: 'text' },
        { ...posts.fields[3]!, collection: 'articles' },
        { ...posts.fields[4]!, collection: 'articles' },
        {
          id: 'fpa',
          name: 'reviewer',
          type: 'relation',
          ...base,
          collection: 'users',
          maxSelect: 1,
          onDelete: 'set-null',
        },
      ],
      indexes: [{ fields: ['status'], unique: false }],
    };
    const t = 'data."articles"';
    expect(ddl(posts, next, [users, next])).toEqual([
      'ALTER TABLE data."posts" RENAME TO "articles"',
      `ALTER TABLE ${t} DROP CONSTRAINT "fk_fp4"`,
      `DROP INDEX data."${declaredIndexName(posts, posts.indexes[0]!)}"`,
      `ALTER TABLE ${t} DROP COLUMN "status"`,
      `ALTER TABLE ${t} RENAME COLUMN "views" TO "status"`,
      `ALTER TABLE ${t} ALTER COLUMN "status" TYPE text USING "status"::text`,
      `ALTER TABLE ${t} ADD COLUMN "reviewer" uuid`,
      `ALTER TABLE ${t} ADD CONSTRAINT "fk_fp4" FOREIGN KEY ("author") REFERENCES data."articles" ("id") ON DELETE CASCADE`,
      `ALTER TABLE ${t} ADD CONSTRAINT "fk_fpa" FOREIGN KEY ("reviewer") REFERENCES data."users" ("id") ON DELETE SET NULL`,
      `CREATE UNIQUE INDEX "uq_fp1" ON ${t} ("title")`,
      `CREATE INDEX "rel_fpa" ON ${t} ("reviewer")`,
      `CREATE INDEX "${declaredIndexName(next, next.indexes[0]!)}" ON ${t} ("status")`,
    ]);
  });

  it('refuses to diff two different collections', () => {
    expect(() => planSchemaChange(posts, users, schema)).toThrow(/different collections/);
    expect(() => planSchemaChange(null, null, schema)).toThrow(/previous or a next/);
  });
});

describe('declaredIndexName', () => {
  const index = posts.indexes[0]!;

  it('is idx_<whole collection id without dashes>_<10 hex digits>', () => {
    expect(declaredIndexName(posts, index)).toMatch(new RegExp(`^idx_${POSTS_TAG}_[0-9a-f]{10}$`));
  });

  it('tells apart collections created in the same millisecond (same UUIDv7 prefix)', () => {
    const twin = { ...posts, id: '0190b6a1-0000-7000-8000-0000000000ff' };
    expect(declaredIndexName(twin, index)).not.toBe(declaredIndexName(posts, index));
  });

  it('depends on the unique flag and the field order, not on field names', () => {
    const name = declaredIndexName(posts, index);
    expect(declaredIndexName(posts, { ...index, unique: true })).not.toBe(name);
    expect(declaredIndexName(posts, { fields: ['views', 'status'], unique: false })).not.toBe(name);
    expect(declaredIndexName(posts, { fields: ['status', 'views'] })).toBe(name);
    const renamed = changeField('fp3', { ...posts.fields[2], name: 'state' });
    expect(declaredIndexName(renamed, { fields: ['state', 'views'], unique: false })).toBe(name);
  });

  it('tells a system column from a field', () => {
    expect(declaredIndexName(posts, { fields: ['created'] })).not.toBe(
      declaredIndexName(posts, { fields: ['title'] }),
    );
  });
});

describe('planSchemaChange: search column and trigram indexes', () => {
  const searchable = (language = 'english') =>
    changeField('fp1', { ...base, name: 'title', type: 'text', searchable: true, language });
  const column = (lang: string) =>
    `"_search" tsvector GENERATED ALWAYS AS (to_tsvector('${lang}'::regconfig, coalesce("title", ''))) STORED`;
  const searchIndex = `CREATE INDEX "fts_${POSTS_TAG}" ON ${T} USING gin ("_search")`;

  it('creates the generated column and its GIN index with the table', () => {
    const statements = ddl(null, searchable());
    expect(statements[0]).toContain(column('english'));
    expect(statements).toContain(searchIndex);
  });

  it('adds, changes and removes the column with the option, before the columns it reads change', () => {
    expect(ddl(posts, searchable())).toEqual([
      `ALTER TABLE ${T} ADD COLUMN ${column('english')}`,
      searchIndex,
    ]);
    expect(ddl(searchable(), searchable('simple'))).toEqual([
      `ALTER TABLE ${T} DROP COLUMN "_search"`,
      `ALTER TABLE ${T} ADD COLUMN ${column('simple')}`,
      searchIndex,
    ]);
    expect(ddl(searchable(), posts)).toEqual([`ALTER TABLE ${T} DROP COLUMN "_search"`]);
    // A rename keeps the column: PostgreSQL follows it in the expression.
    const renamed = changeField('fp1', {
      ...base,
      name: 'heading',
      type: 'text',
      searchable: true,
      language: 'english',
    });
    expect(ddl(searchable(), renamed)).toEqual([`ALTER TABLE ${T} RENAME COLUMN "title" TO "heading"`]);
    // Removing the searchable field drops the column first.
    const without = { ...searchable(), fields: searchable().fields.filter((f) => f.id !== 'fp1') };
    expect(ddl(searchable(), without).slice(0, 2)).toEqual([
      `ALTER TABLE ${T} DROP COLUMN "_search"`,
      `ALTER TABLE ${T} DROP COLUMN "title"`,
    ]);
  });

  it('strips editor tags in the vector', () => {
    const def = normalizeOk({
      name: 'pages',
      fields: [{ name: 'body', type: 'editor', searchable: true, language: 'german' }],
    });
    expect(ddl(null, def)[0]).toContain(
      `to_tsvector('german'::regconfig, coalesce(regexp_replace("body", '<[^>]*>', ' ', 'g'), ''))`,
    );
  });

  it('creates and drops a trigram index with the option', () => {
    const trigram = changeField('fp1', { ...base, name: 'title', type: 'text', trigram: true });
    const create = `CREATE INDEX "trg_fp1" ON ${T} USING gin ("title" gin_trgm_ops)`;
    expect(ddl(posts, trigram)).toEqual([create]);
    expect(ddl(trigram, posts)).toEqual(['DROP INDEX data."trg_fp1"']);
    expect(ddl(null, trigram)).toContain(create);
  });
});
