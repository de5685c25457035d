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
  ADMIN_NOT_FOUND: 404,
  LAST_ADMIN: 409,
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
  PASSWORD_AUTH_DISABLED: 403,
  AUTH_RULE_REFUSED: 403,
  // one-time codes, magic links, MFA and TOTP (libs/auth/src/mfa)
  OTP_AUTH_DISABLED: 403,
  OTP_INVALID: 400,
  OTP_ATTEMPTS_EXCEEDED: 429,
  OTP_REDIRECT_NOT_ALLOWED: 400,
  MFA_REQUIRED: 401,
  MFA_INVALID: 400,
  MFA_SAME_FACTOR: 400,
  TOTP_CODE_INVALID: 400,
  TOTP_NOT_ENROLLED: 400,
  TOTP_ALREADY_ENROLLED: 409,
  // collections and records
  COLLECTION_NOT_FOUND: 404,
  RECORD_NOT_FOUND: 404,
  COLLECTION_NAME_TAKEN: 409,
  COLLECTION_REFERENCED: 409,
  FIELD_TYPE_CHANGE_UNSUPPORTED: 409,
  SCHEMA_CHANGE_FAILED: 409,
  RELATION_RESTRICTED: 409,
  RECORD_ID_TAKEN: 409,
  /** A create, update or delete of a view collection's records (libs/collections/src/views). */
  VIEW_READ_ONLY: 405,
  BATCH_FAILED: 400,
  BATCH_TOO_LARGE: 400,
  // filter language (libs/collections/filter): all the client's fault
  FILTER_SYNTAX: 400,
  FILTER_TOO_LONG: 400,
  FILTER_TOO_COMPLEX: 400,
  FILTER_TOO_DEEP: 400,
  FILTER_FORBIDDEN_MACRO: 403,
  FILTER_HIDDEN_FIELD: 400,
  FILTER_UNKNOWN_FIELD: 400,
  FILTER_TYPE_MISMATCH: 400,
  SORT_UNKNOWN_FIELD: 400,
  SORT_HIDDEN_FIELD: 400,
  SORT_UNSORTABLE_FIELD: 400,
  SORT_TOO_MANY_FIELDS: 400,
  INVALID_EXPAND: 400,
  INVALID_QUERY: 400,
  // abuse limits of the records API (issue 16)
  EXPAND_TOO_LARGE: 400,
  PAGE_TOO_DEEP: 400,
  QUERY_TIMEOUT: 503,
  // search and aggregates (docs/decisions/search-and-aggregates.md)
  SEARCH_NOT_AVAILABLE: 400,
  SEARCH_INVALID: 400,
  AGGREGATE_INVALID: 400,
  AGGREGATE_HIDDEN_FIELD: 400,
  AGGREGATE_TOO_LARGE: 400,
  // push (libs/push)
  PUSH_USER_REQUIRED: 403,
  PUSH_DEVICE_NOT_FOUND: 404,
  PUSH_DEVICE_LIMIT: 409,
  PUSH_MESSAGE_NOT_FOUND: 404,
  PUSH_NO_TARGETS: 400,
  PUSH_PAYLOAD_TOO_LARGE: 400,
  // webhooks (libs/webhooks)
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_DELIVERY_NOT_FOUND: 404,
  // blocking hooks (libs/webhooks/src/hooks)
  HOOK_NOT_FOUND: 404,
  HOOK_REFUSED: 400,
  // request logs (libs/logs)
  LOG_NOT_FOUND: 404,
  // audit trail and statistics (libs/logs)
  AUDIT_ENTRY_NOT_FOUND: 404,
  // schedules (libs/webhooks/src/schedules)
  SCHEDULE_NOT_FOUND: 404,
  SCHEDULE_NAME_TAKEN: 409,
  // realtime (libs/realtime)
  REALTIME_CLIENT_NOT_FOUND: 404,
  REALTIME_CLIENT_FORBIDDEN: 403,
  REALTIME_TOPIC_INVALID: 400,
  REALTIME_TOO_MANY_SUBSCRIPTIONS: 400,
  REALTIME_TOO_MANY_CONNECTIONS: 429,
  // files (libs/storage)
  FILE_NOT_FOUND: 404,
  FILE_TOO_LARGE: 413,
  FILE_TYPE_NOT_ALLOWED: 400,
  FILE_FIELD_INVALID: 400,
  MULTIPART_INVALID: 400,
  FILE_TOKEN_REQUIRED: 401,
  FILE_TOKEN_INVALID: 401,
  FILE_TOKEN_FORBIDDEN: 403,
  RANGE_NOT_SATISFIABLE: 416,
  STORAGE_UNAVAILABLE: 503,
  STORAGE_TEST_FAILED: 502,
  MAIL_NOT_CONFIGURED: 400,
  MAIL_TEST_FAILED: 502,
  // hosting (libs/hosting)
  DEPLOY_NOT_FOUND: 404,
  DEPLOY_NOT_PENDING: 409,
  DEPLOY_INCOMPLETE: 409,
  DEPLOY_FILE_MISMATCH: 400,
  DEPLOY_TOO_LARGE: 413,
  SITE_CONFIG_INVALID: 400,
  PAGE_NOT_FOUND: 404,
  // PocketBase import (apps/server/pocketbase-import)
  IMPORT_SOURCE_INVALID: 400,
  IMPORT_TARGET_NOT_FRESH: 409,
  IMPORT_FAILED: 422,
  // records import (libs/collections/src/records/import)
  RECORDS_IMPORT_INVALID: 400,
  RECORDS_IMPORT_TOO_LARGE: 400,
  // backups (apps/server/backups)
  BACKUP_NOT_FOUND: 404,
  BACKUP_INVALID: 400,
  BACKUP_TOO_NEW: 400,
  BACKUP_BUSY: 409,
  // infrastructure
  MAINTENANCE: 503,
  INTERNAL: 500,
  NOT_READY: 503,
  SHUTTING_DOWN: 503,
  DATABASE_UNAVAILABLE: 503,
  SCHEMA_CHANGING: 503,
  REDIS_UNAVAILABLE: 503,
  SDK_NOT_BUILT: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

const TITLES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The request has invalid fields',
  MALFORMED_JSON: 'The request body is not valid JSON',
  ROUTE_NOT_FOUND: 'No such route',
  HEADERS_TOO_LARGE: 'Request headers too large',
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
