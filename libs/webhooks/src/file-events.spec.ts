import { describe, expect, it } from '@jest/globals';
import type { CollectionDef } from '@plinth/collections';
import { fileChanges, fileKinds } from './file-events.js';

const def = {
  fields: [
    { id: 'a', name: 'title', type: 'text' },
    { id: 'b', name: 'cover', type: 'file', maxSelect: 1 },
    { id: 'c', name: 'docs', type: 'file', maxSelect: 5 },
  ],
} as Pick<CollectionDef, 'fields'>;

describe('fileChanges', () => {
  it('names every file of a created record as uploaded', () => {
    expect(fileChanges(def, 'create', { title: 'x', cover: 'c.png', docs: ['a.pdf', 'b.pdf'] })).toEqual([
      { kind: 'file.create', field: 'cover', name: 'c.png' },
      { kind: 'file.create', field: 'docs', name: 'a.pdf' },
      { kind: 'file.create', field: 'docs', name: 'b.pdf' },
    ]);
  });

  it('names what an update added and removed, and nothing for unchanged files', () => {
    expect(
      fileChanges(
        def,
        'update',
        { cover: 'new.png', docs: ['a.pdf', 'c.pdf'] },
        { cover: 'old.png', docs: ['a.pdf', 'b.pdf'] },
      ),
    ).toEqual([
      { kind: 'file.create', field: 'cover', name: 'new.png' },
      { kind: 'file.create', field: 'docs', name: 'c.pdf' },
      { kind: 'file.delete', field: 'cover', name: 'old.png' },
      { kind: 'file.delete', field: 'docs', name: 'b.pdf' },
    ]);
    expect(
      fileChanges(def, 'update', { title: 'y', cover: 'c.png' }, { title: 'x', cover: 'c.png' }),
    ).toEqual([]);
  });

  it('names every file of a deleted record as deleted; empty values are no files', () => {
    expect(fileChanges(def, 'delete', { cover: null, docs: ['a.pdf'] })).toEqual([
      { kind: 'file.delete', field: 'docs', name: 'a.pdf' },
    ]);
    expect(fileChanges(def, 'create', { cover: '', docs: [] })).toEqual([]);
  });

  it('knows which kinds each action may carry', () => {
    expect(fileKinds('create')).toEqual(['file.create']);
    expect(fileKinds('update')).toEqual(['file.create', 'file.delete']);
    expect(fileKinds('delete')).toEqual(['file.delete']);
    expect(fileKinds('signin')).toEqual([]);
  });
});
