import { compileSort } from './compile-sort.js';
import { filterErrorOf, odd, posts, rendered } from './filter.fixture.js';

const sort = (input: string, canSeeHidden = false) =>
  rendered(compileSort(input, posts, 't', { canSeeHidden })).sql;
const sortOn = (input: string, on: typeof posts) => rendered(compileSort(input, on, 't', { canSeeHidden: false })).sql;

describe('compileSort', () => {
  it("answers '' for no sort, so the caller picks its default", () => {
    expect(rendered(compileSort('', posts, 't', { canSeeHidden: false }))).toEqual({ sql: '', params: [] });
    expect(sort(' , ')).toBe('');
  });

  it('sorts ascending by default and descending with -, nulls last, with id as tiebreaker', () => {
    expect(sort('-views,title')).toBe('t."views" DESC, t."title" ASC, t."id" ASC');
    expect(sort('title, -views')).toBe('t."title" ASC, t."views" DESC, t."id" DESC');
    expect(sort('+title')).toBe('t."title" ASC, t."id" ASC');
  });

  it('leaves the never-null system columns to their index order', () => {
    expect(sort('-created')).toBe('t."created" DESC, t."id" DESC');
    expect(sort('updated')).toBe('t."updated" ASC, t."id" ASC');
  });

  it('adds no tiebreaker when id is listed', () => {
    expect(sort('-id')).toBe('t."id" DESC');
    expect(sort('-id,title')).toBe('t."id" DESC, t."title" ASC');
  });

  it('keeps the first of repeated fields', () => {
    expect(sort('title,-title')).toBe('t."title" ASC, t."id" ASC');
  });

  it('quotes the column from the schema', () => {
    expect(sortOn('-x', odd)).toBe('t."x""y" DESC, t."id" DESC');
  });

  it('refuses hidden fields unless the caller may see them', () => {
    expect(filterErrorOf(() => sort('-secret'))).toMatchObject({
      code: 'SORT_HIDDEN_FIELD',
      field: 'secret',
    });
    expect(sort('-secret', true)).toBe('t."secret" DESC, t."id" DESC');
  });

  it.each([
    ['nope'],
    ['-Title'],
    ['author.name'],
    ['@random'],
    ['title DESC'],
    ['title;DROP TABLE x'],
    ['-'],
    ['"title"'],
  ])('refuses %s with SORT_UNKNOWN_FIELD', (input) => {
    const error = filterErrorOf(() => sort(input));
    expect(error.code).toBe('SORT_UNKNOWN_FIELD');
  });

  it('says that relation paths cannot be sorted by', () => {
    expect(filterErrorOf(() => sort('author.name')).message).toBe(
      'Cannot sort by "author.name": sorting through relations is not supported.',
    );
    expect(filterErrorOf(() => sort('nope')).message).toBe('Unknown sort field "nope".');
  });

  it('sorts by at most 8 fields', () => {
    const eight = 'title,views,published,publishAt,author,meta,subtitle,created';
    expect(sort(eight).split(', ')).toHaveLength(9);
    expect(filterErrorOf(() => sort(`${eight},updated`)).code).toBe('SORT_TOO_MANY_FIELDS');
  });

  it('refuses an alias that is not a plain identifier', () => {
    expect(() => compileSort('title', posts, 't"', { canSeeHidden: false })).toThrow('Invalid SQL alias');
  });
});
