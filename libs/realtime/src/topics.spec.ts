import { describe, expect, it } from '@jest/globals';
import { parseTopic, TopicError } from './topics.js';

const ID = '0190a5f2-7c1e-7abc-8def-0123456789ab';

describe('parseTopic', () => {
  it('reads collection and record topics', () => {
    expect(parseTopic('posts')).toMatchObject({ raw: 'posts', collection: 'posts', recordId: undefined });
    expect(parseTopic('posts/*')).toMatchObject({ collection: 'posts', recordId: undefined });
    expect(parseTopic(`posts/${ID.toUpperCase()}`)).toMatchObject({ collection: 'posts', recordId: ID });
  });

  it("reads PocketBase's options and the flat form alike", () => {
    const options = encodeURIComponent(
      JSON.stringify({ query: { filter: "a = 'b'", expand: 'author' }, headers: { x: '1' } }),
    );
    const pb = parseTopic(`posts?options=${options}`);
    const flat = parseTopic(`posts?filter=${encodeURIComponent("a = 'b'")}&expand=author`);
    expect(pb).toMatchObject({ filter: "a = 'b'", expand: 'author' });
    expect(flat).toMatchObject({ filter: "a = 'b'", expand: 'author' });
    // Same kind and options: one rule check serves both.
    expect(pb.key).toBe(flat.key);
    expect(parseTopic(`posts/${ID}?expand=author`).key).not.toBe(parseTopic('posts?expand=author').key);
  });

  const refused: Array<[string, string]> = [
    ['', 'non-empty'],
    ['*', '"*"'],
    ['*/x', '"*"'],
    ['posts/abc', 'not a record id'],
    ['a/b/c', 'collection'],
    ['po sts', 'collection'],
    ['posts\nevent: x', 'control characters'],
    ['posts?sort=title', 'unknown option "sort"'],
    ['posts?options=nope', 'not JSON'],
    ['posts?options=[1]', 'not a JSON object'],
    [`posts?options=${encodeURIComponent('{"query":{"fields":"id"}}')}`, 'unknown query option "fields"'],
    [`posts?options=${encodeURIComponent('{"query":{"filter":1}}')}`, 'not a string'],
    [`posts?filter=${'x'.repeat(4097)}`, 'filter longer than 4096'],
    ['x'.repeat(9000), 'at most 8192'],
  ];
  it.each(refused.map(([raw, message]) => [raw.length > 60 ? `${raw.slice(0, 40)}…` : raw, raw, message]))(
    'refuses %j',
    (_shown, raw, message) => {
      expect(() => parseTopic(raw)).toThrow(TopicError);
      expect(() => parseTopic(raw)).toThrow(message);
    },
  );
});
