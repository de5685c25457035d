import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { AppError, FieldProblem } from './app-error.js';
import { ERROR_STATUS, ErrorCode, titleFor } from './error-codes.js';
import { pocketBaseData } from './pocketbase-data.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
  requestId: string;
  /** For PocketBase clients (RFC 9457 extension members): the same text as `detail`. */
  message: string;
  /** For PocketBase clients: `errors` keyed by field, with PocketBase's codes; `{}` otherwise. */
  data: Record<string, unknown>;
  [key: string]: unknown;
}

const DOCS_BASE = 'https://plinth.dev/errors/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** The one problem+json builder (RFC 9457 plus PocketBase's `message` and `data`). */
export function makeProblem(
  code: string,
  status: number,
  detail: string,
  requestId: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: DOCS_BASE + code.toLowerCase().replace(/_/g, '-'),
    title: titleFor(code, status),
    status,
    detail,
    code,
    ...extra,
    requestId,
    message: detail,
    // PocketBase's field errors; or what a refusing blocking hook answered as its `data`.
    data: isObject(extra.data) ? extra.data : pocketBaseData(extra.errors as FieldProblem[] | undefined),
  };
}

/** Connection-level failures of `pg` and PostgreSQL that mean "the database is down", not "bad request". */
const PG_UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300',
]);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

function isRedisError(err: Error & { command?: unknown }): boolean {
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|Reached the max retries/i.test(
      err.message,
    ) ||
    ('command' in err && err.command !== undefined && /ECONNREFUSED|closed/i.test(err.message))
  );
}

function isDatabaseError(err: Error & { code?: unknown }): boolean {
  const code = typeof err.code === 'string' ? err.code : '';
  return (
    PG_UNAVAILABLE_CODES.has(code) ||
    NET_CODES.has(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
      err.message,
    )
  );
}

/** Maps anything thrown to a problem; `internal` is true when it must be logged as a bug. */
export function toProblem(
  err: unknown,
  requestId: string,
): { problem: Problem; internal: boolean; headers: Record<string, string> } {
  const make = (code: string, status: number, detail: string, extra: Record<string, unknown> = {}) =>
    makeProblem(code, status, detail, requestId, extra);

  if (err instanceof AppError) {
    const { headers = {}, ...extra } = err.extra;
    return { problem: make(err.code, err.status, err.detail, extra), internal: false, headers };
  }

  // Nest wraps Fastify's 4xx errors (body parsing, limits) in an HttpException; use the original.
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string' && cause.code.startsWith('FST_')) err = cause;

  const e = err as Error & {
    statusCode?: number;
    status?: number;
    code?: string;
    getStatus?: () => number;
    getResponse?: () => unknown;
  };

  // Fastify's own errors (body parsing, limits, timeouts)
  if (typeof e?.code === 'string' && e.code.startsWith('FST_')) {
    return { problem: fromFastifyError(e, make), internal: false, headers: {} };
  }

  // Nest HttpException (unknown routes, Nest's own pipes)
  if (typeof e?.getStatus === 'function') {
    const status = e.getStatus();
    if (status === 404) {
      return {
        problem: make(
          'ROUTE_NOT_FOUND',
          404,
          'No route matches this method and path. The API lives under /api; see /docs.',
        ),
        internal: false,
        headers: {},
      };
    }
    const code = codeForStatus(status);
    return { problem: make(code, status, e.message), internal: status >= 500, headers: {} };
  }

  // Generated SQL only names tables and columns of the schema: these mean this replica's copy of
  // the schema is a moment behind a change made elsewhere.
  if (e instanceof Error && (e.code === '42P01' || e.code === '42703')) {
    return {
      problem: make(
        'SCHEMA_CHANGING',
        503,
        'The collection was just changed by another server. Try again in a moment.',
      ),
      internal: false,
      headers: { 'retry-after': '1' },
    };
  }
  // statement_timeout (or a cancel after the client went away) stopped the query.
  if (e instanceof Error && e.code === '57014') {
    return {
      problem: make(
        'QUERY_TIMEOUT',
        503,
        'The query ran longer than this server allows (PLINTH_DB_STATEMENT_TIMEOUT) and was stopped. Add an index on the fields you filter and sort by, or narrow the filter.',
      ),
      internal: false,
      headers: {},
    };
  }
  if (e instanceof Error && isDatabaseError(e)) {
    return {
      problem: make(
        'DATABASE_UNAVAILABLE',
        503,
        'PostgreSQL cannot be reached right now. Try again in a few seconds.',
      ),
      internal: false,
      headers: { 'retry-after': '5' },
    };
  }
  if (e instanceof Error && isRedisError(e)) {
    return {
      problem: make(
        'REDIS_UNAVAILABLE',
        503,
        'Redis cannot be reached right now. Try again in a few seconds.',
      ),
      internal: false,
      headers: { 'retry-after': '5' },
    };
  }

  // A client error from a library (e.g. a 4xx statusCode on the error) stays a 4xx.
  const status = e?.statusCode ?? e?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { problem: make(codeForStatus(status), status, e.message), internal: false, headers: {} };
  }

  return {
    problem: make(
      'INTERNAL',
      500,
      `Something went wrong on the server. Quote request id ${requestId} when reporting it.`,
    ),
    internal: true,
    headers: {},
  };
}

function fromFastifyError(
  e: Error & { code?: string; statusCode?: number },
  make: (code: string, status: number, detail: string) => Problem,
): Problem {
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return make(
        'MALFORMED_JSON',
        400,
        `The body could not be read as JSON: ${e.message}. Send a valid JSON document.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return make(
        'UNSUPPORTED_MEDIA_TYPE',
        415,
        'This content type is not accepted here. Send application/json (or multipart/form-data where files are uploaded).',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return make(
        'BODY_TOO_LARGE',
        413,
        'The request body is larger than this server accepts (PLINTH_BODY_LIMIT).',
      );
    default: {
      const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 400;
      if (e.code?.includes('JSON') || e instanceof SyntaxError) {
        return make('MALFORMED_JSON', 400, `The body could not be read as JSON: ${e.message}.`);
      }
      return make(codeForStatus(status), status, e.message);
    }
  }
}

function codeForStatus(status: number): ErrorCode | string {
  const byStatus: Record<number, ErrorCode> = {
    400: 'BAD_REQUEST',
    401: 'UNAUTHORIZED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    408: 'REQUEST_TIMEOUT',
    409: 'CONFLICT',
    413: 'BODY_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    429: 'TOO_MANY_REQUESTS',
    503: 'NOT_READY',
  };
  return (
    byStatus[status] ??
    (status >= 500 ? 'INTERNAL' : (STATUS_CODES[status] ?? 'ERROR').toUpperCase().replace(/\W+/g, '_'))
  );
}

export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  headers: Record<string, string> = {},
): void {
  if (reply.sent) return;
  reply.request.problem = { code: problem.code, message: problem.detail };
  reply
    .status(problem.status)
    .headers(headers)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}

export { ERROR_STATUS };

declare module 'fastify' {
  interface FastifyRequest {
    /** The error code and message of the problem this request was answered with (for the request log). */
    problem?: { code: string; message: string };
  }
}
