import { Ajv2020 } from 'ajv/dist/2020.js';

import {
  buildRecordSchemas,
  DATE_PATTERN,
  describeField,
  modifierKey,
  parseModifierKey,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  URL_PATTERN,
} from './index.js';
import type { JSONSchema } from './index.js';
import { collection, posts, users } from './validation.fixture.js';

const prop = (schema: JSONSchema, name: string): JSONSchema => {
  const p = schema.properties?.[name];
  if (!p) throw new Error(`no property ${name}`);
  return p;
};

/** The schema without the documentation keywords, to compare shapes. */
const shape = (s: JSONSchema): JSONSchema => {
  const { description: _d, ...rest } = s;
  return rest;
};

describe('buildRecordSchemas', () => {
  describe('create', () => {
    const { create } = buildRecordSchemas(posts());

    it('is a closed object titled <collection>.create', () => {
      expect(create.title).toBe('posts.create');
      expect(create.type).toBe('object');
      expect(create.additionalProperties).toBe(false);
    });

    it('takes an optional client-chosen uuid id', () => {
      expect(shape(prop(create, 'id'))).toEqual({ type: 'string', format: 'uuid' });
      expect(create.required).not.toContain('id');
    });

    it('requires the required fields without a default', () => {
      expect(create.required).toEqual(['title']);
      const withDefault = buildRecordSchemas(
        collection('c', [
          { name: 'a', type: 'text', required: true },
          { name: 'b', type: 'number', required: true, default: 1 },
          { name: 'c', type: 'bool', required: true, default: false },
        ]),
      ).create;
      expect(withDefault.required).toEqual(['a']);
      expect(prop(withDefault, 'b').default).toBe(1);
      expect(prop(withDefault, 'c').default).toBe(false);
    });

    it('has a property for every field and nothing else', () => {
      expect(Object.keys(create.properties ?? {})).toEqual(['id', ...posts().fields.map((f) => f.name)]);
    });
  });

  describe('field types (create/update property schemas)', () => {
    const { create } = buildRecordSchemas(posts());

    it('text: required ⇒ string with minLength ≥ 1; optional ⇒ string|null with min/pattern on non-empty', () => {
      expect(shape(prop(create, 'title'))).toEqual({ type: 'string', minLength: 1, maxLength: 200 });
      expect(shape(prop(create, 'slug'))).toEqual({
        type: ['string', 'null'],
        maxLength: 40,
        if: { type: 'string', minLength: 1 },
        then: { minLength: 3, pattern: '^[a-z0-9-]+$' },
      });
      expect(shape(prop(create, 'body'))).toEqual({ type: ['string', 'null'] });
    });

    it('text: a required text keeps min above 1 and its pattern at the top level', () => {
      const { create: c } = buildRecordSchemas(
        collection('c', [{ name: 'code', type: 'text', required: true, min: 4, max: 4, pattern: '^\\d+$' }]),
      );
      expect(shape(prop(c, 'code'))).toEqual({
        type: 'string',
        minLength: 4,
        maxLength: 4,
        pattern: '^\\d+$',
      });
    });

    it('email, url', () => {
      expect(shape(prop(create, 'contact'))).toEqual({ type: ['string', 'null'], format: 'email' });
      expect(shape(prop(create, 'website'))).toEqual({
        type: ['string', 'null'],
        format: 'uri',
        pattern: URL_PATTERN,
      });
      expect(new RegExp(URL_PATTERN, 'u').test('https://a.example/x')).toBe(true);
      expect(new RegExp(URL_PATTERN, 'u').test('ftp://a.example/x')).toBe(false);
      expect(new RegExp(URL_PATTERN, 'u').test('javascript:alert(1)')).toBe(false);
    });

    it('number: integer when onlyInt, with minimum/maximum', () => {
      expect(shape(prop(create, 'views'))).toEqual({
        type: ['integer', 'null'],
        minimum: 0,
        maximum: 1000000,
      });
      expect(shape(prop(create, 'rating'))).toEqual({ type: ['number', 'null'], minimum: -5, maximum: 5 });
      const { create: c } = buildRecordSchemas(
        collection('c', [{ name: 'n', type: 'number', required: true }]),
      );
      expect(shape(prop(c, 'n'))).toEqual({ type: 'number' });
    });

    it('bool', () => {
      expect(shape(prop(create, 'featured'))).toEqual({ type: ['boolean', 'null'] });
    });

    it('date: date-time or the PocketBase forms', () => {
      expect(shape(prop(create, 'publishedAt'))).toEqual({
        type: ['string', 'null'],
        anyOf: [{ format: 'date-time' }, { pattern: DATE_PATTERN }],
      });
      const re = new RegExp(DATE_PATTERN, 'u');
      expect(re.test('2024-01-31')).toBe(true);
      expect(re.test('2024-01-31 10:00:00Z')).toBe(true);
      expect(re.test('2024-01-31 10:00:00.123Z')).toBe(true);
      expect(re.test('2024-01-31 10:00')).toBe(false);
      expect(re.test('31/01/2024')).toBe(false);
    });

    it('select: single ⇒ enum (+ null when optional); multi ⇒ array of enum', () => {
      expect(shape(prop(create, 'status'))).toEqual({
        type: ['string', 'null'],
        enum: ['draft', 'live', null],
        default: 'draft',
      });
      expect(shape(prop(create, 'tags'))).toEqual({
        type: ['array', 'null'],
        items: { type: 'string', enum: ['a', 'b', 'c', 'd'] },
        uniqueItems: true,
        maxItems: 3,
      });
      const { create: c } = buildRecordSchemas(
        collection('c', [
          { name: 's', type: 'select', values: ['x'], required: true },
          { name: 'm', type: 'select', values: ['x', 'y'], maxSelect: 2, required: true },
        ]),
      );
      expect(shape(prop(c, 's'))).toEqual({ type: 'string', enum: ['x'] });
      expect(shape(prop(c, 'm'))).toEqual({
        type: 'array',
        items: { type: 'string', enum: ['x', 'y'] },
        uniqueItems: true,
        maxItems: 2,
        minItems: 1,
      });
    });

    it('json: anything; required ⇒ not null', () => {
      expect(shape(prop(create, 'meta'))).toEqual({});
      const { create: c } = buildRecordSchemas(
        collection('c', [{ name: 'j', type: 'json', required: true }]),
      );
      expect(shape(prop(c, 'j'))).toEqual({ not: { type: 'null' } });
    });

    it('relation: uuid or array of uuids', () => {
      expect(shape(prop(create, 'author'))).toEqual({ type: ['string', 'null'], format: 'uuid' });
      expect(shape(prop(create, 'related'))).toEqual({
        type: ['array', 'null'],
        items: { type: 'string', format: 'uuid' },
        uniqueItems: true,
        maxItems: 5,
      });
    });

    it('file: a name or an array of names', () => {
      expect(shape(prop(create, 'cover'))).toEqual({ type: ['string', 'null'] });
      expect(shape(prop(create, 'gallery'))).toEqual({
        type: ['array', 'null'],
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
        maxItems: 4,
      });
    });

    it('marks hidden fields with x-hidden', () => {
      expect(prop(create, 'secret')['x-hidden']).toBe(true);
      expect(prop(create, 'body')['x-hidden']).toBeUndefined();
    });

    it('describes every property in words', () => {
      for (const [name, p] of Object.entries(create.properties ?? {})) {
        expect([name, typeof p.description]).toEqual([name, 'string']);
        expect(p.description!.length).toBeGreaterThan(5);
      }
      expect(prop(create, 'title').description).toBe(
        'Text. 1 to 200 characters. Required; may not be null or empty.',
      );
      expect(prop(create, 'slug').description).toContain('3 to 40 characters when not empty');
      expect(prop(create, 'slug').description).toContain('/^[a-z0-9-]+$/');
      expect(prop(create, 'views').description).toContain('An integer. Range: 0 to 1000000.');
      expect(prop(create, 'status').description).toContain('One of "draft", "live".');
      expect(prop(create, 'status').description).toContain('Default: "draft".');
      expect(prop(create, 'tags').description).toContain('Up to 3 distinct values');
      expect(prop(create, 'author').description).toContain('of the "users" collection');
      expect(prop(create, 'secret').description).toContain('Hidden');
    });
  });

  describe('update', () => {
    const { update, create } = buildRecordSchemas(posts());

    it('has the same field properties, none required, no id', () => {
      expect(update.title).toBe('posts.update');
      expect(update.additionalProperties).toBe(false);
      expect(update.required).toBeUndefined();
      expect(update.properties?.id).toBeUndefined();
      for (const f of posts().fields) {
        const { default: _d, ...createProp } = prop(create, f.name);
        expect(prop(update, f.name)).toEqual(createProp);
      }
    });

    it('adds field+, +field and field- for multi-value fields only', () => {
      const keys = Object.keys(update.properties ?? {}).filter((k) => parseModifierKey(k));
      expect(keys.sort()).toEqual(
        [
          '+gallery',
          '+related',
          '+tags',
          'gallery+',
          'gallery-',
          'related+',
          'related-',
          'tags+',
          'tags-',
        ].sort(),
      );
      expect(shape(prop(update, 'tags+'))).toEqual({
        anyOf: [
          { type: 'string', enum: ['a', 'b', 'c', 'd'] },
          { type: 'array', items: { type: 'string', enum: ['a', 'b', 'c', 'd'] } },
        ],
      });
      expect(shape(prop(update, 'related-'))).toEqual({
        anyOf: [
          { type: 'string', format: 'uuid' },
          { type: 'array', items: { type: 'string', format: 'uuid' } },
        ],
      });
      expect(create.properties?.['tags+']).toBeUndefined();
    });
  });

  describe('auth collections', () => {
    const { create, update, response } = buildRecordSchemas(users());

    it('create: email, password, passwordConfirm required; emailVisibility optional', () => {
      expect(create.required).toEqual(['email', 'password', 'passwordConfirm']);
      expect(shape(prop(create, 'email'))).toEqual({ type: 'string', format: 'email', maxLength: 254 });
      for (const k of ['password', 'passwordConfirm']) {
        expect(shape(prop(create, k))).toEqual({
          type: 'string',
          minLength: PASSWORD_MIN_LENGTH,
          maxLength: PASSWORD_MAX_LENGTH,
          writeOnly: true,
        });
      }
      expect(PASSWORD_MIN_LENGTH).toBe(8);
      expect(PASSWORD_MAX_LENGTH).toBe(256);
      expect(shape(prop(create, 'emailVisibility'))).toEqual({ type: 'boolean' });
    });

    it('never lets clients write verified, tokenKey or the hash', () => {
      for (const s of [create, update]) {
        for (const k of ['verified', 'tokenKey', 'token_key', 'password_hash']) {
          expect(s.properties?.[k]).toBeUndefined();
        }
        expect(s.additionalProperties).toBe(false);
      }
    });

    it('update: everything optional, plus oldPassword', () => {
      expect(update.required).toBeUndefined();
      expect(Object.keys(update.properties ?? {})).toEqual([
        'email',
        'password',
        'passwordConfirm',
        'oldPassword',
        'emailVisibility',
        'name',
        'notes',
      ]);
    });

    it('response: email, emailVisibility, verified; no secrets', () => {
      expect(Object.keys(response.properties ?? {})).toEqual([
        'id',
        'collectionId',
        'collectionName',
        'created',
        'updated',
        'email',
        'emailVisibility',
        'verified',
        'name',
        'notes',
        'expand',
      ]);
      expect(response.required).toEqual([
        'id',
        'collectionId',
        'collectionName',
        'created',
        'updated',
        'emailVisibility',
        'verified',
        'name',
      ]);
    });
  });

  describe('response', () => {
    const { response } = buildRecordSchemas(posts());

    it('lists system properties, every field (hidden ones marked) and expand', () => {
      expect(response.title).toBe('posts.response');
      expect(response.additionalProperties).toBe(false);
      expect(shape(prop(response, 'id'))).toEqual({ type: 'string', format: 'uuid' });
      expect(shape(prop(response, 'created'))).toEqual({ type: 'string', format: 'date-time' });
      expect(shape(prop(response, 'updated'))).toEqual({ type: 'string', format: 'date-time' });
      expect(shape(prop(response, 'collectionId'))).toEqual({ type: 'string', const: 'col_posts' });
      expect(shape(prop(response, 'collectionName'))).toEqual({ type: 'string', const: 'posts' });
      expect(prop(response, 'secret')['x-hidden']).toBe(true);
      expect(prop(response, 'expand').type).toBe('object');
      expect(response.required).toContain('title');
      expect(response.required).not.toContain('secret');
      expect(response.required).not.toContain('expand');
    });

    it("types values without the write constraints, empty ones as the type's zero value (issue 17)", () => {
      expect(shape(prop(response, 'title'))).toEqual({ type: 'string' });
      expect(shape(prop(response, 'publishedAt'))).toEqual({
        type: 'string',
        anyOf: [{ format: 'date-time' }, { enum: [''] }],
      });
      expect(shape(prop(response, 'tags'))).toEqual({
        type: 'array',
        items: { type: 'string', enum: ['a', 'b', 'c', 'd'] },
      });
      expect(shape(prop(response, 'gallery'))).toEqual({ type: 'array', items: { type: 'string' } });
      expect(shape(prop(response, 'views'))).toEqual({ type: 'integer' });
      expect(shape(prop(response, 'meta'))).toEqual({});
    });
  });

  it('gives fresh objects on every call', () => {
    const def = posts();
    const a = buildRecordSchemas(def);
    const b = buildRecordSchemas(def);
    expect(a).toEqual(b);
    expect(a.create).not.toBe(b.create);
    expect(a.create.properties?.tags).not.toBe(b.create.properties?.tags);
  });

  it('emits valid draft 2020-12 schemas that survive JSON', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const def of [posts(), users()]) {
      for (const s of Object.values(buildRecordSchemas(def))) {
        expect(ajv.validateSchema(s)).toBe(true);
        expect(JSON.parse(JSON.stringify(s))).toEqual(s);
      }
    }
  });
});

describe('modifier keys', () => {
  it('round-trips', () => {
    expect(modifierKey('tags', 'append')).toBe('tags+');
    expect(modifierKey('tags', 'prepend')).toBe('+tags');
    expect(modifierKey('tags', 'remove')).toBe('tags-');
    expect(parseModifierKey('tags+')).toEqual({ field: 'tags', op: 'append' });
    expect(parseModifierKey('+tags')).toEqual({ field: 'tags', op: 'prepend' });
    expect(parseModifierKey('tags-')).toEqual({ field: 'tags', op: 'remove' });
    expect(parseModifierKey('tags')).toBeNull();
    expect(parseModifierKey('+')).toBeNull();
  });
});

describe('describeField', () => {
  it('says optional values may be empty and notes uniqueness', () => {
    expect(describeField({ id: 'x', name: 'e', type: 'email', unique: true }, 'write')).toBe(
      'An email address. Optional; null or "" means empty. Unique across the collection.',
    );
    expect(describeField({ id: 'x', name: 'd', type: 'date' }, 'response')).toBe(
      'A date-time in UTC (RFC 3339).',
    );
  });
});
