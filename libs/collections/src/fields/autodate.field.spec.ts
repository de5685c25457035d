import { compileRecordValidators } from '../validation/record-validator.js';
import { autodateField } from './autodate.field.js';
import { collectionWith, defineField, filterOperand, schemasOf } from './field.fixture.js';

describe('autodate field', () => {
  it('reads onCreate and onUpdate; one of them must be on; never required, no default', () => {
    expect(defineField({ type: 'autodate' }).field).toMatchObject({ onCreate: true, onUpdate: false });
    expect(defineField({ type: 'autodate', onCreate: false, onUpdate: true }).field).toMatchObject({
      onCreate: false,
      onUpdate: true,
    });
    expect(defineField({ type: 'autodate', onCreate: false }).problems).toEqual([
      'fields.0.onCreate INVALID_VALUE',
    ]);
    expect(defineField({ type: 'autodate', required: true }).problems).toEqual([
      'fields.0.required OPTION_NOT_ALLOWED',
    ]);
    expect(defineField({ type: 'autodate', default: '2024-01-01' }).problems).toEqual([
      'fields.0.default OPTION_NOT_ALLOWED',
    ]);
  });

  it('is set by the server; a client value is ignored', () => {
    const v = compileRecordValidators(collectionWith({ type: 'autodate', onCreate: true, onUpdate: true }));
    const before = Date.now();
    const created = v.create({ x: '2000-01-01T00:00:00Z' });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    expect(Date.parse(created.value.x as string)).toBeGreaterThanOrEqual(before);
    const updated = v.update({ x: 'nonsense' });
    expect(updated.ok && Date.parse(updated.value.x as string)).toBeGreaterThanOrEqual(before);

    const onCreateOnly = compileRecordValidators(collectionWith({ type: 'autodate' }));
    expect(onCreateOnly.update({})).toEqual({ ok: true, value: {} });
  });

  it('filters and sorts as a date', () => {
    expect(filterOperand('autodate', '2024-02-29')).toEqual({ ok: true, param: '2024-02-29T00:00:00.000Z' });
    expect(filterOperand('autodate', '2024-02-30')).toEqual({ ok: false });
    expect(autodateField.sortable).toBe(true);
  });

  it('is read-only in JSON Schema: absent from write bodies', () => {
    const s = schemasOf({ type: 'autodate' });
    expect(s.create).toBeUndefined();
    expect(s.update).toBeUndefined();
    expect(s.response).toMatchObject({ readOnly: true, anyOf: [{ format: 'date-time' }, { enum: [''] }] });
  });
});
