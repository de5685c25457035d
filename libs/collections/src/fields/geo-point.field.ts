import { sql, type Sql } from '@plinth/core';
import type { FieldDef } from '../schema/collection.types.js';
import { jsonTypeOf } from '../schema/schema-issue.js';
import type { FieldTypeModule, ValueProblem } from './field-type.js';
import type { JSONSchema } from './json-schema.js';

export interface GeoPoint {
  lon: number;
  lat: number;
}

/** PocketBase's empty point ("Null Island"): what an empty field reads as. */
export const NULL_ISLAND: Readonly<GeoPoint> = Object.freeze({ lon: 0, lat: 0 });

const pointSchema = (f: FieldDef | null): JSONSchema => ({
  type: f && !f.required ? ['object', 'null'] : 'object',
  properties: {
    lon: { type: 'number', minimum: -180, maximum: 180, description: 'Longitude in degrees.' },
    lat: { type: 'number', minimum: -90, maximum: 90, description: 'Latitude in degrees.' },
  },
  required: ['lon', 'lat'],
  additionalProperties: false,
});

/** `{lon, lat}` within range, or the problem; `0,0` counts as empty (PocketBase's zero value). */
export function geoPointProblem(value: unknown, required: boolean): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `must be an object {"lon": …, "lat": …}, not ${jsonTypeOf(value)}`;
  }
  const { lon, lat, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'may only have "lon" and "lat"';
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180)
    return '"lon" must be a number from -180 to 180';
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90)
    return '"lat" must be a number from -90 to 90';
  if (required && lon === 0 && lat === 0) return 'is required; {"lon": 0, "lat": 0} is the empty point';
  return null;
}

/** The parts of a geoPoint filters may name: jsonb members read as numbers. */
export const GEO_POINT_PARTS = {
  lon: (col: Sql) => sql`((${col})->>'lon')::double precision`,
  lat: (col: Sql) => sql`((${col})->>'lat')::double precision`,
} as const;

/**
 * PocketBase's `geoPoint`: a longitude/latitude pair stored as one jsonb `{"lon", "lat"}` (see
 * docs/decisions/geo-point-column.md). Filters reach the parts as `field.lon` / `field.lat`, e.g.
 * `geoDistance(place.lon, place.lat, 13.4, 52.5) < 5`.
 */
export const geoPointField: FieldTypeModule = {
  type: 'geoPoint',
  options: [],
  takesDefault: true,
  emptyStringIsNull: true,
  filterKind: 'json',
  sortable: false,
  filterParts: GEO_POINT_PARTS,
  multiValued: false,
  zero: NULL_ISLAND,

  defaultProblem(field, value) {
    const problem = geoPointProblem(value, field.required === true);
    return problem ? `The default ${problem}.` : null;
  },

  columnType: () => 'jsonb',
  writeSchema: (f) => pointSchema(f),
  responseSchema: () => pointSchema(null),
  describe: () =>
    'A point {"lon": longitude from -180 to 180, "lat": latitude from -90 to 90}; {"lon": 0, "lat": 0} is empty. Filters: field.lon, field.lat, geoDistance(lonA, latA, lonB, latB) in km.',

  checkValue(f, value): ValueProblem | null {
    if (value === null) return null;
    const problem = geoPointProblem(value, f.required === true);
    return problem ? { code: 'INVALID_VALUE', message: problem } : null;
  },
  coerceValue: (_f, value) => {
    const { lon, lat } = value as GeoPoint;
    return { lon, lat };
  },
};
