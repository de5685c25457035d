/**
 * Every code a schema problem carries. All are the caller's fault (400), except the three
 * conflicts with the stored state (409): COLLECTION_NAME_TAKEN, COLLECTION_REFERENCED and
 * FIELD_TYPE_CHANGE_UNSUPPORTED.
 */
export const SCHEMA_ISSUE_CODES = [
  // shape of the JSON
  'INVALID_TYPE',
  'REQUIRED',
  'UNKNOWN_KEY',
  'OPTION_NOT_ALLOWED',
  'INVALID_VALUE',
  'OUT_OF_RANGE',
  'INVALID_RANGE',
  'DUPLICATE_VALUE',
  // names and ids
  'INVALID_NAME',
  'RESERVED_NAME',
  'COLLECTION_NAME_TAKEN',
  'DUPLICATE_FIELD_NAME',
  'DUPLICATE_FIELD_ID',
  'UNKNOWN_FIELD_ID',
  'ID_MISMATCH',
  'COLLECTION_TYPE_IMMUTABLE',
  // field options
  'INVALID_PATTERN',
  'INVALID_DEFAULT',
  'RELATION_TARGET_NOT_FOUND',
  'ON_DELETE_CONFLICT',
  // indexes and rules
  'UNKNOWN_INDEX_FIELD',
  'DUPLICATE_INDEX',
  'INVALID_RULE',
  // database features a field option needs (pg_trgm)
  'EXTENSION_UNAVAILABLE',
  // planner: conflicts with the stored schema or data
  'COLLECTION_REFERENCED',
  'FIELD_TYPE_CHANGE_UNSUPPORTED',
] as const;

export type SchemaIssueCode = (typeof SCHEMA_ISSUE_CODES)[number];

/** One problem with a collection definition; `path` is dotted (`fields.2.name`, '' for the whole body). */
export interface SchemaIssue {
  path: string;
  code: SchemaIssueCode;
  message: string;
}

/** The codes that mean "conflicts with what is stored" (HTTP 409); every other code is a 400. */
export const SCHEMA_CONFLICT_CODES: ReadonlySet<SchemaIssueCode> = new Set<SchemaIssueCode>([
  'COLLECTION_NAME_TAKEN',
  'COLLECTION_REFERENCED',
  'FIELD_TYPE_CHANGE_UNSUPPORTED',
]);

/** Shows untrusted text inside a message: JSON-quoted, clipped, no raw control characters. */
export function show(text: string, max = 40): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(clipped).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The JSON type of a value, for "must be a string, not a number" messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
