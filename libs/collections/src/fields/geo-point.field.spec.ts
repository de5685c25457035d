import { sql, toQuery } from '@plinth/core';
import { defineField, filterOperand, schemasOf, written } from './field.fixture.js';
import { GEO_POINT_PARTS, geoPointField, NULL_ISLAND } from './geo-point.field.js';

describe('geoPoint field', () => {
  it('takes a point as default, checked like a value', () => {
    expect(defineField({ type: 'geoPoint', default: { lon: 13.4, lat: 52.5 } }).field?.default).toEqual({
      lon: 13.4,
      lat: 52.5,
    });
    expect(defineField({ type: 'geoPoint', default: { lon: 181, lat: 0 } }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
    expect(defineField({ type: 'geoPoint', default: '13,52' }).problems).toEqual([
      'fields.0.default INVALID_DEFAULT',
    ]);
  });

  it('checks the ranges, boundaries included', () => {
    const f = { type: 'geoPoint' } as const;
    expect(written(f, { lon: -180, lat: 90 })).toEqual({ value: { lon: -180, lat: 90 } });
    expect(written(f, { lon: 180, lat: -90 })).toEqual({ value: { lon: 180, lat: -90 } });
    expect(written(f, { lon: 180.0001, lat: 0 })).toEqual({ code: 'TOO_LARGE' });
    expect(written(f, { lon: 0, lat: -90.5 })).toEqual({ code: 'TOO_SMALL' });
    expect(written(f, { lon: 1 })).toEqual({ code: 'REQUIRED' });
    expect(written(f, { lon: 1, lat: 2, alt: 3 })).toEqual({ code: 'UNKNOWN_FIELD' });
    expect(written(f, [1, 2])).toEqual({ code: 'INVALID_TYPE' });
    expect(written(f, null)).toEqual({ value: null });
    expect(written(f, '')).toEqual({ value: null });
  });

  it('a required point may not be Null Island (PocketBase)', () => {
    expect(written({ type: 'geoPoint', required: true }, { lon: 0, lat: 0 })).toEqual({
      code: 'INVALID_VALUE',
    });
    expect(written({ type: 'geoPoint', required: true }, { lon: 0, lat: 1 })).toEqual({
      value: { lon: 0, lat: 1 },
    });
    expect(written({ type: 'geoPoint', required: true }, null)).toEqual({ code: 'REQUIRED' });
  });

  it('is stored as jsonb, reads {0,0} when empty, and cannot be sorted', () => {
    expect(geoPointField.columnType({ id: '', name: 'x', type: 'geoPoint' })).toBe('jsonb');
    expect(geoPointField.zero).toBe(NULL_ISLAND);
    expect(Object.isFrozen(NULL_ISLAND)).toBe(true);
    expect(geoPointField.sortable).toBe(false);
  });

  it('gives filters numeric lon and lat parts', () => {
    expect(toQuery(GEO_POINT_PARTS.lon(sql.raw('t."place"'))).text).toBe(
      `((t."place")->>'lon')::double precision`,
    );
    expect(filterOperand('geoPoint', { lon: 1, lat: 2 })).toEqual({ ok: true, param: '{"lon":1,"lat":2}' });
  });

  it('documents itself in JSON Schema', () => {
    expect(schemasOf({ type: 'geoPoint' }).create).toMatchObject({
      type: ['object', 'null'],
      required: ['lon', 'lat'],
      properties: { lon: { minimum: -180, maximum: 180 }, lat: { minimum: -90, maximum: 90 } },
    });
  });
});
