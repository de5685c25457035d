import { createClient, LocalAuthStore, PlinthError } from '@plinth/sdk';

/** The one client of the console: same origin as the page, session kept in localStorage. */
export const authStore = new LocalAuthStore('plinth_console_admin');
export const client = createClient({ url: window.location.origin, authStore });

/** Why the sign-in page is shown again, for the page to say. */
export const sessionEnded = { reason: '' };

const ENDED =
  'Your session ended (it was idle past its token lifetime, 15 minutes by default, or was revoked). Sign in again.';
let signingOut = false;
let lastToken = authStore.token;
// The SDK clears the store itself when renewing the admin token fails with 401; say why on the sign-in page.
// Registered before the app's own listener, so the reason is set before the page re-renders.
authStore.onChange((token) => {
  if (token) sessionEnded.reason = '';
  else if (lastToken && !signingOut) sessionEnded.reason = ENDED;
  lastToken = token;
});

/**
 * Signs out on purpose: the server ends this session (with `all`, every session of this admin) and the
 * sign-in page then gives no reason. The local session is cleared even when the server is unreachable.
 */
export async function signOut(options: { all?: boolean } = {}): Promise<void> {
  sessionEnded.reason = '';
  signingOut = true;
  try {
    await client.admins.logout(options);
  } catch {
    // The server is unreachable: this browser is signed out all the same.
  } finally {
    authStore.clear();
    signingOut = false;
  }
}

/** A sentence a person reads, from whatever a call threw. */
export function describeError(err: unknown): string {
  if (isSessionEnded(err) && authStore.token) {
    // The SDK renews the admin token while the console makes calls; an idle tab's token runs out.
    sessionEnded.reason = ENDED;
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

/** The server's verdict on a rule as it is typed (`POST /api/collections/-/check-rule`). */
export interface RuleCheck {
  ok: boolean;
  code?: string;
  message?: string;
  position?: number;
  field?: string;
  warnings: string[];
}

/** Checks a rule against a collection as the editor holds it (saved or not). */
export function checkRule(
  collection: { name: string; type: string; fields: unknown[] } | string,
  rule: string,
  operation: string,
  signal?: AbortSignal,
): Promise<RuleCheck> {
  return client.send<RuleCheck>('/api/collections/-/check-rule', {
    method: 'POST',
    body: { collection, rule, operation },
    signal,
  });
}
