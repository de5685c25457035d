/** Every code a FilterError carries; all are the client's fault (400; FILTER_FORBIDDEN_MACRO 403). */
export const FILTER_ERROR_CODES = [
  'FILTER_SYNTAX',
  'FILTER_TOO_LONG',
  'FILTER_TOO_COMPLEX',
  'FILTER_TOO_DEEP',
  'FILTER_FORBIDDEN_MACRO',
  'FILTER_HIDDEN_FIELD',
  'FILTER_UNKNOWN_FIELD',
  'FILTER_TYPE_MISMATCH',
  'SORT_UNKNOWN_FIELD',
  'SORT_HIDDEN_FIELD',
  'SORT_UNSORTABLE_FIELD',
  'SORT_TOO_MANY_FIELDS',
  'SEARCH_NOT_AVAILABLE',
  'SEARCH_INVALID',
] as const;

export type FilterErrorCode = (typeof FILTER_ERROR_CODES)[number];

/**
 * A filter, rule or sort the caller wrote cannot be used. `message` is a sentence for the
 * user; `position` is the 0-based index in the input where known; `field` names the field.
 */
export class FilterError extends Error {
  constructor(
    readonly code: FilterErrorCode,
    message: string,
    readonly position?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}

/** Quotes a fragment of user input for an error message: short, printable, never raw control chars. */
export function quoteForMessage(text: string, max = 40): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(clipped).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
