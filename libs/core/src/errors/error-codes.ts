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
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  REQUEST_TIMEOUT: 408,
  // infrastructure
  INTERNAL: 500,
  NOT_READY: 503,
  SHUTTING_DOWN: 503,
  DATABASE_UNAVAILABLE: 503,
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
