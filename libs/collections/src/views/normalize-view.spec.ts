import { describe, expect, it } from '@jest/globals';
import type { CollectionDef } from '../schema/collection.types.js';
import { isViewInput, normalizeViewCollection } from './normalize-view.js';

const posts: CollectionDef = {
  id: 'c1',
  name: 'posts',
  type: 'base',
  fields: [],
  indexes: [],
  listRule: '',
  viewRule: '',
  createRule: '',
  updateRule: '',
  deleteRule: '',
};
const newId = () => 'new-id';

describe('normalizeViewCollection', () => {
  it('accepts a view with its query, list and view rules, and null write rules', () => {
    const result = normalizeViewCollection(
      {
        name: 'stats',
        type: 'view',
        viewQuery: ' SELECT id FROM posts; ',
        listRule: ' ',
        viewRule: 'id != ""',
        fields: [],
      },
      null,
      [posts],
      newId,
    );
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        id: 'new-id',
        name: 'stats',
        type: 'view',
        viewQuery: 'SELECT id FROM posts',
        listRule: '',
        viewRule: 'id != ""',
        createRule: null,
        updateRule: null,
        deleteRule: null,
        indexes: [],
      }),
    });
  });

  it('keeps what a PATCH leaves out', () => {
    const existing = {
      ...posts,
      id: 'v1',
      name: 'stats',
      type: 'view' as const,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      viewQuery: 'SELECT id FROM posts',
    };
    const result = normalizeViewCollection({ listRule: null }, existing, [posts, existing], newId);
    expect(result).toMatchObject({
      ok: true,
      value: { id: 'v1', name: 'stats', viewQuery: 'SELECT id FROM posts', listRule: null, viewRule: '' },
    });
  });

  it('names every problem', () => {
    const result = normalizeViewCollection(
      {
        name: 'posts',
        type: 'view',
        viewQuery: 'DROP TABLE posts',
        createRule: '',
        indexes: [{ fields: ['id'] }],
        extra: 1,
      },
      null,
      [posts],
      newId,
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((e) => [e.path, e.code])).toEqual([
      ['extra', 'UNKNOWN_KEY'],
      ['name', 'COLLECTION_NAME_TAKEN'],
      ['viewQuery', 'INVALID_VALUE'],
      ['indexes', 'OPTION_NOT_ALLOWED'],
      ['createRule', 'OPTION_NOT_ALLOWED'],
    ]);
  });

  it('needs a query', () => {
    const result = normalizeViewCollection({ name: 'stats', type: 'view' }, null, [], newId);
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['viewQuery']);
  });
});

describe('isViewInput', () => {
  it('follows the stored type, else the body', () => {
    expect(isViewInput({ type: 'view' }, null)).toBe(true);
    expect(isViewInput({ type: 'view' }, posts)).toBe(false);
    expect(isViewInput({}, { ...posts, type: 'view' })).toBe(true);
  });
});
