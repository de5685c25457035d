import { checkRule, draftToDef } from './check-rule.js';
import { posts, schema, users } from './schema.fixture.js';

describe('checkRule', () => {
  it('accepts a rule over the fields, relations and @request.auth', () => {
    expect(checkRule("author = @request.auth.id && title != ''", posts, schema, 'list')).toEqual({
      ok: true,
      warnings: [],
    });
  });

  it('names an unknown field with the position it is at', () => {
    const rule = "title != '' && nosuch > 1";
    expect(checkRule(rule, posts, schema)).toMatchObject({
      ok: false,
      code: 'FILTER_UNKNOWN_FIELD',
      position: rule.indexOf('nosuch'),
      field: 'nosuch',
    });
  });

  it('points at a syntax error', () => {
    const result = checkRule('title = ', posts, schema);
    expect(result).toMatchObject({ ok: false, code: 'FILTER_SYNTAX' });
    if (result.ok) throw new Error('expected a problem');
    expect(typeof result.position).toBe('number');
  });

  it('warns that @request.body is empty in a list rule', () => {
    const result = checkRule("@request.body.title != ''", posts, schema, 'list');
    expect(result.ok).toBe(true);
    expect(result.warnings[0]).toMatch(/empty in a list rule/);
  });

  it('checks against a draft: a field renamed there is unknown under its old name', () => {
    const renamed = draftToDef(
      {
        name: 'posts',
        fields: posts.fields.map((f) => ({ ...f, name: f.name === 'title' ? 'headline' : f.name })),
      },
      posts,
    );
    expect(checkRule("headline != ''", renamed, schema)).toMatchObject({ ok: true });
    expect(checkRule("title != ''", renamed, schema)).toMatchObject({
      ok: false,
      field: 'title',
      position: 0,
    });
  });

  it('leaves out draft fields without a valid name or type instead of failing', () => {
    const def = draftToDef({
      name: 'notes',
      type: 'base',
      fields: [
        { name: '' },
        { name: 'x y', type: 'text' },
        { name: 'ok', type: 'nope' },
        { name: 'body', type: 'text' },
      ],
    });
    expect(def.fields.map((f) => f.name)).toEqual(['body']);
    expect(checkRule("body != '' && @request.auth.id != ''", def, [users])).toMatchObject({ ok: true });
  });
});
