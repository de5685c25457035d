import type { FieldProblem } from './app-error.js';

/** PocketBase's field error codes (its core/validators and ozzo-validation's), by Plinth's code. */
const POCKETBASE_CODES: Record<string, string> = {
  REQUIRED: 'validation_required',
  UNKNOWN_FIELD: 'validation_unknown_field',
  INVALID_TYPE: 'validation_unsupported_value_type',
  TOO_SHORT: 'validation_min_text_constraint',
  TOO_LONG: 'validation_max_text_constraint',
  TOO_SMALL: 'validation_min_number_constraint',
  TOO_LARGE: 'validation_max_number_constraint',
  PATTERN_MISMATCH: 'validation_invalid_format',
  INVALID_VALUE: 'validation_invalid_value',
  TOO_MANY_ITEMS: 'validation_too_many_values',
  NOT_UNIQUE_ITEMS: 'validation_invalid_value',
  NOT_AN_INTEGER: 'validation_only_int_constraint',
  PASSWORDS_DONT_MATCH: 'validation_values_mismatch',
  NOT_UNIQUE: 'validation_not_unique',
  RELATION_NOT_FOUND: 'validation_missing_rel_records',
  RELATION_TARGET_NOT_FOUND: 'validation_missing_rel_records',
};

/** INVALID_FORMAT is one Plinth code for what PocketBase tells apart by field type. */
function formatCode(message: string): string {
  if (/email/i.test(message)) return 'validation_is_email';
  if (/url/i.test(message)) return 'validation_invalid_url';
  if (/date/i.test(message)) return 'validation_invalid_date';
  return 'validation_invalid_format';
}

export function pocketBaseCode(e: FieldProblem): string {
  if (e.code === 'INVALID_FORMAT') return formatCode(e.message);
  return POCKETBASE_CODES[e.code] ?? `validation_${e.code.toLowerCase()}`;
}

/**
 * The `data` member PocketBase clients read field errors from: `{ "<field>": {code, message} }`,
 * keyed by the top-level input the error is about (the first error per input).
 */
export function pocketBaseData(errors: readonly FieldProblem[] | undefined): Record<string, unknown> {
  const data: Record<string, { code: string; message: string }> = {};
  for (const e of errors ?? []) {
    const field = e.path.split('.')[0];
    if (!field || field === '(body)' || Object.hasOwn(data, field)) continue;
    data[field] = { code: pocketBaseCode(e), message: e.message };
  }
  return data;
}
