/**
 * Every error code Plinth answers with, and its HTTP status. The one table the global
 * filter maps through; services only ever name a code.
 */
export const ERROR_STATUS = {
  // generic request problems
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  BODY_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  REQUEST_TIMEOUT: 408,
  // auth
  INVALID_CREDENTIALS: 400,
  INVALID_TOKEN: 401,
  INVALID_REFRESH_TOKEN: 401,
  NOT_AUTH_COLLECTION: 400,
  ADMIN_REQUIRED: 403,
  SCOPE_REQUIRED: 403,
  RULE_REFUSED: 403,
  SETUP_TOKEN_INVALID: 400,
  ADMIN_EXISTS: 409,
  SETTINGS_SECTION_NOT_FOUND: 400,
  API_KEY_NOT_FOUND: 404,
  // links mailed to app users (libs/auth/src/users/account-mail.service.ts)
  VERIFICATION_TOKEN_INVALID: 400,
  PASSWORD_RESET_TOKEN_INVALID: 400,
  EMAIL_CHANGE_TOKEN_INVALID: 400,
  EMAIL_TAKEN: 400,
  // social sign-in (libs/auth/src/oauth)
  OAUTH2_PROVIDER_UNAVAILABLE: 400,
  OAUTH2_REDIRECT_NOT_ALLOWED: 400,
  OAUTH2_STATE_INVALID: 400,
  OAUTH2_CODE_INVALID: 400,
  OAUTH2_ACCESS_DENIED: 400,
  OAUTH2_PROVIDER_FAILED: 502,
  OAUTH2_EMAIL_REQUIRED: 400,
  OAUTH2_EMAIL_TAKEN: 409,
  OAUTH2_SIGNUP_CLOSED: 403,
  // collections and records
  COLLECTION_NOT_FOUND: 404,
  RECORD_NOT_FOUND: 404,
  COLLECTION_NAME_TAKEN: 409,
  COLLECTION_REFERENCED: 409,
  FIELD_TYPE_CHANGE_UNSUPPORTED: 409,
  SCHEMA_CHANGE_FAILED: 409,
  RELATION_RESTRICTED: 409,
  RECORD_ID_TAKEN: 409,
  BATCH_FAILED: 400,
  BATCH_TOO_LARGE: 400,
  // filter language (libs/collections/filter): all the client's fault
  FILTER_SYNTAX: 400,
  FILTER_TOO_LONG: 400,
  FILTER_TOO_COMPLEX: 400,
  FILTER_TOO_DEEP: 400,
  FILTER_FORBIDDEN_MACRO: 400,
  FILTER_HIDDEN_FIELD: 400,
  FILTER_UNKNOWN_FIELD: 400,
  FILTER_TYPE_MISMATCH: 400,
  SORT_UNKNOWN_FIELD: 400,
  SORT_HIDDEN_FIELD: 400,
  SORT_TOO_MANY_FIELDS: 400,
  INVALID_EXPAND: 400,
  INVALID_QUERY: 400,
  // infrastructure
  INTERNAL: 500,
  NOT_READY: 503,
  SHUTTING_DOWN: 503,
  DATABASE_UNAVAILABLE: 503,
  SCHEMA_CHANGING: 503,
  REDIS_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

const TITLES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The request has invalid fields',
  MALFORMED_JSON: 'The request body is not valid JSON',
  ROUTE_NOT_FOUND: 'No such route',
  BODY_TOO_LARGE: 'The request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported content type',
  DATABASE_UNAVAILABLE: 'The database is unavailable',
  REDIS_UNAVAILABLE: 'Redis is unavailable',
  INTERNAL: 'Internal error',
};

export function titleFor(code: string, status: number): string {
  return (
    TITLES[code as ErrorCode] ??
    code
      .toLowerCase()
      .split('_')
      .map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
      .join(' ') ??
    String(status)
  );
}
