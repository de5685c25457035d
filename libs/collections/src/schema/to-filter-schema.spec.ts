import { validateRuleSyntax } from '../filter/index.js';
import type { CollectionDef } from './collection.types.js';
import { posts, schema, users } from './schema.fixture.js';
import { toFilterCollection, toFilterSchema } from './to-filter-schema.js';

const every: CollectionDef = {
  ...posts,
  name: 'every',
  viewRule: 'flag = true',
  fields: [
    { id: 'a', name: 'text', type: 'text' },
    { id: 'b', name: 'mail', type: 'email' },
    { id: 'c', name: 'link', type: 'url' },
    { id: 'd', name: 'choice', type: 'select', values: ['x'], maxSelect: 1 },
    { id: 'e', name: 'choices', type: 'select', values: ['x', 'y'], maxSelect: 2 },
    { id: 'f', name: 'doc', type: 'file', maxSelect: 1 },
    { id: 'g', name: 'docs', type: 'file', maxSelect: 3 },
    { id: 'h', name: 'count', type: 'number' },
    { id: 'i', name: 'flag', type: 'bool' },
    { id: 'j', name: 'when', type: 'date' },
    { id: 'k', name: 'meta', type: 'json', hidden: true },
    { id: 'l', name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
    { id: 'm', name: 'owners', type: 'relation', collection: 'users', maxSelect: 4 },
  ],
  indexes: [],
};

describe('toFilterCollection', () => {
  it('maps every field type to its column kind, multiplicity, visibility and relation target', () => {
    const c = toFilterCollection(every);
    expect(c.name).toBe('every');
    expect(c.table).toBe('every');
    expect(c.viewRule).toBe('flag = true');
    expect([...c.fields.values()]).toStrictEqual([
      { name: 'text', column: 'text', kind: 'text', multiple: false, hidden: false },
      { name: 'mail', column: 'mail', kind: 'text', multiple: false, hidden: false },
      { name: 'link', column: 'link', kind: 'text', multiple: false, hidden: false },
      { name: 'choice', column: 'choice', kind: 'text', multiple: false, multiValued: true, hidden: false },
      { name: 'choices', column: 'choices', kind: 'text', multiple: true, multiValued: true, hidden: false },
      { name: 'doc', column: 'doc', kind: 'text', multiple: false, multiValued: true, hidden: false },
      { name: 'docs', column: 'docs', kind: 'text', multiple: true, multiValued: true, hidden: false },
      { name: 'count', column: 'count', kind: 'number', multiple: false, hidden: false },
      { name: 'flag', column: 'flag', kind: 'bool', multiple: false, hidden: false },
      { name: 'when', column: 'when', kind: 'date', multiple: false, hidden: false },
      { name: 'meta', column: 'meta', kind: 'json', multiple: false, hidden: true },
      {
        name: 'owner',
        column: 'owner',
        kind: 'uuid',
        multiple: false,
        multiValued: true,
        hidden: false,
        relationTo: 'users',
      },
      {
        name: 'owners',
        column: 'owners',
        kind: 'uuid',
        multiple: true,
        multiValued: true,
        hidden: false,
        relationTo: 'users',
      },
    ]);
  });

  it('adds email, emailVisibility and verified to auth collections, never the password hash or token key', () => {
    const c = toFilterCollection(users);
    expect([...c.fields.keys()]).toEqual(['email', 'emailVisibility', 'verified', 'name', 'secretNote']);
    expect(c.fields.get('email')).toStrictEqual({
      name: 'email',
      column: 'email',
      kind: 'text',
      multiple: false,
      hidden: false,
    });
    expect(c.fields.get('emailVisibility')!.kind).toBe('bool');
    expect(c.fields.get('verified')!.kind).toBe('bool');
    expect(c.fields.get('secretNote')!.hidden).toBe(true);
    expect(toFilterCollection(posts).fields.has('email')).toBe(false);
  });
});

describe('toFilterSchema', () => {
  it('finds collections by exact name', () => {
    const s = toFilterSchema(schema);
    expect(s.collection('posts')!.fields.get('author')!.relationTo).toBe('users');
    expect(s.collection('users')!.viewRule).toBe('id = @request.auth.id');
    expect(s.collection('Posts')).toBeUndefined();
    expect(s.collection('__proto__')).toBeUndefined();
  });

  it('lets rules follow relations between the collections', () => {
    const s = toFilterSchema([...schema, every]);
    expect(() =>
      validateRuleSyntax(
        "owner.verified = true && owners.name ?= 'x' && meta != null",
        s.collection('every')!,
        s,
      ),
    ).not.toThrow();
    expect(() => validateRuleSyntax("owner.token_key = 'x'", s.collection('every')!, s)).toThrow(
      'Unknown field "owner.token_key".',
    );
  });
});
