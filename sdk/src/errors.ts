/** One problem with one input field: `{ path: "title", code: "REQUIRED", message: "is required" }`. */
export interface FieldError {
  path: string;
  code: string;
  message: string;
}

/** The body of every non-2xx answer of a Plinth server (RFC 9457 problem+json). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
  requestId?: string;
  [key: string]: unknown;
}

/**
 * Every failed call rejects with a PlinthError: an answer of the server (status ≥ 400, the problem's
 * fields copied), a network failure (status 0, code `NETWORK_ERROR`) or an aborted request
 * (`isAbort`, code `ABORTED`).
 */
export class PlinthError extends Error {
  override name = 'PlinthError';
  /** The HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** SCREAMING_SNAKE code of the problem (`VALIDATION_FAILED`, `RECORD_NOT_FOUND`, ...). */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** Per-field problems (validation), with dot paths (`fields.0.name`). */
  readonly errors: FieldError[];
  /** The server's request id, to quote when reporting a problem. */
  readonly requestId: string;
  /** The URL that was called. */
  readonly url: string;
  /** True when the request was aborted through its `signal`. */
  readonly isAbort: boolean;
  /** The whole problem body as the server sent it (extra members such as `failedIndex` included). */
  readonly response: Problem;

  constructor(init: {
    status: number;
    code: string;
    title?: string;
    detail?: string;
    errors?: FieldError[];
    requestId?: string;
    url?: string;
    isAbort?: boolean;
    response?: Problem;
    cause?: unknown;
  }) {
    super(
      init.detail || init.title || init.code,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? '';
    this.detail = init.detail ?? '';
    this.errors = init.errors ?? [];
    this.requestId = init.requestId ?? '';
    this.url = init.url ?? '';
    this.isAbort = init.isAbort ?? false;
    this.response = init.response ?? {};
  }

  /** The problems of one field path (`title`, `fields.0.name`). */
  fieldErrors(path: string): FieldError[] {
    return this.errors.filter((e) => e.path === path);
  }

  /** Builds the error for a non-2xx answer whose body was already read. */
  static fromResponse(res: { status: number; url: string }, body: unknown, requestId?: string): PlinthError {
    const p: Problem = body && typeof body === 'object' && !Array.isArray(body) ? (body as Problem) : {};
    const text = typeof body === 'string' ? body.slice(0, 500) : '';
    return new PlinthError({
      status: res.status,
      code: typeof p.code === 'string' ? p.code : `HTTP_${res.status}`,
      title: typeof p.title === 'string' ? p.title : '',
      detail: typeof p.detail === 'string' ? p.detail : text || `The server answered ${res.status}.`,
      errors: Array.isArray(p.errors) ? p.errors.filter(isFieldError) : [],
      requestId: typeof p.requestId === 'string' ? p.requestId : (requestId ?? ''),
      url: res.url,
      response: p,
    });
  }
}

function isFieldError(e: unknown): e is FieldError {
  return !!e && typeof e === 'object' && typeof (e as FieldError).path === 'string';
}

/** The mfaId of a 401 `MFA_REQUIRED` answer (send it with the second factor), or undefined. */
export function mfaIdOf(error: unknown): string | undefined {
  if (!(error instanceof PlinthError) || error.code !== 'MFA_REQUIRED') return undefined;
  const id = (error.response as Record<string, unknown>).mfaId;
  return typeof id === 'string' ? id : undefined;
}
