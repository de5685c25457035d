import type { ErrorCode } from '@plinth/core';

/** A failure after the state was verified: the browser goes back to the app with `?error=`. */
export class SignInRefused extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}
