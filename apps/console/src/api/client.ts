import { createClient, LocalAuthStore, PlinthError } from '@plinth/sdk';

/** The one client of the console: same origin as the page, session kept in localStorage. */
export const authStore = new LocalAuthStore('plinth_console_admin');
export const client = createClient({ url: window.location.origin, authStore });

/** Why the sign-in page is shown again, for the page to say. */
export const sessionEnded = { reason: '' };

/** A sentence a person reads, from whatever a call threw. */
export function describeError(err: unknown): string {
  if (isSessionEnded(err) && authStore.token) {
    sessionEnded.reason = 'Your session ended (admin sessions last 15 minutes by default). Sign in again.';
    authStore.clear();
  }
  if (err instanceof PlinthError) {
    if (err.status === 0)
      return `The server could not be reached. Check that Plinth is running. (${err.detail})`;
    const detail = err.detail || err.title || `The server answered ${err.status}.`;
    return err.status >= 500 && err.requestId ? `${detail} (request id ${err.requestId})` : detail;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Field problems of an error, by path (`fields.0.name`, `listRule`, `title`). */
export function errorsByPath(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof PlinthError) {
    for (const e of err.errors) out[e.path] = out[e.path] ? `${out[e.path]}; ${e.message}` : e.message;
  }
  return out;
}

/** An expired or revoked admin session: the console asks to sign in again. */
export function isSessionEnded(err: unknown): boolean {
  return err instanceof PlinthError && err.status === 401;
}

export { PlinthError };
