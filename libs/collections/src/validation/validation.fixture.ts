import type { CollectionDef, FieldDef } from '../schema/collection.types.js';

let seq = 0;

/** A collection def with defaults for everything but its fields. */
export function collection(
  name: string,
  fields: Array<Omit<FieldDef, 'id'> & { id?: string }>,
  type: CollectionDef['type'] = 'base',
): CollectionDef {
  return {
    id: `col_${name}`,
    name,
    type,
    fields: fields.map((f) => ({ id: f.id ?? `fld_${++seq}`, ...f })),
    indexes: [],
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: null,
  };
}

/** One field of every type and shape. */
export const posts = (): CollectionDef =>
  collection('posts', [
    { name: 'title', type: 'text', required: true, max: 200 },
    { name: 'slug', type: 'text', min: 3, max: 40, pattern: '^[a-z0-9-]+$' },
    { name: 'body', type: 'text' },
    { name: 'contact', type: 'email' },
    { name: 'website', type: 'url' },
    { name: 'views', type: 'number', min: 0, max: 1000000, onlyInt: true },
    { name: 'rating', type: 'number', min: -5, max: 5 },
    { name: 'featured', type: 'bool' },
    { name: 'publishedAt', type: 'date' },
    { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1, default: 'draft' },
    { name: 'tags', type: 'select', values: ['a', 'b', 'c', 'd'], maxSelect: 3 },
    { name: 'meta', type: 'json' },
    { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
    { name: 'related', type: 'relation', collection: 'posts', maxSelect: 5 },
    { name: 'cover', type: 'file', maxSelect: 1 },
    { name: 'gallery', type: 'file', maxSelect: 4 },
    { name: 'secret', type: 'text', hidden: true },
  ]);

export const users = (): CollectionDef =>
  collection(
    'users',
    [
      { name: 'name', type: 'text', max: 100 },
      { name: 'notes', type: 'text', hidden: true },
    ],
    'auth',
  );

export const UUID_A = '0190f2b8-6c3a-7def-8123-456789abcdef';
export const UUID_B = '0190f2b8-6c3a-7def-8123-456789abcde0';
export const UUID_C = '0190f2b8-6c3a-7def-8123-456789abcde1';
