import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_TEXT_ID,
  generateTextId,
  isRecordIdOf,
  newIdProblem,
  normalizeIdField,
  randomStringByRegex,
  type TextIdField,
} from './id-field.js';

const field = (over: Partial<TextIdField> = {}): TextIdField => ({ id: 'f', ...DEFAULT_TEXT_ID, ...over });

describe('PocketBase text ids', () => {
  it('makes random strings from a regular expression', () => {
    for (let i = 0; i < 50; i++) {
      expect(randomStringByRegex('[a-z0-9]{15}')).toMatch(/^[a-z0-9]{15}$/);
      expect(randomStringByRegex('abc-(x|y)\\d{2,4}')).toMatch(/^abc-[xy]\d{2,4}$/);
      expect(randomStringByRegex('^r[^a-z]{3}$')).toMatch(/^r[^a-z]{3}$/);
    }
  });

  it("generates ids that pass the field's own checks, and none without a pattern", () => {
    expect(generateTextId(field())).toMatch(/^[a-z0-9]{15}$/);
    expect(generateTextId(field({ autogeneratePattern: '' }))).toBeUndefined();
    expect(() => generateTextId(field({ autogeneratePattern: '[A-Z]{15}' }))).toThrow();
  });

  it('checks a chosen id against pattern, length and the safe characters', () => {
    expect(newIdProblem(field(), 'abcdefghij12345')).toBeNull();
    expect(newIdProblem(field(), 'abc')).toMatch(/at least 15/);
    expect(newIdProblem(field(), 'ABCDEFGHIJ12345')).toMatch(/pattern/);
    expect(newIdProblem(field({ pattern: '' }), 'abcdefghij/2345')).toMatch(/letters, digits/);
    expect(isRecordIdOf('text', 'x'.repeat(101))).toBe(false);
    expect(isRecordIdOf('uuid', 'abcdefghij12345')).toBe(false);
    expect(isRecordIdOf('uuid', '0190F5C2-7D1A-7ABC-8DEF-0123456789AB')).toBe(true);
  });

  it("reads PocketBase's id field, refusing what it cannot keep", () => {
    const problems: string[] = [];
    const add = (path: string) => problems.push(path);
    expect(
      normalizeIdField({ name: 'id', type: 'text', system: true, primaryKey: true }, 'fields.0', add),
    ).toEqual(field({ id: 'text3208210256' }));
    expect(
      normalizeIdField({ name: 'id', type: 'text', autogeneratePattern: '' }, 'fields.0', add),
    ).toMatchObject({
      autogeneratePattern: '',
    });
    expect(problems).toEqual([]);
    expect(
      normalizeIdField({ name: 'id', type: 'number', hidden: true, min: 20 }, 'fields.3', add),
    ).toBeUndefined();
    expect(problems).toEqual(['fields.3.type', 'fields.3.hidden', 'fields.3.max']);
  });
});
