import { describe, expect, it } from '@jest/globals';
import type { CollectionModel } from '@plinth/sdk';
import { renameInRule, ruleUses, suggest, tokenAt } from './rule-language';

const users: CollectionModel = { name: 'users', type: 'auth', fields: [{ name: 'name', type: 'text' }] };
const posts: CollectionModel = {
  name: 'posts',
  type: 'base',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
  ],
};

describe('renameInRule', () => {
  it('renames identifiers of the collection only, never inside strings or other collections', () => {
    const rule =
      "title = 'title' && @request.body.title:isset = true && author.title != \"title\" && @collection.posts.title ?= 'x' && @collection.pages.title = ''";
    expect(renameInRule(rule, 'posts', 'title', 'headline')).toBe(
      "headline = 'title' && @request.body.headline:isset = true && author.title != \"title\" && @collection.posts.headline ?= 'x' && @collection.pages.title = ''",
    );
  });

  it('keeps a modifier and leaves a longer name alone', () => {
    expect(renameInRule('points:length > 1 && pointsMax > 2', 'tasks', 'points', 'score')).toBe(
      'score:length > 1 && pointsMax > 2',
    );
    expect(ruleUses("x = 'points'", 'tasks', 'points')).toBe(false);
    expect(ruleUses('points > 1', 'tasks', 'points')).toBe(true);
  });
});

describe('suggest', () => {
  const inserts = (word: string) => suggest(word, posts, [users]).map((s) => s.insert);

  it('offers fields, relation paths, @request.auth, macros and modifiers', () => {
    expect(inserts('ti')).toEqual(['title']);
    expect(inserts('author.')).toEqual(expect.arrayContaining(['author.id', 'author.email', 'author.name']));
    expect(inserts('@request.a')).toEqual(expect.arrayContaining(['@request.auth.id', '@request.auth.name']));
    expect(inserts('@request.body.')).toEqual(expect.arrayContaining(['@request.body.title']));
    expect(inserts('@tod')).toEqual(['@todayStart', '@todayEnd']);
    expect(inserts('title:l')).toEqual(['title:length', 'title:lower']);
    expect(inserts('@collection.')).toEqual(['@collection.users.']);
  });

  it('finds the whole name an error position points into', () => {
    expect(tokenAt("title != '' && nosuch > 1", 17)).toMatchObject({ text: 'nosuch', start: 15, end: 21 });
  });
});
