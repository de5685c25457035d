import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { normalizeCollection } from '../schema/normalize-collection.js';
import { sequentialIds, users } from '../schema/schema.fixture.js';
import { MAX_RELATION_SELECT, relationField } from './relation.field.js';

const ID = '0190b6a1-7c2e-7a3b-9f00-0123456789ab';

describe('relation field', () => {
  it('needs an existing target; bounds maxSelect; picks onDelete from required', () => {
    expect(defineField({ type: 'relation', collection: 'users' }).field).toMatchObject({
      collection: 'users',
      maxSelect: 1,
      onDelete: 'set-null',
    });
    expect(defineField({ type: 'relation', collection: 'users', required: true }).field?.onDelete).toBe(
      'restrict',
    );
    expect(defineField({ type: 'relation', collection: 'nope' }).problems).toEqual([
      'fields.0.collection RELATION_TARGET_NOT_FOUND',
    ]);
    expect(defineField({ type: 'relation' }).problems).toEqual(['fields.0.collection REQUIRED']);
    expect(
      defineField({ type: 'relation', collection: 'users', maxSelect: MAX_RELATION_SELECT + 1 }).problems,
    ).toEqual(['fields.0.maxSelect OUT_OF_RANGE']);
    expect(
      defineField({ type: 'relation', collection: 'users', required: true, onDelete: 'set-null' }).problems,
    ).toEqual(['fields.0.onDelete ON_DELETE_CONFLICT']);
  });

  it('keeps a record id as default', () => {
    expect(defineField({ type: 'relation', collection: 'users', default: ID }).field?.default).toBe(ID);
    expect(defineField({ type: 'relation', collection: 'users', default: 'x' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it("checks a default by the target collection's id type: text ids for a text-id target", () => {
    const notes = normalizeCollection(
      { name: 'notes', fields: [{ name: 'id', type: 'text', primaryKey: true, system: true }] },
      null,
      [users],
      sequentialIds(),
    );
    if (!notes.ok) throw new Error(JSON.stringify(notes.errors));
    const define = (raw: Record<string, unknown>) =>
      normalizeCollection({ name: 'things', fields: [raw] }, null, [users, notes.value], sequentialIds());
    const text = define({ name: 'x', type: 'relation', collection: 'notes', default: 'abc123def456ghi' });
    expect(text.ok && text.value.fields[0]?.default).toBe('abc123def456ghi');
    const many = define({
      name: 'x',
      type: 'relation',
      collection: 'notes',
      maxSelect: 2,
      default: ['a1', 'b2'],
    });
    expect(many.ok).toBe(true);
    const bad = define({ name: 'x', type: 'relation', collection: 'notes', default: 'no/slash' });
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.path} ${e.code}`)).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
    // A UUID target still takes UUIDs only.
    expect(
      defineField({ type: 'relation', collection: 'users', default: 'abc123def456ghi' }).problems,
    ).toEqual(['fields.0.default INVALID_DEFAULT']);
  });

  it('stores ids lower-case; refuses what is not a UUID', () => {
    expect(written({ type: 'relation', collection: 'users' }, ID.toUpperCase())).toEqual({ value: ID });
    expect(written({ type: 'relation', collection: 'users', maxSelect: 2 }, [ID.toUpperCase()])).toEqual({
      value: [ID],
    });
    expect(written({ type: 'relation', collection: 'users' }, 'x')).toEqual({ code: 'INVALID_FORMAT' });
    expect(written({ type: 'relation', collection: 'users' }, '')).toEqual({ value: null });
  });

  it('binds filter literals as uuids', () => {
    expect(filterOperand('relation', ID.toUpperCase())).toEqual({ ok: true, param: ID });
    expect(filterOperand('relation', 'x')).toEqual({ ok: false });
    expect(relationField.columnType({ id: '', name: 'x', type: 'relation', maxSelect: 2 })).toBe('uuid[]');
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'relation', collection: 'users' }).create).toMatchObject({ format: 'uuid' });
    expect(relationField.annotations?.({ id: '', name: 'x', type: 'relation', collection: 'users' })).toEqual(
      {
        'x-plinth-collection': 'users',
        'x-plinth-max-select': 1,
      },
    );
  });
});
