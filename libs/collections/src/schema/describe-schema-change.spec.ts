import type { CollectionDef } from './collection.types.js';
import { describeSchemaChange } from './describe-schema-change.js';
import { posts, users } from './schema.fixture.js';

const field = { required: false, unique: false, hidden: false };

describe('describeSchemaChange', () => {
  it('answers null when nothing but the timestamps and key order differ', () => {
    const copy = JSON.parse(
      JSON.stringify({ ...posts, updated: '2030-01-01T00:00:00.000Z' }),
    ) as CollectionDef;
    copy.fields = copy.fields.map((f) => Object.fromEntries(Object.entries(f).reverse()) as typeof f);
    expect(describeSchemaChange(posts, copy)).toBeNull();
  });

  it('tells added, removed and changed fields, changed rules and indexes apart', () => {
    const next: CollectionDef = {
      ...posts,
      fields: [
        { ...posts.fields[0]!, required: false, max: 300 },
        ...posts.fields.slice(1, 4),
        { id: 'fp9', name: 'summary', type: 'text', ...field },
      ],
      listRule: "status = 'live'",
      indexes: [{ fields: ['status'], unique: true }],
    };
    expect(describeSchemaChange(posts, next)).toEqual({
      collection: 'posts',
      action: 'update',
      fields: ['title', 'summary', 'parent'],
      added: [{ name: 'summary', type: 'text' }],
      removed: [{ name: 'parent', type: 'relation' }],
      changed: [
        {
          name: 'title',
          type: 'text',
          changes: [
            { key: 'max', from: 200, to: 300 },
            { key: 'required', from: true, to: false },
          ],
        },
      ],
      rules: [
        { rule: 'listRule', from: "status = 'live' || author = @request.auth.id", to: "status = 'live'" },
      ],
      indexes: {
        added: [{ fields: ['status'], unique: true }],
        removed: [{ fields: ['status', 'views'], unique: false }],
      },
      options: [],
    });
  });

  it('names a renamed field and a changed type, a rule made admins-only and a reorder', () => {
    const [title, views, ...rest] = posts.fields;
    const next: CollectionDef = {
      ...posts,
      fields: [{ ...views!, name: 'hits', type: 'text', onlyInt: undefined }, title!, ...rest],
      viewRule: null,
    };
    const change = describeSchemaChange(posts, next)!;
    expect(change.changed).toEqual([
      {
        name: 'hits',
        type: 'text',
        previousName: 'views',
        changes: [
          { key: 'type', from: 'number', to: 'text' },
          { key: 'onlyInt', from: true },
        ],
      },
    ]);
    expect(change.rules).toEqual([{ rule: 'viewRule', from: '', to: null }]);
    expect(change.reordered).toBe(true);
  });

  it('shows auth options through the view, so secrets stay hidden', () => {
    const next = {
      ...users,
      oauth2: { enabled: true, providers: [{ name: 'google', clientSecret: 'sealed' }] },
    };
    const blank = (d: CollectionDef) => JSON.parse(JSON.stringify(d).replace(/sealed/g, '')) as CollectionDef;
    expect(describeSchemaChange(users, next, blank)!.options).toEqual([
      {
        key: 'oauth2',
        from: { enabled: false },
        to: { enabled: true, providers: [{ name: 'google', clientSecret: '' }] },
      },
    ]);
  });

  it('lists every field of a created or deleted collection, and the rules of a new one', () => {
    const created = describeSchemaChange(null, posts)!;
    expect(created).toMatchObject({ action: 'create', removed: [], changed: [] });
    expect(created.added.map((f) => f.name)).toEqual(['title', 'views', 'status', 'author', 'parent']);
    expect(created.rules).toContainEqual({ rule: 'deleteRule', to: null });
    const deleted = describeSchemaChange(posts, null)!;
    expect(deleted).toMatchObject({ action: 'delete', added: [], rules: [] });
    expect(deleted.removed).toContainEqual({ name: 'title', type: 'text' });
  });
});
