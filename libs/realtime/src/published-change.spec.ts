import { describe, expect, it } from '@jest/globals';
import { published } from './published-change.js';

describe('published', () => {
  it('keeps the action and the record, never who made the change nor the record before', () => {
    const change = {
      action: 'update' as const,
      collectionId: 'c1',
      collectionName: 'posts',
      record: { id: 'r1', title: 'new' },
      previous: { id: 'r1', title: 'old' },
      actor: { kind: 'user' as const, id: 'u1', collection: 'users' },
    };
    expect(published(change)).toEqual({
      action: 'update',
      collectionId: 'c1',
      collectionName: 'posts',
      record: { id: 'r1', title: 'new' },
    });
  });
});
