import { ERROR_STATUS, ErrorCode } from './error-codes.js';

/** One failing input: `path` is a JSON pointer-like dotted path (`fields.2.name`). */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

/**
 * The only error services throw. It names a code and says, for the user, what went wrong
 * and what to do; the global filter turns it into problem+json with the code's status.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: {
      errors?: FieldProblem[];
      headers?: Record<string, string>;
      [key: string]: unknown;
    } = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
