import type { FieldDef } from '../../schema/collection.types.js';
import { planColumns, rowBody } from './import-values.js';

const field = (name: string, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef =>
  ({ id: name, name, type, ...extra }) as FieldDef;

const target = {
  isAuth: false,
  fields: [
    field('title', 'text'),
    field('n', 'number'),
    field('done', 'bool'),
    field('kinds', 'select', { values: ['a', 'b'], maxSelect: 2 }),
    field('kind', 'select', { values: ['a', 'b'], maxSelect: 1 }),
    field('meta', 'json'),
    field('photo', 'file'),
    field('stamp', 'autodate'),
  ],
};

describe('import columns', () => {
  it('maps columns named as fields, skips server-made and file columns, names unknown ones', () => {
    const plan = planColumns(target, ['id', 'title', 'created', 'photo', 'stamp', 'colour'], undefined);
    expect(plan).toEqual({
      mapping: { id: 'id', title: 'title', created: null, photo: null, stamp: null, colour: null },
      unknownColumns: ['colour'],
      ignoredColumns: ['created', 'photo', 'stamp'],
    });
  });

  it('lets a mapping rename and skip columns', () => {
    const plan = planColumns(target, ['Name', 'title'], { Name: 'title', title: null });
    expect(plan.mapping).toEqual({ Name: 'title', title: null });
    expect(plan.unknownColumns).toEqual([]);
  });

  it('refuses a mapping to nothing settable, to a field twice, or of a column the file lacks', () => {
    const paths = (mapping: Record<string, unknown>, columns = ['a', 'b']) => {
      try {
        planColumns(target, columns, mapping);
        return [];
      } catch (err) {
        return ((err as { extra: { errors: Array<{ path: string }> } }).extra.errors ?? []).map(
          (e) => e.path,
        );
      }
    };
    expect(paths({ a: 'nope' })).toEqual(['mapping.a']);
    expect(paths({ a: 'photo' })).toEqual(['mapping.a']);
    expect(paths({ a: 'title', b: 'title' })).toEqual(['mapping.b']);
    expect(paths({ c: 'title' })).toEqual(['mapping.c']);
    expect(paths({ a: 'title', b: null })).toEqual([]);
  });
});

describe('import cell values', () => {
  const plan = planColumns(target, ['id', 'title', 'n', 'done', 'kinds', 'kind', 'meta'], undefined);
  const body = (values: Record<string, unknown>, typed = false) => rowBody(target, plan, values, typed);

  it('reads text cells as the field types, as the CSV export writes them', () => {
    expect(
      body({
        id: 'abc',
        title: "'=1+1",
        n: '-2.5',
        done: 'TRUE',
        kinds: '["a","b"]',
        kind: 'a',
        meta: '{"x":[1]}',
      }),
    ).toEqual({
      body: { id: 'abc', title: '=1+1', n: -2.5, done: true, kinds: ['a', 'b'], kind: 'a', meta: { x: [1] } },
      problems: [],
    });
  });

  it('reads empty cells as empty values, and one bare value of a multi-value field as a list', () => {
    expect(body({ id: '', title: '', n: '', done: '', kinds: 'b', kind: '', meta: '' }).body).toEqual({
      title: '',
      n: null,
      done: false,
      kinds: ['b'],
      kind: '',
      meta: null,
    });
    expect(body({ kinds: '' }).body).toEqual({ kinds: [] });
  });

  it('keeps typed XLSX cells and leaves unreadable values to validation or reports them', () => {
    expect(body({ n: 3, done: false, title: 12 }).body).toEqual({ n: 3, done: false, title: '12' });
    expect(body({ n: 'lots' }).body).toEqual({ n: 'lots' });
    expect(body({ meta: '{oops', kinds: '[1,' }).problems.map((p) => p.path)).toEqual(['kinds', 'meta']);
  });

  it('takes JSON values as they are', () => {
    expect(body({ title: "'=x", n: '3', kinds: ['a'] }, true).body).toEqual({
      title: "'=x",
      n: '3',
      kinds: ['a'],
    });
  });
});
